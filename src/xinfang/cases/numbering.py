"""Readable case numbers: 〔year〕 sequence per department."""

from __future__ import annotations

from xinfang.cases.models import CaseNumberSequence
from xinfang.orgs.models import Department


def next_case_number(department: Department, year: int) -> str:
    """Must run inside the registering transaction; the counter row is locked."""
    seq, _ = CaseNumberSequence.objects.get_or_create(department=department, year=year)
    seq = CaseNumberSequence.objects.select_for_update().get(pk=seq.pk)
    seq.last_value += 1
    seq.save(update_fields=["last_value"])
    return f"{department.pk:04d}-{year}-{seq.last_value:06d}"
