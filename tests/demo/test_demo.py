"""The demo province: built through the services, deterministic, every state, valid chains."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from xinfang.cases.closure import closure_requirements_of
from xinfang.cases.lifecycle import FINISHED_STATES
from xinfang.cases.models import Assignment, Case, Closure, ClosureStatus, OverdueExplanation
from xinfang.cases.queues import queues_for
from xinfang.cases.timeline import verify_chains
from xinfang.demo.build import DEMO_ACCOUNTS, DEMO_PASSWORD, FrozenClock, build_demo
from xinfang.orgs.models import Department, DepartmentKind, PetitionDuty, User
from xinfang.petitions.models import Interview, Petition, PetitionPetitioner

SMALL = 200
STATES = {
    "registered",
    "read",
    "handling",
    "closing",
    "closed",
    "archived",
    "referred",
    "transferred",
    "filed",
    "merged",
}


class _Rollback(Exception):
    pass


def _snapshot() -> tuple[list[str], Counter[str], int]:
    titles = sorted(Case.objects.values_list("title", flat=True))
    states = Counter(Case.objects.values_list("state", flat=True))
    return titles, states, Petition.objects.count()


def _check_contents() -> None:
    # Every timeline's hash chain verifies: everything went through the services.
    assert list(verify_chains()) == []
    assert set(Case.objects.values_list("state", flat=True)) >= STATES

    today = timezone.localdate()
    overdue = Case.objects.filter(due_on__lt=today, result_required=True).exclude(
        state__in=FINISHED_STATES
    )
    explained = OverdueExplanation.objects.values_list("case_id", flat=True)
    assert overdue.filter(pk__in=explained).exists()
    assert overdue.exclude(pk__in=explained).exists()
    assert Closure.objects.filter(status=ClosureStatus.RETURNED).exists()
    assert Assignment.objects.filter(returned_at__isnull=False).exists()
    assert Assignment.objects.filter(mode="transfer").exists()
    assert Assignment.objects.filter(mode="assign", accepted_at__isnull=False).exists()
    assert Case.objects.filter(state="handling", handling_mode="assign").exists()
    assert Case.objects.filter(previous_case__isnull=False).exists()  # repeat of an archived case

    assert Petition.objects.filter(
        is_repeat=True, case__state__in=["handling", "archived"]
    ).exists()
    collective = Petition.objects.filter(is_collective=True, head_count__gte=2)
    assert collective.exists()
    assert PetitionPetitioner.objects.filter(
        petition__in=collective, is_representative=True
    ).exists()
    anonymous = Petition.objects.filter(is_anonymous=True)
    assert anonymous.filter(anonymous_treatment="keep").exclude(anonymous_reason="").exists()
    assert anonymous.filter(anonymous_treatment="investigate").exists()
    assert Interview.objects.filter(petition__channel="visit").exists()

    # Dates lie in the two years before today, in order.
    assert not Case.objects.filter(registered_at__date__lt=today - dt.timedelta(days=740)).exists()
    assert not Case.objects.filter(registered_at__date__gte=today).exists()
    assert not Petition.objects.filter(received_on__gt=today).exists()
    assert not Case.objects.filter(closed_at__lt=F("registered_at")).exists()
    assert not Case.objects.filter(archived_at__lt=F("closed_at")).exists()

    # Every petition-handling department has every role and its petition workers (R-STAFF-1).
    for dept in Department.objects.filter(handles_petitions=True):
        roles = set(dept.staff.values_list("staff_roles__role", flat=True))
        assert {"registrar", "handler", "leader"} <= roles, dept.name
        duties = set(dept.staff.values_list("petition_duty", flat=True))
        assert PetitionDuty.LEADER_IN_CHARGE in duties, dept.name
    assert set(Department.objects.values_list("kind", flat=True)) == set(DepartmentKind.values)
    for account in DEMO_ACCOUNTS:
        user = User.objects.get(username=account.username)
        assert user.is_staff and user.check_password(DEMO_PASSWORD)
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.has_role("administrator")
    _check_handlers_and_closures()
    _check_queues()


def _check_handlers_and_closures() -> None:
    # Every case handled here, at any level and also when sent down from above, names a
    # handler of its own department.
    handled = Case.objects.filter(handling_mode="self")
    assert handled.filter(parent__isnull=False).exists()
    assert not handled.filter(handler__isnull=True).exists()
    assert not handled.exclude(handler__department=F("department")).exists()
    assert not handled.exclude(handler__staff_roles__role="handler").exists()
    # R-CLOSE-3..5, R-CAT-4: each closure has exactly the parts the rule function asks for.
    closures = Closure.objects.select_related("case")
    assert closures.exists()
    for closure in closures:
        need = closure_requirements_of(closure.case)
        assert closure.procedure == list(need.procedure), closure.case.number
        assert bool(closure.personal_outcome) == need.personal_outcome
        assert bool(closure.petitioner_opinion) == need.petitioner_opinion
        assert bool(closure.conclusion_shown_on) == need.petitioner_opinion
        feedback = bool(closure.feedback_on) or bool(closure.no_feedback_reason)
        assert feedback == need.accuser_feedback, closure.case.number


# The queues each demo account opens with (cases/queues.py, docs/architecture.md).
ACCOUNT_QUEUES = {
    "dengji": ["to_read", "due_within_7_days", "overdue_without_explanation", "sent_down"],
    "chengban": [
        "my_cases",
        "due_within_7_days",
        "half_time_used",
        "overdue_without_explanation",
        "overdue_with_explanation",
    ],
    "lingdao": [
        "to_read",
        "to_route",
        "objections_awaiting_decision",
        "closures_awaiting_approval",
        "reports_awaiting_acceptance",
        "due_within_7_days",
        "half_time_used",
        "overdue_without_explanation",
        "overdue_with_explanation",
        "sent_down",
    ],
    "dudao": [
        "due_within_7_days",
        "half_time_used",
        "overdue_without_explanation",
        "overdue_with_explanation",
    ],
    "admin": [],
}


def _check_queues() -> None:
    """Every queue of every demo account holds something on the day the demo is built."""
    today = timezone.localdate()
    assert sorted(ACCOUNT_QUEUES) == sorted(a.username for a in DEMO_ACCOUNTS)
    empty = []
    for username, keys in ACCOUNT_QUEUES.items():
        user = User.objects.get(username=username)
        queues = queues_for(user)
        assert [queue.key for queue in queues] == keys, username
        empty += [
            f"{username}:{queue.key}" for queue in queues if not queue.cases(user, today).exists()
        ]
    assert empty == []


@pytest.mark.django_db
def test_small_build_is_complete_valid_and_deterministic() -> None:
    try:
        with transaction.atomic():
            result = build_demo(petitions=SMALL)
            assert result.failures == []
            assert result.petitions >= SMALL
            _check_contents()
            first = _snapshot()
            raise _Rollback
    except _Rollback:
        pass
    assert not Case.objects.exists()

    again = build_demo(petitions=SMALL)
    assert again.failures == []
    assert _snapshot() == first


def test_frozen_clock_restores_now() -> None:
    original = timezone.now
    when = dt.datetime(2025, 3, 4, 9, 30, tzinfo=dt.UTC)
    with pytest.raises(RuntimeError, match="inside the frozen clock"), FrozenClock() as clock:
        clock.set(when)
        assert timezone.now() == when
        assert timezone.localdate() == dt.date(2025, 3, 4)
        raise RuntimeError("inside the frozen clock")
    assert timezone.now is original


@pytest.mark.django_db
def test_command_builds_once_and_prints_accounts(settings: Any, tmp_path: Path) -> None:
    settings.XINFANG_AUDIT_CHECKPOINT_FILE = tmp_path / "checkpoints.jsonl"
    out = StringIO()
    call_command("demo", "--no-serve", "--petitions", "30", stdout=out)
    text = out.getvalue()
    assert "演示数据已建立" in text
    # R-PROTECT-2: the fresh timelines are sealed once, and verify.
    assert "已封存办理记录（第 1 号封存点" in text
    call_command("audit", "verify", stdout=StringIO())
    for account in DEMO_ACCOUNTS:
        assert account.username in text
    assert DEMO_PASSWORD in text
    cases = Case.objects.count()

    out = StringIO()
    call_command("demo", "--no-serve", stdout=out)
    assert "演示数据已存在" in out.getvalue()
    assert Case.objects.count() == cases
