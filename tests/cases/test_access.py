"""Who sees which case, and whose identity (design.md Security; R-PROTECT-1, R-SUPER-1/2)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from tests.builders import RespondentInput, register, to_read
from tests.orgtree import Tree
from xinfang.cases import actions as cs
from xinfang.cases.access import cases_visible_to, get_case_for_user
from xinfang.cases.models import IdentityRead
from xinfang.cases.protection import HIDDEN, can_see_identity, protection_for
from xinfang.petitions.models import Petition


def test_department_sees_own_cases_only(tree: Tree) -> None:
    county_case = register(tree.county_staff)
    baisha_case = register(tree.baisha_staff)
    assert list(cases_visible_to(tree.county_staff)) == [county_case]
    assert get_case_for_user(tree.county_staff, county_case.pk) == county_case
    with pytest.raises(Http404, match=r"^案件不存在或无权查看$"):
        get_case_for_user(tree.county_staff, baisha_case.pk)


def test_missing_and_forbidden_answer_the_same(tree: Tree) -> None:
    baisha_case = register(tree.baisha_staff)
    with pytest.raises(Http404, match=r"^案件不存在或无权查看$") as forbidden:
        get_case_for_user(tree.county_staff, baisha_case.pk)
    with pytest.raises(Http404, match=r"^案件不存在或无权查看$") as missing:
        get_case_for_user(tree.county_staff, 999_999)
    assert str(forbidden.value) == str(missing.value)


def test_no_department_or_anonymous_sees_nothing(tree: Tree) -> None:
    register(tree.county_staff)
    assert not cases_visible_to(AnonymousUser()).exists()  # type: ignore[arg-type]
    from xinfang.orgs.models import User

    admin = User.objects.create_superuser("root", password="x")
    assert not cases_visible_to(admin).exists()


def test_r_super_1_supervisor_sees_same_kind_departments_below(tree: Tree) -> None:
    county_case = register(tree.county_staff)
    hr_case = register(tree.county_hr_staff)
    city_case = register(tree.city_staff)
    visible = set(cases_visible_to(tree.city_supervisor))
    assert county_case in visible and city_case in visible
    assert hr_case not in visible, "the organization department supervises organization departments"
    assert county_case in set(cases_visible_to(tree.prov_supervisor))
    # A handler of the city (no supervisor role) does not see the county's own cases.
    assert county_case not in set(cases_visible_to(tree.city_staff))


def test_sender_follows_case_sent_down(tree: Tree) -> None:
    case = to_read(register(tree.city_staff), tree.city_staff)
    child = cs.case_assign_down(
        routing_note="按实际情况分办",
        actor=tree.city_staff,
        case=case,
        to_department=tree.county_org,
    ).child
    assert get_case_for_user(tree.city_staff, child.pk) == child


def test_r_info_2_upper_and_lower_departments_share_the_petitions(tree: Tree) -> None:
    """R-INFO-2: the case sent down carries the petitions of the sender's case (one record
    for both levels, not a copy), and the sender reads the child case and its history."""
    from xinfang.cases.family import petitions_of_case
    from xinfang.cases.models import CaseEvent

    case = to_read(register(tree.city_staff), tree.city_staff)
    [petition] = Petition.objects.filter(case=case)
    child = cs.case_assign_down(
        routing_note="按实际情况分办",
        actor=tree.city_staff,
        case=case,
        to_department=tree.county_org,
    ).child
    assert list(petitions_of_case(child)) == [petition]
    assert list(petitions_of_case(case)) == [petition]
    assert Petition.objects.count() == 1
    assert get_case_for_user(tree.city_staff, child.pk) == child
    kinds = list(CaseEvent.objects.filter(case=child).values_list("kind", flat=True))
    assert kinds == ["received_from_upper"]


def _case_about(tree: Tree, cadre_attr: str, staff_attr: str = "city_staff"):  # type: ignore[no-untyped-def]
    staff = getattr(tree, staff_attr)
    return register(staff, respondents=[RespondentInput(cadre=getattr(tree, cadre_attr))])


def test_r_protect_1_identity_shown_to_the_handling_department_and_logged(tree: Tree) -> None:
    case = _case_about(tree, "county_bureau_chief", "county_staff")
    petition = Petition.objects.get(case=case)
    [view] = protection_for(tree.county_staff, case).petitioners(petition)
    assert view.shown and view.name == "王建华" and view.id_number == "110101199003074477"
    assert IdentityRead.objects.filter(user=tree.county_staff, petition=petition).count() == 1


def test_r_protect_1_hidden_from_same_level_department_of_main_leader(tree: Tree) -> None:
    # Received by the county itself about the county party secretary: its own staff must not
    # see who accused their main leader.
    case = _case_about(tree, "county_secretary", "county_staff")
    petition = Petition.objects.get(case=case)
    assert not can_see_identity(tree.county_staff, case)
    [view] = protection_for(tree.county_staff, case).petitioners(petition)
    assert not view.shown and view.name == HIDDEN and view.id_number == HIDDEN
    assert IdentityRead.objects.count() == 0


def test_r_protect_1_hidden_from_the_respondents_unit(tree: Tree) -> None:
    # A cadre of the unit's own personnel department is complained about.
    from xinfang.orgs.services import cadre_create

    cadre = cadre_create(
        name="吴海",
        title="人力资源部主任",
        jurisdiction=tree.energy,
        managing_jurisdiction=tree.energy,
        rank="section",
        department=tree.energy_personnel,
    )
    case = register(tree.energy_staff, respondents=[RespondentInput(cadre=cadre)])
    assert not can_see_identity(tree.energy_staff, case)


def test_r_protect_1_hidden_from_every_department_of_the_respondents_unit(tree: Tree) -> None:
    """R-PROTECT-1 with R-COUNTY-5: a cadre of a unit's production department (not a main
    leader, not in the personnel department) is complained about; the unit's personnel
    department, which runs the unit's petition work, must not see who complained. In a county
    the same situation shows the identity (test above: the county bureau chief)."""
    from xinfang.orgs.services import cadre_create

    cadre = cadre_create(
        name="郑涛",
        title="生产运营部经理",
        unit_name="生产运营部",
        jurisdiction=tree.energy,
        managing_jurisdiction=tree.energy,
        rank="section",
    )
    case = register(tree.energy_staff, respondents=[RespondentInput(cadre=cadre)])
    assert not can_see_identity(tree.energy_staff, case)
    [view] = protection_for(tree.energy_staff, case).petitioners(Petition.objects.get(case=case))
    assert (view.shown, view.name) == (False, HIDDEN)


def test_r_protect_1_hidden_from_the_department_a_case_is_sent_to_when_respondent_there(
    tree: Tree,
) -> None:
    case = _case_about(tree, "township_secretary")
    assert can_see_identity(tree.city_staff, case)
    assert not can_see_identity(tree.city_supervisor, case), "supervisors do not need identities"
    assert not can_see_identity(tree.county_staff, case), "not involved in the case"
