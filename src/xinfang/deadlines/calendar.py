"""The working calendar: Mon-Fri workdays, corrected by CalendarDay rows (holidays, 调休).

`WorkingCalendar` is pure arithmetic over a year -> {date: is_workday} loader, so clock
computation can be tested without a database. The process-wide instance from
`get_calendar()` loads each year's rows once; the calendar services call
`invalidate_calendar()` after every change, and a short time-to-live bounds how long another
process (another app server) can keep an old copy.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from xinfang.deadlines.models import CalendarDay, CalendarYear

ONE_DAY = dt.timedelta(days=1)

# Other processes see an administrator's edit within this many seconds.
CACHE_SECONDS = 300.0

# chinese_calendar's English holiday names -> the names an administrator reads.
HOLIDAY_NAMES: dict[str, StrOrPromise] = {
    "New Year's Day": _("元旦"),
    "Spring Festival": _("春节"),
    "Tomb-sweeping Day": _("清明节"),
    "Labour Day": _("劳动节"),
    "Dragon Boat Festival": _("端午节"),
    "National Day": _("国庆节"),
    "Mid-autumn Festival": _("中秋节"),
    "Anti-Fascist 70th Day": _("中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日"),
}

YearLoader = Callable[[int], Mapping[dt.date, bool]]
KnownYearsLoader = Callable[[], Collection[int]]


def default_is_workday(day: dt.date) -> bool:
    """The rule when no row says otherwise: Monday to Friday."""
    return day.weekday() < 5


def _weekdays_after(start: dt.date, end: dt.date) -> int:
    """Mon-Fri days in (start, end], for end >= start, without walking day by day."""
    span = (end - start).days
    full_weeks, rest = divmod(span, 7)
    count = full_weeks * 5
    day = start + dt.timedelta(days=full_weeks * 7)
    for _step in range(rest):
        day += ONE_DAY
        if day.weekday() < 5:
            count += 1
    return count


class WorkingCalendar:
    """Working-day arithmetic over per-year overrides (date -> is_workday).

    `known_years` loads the years whose holidays are known (CalendarYear rows); a day of
    any other year is counted by the Mon-Fri default, and `unknown_years` tells a clock
    that its due date is therefore provisional. None means every year is known."""

    def __init__(self, loader: YearLoader, known_years: KnownYearsLoader | None = None) -> None:
        self._loader = loader
        self._years: dict[int, Mapping[dt.date, bool]] = {}
        self._lock = threading.Lock()
        self._known_loader = known_years
        self._known: frozenset[int] | None = None

    @classmethod
    def from_overrides(
        cls, overrides: Mapping[dt.date, bool], known_years: Collection[int] | None = None
    ) -> WorkingCalendar:
        """A calendar from a fixed set of days (tests, previews)."""
        by_year: dict[int, dict[dt.date, bool]] = {}
        for day, workday in overrides.items():
            by_year.setdefault(day.year, {})[day] = workday
        known = None if known_years is None else frozenset(known_years)
        return cls(lambda year: by_year.get(year, {}), None if known is None else lambda: known)

    def is_known_year(self, year: int) -> bool:
        if self._known_loader is None:
            return True
        if self._known is None:
            self._known = frozenset(self._known_loader())
        return year in self._known

    def unknown_years(self, first: dt.date, last: dt.date) -> tuple[int, ...]:
        """Years between the two days (inclusive, either order) whose holidays are unknown."""
        lo, hi = sorted((first.year, last.year))
        return tuple(y for y in range(lo, hi + 1) if not self.is_known_year(y))

    def _year(self, year: int) -> Mapping[dt.date, bool]:
        rows = self._years.get(year)
        if rows is None:
            with self._lock:
                rows = self._years.get(year)
                if rows is None:
                    rows = dict(self._loader(year))
                    self._years[year] = rows
        return rows

    def is_workday(self, day: dt.date) -> bool:
        override = self._year(day.year).get(day)
        return default_is_workday(day) if override is None else override

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after `start` (the start day itself is not counted)."""
        if n < 0:
            raise ValueError("n must be >= 0")
        day = start
        while n > 0:
            day += ONE_DAY
            if self.is_workday(day):
                n -= 1
        return day

    def next_workday_on_or_after(self, day: dt.date) -> dt.date:
        while not self.is_workday(day):
            day += ONE_DAY
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]; negative when end is before start.

        So `working_days_between(d, add_working_days(d, n)) == n`.
        """
        if end < start:
            return -self.working_days_between(end, start)
        count = _weekdays_after(start, end)
        for year in range(start.year, end.year + 1):
            for day, workday in self._year(year).items():
                if start < day <= end and workday != default_is_workday(day):
                    count += 1 if workday else -1
        return count


def _load_year(year: int) -> dict[dt.date, bool]:
    return dict(CalendarDay.objects.filter(date__year=year).values_list("date", "is_workday"))


_shared: WorkingCalendar | None = None
_shared_loaded_at = 0.0


def _load_known_years() -> list[int]:
    return list(CalendarYear.objects.values_list("year", flat=True))


def get_calendar() -> WorkingCalendar:
    """The process-wide calendar backed by CalendarDay and CalendarYear rows."""
    global _shared, _shared_loaded_at
    now = time.monotonic()
    if _shared is None or now - _shared_loaded_at > CACHE_SECONDS:
        _shared = WorkingCalendar(_load_year, _load_known_years)
        _shared_loaded_at = now
    return _shared


def invalidate_calendar() -> None:
    """Forget loaded years; called by every service that writes CalendarDay rows."""
    global _shared
    _shared = None


def is_workday(day: dt.date) -> bool:
    return get_calendar().is_workday(day)


def add_working_days(start: dt.date, n: int) -> dt.date:
    return get_calendar().add_working_days(start, n)


def working_days_between(start: dt.date, end: dt.date) -> int:
    return get_calendar().working_days_between(start, end)


@dataclass(frozen=True)
class PackageDay:
    date: dt.date
    is_workday: bool
    name: str


def _package_tables() -> tuple[dict[dt.date, str], dict[dt.date, str]]:
    """chinese_calendar's (holidays, make-up workdays): date -> English holiday name."""
    import chinese_calendar  # type: ignore[import-untyped]

    return chinese_calendar.holidays, chinese_calendar.workdays


def package_years() -> list[int]:
    """Years for which the installed chinese_calendar knows the State Council's schedule."""
    return sorted({d.year for d in _package_tables()[0]})


def package_days(years: Iterable[int] | None = None) -> list[PackageDay]:
    """Holidays and make-up workdays (调休上班) the installed chinese_calendar knows."""
    holidays, workdays = _package_tables()
    wanted = set(years) if years is not None else None
    days: list[PackageDay] = []
    for day, english in holidays.items():
        if wanted is None or day.year in wanted:
            days.append(PackageDay(day, False, str(HOLIDAY_NAMES.get(english, english))))
    for day, english in workdays.items():
        # The package's `workdays` holds only the weekend days worked in lieu (调休).
        if (wanted is None or day.year in wanted) and not default_is_workday(day):
            name = HOLIDAY_NAMES.get(english, english)
            days.append(PackageDay(day, True, gettext("%(name)s调休上班") % {"name": name}))
    return sorted(days, key=lambda d: d.date)


def calendar_missing_years(today: dt.date) -> list[int]:
    """This year and next year, if their holidays are not known (no CalendarYear row).

    A clock reaching into such a year is provisional (暂定), so the admin warns.
    """
    wanted = [today.year, today.year + 1]
    present = set(CalendarYear.objects.filter(year__in=wanted).values_list("year", flat=True))
    return [year for year in wanted if year not in present]
