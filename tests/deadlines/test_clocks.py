"""compute_clock: pure arithmetic, no database (R-CLOSE-1 and the 2022 clocks)."""

from __future__ import annotations

import datetime as dt

import pytest

from xinfang.deadlines.calendar import WorkingCalendar, package_days
from xinfang.deadlines.clocks import (
    ClockSpec,
    PausePeriod,
    add_months,
    compute_clock,
    result_due_on,
)

D = dt.date
CAL = WorkingCalendar.from_overrides({d.date: d.is_workday for d in package_days()})

RESULT_REPORT_1987 = ClockSpec("result_report", "交办案件报结", 3, "months", False)
HANDLING_2022 = ClockSpec("handling", "办理", 60, "calendar_days", True)
ACCEPTANCE_2022 = ClockSpec("acceptance_notice", "告知是否受理", 15, "calendar_days", True)
OBJECTION_2022 = ClockSpec("objection", "对转送交办提出异议", 5, "working_days", False)


@pytest.mark.parametrize(
    ("start", "due"),
    [
        (D(2025, 3, 10), D(2025, 6, 10)),
        (D(2025, 1, 31), D(2025, 4, 30)),  # clamped to the month's last day
        (D(2025, 11, 30), D(2026, 2, 28)),
        (D(2023, 11, 30), D(2024, 2, 29)),  # leap year
        (D(2025, 7, 5), D(2025, 10, 5)),  # in the National Day holiday: the notice says
        # "一般应在三个月之内", the 1987 set does not roll to the next workday
    ],
)
def test_r_close_1_result_due_three_months_after_assignment(start: dt.date, due: dt.date) -> None:
    """R-CLOSE-1: under the 1987 rules a result is due three months after assignment."""
    state = compute_clock(RESULT_REPORT_1987, start, 0, [], start, CAL)
    assert state.due_on == due == result_due_on(start) == add_months(start, 3)


@pytest.mark.parametrize(
    ("rule", "start", "extension", "due"),
    [
        (HANDLING_2022, D(2025, 8, 1), 0, D(2025, 9, 30)),  # 60 days, a Tuesday
        (HANDLING_2022, D(2025, 8, 5), 0, D(2025, 10, 9)),  # 4 Oct in the holiday -> 9 Oct
        (HANDLING_2022, D(2025, 8, 1), 30, D(2025, 10, 30)),  # with the maximum extension
        (HANDLING_2022, D(2025, 8, 2), 0, D(2025, 10, 9)),  # 1 Oct -> first workday after
        (HANDLING_2022, D(2025, 8, 3), 0, D(2025, 10, 9)),
        (ACCEPTANCE_2022, D(2025, 1, 20), 0, D(2025, 2, 5)),  # 4 Feb is Spring Festival
        (ACCEPTANCE_2022, D(2025, 1, 11), 0, D(2025, 1, 26)),  # Sunday, but a make-up day
        (ACCEPTANCE_2022, D(2025, 3, 1), 0, D(2025, 3, 17)),  # Sunday 16 Mar -> Monday
        (OBJECTION_2022, D(2025, 9, 26), 0, D(2025, 10, 10)),  # 5 working days
        (OBJECTION_2022, D(2026, 2, 12), 0, D(2026, 2, 26)),
    ],
)
def test_2022_clocks(rule: ClockSpec, start: dt.date, extension: int, due: dt.date) -> None:
    assert compute_clock(rule, start, extension, [], start, CAL).due_on == due


@pytest.mark.parametrize(
    ("today", "level", "label"),
    [
        (D(2025, 8, 1), "normal", "正常"),
        (D(2025, 8, 30), "normal", "正常"),  # 29 of 60 days used
        (D(2025, 8, 31), "half_used", "时间过半"),  # 30 of 60
        (D(2025, 9, 22), "half_used", "时间过半"),  # 8 days left
        (D(2025, 9, 23), "due_soon", "即将到期"),  # 7 days left
        (D(2025, 9, 30), "due_soon", "即将到期"),  # the due day itself is not overdue
        (D(2025, 10, 1), "overdue", "已逾期"),
    ],
)
def test_warning_levels(today: dt.date, level: str, label: str) -> None:
    state = compute_clock(HANDLING_2022, D(2025, 8, 1), 0, [], today, CAL)
    assert state.due_on == D(2025, 9, 30)
    assert (state.level, state.label) == (level, label)
    assert state.days_left == (D(2025, 9, 30) - today).days


def test_used_fraction() -> None:
    state = compute_clock(HANDLING_2022, D(2025, 8, 1), 0, [], D(2025, 8, 16), CAL)
    assert state.used_fraction == pytest.approx(15 / 60)
    late = compute_clock(HANDLING_2022, D(2025, 8, 1), 0, [], D(2025, 10, 30), CAL)
    assert late.used_fraction == pytest.approx(90 / 60)


def test_closed_pause_moves_the_due_date_by_the_paused_days() -> None:
    pause = PausePeriod(D(2025, 8, 11), D(2025, 8, 21))  # 10 days stood still
    state = compute_clock(HANDLING_2022, D(2025, 8, 1), 0, [pause], D(2025, 9, 1), CAL)
    assert state.due_on == D(2025, 10, 10)  # 30 Sep + 10 days
    assert not state.paused
    assert state.used_fraction == pytest.approx((31 - 10) / 60)


def test_open_pause_keeps_the_clock_still_until_today() -> None:
    pause = PausePeriod(D(2025, 9, 1))
    state = compute_clock(HANDLING_2022, D(2025, 8, 1), 0, [pause], D(2025, 9, 10), CAL)
    assert state.paused
    assert state.due_on == D(2025, 10, 10)  # 30 Sep + 10 paused days (1st-10th)
    assert state.used_fraction == pytest.approx(30 / 60)  # 2-31 Aug ran, 1-10 Sep did not


def test_pause_before_the_start_does_not_count() -> None:
    pause = PausePeriod(D(2025, 7, 1), D(2025, 8, 1))
    state = compute_clock(HANDLING_2022, D(2025, 8, 1), 0, [pause], D(2025, 8, 2), CAL)
    assert state.due_on == D(2025, 9, 30)


def test_pause_on_a_working_day_clock_counts_working_days() -> None:
    pause = PausePeriod(D(2025, 9, 29), D(2025, 10, 10))  # 29, 30 Sep and 9 Oct are workdays
    state = compute_clock(OBJECTION_2022, D(2025, 9, 26), 0, [pause], D(2025, 10, 20), CAL)
    assert state.due_on == CAL.add_working_days(D(2025, 9, 26), 5 + 3)
