"""The peer's side of the benchmark (docs/scale.md, "The peer beside it"): run with the
python of django-helpdesk's own virtual environment, from this folder, with DATABASE_URL set.

    python bench.py TEXTS.jsonl ROUNDS > result.json

Fills the database with one ticket per line of TEXTS.jsonl (["title", "description", "date",
"open"]), then measures through helpdesk's own views, with Django's test client (no network,
as the xinfang side measures its pages): creating a ticket (the staff form), a queue's list
(the data endpoint the list page loads: first 25, newest first, with the totals) and a keyword
search through the same endpoint. Medians and 95th percentiles in milliseconds.
"""

import datetime as dt
import json
import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from helpdesk.models import Queue, Ticket  # noqa: E402
from helpdesk.query import query_to_base64  # noqa: E402

BATCH = 5000


def timed(fn, rounds):
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return {
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(statistics.quantiles(times, n=20, method="inclusive")[18], 2)
        if len(times) > 1
        else round(times[0], 2),
        "rounds": rounds,
    }


def fill(queue, path):
    tz = timezone.get_current_timezone()
    batch = []
    total = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            title, description, day, is_open = json.loads(line)
            created = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(9), tzinfo=tz)
            batch.append(
                Ticket(
                    title=title[:200],
                    description=description,
                    queue=queue,
                    created=created,
                    modified=created,
                    status=Ticket.OPEN_STATUS if is_open else Ticket.CLOSED_STATUS,
                    priority=3,
                    submitter_email="peer@example.org",
                )
            )
            if len(batch) == BATCH:
                Ticket.objects.bulk_create(batch)
                total += len(batch)
                batch = []
    if batch:
        Ticket.objects.bulk_create(batch)
        total += len(batch)
    return total


def main():
    texts, rounds = sys.argv[1], int(sys.argv[2])
    words = json.loads(sys.argv[3]) if len(sys.argv) > 3 else {}
    call_command("migrate", verbosity=0)
    staff = get_user_model().objects.create_user(
        "peer", "peer@example.org", "peer-password", is_staff=True, is_superuser=True
    )
    queue = Queue.objects.create(title="信访", slug="xinfang", email_address="q@example.org")
    started = time.perf_counter()
    tickets = fill(queue, texts)
    fill_seconds = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    client = Client()
    client.force_login(staff)
    created = []

    def create():
        n = len(created) + 1
        response = client.post(
            reverse("helpdesk:submit"),
            {
                "queue": queue.pk,
                "title": f"基准测试来信{n}",
                "body": f"基准测试第{n}封来信，反映干部工作作风问题。",
                "priority": 3,
                "submitter_email": "peer@example.org",
            },
        )
        if response.status_code != 302:
            raise SystemExit(f"creating a ticket answered {response.status_code}")
        created.append(n)

    def listing(search):
        query = {
            "filtering": {"queue__id__in": [queue.pk], "status__in": [1, 2, 3]},
            "sorting": "created",
            "sortreverse": True,
            "search_string": search,
        }
        url = reverse("helpdesk:datatables_ticket_list", args=[query_to_base64(query)])
        response = client.get(url, {"draw": 1, "start": 0, "length": 25})
        if response.status_code != 200:
            raise SystemExit(f"the ticket list answered {response.status_code}")
        return response.json()["recordsFiltered"]

    result = {
        "peer": "django-helpdesk " + __import__("helpdesk").__version__
        if hasattr(__import__("helpdesk"), "__version__")
        else "django-helpdesk",
        "database": connection.vendor,
        "tickets": tickets,
        "fill_seconds": round(fill_seconds, 1),
        "create_ticket": timed(create, rounds),
        "queue_list": timed(lambda: listing(""), rounds),
    }
    for label, word in words.items():
        result[f"search_{label}"] = timed(lambda w=word: listing(w), rounds)
        result[f"search_{label}"]["word"] = word
        result[f"search_{label}"]["hits"] = listing(word)
    json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
    print()


if __name__ == "__main__":
    main()
