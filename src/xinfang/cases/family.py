"""A case's family: the first case and every case sent down from it, which share their
petitions. Petitioners' identity is read only through cases.protection."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from xinfang.cases.models import Case
from xinfang.petitions.models import Petition


def _family(case: Case) -> QuerySet[Case]:
    root_id = case.petitions_root_id
    return Case.objects.filter(Q(pk=root_id) | Q(root_id=root_id))


def family_case_ids(case: Case) -> list[int]:
    """Ids of the first case and every case sent down from it, which share petitions."""
    return list(_family(case).values_list("pk", flat=True))


def petitions_of_case(case: Case) -> QuerySet[Petition]:
    """All petitions of a case's family: the first case and the cases sent down from it."""
    # Ids first, from the indexed pk and root columns: an OR across the join to cases would
    # scan every petition.
    return Petition.objects.filter(case_id__in=_family(case).values("pk"))
