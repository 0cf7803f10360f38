"""compute_clock and add_months at their edges (pure, no database): year ends, one-day and
repeated pauses, working-day clocks with extensions, a clock with no running time.

Every expected date is counted by hand in the comment beside it (2025 calendar: 3 March is a
Monday; no holiday between 1 and 31 March).
"""

from __future__ import annotations

import datetime as dt

import pytest

from xinfang.deadlines.calendar import WorkingCalendar, package_days
from xinfang.deadlines.clocks import ClockSpec, PausePeriod, add_months, compute_clock

D = dt.date
CAL = WorkingCalendar.from_overrides({d.date: d.is_workday for d in package_days()})

ACCEPTANCE = ClockSpec("acceptance_notice", "告知是否受理", 15, "calendar_days", True)
OBJECTION = ClockSpec("objection", "对转送交办提出异议", 5, "working_days", False)
RESULT_REPORT = ClockSpec("result_report", "交办案件报结", 3, "months", False)
MON = D(2025, 3, 3)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2025, 12, 15), 1, D(2026, 1, 15)),  # December + 1 crosses the year
        (D(2025, 11, 15), 1, D(2025, 12, 15)),  # the last month of the same year
        (D(2025, 1, 31), 24, D(2027, 1, 31)),  # two whole years
        (D(2025, 10, 31), 3, D(2026, 1, 31)),
    ],
)
def test_add_months_across_year_ends(start: D, months: int, expected: D) -> None:
    assert add_months(start, months) == expected


def test_a_one_day_pause_counts_one_day() -> None:
    # 15 days from Monday 3 March: Tuesday 18 March; paused on 11 March only: Wednesday 19.
    state = compute_clock(
        ACCEPTANCE, MON, 0, [PausePeriod(D(2025, 3, 11), D(2025, 3, 12))], D(2025, 3, 20), CAL
    )
    assert state.due_on == D(2025, 3, 19)


def test_every_pause_counts_even_after_one_that_does_not() -> None:
    pauses = [
        PausePeriod(D(2025, 2, 1), D(2025, 2, 10)),  # before the start: does not count
        PausePeriod(D(2025, 3, 5), D(2025, 3, 7)),  # 5 and 6 March: 2 days
        PausePeriod(D(2025, 3, 10), D(2025, 3, 11)),  # 10 March: 1 day
    ]
    state = compute_clock(ACCEPTANCE, MON, 0, pauses, D(2025, 3, 25), CAL)
    assert state.due_on == D(2025, 3, 21)  # 18 March + 3 days, a Friday


def test_every_pause_of_a_working_day_clock_counts() -> None:
    # 5 working days from Monday 3 March: Monday 10 March. Paused on Tuesday 4 and on
    # Thursday 6 (one working day each): 7 working days, Wednesday 12 March.
    pauses = [PausePeriod(D(2025, 3, 4), D(2025, 3, 5)), PausePeriod(D(2025, 3, 6), D(2025, 3, 7))]
    state = compute_clock(OBJECTION, MON, 0, pauses, D(2025, 3, 20), CAL)
    assert state.due_on == D(2025, 3, 12)


def test_extension_of_a_working_day_clock_adds_working_days() -> None:
    state = compute_clock(OBJECTION, MON, 2, [], MON, CAL)
    assert state.due_on == D(2025, 3, 12)  # 5 + 2 working days


def test_extension_of_a_month_clock_adds_calendar_days() -> None:
    state = compute_clock(RESULT_REPORT, D(2025, 3, 10), 5, [], D(2025, 3, 10), CAL)
    assert state.due_on == D(2025, 6, 15)  # 10 June + 5 days; the 1987 set does not roll


def test_unknown_unit_is_refused_by_name() -> None:
    weeks = ClockSpec("handling", "办理", 2, "weeks")
    with pytest.raises(ValueError, match="unknown clock unit 'weeks'"):
        compute_clock(weeks, MON, 0, [], MON, CAL)


def test_working_day_clock_counts_its_fraction_in_working_days() -> None:
    # Due Monday 10 March (5 working days). On Wednesday 5 March, 2 of 5 are used; counted
    # in calendar days it would be 2 of 7.
    state = compute_clock(OBJECTION, MON, 0, [], D(2025, 3, 5), CAL)
    assert state.used_fraction == pytest.approx(2 / 5)


def test_paused_working_days_count_on_neither_side_of_the_fraction() -> None:
    # Paused on Tuesday 4 March: due Tuesday 11 March (6 working days in all, 5 running).
    # On Thursday 6 March, 3 working days have passed, one of them paused: 2 of 5 used.
    pause = PausePeriod(D(2025, 3, 4), D(2025, 3, 5))
    state = compute_clock(OBJECTION, MON, 0, [pause], D(2025, 3, 6), CAL)
    assert state.due_on == D(2025, 3, 11)
    assert state.used_fraction == pytest.approx(2 / 5)


def test_nothing_is_used_on_the_first_day_or_before_it() -> None:
    assert compute_clock(ACCEPTANCE, MON, 0, [], MON, CAL).used_fraction == 0.0
    assert compute_clock(ACCEPTANCE, MON, 0, [], D(2025, 3, 1), CAL).used_fraction == 0.0


def test_one_day_clock_on_its_start_day_is_not_used() -> None:
    one_day = ClockSpec("acceptance_notice", "告知", 1, "calendar_days", False)
    state = compute_clock(one_day, MON, 0, [], MON, CAL)
    assert (state.due_on, state.used_fraction) == (D(2025, 3, 4), 0.0)


def test_clock_with_no_running_time_is_wholly_used() -> None:
    same_day = ClockSpec("acceptance_notice", "告知", 0, "calendar_days", False)
    state = compute_clock(same_day, MON, 0, [], MON, CAL)
    assert (state.due_on, state.used_fraction, state.level) == (MON, 1.0, "due_soon")


def test_an_open_pause_starting_today_already_stops_the_clock() -> None:
    today = D(2025, 3, 5)
    assert compute_clock(ACCEPTANCE, MON, 0, [PausePeriod(today)], today, CAL).paused
    tomorrow = PausePeriod(D(2025, 3, 6))
    assert not compute_clock(ACCEPTANCE, MON, 0, [tomorrow], today, CAL).paused


def test_the_state_names_its_clock_and_start() -> None:
    state = compute_clock(ACCEPTANCE, MON, 0, [], MON, CAL)
    assert (state.code, state.name, state.start) == ("acceptance_notice", "告知是否受理", MON)


def test_package_days_of_one_year_only() -> None:
    """`seed_calendar --year 2025` imports 2025 alone: 2025's holidays and make-up days."""
    from xinfang.deadlines.calendar import package_days

    days = package_days([2025])
    assert {d.date.year for d in days} == {2025}
    assert next(d for d in days if d.date == D(2025, 1, 26)).name == "春节调休上班"
    assert not next(d for d in days if d.date == D(2025, 10, 1)).is_workday
