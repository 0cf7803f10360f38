"""The load test over HTTP (api/load.py) against gunicorn on the PostgreSQL test database:
several clients register and open a queue at once; no answer is an error and every
acknowledged registration is in the database afterwards. A short run (a few seconds): the
figures of a real run are in docs/scale.md."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.orgtree import build_tree
from xinfang.api.load import run_load
from xinfang.petitions.models import Petition

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the production layout is PostgreSQL; runs in the PostgreSQL half of the suite",
)


@pytest.mark.django_db(transaction=True)
def test_concurrent_clients_get_no_error_and_lose_no_registration() -> None:
    build_tree()
    s = connection.settings_dict
    url = f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"
    before = Petition.objects.count()

    result = run_load(
        clients=3, workers=2, seconds=4, database_url=url, settings_module="tests.settings"
    )

    assert result["errors"] == 0, result["error_examples"]
    assert result["acknowledged_missing"] == 0
    assert result["registrations"] > 0
    assert result["queue_views"] > 0
    # Nothing registered twice or outside the clients' acknowledged requests.
    assert Petition.objects.count() - before == result["registrations"]
    assert result["server"] == "gunicorn, 2 workers, 127.0.0.1"
    # The server's memory (issue 10): both workers' peaks read before they stopped; a
    # Django worker holds tens of megabytes at least.
    assert result["workers_measured"] == 2
    assert result["worker_peak_rss_mb"] > 20
