from __future__ import annotations

import importlib

import pytest

from tests.orgtree import Tree, build_tree

# The rows the migrations seed: the calendar and rule sets behind the clocks, the calendar's
# known years, the referral rules; and the timeline ledger's head row.
SEEDS = (
    ("xinfang.deadlines.migrations.0002_seed_calendar_and_rule_sets", "seed"),
    ("xinfang.deadlines.migrations.0003_calendar_year", "mark_known_years"),
    ("xinfang.routing.migrations.0002_seed_referral_rules", "seed"),
    ("xinfang.routing.migrations.0006_seed_accusation_keyword_rule", "seed"),
    ("xinfang.persistent.migrations.0002_seed_threshold", "seed"),
)


def reseed_migration_data() -> None:
    """Put back what the migrations seed, if a flush removed it."""
    from django.apps import apps

    from xinfang.cases.models import CaseLedgerHead
    from xinfang.deadlines.models import RuleSet

    if not RuleSet.objects.exists():
        for module, function in SEEDS:
            getattr(importlib.import_module(module), function)(apps, None)
    CaseLedgerHead.objects.get_or_create(pk=1)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The query-plan tests first, on the tables as the migrations leave them (after
    pytest-django's own ordering, which puts the database tests first: these are among
    them). On PostgreSQL an ANALYZE inside a test's transaction (the generator's tests run
    one) writes the tables' sizes in place, kept after the rollback, and the planner then
    chose another index for three plan tests on whichever worker had run those first
    (docs/testing.md, "Plan tests")."""
    first = [item for item in items if item.path.name == PLAN_TESTS]
    if first:
        items[:] = first + [item for item in items if item.path.name != PLAN_TESTS]


PLAN_TESTS = "test_query_plans.py"


@pytest.fixture(autouse=True)
def _migration_rows_after_a_flush(request: pytest.FixtureRequest) -> None:
    """A transactional test flushes the whole database when it ends, the migrations' rows
    included, so every later transactional test of the same worker (pytest-django runs them
    after the others) would see no clocks and no referral rules. Each transactional test puts
    them back first. `serialized_rollback` cannot be used: after a flush without it Django
    re-creates the content types and the restore fails on them (docs/testing.md)."""
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or (
        marker is not None
        and bool(marker.kwargs.get("transaction", marker.args[0] if marker.args else False))
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        reseed_migration_data()


@pytest.fixture
def tree(db: None) -> Tree:
    return build_tree()


@pytest.fixture(params=["hits", "walk"])
def search_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The two ways the search reads one answer (cases/search.py, SearchAnswer): from the
    index's hits, or newest first over the cases the user sees with a probe per case. Which
    one runs depends on how many petitions the index finds, so a test database would only
    ever take the first: a test asking for this runs once with each, by moving the
    threshold (a share of the petitions: -1, any number of hits is more and every query
    walks; 2, twice the petitions, no query does)."""
    from xinfang.cases import search

    monkeypatch.setattr(search, "WALK_FROM", -1 if request.param == "walk" else 2)
    return str(request.param)
