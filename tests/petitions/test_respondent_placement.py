"""A respondent typed by hand is placed in the org tree before anyone is protected from it
(R-PROTECT-1): protection that does not depend on the registrar's typing."""

from __future__ import annotations

import pytest

from tests.builders import RespondentInput, register
from tests.orgtree import Tree
from xinfang.cases.protection import can_see_identity
from xinfang.core.errors import RuleViolation
from xinfang.orgs.services import cadre_create
from xinfang.petitions.models import Petition, Respondent


def test_r_protect_1_typed_name_and_post_linked_to_the_cadre(tree: Tree) -> None:
    # The county's own office receives a letter accusing its party secretary, typed by hand.
    case = register(
        tree.county_staff, respondents=[RespondentInput(name="周建国", post_title="县委书记")]
    )
    resp = Respondent.objects.get(petition__case=case)
    assert resp.cadre_id == tree.county_secretary.pk
    assert (resp.jurisdiction_id, resp.is_main_leader) == (tree.hekou.pk, True)
    assert resp.managing_jurisdiction_id == tree.linjiang.pk
    # Placed, the accused's own county office no longer sees who wrote.
    assert not can_see_identity(tree.county_staff, case)


def test_r_protect_1_unplaceable_respondent_refused_and_nothing_written(tree: Tree) -> None:
    before = Petition.objects.count()
    with pytest.raises(RuleViolation, match="无法在干部名册或组织机构中确定"):
        register(tree.county_staff, respondents=[RespondentInput(name="王某某", post_title="科长")])
    assert Petition.objects.count() == before


def test_a_single_name_match_without_post_must_be_confirmed(tree: Tree) -> None:
    with pytest.raises(RuleViolation, match="干部名册中有“周建国”（河口县县委书记）"):
        register(tree.county_staff, respondents=[RespondentInput(name="周建国")])


def test_two_cadres_of_one_name_must_be_told_apart(tree: Tree) -> None:
    cadre_create(
        name="周建国",
        title="副局长",
        unit_name="财政局",
        jurisdiction=tree.baisha,
        managing_jurisdiction=tree.baisha,
        rank="section",
    )
    with pytest.raises(RuleViolation, match="干部名册中有2位“周建国”"):
        register(tree.county_staff, respondents=[RespondentInput(name="周建国")])
    # The post tells them apart.
    case = register(
        tree.county_staff, respondents=[RespondentInput(name="周建国", post_title="副局长")]
    )
    assert Respondent.objects.get(petition__case=case).jurisdiction_id == tree.baisha.pk


def test_a_respondent_outside_the_directory_placed_by_jurisdiction(tree: Tree) -> None:
    case = register(
        tree.county_staff,
        respondents=[
            RespondentInput(
                name="吴某", unit="河口县水利局", post_title="科员", jurisdiction=tree.hekou
            )
        ],
    )
    resp = Respondent.objects.get(petition__case=case)
    assert (resp.cadre_id, resp.jurisdiction_id, resp.is_main_leader) == (
        None,
        tree.hekou.pk,
        False,
    )
    assert can_see_identity(tree.county_staff, case)


def test_r_route_3_a_main_leader_post_typed_by_hand_counts_as_main_leader(tree: Tree) -> None:
    # The registrar typed the post but did not tick 主要领导: the post directory knows.
    case = register(
        tree.county_staff,
        respondents=[RespondentInput(name="某某", post_title="县委书记", jurisdiction=tree.hekou)],
    )
    resp = Respondent.objects.get(petition__case=case)
    assert resp.is_main_leader is True
    assert not can_see_identity(tree.county_staff, case)


def test_a_picked_cadre_is_kept_as_picked(tree: Tree) -> None:
    case = register(
        tree.county_staff, respondents=[RespondentInput(cadre=tree.county_bureau_chief)]
    )
    resp = Respondent.objects.get(petition__case=case)
    assert (resp.name, resp.post_title, resp.jurisdiction_id) == ("钱卫东", "局长", tree.hekou.pk)
