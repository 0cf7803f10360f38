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
3. With --prepare OUT.csv: a throw-away SQLite database in a temporary folder; the file is
   imported as `xinfang import messages` imports it (cases/imports.py, the automatic repeat
   link on, --window days); then 100 links (pairs the index finds at Jaccard >= 0.3, each
   marked whether the import linked it automatically) and 100 cluster memberships (a
   message of a cluster of such pairs, against the cluster's earliest message) are sampled
   and written to OUT with an empty `verdict` and `reason` for a person to fill (y / n).
   OUT holds message text: give a path outside the repository, and delete it after.
4. With --read OUT.csv: the precision of a filled sample, per kind, and the reasons given
   for the wrong ones (counts only).
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


SAMPLE_FIELDS = [
    "kind",
    "n",
    "a_id",
    "b_id",
    "jaccard",
    "automatic",
    "same_user",
    "a_title",
    "b_title",
    "a_text",
    "b_text",
    "verdict",
    "reason",
]


def _scratch_django(window: int) -> None:
    home = tempfile.mkdtemp(prefix="xinfang-match-")
    os.environ.update(
        {
            "XINFANG_HOME": home,
            "XINFANG_SECRET_KEY": "measure-only",
            "XINFANG_DATA_KEY": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            "XINFANG_AUTO_REPEAT": "1",
            "XINFANG_REPEAT_WINDOW_DAYS": str(window),
            "DJANGO_SETTINGS_MODULE": "xinfang.settings",
        }
    )
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()


def prepare(path: str, out: str, window: int, size: int = 100) -> None:
    """Import `path` into a scratch database and write the reading sample to `out`."""
    if Path(out).resolve().is_relative_to(ROOT):
        raise SystemExit("the sample holds message text: write it outside the repository")
    _scratch_django(window)
    from django.core.management import call_command

    from xinfang.cases.imports import import_messages
    from xinfang.cases.models import CaseEvent
    from xinfang.matching.index import text_hits
    from xinfang.orgs.services import department_create, jurisdiction_create, staff_create
    from xinfang.petitions.keys import check_data_key
    from xinfang.petitions.models import ImportedPetition, Petition

    call_command("migrate", verbosity=0)
    check_data_key()
    county = jurisdiction_create(name="测试县", level="county")
    dept = department_create(jurisdiction=county, kind="organization", name="测试县委组织部")
    user = staff_create(
        username="registrar", full_name="登记员", department=dept, roles=["registrar"]
    )
    t0 = time.perf_counter()
    report = import_messages(Path(path), actor=user, department=dept)
    print(
        f"imported {report.imported} of {report.total} in {time.perf_counter() - t0:.0f} s; "
        f"linked automatically {report.linked}; rejected {report.rejected}"
    )
    external = dict(ImportedPetition.objects.values_list("petition_id", "external_id"))
    rows = {r["id"]: r for r in read(path)}
    automatic = {
        tuple(sorted((int(e["automatic_repeat_of"]), int(e["petition"]))))
        for e in CaseEvent.objects.filter(
            kind="add_petition", payload__has_key="automatic_repeat_of"
        ).values_list("payload", flat=True)
    }
    pairs: dict[tuple[int, int], float] = {}
    for pk, content in Petition.objects.values_list("pk", "content"):
        for hit in text_hits(content):
            if hit.petition_id != pk:
                pairs[(min(pk, hit.petition_id), max(pk, hit.petition_id))] = hit.jaccard
    ids = sorted(external)
    index = {pk: i for i, pk in enumerate(ids)}
    clusters = _components(len(ids), [(index[a], index[b]) for a, b in pairs])
    print(f"pairs at Jaccard >= 0.3: {len(pairs)}; clusters {len(clusters)}")
    rng = random.Random(11)

    def row(kind: str, n: int, a: int, b: int) -> dict[str, object]:
        ra, rb = rows[external[a]], rows[external[b]]
        key = (min(a, b), max(a, b))
        score = pairs.get(key)
        if score is None:
            score = minhash.jaccard(minhash.shingles(ra["text"]), minhash.shingles(rb["text"]))
        return {
            "kind": kind,
            "n": n,
            "a_id": ra["id"],
            "b_id": rb["id"],
            "jaccard": f"{score:.2f}",
            "automatic": "yes" if key in automatic else "",
            "same_user": "yes" if ra["user"] == rb["user"] else "",
            "a_title": ra["title"],
            "b_title": rb["title"],
            "a_text": ra["text"],
            "b_text": rb["text"],
            "verdict": "",
            "reason": "",
        }

    links = rng.sample(sorted(pairs), min(size, len(pairs)))
    members = []
    for members_of in clusters:
        first = min(ids[i] for i in members_of)
        members += [(ids[i], first) for i in members_of if ids[i] != first]
    chosen = rng.sample(sorted(members), min(size, len(members)))
    with open(out, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=SAMPLE_FIELDS)
        writer.writeheader()
        for n, (a, b) in enumerate(links, start=1):
            writer.writerow(row("link", n, a, b))
        for n, (m, first) in enumerate(chosen, start=1):
            writer.writerow(row("member", n, first, m))
    print(f"wrote {len(links)} links and {len(chosen)} cluster memberships to {out}")


def read_verdicts(out: str) -> None:
    """Precision of a filled sample: y = right, n = wrong; reasons of the wrong ones."""
    with open(out, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for kind in ("link", "member"):
        mine = [r for r in rows if r["kind"] == kind]
        read_ = [r for r in mine if r["verdict"].strip().lower() in ("y", "n")]
        right = sum(r["verdict"].strip().lower() == "y" for r in read_)
        auto = [r for r in read_ if r["automatic"] == "yes"]
        auto_right = sum(r["verdict"].strip().lower() == "y" for r in auto)
        print(f"{kind}: {right}/{len(read_)} right ({len(mine) - len(read_)} not read)")
        if auto:
            print(f"  of which linked automatically: {auto_right}/{len(auto)} right")
        reasons: dict[str, int] = defaultdict(int)
        for r in read_:
            if r["verdict"].strip().lower() == "n":
                reasons[r["reason"].strip() or "(no reason given)"] += 1
        for reason, count in sorted(reasons.items(), key=lambda kv: -kv[1]):
            print(f"  wrong, {count}: {reason}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--window", type=int, default=30)
    parser.add_argument("--scale", type=int, default=0)
    parser.add_argument("--no-recall", action="store_true", help="skip the brute-force check")
    parser.add_argument("--prepare", metavar="OUT", help="write a reading sample (see 3.)")
    parser.add_argument("--read", action="store_true", help="PATH is a filled sample (see 4.)")
    args = parser.parse_args()
    if args.read:
        read_verdicts(args.path)
        return
    if args.prepare:
        prepare(args.path, args.prepare, args.window)
        return
    rows = read(args.path)
    offline(rows, args.window, recall=not args.no_recall)
    if args.scale:
        scaled(rows, args.scale)


if __name__ == "__main__":
    main()
