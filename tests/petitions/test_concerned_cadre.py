"""当事干部: the cadre a personal request is about (R-CAT-4), routed by who manages him
(R-ROUTE-2) and never counted as a respondent (issue 8, item 2)."""

from __future__ import annotations

import pytest

from tests.builders import PetitionerInput, register, to_read
from tests.orgtree import Tree
from xinfang.cases import actions as cs
from xinfang.cases.casefile import case_file, case_file_export
from xinfang.cases.models import Case, RoutingDecision
from xinfang.cases.routing import facts_for_case
from xinfang.core.errors import RuleViolation
from xinfang.petitions.models import ConcernedCadre, Petition, Respondent
from xinfang.petitions.services import ConcernedCadreInput, RespondentInput
from xinfang.routing.proposal import Direction, propose_routing
from xinfang.routing.terms import HandlingMode

PERSONAL = {
    "category": "personal_request",
    "nature": "request",
    "summary": "要求更正参加工作时间",
    "content": "本人1978年参加工作，档案记载为1980年，请求按原始材料更正。",
    "petitioners": [PetitionerInput(name="孙立平")],
}


def _personal(tree: Tree, staff_attr: str, concerned: ConcernedCadreInput) -> Case:
    return register(getattr(tree, staff_attr), concerned_cadre=concerned, **PERSONAL)


def test_picked_from_the_directory_is_a_snapshot_not_a_respondent(tree: Tree) -> None:
    case = _personal(tree, "county_staff", ConcernedCadreInput(cadre=tree.township_secretary))
    petition = Petition.objects.get(case=case)
    c = ConcernedCadre.objects.get(petition=petition)
    assert (c.name, c.post_title, c.rank) == ("孙立平", "镇党委书记", "section")
    assert (c.jurisdiction, c.managing_jurisdiction) == (tree.shiqiao, tree.hekou)
    assert c.cadre == tree.township_secretary
    # Not a respondent: the accusation figures do not see him.
    assert Respondent.objects.count() == 0


@pytest.mark.parametrize(
    ("staff", "cadre", "mode", "direction", "department"),
    [
        # Managed by 河口县 and received there: handled here (R-ROUTE-2, R-ROUTE-7).
        ("county_staff", "township_secretary", HandlingMode.SELF, Direction.HERE, "河口县委组织部"),
        # Received by the city, managed below: transferred to 河口县, no result required
        # (a personal request is not an important matter of R-ROUTE-4).
        (
            "city_staff",
            "township_secretary",
            HandlingMode.TRANSFER,
            Direction.DOWN,
            "河口县委组织部",
        ),
        # 周建国 is managed by 临江市: the county reports his request up.
        ("county_staff", "county_secretary", HandlingMode.REFER, Direction.UP, "临江市委组织部"),
        # Received by a neighbouring county: sent across to the managing one.
        (
            "baisha_staff",
            "township_secretary",
            HandlingMode.REFER,
            Direction.ACROSS,
            "河口县委组织部",
        ),
    ],
)
def test_r_route_2_personal_request_goes_to_the_managing_department(
    tree: Tree,
    staff: str,
    cadre: str,
    mode: HandlingMode,
    direction: Direction,
    department: str,
) -> None:
    case = _personal(tree, staff, ConcernedCadreInput(cadre=getattr(tree, cadre)))
    p = propose_routing(facts_for_case(case))
    assert (p.mode, p.direction, p.department_name) == (mode, direction, department)
    assert {"R-CAT-4", "R-ROUTE-2"} <= set(p.rules)
    assert not p.is_key_case and p.follow_up_department is None


def test_typed_in_when_not_in_the_directory(tree: Tree) -> None:
    """A retired cadre no longer in the directory: post, rank and manager typed in."""
    case = _personal(
        tree,
        "county_staff",
        ConcernedCadreInput(
            name="刘德明",
            unit="东川省水利厅",
            post_title="副厅长（已退休）",
            rank="bureau",
            managing_jurisdiction=tree.province,
        ),
    )
    c = ConcernedCadre.objects.get(petition__case=case)
    assert (c.name, c.rank, c.managing_jurisdiction, c.cadre) == (
        "刘德明",
        "bureau",
        tree.province,
        None,
    )
    p = propose_routing(facts_for_case(case))
    assert (p.mode, p.direction, p.department_name) == (
        HandlingMode.REFER,
        Direction.UP,
        "东川省委组织部",
    )


def test_the_petitioners_name_stays_out_of_the_reasons(tree: Tree) -> None:
    """The cadre concerned is usually the petitioner (R-PROTECT-1): reasons, recorded and
    shown with the routing decision, name his post, not him."""
    case = _personal(tree, "city_staff", ConcernedCadreInput(cadre=tree.township_secretary))
    p = propose_routing(facts_for_case(case))
    text = "".join(r.text for r in p.reasons)
    assert "当事干部（石桥镇党委书记）本人的个人问题" in text
    assert "孙立平" not in text
    to_read(case, tree.city_staff)
    cs.case_transfer_down(actor=tree.city_staff, case=case, to_department=tree.county_org)
    decision = RoutingDecision.objects.get(case=case)
    assert decision.followed
    assert "孙立平" not in str(decision.proposal_reasons)


def test_without_a_cadre_concerned_the_request_is_handled_here(tree: Tree) -> None:
    """R-ROUTE-7: nothing points elsewhere (an ordinary party member's request)."""
    case = register(tree.city_staff, **PERSONAL)
    p = propose_routing(facts_for_case(case))
    assert (p.mode, p.department_name) == (HandlingMode.SELF, "临江市委组织部")


def test_refusals_in_chinese_and_nothing_written(tree: Tree) -> None:
    with pytest.raises(RuleViolation, match="当事干部须从干部名录中选择") as err:
        _personal(tree, "county_staff", ConcernedCadreInput(name=" "))
    messages = err.value.messages
    assert "当事干部须从干部名录中选择，或填写姓名。" in messages
    assert "名录中没有当事干部的现任职务，请填写其职务。" in messages
    assert "请选择当事干部的职级。" in messages
    assert "请选择管理当事干部的党委（干部管理权限，R-ROUTE-2）。" in messages
    # A cadre complained about is a respondent, not a cadre concerned.
    with pytest.raises(RuleViolation, match="反映干部问题的，请填写被反映人"):
        register(
            tree.county_staff,
            concerned_cadre=ConcernedCadreInput(cadre=tree.county_bureau_chief),
        )
    assert Petition.objects.count() == 0 and ConcernedCadre.objects.count() == 0


def test_accusations_still_route_by_respondent(tree: Tree) -> None:
    """The respondent path is unchanged: a misconduct letter about 钱卫东 at the city."""
    case = register(tree.city_staff, respondents=[RespondentInput(cadre=tree.county_bureau_chief)])
    p = propose_routing(facts_for_case(case))
    assert (p.mode, p.department_name) == (HandlingMode.ASSIGN, "河口县委组织部")


def test_case_file_shows_the_cadre_concerned_only_with_the_identity(tree: Tree) -> None:
    """Print and JSON show 当事干部 to those who see the petitioner; a supervisor above,
    who does not see the petitioner (R-PROTECT-1), does not see him either."""
    case = _personal(tree, "county_staff", ConcernedCadreInput(cadre=tree.township_secretary))
    file = case_file(tree.county_staff, case)
    assert file.petitions[0].concerned_cadre.name == "孙立平"
    exported = case_file_export(file)
    assert exported["来信来访"][0]["当事干部"]["职务"] == "镇党委书记"
    hidden = case_file(tree.city_supervisor, case)
    assert hidden.petitions[0].concerned_cadre is None
    assert "孙立平" not in str(case_file_export(hidden))
