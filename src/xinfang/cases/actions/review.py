"""The 2022 rules' review chain: 复查 and 复核, each with its clocks."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from xinfang.cases.actions.base import _lock_row, _raise, transition
from xinfang.cases.models import Case, Review, ReviewKind, ReviewOutcome, ReviewStage
from xinfang.cases.routing import department_one_level_up, refuse_if_department_may_not_hold
from xinfang.core.errors import RuleViolation
from xinfang.deadlines.selectors import clock_due_on
from xinfang.orgs.models import Department, User


def _open_review(case: Case, kind: ReviewKind) -> Review:
    review = (
        Review.objects.select_for_update()
        .select_related("department")
        .filter(case=case, kind=kind, decided_at__isnull=True)
        .first()
    )
    if review is None:
        raise RuleViolation(gettext("没有待答复的%(label)s申请。") % {"label": kind.label})
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
        errors.append(gettext("须填写申请日期。"))
    elif applied_on > timezone.localdate():
        errors.append(gettext("申请日期不能晚于今天。"))
    if not request.strip():
        errors.append(gettext("须填写申请%(label)s的事项和理由。") % {"label": kind.label})
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
                    gettext("该事项已经复查，不能再次申请复查；对复查意见不服的可申请复核。")
                )
            reviewer = department_one_level_up(department)
            since = timezone.localdate(current.closed_at) if current.closed_at else applied_on
        else:
            if current.review_stage != ReviewStage.REVIEWED:
                raise RuleViolation(
                    gettext("复核须在复查之后申请。")
                    if current.review_stage == ReviewStage.NONE
                    else gettext("该事项已经复核终结，同一事实和理由不再受理。")
                )
            last = (
                current.reviews.select_related("department__jurisdiction")
                .filter(kind=ReviewKind.REVIEW)
                .order_by("-decided_at")
                .first()
            )
            assert last is not None and last.decided_at is not None
            reviewer = department_one_level_up(last.department)
            since = timezone.localdate(last.decided_at)
        if reviewer is None:
            raise RuleViolation(
                gettext("没有上一级%(label)s机关可以受理。") % {"label": kind.label}
            )
        last_day = clock_due_on(apply_code, since)
        if last_day is None:
            raise RuleViolation(
                gettext("现行期限规则没有%(label)s程序（1987年通知未设复查、复核）。")
                % {"label": kind.label}
            )
        if applied_on > last_day:
            raise RuleViolation(
                gettext("已超过申请%(label)s的期限（%(last_day)s前），不予受理。")
                % {"label": kind.label, "last_day": format(last_day, gettext("%Y年%m月%d日"))}
            )
        with transition(current, apply_code, actor=actor, acting_department=reviewer) as step:
            locked = step.case
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
            step.write(
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
        errors.append(gettext("请选择结论：维持、变更或撤销并责令重新办理。"))
    if not opinion.strip():
        errors.append(gettext("须写明%(label)s意见。") % {"label": kind.label})
    _raise(errors)
    action = (
        "review_redo"
        if outcome == ReviewOutcome.REDO
        else ("review_decide" if kind == ReviewKind.REVIEW else "rereview_decide")
    )
    with transaction.atomic():
        review = _open_review(case, kind)
        with transition(
            case,
            action,
            actor=actor,
            acting_department=review.department,
            refused=(
                gettext("案件当前状态为“{state}”，不能作%(label)s答复。") % {"label": kind.label}
            ),
        ) as step:
            locked = step.case
            if outcome == ReviewOutcome.REDO:
                # R-ROUTE-3: the case goes back to its department to be handled again.
                refuse_if_department_may_not_hold(
                    locked,
                    Department.objects.get(pk=locked.department_id),
                    doing=gettext("重新办理本案"),
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
            step.write(
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
