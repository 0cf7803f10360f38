"""Measure the early warnings (R-REPEAT-5) on a message board's export, or time the poll at
scale on generated messages. Prints counts and timings; a warning's label (for a matter, a
message's title) only with --labels, for the person measuring to read, never to copy.

    DATABASE_URL=postgres://.../scratch .venv/bin/python tools/warn_board.py board.csv [--labels]
    DATABASE_URL=postgres://.../scratch .venv/bin/python tools/warn_board.py --sample 50000

The database must be empty (it is migrated here). The file has the columns id, user, title,
posted_at, text. Every message is registered at one provincial organization department
through `xinfang import messages` (the batch path, which writes the matching index too); the
organization also names the board's pseudonymous city and districts (A市, A1区 .. A9区) as
its jurisdictions, as a deployment names its own places. Then the poll runs for the window
ending on each Sunday of 2019-01-06 .. 2019-06-30 and the top warnings of each week are
printed (kind, distinct petitioners, petitions, baseline, growth, score), with the poll's
time. --again polls again on a database the tool filled before (its warnings removed).
--sample N imports N generated messages (`import sample messages`, half a year)
instead and prints the poll's time per week (median, max).
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")
os.environ.setdefault("XINFANG_DEBUG", "1")
os.environ.setdefault("XINFANG_HOME", tempfile.mkdtemp(prefix="warn-board-"))
os.environ.setdefault("XINFANG_DATA_KEY", base64.urlsafe_b64encode(os.urandom(32)).decode())

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from xinfang.alerts.models import EarlyWarning  # noqa: E402
from xinfang.alerts.services import poll  # noqa: E402
from xinfang.orgs.models import Level  # noqa: E402
from xinfang.orgs.services import department_create, jurisdiction_create, staff_create  # noqa: E402
from xinfang.petitions.import_samples import write_sample  # noqa: E402


def setup() -> tuple[int, str]:
    call_command("migrate", verbosity=0)
    province = jurisdiction_create(name="西地省", level=Level.PROVINCE)
    city = jurisdiction_create(name="A市", level=Level.PREFECTURE, parent=province)
    for n in range(1, 10):
        jurisdiction_create(name=f"A{n}区", level=Level.COUNTY, parent=city)
    dept = department_create(jurisdiction=province, kind="organization", name="西地省委组织部")
    staff_create(
        username="registrar", full_name="登记员", department=dept, roles=("registrar", "leader")
    )
    return dept.pk, "registrar"


def sundays() -> list[dt.date]:
    day = dt.date(2019, 1, 6)
    out = []
    while day <= dt.date(2019, 6, 30):
        out.append(day)
        day += dt.timedelta(days=7)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("file", nargs="?")
    parser.add_argument("--sample", type=int, default=0)
    parser.add_argument("--labels", action="store_true")
    parser.add_argument("--top", type=int, default=3)
    parser.add_argument("--again", action="store_true")
    args = parser.parse_args()
    if args.again:
        EarlyWarning.objects.all().delete()
    else:
        dept, registrar = setup()
        path = args.file
        if args.sample:
            path = str(Path(os.environ["XINFANG_HOME"]) / "sample.csv")
            write_sample("messages", Path(path), args.sample)
        started = time.perf_counter()
        call_command(
            "import", "messages", path, "--department", str(dept), "--registrar", registrar
        )
        print(f"import: {time.perf_counter() - started:.0f} s")
    took = []
    kinds: Counter[str] = Counter()
    for day in sundays():
        t0 = time.perf_counter()
        result = poll(day)
        took.append(time.perf_counter() - t0)
        new = EarlyWarning.objects.filter(window_end=day).order_by("-score", "pk")
        kinds.update(new.values_list("kind", flat=True))
        print(
            f"{day}: {took[-1]:.2f} s, found {result.found}, new {result.created}, "
            f"going on {result.continuing}"
        )
        if args.sample:
            continue
        for w in new[: args.top]:
            growth = f"x{w.growth:.1f}" if w.growth is not None else "new"
            label = f"  {w.label[:40]}" if args.labels else ""
            print(
                f"    {w.kind:<10} people {w.petitioners:>3}  petitions {w.petitions:>3}  "
                f"baseline {w.baseline:>5.2f}  {growth:>6}  score {w.score:>6.1f}{label}"
            )
    print(f"warnings by kind: {dict(kinds)}")
    print(
        f"poll per week: median {statistics.median(took):.2f} s, max {max(took):.2f} s "
        f"({len(took)} weeks)"
    )


if __name__ == "__main__":
    main()
