"""The only writers of the register (信访老户台账). Keyword-only; each checks everything,
raises one RuleViolation in Chinese naming the rules, and writes the entry and one event on
the case's own timeline (cases.timeline.append_record) in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from xinfang.cases.family import petitions_of_case
from xinfang.cases.lifecycle import FROZEN_MESSAGES, FROZEN_STATES
from xinfang.cases.models import Case, State
from xinfang.cases.timeline import append_record
from xinfang.configlog.services import (
    audited_create,
    audited_delete,
    audited_update,
    editable_fields,
)
from xinfang.core.errors import RuleViolation
from xinfang.orgs.models import Role, User
from xinfang.orgs.services import may_administer
from xinfang.persistent.models import Basis, Entry, EntryReview, Outcome, Threshold
from xinfang.petitions.models import Petitioner

# Event kinds written on the case's timeline (labels in cases/lifecycle.py EVENT_LABELS).
REGISTERED = "longterm_registered"
REVIEWED = "longterm_reviewed"
SETTLED = "longterm_settled"
CONCLUDED = "longterm_concluded"


# --- thresholds (R-REPEAT-1), data the administrator edits, each change logged ---------

THRESHOLD_FIELDS = editable_fields(Threshold)


def _require_administrator(actor: User) -> None:
    if not may_administer(actor):
        raise RuleViolation(gettext("只有系统管理员可以修改信访老户认定标准（R-REPEAT-1）。"))


def threshold_create(
    *,
    actor: User,
    name: str,
    basis: str = Basis.CASE,
    min_petitions: int = 3,
    window_days: int = 183,
    is_active: bool = True,
) -> Threshold:
    _require_administrator(actor)
    row = Threshold(
        name=name,
        basis=basis,
        min_petitions=min_petitions,
        window_days=window_days,
        is_active=is_active,
    )
    return audited_create(actor=actor, obj=row, fields=THRESHOLD_FIELDS)


def threshold_update(*, actor: User, threshold: Threshold, changes: Mapping[str, Any]) -> Threshold:
    _require_administrator(actor)
    return audited_update(actor=actor, obj=threshold, changes=changes, fields=THRESHOLD_FIELDS)


def threshold_delete(*, actor: User, threshold: Threshold) -> None:
    _require_administrator(actor)
    audited_delete(actor=actor, obj=threshold, fields=THRESHOLD_FIELDS)


# --- the register (R-REPEAT-1..3) --------------------------------------------------------

# R-REPEAT-2: the period of the reviews, unless the registrar sets another (a month), and
# the longest allowed (a year: a matter owned until it ends is looked at least yearly).
DEFAULT_REVIEW_DAYS = 30
MAX_REVIEW_DAYS = 366


def _lock(case: Case) -> Case:
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.state in FROZEN_STATES:
        message, rules = FROZEN_MESSAGES[State(locked.state)]
        raise RuleViolation(str(message), rules=rules)
    return locked


def _record(case: Case, *, kind: str, actor: User, payload: dict[str, Any]) -> None:
    append_record(_lock(case), kind=kind, actor=actor, payload=payload)


def _staff_of(user: User | None, case: Case, role_label: str, rule: str) -> list[str]:
    if user is None:
        return [
            (
                gettext("请指定%(role_label)s（%(rule)s）。")
                % {"role_label": role_label, "rule": rule}
            )
        ]
    if not user.is_active or user.department_id != case.department_id:
        return [
            (
                gettext("%(role_label)s须为本部门在职工作人员（%(rule)s）。")
                % {"role_label": role_label, "rule": rule}
            )
        ]
    return []


def _text(value: str, label: str, rule: str) -> list[str]:
    return (
        []
        if value.strip()
        else [(gettext("请填写%(label)s（%(rule)s）。") % {"label": label, "rule": rule})]
    )


def _refuse(problems: list[str], rules: tuple[str, ...]) -> None:
    if problems:
        raise RuleViolation(problems, rules=rules)


def entry_register(
    *,
    actor: User,
    case: Case,
    petitioner: Petitioner,
    analysis: str,
    measures: str,
    leader: User | None,
    officer: User | None,
    target_on: dt.date | None,
    review_every_days: int | None = DEFAULT_REVIEW_DAYS,
) -> Entry:
    """R-REPEAT-1, R-REPEAT-2: put a petitioner of `case` on the department's register with
    the analysis of why it is not closed, the measures, the leader and the officer
    responsible (包案领导、包案人), the target date and the period of its reviews."""
    today = timezone.localdate()
    problems: list[str] = []
    if actor.department_id != case.department_id or not (
        actor.has_role(Role.LEADER) or actor.has_role(Role.HANDLER)
    ):
        problems.append(
            gettext("只有案件责任部门的领导或承办人可以列入信访老户台账（R-REPEAT-1）。")
        )
    problems += _text(analysis, gettext("长期不能结案的原因分析"), "R-REPEAT-1")
    problems += _text(measures, gettext("解决的具体措施"), "R-REPEAT-1")
    leader_problems = _staff_of(leader, case, gettext("包案领导"), "R-REPEAT-2")
    if not leader_problems and leader is not None and not leader.has_role(Role.LEADER):
        leader_problems.append(gettext("包案领导须由本部门领导担任（R-REPEAT-2）。"))
    problems += leader_problems
    problems += _staff_of(officer, case, gettext("包案人"), "R-REPEAT-2")
    if target_on is None:
        problems.append(gettext("请填写计划化解日期（R-REPEAT-2）。"))
    elif target_on < today:
        problems.append(gettext("计划化解日期不能早于今天（R-REPEAT-2）。"))
    if review_every_days is None or not 1 <= review_every_days <= MAX_REVIEW_DAYS:
        problems.append(
            gettext("定期复查周期须为1至%(most)s天（R-REPEAT-2）。") % {"most": MAX_REVIEW_DAYS}
        )
    petitions = petitions_of_case(case)
    count = petitions.filter(petitioners=petitioner).count()
    if count == 0:
        problems.append(gettext("该信访人不是本案的信访人。"))
    elif Entry.objects.filter(case=case, petitioner=petitioner).exists():
        problems.append(gettext("该信访人已列入本案的信访老户台账，不能重复列入（R-REPEAT-2）。"))
    _refuse(problems, ("R-REPEAT-1", "R-REPEAT-2"))
    assert leader is not None and officer is not None and target_on is not None
    assert review_every_days is not None
    with transaction.atomic():
        locked = _lock(case)
        entry = Entry.objects.create(
            case=locked,
            petitioner=petitioner,
            department_id=locked.department_id,
            petition_count=count,
            analysis=analysis.strip(),
            measures=measures.strip(),
            leader=leader,
            officer=officer,
            target_on=target_on,
            review_every_days=review_every_days,
            registered_by=actor,
            registered_at=timezone.now(),
        )
        # References only: whom it concerns is protected material (R-PROTECT-1).
        append_record(
            locked,
            kind=REGISTERED,
            actor=actor,
            payload={
                "entry": entry.pk,
                "leader": leader.pk,
                "officer": officer.pk,
                "target_on": target_on.isoformat(),
            },
        )
    return entry


def _may_act(actor: User, entry: Entry) -> bool:
    return actor.pk in (entry.leader_id, entry.officer_id) or (
        actor.department_id == entry.department_id and actor.has_role(Role.LEADER)
    )


def _open_problems(actor: User, entry: Entry, rule: str) -> list[str]:
    problems = []
    if not _may_act(actor, entry):
        problems.append(
            gettext("只有包案领导、包案人或本部门领导可以办理此台账（%(rule)s）。") % {"rule": rule}
        )
    if entry.outcome != Outcome.OPEN:
        problems.append(
            # The outcome's label carries its own 已 (已化解, 已终结).
            gettext("该台账%(get_outcome_display)s，不能再办理（%(rule)s）。")
            % {"get_outcome_display": entry.get_outcome_display(), "rule": rule}
        )
    return problems


def _date_problems(on: dt.date | None, entry: Entry, label: str) -> list[str]:
    if on is None:
        return [(gettext("请填写%(label)s。") % {"label": label})]
    if on > timezone.localdate():
        return [(gettext("%(label)s不能晚于今天。") % {"label": label})]
    if on < timezone.localtime(entry.registered_at).date():
        return [(gettext("%(label)s不能早于列入台账的日期。") % {"label": label})]
    return []


def entry_review(
    *,
    actor: User,
    entry: Entry,
    reviewed_on: dt.date | None,
    progress: str,
    next_steps: str = "",
) -> EntryReview:
    """R-REPEAT-2: a periodic review by those who own the matter until it is ended."""
    with transaction.atomic():
        entry = Entry.objects.select_for_update().get(pk=entry.pk)
        problems = _open_problems(actor, entry, "R-REPEAT-2")
        problems += _date_problems(reviewed_on, entry, gettext("复查日期"))
        problems += _text(progress, gettext("进展情况"), "R-REPEAT-2")
        _refuse(problems, ("R-REPEAT-2",))
        assert reviewed_on is not None
        review = EntryReview.objects.create(
            entry=entry,
            reviewed_on=reviewed_on,
            progress=progress.strip(),
            next_steps=next_steps.strip(),
            author=actor,
            created_at=timezone.now(),
        )
        _record(entry.case, kind=REVIEWED, actor=actor, payload={"entry": entry.pk})
    return review


def entry_settle(*, actor: User, entry: Entry, ended_on: dt.date | None, text: str) -> Entry:
    """R-REPEAT-2: the matter settled (化解); the owners are released."""
    with transaction.atomic():
        entry = Entry.objects.select_for_update().get(pk=entry.pk)
        problems = _open_problems(actor, entry, "R-REPEAT-2")
        problems += _date_problems(ended_on, entry, gettext("化解日期"))
        problems += _text(text, gettext("化解情况"), "R-REPEAT-2")
        _refuse(problems, ("R-REPEAT-2",))
        entry.outcome = Outcome.SETTLED
        entry.outcome_text = text.strip()
        entry.ended_on = ended_on
        entry.save(update_fields=["outcome", "outcome_text", "ended_on"])
        _record(entry.case, kind=SETTLED, actor=actor, payload={"entry": entry.pk})
    return entry


def entry_conclude(
    *,
    actor: User,
    entry: Entry,
    ended_on: dt.date | None,
    text: str,
    position_statement: str,
) -> Entry:
    """R-REPEAT-3: the matter was resolved but the petitioner persists: a leader concludes
    it with a position statement (统一答复口径) that every level handling the matter sees
    (R-INFO-2). Only once the case has been closed with its conclusion."""
    with transaction.atomic():
        entry = Entry.objects.select_for_update().get(pk=entry.pk)
        problems = _open_problems(actor, entry, "R-REPEAT-3")
        if not (actor.department_id == entry.department_id and actor.has_role(Role.LEADER)):
            problems.append(gettext("终结须由本部门领导决定（R-REPEAT-3）。"))
        case = Case.objects.get(pk=entry.case_id)
        if case.closed_at is None:
            problems.append(
                gettext("案件尚未办结，问题解决后方可终结并统一答复口径（R-REPEAT-3）。")
            )
        problems += _date_problems(ended_on, entry, gettext("终结日期"))
        problems += _text(text, gettext("终结情况"), "R-REPEAT-3")
        problems += _text(position_statement, gettext("统一答复口径"), "R-REPEAT-3")
        _refuse(problems, ("R-REPEAT-3",))
        entry.outcome = Outcome.CONCLUDED
        entry.outcome_text = text.strip()
        entry.position_statement = position_statement.strip()
        entry.ended_on = ended_on
        entry.save(update_fields=["outcome", "outcome_text", "position_statement", "ended_on"])
        # The statement goes on the timeline too: it is what every level answers (R-INFO-2).
        _record(
            case,
            kind=CONCLUDED,
            actor=actor,
            payload={"entry": entry.pk, "text": entry.position_statement},
        )
    return entry
