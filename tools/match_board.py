"""Measure the matcher (issue 11) on a message-board export; nothing it reads is written to
the repository, and it prints counts and timings only, never a message.

    .venv/bin/python tools/match_board.py PATH/TO/board.csv [--window 30] [--scale 100000]

The file has the columns id, user, title, posted_at, text (the data folder's README).

1. Offline, with the matcher's own functions (matching/minhash.py, the same parameters):
   LSH candidate pairs, pairs verified at each Jaccard threshold, same-matter clusters
   (connected components of verified pairs), and automatic repeat links (identical
   normalised text from the same account within the window, each linked to the latest
   earlier one, as cases/matching.py: automatic_repeat_of does).
2. With --scale N: a throw-away SQLite database in a temporary folder; every message is
   registered through petition_register (the index written incrementally), the index is
   checked against a rebuild, then petitions are added in bulk up to N with texts made of
   sentences drawn from the file, the index rebuilt, and matter_candidates (the lookup the
   registration page makes) timed for 200 texts: p50, p95, max.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from xinfang.matching import minhash  # noqa: E402  (pure: no Django needed)


def read(path: str) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def offline(rows: list[dict[str, str]], window: int, recall: bool) -> None:
    texts = [r["text"] for r in rows]
    t0 = time.perf_counter()
    pieces = [minhash.shingles(t) for t in texts]
    keys = [minhash.band_keys(minhash.signature(p)) for p in pieces]
    took = time.perf_counter() - t0
    buckets: dict[int, list[int]] = defaultdict(list)
    for i, ks in enumerate(keys):
        for k in ks:
            buckets[k].append(i)
    pairs: set[tuple[int, int]] = set()
    for members in buckets.values():
        for a in range(len(members)):
            for b in range(a + 1, len(members)):
                pairs.add((members[a], members[b]))
    scored = {p: minhash.jaccard(pieces[p[0]], pieces[p[1]]) for p in pairs}
    print(f"messages: {len(rows)}; signatures: {took / len(rows) * 1000:.2f} ms each")
    print(f"LSH candidate pairs: {len(pairs)}")
    for threshold in (0.3, 0.5, 0.7, 0.9):
        verified = [p for p, j in scored.items() if j >= threshold]
        clusters = _components(len(rows), verified)
        sizes = sorted((len(c) for c in clusters), reverse=True)
        print(
            f"  Jaccard >= {threshold}: pairs {len(verified)}, clusters {len(clusters)}, "
            f"messages in clusters {sum(sizes)}, largest {sizes[:5]}"
        )
    # Recall of LSH against brute force on a sample: pairs above 0.5 that LSH missed.
    rng = random.Random(11)
    sample = rng.sample(range(len(rows)), min(300, len(rows)) if recall else 0)
    missed = found = 0
    for a in sample:
        for b in range(len(rows)):
            if a == b:
                continue
            if minhash.jaccard(pieces[a], pieces[b]) >= 0.5:
                key = (min(a, b), max(a, b))
                found += key in pairs
                missed += key not in pairs
    if recall:
        print(f"LSH recall at Jaccard >= 0.5 (300 messages against all): {found}/{found + missed}")

    digests = [minhash.text_digest(t) for t in texts]
    when = [dt.datetime.fromisoformat(r["posted_at"]).date() for r in rows]
    order = sorted(range(len(rows)), key=lambda i: (when[i], i))
    last_seen: dict[tuple[str, str], int] = {}
    links = 0
    other_account = 0
    by_digest: dict[str, set[str]] = defaultdict(set)
    for i in order:
        key = (rows[i]["user"], digests[i])
        j = last_seen.get(key)
        if j is not None and (when[i] - when[j]).days <= window:
            links += 1
        if digests[i] in by_digest and rows[i]["user"] not in by_digest[digests[i]]:
            other_account += 1
        by_digest[digests[i]].add(rows[i]["user"])
        last_seen[key] = i
    same_text_any = sum(1 for d in set(digests) if digests.count(d) > 1)
    print(f"automatic repeat links (same account, identical text, within {window} days): {links}")
    print(f"identical text already posted by another account (not linked): {other_account}")
    print(f"distinct texts posted more than once: {same_text_any}")


def _components(n: int, edges: list[tuple[int, int]]) -> list[list[int]]:
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        parent[find(a)] = find(b)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        groups[find(i)].append(i)
    return [g for g in groups.values() if len(g) > 1]


def scaled(rows: list[dict[str, str]], size: int) -> None:
    home = tempfile.mkdtemp(prefix="xinfang-match-")
    os.environ.update(
        {
            "XINFANG_HOME": home,
            "XINFANG_SECRET_KEY": "measure-only",
            "XINFANG_DATA_KEY": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            "XINFANG_AUTO_REPEAT": "0",
            "DJANGO_SETTINGS_MODULE": "xinfang.settings",
        }
    )
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from xinfang.cases.actions import petition_register
    from xinfang.cases.matching import matter_candidates
    from xinfang.matching.index import rebuild
    from xinfang.matching.models import MatterBand, MatterText, PersonKey
    from xinfang.orgs.services import department_create, jurisdiction_create, staff_create
    from xinfang.petitions.keys import check_data_key
    from xinfang.petitions.models import Petition
    from xinfang.petitions.services import PetitionerInput

    call_command("migrate", verbosity=0)
    check_data_key()
    county = jurisdiction_create(name="测试县", level="county")
    dept = department_create(jurisdiction=county, kind="organization", name="测试县委组织部")
    user = staff_create(
        username="registrar",
        full_name="登记员",
        department=dept,
        roles=["registrar", "handler", "leader"],
    )
    t0 = time.perf_counter()
    for r in rows:
        petition_register(
            actor=user,
            channel="online",
            received_on=dt.datetime.fromisoformat(r["posted_at"]).date(),
            summary=(r["title"] or "网上留言")[:200],
            content=r["text"] or r["title"],
            category="outside_remit",
            nature="suggestion",
            petitioners=[PetitionerInput(name=r["user"][:50])],
        )
    took = time.perf_counter() - t0
    print(
        f"registered {len(rows)} through petition_register: {took / len(rows) * 1000:.1f} ms each"
    )

    def snapshot() -> tuple[set[tuple[int, int]], set[tuple[int, str]], set[tuple[int, str]]]:
        return (
            set(MatterBand.objects.values_list("petition_id", "key")),
            set(MatterText.objects.values_list("petition_id", "digest")),
            set(PersonKey.objects.values_list("petitioner_id", "sound_hash")),
        )

    before = snapshot()
    with transaction.atomic():
        rebuild()
    print(f"incremental index equals a rebuild: {snapshot() == before}")

    rng = random.Random(11)
    sentences = [s for r in rows for s in r["text"].split("。") if len(s) > 8]
    template = Petition.objects.order_by("pk").first()
    assert template is not None
    cases = list(Petition.objects.values_list("case_id", flat=True))
    today = timezone.localdate()
    made = Petition.objects.count()
    t0 = time.perf_counter()
    while made < size:
        batch = []
        for _ in range(min(5000, size - made)):
            text = "。".join(rng.sample(sentences, rng.randint(2, 6)))
            batch.append(
                Petition(
                    case_id=rng.choice(cases),
                    channel="online",
                    received_on=today,
                    registered_at=timezone.now(),
                    receiving_department=dept,
                    registrar=user,
                    summary="合成",
                    content=text,
                    category="outside_remit",
                    nature="suggestion",
                )
            )
        Petition.objects.bulk_create(batch)
        made += len(batch)
    with transaction.atomic():
        rebuild(batch=5000)
    print(
        f"built {made} petitions and their index in {time.perf_counter() - t0:.0f} s "
        f"({MatterBand.objects.count()} band rows)"
    )
    queries = [
        "。".join(rng.sample(sentences, rng.randint(2, 6))) if i % 2 else rows[i]["text"]
        for i in rng.sample(range(len(rows)), 200)
    ]
    times = []
    for text in queries:
        t = time.perf_counter()
        matter_candidates(user, text=text, category="outside_remit")
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    print(
        f"matter_candidates over {made} petitions, 200 look-ups: "
        f"p50 {statistics.median(times):.1f} ms, p95 {times[189]:.1f} ms, max {times[-1]:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--window", type=int, default=30)
    parser.add_argument("--scale", type=int, default=0)
    parser.add_argument("--no-recall", action="store_true", help="skip the brute-force check")
    args = parser.parse_args()
    rows = read(args.path)
    offline(rows, args.window, recall=not args.no_recall)
    if args.scale:
        scaled(rows, args.scale)


if __name__ == "__main__":
    main()
