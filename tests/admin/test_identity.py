"""R-PROTECT-1 in the admin: petitioners' identity is shown only where can_see_identity
allows, and every display writes an IdentityRead row; hidden displays write none."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.admin.conftest import Login
from tests.builders import VALID_ID, RespondentInput, register
from tests.orgtree import Tree
from xinfang.cases.models import Case, IdentityRead
from xinfang.cases.protection import can_see_identity
from xinfang.orgs.models import User
from xinfang.petitions.models import Petition

NAME = "王建华"
PHONE = "13800000000"
LETTER = "群众意见很大"


def case_page(login: Login, user: User, case: Case) -> str:
    response = login(user).get(reverse("admin:cases_case_change", args=[case.pk]))
    assert response.status_code == 200
    return str(response.content.decode())


def petition_page(login: Login, user: User, petition: Petition) -> str:
    response = login(user).get(reverse("admin:petitions_petition_change", args=[petition.pk]))
    assert response.status_code == 200
    return str(response.content.decode())


def reads(user: User) -> int:
    return IdentityRead.objects.filter(user=user).count()


@pytest.fixture
def case(tree: Tree) -> Case:
    return register(tree.county_staff)


def test_responsible_department_sees_identity_and_each_display_is_logged(
    tree: Tree, case: Case, login: Login
) -> None:
    user = tree.county_staff
    assert can_see_identity(user, case)
    page = case_page(login, user, case)
    assert NAME in page and VALID_ID in page and PHONE in page
    assert "（已隐去）" not in page
    petition = Petition.objects.get(case=case)
    row = IdentityRead.objects.get(user=user)
    assert (row.case_id, row.petition_id) == (case.pk, petition.pk)

    page = petition_page(login, user, petition)
    assert NAME in page and VALID_ID in page and LETTER in page
    assert reads(user) == 2


def test_supervisor_sees_the_case_but_not_the_identity(
    tree: Tree, case: Case, login: Login
) -> None:
    user = tree.city_supervisor
    assert not can_see_identity(user, case)
    page = case_page(login, user, case)
    assert "（已隐去）" in page
    assert NAME not in page and VALID_ID not in page and PHONE not in page
    page = petition_page(login, user, Petition.objects.get(case=case))
    assert "（已隐去）" in page
    assert NAME not in page and VALID_ID not in page
    # The letter itself names the writer as a rule: hidden with the identity.
    assert LETTER not in page
    assert "已随身份一并隐去" in page
    assert reads(user) == 0


def test_staff_without_a_handling_role_do_not_see_identity(
    tree: Tree, case: Case, login: Login
) -> None:
    clerk = tree.staff(tree.county_org)  # same department, no role
    page = case_page(login, clerk, case)
    assert "（已隐去）" in page and VALID_ID not in page
    assert reads(clerk) == 0


def test_identity_hidden_from_department_of_main_leader_complained_about(
    tree: Tree, login: Login
) -> None:
    """The county organization department does not see who accuses the county secretary
    (R-PROTECT-1, R-ROUTE-3), even while the case sits with it."""
    case = register(tree.county_staff, respondents=[RespondentInput(cadre=tree.county_secretary)])
    user = tree.county_staff
    assert not can_see_identity(user, case)
    page = case_page(login, user, case)
    assert "（已隐去）" in page and NAME not in page and VALID_ID not in page
    page = petition_page(login, user, Petition.objects.get(case=case))
    assert NAME not in page and LETTER not in page
    assert reads(user) == 0


def test_anonymous_petition_writes_no_identity_read(tree: Tree, login: Login) -> None:
    case = register(
        tree.county_staff,
        petitioners=[],
        is_anonymous=True,
        anonymous_treatment="investigate",
        anonymous_reason="反映的问题具体，可以查证。",
    )
    page = case_page(login, tree.county_staff, case)
    assert "匿名" in page
    assert reads(tree.county_staff) == 0


def test_list_pages_never_show_identity(tree: Tree, case: Case, login: Login) -> None:
    client = login(tree.county_staff)
    for name in ("cases_case_changelist", "petitions_petition_changelist"):
        page = client.get(reverse(f"admin:{name}")).content.decode()
        assert NAME not in page and VALID_ID not in page
    assert reads(tree.county_staff) == 0
