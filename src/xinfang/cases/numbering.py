"""Readable case numbers: 〔year〕 sequence per department."""

from __future__ import annotations

from django.db import IntegrityError, connections, router, transaction

from xinfang.cases.models import CaseNumberSequence
from xinfang.orgs.models import Department


def next_case_number(department: Department, year: int) -> str:
    """Must run inside the registering transaction: the UPDATE locks the counter row until
    it commits, so two registrations never get the same number."""
    value = _increment(department.pk, year)
    if value is None:
        try:
            with transaction.atomic():
                CaseNumberSequence.objects.create(department=department, year=year, last_value=1)
            value = 1
        except IntegrityError:  # Another registration created this year's counter first.
            value = _increment(department.pk, year)
    assert value is not None
    return f"{department.pk:04d}-{year}-{value:06d}"


def reserve_case_numbers(department: Department, year: int, count: int) -> list[str]:
    """`count` consecutive numbers at once, for the batch import (cases/actions/bulk.py):
    the same counter and format as `next_case_number`, one UPDATE for the whole batch.
    Must run inside the writing transaction, like `next_case_number`."""
    if count < 1:
        return []
    last = _increment(department.pk, year, by=count)
    if last is None:
        try:
            with transaction.atomic():
                CaseNumberSequence.objects.create(
                    department=department, year=year, last_value=count
                )
            last = count
        except IntegrityError:  # Another registration created this year's counter first.
            last = _increment(department.pk, year, by=count)
    assert last is not None
    return [
        f"{department.pk:04d}-{year}-{value:06d}" for value in range(last - count + 1, last + 1)
    ]


def _increment(department_id: int, year: int, *, by: int = 1) -> int | None:
    """One UPDATE ... RETURNING (SQLite 3.35+ and PostgreSQL): every registration passes here."""
    connection = connections[router.db_for_write(CaseNumberSequence)]
    qn = connection.ops.quote_name
    table = qn(CaseNumberSequence._meta.db_table)
    sql = (
        f"UPDATE {table} SET {qn('last_value')} = {qn('last_value')} + %s "
        f"WHERE {qn('department_id')} = %s AND {qn('year')} = %s RETURNING {qn('last_value')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [by, department_id, year])
        row = cursor.fetchone()
    return int(row[0]) if row else None
