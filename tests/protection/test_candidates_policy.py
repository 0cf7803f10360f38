"""R-PROTECT-1 for many cases at once (issue 11: the registration form's candidates): the
policy decided for a list of cases in one statement, and the petitioners of many petitions
read at once, are exactly the one-case-at-a-time decision and views, with the same reads
logged; for every user and case of the protection world, against the answer key written
out in tests/protection/test_search.py."""

from __future__ import annotations

import pytest

from tests.protection.conftest import World
from tests.protection.test_search import CASES, IDENTITY, USERS
from xinfang.cases.family import petitions_of_case
from xinfang.cases.models import IdentityRead
from xinfang.cases.protection import petitioner_views_of, protection_for, protections_for
from xinfang.petitions.models import PetitionPetitioner


@pytest.mark.parametrize("user_key", USERS)
def test_the_policy_of_many_cases_in_one_statement_is_protection_for(
    world: World, user_key: str, django_assert_max_num_queries: object
) -> None:
    user = world.users()[user_key]
    cases = [getattr(world, name) for name in CASES]
    user.department  # noqa: B018 (the user's own row, read once per request anyway)
    with django_assert_max_num_queries(3):  # type: ignore[operator]
        policies = protections_for(user, cases)
    shown = {name for name in CASES if policies[getattr(world, name).pk].identity_shown}
    assert shown == IDENTITY.get(user_key, set())
    for case in cases:
        assert policies[case.pk].case == case
        assert policies[case.pk].identity_shown == protection_for(user, case).identity_shown


def _reads() -> list[tuple[int, int, int]]:
    rows = list(
        IdentityRead.objects.order_by("pk").values_list("user_id", "petition_id", "case_id")
    )
    IdentityRead.objects.all().delete()
    return rows


@pytest.mark.parametrize("user_key", USERS)
def test_petitioners_read_at_once_are_those_read_one_petition_at_a_time(
    world: World, user_key: str
) -> None:
    user = world.users()[user_key]
    for name in CASES:
        case = getattr(world, name)
        links = list(
            PetitionPetitioner.objects.filter(petition__in=petitions_of_case(case)).order_by("pk")
        )
        if name == "anonymous":  # no petitioner: nothing to show or log
            assert links == [] and petitioner_views_of([]) == []
            continue
        assert links, name
        IdentityRead.objects.all().delete()
        one = protection_for(user, case)
        expected = [dict(one.petitioner_views(link.petition))[link.petitioner_id] for link in links]
        logged_one_by_one = _reads()
        policy = protections_for(user, [case])[case.pk]
        assert petitioner_views_of([(policy, link) for link in links]) == expected, name
        # The same reads logged (once per petition and policy), and none where hidden.
        assert _reads() == logged_one_by_one, name
        assert bool(logged_one_by_one) == (name in IDENTITY.get(user_key, set())), name
        # Asked again with the same policy (the same page): nothing logged twice.
        petitioner_views_of([(policy, link) for link in links])
        assert _reads() == [], name


@pytest.mark.parametrize("user_key", USERS)
def test_the_policy_reads_the_petitions_held_by_a_case_sent_down(
    world: World, user_key: str
) -> None:
    """A family's petitions may sit on a case sent down (a registration merged into it,
    R-REPEAT-4). The unit's letter moved onto the case sent to the unit's personnel office:
    the family is the same, so the answer key is the same, and now both who received it and
    the respondent who hides it from the unit (R-PROTECT-1) are found only through the case
    sent down."""
    from xinfang.petitions.models import Petition

    moved = Petition.objects.filter(case=world.unit).update(case=world.unit_child)
    assert moved == 1
    user = world.users()[user_key]
    cases = [getattr(world, name) for name in CASES]
    policies = protections_for(user, cases)
    shown = {name for name in CASES if policies[getattr(world, name).pk].identity_shown}
    assert shown == IDENTITY.get(user_key, set())
