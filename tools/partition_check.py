"""Partitioning by year, measured (issue 10: "large tables partitioned by year where it pays,
with the measurement that says so"). PostgreSQL only; docs/benchmarks.md, "Partitioning
by year", has the figures and the decision.

Makes a copy of a generated database (`xinfang bench generate`) in which the cases table
(by `registered_at`) and the timeline (by `created_at`) are partitioned by calendar year,
with every index of the original recreated on the partitioned tables, so the same
`xinfang bench run` can be run against both:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench100k \\
        PYTHONPATH=src python tools/partition_check.py bench100k_part
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench100k_part \\
        xinfang bench run --json part.json
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench100k xinfang bench run --json plain.json

The copy is for measuring only. PostgreSQL requires a partitioned table's unique indexes to
include the partition key, so in the copy the primary keys become (id, year column) and the
other unique indexes (the case number, an event's sequence in its case) are plain indexes;
the foreign keys that point at the two tables are dropped (a foreign key must reference a
unique key, which `id` alone no longer is). Neither changes what the benchmark reads.
"""

from __future__ import annotations

import os
import sys
import time

import psycopg

TABLES = {"cases_case": "registered_at", "cases_caseevent": "created_at"}


def _main(target: str) -> None:
    url = os.environ["DATABASE_URL"]
    source = url.rsplit("/", 1)[1]
    base = url.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{target}"')
        started = time.monotonic()
        admin.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')
        print(f"copied {source} to {target} in {time.monotonic() - started:.0f} s")
    with psycopg.connect(f"{base}/{target}", autocommit=False) as conn:
        for table, column in TABLES.items():
            started = time.monotonic()
            _partition(conn, table, column)
            conn.commit()
            print(f"{table}: partitioned by year of {column} in {time.monotonic() - started:.0f} s")
    with psycopg.connect(f"{base}/{target}", autocommit=True) as conn:
        conn.execute("ANALYZE")
    print("analyzed")


def _partition(conn: psycopg.Connection, table: str, column: str) -> None:
    old = f"{table}_unpartitioned"
    # Foreign keys that point at the table: a partitioned table's id is not unique alone.
    refs = conn.execute(
        "SELECT conrelid::regclass::text, conname FROM pg_constraint "
        "WHERE confrelid = %s::regclass AND contype = 'f'",
        [table],
    ).fetchall()
    for referrer, name in refs:
        conn.execute(f'ALTER TABLE {referrer} DROP CONSTRAINT "{name}"')
    indexes = conn.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table]
    ).fetchall()
    own = conn.execute(
        "SELECT conname, contype FROM pg_constraint WHERE conrelid = %s::regclass "
        "AND contype IN ('p', 'u')",
        [table],
    ).fetchall()
    conn.execute(f"ALTER TABLE {table} RENAME TO {old}")
    conn.execute(
        f"CREATE TABLE {table} (LIKE {old} INCLUDING DEFAULTS) PARTITION BY RANGE ({column})"
    )
    # Django's ids are identity columns, which a partitioned table cannot have here
    # (PostgreSQL 15): a sequence of its own, past the copied ids, serves as the default.
    conn.execute(f"CREATE SEQUENCE {table}_part_id_seq")
    conn.execute(
        f"SELECT setval('{table}_part_id_seq', (SELECT coalesce(max(id), 0) + 1 FROM {old}))"
    )
    conn.execute(f"ALTER TABLE {table} ALTER COLUMN id SET DEFAULT nextval('{table}_part_id_seq')")
    low, high = conn.execute(
        f"SELECT extract(year FROM min({column}))::int, extract(year FROM max({column}))::int "
        f"FROM {old}"
    ).fetchone()
    for year in range(low, max(high, time.gmtime().tm_year) + 2):
        conn.execute(
            f"CREATE TABLE {table}_{year} PARTITION OF {table} "
            f"FOR VALUES FROM ('{year}-01-01') TO ('{year + 1}-01-01')"
        )
    conn.execute(f"INSERT INTO {table} SELECT * FROM {old}")
    conn.execute(f"ALTER TABLE {table} ADD PRIMARY KEY (id, {column})")
    constraint_indexes = {name for name, _ in own}
    for name, definition in indexes:
        if name in constraint_indexes:
            if name.endswith("_pkey"):
                continue  # replaced by (id, column) above
            definition = definition.replace("CREATE UNIQUE INDEX", "CREATE INDEX")
        elif "UNIQUE" in definition and column not in definition:
            definition = definition.replace("CREATE UNIQUE INDEX", "CREATE INDEX")
        definition = definition.replace(f"INDEX {name} ", f"INDEX {name}_y ")
        conn.execute(definition)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: DATABASE_URL=<generated database> tools/partition_check.py NEW_NAME")
    _main(sys.argv[1])
