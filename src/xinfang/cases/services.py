"""Case lifecycle services: the only code that changes a case's state.

Each transition is one function that locks the case row, checks the allowed-transitions
table (lifecycle.py), the actor's department and role, and the rules (rulebook IDs); then
writes the change and exactly one timeline event in the same transaction. Inputs are
validated before anything is written, and every refusal is a RuleViolation in Chinese.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import connections, router, transaction
from django.utils import timezone

from xinfang.cases.closure import CLOSURE_FIELDS, closure_problems, closure_requirements_of
from xinfang.cases.lifecycle import (
    ACTION_LABELS,
    FINISHED_STATES,
    FROZEN_MESSAGES,
    FROZEN_STATES,
    require_action_role,
    target_state,
)
from xinfang.cases.models import (
    Assignment,
    Case,
    Closure,
    ClosureStatus,
    HandlingMode,
    Instruction,
    OverdueExplanation,
    Referral,
    Review,
    ReviewKind,
    ReviewOutcome,
    ReviewStage,
    State,
    YearlyTarget,
)
from xinfang.cases.numbering import next_case_number
from xinfang.cases.timeline import append_event, append_record
from xinfang.configlog.services import (
    audited_create,
    audited_delete,
    audited_update,
    editable_fields,
)
from xinfang.core.errors import RuleViolation
from xinfang.deadlines.selectors import case_due_on, clock_due_on, objection_clock
from xinfang.orgs.models import LEVEL_RANK, Department, DepartmentKind, Level, Role, User
from xinfang.petitions.models import ConcernedCadre, Interview, Petition, Respondent
from xinfang.routing.models import Objection, ObjectionStatus
from xinfang.routing.proposal import propose_routing
from xinfang.routing.selectors import (
    facts_for_case,
    refuse_if_department_may_not_hold,
    refuse_if_family_holders_may_not_hold,
    respondents_of_case,
)
from xinfang.routing.services import routing_decision_record

DECISION_FIELDS = ["handling_mode", "mode_decided_at", "is_key_case"]


def _lock_row(pk: int) -> Case:
    """SELECT ... FOR UPDATE of one case row as a raw query: every service locks a case, and
    the ORM's query building costs more than twice the raw query (measured 330 µs against
    130 µs); field conversions still apply."""
    connection = connections[router.db_for_write(Case)]
    qn = connection.ops.quote_name
    sql = f"SELECT * FROM {qn(Case._meta.db_table)} WHERE {qn(Case._meta.pk.column)} = %s"
    if connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    rows = list(Case.objects.db_manager(connection.alias).raw(sql, [pk]))
    if not rows:
        raise Case.DoesNotExist(f"case {pk} does not exist")
    return rows[0]


def lock_case(
    case: Case,
    *,
    actor: User,
    action: str,
    acting_department: Department | None = None,
    with_department: bool = False,
) -> Case:
    """Reload `case` locked for update and check it may be changed by `actor` for `action`.

    `acting_department` is the department entitled to act when it is not the one
    responsible for the case (the reviewing department of a 复查 or 复核)."""
    # The case row alone unless the service needs the department and its jurisdiction
    # (routing decisions): joining them on every lock costs more than it saves.
    if with_department:
        locked = (
            Case.objects.select_for_update()
            .select_related("department__jurisdiction")
            .get(pk=case.pk)
        )
    else:
        locked = _lock_row(case.pk)
    if locked.state in FROZEN_STATES:
        message, rules = FROZEN_MESSAGES[State(locked.state)]
        raise RuleViolation(message, rules=rules)
    entitled = acting_department
    entitled_id = entitled.pk if entitled else locked.department_id
    if actor.department_id != entitled_id:
        name = (entitled or locked.department).name
        raise RuleViolation(f"只有责任部门（{name}）可以办理此案件（R-ROUTE-1）。")
    require_action_role(actor, action)
    return locked


def _target(case: Case, action: str) -> State:
    to = target_state(action, case.state)
    if to is None:
        raise RuleViolation(
            f"案件当前状态为“{State(case.state).label}”，不能进行“{ACTION_LABELS[action]}”操作。"
        )
    return to


def _move(
    case: Case,
    to: State,
    *,
    actor: User,
    kind: str,
    payload: dict[str, Any],
    fields: Sequence[str] = (),
    records: Sequence[Any] = (),
) -> None:
    from_state = case.state
    case.state = to
    append_event(
        case,
        kind=kind,
        actor=actor,
        from_state=from_state,
        to_state=to,
        payload=payload,
        save_fields=["state", *fields],
        records=records,
    )


def _required(errors: list[str], **values: str) -> None:
    labels = {
        "text": "批示内容",
        "reason": "理由",
        "explanation": "向信访人解释的内容",
        "explained_how": "解释方式",
        "to_department_name": "接收部门",
        "reasons": "退回理由",
        "facts": "查明的事实",
        "decision": "处理意见",
        "policy_basis": "政策依据",
        "review_opinion": "审查意见",
    }
    for name, value in values.items():
        if not (value or "").strip():
            errors.append(f"“{labels[name]}”不能为空。")


def _raise(errors: list[str], *, rules: tuple[str, ...] = ()) -> None:
    if errors:
        raise RuleViolation(errors, rules=rules)


# --- Reading and instructions (R-COUNTY-3) ---------------------------------------------


def _instruction(
    case: Case, *, actor: User, text: str, due_on: dt.date | None, report_required: bool
) -> Instruction:
    return Instruction.objects.create(
        case=case,
        leader=actor,
        text=text.strip(),
        due_on=due_on,
        report_required=report_required,
        created_at=timezone.now(),
    )


def case_read(
    *,
    actor: User,
    case: Case,
    text: str,
    due_on: dt.date | None = None,
    report_required: bool = False,
) -> Case:
    """A leader reads the registered matter and instructs (阅批, R-COUNTY-3)."""
    errors: list[str] = []
    _required(errors, text=text)
    if due_on is not None and due_on < timezone.localdate():
        errors.append("要求完成日期不能早于今天。")
    _raise(errors)
    with transaction.atomic():
        case = lock_case(case, actor=actor, action="read")
        to = _target(case, "read")
        ins = _instruction(
            case, actor=actor, text=text, due_on=due_on, report_required=report_required
        )
        _move(
            case,
            to,
            actor=actor,
            kind="read",
            payload={
                "instruction": ins.pk,
                "text": ins.text,
                "due_on": due_on,
                "report_required": report_required,
            },
            records=[ins],
        )
    return case


def case_instruct(
    *,
    actor: User,
    case: Case,
    text: str,
    due_on: dt.date | None = None,
    report_required: bool = False,
) -> Instruction:
    """A further instruction on a case in any open state (R-COUNTY-3: 经常过问)."""
    errors: list[str] = []
    _required(errors, text=text)
    _raise(errors)
    with transaction.atomic():
        case = lock_case(case, actor=actor, action="instruct")
        ins = _instruction(
            case, actor=actor, text=text, due_on=due_on, report_required=report_required
        )
        append_record(
            case,
            kind="instruct",
            actor=actor,
            payload={"instruction": ins.pk, "text": ins.text, "due_on": due_on},
            records=[ins],
        )
    return ins


def instruction_report(*, actor: User, instruction: Instruction, text: str) -> Instruction:
    """Report back on an instruction that asked for it (R-COUNTY-3: 阅批 with a report)."""
    errors: list[str] = []
    if not text.strip():
        errors.append("报告内容不能为空。")
    _raise(errors)
    with transaction.atomic():
        case = lock_case(instruction.case, actor=actor, action="report_instruction")
        ins = Instruction.objects.select_for_update().get(pk=instruction.pk)
        if not ins.report_required:
            raise RuleViolation("该批示未要求报告结果。")
        if ins.reported_at is not None:
            raise RuleViolation("该批示已报告。")
        ins.reported_at = timezone.now()
        ins.report_text = text.strip()
        ins.save(update_fields=["reported_at", "report_text"])
        append_record(
            case,
            kind="report_instruction",
            actor=actor,
            payload={"instruction": ins.pk, "text": ins.report_text},
            records=[ins],
        )
    return ins


def progress_report(*, actor: User, case: Case, text: str) -> Case:
    """R-CLOSE-1: 随办随报 — a case assigned with a result required reports progress to the
    sender along the way; the sender sees it on the lower case's timeline."""
    if not text.strip():
        raise RuleViolation("进展情况不能为空（R-CLOSE-1）。", rules=("R-CLOSE-1",))
    with transaction.atomic():
        case = lock_case(case, actor=actor, action="report_progress")
        if not case.result_required:
            raise RuleViolation("只有上级要报结果的交办案件需要报送办理进展（R-CLOSE-1）。")
        if case.state in FINISHED_STATES:
            raise RuleViolation("案件已办结，请报送结案材料。")
        append_record(
            case,
            kind="report_progress",
            actor=actor,
            payload={"text": text.strip(), "to": case.parent_id},
        )
    return case


def case_flag_report_upward(*, actor: User, case: Case, reason: str) -> Case:
    """R-CAT-1: a matter showing a deviation from the party's line is reported upward
    promptly: flagged, and put before the organization department one level up."""
    if not reason.strip():
        raise RuleViolation("向上反映须写明反映的倾向性问题（R-CAT-1）。", rules=("R-CAT-1",))
    with transaction.atomic():
        case = lock_case(case, actor=actor, action="report_upward")
        if case.report_upward:
            return case
        case.report_upward = True
        fields = ["report_upward"]
        if case.follow_department_id is None:
            case.follow_department = _organization_department_above(case.department)
            fields.append("follow_department")
        case.save(update_fields=fields)
        append_record(
            case,
            kind="report_upward",
            actor=actor,
            payload={"reason": reason.strip(), "to": case.follow_department_id},
        )
    return case


# --- Handling mode (R-ROUTE-1, R-ROUTE-7) ---------------------------------------------


def _department_above(department: Department, kind: str) -> Department | None:
    """The department of `kind` in the jurisdiction one level up, if any."""
    parent_id = department.jurisdiction.parent_id
    if parent_id is None:
        return None
    return (
        Department.objects.select_related("jurisdiction")
        .filter(jurisdiction_id=parent_id, kind=kind)
        .order_by("pk")
        .first()
    )


def _organization_department_above(department: Department) -> Department | None:
    return _department_above(department, DepartmentKind.ORGANIZATION)


def _at_prefecture_or_above(department: Department) -> bool:
    level = department.jurisdiction.level
    return level != Level.UNIT and LEVEL_RANK[Level(level)] <= LEVEL_RANK[Level.PREFECTURE]


def _decide(
    case: Case,
    mode: HandlingMode,
    *,
    actor: User,
    routing_note: str,
    department: Department | None,
    department_name: str = "",
    key_case: bool | None = None,
) -> tuple[dict[str, Any], Department | None]:
    """Decide the handling mode: the proposal is computed and recorded beside the decision
    (R-ROUTE-1), key cases marked (R-ROUTE-5). Returns the event payload and, for important
    matters, the organization department one level above the handling one (R-ROUTE-4)."""
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
    if key and not (mode == HandlingMode.SELF and _at_prefecture_or_above(case.department)):
        if key_case:
            raise RuleViolation(
                "重点案件由地级以上组织部门直接查办，须决定自办（R-ROUTE-5）。",
                rules=("R-ROUTE-5",),
            )
        key = False
    case.is_key_case = key
    case.handling_mode = mode
    case.mode_decided_at = decision.decided_at
    follow = None
    if proposal.follow_up_department is not None and department is not None:
        follow = _organization_department_above(department)
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


def case_handle_here(
    *,
    actor: User,
    case: Case,
    handler: User | None = None,
    routing_note: str = "",
    key_case: bool | None = None,
) -> Case:
    """R-ROUTE-7: 自办 — the default handling mode, with the named handler (承办人) whose
    workload it counts in (R-STAFF-1)."""
    if handler is not None and (
        handler.department_id != case.department_id or not handler.has_role(Role.HANDLER)
    ):
        raise RuleViolation(f"{handler}不是本部门的承办人，不能指定其承办。")
    with transaction.atomic():
        case = lock_case(case, actor=actor, action="handle_here", with_department=True)
        to = _target(case, "handle_here")
        # R-ROUTE-3: a routing note can justify departing from the proposal, never this.
        refuse_if_department_may_not_hold(case, case.department, doing="自办")
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
        payload.update({"handler": handler.pk if handler else None, "due_on": case.due_on})
        _move(
            case,
            to,
            actor=actor,
            kind="handle_here",
            payload=payload,
            fields=[*DECISION_FIELDS, "handler", "follow_department", "due_on"],
        )
    return case


def _check_receiver(case: Case, to_department: Department, *, down: bool) -> list[str]:
    errors: list[str] = []
    if to_department.pk == case.department_id:
        errors.append("不能转交给本部门。")
        return errors
    # R-ROUTE-3: never to the same-level organization department of a main leader.
    refuse_if_department_may_not_hold(
        case, to_department, doing="接收转交的本案", respondents=respondents_of_case(case)
    )
    if down:
        own = case.department.jurisdiction
        target = to_department.jurisdiction
        if target.pk == own.pk or not target.path.startswith(own.path):
            errors.append(
                f"{to_department.name}不是本级以下的部门，不能向其转办或交办（R-ROUTE-1）。"
            )
        if not to_department.handles_petitions:
            errors.append(f"{to_department.name}未启用本系统办理信访，请改用“转其他部门”。")
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
    with transaction.atomic():
        case = lock_case(case, actor=actor, action=action, with_department=True)
        to = _target(case, action)
        # R-ROUTE-3: a main leader's own organization department may not decide where below
        # it his case is investigated (交办 would even bring the result back to it): it may
        # only send the case up or refer it out.
        refuse_if_department_may_not_hold(case, case.department, doing=ACTION_LABELS[action])
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
        _move(
            case, to, actor=actor, kind=action, payload=payload, fields=[*DECISION_FIELDS, "due_on"]
        )
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
        append_event(
            child,
            kind="receive_assignment",
            actor=actor,
            from_state=child.state,
            to_state=child.state,
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
    """R-ROUTE-6: refer outside the remit, with the explanation given to the petitioner."""
    name = to_department.name if to_department else to_department_name
    errors: list[str] = []
    _required(errors, to_department_name=name, reason=reason)
    if not explanation.strip() or explained_on is None or not explained_how.strip():
        errors.append("转其他部门办理，须记录向信访人解释的内容、日期和方式（R-ROUTE-6）。")
    if explained_on is not None and explained_on > timezone.localdate():
        errors.append("解释日期不能晚于今天。")
    _raise(errors, rules=("R-ROUTE-6",))
    with transaction.atomic():
        case = lock_case(case, actor=actor, action="refer", with_department=True)
        to = _target(case, "refer")
        if to_department is not None:
            _raise(_check_receiver(case, to_department, down=False), rules=("R-ROUTE-1",))
        assert explained_on is not None
        referral = Referral.objects.create(
            case=case,
            to_department=to_department,
            to_department_name=name.strip(),
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
        )
        payload.update({"referral": referral.pk, "to": name})
        _move(
            case,
            to,
            actor=actor,
            kind="refer",
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
    with transaction.atomic():
        case = lock_case(case, actor=actor, action="file", with_department=True)
        to = _target(case, "file")
        # R-ROUTE-3: shelving a letter about one's own main leader is deciding on it too.
        refuse_if_department_may_not_hold(case, case.department, doing="存查")
        payload, _ = _decide(
            case,
            HandlingMode.FILE,
            actor=actor,
            routing_note=routing_note,
            department=case.department,
        )
        payload["reason"] = reason.strip()
        _move(
            case,
            to,
            actor=actor,
            kind="file",
            payload=payload,
            fields=DECISION_FIELDS,
        )
    return case


def case_merge(*, actor: User, case: Case, into: Case, reason: str) -> Case:
    """R-REPEAT-4: a registration found to repeat another case of the same department."""
    errors: list[str] = []
    _required(errors, reason=reason)
    if into.pk == case.pk:
        errors.append("不能并入案件本身。")
    if into.department_id != case.department_id:
        errors.append("只能并入本部门的案件。")
    if into.state in FROZEN_STATES:
        errors.append("目标案件已归档或已并案，不能并入。")
    _raise(errors, rules=("R-REPEAT-4",))
    with transaction.atomic():
        case = lock_case(case, actor=actor, action="merge")
        to = _target(case, "merge")
        if case.parent_id is not None:
            # Its petitions belong to the upper case, which waits for this one (R-SUPER-2):
            # a wrongly sent case is objected to, not merged away.
            raise RuleViolation(
                "上级转交办的案件不能并案；如交转办有误，请向上级提出异议。", rules=("R-REPEAT-4",)
            )
        target = Case.objects.select_for_update().select_related("department").get(pk=into.pk)
        if target.state in FROZEN_STATES:  # checked again on the locked row
            raise RuleViolation("目标案件已归档或已并案，不能并入。", rules=("R-REPEAT-4",))
        # R-ROUTE-3: merging puts this case's respondents into every case of the target's
        # family that a department holds (the target, or a case sent down from it).
        refuse_if_family_holders_may_not_hold(
            target,
            doing="将本案并入其办理的案件",
            respondents=[*respondents_of_case(case), *respondents_of_case(target)],
        )
        moved = list(Petition.objects.filter(case=case).values_list("pk", flat=True))
        Petition.objects.filter(pk__in=moved).update(case=target, is_repeat=True, is_first=False)
        # R-PROTECT-2: the moved petitions, their respondents and interviews now belong to
        # the target; its timeline covers them as they now are.
        covered: list[Any] = list(Petition.objects.filter(pk__in=moved))
        covered += Respondent.objects.filter(petition_id__in=moved)
        covered += Interview.objects.filter(petition_id__in=moved)
        covered += ConcernedCadre.objects.filter(petition_id__in=moved)
        append_record(
            target,
            kind="merged_in",
            actor=actor,
            payload={"from": case.pk, "petitions": moved},
            records=covered,
        )
        case.merged_into = target
        _move(
            case,
            to,
            actor=actor,
            kind="merge",
            payload={"into": into.pk, "reason": reason.strip()},
            fields=["merged_into"],
        )
    return case


# --- Closure (R-CLOSE-3 to R-CLOSE-6, R-CAT-4) -----------------------------------------


def closure_submit(*, actor: User, case: Case, **data: Any) -> Closure:
    """A handler submits the closure; refused, listing every missing part, unless complete."""
    unknown = set(data) - set(CLOSURE_FIELDS)
    if unknown:
        raise TypeError(f"unknown closure fields: {sorted(unknown)}")
    with transaction.atomic():
        case = lock_case(case, actor=actor, action="submit_closure")
        to = _target(case, "submit_closure")
        if case.handling_mode == HandlingMode.ASSIGN:
            raise RuleViolation(
                "本案已交办下级，结案材料由承办单位报送，本级审核即可（R-CLOSE-6）。"
            )
        problems = closure_problems(closure_requirements_of(case), data, timezone.localdate())
        _raise(problems, rules=("R-CLOSE-3", "R-CLOSE-4", "R-CLOSE-5"))
        clean = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
        clean.setdefault("procedure", [])
        closure = Closure.objects.create(
            case=case, submitted_by=actor, submitted_at=timezone.now(), **clean
        )
        _move(
            case,
            to,
            actor=actor,
            kind="submit_closure",
            payload={"closure": closure.pk},
            records=[closure],
        )
    return closure


def _pending_closure(case: Case) -> Closure:
    closure = case.closures.filter(status=ClosureStatus.SUBMITTED).order_by("-submitted_at").first()
    if closure is None:  # The table allows this only from `closing`, which always has one.
        raise RuleViolation("没有待审核的结案材料。")
    return closure


def closure_return(*, actor: User, case: Case, reasons: str) -> Closure:
    """A leader sends a closure back to the handler, with reasons."""
    errors: list[str] = []
    _required(errors, reasons=reasons)
    _raise(errors)
    with transaction.atomic():
        case = lock_case(case, actor=actor, action="return_closure")
        to = _target(case, "return_closure")
        closure = _pending_closure(case)
        closure.status = ClosureStatus.RETURNED
        closure.decided_by = actor
        closure.decided_at = timezone.now()
        closure.return_reasons = reasons.strip()
        closure.save(update_fields=["status", "decided_by", "decided_at", "return_reasons"])
        _move(
            case,
            to,
            actor=actor,
            kind="return_closure",
            payload={"closure": closure.pk, "reasons": reasons.strip()},
            records=[closure],
        )
    return closure


def closure_approve(*, actor: User, case: Case, review_opinion: str = "") -> Closure:
    """A leader approves the closure. A case assigned from above is reported up with the
    department's review opinion (R-CLOSE-6)."""
    with transaction.atomic():
        case = lock_case(case, actor=actor, action="approve_closure")
        to = _target(case, "approve_closure")
        closure = _pending_closure(case)
        if closure.submitted_by_id == actor.pk:
            raise RuleViolation("结案材料须由承办人以外的领导审批。")
        if case.result_required and not review_opinion.strip():
            raise RuleViolation(
                "向上级报送结案材料，须有明确的审查意见（R-CLOSE-6）。", rules=("R-CLOSE-6",)
            )
        now = timezone.now()
        closure.status = ClosureStatus.APPROVED
        closure.decided_by = actor
        closure.decided_at = now
        closure.review_opinion = review_opinion.strip()
        closure.save(update_fields=["status", "decided_by", "decided_at", "review_opinion"])
        case.closed_at = now
        payload: dict[str, Any] = {"closure": closure.pk}
        if case.result_required:
            assignment = Assignment.objects.select_for_update().get(child=case)
            assignment.reported_at = now
            assignment.save(update_fields=["reported_at"])
            payload["reported_to"] = assignment.from_department_id
        _move(
            case,
            to,
            actor=actor,
            kind="approve_closure",
            payload=payload,
            fields=["closed_at"],
            records=[closure],
        )
    return closure


def _reported_assignment(parent: Case, child: Case) -> Assignment:
    assignment = Assignment.objects.select_for_update().filter(case=parent, child=child).first()
    if assignment is None or assignment.mode != HandlingMode.ASSIGN:
        raise RuleViolation("该案件不是本部门交办的案件。")
    pending = (
        assignment.reported_at is not None
        and assignment.accepted_at is None
        and (assignment.returned_at is None or assignment.returned_at < assignment.reported_at)
    )
    if not pending:
        raise RuleViolation("承办单位尚未报送结案材料，或已审核。")
    return assignment


def report_accept(*, actor: User, case: Case, child: Case, opinion: str = "") -> Case:
    """The upper level accepts the reported closure: its own case closes (R-CLOSE-6)."""
    with transaction.atomic():
        case = lock_case(case, actor=actor, action="accept_report")
        to = _target(case, "accept_report")
        assignment = _reported_assignment(case, child)
        now = timezone.now()
        assignment.accepted_at = now
        assignment.save(update_fields=["accepted_at"])
        case.closed_at = now
        _move(
            case,
            to,
            actor=actor,
            kind="accept_report",
            payload={"child": child.pk, "opinion": opinion.strip()},
            fields=["closed_at"],
        )
    return case


def report_return(*, actor: User, case: Case, child: Case, reasons: str) -> Case:
    """The upper level sends the reported closure back; the lower case reopens (R-CLOSE-6)."""
    errors: list[str] = []
    _required(errors, reasons=reasons)
    _raise(errors)
    with transaction.atomic():
        case = lock_case(case, actor=actor, action="return_report")
        assignment = _reported_assignment(case, child)
        child = Case.objects.select_for_update().select_related("department").get(pk=child.pk)
        to = _target(child, "return_report")
        # R-ROUTE-3: the returned case is handled again by the department below.
        refuse_if_department_may_not_hold(child, child.department, doing="重新办理本案")
        now = timezone.now()
        assignment.returned_at = now
        assignment.return_reasons = reasons.strip()
        assignment.save(update_fields=["returned_at", "return_reasons"])
        child.closed_at = None
        _move(
            child,
            to,
            actor=actor,
            kind="return_report",
            payload={"parent": case.pk, "reasons": reasons.strip()},
            fields=["closed_at"],
        )
    return child


# --- Overdue (R-CLOSE-2) and archive (R-CLOSE-7) ---------------------------------------


def overdue_explain(
    *, actor: User, case: Case, reason: str, new_expected_on: dt.date | None
) -> OverdueExplanation:
    """R-CLOSE-2: an overdue case carries an explanation with a new expected date."""
    errors: list[str] = []
    _required(errors, reason=reason)
    today = timezone.localdate()
    if new_expected_on is None or new_expected_on <= today:
        errors.append("须填写晚于今天的预计办结日期（R-CLOSE-2）。")
    _raise(errors, rules=("R-CLOSE-2",))
    with transaction.atomic():
        case = lock_case(case, actor=actor, action="explain_overdue")
        if case.due_on is None or case.due_on >= today or case.state in FINISHED_STATES:
            raise RuleViolation("案件未逾期，无需说明（R-CLOSE-2）。")
        assert new_expected_on is not None
        explanation = OverdueExplanation.objects.create(
            case=case,
            reason=reason.strip(),
            new_expected_on=new_expected_on,
            explained_by=actor,
            created_at=timezone.now(),
        )
        append_record(
            case,
            kind="explain_overdue",
            actor=actor,
            payload={"explanation": explanation.pk, "new_expected_on": new_expected_on},
            records=[explanation],
        )
    return explanation


def _refuse_archive_in_review_window(case: Case) -> None:
    """Under rules with a review chain, a closed file stays open while the petitioner may
    still apply for 复查 (or 复核): archiving would seal what a review may change."""
    if case.state != State.CLOSED or case.review_stage == ReviewStage.FINAL:
        return
    if case.review_stage == ReviewStage.NONE:
        code = "review_apply"
        since = timezone.localdate(case.closed_at) if case.closed_at else None
    else:
        code = "rereview_apply"
        last = case.reviews.filter(kind=ReviewKind.REVIEW).order_by("-decided_at").first()
        since = timezone.localdate(last.decided_at) if last and last.decided_at else None
    last_day = clock_due_on(code, since) if since else None
    if last_day is not None and timezone.localdate() <= last_day:
        raise RuleViolation(
            f"申请{'复查' if code == 'review_apply' else '复核'}的期限至{last_day:%Y年%m月%d日}"
            "届满，期满后方可归档。"
        )


def case_archive(*, actor: User, case: Case) -> Case:
    """R-CLOSE-7: seal the file under an archive number; nothing changes afterwards."""
    with transaction.atomic():
        case = lock_case(case, actor=actor, action="archive")
        to = _target(case, "archive")
        _refuse_archive_in_review_window(case)
        accepted = Assignment.objects.filter(child=case, accepted_at__isnull=False).exists()
        if case.result_required and not accepted:
            raise RuleViolation("上级要报结果的案件，须经上级审核通过后方可归档（R-CLOSE-6）。")
        now = timezone.now()
        case.archived_at = now
        case.archive_number = f"档{timezone.localdate(now).year}-{case.number}"
        _move(
            case,
            to,
            actor=actor,
            kind="archive",
            payload={"archive_number": case.archive_number},
            fields=["archived_at", "archive_number"],
        )
    return case


# --- Objections to a case sent down wrongly (issue 3; R-ROUTE-1) ------------------------


def objection_raise(
    *,
    actor: User,
    assignment: Assignment,
    reasons: str,
    suggested_department: Department | None = None,
) -> Objection:
    """The receiving department objects, within the objection window and before it has
    decided how to handle the case, that the case was sent to it wrongly."""
    errors: list[str] = []
    _required(errors, reasons=reasons)
    _raise(errors)
    with transaction.atomic():
        child = lock_case(assignment.child, actor=actor, action="raise_objection")
        if child.state not in (State.REGISTERED, State.READ):
            raise RuleViolation("本单位已决定处理方式，不能再对交转办提出异议。")
        if Objection.objects.filter(assignment=assignment, status=ObjectionStatus.PENDING).exists():
            raise RuleViolation("已有待上级处理的异议，请等待处理结果。")
        window = objection_clock(assignment)
        last_day = window.due_on
        if timezone.localdate() > last_day:
            # A provisional last day says so: the administrator may still move it.
            raise RuleViolation(
                f"已超过提出异议的期限（{last_day:%Y年%m月%d日}），请按交转办要求办理。"
                + window.provisional_note
            )
        objection = Objection.objects.create(
            assignment=assignment,
            reasons=reasons.strip(),
            suggested_department=suggested_department,
            raised_by=actor,
            raised_at=timezone.now(),
        )
        append_record(
            child,
            kind="raise_objection",
            actor=actor,
            payload={
                "objection": objection.pk,
                "reasons": objection.reasons,
                "suggested_department": suggested_department.pk if suggested_department else None,
            },
        )
    return objection


def _pending_objection(objection: Objection) -> Objection:
    locked = Objection.objects.select_for_update().select_related("assignment").get(pk=objection.pk)
    if locked.status != ObjectionStatus.PENDING:
        raise RuleViolation("该异议已处理。")
    return locked


def objection_accept(*, actor: User, objection: Objection, opinion: str = "") -> Case:
    """The sender agrees: the lower case is withdrawn and the sender's case returns to be
    routed again (R-ROUTE-1). Both timelines keep the whole story."""
    with transaction.atomic():
        objection = _pending_objection(objection)
        assignment = objection.assignment
        parent = lock_case(assignment.case, actor=actor, action="decide_objection")
        child = Case.objects.select_for_update().get(pk=assignment.child_id)
        if child.state not in (State.REGISTERED, State.READ):
            raise RuleViolation("承办单位已开始办理，不能撤回。")
        parent_to = _target(parent, "reroute")
        # R-ROUTE-3: the case would come back to the sender to be routed again.
        refuse_if_department_may_not_hold(
            parent,
            Department.objects.get(pk=parent.department_id),
            doing="收回本案重新分办",
        )
        now = timezone.now()
        objection.status = ObjectionStatus.ACCEPTED
        objection.decided_by = actor
        objection.decided_at = now
        objection.decision_reasons = opinion.strip()
        objection.save(update_fields=["status", "decided_by", "decided_at", "decision_reasons"])
        _move(
            child,
            State.WITHDRAWN,
            actor=actor,
            kind="withdraw",
            payload={"objection": objection.pk, "opinion": opinion.strip()},
        )
        parent.handling_mode = ""
        parent.mode_decided_at = None
        parent.due_on = None
        parent.is_key_case = False
        _move(
            parent,
            parent_to,
            actor=actor,
            kind="reroute",
            payload={"objection": objection.pk, "withdrawn": child.pk, "opinion": opinion.strip()},
            fields=[*DECISION_FIELDS, "due_on"],
        )
    return parent


def objection_reject(*, actor: User, objection: Objection, opinion: str) -> Objection:
    """The sender keeps the assignment, saying why; the lower department goes on."""
    errors: list[str] = []
    if not opinion.strip():
        errors.append("不同意异议须说明理由。")
    _raise(errors)
    with transaction.atomic():
        objection = _pending_objection(objection)
        parent = lock_case(objection.assignment.case, actor=actor, action="decide_objection")
        child = Case.objects.select_for_update().get(pk=objection.assignment.child_id)
        objection.status = ObjectionStatus.REJECTED
        objection.decided_by = actor
        objection.decided_at = timezone.now()
        objection.decision_reasons = opinion.strip()
        objection.save(update_fields=["status", "decided_by", "decided_at", "decision_reasons"])
        append_record(
            child,
            kind="objection_rejected",
            actor=actor,
            payload={"objection": objection.pk, "opinion": opinion.strip(), "parent": parent.pk},
        )
    return objection


# --- Review chain of the 2022 rules: 复查 and 复核 ----------------------------------------


def _open_review(case: Case, kind: ReviewKind) -> Review:
    review = (
        Review.objects.select_for_update()
        .select_related("department")
        .filter(case=case, kind=kind, decided_at__isnull=True)
        .first()
    )
    if review is None:
        raise RuleViolation(f"没有待答复的{kind.label}申请。")
    return review


def _apply(
    *, actor: User, case: Case, kind: ReviewKind, applied_on: dt.date | None, request: str
) -> Review:
    apply_code, decide_code = (
        ("review_apply", "review_decide")
        if kind == ReviewKind.REVIEW
        else ("rereview_apply", "rereview_decide")
    )
    errors: list[str] = []
    if applied_on is None:
        errors.append("须填写申请日期。")
    elif applied_on > timezone.localdate():
        errors.append("申请日期不能晚于今天。")
    if not request.strip():
        errors.append(f"须填写申请{kind.label}的事项和理由。")
    _raise(errors)
    assert applied_on is not None
    with transaction.atomic():
        # Every check below reads the locked row: the stage and the window's start must be
        # the ones the application is registered against.
        current = _lock_row(case.pk)
        department = Department.objects.select_related("jurisdiction").get(pk=current.department_id)
        if kind == ReviewKind.REVIEW:
            if current.review_stage != ReviewStage.NONE:
                raise RuleViolation(
                    "该事项已经复查，不能再次申请复查；对复查意见不服的可申请复核。"
                )
            reviewer = _department_above(department, department.kind)
            since = timezone.localdate(current.closed_at) if current.closed_at else applied_on
        else:
            if current.review_stage != ReviewStage.REVIEWED:
                raise RuleViolation(
                    "复核须在复查之后申请。"
                    if current.review_stage == ReviewStage.NONE
                    else "该事项已经复核终结，同一事实和理由不再受理。"
                )
            last = (
                current.reviews.select_related("department__jurisdiction")
                .filter(kind=ReviewKind.REVIEW)
                .order_by("-decided_at")
                .first()
            )
            assert last is not None and last.decided_at is not None
            reviewer = _department_above(last.department, last.department.kind)
            since = timezone.localdate(last.decided_at)
        if reviewer is None:
            raise RuleViolation(f"没有上一级{kind.label}机关可以受理。")
        last_day = clock_due_on(apply_code, since)
        if last_day is None:
            raise RuleViolation(f"现行期限规则没有{kind.label}程序（1987年通知未设复查、复核）。")
        if applied_on > last_day:
            raise RuleViolation(
                f"已超过申请{kind.label}的期限（{last_day:%Y年%m月%d日}前），不予受理。"
            )
        locked = lock_case(current, actor=actor, action=apply_code, acting_department=reviewer)
        to = _target(locked, apply_code)
        due_on = clock_due_on(decide_code, applied_on)
        assert due_on is not None
        review = Review.objects.create(
            case=locked,
            kind=kind,
            department=reviewer,
            applied_on=applied_on,
            request=request.strip(),
            registered_by=actor,
            registered_at=timezone.now(),
            due_on=due_on,
        )
        _move(
            locked,
            to,
            actor=actor,
            kind=apply_code,
            payload={
                "review": review.pk,
                "department": reviewer.pk,
                "applied_on": applied_on,
                "due_on": due_on,
            },
            records=[review],
        )
    return review


def review_apply(*, actor: User, case: Case, applied_on: dt.date | None, request: str) -> Review:
    """Register an application for 复查 at the department one level up, within the
    application window counted from the closure (2022 rules)."""
    return _apply(
        actor=actor, case=case, kind=ReviewKind.REVIEW, applied_on=applied_on, request=request
    )


def rereview_apply(*, actor: User, case: Case, applied_on: dt.date | None, request: str) -> Review:
    """Register an application for 复核 one level above the reviewing department, within the
    window counted from the review decision."""
    return _apply(
        actor=actor, case=case, kind=ReviewKind.REREVIEW, applied_on=applied_on, request=request
    )


def _decide_review(
    *, actor: User, case: Case, kind: ReviewKind, outcome: str, opinion: str
) -> Review:
    errors: list[str] = []
    if outcome not in ReviewOutcome.values:
        errors.append("请选择结论：维持、变更或撤销并责令重新办理。")
    if not opinion.strip():
        errors.append(f"须写明{kind.label}意见。")
    _raise(errors)
    action = (
        "review_redo"
        if outcome == ReviewOutcome.REDO
        else ("review_decide" if kind == ReviewKind.REVIEW else "rereview_decide")
    )
    with transaction.atomic():
        review = _open_review(case, kind)
        locked = lock_case(case, actor=actor, action=action, acting_department=review.department)
        expected = State.REVIEWING if kind == ReviewKind.REVIEW else State.REREVIEWING
        if locked.state != expected:
            raise RuleViolation(
                f"案件当前状态为“{State(locked.state).label}”，不能作{kind.label}答复。"
            )
        to = _target(locked, action)
        if outcome == ReviewOutcome.REDO:
            # R-ROUTE-3: the case goes back to its department to be handled again.
            refuse_if_department_may_not_hold(
                locked,
                Department.objects.get(pk=locked.department_id),
                doing="重新办理本案",
            )
        review.outcome = outcome
        review.opinion = opinion.strip()
        review.decided_by = actor
        review.decided_at = timezone.now()
        review.save(update_fields=["outcome", "opinion", "decided_by", "decided_at"])
        fields = ["review_stage"]
        if outcome == ReviewOutcome.REDO:
            # The handling opinion is revoked: handled again, and reviewable again.
            locked.review_stage = ReviewStage.NONE
            locked.closed_at = None
            fields.append("closed_at")
        else:
            locked.review_stage = (
                ReviewStage.REVIEWED if kind == ReviewKind.REVIEW else ReviewStage.FINAL
            )
        _move(
            locked,
            to,
            actor=actor,
            kind=action,
            payload={"review": review.pk, "outcome": outcome, "opinion": review.opinion},
            fields=fields,
            records=[review],
        )
    return review


def review_decide(*, actor: User, case: Case, outcome: str, opinion: str) -> Review:
    """The reviewing department answers the 复查 (within its clock)."""
    return _decide_review(
        actor=actor, case=case, kind=ReviewKind.REVIEW, outcome=outcome, opinion=opinion
    )


def rereview_decide(*, actor: User, case: Case, outcome: str, opinion: str) -> Review:
    """The 复核 answer; upheld or changed, it ends the matter: the same facts and reasons are
    not accepted again."""
    return _decide_review(
        actor=actor, case=case, kind=ReviewKind.REREVIEW, outcome=outcome, opinion=opinion
    )


# --- yearly targets (R-COUNTY-2) ----------------------------------------------------------

TARGET_FIELDS = editable_fields(YearlyTarget)


def _require_superuser(actor: User) -> None:
    # Targets are set by the leadership above the departments they bind, not by a
    # department's own administrator: superusers only (as the admin page has always been).
    if not (actor.is_active and actor.is_superuser):
        raise RuleViolation("只有超级用户可以设置责任目标（R-COUNTY-2）。", rules=("R-COUNTY-2",))


def yearly_target_create(
    *,
    actor: User,
    department: Department,
    year: int,
    self_handled_rate: Decimal,
    repeat_rate: Decimal,
    closure_rate: Decimal,
) -> YearlyTarget:
    """A department's responsibility targets for one year (R-COUNTY-2), logged."""
    _require_superuser(actor)
    target = YearlyTarget(
        department=department,
        year=year,
        self_handled_rate=self_handled_rate,
        repeat_rate=repeat_rate,
        closure_rate=closure_rate,
    )
    return audited_create(actor=actor, obj=target, fields=TARGET_FIELDS)


def yearly_target_update(
    *, actor: User, target: YearlyTarget, changes: Mapping[str, Any]
) -> YearlyTarget:
    _require_superuser(actor)
    return audited_update(actor=actor, obj=target, changes=changes, fields=TARGET_FIELDS)


def yearly_target_delete(*, actor: User, target: YearlyTarget) -> None:
    _require_superuser(actor)
    audited_delete(actor=actor, obj=target, fields=TARGET_FIELDS)
