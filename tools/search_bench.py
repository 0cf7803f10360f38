"""Time the search (cases/search.py) at a size that can be generated quickly (docs/search.md).

Run from the repository root, on an empty scratch database it creates (SQLite in
XINFANG_HOME, or PostgreSQL with DATABASE_URL naming a database of its own):

    XINFANG_HOME=var/sbench .venv/bin/python tools/search_bench.py --cases 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME XINFANG_HOME=var/sbench-pg \
        .venv/bin/python tools/search_bench.py --cases 100000

It migrates, builds the small province of the tests (tests/orgtree.py), then writes
`--cases` cases in bulk over ten years, spread over the departments, each with one petition
(one in three with a second), whose summary and letter are drawn from the demo's Chinese
templates (demo/text.py) with random names, posts and places, plus a rare word planted in
three letters; indexes them with `index_petitions` in batches of 1,000; and times
`search_cases` (the total and the first page of 50) for a registrar-handler-leader of a
prefecture and a supervisor of the province, for a common word and a rare one: median and
95th percentile of `--runs` calls. The cases have no timelines: a scratch database, not one
to audit or serve.

`--time-only` times a database this script filled before (by this or an older version: the
search index is brought up to date with `xinfang search_reindex` first). Every timing runs
after `ANALYZE`.

`xinfang bench` (issue 10, built apart) calls `search_cases` the same way; `time_search`
below is the measuring loop it can reuse.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RARE = "翟家坳"  # planted in three letters
COMMON = "干部"


def _environment() -> None:
    home = Path(os.environ.setdefault("XINFANG_HOME", "var/sbench"))
    home.mkdir(parents=True, exist_ok=True)
    key = base64.urlsafe_b64encode(b"search-bench-scratch-key-32bytes").decode()
    os.environ.setdefault("XINFANG_DATA_KEY", key)
    os.environ.setdefault("XINFANG_SECRET_KEY", "search-bench-scratch")
    os.environ.setdefault("XINFANG_AUDIT_KEY", key)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]


def time_search(user: Any, query: str, runs: int) -> dict[str, float]:
    """Median and p95 (ms) of `runs` calls of search_cases(user, query): the total and the
    first page of 50, as the page and the API ask for them."""
    from xinfang.cases.search import search_cases

    times = []
    cpu = []
    total = 0
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        found = search_cases(user, query)
        total = found.total
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    # This process's CPU time: on SQLite the whole search (the engine runs in the process),
    # and much less sensitive than the wall time to other work on a shared machine; on
    # PostgreSQL only the client's part.
    return {
        "total": total,
        "median_ms": statistics.median(times),
        "p95_ms": p95,
        "cpu_median_ms": statistics.median(cpu),
    }


def generate(count: int, seed: int) -> tuple[int, float, float]:
    """`count` cases in bulk; returns (petitions written, seconds to write, seconds to
    index)."""
    from django.db import transaction
    from django.utils import timezone
    from tests.orgtree import Tree

    from xinfang.cases.models import Case, State
    from xinfang.cases.search import index_petitions
    from xinfang.demo import text as T
    from xinfang.petitions.models import Petition, Petitioner, PetitionPetitioner, Respondent

    tree: Tree = TREE[0]
    rng = random.Random(seed)
    depts = [tree.city_org, tree.county_org, tree.baisha_org, tree.qingshan_org, tree.prov_org]
    registrar = tree.city_staff
    issues = list(T.ISSUES)
    people = Petitioner.objects.bulk_create(
        [
            Petitioner(name=rng.choice(T.SURNAMES) + rng.choice(T.GIVEN_MALE + T.GIVEN_FEMALE))
            for _ in range(2000)
        ]
    )

    def name() -> str:
        return rng.choice(T.SURNAMES) + rng.choice(T.GIVEN_MALE + T.GIVEN_FEMALE)

    def fill(template: str) -> str:
        values: dict[str, Any] = defaultdict(
            str,
            r=name(),
            relname=name(),
            name=name(),
            rpost=rng.choice(T.POSTS_BELOW),
            pos=rng.choice(T.POSTS_BELOW),
            runit=rng.choice(T.UNITS)[0] if isinstance(T.UNITS[0], tuple) else rng.choice(T.UNITS),
            place=rng.choice(T.TOWNSHIP_NAMES),
            village=rng.choice(T.TOWNSHIP_NAMES) + "村",
            rel=rng.choice(T.RELATIVES),
            company=rng.choice(T.COMPANIES)[0]
            if isinstance(T.COMPANIES[0], tuple)
            else rng.choice(T.COMPANIES),
            year=rng.randint(2000, 2015),
            year2=rng.randint(2016, 2026),
            month=rng.randint(1, 12),
            months=rng.randint(2, 30),
            amount=rng.randint(3, 90),
            org="市委组织部",
            identity="群众",
        )
        return template.format_map(values)

    now = timezone.now()
    written = 0
    write_s = index_s = 0.0
    planted = 0
    batch = 5000
    for offset in range(0, count, batch):
        n = min(batch, count - offset)
        start = time.perf_counter()
        with transaction.atomic():
            cases = []
            chosen = []
            for i in range(offset, offset + n):
                issue = rng.choice(issues)
                chosen.append(issue)
                when = now - dt.timedelta(minutes=(count - i) * 50)  # ten years at 10^5
                cases.append(
                    Case(
                        number=f"B-{i:08d}",
                        department=rng.choice(depts),
                        title=fill(rng.choice(issue.summaries))[:200],
                        category=issue.category,
                        nature=issue.nature,
                        state=rng.choice([State.CLOSED, State.ARCHIVED, State.HANDLING]),
                        registered_at=when,
                    )
                )
            Case.objects.bulk_create(cases, batch_size=1000)
            petitions = []
            for c, issue in zip(cases, chosen, strict=True):
                for extra in range(1 + (rng.random() < 1 / 3)):
                    summary = c.title if not extra else fill(rng.choice(issue.summaries))[:200]
                    bodies = rng.sample(issue.bodies, min(2, len(issue.bodies)))
                    content = "".join(fill(b) for b in bodies)
                    if planted < 3 and rng.random() < 3 / count:
                        content += f"此事发生在{RARE}。"
                        planted += 1
                    petitions.append(
                        Petition(
                            case=c,
                            channel="letter",
                            received_on=c.registered_at.date(),
                            registered_at=c.registered_at,
                            receiving_department=c.department,
                            registrar=registrar,
                            summary=summary,
                            content=content,
                            category=c.category,
                            nature=c.nature,
                        )
                    )
            Petition.objects.bulk_create(petitions, batch_size=1000)
            PetitionPetitioner.objects.bulk_create(
                [PetitionPetitioner(petition=p, petitioner=rng.choice(people)) for p in petitions],
                batch_size=1000,
            )
            Respondent.objects.bulk_create(
                [
                    Respondent(petition=p, name=name(), post_title=rng.choice(T.POSTS_BELOW))
                    for p in petitions
                ],
                batch_size=1000,
            )
        write_s += time.perf_counter() - start
        start = time.perf_counter()
        ids = [p.pk for p in petitions]
        for j in range(0, len(ids), 1000):
            with transaction.atomic():
                index_petitions(ids[j : j + 1000])
        index_s += time.perf_counter() - start
        written += len(petitions)
        print(f"{offset + n} cases, {written} petitions", file=sys.stderr)
    return written, write_s, index_s


TREE: list[Any] = []


def main() -> None:
    parser = argparse.ArgumentParser(description="Time the case search on generated data.")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--time-only", action="store_true", help="time a database filled before")
    parser.add_argument(
        "--jit",
        choices=["on", "off"],
        default="off",
        help="PostgreSQL's JIT for the timed statements (settings turn it off; on measures why)",
    )
    args = parser.parse_args()
    _environment()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from tests.orgtree import build_tree

    from xinfang.cases.models import Case
    from xinfang.orgs.models import User
    from xinfang.petitions.keys import check_data_key
    from xinfang.petitions.models import Petition

    call_command("migrate", verbosity=0)
    check_data_key()
    if args.time_only:
        # A database this script filled before: time the searches again.
        tree = argparse.Namespace(
            city_staff=User.objects.get(username="city"),
            prov_supervisor=User.objects.get(username="prov_supervisor"),
        )
        # A database filled by an older version: its index is rebuilt (the migration that
        # changed the preparation emptied it); nothing to do when it is up to date.
        start = time.perf_counter()
        call_command("search_reindex", verbosity=0)
        print(f"search_reindex: {time.perf_counter() - start:.1f} s", file=sys.stderr)
    else:
        if Case.objects.exists():
            sys.exit("the scratch database is not empty: remove it or name another")
        TREE.append(build_tree())
        written, write_s, index_s = generate(args.cases, args.seed)
        print(
            f"wrote {args.cases} cases, {written} petitions in {write_s:.1f} s; "
            f"indexed in {index_s:.1f} s ({written / index_s:.0f} petitions/s)"
        )
        tree = TREE[0]
    # Statistics first: a freshly loaded table has none, and PostgreSQL then guesses a
    # handful of rows for every condition and picks plans that scan (docs/search.md).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        if connection.vendor == "postgresql":
            cursor.execute(f"SET jit = {'on' if args.jit == 'on' else 'off'}")
    result: dict[str, Any] = {
        "engine": connection.vendor,
        "jit": args.jit if connection.vendor == "postgresql" else "",
        "cases": Case.objects.count(),
        "petitions": Petition.objects.count(),
    }
    for label, user in (("registrar", tree.city_staff), ("supervisor", tree.prov_supervisor)):
        for word in (COMMON, RARE):
            time_search(user, word, 1)  # warm caches
            result[f"{label} {word}"] = time_search(user, word, args.runs)
    result["load_average_after"] = [round(x, 1) for x in os.getloadavg()]
    for key, value in result.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
