"""`xinfang bench run`: the operations of issue 10 measured on the database as it is
(normally one filled by `xinfang bench generate`), with medians and 95th percentiles, the
data size and the machine. Reads only, except the registrations and the bulk import's two
files (`--import-rows` rows each), which are kept: a few thousand among the generated cases
change no figure that matters.

Each operation runs through the code the pages run (the services, `queues_for`,
`department_overview`, `key_figures`), not through HTTP: the HTTP load test is not built.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import connection, reset_queries
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xinfang.cases import access, queues, supervision
from xinfang.cases.actions import petition_register
from xinfang.cases.imports import import_messages, import_registers, people_of
from xinfang.cases.matching import matter_candidates, person_candidates
from xinfang.cases.models import OPEN_STATES, Case, CaseEvent, Review
from xinfang.cases.queues import queue_counts, queues_for
from xinfang.cases.search import SearchPage, search_cases
from xinfang.cases.selectors import key_figures
from xinfang.cases.supervision import department_overview
from xinfang.matching.people import PersonFacts
from xinfang.orgs.models import Department, Level, Role, User
from xinfang.petitions.import_samples import write_sample
from xinfang.petitions.models import Petition, PetitionPetitioner
from xinfang.petitions.services import PetitionerInput

PAGE = 50
SEARCH_WORDS = {"common": "干部", "rare": "小舅子"}
# A department's own staff (the busiest county's handler) also search a word of middling
# frequency, mostly in letters (protected text), the hardest case for them (docs/search.md).
DEPARTMENT_SEARCH_WORDS = {"common": "干部", "middling": "工资", "rare": "小舅子"}


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]


def _timed(fn: Callable[[], object], repeat: int) -> dict[str, float]:
    """Wall time (what a user waits) and this process's CPU time (what the Python side
    costs, without the waiting for a core on a shared machine or for the database, whose
    work runs in its own process on PostgreSQL and in this one on SQLite)."""
    fn()  # warm the caches once, as a server that has been running would have them
    times = []
    cpu = []
    for _ in range(repeat):
        reset_queries()
        started = time.perf_counter()
        cpu_started = time.process_time()
        fn()
        cpu.append((time.process_time() - cpu_started) * 1000)
        times.append((time.perf_counter() - started) * 1000)
    return {
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(_p95(times), 2),
        "cpu_median_ms": round(statistics.median(cpu), 2),
        "runs": len(times),
    }


def _legacy_visible_to(user: User) -> QuerySet[Case]:
    """cases_visible_to as it was before issue 10 (an OR across a join to a second copy of
    the cases table), kept here only to measure the change against it."""
    dept = user.department if user.is_authenticated else None
    if dept is None:
        return Case.objects.none()
    visible = Q(department=dept) | Q(parent__department=dept) | Q(follow_department=dept)
    visible |= Q(Exists(Review.objects.filter(case=OuterRef("pk"), department=dept)))
    if user.has_role(Role.SUPERVISOR):
        path = dept.jurisdiction.path
        visible |= Q(
            department__kind=dept.kind, department__jurisdiction__path__startswith=path
        ) & ~Q(department__jurisdiction=dept.jurisdiction)
    return Case.objects.filter(visible)


def use_legacy_visibility() -> None:
    """Swap the old definition in where the measured code looks it up (measurement only)."""
    for module in (access, queues, supervision):
        setattr(module, "cases_visible_to", _legacy_visible_to)  # noqa: B010


def _busiest(level: str) -> Department:
    """The department of a level holding the most cases: the slowest queue of its kind."""
    row = (
        Case.objects.filter(department__jurisdiction__level=level)
        .values("department_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    if row is None:
        raise LookupError(level)
    return Department.objects.get(pk=row["department_id"])


def _staff(dept: Department, role: str) -> User:
    user = User.objects.filter(department=dept, staff_roles__role=role).order_by("pk").first()
    if user is None:
        raise LookupError(role)
    return user


def _workbench(user: User, today: dt.date) -> Callable[[], object]:
    """The workbench: every queue's count, and the first page of the first queue."""

    def run() -> object:
        counts = queue_counts(user, today)
        first = queues_for(user)[0]
        page = list(first.cases(user, today)[:PAGE])
        return counts, page

    return run


def _register(registrar: User) -> Callable[[], object]:
    """A new letter from a new person each run, so that every run opens a new case. (Until
    3 December 2026 every run sent the same text with the same phone number: from the
    second run on each was linked automatically as a repeat of the first case (issue 11),
    and each look-up grew with the runs before it; docs/benchmarks.md, "Registration
    profile".)"""
    counter = [0]
    tag = time.time_ns() % 10**6  # another database run, other letters

    def run() -> object:
        counter[0] += 1
        n = counter[0]
        return petition_register(
            actor=registrar,
            channel="letter",
            received_on=timezone.localdate(),
            summary="反映某局长在干部选拔中搞亲属关系",
            content=(
                "我单位局长在提拔干部时优先安排亲属，群众意见很大，请组织上调查。"
                f"（来信第{tag}-{n}号）"
            ),
            category="misconduct",
            nature="accusation",
            petitioners=[
                PetitionerInput(name=f"测试{n}", phone=f"139{tag % 1000:03d}{n % 100000:05d}")
            ],
        )

    return run


def search_hook(user: User, repeat: int, words: dict[str, str] | None = None) -> dict[str, Any]:
    """xinfang's search selector (`cases/search.py: search_cases`, the first page of 50 and
    the total, as the search page shows them) for each of `words` (a common and a rare word
    unless given), with the totals found."""
    found: dict[str, Any] = {"status": "measured", "page": PAGE}
    for label, word in (words or SEARCH_WORDS).items():

        def run(word: str = word) -> SearchPage:
            return search_cases(user, word, page_size=PAGE)

        first = run()
        # `more`: the answer has more than `total` cases (cases/search.py: TOTAL_CAP), which
        # the page says as "more than"; `total` is then not the whole answer's size.
        found[label] = {"word": word, "total": first.total, "more": first.more}
        found[label].update(_timed(run, repeat))
    return found


def candidates_hook(registrar: User, repeat: int) -> dict[str, Any]:
    """The two look-ups the registration form makes while a letter is typed (issue 11:
    same matter and same person, p95 20 ms at 1,000,000 cases), as `registrar`. Each run
    takes one of the newest petitions of the registrar's department with its first
    petitioner, alternately as they are (the same person writing the same letter again:
    found by phone and name, the text identical) and changed (a sentence added to the text,
    the phone unknown: found by name and address only, the text near). `found` counts the
    runs that got at least one candidate."""
    dept = registrar.department
    rows = list(
        Petition.objects.filter(case__department=dept)
        .order_by("-pk")
        .values_list("pk", "content")[: max(1, repeat)]
    )
    first: dict[int, Any] = {}
    links = PetitionPetitioner.objects.filter(petition_id__in=[pk for pk, _ in rows])
    for link in links.select_related("petitioner").order_by("pk"):
        first.setdefault(link.petition_id, link.petitioner)
    samples = []
    for n, (pk, content) in enumerate(rows):
        writer = first.get(pk)
        if writer is None:
            continue
        changed = n % 2 == 1
        samples.append(
            (
                content + ("另外，此事已向有关部门反映多次，至今没有答复。" if changed else ""),
                PersonFacts(
                    name=writer.name,
                    phone_hash="" if changed else writer.phone_hash,
                    address=writer.address,
                    work_unit=writer.work_unit,
                ),
            )
        )
    if not samples:
        return {"status": "not measured: no petition with a petitioner in the department"}
    turn = [0]
    found = {"matter": 0, "person": 0}

    def sample() -> tuple[str, PersonFacts]:
        turn[0] += 1
        return samples[turn[0] % len(samples)]

    def matter() -> object:
        hits = matter_candidates(registrar, text=sample()[0])
        found["matter"] += bool(hits)
        return hits

    def person() -> object:
        hits = person_candidates(registrar, sample()[1])
        found["person"] += bool(hits)
        return hits

    def both() -> object:
        text, facts = sample()
        return matter_candidates(registrar, text=text), person_candidates(registrar, facts)

    result: dict[str, Any] = {"status": "measured", "samples": len(samples)}
    result["matter"] = _timed(matter, repeat)
    result["person"] = _timed(person, repeat)
    result["both"] = _timed(both, repeat)
    result["found"] = dict(found)  # of repeat + 1 runs each (the first warms the caches)
    for name, fn in (("matter", matter), ("person", person), ("both", both)):
        result[name].update(_statements(fn, repeat))
    return result


def _statements(fn: Callable[[], object], repeat: int) -> dict[str, float]:
    """SQL statements per run, counted in runs apart from the timed ones (recording them
    costs time): each statement costs Django and the driver 1-3 ms of CPU whatever the
    database does with it (docs/matching.md)."""
    counts = []
    for _ in range(max(1, repeat)):
        with CaptureQueriesContext(connection) as captured:
            fn()
        counts.append(len(captured.captured_queries))
    return {"statements_median": statistics.median(counts), "statements_max": max(counts)}


def bulk_import(department: Department, registrar: User, rows: int) -> dict[str, Any]:
    """The bulk import's rate (issue 10): a generated message file and a generated register
    (`xinfang import sample`), each imported through the batch path (`cases/imports.py`)
    into `department` by its registrar, under a source and a sample seed of this run's own
    (so a second run imports new people's rows instead of skipping rows already imported or
    registering repeats one by one). Rows per second of wall time
    and of this process's CPU; the sample register refuses a few rows on purpose (a wrong
    ID check digit), reported as rejected."""
    receiver = (
        User.objects.filter(department=department, staff_roles__role=Role.HANDLER)
        .order_by("pk")
        .first()
    )
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    found: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="xinfang-bench-") as folder:
        for kind in ("messages", "registers"):
            path = Path(folder) / f"{kind}.csv"
            # A seed of the run's own: the same sample twice would be the same people writing
            # the same texts again, which the import rightly sends one by one as repeats.
            seed = int(stamp) % 2**31
            write_sample(
                kind, path, rows, seed=seed, receiver=receiver.username if receiver else ""
            )
            source = f"bench-{kind}-{stamp}"
            cpu_started = time.process_time()
            server_started = backend_cpu_seconds()
            if kind == "messages":
                report = import_messages(path, actor=registrar, department=department, board=source)
            else:
                # The rate of writing, as before the same-person look-up (issue 11 item 2),
                # which is timed on its own below.
                report = import_registers(
                    path, actor=registrar, department=department, source=source, people=False
                )
            cpu = time.process_time() - cpu_started
            server_ended = backend_cpu_seconds()
            server = (
                server_ended - server_started
                if server_started is not None and server_ended is not None
                else None
            )
            found[kind] = {
                "source": source,
                "rows": report.total,
                "imported": report.imported,
                "already": report.already,
                "rejected": report.rejected,
                "seconds": round(report.seconds, 2),
                "rows_per_s": round(report.rate, 1),
                "rows_per_cpu_s": round(report.imported / cpu, 1) if cpu else 0.0,
                # The CPU a row costs the client and (PostgreSQL on this machine) the server:
                # what two cores can give, docs/imports.md.
                "cpu_ms_per_row": _per_row(cpu, report.imported),
                "server_cpu_ms_per_row": (
                    _per_row(server, report.imported) if server is not None else None
                ),
            }
            if kind == "registers":
                looking = time.monotonic()
                matches = people_of(registrar, report.written)
                seconds = time.monotonic() - looking
                found[kind]["same_person"] = {
                    "rows_listed": len({m.row for m in matches}),
                    "seconds": round(seconds, 3),
                    "rows_per_s": round(report.imported / seconds, 1) if seconds else 0.0,
                }
    return found


def _per_row(seconds: float, rows: int) -> float:
    return round(seconds * 1000 / rows, 3) if rows else 0.0


def backend_cpu_seconds() -> float | None:
    """The CPU time (user and system) of this connection's PostgreSQL backend so far, read
    from /proc when the server runs on this machine; None on SQLite (the engine works in
    this process, whose CPU the benchmark counts already) or for a server elsewhere."""
    if connection.vendor != "postgresql":
        return None
    host = str(connection.settings_dict.get("HOST") or "")
    if host not in ("", "localhost", "127.0.0.1", "::1") and not host.startswith("/"):
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    proc = Path("/proc") / str(pid)
    try:
        if (proc / "comm").read_text().strip() != "postgres":
            return None
        # Fields 14 and 15 of stat (utime, stime), counted after the command's ")".
        fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _database_size() -> int:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            row = cursor.fetchone()
        return int(row[0]) if row else 0
    with connection.cursor() as cursor:  # the pages in use, file or memory alike
        cursor.execute("PRAGMA page_count")
        pages = cursor.fetchone()
        cursor.execute("PRAGMA page_size")
        size = cursor.fetchone()
    return int(pages[0]) * int(size[0]) if pages and size else 0


# What the figures depend on beyond the data: PostgreSQL's buffers decide whether a search
# at a million reads its pages from its own memory or the operating system's (docs/scale.md,
# "shared_buffers"); SQLite's page cache and memory map are the connection's.
PG_SETTINGS = ("server_version", "shared_buffers", "work_mem", "jit")
SQLITE_PRAGMAS = ("cache_size", "mmap_size", "journal_mode")


def _database_settings() -> dict[str, Any]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            shown = {}
            for name in PG_SETTINGS:
                cursor.execute(f"SHOW {name}")
                shown[name] = cursor.fetchone()[0]
            return shown
        cursor.execute("SELECT sqlite_version()")
        found: dict[str, Any] = {"sqlite_version": cursor.fetchone()[0]}
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(f"PRAGMA {pragma}")
            row = cursor.fetchone()
            found[pragma] = row[0] if row else None
        return found


def _machine() -> dict[str, Any]:
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "database": connection.vendor,
        "database_settings": _database_settings(),
    }


def run_benchmarks(
    *, repeat: int, legacy_visibility: bool = False, import_rows: int = 2000
) -> dict[str, Any]:
    if legacy_visibility:
        use_legacy_visibility()
    today = timezone.localdate()
    county = _busiest(Level.COUNTY)
    province = _busiest(Level.PROVINCE)
    supervisor = _staff(province, Role.SUPERVISOR)
    data = {
        "cases": Case.objects.count(),
        "petitions": Petition.objects.count(),
        "events": CaseEvent.objects.count(),
        "open_cases": Case.objects.filter(state__in=OPEN_STATES).count(),
        "busiest_county_cases": Case.objects.filter(department=county).count(),
        "province_cases": Case.objects.filter(department=province).count(),
    }
    handler = _staff(county, Role.HANDLER)
    leader = _staff(county, Role.LEADER)
    results: dict[str, Any] = {
        "visibility": "legacy OR" if legacy_visibility else "union of indexed parts",
        "handler_workbench": _timed(_workbench(handler, today), repeat),
        "leader_workbench": _timed(_workbench(leader, today), repeat),
        "supervisor_view": _timed(lambda: department_overview(supervisor, today), repeat),
        "key_figures_province_ytd": _timed(
            lambda: key_figures(province, today.year, today=today), repeat
        ),
        "search": search_hook(supervisor, repeat),
        "search_department": search_hook(handler, repeat, DEPARTMENT_SEARCH_WORDS),
        "register_petition": _timed(_register(_staff(county, Role.REGISTRAR)), repeat),
        "candidates": candidates_hook(_staff(county, Role.REGISTRAR), repeat),
        "bulk_import": bulk_import(county, _staff(county, Role.REGISTRAR), import_rows),
    }
    return {
        "at": timezone.now().isoformat(timespec="seconds"),
        "data": data,
        "database_bytes": _database_size(),
        "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "machine": _machine(),
        "results": results,
    }
