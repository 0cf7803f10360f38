"""The working calendar: holidays and 调休 make-up workdays, admin overrides, caching."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import chinese_calendar
import pytest
from django.core.management import call_command

from tests.deadlines.conftest import CJK
from tests.orgtree import Tree
from xinfang.core.errors import RuleViolation
from xinfang.deadlines import calendar as wc
from xinfang.deadlines.models import CalendarDay, CalendarSource
from xinfang.deadlines.services import (
    HolidayRange,
    calendar_day_delete,
    calendar_day_set,
    calendar_seed,
    calendar_year_enter,
)
from xinfang.orgs.models import User

D = dt.date

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("day", "workday", "why"),
    [
        (D(2025, 1, 26), True, "周日，春节调休上班"),
        (D(2025, 1, 27), True, "周一，正常上班"),
        (D(2025, 1, 28), False, "春节假期首日（除夕）"),
        (D(2025, 2, 4), False, "春节假期末日"),
        (D(2025, 2, 5), True, "节后第一个工作日"),
        (D(2025, 2, 8), True, "周六，春节调休上班"),
        (D(2025, 2, 9), False, "普通周日"),
        (D(2025, 9, 28), True, "周日，国庆调休上班"),
        (D(2025, 10, 1), False, "国庆节"),
        (D(2025, 10, 6), False, "中秋节（与国庆连休）"),
        (D(2025, 10, 8), False, "国庆中秋假期末日"),
        (D(2025, 10, 9), True, "节后第一个工作日"),
        (D(2025, 10, 11), True, "周六，国庆调休上班"),
        (D(2026, 2, 14), True, "周六，2026年春节调休上班"),
        (D(2026, 2, 16), False, "2026年除夕"),
        (D(2026, 2, 23), False, "2026年春节假期末日"),
        (D(2026, 2, 24), True, "2026年节后第一个工作日"),
        (D(2026, 2, 28), True, "周六，2026年春节调休上班"),
        (D(2026, 3, 2), True, "普通周一"),
        (D(2026, 3, 7), False, "普通周六"),
    ],
)
def test_known_holidays_and_make_up_workdays(day: dt.date, workday: bool, why: str) -> None:
    assert wc.is_workday(day) is workday, why


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def test_seeded_calendar_agrees_with_chinese_calendar_around_the_holidays() -> None:
    """Spring Festival 2025 and 2026, National Day 2025: every day as the package says."""
    periods = [
        (D(2025, 1, 1), D(2025, 3, 1)),
        (D(2025, 9, 1), D(2025, 10, 31)),
        (D(2026, 1, 1), D(2026, 3, 15)),
    ]
    for start, end in periods:
        for day in _days(start, end):
            assert wc.is_workday(day) is chinese_calendar.is_workday(day), day


def _naive_add(start: dt.date, n: int) -> dt.date:
    day = start
    while n:
        day += dt.timedelta(days=1)
        n -= chinese_calendar.is_workday(day)
    return day


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        (D(2025, 1, 24), 0, D(2025, 1, 24)),  # zero days: the start day itself
        (D(2025, 1, 24), 1, D(2025, 1, 26)),  # Friday -> Sunday make-up day
        (D(2025, 1, 24), 2, D(2025, 1, 27)),
        (D(2025, 1, 24), 3, D(2025, 2, 5)),  # jumps the 8-day Spring Festival
        (D(2025, 1, 24), 6, D(2025, 2, 8)),  # Saturday make-up day
        (D(2025, 1, 24), 7, D(2025, 2, 10)),
        (D(2025, 9, 26), 1, D(2025, 9, 28)),  # Sunday make-up day
        (D(2025, 9, 26), 4, D(2025, 10, 9)),  # jumps National Day + Mid-autumn
        (D(2025, 9, 26), 6, D(2025, 10, 11)),  # Saturday make-up day
        (D(2025, 9, 26), 7, D(2025, 10, 13)),
        (D(2025, 10, 9), 1, D(2025, 10, 10)),  # start day not counted
        (D(2026, 2, 13), 1, D(2026, 2, 14)),
        (D(2026, 2, 13), 2, D(2026, 2, 24)),
        (D(2026, 2, 13), 5, D(2026, 2, 27)),
        (D(2026, 2, 13), 6, D(2026, 2, 28)),
    ],
)
def test_add_working_days_across_holidays(start: dt.date, n: int, due: dt.date) -> None:
    assert wc.add_working_days(start, n) == due
    assert _naive_add(start, n) == due  # the same answer from the package directly
    assert wc.working_days_between(start, due) == n


def test_working_days_between_is_the_inverse_of_add_working_days() -> None:
    for start in _days(D(2025, 1, 15), D(2025, 2, 15)) + _days(D(2025, 9, 20), D(2025, 10, 15)):
        for n in (1, 5, 15, 60):
            due = wc.add_working_days(start, n)
            assert wc.working_days_between(start, due) == n
            assert wc.working_days_between(due, start) == -n
    # A whole year: 2025 had 248 working days (two more public holidays from 2025 on).
    year = wc.working_days_between(D(2024, 12, 31), D(2025, 12, 31))
    assert year == 248 == len(chinese_calendar.get_workdays(D(2025, 1, 1), D(2025, 12, 31)))


def test_add_working_days_refuses_negative_n() -> None:
    with pytest.raises(ValueError, match="n must be >= 0"):
        wc.add_working_days(D(2025, 1, 1), -1)


def test_a_year_is_loaded_once_then_served_from_memory(
    django_assert_num_queries: pytest.FixtureRequest,
) -> None:
    with django_assert_num_queries(1):
        for day in _days(D(2025, 1, 1), D(2025, 12, 31)):
            wc.is_workday(day)
    with django_assert_num_queries(0):
        wc.add_working_days(D(2025, 1, 24), 60)


def test_admin_override_wins_over_the_package(administrator: User) -> None:
    assert wc.is_workday(D(2025, 10, 8)) is False  # loaded and cached
    calendar_day_set(actor=administrator, date=D(2025, 10, 8), is_workday=True, name="本地调整")
    assert wc.is_workday(D(2025, 10, 8)) is True  # cache invalidated by the service
    row = CalendarDay.objects.get(date=D(2025, 10, 8))
    assert row.source == CalendarSource.ADMIN

    result = calendar_seed(years=[2025])
    assert result.kept_admin == 1
    assert CalendarDay.objects.get(date=D(2025, 10, 8)).is_workday is True

    calendar_day_delete(actor=administrator, date=D(2025, 10, 8))
    restored = CalendarDay.objects.get(date=D(2025, 10, 8))
    assert (restored.is_workday, restored.source) == (False, CalendarSource.PACKAGE)
    assert wc.is_workday(D(2025, 10, 8)) is False


def test_admin_can_declare_an_extra_rest_day(administrator: User) -> None:
    assert wc.add_working_days(D(2025, 3, 3), 1) == D(2025, 3, 4)
    calendar_day_set(actor=administrator, date=D(2025, 3, 4), is_workday=False, name="停电放假")
    assert wc.add_working_days(D(2025, 3, 3), 1) == D(2025, 3, 5)


def test_only_administrators_edit_the_calendar(tree: Tree) -> None:
    with pytest.raises(RuleViolation, match="只有系统管理员可以修改工作日历和期限规则。") as exc:
        calendar_day_set(actor=tree.county_staff, date=D(2025, 3, 4), is_workday=False)
    assert CJK.search(str(exc.value))
    assert not CalendarDay.objects.filter(date=D(2025, 3, 4)).exists()


def test_seed_is_idempotent_and_drops_days_the_package_no_longer_lists() -> None:
    again = calendar_seed()
    assert (again.created, again.updated, again.deleted) == (0, 0, 0)
    CalendarDay.objects.create(
        date=D(2025, 3, 3), is_workday=False, name="旧数据", source=CalendarSource.PACKAGE
    )
    CalendarDay.objects.filter(date=D(2025, 10, 1)).delete()
    result = calendar_seed(years=[2025])
    assert (result.created, result.updated, result.deleted) == (1, 0, 1)
    assert not CalendarDay.objects.filter(date=D(2025, 3, 3)).exists()


def test_migration_seeded_every_year_the_package_knows() -> None:
    years = set(CalendarDay.objects.dates("date", "year").values_list("date__year", flat=True))
    assert years == set(wc.package_years())
    assert CalendarDay.objects.get(date=D(2025, 1, 26)).name == "春节调休上班"
    assert CalendarDay.objects.get(date=D(2025, 10, 1)).name == "国庆节"


def test_missing_next_year_is_reported(administrator: User) -> None:
    last = max(wc.package_years())
    assert wc.calendar_missing_years(D(last - 1, 6, 1)) == []
    assert wc.calendar_missing_years(D(last, 11, 27)) == [last + 1]
    # One day set by hand is not the year's schedule: still missing (issue 8).
    calendar_day_set(actor=administrator, date=D(last + 1, 1, 1), is_workday=False, name="元旦")
    assert wc.calendar_missing_years(D(last, 11, 27)) == [last + 1]
    calendar_year_enter(
        actor=administrator,
        year=last + 1,
        holidays=[HolidayRange(D(last + 1, 1, 1), D(last + 1, 1, 1), "元旦")],
        workdays=[],
    )
    assert wc.calendar_missing_years(D(last, 11, 27)) == []
    assert wc.calendar_missing_years(D(last + 5, 1, 1)) == [last + 5, last + 6]


def test_seed_calendar_command_reports_in_chinese() -> None:
    out = StringIO()
    call_command("seed_calendar", "--year", "2025", stdout=out)
    assert "新增 0 天" in out.getvalue()


def test_pure_calendar_from_overrides() -> None:
    cal = wc.WorkingCalendar.from_overrides({D(2030, 1, 1): False, D(2030, 1, 5): True})
    assert cal.is_workday(D(2030, 1, 1)) is False  # Tuesday made a holiday
    assert cal.is_workday(D(2030, 1, 5)) is True  # Saturday made a workday
    assert cal.add_working_days(D(2029, 12, 31), 1) == D(2030, 1, 2)
    assert cal.working_days_between(D(2029, 12, 31), D(2030, 1, 6)) == 4
