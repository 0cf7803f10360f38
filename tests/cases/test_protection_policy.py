"""The access and protection policy decision by decision (R-PROTECT-1, R-SUPER-1, the review
departments): who sees a case, whose identity, and exactly what a hidden view shows.

Fast unit tests beside the generated walk of tests/protection; each expected answer is
written here.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.builders import (
    PetitionerInput,
    RespondentInput,
    at,
    register,
    to_closed,
    to_read,
    visit_interview,
)
from tests.orgtree import Tree
from xinfang.cases import actions as cs
from xinfang.cases.access import cases_visible_to
from xinfang.cases.models import Case
from xinfang.cases.protection import HIDDEN, PetitionerView, can_see_identity, protection_for
from xinfang.deadlines.models import RuleSet
from xinfang.deadlines.services import rule_set_activate
from xinfang.orgs.services import cadre_create, department_create
from xinfang.petitions.models import Petition

VALID_ID = "110101199003074477"


def _visible(tree: Tree, user_attr: str, case: Case) -> bool:
    return cases_visible_to(getattr(tree, user_attr)).filter(pk=case.pk).exists()


def test_the_reviewing_department_sees_the_case_it_reviews_and_no_other(tree: Tree) -> None:
    rule_set_activate(
        actor=tree.staff(tree.prov_org, "administrator"),
        rule_set=RuleSet.objects.get(code="2022"),
    )
    leader = tree.staff(tree.county_org, "leader")
    with at(2025, 3, 3):
        reviewed = to_closed(register(tree.county_staff), leader, tree.county_staff)
        other = to_closed(register(tree.county_staff), leader, tree.county_staff)
        cs.review_apply(
            actor=tree.city_staff, case=reviewed, applied_on=dt.date(2025, 3, 3), request="不服"
        )
    assert _visible(tree, "city_staff", reviewed)  # the 复查 department (one level up)
    assert not _visible(tree, "city_staff", other)  # its other reviews do not open this one
    assert not _visible(tree, "baisha_staff", reviewed)  # no review there


def test_a_supervisor_sees_same_kind_departments_below_only(tree: Tree) -> None:
    below = register(tree.county_staff)
    # A second organization department at the supervisor's own level is not "below".
    same_level = department_create(
        jurisdiction=tree.linjiang, kind="organization", name="临江市委组织部干部监督科"
    )
    beside = register(tree.staff(same_level, "registrar", "handler", "leader"))
    assert _visible(tree, "city_supervisor", below)
    assert not _visible(tree, "city_supervisor", beside)


def test_a_supervisor_of_one_branch_does_not_see_another_branch(tree: Tree) -> None:
    qingshan = tree.staff(tree.qingshan_org, "registrar", "handler", "leader")
    case = register(qingshan)
    assert not _visible(tree, "city_supervisor", case)  # 临江's supervisor, 青山's case
    assert _visible(tree, "prov_supervisor", case)


@pytest.mark.parametrize(
    ("roles", "shown"),
    [
        (("registrar",), True),
        (("handler",), True),
        (("leader",), True),
        (("supervisor",), False),
        (("administrator",), False),
    ],
)
def test_identity_by_role_in_the_responsible_department(
    tree: Tree, roles: tuple[str, ...], shown: bool
) -> None:
    case = register(tree.county_staff)
    assert can_see_identity(tree.staff(tree.county_org, *roles), case) is shown


def test_identity_for_both_the_receiving_and_the_responsible_department(tree: Tree) -> None:
    """The city received the letter and sent it down: the city (receiving) and the county
    (responsible) both see the identity; a third department does not."""
    case = to_read(register(tree.city_staff), tree.city_staff)
    child = cs.case_assign_down(
        routing_note="按属地分办", actor=tree.city_staff, case=case, to_department=tree.county_org
    ).child
    assert can_see_identity(tree.city_staff, child)
    assert can_see_identity(tree.county_staff, child)
    assert not can_see_identity(tree.baisha_staff, child)


def test_respondent_in_another_department_of_the_same_county_hides_nothing(tree: Tree) -> None:
    cadre = cadre_create(
        name="韩立",
        title="副局长",
        jurisdiction=tree.hekou,
        managing_jurisdiction=tree.hekou,
        rank="deputy_section",
        department=tree.county_hr,
    )
    case = register(tree.county_staff, respondents=[RespondentInput(cadre=cadre)])
    assert can_see_identity(tree.county_staff, case)


def test_respondent_in_the_viewers_own_department_hides_the_identity(tree: Tree) -> None:
    cadre = cadre_create(
        name="邵斌",
        title="干部科科长",
        jurisdiction=tree.hekou,
        managing_jurisdiction=tree.hekou,
        rank="section",
        department=tree.county_org,
    )
    case = register(tree.county_staff, respondents=[RespondentInput(cadre=cadre)])
    assert not can_see_identity(tree.county_staff, case)


def _two_petitioners(tree: Tree) -> Case:
    return register(
        tree.county_staff,
        petitioners=[
            PetitionerInput(
                name="王建华",
                id_number=VALID_ID,
                phone="13800000000",
                address="河口县城关镇一号",
                is_representative=True,
            ),
            PetitionerInput(name="李梅", phone="13900000000", address="河口县二号"),
        ],
        is_collective=True,
        head_count=2,
    )


def test_hidden_and_shown_views_in_full(tree: Tree) -> None:
    case = _two_petitioners(tree)
    petition = Petition.objects.get(case=case)
    hidden = protection_for(tree.city_supervisor, case).petitioners(petition)
    assert hidden == [
        PetitionerView(HIDDEN, HIDDEN, HIDDEN, HIDDEN, True, False),
        PetitionerView(HIDDEN, HIDDEN, HIDDEN, HIDDEN, False, False),
    ]
    shown = protection_for(tree.county_staff, case).petitioners(petition)
    assert shown == [
        PetitionerView("王建华", VALID_ID, "13800000000", "河口县城关镇一号", True, True),
        PetitionerView("李梅", "", "13900000000", "河口县二号", False, True),
    ]


def test_interviews_only_to_those_who_may_see_the_identity(tree: Tree) -> None:
    case = register(
        tree.county_staff, channel="visit", interview=visit_interview(tree.county_staff)
    )
    petition = Petition.objects.get(case=case)
    assert protection_for(tree.city_supervisor, case).interviews(petition) == []
    [interview] = protection_for(tree.county_staff, case).interviews(petition)
    assert interview.statement == "反映职级待遇未落实"


def test_timeline_payload_cut_only_for_those_who_may_not_see(tree: Tree) -> None:
    case = register(tree.county_staff)
    payload = {"attachment": 7, "original_name": "举报人王建华的信.pdf", "sha256": "ab"}
    assert protection_for(tree.county_staff, case).event_payload(payload) == payload
    cut = protection_for(tree.city_supervisor, case).event_payload(payload)
    assert cut == {"attachment": 7}
    assert protection_for(tree.city_supervisor, case).event_payload(["x"]) == ["x"]
