"""Readable case numbers: 〔year〕 sequence per department."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from xinfang.cases.models import CaseNumberSequence
from xinfang.orgs.models import Department


def next_case_number(department: Department, year: int) -> str:
    """Must run inside the registering transaction: the UPDATE locks the counter row until
    it commits, so two registrations never get the same number."""
    counter = CaseNumberSequence.objects.filter(department=department, year=year)
    if not counter.update(last_value=F("last_value") + 1):
        try:
            with transaction.atomic():
                CaseNumberSequence.objects.create(department=department, year=year, last_value=1)
            return _format(department, year, 1)
        except IntegrityError:  # Another registration created this year's counter first.
            counter.update(last_value=F("last_value") + 1)
    return _format(department, year, counter.values_list("last_value", flat=True).get())


def _format(department: Department, year: int, value: int) -> str:
    return f"{department.pk:04d}-{year}-{value:06d}"
