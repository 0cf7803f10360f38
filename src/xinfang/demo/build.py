"""A realistic, deterministic demo province built only through the services.

How it works
------------
1. The organization tree (jurisdictions, departments, cadres, staff) is created with the
   org services (`jurisdiction_create`, `department_create`, `cadre_create`, `staff_create`).
2. A *plan* is drawn for every case with one `random.Random(seed)`: the receiving
   department, the matter, the petitioners, the route (handle here, assign or transfer down,
   refer, keep) and the fate (how far along its life it has come by today), plus repeats and
   duplicate registrations. Each plan is a list of timed steps.
3. All steps of all cases are executed in one global chronological order (a heap keyed by
   time), each step calling one service. So case numbers, `is_first` (R-INTAKE-5) and the
   per-case timelines all agree with the dates.

Dates: the services stamp `django.utils.timezone.now()`. `FrozenClock` replaces that module
attribute for the duration of the build with a function returning the time of the step being
executed, and restores the original afterwards (also on error). Every caller that goes through
`timezone.now()` / `timezone.localdate()` (the services, `auto_now_add` fields, Django's date
checks) sees the frozen time, so `received_on <= today` and the other date rules hold in the
past exactly as they do live, and the hash chain stores the frozen `created_at`.

All demo activity ends before today's midnight (local time), so two builds on the same day
produce the same data. Nothing writes Case, Petition or CaseEvent rows directly.
"""

from __future__ import annotations

import datetime as dt
import gc
import heapq
import itertools
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from xinfang.cases.models import Case
from xinfang.core.errors import RuleViolation
from xinfang.demo import text as T
from xinfang.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, DemoAccount
from xinfang.demo.alerts import build_warnings
from xinfang.demo.clock import FrozenClock
from xinfang.demo.fates import COVERAGE
from xinfang.demo.longterm import build_register
from xinfang.demo.orgtree import Names, OrgBuilder
from xinfang.demo.plan import HISTORY_DAYS, SEED, CasePlan, Planner
from xinfang.demo.run import BuildResult, CaseRun, Step
from xinfang.orgs.models import Jurisdiction, Level, User

DEFAULT_PETITIONS = 5000

__all__ = [
    "DEFAULT_PETITIONS",
    "DEMO_ACCOUNTS",
    "DEMO_PASSWORD",
    "BuildResult",
    "DemoAccount",
    "FrozenClock",
    "build_demo",
    "conflicting_usernames",
    "demo_exists",
]


def demo_exists() -> bool:
    return Jurisdiction.objects.filter(name=T.PROVINCE[0], level=Level.PROVINCE).exists()


def conflicting_usernames() -> list[str]:
    names = [a.username for a in DEMO_ACCOUNTS]
    return sorted(User.objects.filter(username__in=names).values_list("username", flat=True))


@contextmanager
def _quiet_gc() -> Iterator[None]:
    """The build makes millions of short-lived ORM objects and no reference cycles worth
    collecting mid-way: collect rarely while it runs (about 7% of the build time)."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(100_000, 50, 50)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def build_demo(
    *,
    petitions: int = DEFAULT_PETITIONS,
    seed: int = SEED,
    today: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> BuildResult:
    """Build the demo province with about `petitions` petitions; one transaction."""
    started = time.monotonic()
    today = today or timezone.localdate()
    rng = random.Random(seed)
    names = Names(rng)
    result = BuildResult()
    with _quiet_gc(), transaction.atomic(), FrozenClock() as clock:
        # The organization exists from the start of the demo period.
        clock.set(
            dt.datetime.combine(
                today - dt.timedelta(days=HISTORY_DAYS + 30),
                dt.time(9),
                tzinfo=timezone.get_current_timezone(),
            )
        )
        builder = OrgBuilder(rng, names)
        province = builder.build()
        if progress:
            progress(
                f"组织机构：{len(builder.orgs)} 个党委/单位，{len(builder.cadres)} 名干部，"
                f"{len(builder.staff)} 名工作人员。"
            )
        planner = Planner(rng, names, province, builder.orgs, builder.cadres, today)
        plans: list[CasePlan] = []
        expected = 0
        index = 0
        while expected < petitions:
            want = COVERAGE[index] if index < len(COVERAGE) else None
            plan = planner.draw_case(index, want)
            plans.append(plan)
            expected += 1 + len(plan.repeats) + (1 if plan.duplicate else 0)
            index += 1
        heap: list[tuple[dt.datetime, int, CaseRun, Step]] = []
        counter = itertools.count()
        for plan in plans:
            run = CaseRun(plan, planner, result)
            heapq.heappush(heap, (plan.first.when, next(counter), run, run.start))
        while heap:
            when, _n, run, step = heapq.heappop(heap)
            if run.broken:
                continue
            clock.set(when)
            run.now = when
            name = getattr(step, "__name__", "step")
            step_started = time.perf_counter()
            try:
                follow = step()
            except RuleViolation as exc:
                run.broken = True
                result.failures.append(f"案件计划{run.plan.index}（{run.plan.fate}）{name}：{exc}")
                continue
            elapsed = time.perf_counter() - step_started
            result.step_seconds[name] = result.step_seconds.get(name, 0.0) + elapsed
            result.step_counts[name] += 1
            for t, nxt in follow or ():
                heapq.heappush(heap, (t, next(counter), run, nxt))
        # Early warnings: a matter gathering in the last days, the poll, a first step.
        result.failures += build_warnings(today, clock)
        # The register of long-standing petitioners, as of the last day of the demo.
        clock.set(dt.datetime.combine(today, dt.time(17), tzinfo=timezone.get_current_timezone()))
        result.failures += build_register(today)
    result.cases = Case.objects.count()
    result.states = Counter(
        {row["state"]: row["n"] for row in Case.objects.values("state").annotate(n=Count("pk"))}
    )
    result.seconds = time.monotonic() - started
    return result
