"""Time the search (cases/search.py) at a size that can be generated quickly (docs/search.md).

Run from the repository root on a demo database built with `xinfang demo --no-serve`:

    XINFANG_HOME=var/sbench .venv/bin/python tools/search_bench.py --copies 30
    XINFANG_HOME=var/sbench-pg DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME \
        .venv/bin/python tools/search_bench.py --copies 30

It copies the demo's first cases and their petitions `--copies` times in bulk (new numbers,
dates moved back a year per copy, each letter re-mixed from the demo's own sentences,
respondents and petitioners kept), indexes the copies with `index_petitions` in batches,
then times `search_cases` (total and first page of 50) for the demo's registrar and
supervisor, for a common word and a rare one: median and 95th percentile of `--runs`.
The copies have no timelines: a scratch database, not one to audit or serve.

`xinfang bench` (issue 10, built apart) calls `search_cases` the same way; `time_search`
below is the measuring loop it can reuse.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RARE = "翟家坳"  # planted in three letters
COMMON = "干部"


def _load_keys() -> None:
    home = Path(os.environ.get("XINFANG_HOME", "var"))
    key_file = home / "demo-keys.env"
    for line in key_file.read_text(encoding="utf-8").splitlines():
        name, _, value = line.partition("=")
        os.environ.setdefault(name, value)


def time_search(user: Any, query: str, runs: int) -> dict[str, float]:
    """Median and p95 (ms) of `runs` calls of search_cases(user, query): the total and the
    first page of 50, as the page and the API ask for them."""
    from xinfang.cases.search import search_cases

    times = []
    total = 0
    for _ in range(runs):
        start = time.perf_counter()
        found = search_cases(user, query)
        total = found.total
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return {"total": total, "median_ms": statistics.median(times), "p95_ms": p95}


def inflate(copies: int, seed: int) -> tuple[int, float, float]:
    """Bulk copies of the demo's cases and petitions; returns (petitions added, seconds to
    copy, seconds to index)."""
    from django.db import transaction

    from xinfang.cases.models import Case
    from xinfang.cases.search import index_petitions
    from xinfang.petitions.models import Petition, PetitionPetitioner, Respondent

    rng = random.Random(seed)
    roots = list(Case.objects.filter(root__isnull=True, merged_into__isnull=True).order_by("pk"))
    petitions = list(Petition.objects.filter(case__in=roots).order_by("pk"))
    by_case: dict[int, list[Petition]] = {}
    for p in petitions:
        by_case.setdefault(p.case_id, []).append(p)
    respondents: dict[int, list[Respondent]] = {}
    for r in Respondent.objects.filter(petition__in=petitions):
        respondents.setdefault(r.petition_id, []).append(r)
    links: dict[int, list[PetitionPetitioner]] = {}
    for link in PetitionPetitioner.objects.filter(petition__in=petitions):
        links.setdefault(link.petition_id, []).append(link)
    sentences = sorted({s for p in petitions for s in p.content.split("。") if s})
    summaries = sorted({p.summary for p in petitions})

    def clone(obj: Any, **over: Any) -> Any:
        data = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
        data.pop(obj._meta.pk.attname)
        data.update(over)
        return type(obj)(**data)

    added = 0
    copy_seconds = index_seconds = 0.0
    planted = 0
    for k in range(1, copies + 1):
        shift = dt.timedelta(days=365 * k)
        start = time.perf_counter()
        with transaction.atomic():
            new_cases = Case.objects.bulk_create(
                [
                    clone(
                        c,
                        number=f"B{k:03d}-{c.pk}",
                        root_id=None,
                        parent_id=None,
                        merged_into_id=None,
                        previous_case_id=None,
                        archive_number=None,
                        registered_at=c.registered_at - shift,
                        event_count=0,
                        last_event_hash="",
                    )
                    for c in roots
                ],
                batch_size=500,
            )
            new_petitions = []
            sources = []
            for old, new in zip(roots, new_cases, strict=True):
                for p in by_case.get(old.pk, []):
                    content = "。".join(rng.sample(sentences, rng.randint(2, 5))) + "。"
                    summary = rng.choice(summaries)
                    if planted < 3 and k == copies and rng.random() < 0.01:
                        summary = f"反映{RARE}村干部问题"
                        planted += 1
                    new_petitions.append(
                        clone(
                            p,
                            case_id=new.pk,
                            content=content,
                            summary=summary,
                            received_on=p.received_on - shift,
                            registered_at=p.registered_at - shift,
                        )
                    )
                    sources.append(p.pk)
            Petition.objects.bulk_create(new_petitions, batch_size=500)
            Respondent.objects.bulk_create(
                [
                    clone(r, petition_id=new.pk)
                    for src, new in zip(sources, new_petitions, strict=True)
                    for r in respondents.get(src, [])
                ],
                batch_size=500,
            )
            PetitionPetitioner.objects.bulk_create(
                [
                    clone(link, petition_id=new.pk)
                    for src, new in zip(sources, new_petitions, strict=True)
                    for link in links.get(src, [])
                ],
                batch_size=500,
            )
        copy_seconds += time.perf_counter() - start
        start = time.perf_counter()
        ids = [p.pk for p in new_petitions]
        for i in range(0, len(ids), 1000):
            with transaction.atomic():
                index_petitions(ids[i : i + 1000])
        index_seconds += time.perf_counter() - start
        added += len(new_petitions)
        print(f"copy {k}/{copies}: {added} petitions added", file=sys.stderr)
    return added, copy_seconds, index_seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=0)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--seed", type=int, default=10)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    _load_keys()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")
    import django

    django.setup()
    from django.db import connection

    from xinfang.cases.models import Case
    from xinfang.orgs.models import User
    from xinfang.petitions.models import Petition

    if args.copies:
        added, copy_s, index_s = inflate(args.copies, args.seed)
        print(f"added {added} petitions: copied in {copy_s:.1f} s, indexed in {index_s:.1f} s "
              f"({added / index_s:.0f} petitions/s)")
    users = {name: User.objects.get(username=name) for name in ("dengji", "dudao")}
    result: dict[str, Any] = {
        "engine": connection.vendor,
        "cases": Case.objects.count(),
        "petitions": Petition.objects.count(),
    }
    for name, user in users.items():
        for word in (COMMON, RARE):
            time_search(user, word, 2)  # warm caches
            result[f"{name} {word}"] = time_search(user, word, args.runs)
    for key, value in result.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
