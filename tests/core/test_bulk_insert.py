"""core/bulk.py: the batch writers store what the ORM would, set the new ids in order, and a
unique key already taken comes out as Django's IntegrityError (the import relies on it to
roll back a batch another run wrote first: docs/imports.md). On PostgreSQL a batch of
COPY_FROM rows or more goes by COPY, fewer by a multi-row INSERT: both sizes here."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.orgtree import Tree
from xinfang.api.models import IdempotentRequest
from xinfang.cases.imports import _already_imported
from xinfang.core import bulk
from xinfang.core.bulk import insert_rows, insert_values, new_row

WHEN = dt.datetime(2026, 3, 1, 8, 30, tzinfo=dt.UTC)


def _rows(tree: Tree, n: int, prefix: str) -> list[bulk.Row]:
    return [
        new_row(
            IdempotentRequest,
            {
                "user_id": tree.prov_staff.pk,
                "key": f"{prefix}-{i}",
                "request_hash": "h" * 64,
                "status": 200 + i % 3,
                "body": {"号": i, "名单": ["甲", "乙"]},
                "created_at": WHEN + dt.timedelta(minutes=i),
            },
        )
        for i in range(n)
    ]


@pytest.mark.parametrize("n", [bulk.COPY_FROM - 1, bulk.COPY_FROM, 1001])
def test_insert_rows_stores_the_values_and_sets_ascending_ids(tree: Tree, n: int) -> None:
    rows = _rows(tree, n, f"r{n}")
    insert_rows(rows)
    ids = [r.pk for r in rows]
    assert ids == sorted(ids) and len(set(ids)) == n
    stored = {
        o.pk: (o.key, o.status, o.body, o.created_at)
        for o in IdempotentRequest.objects.filter(pk__in=ids)
    }
    assert stored[ids[0]] == (f"r{n}-0", 200, {"号": 0, "名单": ["甲", "乙"]}, WHEN)
    last = n - 1
    assert stored[ids[-1]] == (
        f"r{n}-{last}",
        200 + last % 3,
        {"号": last, "名单": ["甲", "乙"]},
        WHEN + dt.timedelta(minutes=last),
    )
    assert len(stored) == n
    # The table's own sequence moved past them: the ORM's next row gets a new id.
    later = IdempotentRequest.objects.create(
        user=tree.prov_staff, key="after", request_hash="h" * 64, status=201, created_at=WHEN
    )
    assert later.pk > ids[-1]


@pytest.mark.parametrize("n", [bulk.COPY_FROM - 1, bulk.COPY_FROM])
def test_rows_with_ids_drawn_first_are_stored_under_them(tree: Tree, n: int) -> None:
    """PostgreSQL: ids drawn from the table's sequence before the rows exist (the batch
    import writes the cases last, with their timeline heads, docs/imports.md), then the
    rows stored under exactly those ids; the sequence stays past them. SQLite draws none."""
    if connection.vendor != "postgresql":
        with pytest.raises(RuntimeError, match="PostgreSQL"):
            bulk.draw_ids(IdempotentRequest, n)
        return
    rows = _rows(tree, n, f"d{n}")
    ids = bulk.draw_ids(IdempotentRequest, n)
    assert ids == sorted(ids) and len(set(ids)) == n
    assert not IdempotentRequest.objects.filter(pk__in=ids).exists()
    for row, pk in zip(rows, ids, strict=True):
        row.pk = pk
    insert_rows(rows, ids_drawn=True)
    stored = dict(IdempotentRequest.objects.filter(pk__in=ids).values_list("pk", "key"))
    assert stored == {pk: f"d{n}-{i}" for i, pk in enumerate(ids)}
    later = IdempotentRequest.objects.create(
        user=tree.prov_staff, key="after", request_hash="h" * 64, status=201, created_at=WHEN
    )
    assert later.pk > ids[-1]


@pytest.mark.parametrize("n", [bulk.COPY_FROM - 1, bulk.COPY_FROM])
def test_a_unique_key_taken_is_djangos_integrity_error_and_writes_nothing(
    tree: Tree, n: int
) -> None:
    insert_rows(_rows(tree, 1, "dup"))
    clash = _rows(tree, n, "dup")  # "dup-0" again, among new keys
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(clash)
    assert IdempotentRequest.objects.filter(key__startswith="dup-").count() == 1


@pytest.mark.parametrize("n", [bulk.COPY_FROM - 1, bulk.COPY_FROM])
def test_insert_values_stores_plain_rows(tree: Tree, n: int) -> None:
    from xinfang.core.bulk import prepare_datetime

    stamp = prepare_datetime(IdempotentRequest, "created_at", WHEN)
    insert_values(
        IdempotentRequest,
        ["user", "key", "request_hash", "status", "body", "created_at"],
        [(tree.prov_staff.pk, f"v{n}-{i}", "h" * 64, 204, "{}", stamp) for i in range(n)],
    )
    got = IdempotentRequest.objects.filter(key__startswith=f"v{n}-")
    assert got.count() == n
    assert [(o.status, o.body, o.created_at) for o in got] == [(204, {}, WHEN)] * n


def test_chunks_cover_every_item_once_in_order() -> None:
    """`chunks` slices a look-up's values under SQLite's 999 parameters a statement."""
    assert [list(c) for c in bulk.chunks([1, 2, 3, 4, 5], 2)] == [[1, 2], [3, 4], [5]]
    assert list(bulk.chunks([], 2)) == []
    assert [len(c) for c in bulk.chunks(list(range(1001)))] == [500, 500, 1]


def test_an_import_looks_up_more_ids_than_one_statement_takes(tree: Tree) -> None:
    """The import's "already imported" look-up asks for 1,200 external ids in three
    statements (SQLite would refuse one of 1,200 parameters on an older build)."""
    with CaptureQueriesContext(connection) as queries:
        assert _already_imported("网上留言板", [f"m{i}" for i in range(1200)]) == set()
    assert len(queries) == 3
