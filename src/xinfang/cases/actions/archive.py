"""Sealing a file (R-CLOSE-7)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext

from xinfang.cases.actions.base import transition
from xinfang.cases.closure import awaits_acceptance
from xinfang.cases.models import Case, ReviewKind, ReviewStage, State
from xinfang.core.errors import RuleViolation
from xinfang.deadlines.selectors import clock_due_on
from xinfang.orgs.models import User


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
            gettext("申请%(kind)s的期限至%(last_day)s届满，期满后方可归档。")
            % {
                "kind": gettext("复查") if code == "review_apply" else gettext("复核"),
                "last_day": format(last_day, gettext("%Y年%m月%d日")),
            }
        )


def case_archive(*, actor: User, case: Case) -> Case:
    """R-CLOSE-7: seal the file under an archive number; nothing changes afterwards."""
    with transition(case, "archive", actor=actor) as step:
        case = step.case
        _refuse_archive_in_review_window(case)
        if awaits_acceptance(case):
            raise RuleViolation(
                gettext("上级要报结果的案件，须经上级审核通过后方可归档（R-CLOSE-6）。")
            )
        now = timezone.now()
        case.archived_at = now
        case.archive_number = gettext("档%(year)s-%(number)s") % {
            "year": timezone.localdate(now).year,
            "number": case.number,
        }
        step.write(
            payload={"archive_number": case.archive_number},
            fields=["archived_at", "archive_number"],
        )
    return case
