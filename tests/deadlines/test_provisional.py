"""A due date counted through a year whose holidays are not known is provisional (暂定),
says why, and is derived again when an administrator enters that year (issue 8, item 3)."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from tests.builders import at, register, to_read
from tests.deadlines.conftest import make_assigned, make_case, use_rule_set
from tests.orgtree import Tree
from xinfang.cases import actions as cs
from xinfang.cases.casefile import case_file, case_file_export
from xinfang.cases.clocks import case_clocks
from xinfang.cases.models import Assignment, Case, CaseEvent
from xinfang.core.errors import RuleViolation
from xinfang.deadlines.calendar import WorkingCalendar, invalidate_calendar
from xinfang.deadlines.clocks import ClockSpec, compute_clock
from xinfang.deadlines.models import CalendarDay, CalendarSource, CalendarYear, RuleSet
from xinfang.deadlines.services import (
    HolidayRange,
    MakeUpDay,
    calendar_year_enter,
    rule_set_activate,
)
from xinfang.orgs.models import User

D = dt.date
OBJECTION = ClockSpec("objection", "对转送交办提出异议", 5, "working_days")
HANDLING = ClockSpec("handling", "办理", 60, "calendar_days")
# 2026 known (as the chinese-calendar package knows it), 2027 not.
KNOWN_2026 = WorkingCalendar.from_overrides({D(2026, 10, 1): False}, known_years={2026})
NOTE_2027 = (
    "暂定：期限计算涉及2027年，该年的法定节假日和调休安排尚未录入，暂按周一至周五为工作日计算；"
    "管理员录入后将自动重新计算。"
)
# What the State Council's notice for 2027 might say; enough for these tests.
NEW_YEAR_2027 = [HolidayRange(D(2027, 1, 1), D(2027, 1, 3), "元旦")]


def _clock(spec: ClockSpec, start: dt.date, cal: WorkingCalendar = KNOWN_2026) -> tuple:
    state = compute_clock(spec, start, 0, [], start, cal)
    return state.due_on, state.provisional_years


# --- the clock arithmetic (no database) ---------------------------------------------------


@pytest.mark.parametrize(
    ("start", "due", "years"),
    [
        # Five working days ending on 30 December: all days known.
        (D(2026, 12, 23), D(2026, 12, 30), ()),
        # Ending on 31 December, the last day of the known year: still firm.
        (D(2026, 12, 24), D(2026, 12, 31), ()),
        # Ending on 1 January 2027, counted as a working day: provisional.
        (D(2026, 12, 25), D(2027, 1, 1), (2027,)),
        # The example: a window opening on 29 December.
        (D(2026, 12, 29), D(2027, 1, 5), (2027,)),
    ],
)
def test_working_day_clock_reaching_an_unknown_year_is_provisional(
    start: dt.date, due: dt.date, years: tuple[int, ...]
) -> None:
    assert _clock(OBJECTION, start) == (due, years)


@pytest.mark.parametrize(
    ("start", "due", "years"),
    [
        # 60 days from 1 November: Thursday 31 December, known.
        (D(2026, 11, 1), D(2026, 12, 31), ()),
        # 60 days from 2 November: Friday 1 January 2027, which may be a holiday.
        (D(2026, 11, 2), D(2027, 1, 1), (2027,)),
    ],
)
def test_calendar_day_clock_is_provisional_when_its_last_day_is(
    start: dt.date, due: dt.date, years: tuple[int, ...]
) -> None:
    assert _clock(HANDLING, start) == (due, years)


def test_known_year_makes_the_same_clock_firm() -> None:
    cal = WorkingCalendar.from_overrides(
        {D(2027, 1, 1): False, D(2027, 1, 2): False, D(2027, 1, 3): False},
        known_years={2026, 2027},
    )
    assert _clock(OBJECTION, D(2026, 12, 29), cal) == (D(2027, 1, 6), ())
    assert _clock(HANDLING, D(2026, 11, 2), cal) == (D(2027, 1, 4), ())


def test_the_note_says_why_in_chinese() -> None:
    state = compute_clock(OBJECTION, D(2026, 12, 29), 0, [], D(2026, 12, 29), KNOWN_2026)
    assert state.provisional and state.provisional_note == NOTE_2027
    firm = compute_clock(OBJECTION, D(2026, 12, 23), 0, [], D(2026, 12, 23), KNOWN_2026)
    assert not firm.provisional and firm.provisional_note == ""


# --- with the database: 2027 not yet entered ----------------------------------------------


@pytest.fixture
def no_2027(db: None) -> None:
    """2027 unknown, whatever chinese-calendar version is installed."""
    CalendarDay.objects.filter(date__year=2027).delete()
    CalendarYear.objects.filter(year=2027).delete()
    invalidate_calendar()


@pytest.fixture
def administrator(tree: Tree) -> User:
    return tree.staff(tree.prov_org, "administrator", name="calendar_admin")


def _enter_2027(administrator: User, **kw: object) -> object:
    args: dict[str, object] = {"holidays": NEW_YEAR_2027, "workdays": []}
    args.update(kw)
    return calendar_year_enter(actor=administrator, year=2027, **args)  # type: ignore[arg-type]


@pytest.mark.usefixtures("no_2027")
def test_case_clocks_carry_provisional_and_entering_the_year_rederives(
    tree: Tree, administrator: User
) -> None:
    use_rule_set("2022")
    # Handled here from 2 November: stored due date 1 January 2027, provisional.
    case = make_case(tree.county_org, registered_on=D(2026, 11, 2), due_on=D(2027, 1, 1))
    # Sent down on 29 December: the objection window reaches into 2027.
    child = make_assigned(tree, sent_on=D(2026, 12, 29), result_required=False)
    child.due_on = D(2027, 3, 1)
    child.save(update_fields=["due_on"])
    # A case whose date does not move: no event.
    steady = make_case(tree.county_org, registered_on=D(2026, 10, 1), due_on=D(2026, 11, 30))

    clocks = {c.code: c for c in case_clocks(case, D(2026, 12, 2))}
    assert clocks["handling"].due_on == D(2027, 1, 1) and clocks["handling"].provisional
    window = {c.code: c for c in case_clocks(child, D(2026, 12, 29))}["objection"]
    assert (window.due_on, window.provisional_note) == (D(2027, 1, 5), NOTE_2027)

    result = _enter_2027(administrator)
    assert result.year == 2027 and result.holidays == 3  # type: ignore[attr-defined]

    case.refresh_from_db()
    assert case.due_on == D(2027, 1, 4)
    event = CaseEvent.objects.get(case=case, kind="due_rederived")
    assert event.payload == {
        "due_on_before": "2027-01-01",
        "due_on": "2027-01-04",
        "reason": "录入2027年法定节假日和调休安排后重新计算",
    }
    assert event.actor == administrator
    clocks = {c.code: c for c in case_clocks(case, D(2026, 12, 2))}
    assert clocks["handling"].due_on == D(2027, 1, 4) and not clocks["handling"].provisional
    window = {c.code: c for c in case_clocks(child, D(2026, 12, 29))}["objection"]
    assert (window.due_on, window.provisional) == (D(2027, 1, 6), False)
    # The child's handling date (1 March) did not move: no event, but no longer provisional.
    child.refresh_from_db()
    assert child.due_on == D(2027, 3, 1)
    assert not CaseEvent.objects.filter(case=child, kind="due_rederived").exists()
    assert not CaseEvent.objects.filter(case=steady, kind="due_rederived").exists()


@pytest.mark.usefixtures("no_2027")
def test_assigned_result_date_moves_with_its_assignment_and_sender(
    tree: Tree, administrator: User
) -> None:
    """2022 rules: a case assigned down on 2 November 2026 is due from the county on 1
    January 2027 (a holiday once entered): child, assignment and the sender's case waiting
    for the result all move."""
    use_rule_set("2022")
    child = make_assigned(tree, sent_on=D(2026, 11, 2))
    parent = Case.objects.get(pk=child.parent_id)
    Case.objects.filter(pk__in=[child.pk, parent.pk]).update(due_on=D(2027, 1, 1), state="handling")
    Assignment.objects.filter(child=child).update(due_on=D(2027, 1, 1))
    _enter_2027(administrator)
    assert Case.objects.get(pk=child.pk).due_on == D(2027, 1, 4)
    assert Case.objects.get(pk=parent.pk).due_on == D(2027, 1, 4)
    assert Assignment.objects.get(child=child).due_on == D(2027, 1, 4)
    assert CaseEvent.objects.filter(case=parent, kind="due_rederived").count() == 1


@pytest.mark.usefixtures("no_2027")
def test_case_page_and_case_file_show_provisional(tree: Tree) -> None:
    use_rule_set("2022")
    case = make_case(tree.county_org, registered_on=D(2026, 11, 2), due_on=D(2027, 1, 1))
    client = Client()
    tree.county_staff.is_staff = True  # admin access, as an administrator grants it
    tree.county_staff.save(update_fields=["is_staff"])
    client.force_login(tree.county_staff)
    page = client.get(f"/admin/cases/case/{case.pk}/change/").content.decode()
    assert "2027-01-01（暂定）" in page
    assert "该年的法定节假日和调休安排尚未录入" in page
    listing = client.get("/admin/cases/case/").content.decode()
    assert "2027-01-01（暂定）" in listing
    exported = case_file_export(case_file(tree.county_staff, case))
    handling = next(c for c in exported["期限"] if c["期限"] == "办理")
    assert (handling["到期日"], handling["暂定"], handling["暂定说明"]) == (
        "2027-01-01",
        True,
        NOTE_2027,
    )
    printed = client.get(f"/cases/{case.pk}/file/").content.decode()
    assert "2027-01-01（暂定）" in printed


# --- entering a year: checked before anything is saved -------------------------------------


def _refused(administrator: User, match: str, **kw: object) -> None:
    before = CalendarDay.objects.count()
    with pytest.raises(RuleViolation, match=match):
        _enter_2027(administrator, **kw)
    assert CalendarDay.objects.count() == before
    assert not CalendarYear.objects.filter(year=2027).exists()


@pytest.mark.usefixtures("no_2027")
def test_holidays_must_be_days_of_that_year(administrator: User) -> None:
    # The day before the year and the day after it are refused ...
    _refused(
        administrator,
        r"第1段放假安排（元旦）的日期2026-12-31不在2027年内",
        holidays=[HolidayRange(D(2026, 12, 31), D(2027, 1, 1), "元旦")],
    )
    _refused(
        administrator,
        r"第1段放假安排（元旦）的日期2028-01-01不在2027年内",
        holidays=[HolidayRange(D(2027, 12, 31), D(2028, 1, 1), "元旦")],
    )
    # ... its first and last days are accepted.
    result = _enter_2027(
        administrator,
        holidays=[
            HolidayRange(D(2027, 1, 1), D(2027, 1, 1), "元旦"),
            HolidayRange(D(2027, 12, 31), D(2027, 12, 31), "元旦"),
        ],
    )
    assert result.holidays == 2  # type: ignore[attr-defined]
    rows = CalendarDay.objects.filter(date__in=[D(2027, 1, 1), D(2027, 12, 31)])
    assert {(r.is_workday, r.source) for r in rows} == {(False, CalendarSource.ADMIN)}
    year = CalendarYear.objects.get(year=2027)
    assert (year.source, year.entered_by) == (CalendarSource.ADMIN, administrator)


@pytest.mark.usefixtures("no_2027")
def test_no_day_both_off_and_working(administrator: User) -> None:
    _refused(
        administrator,
        "2027-01-02既是放假日又是调休上班日",
        workdays=[MakeUpDay(D(2027, 1, 2), "元旦调休上班")],
    )


@pytest.mark.usefixtures("no_2027")
def test_other_refusals_all_listed_at_once(administrator: User) -> None:
    with pytest.raises(RuleViolation, match="结束日期早于开始日期") as err:
        _enter_2027(
            administrator,
            holidays=[
                HolidayRange(D(2027, 2, 10), D(2027, 2, 6), "春节"),
                HolidayRange(D(2027, 10, 1), D(2027, 10, 7), "国庆节"),
                HolidayRange(D(2027, 10, 7), D(2027, 10, 8), ""),
            ],
            workdays=[
                MakeUpDay(D(2027, 2, 3), "春节调休上班"),  # a Wednesday
                MakeUpDay(D(2027, 9, 26), "国庆节调休上班"),
                MakeUpDay(D(2027, 9, 26), "国庆节调休上班"),
                MakeUpDay(D(2026, 11, 28), "元旦调休上班"),  # a Saturday, but November
            ],
        )
    assert err.value.messages == [
        "第1段放假安排（春节）的结束日期早于开始日期。",
        "第3段放假安排须填写节日名称，如“春节”。",
        "2027-10-07同时出现在两段放假安排中（国庆节、）。",
        "2027-02-03是星期三，本来就是工作日，不是调休上班日。",
        "调休上班日2027-09-26重复填写。",
        "调休上班日2026-11-28不在2027年内（元旦的调休最早可在上一年12月）。",
    ]
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert not CalendarDay.objects.filter(date__year=2027).exists()


@pytest.mark.usefixtures("no_2027")
def test_new_years_make_up_day_in_december_before_is_accepted(administrator: User) -> None:
    """The 2019 notice made Saturday 29 December 2018 a working day: such a day is kept."""
    _enter_2027(administrator, workdays=[MakeUpDay(D(2026, 12, 26), "元旦调休上班")])
    day = CalendarDay.objects.get(date=D(2026, 12, 26))
    assert (day.is_workday, day.name) == (True, "元旦调休上班")


def test_known_year_and_non_administrator_are_refused(tree: Tree, administrator: User) -> None:
    with pytest.raises(RuleViolation, match="2026年的节假日安排已经录入"):
        calendar_year_enter(
            actor=administrator,
            year=2026,
            holidays=[HolidayRange(D(2026, 1, 1), D(2026, 1, 1), "元旦")],
            workdays=[],
        )
    with pytest.raises(RuleViolation, match="只有系统管理员"):
        calendar_year_enter(actor=tree.county_staff, year=2027, holidays=NEW_YEAR_2027, workdays=[])


# --- the admin form -----------------------------------------------------------------------


@pytest.mark.usefixtures("no_2027")
def test_admin_form_enters_a_year_or_shows_every_refusal(tree: Tree) -> None:
    root = User.objects.create_superuser("root", "root@example.org", "pw")
    client = Client()
    client.force_login(root)
    url = "/admin/deadlines/calendarday/enter-year/"
    assert "录入全年节假日安排" in client.get("/admin/deadlines/calendarday/").content.decode()
    page = client.get(url).content.decode()
    assert "放假安排" in page and "调休上班日" in page

    bad = client.post(
        url,
        {"year": "2027", "holidays": "2026-12-31至2027-01-01 元旦\n明年春节", "workdays": ""},
    ).content.decode()
    assert "放假安排第2行“明年春节”无法识别" in bad
    refused = client.post(
        url,
        {
            "year": "2027",
            "holidays": "2026-12-31至2027-01-01 元旦",
            "workdays": "2027-02-03 春节调休上班",
        },
    ).content.decode()
    assert "的日期2026-12-31不在2027年内" in refused
    assert "2027-02-03是星期三" in refused
    assert not CalendarYear.objects.filter(year=2027).exists()

    done = client.post(
        url,
        {
            "year": "2027",
            "notice": "国办发明电〔2026〕9号",
            "holidays": "2027-01-01至2027-01-03 元旦\n2027-02-06至2027-02-13 春节",
            "workdays": "2027-02-14 春节调休上班",
        },
    )
    assert done.status_code == 302
    assert CalendarYear.objects.get(year=2027).notice == "国办发明电〔2026〕9号"
    assert CalendarDay.objects.filter(date__year=2027, is_workday=False).count() == 11
    assert CalendarDay.objects.get(date=D(2027, 2, 14)).is_workday


def test_rule_set_switch_records_each_moved_due_date(tree: Tree, administrator: User) -> None:
    """Switching the rule set re-derives due dates the same way: each move is an event."""
    case = make_case(tree.county_org, registered_on=D(2026, 11, 20), due_on=None)
    rule_set_activate(actor=administrator, rule_set=RuleSet.objects.get(code="2022"))
    event = CaseEvent.objects.get(case=case, kind="due_rederived")
    assert event.payload["due_on_before"] is None
    assert event.payload["due_on"] == "2027-01-19"
    assert event.payload["reason"].startswith("期限规则改为“")
    assert Case.objects.get(pk=case.pk).due_on == D(2027, 1, 19)


@pytest.mark.usefixtures("no_2027")
def test_objection_refused_on_a_provisional_last_day_says_so(tree: Tree) -> None:
    """The issue's example: a case sent down on 29 December 2026. Until 2027 is entered the
    last day is 5 January (1 January counted as a working day); a refusal on the 6th says
    the date is provisional."""
    with at(2026, 12, 29):
        case = to_read(register(tree.city_staff), tree.city_staff)
        assignment = cs.case_assign_down(
            actor=tree.city_staff, case=case, to_department=tree.county_org, routing_note="属地"
        )
    with at(2027, 1, 6), pytest.raises(RuleViolation, match="提出异议的期限") as err:
        cs.objection_raise(actor=tree.county_staff, assignment=assignment, reasons="不属本县")
    assert str(err.value) == (
        "已超过提出异议的期限（2027年01月05日），请按交转办要求办理。" + NOTE_2027
    )


def test_upgraded_package_entering_a_year_rederives_too(tree: Tree, administrator: User) -> None:
    """The other way to enter a year: seed_calendar after upgrading chinese-calendar. Here
    2026 is made unknown, a due date of 1 October 2026 was counted as a working day; the
    package's 2026 (National Day 1-7 October) moves it to 8 October, with an event."""
    CalendarDay.objects.filter(date__year=2026).delete()
    CalendarYear.objects.filter(year=2026).delete()
    invalidate_calendar()
    use_rule_set("2022")
    case = make_case(tree.county_org, registered_on=D(2026, 8, 2), due_on=D(2026, 10, 1))
    out = StringIO()
    call_command("seed_calendar", "--year", "2026", "--by", administrator.username, stdout=out)
    assert "新导入 2026 年：1 件在办案件的期限已重新计算，并写入办理记录。" in out.getvalue()
    assert Case.objects.get(pk=case.pk).due_on == D(2026, 10, 8)
    event = CaseEvent.objects.get(case=case, kind="due_rederived")
    assert event.payload["reason"] == "导入2026年法定节假日和调休安排后重新计算"
    assert CalendarYear.objects.get(year=2026).source == CalendarSource.PACKAGE
    with pytest.raises(CommandError, match="没有用户名为“nobody”的用户"):
        call_command("seed_calendar", "--year", "2026", "--by", "nobody", stdout=StringIO())


def test_r_protect_2_an_import_that_would_move_due_dates_needs_someone_to_name(
    tree: Tree, administrator: User
) -> None:
    """Without --by, the moves would be unrecorded: the whole import is refused, nothing is
    written, and the case keeps its date until an administrator runs it by name."""
    CalendarDay.objects.filter(date__year=2026).delete()
    CalendarYear.objects.filter(year=2026).delete()
    invalidate_calendar()
    use_rule_set("2022")
    case = make_case(tree.county_org, registered_on=D(2026, 8, 2), due_on=D(2026, 10, 1))
    with pytest.raises(CommandError, match="须以管理员名义记入办理记录"):
        call_command("seed_calendar", "--year", "2026", stdout=StringIO())
    assert Case.objects.get(pk=case.pk).due_on == D(2026, 10, 1)
    assert not CalendarYear.objects.filter(year=2026).exists()
    assert not CalendarDay.objects.filter(date__year=2026).exists()
    assert not CaseEvent.objects.filter(case=case, kind="due_rederived").exists()


def test_a_due_date_counted_in_months_without_rolling_is_never_provisional(tree: Tree) -> None:
    """The 1987 result date is three calendar months after the assignment, whatever the
    holidays: a date in a year without a calendar is firm, and the page does not say 暂定
    beside a clock that says 正常."""
    use_rule_set("1987")
    child = make_assigned(tree, sent_on=D(2026, 12, 1))
    Case.objects.filter(pk=child.pk).update(due_on=D(2027, 3, 1))
    [clock] = case_clocks(Case.objects.get(pk=child.pk), today=D(2026, 12, 2))
    assert (clock.due_on, clock.provisional) == (D(2027, 3, 1), False)
    client = Client()
    tree.county_staff.is_staff = True
    tree.county_staff.save(update_fields=["is_staff"])
    client.force_login(tree.county_staff)
    page = client.get(f"/admin/cases/case/{child.pk}/change/").content.decode()
    assert "2027-03-01" in page and "暂定" not in page
    listing = client.get("/admin/cases/case/").content.decode()
    assert "2027-03-01" in listing and "2027-03-01（暂定）" not in listing
