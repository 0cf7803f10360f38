"""Deciding how a case is handled (R-ROUTE-1, R-ROUTE-7): here, sent down, referred, kept,
merged; and the receiving department signing for a case sent to it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from xinfang.cases.actions.base import (
    DECISION_FIELDS,
    _raise,
    _required,
    lock_case,
    transition,
)
from xinfang.cases.clocks import case_due_on
from xinfang.cases.lifecycle import ACTION_LABELS, FROZEN_STATES
from xinfang.cases.models import Assignment, Case, Referral, State
from xinfang.cases.numbering import next_case_number
from xinfang.cases.routing import (
    facts_for_case,
    following_department_of,
    refuse_if_department_may_not_hold,
    refuse_if_family_holders_may_not_hold,
    respondents_of_case,
    routing_decision_record,
    unexplained_departure,
)
from xinfang.cases.search import tag_family, tag_petitions
from xinfang.cases.timeline import append_event, append_record
from xinfang.core.errors import RuleViolation
from xinfang.orgs.models import Department, Role, User
from xinfang.petitions.models import Petition
from xinfang.petitions.services import petitions_move
from xinfang.routing.proposal import RoutingProposal, propose_routing
from xinfang.routing.rules import at_prefecture_or_above
from xinfang.routing.terms import HandlingMode


def _decide(
    case: Case,
    mode: HandlingMode,
    *,
    actor: User,
    routing_note: str,
    department: Department | None,
    department_name: str = "",
    key_case: bool | None = None,
    proposal: RoutingProposal | None = None,
) -> tuple[dict[str, Any], Department | None]:
    """Decide the handling mode: the proposal is computed and recorded beside the decision
    (R-ROUTE-1), key cases marked (R-ROUTE-5). Returns the event payload and, for important
    matters, the organization department one level above the handling one (R-ROUTE-4).
    `proposal` is the one the action already computed, if it did."""
    if proposal is None:
        proposal = propose_routing(facts_for_case(case))
    decision = routing_decision_record(
        case=case,
        proposal=proposal,
        mode=mode,
        department=department,
        department_name=department_name,
        reason=routing_note,
        actor=actor,
    )
    key = proposal.is_key_case if key_case is None else key_case
    if key and not (
        mode == HandlingMode.SELF and at_prefecture_or_above(case.department.jurisdiction.level)
    ):
        if key_case:
            raise RuleViolation(
                gettext("重点案件由地级以上组织部门直接查办，须决定自办（R-ROUTE-5）。"),
                rules=("R-ROUTE-5",),
            )
        key = False
    case.is_key_case = key
    case.handling_mode = mode
    case.mode_decided_at = decision.decided_at
    follow = None
    if proposal.follow_up_department is not None and department is not None:
        follow = following_department_of(department)
    payload = {
        "mode": mode,
        "routing_decision": decision.pk,
        "proposal": proposal.headline,
        "proposal_rules": list(proposal.rules),
        "followed": decision.followed,
        "routing_note": routing_note.strip(),
        "key_case": key,
    }
    return payload, follow


def _refuse_unless_handler_here(case: Case, handler: User) -> None:
    """R-STAFF-1: the 承办人 is an active handler of the department responsible. Someone of
    another department is not named in the refusal: the API takes any user's id, and the
    refusal would tell the name behind each (the department's own staff the actor knows)."""
    if handler.department_id != case.department_id:
        raise RuleViolation(
            gettext("所指定的人员不是本部门的承办人，不能指定其承办。"), rules=("R-STAFF-1",)
        )
    if not handler.is_active or not handler.has_role(Role.HANDLER):
        raise RuleViolation(
            gettext("%(handler)s不是本部门的承办人，不能指定其承办。") % {"handler": handler},
            rules=("R-STAFF-1",),
        )


def case_handle_here(
    *,
    actor: User,
    case: Case,
    handler: User | None,
    routing_note: str = "",
    key_case: bool | None = None,
) -> Case:
    """R-ROUTE-7: 自办 — the default handling mode, with the named handler (承办人) whose
    workload it counts in (R-STAFF-1): a case decided without one stood in no handler's
    queue (docs/decisions.md)."""
    with transition(case, "handle_here", actor=actor, with_department=True) as step:
        case = step.case
        # After the state, department and role: those refusals say more.
        if handler is None:
            raise RuleViolation(gettext("决定自办须指定本部门的承办人。"), rules=("R-STAFF-1",))
        _refuse_unless_handler_here(case, handler)
        # R-ROUTE-3: a routing note can justify departing from the proposal, never this.
        refuse_if_department_may_not_hold(case, case.department, doing=gettext("自办"))
        payload, follow = _decide(
            case,
            HandlingMode.SELF,
            actor=actor,
            routing_note=routing_note,
            department=case.department,
            key_case=key_case,
        )
        case.handler = handler
        case.follow_department = follow
        case.due_on = case_due_on(case)
        payload.update({"handler": handler.pk, "due_on": case.due_on})
        step.write(
            payload=payload,
            fields=[*DECISION_FIELDS, "handler", "follow_department", "due_on"],
        )
    return case


def case_name_handler(*, actor: User, case: Case, handler: User, reason: str = "") -> Case:
    """R-STAFF-1: 指定承办人 — a leader names the handler of a case being handled here, or
    another one in his place (with the reason: left, on leave, a conflict of interest). The
    case keeps its state; the event records both names."""
    with transaction.atomic():
        case = lock_case(case, actor=actor, action="name_handler")
        if case.state != State.HANDLING or case.handling_mode != HandlingMode.SELF:
            raise RuleViolation(
                gettext("只有本部门自办、正在办理的案件可以指定承办人。"), rules=("R-STAFF-1",)
            )
        _refuse_unless_handler_here(case, handler)
        previous = case.handler_id
        if previous == handler.pk:
            raise RuleViolation(
                gettext("%(handler)s已是本案的承办人。") % {"handler": handler},
                rules=("R-STAFF-1",),
            )
        if previous is not None and not reason.strip():
            raise RuleViolation(gettext("更换承办人须写明理由。"), rules=("R-STAFF-1",))
        case.handler = handler
        append_record(
            case,
            kind="name_handler",
            actor=actor,
            payload={"handler": handler.pk, "previous_handler": previous, "reason": reason.strip()},
            save_fields=["handler"],
        )
    return case


def _check_receiver(case: Case, to_department: Department, *, down: bool) -> list[str]:
    errors: list[str] = []
    if to_department.pk == case.department_id:
        errors.append(gettext("不能转交给本部门。"))
        return errors
    # R-ROUTE-3: never to the same-level organization department of a main leader.
    refuse_if_department_may_not_hold(
        case, to_department, doing=gettext("接收转交的本案"), respondents=respondents_of_case(case)
    )
    if down:
        own = case.department.jurisdiction
        target = to_department.jurisdiction
        if target.pk == own.pk or not target.path.startswith(own.path):
            errors.append(
                gettext("%(name)s不是本级以下的部门，不能向其转办或交办（R-ROUTE-1）。")
                % {"name": to_department.name}
            )
        if not to_department.handles_petitions:
            errors.append(
                gettext("%(name)s未启用本系统办理信访，请改用“转其他部门”。")
                % {"name": to_department.name}
            )
    return errors


def _send_down(
    *,
    actor: User,
    case: Case,
    to_department: Department,
    action: str,
    note: str,
    routing_note: str,
) -> Assignment:
    mode = HandlingMode.TRANSFER if action == "transfer_down" else HandlingMode.ASSIGN
    with transition(case, action, actor=actor, with_department=True) as step:
        case = step.case
        # R-ROUTE-3: a main leader's own organization department may not decide where below
        # it his case is investigated (交办 would even bring the result back to it): it may
        # only send the case up or refer it out.
        refuse_if_department_may_not_hold(case, case.department, doing=str(ACTION_LABELS[action]))
        _raise(_check_receiver(case, to_department, down=True), rules=("R-ROUTE-1",))
        now = timezone.now()
        payload, follow = _decide(
            case, mode, actor=actor, routing_note=routing_note, department=to_department
        )
        child = Case.objects.create(
            number=next_case_number(to_department, timezone.localdate(now).year),
            department=to_department,
            root_id=case.petitions_root_id,
            parent=case,
            # The sender, as on the assignment below, for good (cases/access.py, R-SUPER-2).
            sent_down_by=case.department,
            title=case.title,
            category=case.category,
            nature=case.nature,
            is_collective=case.is_collective,
            report_upward=case.report_upward,
            is_key_case=False,
            result_required=mode == HandlingMode.ASSIGN,
            registered_at=now,
            follow_department=follow,
        )
        # The family's petitions are now held by the receiving department too, whose staff
        # find them through its tag in the search index (cases/search.py).
        tag_family(case)
        assignment = Assignment.objects.create(
            case=case,
            child=child,
            mode=mode,
            from_department=case.department,
            to_department=to_department,
            note=note.strip(),
            sent_at=now,
        )
        # R-CLOSE-1: a result required three months after assignment (1987 set); under the
        # 2022 set the handling clock. Derived by the deadlines app, never typed in.
        due_on = case_due_on(child)
        Case.objects.filter(pk=child.pk).update(due_on=due_on)
        Assignment.objects.filter(pk=assignment.pk).update(due_on=due_on)
        child.due_on = assignment.due_on = due_on
        if mode == HandlingMode.TRANSFER:
            due_on = None
        payload.update(
            {
                "to_department": to_department.pk,
                "child": child.pk,
                "due_on": due_on,
                "note": note.strip(),
            }
        )
        case.due_on = due_on
        step.write(payload=payload, fields=[*DECISION_FIELDS, "due_on"])
        # R-INTAKE-6: the receiver's case records where it came from.
        append_event(
            child,
            kind="received_from_upper",
            actor=actor,
            from_state="",
            to_state=child.state,
            payload={
                "parent": case.pk,
                "mode": mode,
                "from_department": case.department_id,
                "due_on": child.due_on,
            },
        )
    return assignment


def case_transfer_down(
    *, actor: User, case: Case, to_department: Department, note: str = "", routing_note: str = ""
) -> Assignment:
    """转办: handled below without a required result; the sender keeps following (R-SUPER-2)."""
    return _send_down(
        actor=actor,
        case=case,
        to_department=to_department,
        action="transfer_down",
        note=note,
        routing_note=routing_note,
    )


def case_assign_down(
    *, actor: User, case: Case, to_department: Department, note: str = "", routing_note: str = ""
) -> Assignment:
    """交办: handled below, result due in three months (R-CLOSE-1)."""
    return _send_down(
        actor=actor,
        case=case,
        to_department=to_department,
        action="assign_down",
        note=note,
        routing_note=routing_note,
    )


def assignment_receive(*, actor: User, assignment: Assignment) -> Assignment:
    """The receiving department signs for a case sent down (签收)."""
    with transaction.atomic():
        child = lock_case(assignment.child, actor=actor, action="receive_assignment")
        assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if assignment.received_at is not None:
            return assignment
        assignment.received_at = timezone.now()
        assignment.save(update_fields=["received_at"])
        # Under the 2022 rules the receiver's handling clock runs from receipt: re-derive.
        child.due_on = case_due_on(child)
        assignment.due_on = child.due_on
        assignment.save(update_fields=["due_on"])
        append_record(
            child,
            kind="receive_assignment",
            actor=actor,
            payload={"assignment": assignment.pk, "due_on": child.due_on},
            save_fields=["due_on"],
        )
    return assignment


def case_refer(
    *,
    actor: User,
    case: Case,
    reason: str,
    explanation: str,
    explained_on: dt.date | None,
    explained_how: str,
    to_department: Department | None = None,
    to_department_name: str = "",
    routing_note: str = "",
) -> Referral:
    """R-ROUTE-6: refer outside the remit, with the explanation given to the petitioner.

    Every refusal of the input is reported at once (the plain inputs, the receiver, a
    departure from the proposal without a reason), so the form shows them all together."""
    # One name everywhere: the referral, the decision recorded beside the proposal, the event.
    name = (to_department.name if to_department else to_department_name).strip()
    errors: list[str] = []
    _required(errors, to_department_name=name, reason=reason)
    if not explanation.strip() or explained_on is None or not explained_how.strip():
        errors.append(
            gettext("转其他部门办理，须记录向信访人解释的内容、日期和方式（R-ROUTE-6）。")
        )
    if explained_on is not None and explained_on > timezone.localdate():
        errors.append(gettext("解释日期不能晚于今天。"))
    with transition(case, "refer", actor=actor, with_department=True) as step:
        case = step.case
        rules = ["R-ROUTE-6"] if errors else []
        if to_department is not None:
            wrong_receiver = _check_receiver(case, to_department, down=False)
            errors += wrong_receiver
            rules += ["R-ROUTE-1"] if wrong_receiver else []
        proposal = propose_routing(facts_for_case(case))
        departure = unexplained_departure(proposal, HandlingMode.REFER, to_department, routing_note)
        if departure:
            errors.append(departure)
            rules.append("R-ROUTE-1")
        _raise(errors, rules=tuple(dict.fromkeys(rules)))
        assert explained_on is not None
        referral = Referral.objects.create(
            case=case,
            to_department=to_department,
            to_department_name=name,
            reason=reason.strip(),
            explanation=explanation.strip(),
            explained_on=explained_on,
            explained_how=explained_how.strip(),
            created_at=timezone.now(),
        )
        payload, _ = _decide(
            case,
            HandlingMode.REFER,
            actor=actor,
            routing_note=routing_note,
            department=to_department,
            department_name=name,
            proposal=proposal,
        )
        payload.update({"referral": referral.pk, "to": name})
        step.write(
            payload=payload,
            fields=DECISION_FIELDS,
            records=[referral],
        )
    return referral


def case_file(*, actor: User, case: Case, reason: str, routing_note: str = "") -> Case:
    """存查: kept for reference (e.g. an anonymous letter with nothing verifiable, R-INTAKE-4)."""
    errors: list[str] = []
    _required(errors, reason=reason)
    _raise(errors)
    with transition(case, "file", actor=actor, with_department=True) as step:
        case = step.case
        # R-ROUTE-3: shelving a letter about one's own main leader is deciding on it too.
        refuse_if_department_may_not_hold(case, case.department, doing=gettext("存查"))
        payload, _ = _decide(
            case,
            HandlingMode.FILE,
            actor=actor,
            routing_note=routing_note,
            department=case.department,
        )
        payload["reason"] = reason.strip()
        step.write(
            payload=payload,
            fields=DECISION_FIELDS,
        )
    return case


def case_merge(*, actor: User, case: Case, into: Case, reason: str) -> Case:
    """R-REPEAT-4: a registration found to repeat another case of the same department."""
    errors: list[str] = []
    _required(errors, reason=reason)
    if into.pk == case.pk:
        errors.append(gettext("不能并入案件本身。"))
    if into.department_id != case.department_id:
        errors.append(gettext("只能并入本部门的案件。"))
    if into.state in FROZEN_STATES:
        errors.append(gettext("目标案件已归档或已并案，不能并入。"))
    _raise(errors, rules=("R-REPEAT-4",))
    with transition(case, "merge", actor=actor) as step:
        case = step.case
        if case.parent_id is not None:
            # Its petitions belong to the upper case, which waits for this one (R-SUPER-2):
            # a wrongly sent case is objected to, not merged away.
            raise RuleViolation(
                gettext("上级转交办的案件不能并案；如交转办有误，请向上级提出异议。"),
                rules=("R-REPEAT-4",),
            )
        target = Case.objects.select_for_update().select_related("department").get(pk=into.pk)
        if target.state in FROZEN_STATES:  # checked again on the locked row
            raise RuleViolation(
                gettext("目标案件已归档或已并案，不能并入。"), rules=("R-REPEAT-4",)
            )
        # R-ROUTE-3: merging puts this case's respondents into every case of the target's
        # family that a department holds (the target, or a case sent down from it).
        refuse_if_family_holders_may_not_hold(
            target,
            doing=gettext("将本案并入其办理的案件"),
            respondents=[*respondents_of_case(case), *respondents_of_case(target)],
        )
        flags = {
            pk: [is_repeat, is_first]
            for pk, is_repeat, is_first in Petition.objects.filter(case=case)
            .order_by("pk")
            .values_list("pk", "is_repeat", "is_first")
        }
        moved = list(flags)
        # R-PROTECT-2: the moved petitions, their respondents and interviews now belong to
        # the target; its timeline covers them as they now are.
        covered = petitions_move(moved, to_case_id=target.pk)
        # The moved petitions are now found through the target's family and its departments
        # (cases/search.py, department tags).
        tag_petitions(moved)
        append_record(
            target,
            kind="merged_in",
            actor=actor,
            # `flags`: each petition's first/repeat marks before the merge, so `case_unmerge`
            # can give them back as they were.
            payload={
                "from": case.pk,
                "petitions": moved,
                "flags": {str(k): v for k, v in flags.items()},
            },
            records=covered,
        )
        case.merged_into = target
        step.write(
            payload={"into": into.pk, "reason": reason.strip()},
            fields=["merged_into"],
        )
    return case
