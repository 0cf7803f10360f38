"""Reads about petitions, including the guarded read of petitioners' identity (R-PROTECT-1)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from xinfang.cases.access import can_see_identity
from xinfang.cases.models import Case
from xinfang.core import protect
from xinfang.orgs.models import User
from xinfang.petitions.models import IdentityRead, Petition, PetitionPetitioner

HIDDEN = "（已隐去）"


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


@dataclass(frozen=True)
class PetitionerView:
    name: str
    id_number: str
    phone: str
    address: str
    is_representative: bool
    shown: bool


def petitioners_for(
    user: User, case: Case, petition: Petition, *, allowed: bool | None = None
) -> list[PetitionerView]:
    """The petitioners of `petition` as `user` may see them. Identity is shown only where
    `can_see_identity` allows, and every such read is logged (R-PROTECT-1). Pages listing
    many petitions of one case pass `allowed`, computed once for the case."""
    links = list(
        PetitionPetitioner.objects.filter(petition=petition)
        .select_related("petitioner")
        .order_by("pk")
    )
    if not links:
        return []
    if allowed is None:
        allowed = can_see_identity(user, case)
    if not allowed:
        return [
            PetitionerView(HIDDEN, HIDDEN, HIDDEN, HIDDEN, link.is_representative, False)
            for link in links
        ]
    IdentityRead.objects.create(user=user, petition=petition, case=case, read_at=timezone.now())
    return [
        PetitionerView(
            name=link.petitioner.name,
            id_number=protect.decrypt(link.petitioner.id_number_encrypted),
            phone=protect.decrypt(link.petitioner.phone_encrypted),
            address=link.petitioner.address,
            is_representative=link.is_representative,
            shown=True,
        )
        for link in links
    ]
