"""Reading and instructions (R-COUNTY-3), progress reports (R-CLOSE-1), reporting upward
(R-CAT-1)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from xinfang.cases.actions.base import _raise, _required, lock_case, transition
from xinfang.cases.lifecycle import FINISHED_STATES
from xinfang.cases.models import Case, Instruction
from xinfang.cases.routing import following_department_of
from xinfang.cases.timeline import append_record
from xinfang.core.errors import RuleViolation
from xinfang.orgs.models import User


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
        errors.append(gettext("要求完成日期不能早于今天。"))
    _raise(errors)
    with transition(case, "read", actor=actor) as step:
        case = step.case
        ins = _instruction(
            case, actor=actor, text=text, due_on=due_on, report_required=report_required
        )
        step.write(
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
        errors.append(gettext("报告内容不能为空。"))
    _raise(errors)
    with transaction.atomic():
        case = lock_case(instruction.case, actor=actor, action="report_instruction")
        ins = Instruction.objects.select_for_update().get(pk=instruction.pk)
        if not ins.report_required:
            raise RuleViolation(gettext("该批示未要求报告结果。"))
        if ins.reported_at is not None:
            raise RuleViolation(gettext("该批示已报告。"))
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
        raise RuleViolation(gettext("进展情况不能为空（R-CLOSE-1）。"), rules=("R-CLOSE-1",))
    with transaction.atomic():
        case = lock_case(case, actor=actor, action="report_progress")
        if not case.result_required:
            raise RuleViolation(
                gettext("只有上级要报结果的交办案件需要报送办理进展（R-CLOSE-1）。")
            )
        if case.state in FINISHED_STATES:
            raise RuleViolation(gettext("案件已办结，请报送结案材料。"))
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
        raise RuleViolation(
            gettext("向上反映须写明反映的倾向性问题（R-CAT-1）。"), rules=("R-CAT-1",)
        )
    with transaction.atomic():
        case = lock_case(case, actor=actor, action="report_upward")
        if case.report_upward:
            return case
        case.report_upward = True
        fields = ["report_upward"]
        if case.follow_department_id is None:
            case.follow_department = following_department_of(case.department)
            fields.append("follow_department")
        case.save(update_fields=fields)
        append_record(
            case,
            kind="report_upward",
            actor=actor,
            payload={"reason": reason.strip(), "to": case.follow_department_id},
        )
    return case
