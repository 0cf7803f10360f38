"""A load test over HTTP against the production server (issue 10; docs/scale.md).

gunicorn serves the WSGI application with several worker processes on loopback; several
client threads register petitions through the JSON API (each with an Idempotency-Key) and
open a handler's work queue, for a bounded time. It reports throughput and latency, counts
every answer that is not the expected one as an error, and afterwards checks that every
registration the server acknowledged is in the database.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection
from django.utils import timezone

from xinfang.api.tokens import token_create
from xinfang.orgs.models import Role, User
from xinfang.petitions.models import Petition


@dataclass
class Tally:
    """What the clients saw; one per run, appended to under a lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    registered: list[int] = field(default_factory=list)  # acknowledged petition ids
    register_ms: list[float] = field(default_factory=list)
    queue_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return round(values[0], 1)
    return round(statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1], 1)


def _first_with_role(role: str) -> User:
    user = (
        User.objects.filter(is_active=True, department__isnull=False, staff_roles__role=role)
        .order_by("pk")
        .first()
    )
    if user is None:
        raise RuntimeError(f"no active staff member with the role {role}: build the demo first")
    return user


def _request(
    port: int, method: str, path: str, token: str, body: dict[str, Any] | None = None
) -> tuple[int, dict[str, Any], float]:
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    payload = None
    if body is not None:
        payload = json.dumps(body, ensure_ascii=False).encode()
        headers["Content-Type"] = "application/json"
        headers["Idempotency-Key"] = str(uuid.uuid4())
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        raw = response.read()
    finally:
        conn.close()
    elapsed = (time.perf_counter() - started) * 1000
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        data = {"unparsed": raw[:200].decode(errors="replace")}
    return response.status, data, elapsed


def _client(number: int, port: int, deadline: float, tokens: dict[str, str], tally: Tally) -> None:
    sequence = 0
    while time.monotonic() < deadline:
        sequence += 1
        letter = {
            "channel": "letter",
            "received_on": timezone.localdate().isoformat(),
            "summary": f"压力测试来信{number}-{sequence}：反映干部作风问题",
            "content": f"压力测试第{number}号客户端第{sequence}封来信，反映干部工作作风问题。",
            "category": "organization_work",
            "nature": "suggestion",
            "petitioners": [{"name": f"测试{number}号"}],
        }
        try:
            status, data, ms = _request(port, "POST", "/api/petitions", tokens["register"], letter)
            with tally.lock:
                if status == 201 and isinstance(data.get("petition_id"), int):
                    tally.registered.append(data["petition_id"])
                    tally.register_ms.append(ms)
                else:
                    tally.errors.append(f"registration answered {status}: {data}")
            status, data, ms = _request(
                port, "GET", "/api/queues/my_cases?limit=50", tokens["queue"]
            )
            with tally.lock:
                if status == 200 and "count" in data:
                    tally.queue_ms.append(ms)
                else:
                    tally.errors.append(f"queue answered {status}: {data}")
        except (OSError, http.client.HTTPException) as exc:
            with tally.lock:
                tally.errors.append(f"{type(exc).__name__}: {exc}")


def _wait_until_serving(port: int, server: subprocess.Popen[bytes], seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn stopped while starting (see its output above)")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            conn.request("GET", "/login/")
            if conn.getresponse().status == 200:
                return
        except (OSError, http.client.HTTPException):
            time.sleep(0.5)
        finally:
            conn.close()
    raise RuntimeError(f"gunicorn did not answer on 127.0.0.1:{port} within {seconds:.0f} s")


def _peak_rss_mb(parent: int) -> list[float]:
    """The peak resident memory (VmHWM, in MB) of each process whose parent is `parent`:
    gunicorn's workers, read from /proc before they stop. Empty where /proc is not Linux's."""
    peaks = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":", 1) for line in status.read_text().splitlines() if ":" in line
            )
        except OSError:  # the process ended while the folder was read
            continue
        if fields.get("PPid", "").strip() == str(parent) and "VmHWM" in fields:
            peaks.append(round(int(fields["VmHWM"].split()[0]) / 1024, 1))
    return sorted(peaks)


def run_load(
    *,
    clients: int = 8,
    workers: int = 4,
    seconds: float = 20.0,
    database_url: str | None = None,
    settings_module: str | None = None,
) -> dict[str, Any]:
    """Serve with gunicorn, drive it, check nothing acknowledged is missing; the figures."""
    registrar = _first_with_role(Role.REGISTRAR)
    handler = _first_with_role(Role.HANDLER)
    tokens = {
        "register": token_create(user=registrar, name="压力测试", days=1).secret,
        "queue": token_create(user=handler, name="压力测试", days=1).secret,
    }
    port = free_port()
    env = dict(os.environ)
    env.setdefault("XINFANG_ALLOWED_HOSTS", "127.0.0.1")
    if database_url:
        env["DATABASE_URL"] = database_url
    if settings_module:
        env["DJANGO_SETTINGS_MODULE"] = settings_module
    command = [sys.executable, "-m", "gunicorn", "xinfang.wsgi:application",
               "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
               "--timeout", "120", "--log-level", "warning"]  # fmt: skip
    # The clients' connections to the database must not hold the rows the server writes.
    connection.close()
    server = subprocess.Popen(command, env=env)
    tally = Tally()
    try:
        _wait_until_serving(port, server)
        started = time.monotonic()
        deadline = started + seconds
        threads = [
            threading.Thread(target=_client, args=(n, port, deadline, tokens, tally))
            for n in range(1, clients + 1)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        worker_peaks = _peak_rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=60)
    present = Petition.objects.filter(pk__in=tally.registered).count()
    return {
        "server": f"gunicorn, {workers} workers, 127.0.0.1",
        "database": connection.vendor,
        "clients": clients,
        "seconds": round(elapsed, 1),
        "registrations": len(tally.registered),
        "registrations_per_second": round(len(tally.registered) / elapsed, 1),
        "registration_ms_p50": _percentile(tally.register_ms, 50),
        "registration_ms_p95": _percentile(tally.register_ms, 95),
        "queue_views": len(tally.queue_ms),
        "queue_views_per_second": round(len(tally.queue_ms) / elapsed, 1),
        "queue_ms_p50": _percentile(tally.queue_ms, 50),
        "queue_ms_p95": _percentile(tally.queue_ms, 95),
        "errors": len(tally.errors),
        "error_examples": tally.errors[:5],
        "acknowledged_missing": len(tally.registered) - present,
        # Issue 10's "peak memory of the server process": each worker's, after the run.
        "workers_measured": len(worker_peaks),
        "worker_peak_rss_mb": max(worker_peaks, default=None),
    }
