"""The peer beside it (issue 10; docs/scale.md): the same operations on django-helpdesk, the
Python ticket tracker a team would otherwise pick, with the same texts and as many tickets as
xinfang has cases, on the same database engine, measured the same way (Django's test client,
medians and 95th percentiles), and the ratios in one result.

django-helpdesk is installed from the package registry into its own virtual environment
(never into xinfang's); its side runs `tools/peer/bench.py` there.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

import dj_database_url
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from xinfang.cases.models import Case, State
from xinfang.orgs.models import Role, User
from xinfang.petitions.models import Petition

PEER_REQUIREMENTS = [
    "Django>=5.2,<5.3",
    "django-helpdesk[teams]==2.6.1",
    "dj-database-url>=2.2",
    "psycopg[binary]>=3.2",
]
PEER_TOOLS = Path(settings.BASE_DIR).parent.parent / "tools" / "peer"
OPEN_STATES = {State.REGISTERED, State.READ, State.HANDLING, State.CLOSING, State.TRANSFERRED}


def _timed(fn: Callable[[], object], rounds: int) -> dict[str, float | int]:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    p95 = statistics.quantiles(times, n=20, method="inclusive")[18] if rounds > 1 else times[0]
    return {
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(p95, 2),
        "rounds": rounds,
    }


def ensure_peer_environment(venv: Path) -> Path:
    """django-helpdesk's own virtual environment; its python."""
    python = venv / "bin" / "python"
    stamp = venv / ".peer-installed"
    if not stamp.exists():
        subprocess.run(["python3", "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             *PEER_REQUIREMENTS],
            check=True,
        )  # fmt: skip
        stamp.touch()
    return python


def _write_texts(path: Path, limit: int) -> int:
    """The summaries and texts of xinfang's first petitions, one ticket per case."""
    written = 0
    with path.open("w", encoding="utf-8") as f:
        rows = (
            Petition.objects.filter(is_first=True)
            .order_by("pk")
            .values_list("summary", "content", "received_on", "case__state")[:limit]
        )
        for summary, content, received_on, state in rows.iterator(chunk_size=5000):
            line = [summary, content, received_on.isoformat(), state in OPEN_STATES]
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
            written += 1
    return written


# What the peer's process must not inherit: each would make its python read xinfang's
# settings or import from xinfang's sources or its environment instead of the peer's own.
_NOT_INHERITED = ("DJANGO_SETTINGS_MODULE", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")


def peer_environ(parent: Mapping[str, str], database_url: str, work: Path) -> dict[str, str]:
    """The peer's process environment: the parent's (PATH, locale, the server's address),
    its own database and folder, and nothing that points its python at xinfang."""
    env = {k: v for k, v in parent.items() if k not in _NOT_INHERITED}
    env["DATABASE_URL"] = database_url
    env["PEER_HOME"] = str(work)
    return env


def _peer_database_url(work: Path) -> str:
    """An SQLite file beside the texts, or a fresh database on the same PostgreSQL server."""
    if connection.vendor != "postgresql":
        return f"sqlite:///{work / 'helpdesk.sqlite3'}"
    s = connection.settings_dict
    name = "xinfang_peer_helpdesk"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name}")
        cursor.execute(f"CREATE DATABASE {name}")
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST']}:{s['PORT'] or 5432}/{name}"


def measure_xinfang(rounds: int, words: dict[str, str]) -> dict[str, Any]:
    """The same three operations on xinfang, through its pages and API with the test client."""
    registrar = User.objects.filter(staff_roles__role=Role.REGISTRAR).order_by("pk").first()
    handler = User.objects.filter(staff_roles__role=Role.HANDLER).order_by("pk").first()
    if registrar is None or handler is None:
        raise RuntimeError("no registrar or handler: fill the database first")
    # The host every deployment allows (the demo serves on it); the test client says "testserver".
    reg, hand = Client(HTTP_HOST="127.0.0.1"), Client(HTTP_HOST="127.0.0.1")
    reg.force_login(registrar)
    hand.force_login(handler)
    sent: list[int] = []

    def register() -> None:
        n = len(sent) + 1
        response = reg.post(
            "/api/petitions",
            {
                "channel": "letter",
                "received_on": timezone.localdate().isoformat(),
                "summary": f"基准测试来信{n}",
                "content": f"基准测试第{n}封来信，反映干部工作作风问题。",
                "category": "organization_work",
                "nature": "suggestion",
                "petitioners": [{"name": f"基准{n}"}],
            },
            content_type="application/json",
        )
        if response.status_code != 201:
            raise RuntimeError(f"registration answered {response.status_code}")
        sent.append(n)

    def queue() -> None:
        response = hand.get(reverse("web:queue", args=["my_cases"]))
        if response.status_code != 200:
            raise RuntimeError(f"the queue answered {response.status_code}")

    result: dict[str, Any] = {
        "cases": Case.objects.count(),
        "create_ticket": _timed(register, rounds),
        "queue_list": _timed(queue, rounds),
    }
    try:
        search_url: str | None = reverse("web:search")
    except NoReverseMatch:  # search not built on this branch yet
        search_url = None
    for label, word in words.items():
        if search_url is None:
            result[f"search_{label}"] = "not built"
            continue
        result[f"search_{label}"] = _timed(partial(hand.get, search_url, {"q": word}), rounds)
    return result


def run_peer(
    *, rounds: int, words: dict[str, str], venv: Path, limit: int | None = None
) -> dict[str, Any]:
    """Both sides and their ratios (peer time / xinfang time: above 1, xinfang is faster)."""
    python = ensure_peer_environment(venv)
    mine = measure_xinfang(rounds, words)
    with tempfile.TemporaryDirectory(prefix="xinfang-peer-") as folder:
        work = Path(folder)
        texts = work / "texts.jsonl"
        tickets = _write_texts(texts, limit or mine["cases"])
        env = peer_environ(os.environ, _peer_database_url(work), work)
        done = subprocess.run(
            [str(python), str(PEER_TOOLS / "bench.py"), str(texts), str(rounds),
             json.dumps(words, ensure_ascii=False)],
            cwd=PEER_TOOLS, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"the peer's benchmark failed:\n{done.stderr[-3000:]}")
        peer = json.loads(done.stdout)
        if connection.vendor == "postgresql":
            name = dj_database_url.parse(env["DATABASE_URL"])["NAME"]
            with connection.cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {name}")
    ratios = {}
    for key in ["create_ticket", "queue_list", *(f"search_{k}" for k in words)]:
        a, b = peer.get(key), mine.get(key)
        if isinstance(a, dict) and isinstance(b, dict) and b["median_ms"]:
            ratios[key] = round(a["median_ms"] / b["median_ms"], 2)
    return {
        "database": connection.vendor,
        "tickets": tickets,
        "xinfang": mine,
        "peer": peer,
        "peer_over_xinfang_median": ratios,
    }
