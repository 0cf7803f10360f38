"""The admin pages for the calendar and rule sets go through the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from tests.orgtree import Tree
from xinfang.deadlines.models import CalendarDay, CalendarSource, RuleSet
from xinfang.orgs.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(tree: Tree) -> Client:
    user = User.objects.create_superuser("root", "root@example.org", "pw")
    client = Client()
    client.force_login(user)
    return client


def test_calendar_changelist_warns_when_next_year_is_missing(admin_client_: Client) -> None:
    next_year = timezone.localdate().year + 1
    CalendarDay.objects.filter(date__year=next_year).delete()
    response = admin_client_.get("/admin/deadlines/calendarday/?year=2025")
    assert response.status_code == 200
    assert f"{next_year}年的节假日和调休安排尚未录入" in response.content.decode()


def test_calendar_day_added_in_the_admin_is_an_admin_row(admin_client_: Client) -> None:
    response = admin_client_.post(
        "/admin/deadlines/calendarday/add/",
        {"date": "2025-03-04", "is_workday": "", "name": "临时休息"},
    )
    assert response.status_code == 302
    day = CalendarDay.objects.get(date=dt.date(2025, 3, 4))
    assert (day.is_workday, day.source) == (False, CalendarSource.ADMIN)


def test_rule_set_pages_show_the_clocks_read_only(admin_client_: Client) -> None:
    rule_set = RuleSet.objects.get(code="2022")
    page = admin_client_.get(f"/admin/deadlines/ruleset/{rule_set.pk}/change/").content.decode()
    assert "延期上限" in page and "5个工作日内提出异议" in page
    response = admin_client_.post(
        "/admin/deadlines/ruleset/",
        {"action": "activate", "_selected_action": [rule_set.pk]},
    )
    assert response.status_code == 302
    assert RuleSet.objects.get(active=True).code == "2022"


@pytest.mark.parametrize("model", ["extension", "pause"])
def test_extension_and_pause_lists_are_read_only(admin_client_: Client, model: str) -> None:
    assert admin_client_.get(f"/admin/cases/{model}/").status_code == 200
    assert admin_client_.get(f"/admin/cases/{model}/add/").status_code == 403
