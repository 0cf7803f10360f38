"""Executing a case's plan: each step one service call at its frozen time."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from xinfang.cases import actions as cs
from xinfang.cases.actions import petition_register
from xinfang.cases.closure import closure_requirements
from xinfang.cases.models import Assignment, Case, State
from xinfang.demo import text as T
from xinfang.demo.orgtree import Org
from xinfang.demo.plan import SEED, CasePlan, PetitionPlan, Planner, fmt
from xinfang.orgs.models import User
from xinfang.petitions.respondents import RespondentInput
from xinfang.petitions.services import InterviewInput, PetitionerInput
from xinfang.routing.terms import Nature

Step = Callable[[], list[tuple[dt.datetime, "Step"]] | None]


@dataclass
class BuildResult:
    petitions: int = 0
    cases: int = 0
    states: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0
    titles: list[str] = field(default_factory=list)
    step_seconds: dict[str, float] = field(default_factory=dict)
    step_counts: Counter[str] = field(default_factory=Counter)


class CaseRun:
    """Executes one case's plan: each step one service call at its frozen time."""

    def __init__(self, plan: CasePlan, planner: Planner, result: BuildResult) -> None:
        self.plan = plan
        self.planner = planner
        self.result = result
        self.rng = random.Random(SEED * 7919 + plan.index)
        self.case: Case | None = None
        self.child: Case | None = None
        self.assignment: Assignment | None = None
        self.dup: Case | None = None
        # The named handlers (承办人) of the case handled here and of the case sent down.
        self.handler: User | None = None
        self.child_handler: User | None = None
        self.broken = False
        self.now = plan.first.when

    # Helpers --------------------------------------------------------------------------

    def register(self, pp: PetitionPlan, repeat_of: Case | None = None) -> Case:
        org = self.plan.org
        registrar = org.reg()
        interview = None
        if pp.interview is not None:
            statement, requests, answer, place = pp.interview
            receivers = [registrar, org.leader(self.rng)] if pp.leader_receives else [registrar]
            interview = InterviewInput(
                receivers=receivers,
                interviewed_at=timezone.now() - dt.timedelta(minutes=40),
                statement=statement,
                requests=requests,
                answer=answer,
                place=place,
            )
        petitioners = [
            PetitionerInput(
                name=p.name,
                id_number=p.id_number,
                phone=p.phone,
                address=p.address,
                work_unit=p.work_unit,
                is_representative=i < pp.representatives,
            )
            for i, p in enumerate(pp.petitioners)
        ]
        respondents = []
        if self.plan.respondent is not None:
            respondents = [RespondentInput(cadre=self.plan.respondent.cadre)]
        reg = petition_register(
            actor=registrar,
            channel=pp.channel,
            received_on=pp.received_on,
            summary=pp.summary,
            content=pp.content,
            category=self.plan.issue.category,
            nature=self.plan.issue.nature,
            petitioners=petitioners,
            is_anonymous=not pp.petitioners and self.plan.anonymous,
            anonymous_treatment=pp.anonymous_treatment,
            anonymous_reason=pp.anonymous_reason,
            is_collective=pp.representatives > 0,
            head_count=pp.head_count,
            collective_origin=pp.collective_origin,
            source=pp.source,
            source_department=pp.source_department,
            source_reference=pp.source_reference,
            respondents=respondents,
            interview=interview,
            repeat_of=repeat_of,
        )
        self.result.petitions += 1
        return reg.case

    def closure_data(self, case_nature: str, category: str, signed: bool) -> dict[str, Any]:
        """A closure with exactly the parts `closure_requirements` asks for (R-CLOSE-3 to
        R-CLOSE-5, R-CAT-4), in the matter's own words."""
        rng = self.rng
        issue = self.plan.issue
        need = closure_requirements(
            nature=case_nature,
            category=category,
            signed_accusation=signed and case_nature == Nature.ACCUSATION,
        )
        i = rng.randrange(min(len(issue.facts), len(issue.decisions)))
        v = self.plan.vars
        today = timezone.localdate()
        data: dict[str, Any] = {
            "facts": fmt(issue.facts[i], v),
            "decision": fmt(issue.decisions[i], v),
            "policy_basis": rng.choice(issue.basis),
            "procedure": list(need.procedure),
        }
        if need.personal_outcome:
            data["personal_outcome"] = rng.choice(("granted", "special")) if i == 0 else "refused"
        if need.petitioner_opinion:
            ok = i == 0 or rng.random() < 0.5
            data["petitioner_opinion"] = rng.choice(
                T.PETITIONER_OPINIONS_OK if ok else T.PETITIONER_OPINIONS_NOT_OK
            )
            data["conclusion_shown_on"] = today
            data["conclusion_shown_how"] = rng.choice(T.SHOWN_HOW)
        if need.accuser_feedback:
            if rng.random() < 0.9:
                data["feedback_on"] = today
                data["feedback_how"] = rng.choice(T.FEEDBACK_HOW)
            else:
                data["no_feedback_reason"] = (
                    "反映人联系方式变更，多次联系未果，已在原单位留言告知。"
                )
        return data

    def later(self, steps: list[tuple[float, float, Step]]) -> list[tuple[dt.datetime, Step]]:
        """Schedule steps after now, each a (min, max) number of days after the previous one;
        squeezed proportionally if they would run past the end of the demo period."""
        rng = self.rng
        gaps = [rng.uniform(lo, hi) for lo, hi, _ in steps]
        total = sum(gaps)
        room = (self.planner.end - self.now).total_seconds() / 86400 * 0.9
        if total > room:
            gaps = [g * room / total for g in gaps]
        out: list[tuple[dt.datetime, Step]] = []
        t = self.now
        for gap, (_lo, _hi, step) in zip(gaps, steps, strict=True):
            nxt = t + dt.timedelta(days=gap)
            snapped = self.planner.snap(nxt)
            if snapped < self.planner.end:
                nxt = snapped
            nxt = max(nxt, t + dt.timedelta(minutes=rng.randint(3, 30)))
            if nxt >= self.planner.end:
                break
            out.append((nxt, step))
            t = nxt
        return out

    def batch_archive(self, steps: list[Step]) -> list[tuple[dt.datetime, Step]]:
        """R-CLOSE-7: files are archived once a year (年度立卷归档), between January and
        March for the matters finished the year before; this year's stay closed until then."""
        tz = self.planner.tz
        year = self.now.astimezone(tz).year + 1
        day = dt.date(year, 1, 4) + dt.timedelta(days=self.rng.randrange(0, 85))
        t = self.planner.snap(dt.datetime.combine(day, dt.time(9, self.rng.randrange(60)), tz))
        out: list[tuple[dt.datetime, Step]] = []
        for step in steps:
            if t >= self.planner.end:
                break
            out.append((t, step))
            t += dt.timedelta(minutes=self.rng.randint(5, 120))
        return out

    # Steps ----------------------------------------------------------------------------

    def start(self) -> list[tuple[dt.datetime, Step]]:
        plan = self.plan
        self.case = self.register(plan.first)
        self.result.titles.append(self.case.title)
        follow: list[tuple[dt.datetime, Step]] = []
        for rp in plan.repeats:
            follow.append((rp.when, self._repeat_step(rp)))
        if plan.duplicate is not None:
            follow.append((plan.duplicate.when, self.duplicate))
        if plan.fate == "registered":
            return follow
        return follow + self.later([(0.1, 2, self.read)])

    def read(self) -> list[tuple[dt.datetime, Step]] | None:
        assert self.case is not None
        rng = self.rng
        report = rng.random() < 0.3
        due = timezone.localdate() + dt.timedelta(days=30) if report else None
        self.case = cs.case_read(
            actor=self.plan.org.leader(rng),
            case=self.case,
            text=rng.choice(T.READ_INSTRUCTIONS),
            due_on=due,
            report_required=report,
        )
        if self.plan.fate == "read":
            return None
        if self.plan.send_on is not None:
            # Sent down on the planned day, so its clock stands where the fate needs it.
            planned = dt.datetime.combine(
                self.plan.send_on, dt.time(9, self.rng.randrange(60)), tzinfo=self.planner.tz
            )
            return [(max(planned, self.now + dt.timedelta(minutes=10)), self.decide)]
        return self.later([(0.1, 3, self.decide)])

    def decide(self) -> list[tuple[dt.datetime, Step]] | None:
        plan = self.plan
        rng = self.rng
        leader = plan.org.leader(rng)
        assert self.case is not None
        if plan.route == "self":
            self.handler = plan.org.handlers[0] if plan.first_handler else plan.org.handler(rng)
            self.case = cs.case_handle_here(
                actor=leader,
                case=self.case,
                handler=self.handler,
                routing_note="按照干部管理权限，由本部门自办。",
            )
            return self.self_handling()
        if plan.route == "refer":
            to = plan.refer_to
            assert to is not None
            cs.case_refer(
                actor=leader,
                case=self.case,
                reason=plan.issue.refer_reason,
                explanation=fmt(rng.choice(T.REFERRAL_EXPLANATIONS), {"to": to.name}),
                explained_on=timezone.localdate(),
                explained_how=rng.choice(T.EXPLAIN_HOW),
                to_department=to,
                routing_note=f"{plan.issue.refer_reason}按职责转{to.name}办理。",
            )
            if plan.fate == "referred_archived":
                return self.batch_archive([self.archive])
            return None
        if plan.route == "file":
            cs.case_file(
                actor=leader,
                case=self.case,
                reason=rng.choice(T.FILE_REASONS_ANONYMOUS),
                routing_note="匿名信内容笼统、无从查证，按规定存查。",
            )
            if plan.fate == "filed_archived":
                return self.batch_archive([self.archive])
            return None
        target = plan.target
        assert target is not None
        managing = plan.respondent.managing.name if plan.respondent else target.name
        note = fmt(
            rng.choice(T.ROUTING_NOTES_DOWN), {"managing": managing, "to": target.handling.name}
        )
        if plan.route == "assign":
            self.assignment = cs.case_assign_down(
                actor=leader,
                case=self.case,
                to_department=target.handling,
                note=rng.choice(T.ASSIGN_NOTES),
                routing_note=note,
            )
        else:
            self.assignment = cs.case_transfer_down(
                actor=leader,
                case=self.case,
                to_department=target.handling,
                note=rng.choice(T.TRANSFER_NOTES),
                routing_note=note,
            )
        self.child = self.assignment.child
        if plan.fate == "a_sent":
            return None
        return self.later([(0.3, 4, self.receive)])

    # Self-handled ----------------------------------------------------------------------

    def self_handling(self) -> list[tuple[dt.datetime, Step]] | None:
        fate = self.plan.fate
        if fate == "handling":
            if self.rng.random() < 0.3:
                return self.later([(3, 20, self.instruct)])
            return None
        steps: list[tuple[float, float, Step]] = [(10, 40, self.submit)]
        if fate == "handling_returned" or (
            self.plan.with_return and fate in ("closed", "archived")
        ):
            steps.append((1, 5, self.return_closure))
            if fate == "handling_returned":
                return self.later(steps)
            steps.append((3, 15, self.submit))
        if fate == "closing":
            return self.later(steps)
        steps.append((1, 5, self.approve))
        return self.later(steps)

    def instruct(self) -> None:
        assert self.case is not None
        cs.case_instruct(
            actor=self.plan.org.leaders[0],
            case=self.case,
            text=self.rng.choice(T.INSTRUCTIONS_FOLLOWUP),
        )

    def _signed(self) -> bool:
        return bool(self.plan.first.petitioners)

    def submit(self) -> None:
        assert self.case is not None
        assert self.handler is not None
        cs.closure_submit(
            actor=self.handler,
            case=self.case,
            **self.closure_data(self.case.nature, self.case.category, self._signed()),
        )

    def return_closure(self) -> None:
        assert self.case is not None
        cs.closure_return(
            actor=self.plan.org.leader(self.rng),
            case=self.case,
            reasons=self.rng.choice(T.CLOSURE_RETURN_REASONS),
        )

    def approve(self) -> list[tuple[dt.datetime, Step]] | None:
        assert self.case is not None
        cs.closure_approve(actor=self.plan.org.leader(self.rng), case=self.case)
        if self.plan.fate == "archived":
            return self.batch_archive([self.archive])
        return None

    def archive(self) -> None:
        assert self.case is not None
        cs.case_archive(actor=self.plan.org.reg(), case=self.case)

    # Sent down -------------------------------------------------------------------------

    def _t(self) -> Org:
        assert self.plan.target is not None
        return self.plan.target

    def receive(self) -> list[tuple[dt.datetime, Step]] | None:
        assert self.assignment is not None
        self.assignment = cs.assignment_receive(actor=self._t().reg(), assignment=self.assignment)
        if self.plan.fate == "a_objected":
            return self.later([(0.1, 1, self.object)])
        return self.later([(0.1, 2, self.child_read), (0.1, 2, self.child_handle)])

    def object(self) -> None:
        """The receiving department objects (R-ROUTE-1); the sender has not yet decided."""
        assert self.assignment is not None
        cs.objection_raise(
            actor=self._t().leader(self.rng),
            assignment=self.assignment,
            reasons=self.rng.choice(T.OBJECTION_REASONS),
        )

    def child_read(self) -> None:
        assert self.child is not None
        self.child = cs.case_read(
            actor=self._t().leader(self.rng),
            case=self.child,
            text=self.rng.choice(T.READ_INSTRUCTIONS),
        )

    def child_handle(self) -> list[tuple[dt.datetime, Step]] | None:
        assert self.child is not None
        target = self._t()
        self.child_handler = (
            target.handlers[0] if self.plan.first_handler else target.handler(self.rng)
        )
        self.child = cs.case_handle_here(
            actor=self._t().leader(self.rng),
            case=self.child,
            handler=self.child_handler,
            routing_note="上级交转办，本部门自办。",
        )
        fate = self.plan.fate
        if fate in ("a_handling", "a_half", "a_due_soon", "t_handling"):
            if self.rng.random() < 0.3:
                return self.later([(2, 20, self.parent_instruct)])
            return None
        if fate in ("a_overdue", "a_overdue_explained"):
            if fate == "a_overdue":
                return None
            assert self.child.due_on is not None
            start = dt.datetime.combine(self.child.due_on, dt.time(10, 0), tzinfo=self.planner.tz)
            self.now = max(self.now, start)
            return self.later([(1, 20, self.explain_overdue)])
        steps: list[tuple[float, float, Step]] = [(15, 60, self.child_submit)]
        if fate == "a_closing":
            return self.later(steps)
        steps.append((1, 4, self.child_approve))
        if fate in ("t_closed", "a_reported"):
            return self.later(steps)
        if fate == "t_archived":
            return self.later(steps)  # archived in the yearly batch after the approval
        if fate == "a_report_returned" or (self.plan.with_return and fate == "a_archived"):
            steps.append((2, 8, self.report_return))
            if fate == "a_report_returned":
                return self.later(steps)
            steps += [(5, 20, self.child_submit), (1, 3, self.child_approve)]
        steps.append((2, 10, self.report_accept))
        return self.later(steps)

    def parent_instruct(self) -> None:
        assert self.case is not None
        cs.case_instruct(
            actor=self.plan.org.leaders[0],
            case=self.case,
            text="请下级组织部门抓紧办理，及时报告进展情况。",
        )

    def explain_overdue(self) -> None:
        assert self.child is not None
        today = timezone.localdate()
        assert self.child_handler is not None
        cs.overdue_explain(
            actor=self.child_handler,
            case=self.child,
            reason=self.rng.choice(T.OVERDUE_REASONS),
            new_expected_on=today + dt.timedelta(days=self.rng.randint(20, 60)),
        )

    def child_submit(self) -> None:
        assert self.child is not None
        assert self.child_handler is not None
        cs.closure_submit(
            actor=self.child_handler,
            case=self.child,
            **self.closure_data(self.child.nature, self.child.category, self._signed()),
        )

    def child_approve(self) -> list[tuple[dt.datetime, Step]] | None:
        assert self.child is not None
        review = self.rng.choice(T.REVIEW_OPINIONS) if self.child.result_required else ""
        cs.closure_approve(actor=self._t().leader(self.rng), case=self.child, review_opinion=review)
        if self.plan.fate == "t_archived":
            return self.batch_archive([self.child_archive, self.archive])
        return None

    def report_return(self) -> None:
        assert self.case is not None and self.child is not None
        self.child = cs.report_return(
            actor=self.plan.org.leader(self.rng),
            case=self.case,
            child=self.child,
            reasons=self.rng.choice(T.REPORT_RETURN_REASONS),
        )

    def report_accept(self) -> list[tuple[dt.datetime, Step]] | None:
        assert self.case is not None and self.child is not None
        self.case = cs.report_accept(
            actor=self.plan.org.leader(self.rng),
            case=self.case,
            child=self.child,
            opinion=self.rng.choice(T.ACCEPT_OPINIONS),
        )
        if self.plan.fate == "a_archived":
            return self.batch_archive([self.child_archive, self.archive])
        return None

    def child_archive(self) -> None:
        assert self.child is not None
        self.child = cs.case_archive(actor=self._t().reg(), case=self.child)

    # Repeats and duplicates (R-REPEAT-4) -----------------------------------------------

    def _repeat_step(self, pp: PetitionPlan) -> Step:
        def step() -> list[tuple[dt.datetime, Step]] | None:
            assert self.case is not None
            case = self.register(pp, repeat_of=self.case)
            if case.pk == self.case.pk:
                return None
            # The original file is sealed: the repeat opened a new case pointing back at it,
            # which the leader reads and keeps for reference.
            later = RepeatRun(self, case)
            return self.later([(0.2, 3, later.read), (0.2, 5, later.file)])

        return step

    def duplicate(self) -> list[tuple[dt.datetime, Step]] | None:
        assert self.plan.duplicate is not None
        self.dup = self.register(self.plan.duplicate)
        return self.later([(0.1, 2, self.merge)])

    def merge(self) -> None:
        assert self.case is not None and self.dup is not None
        state = Case.objects.values_list("state", flat=True).get(pk=self.case.pk)
        if state in (State.ARCHIVED, State.MERGED):
            return  # the original was sealed meanwhile; the duplicate stays on its own
        self.case.state = state
        cs.case_merge(
            actor=self.plan.org.leader(self.rng),
            case=self.dup,
            into=self.case,
            reason="经核对，与已登记案件系同一事项，予以并案。",
        )


class RepeatRun:
    """A repeat of a sealed (archived) case: read, then kept for reference."""

    def __init__(self, parent: CaseRun, case: Case) -> None:
        self.parent = parent
        self.case = case

    def read(self) -> None:
        org = self.parent.plan.org
        self.case = cs.case_read(
            actor=org.leader(self.parent.rng),
            case=self.case,
            text="原案件已办结归档，请核对是否有新的事实和理由。",
        )

    def file(self) -> None:
        org = self.parent.plan.org
        cs.case_file(
            actor=org.leader(self.parent.rng),
            case=self.case,
            reason=self.parent.rng.choice(T.FILE_REASONS_REPEAT),
            routing_note="重复信访，原案件已办结归档，不再重新办理。",
        )
