"""Routing proposals for realistic cases, table-driven (R-ROUTE-1 to R-ROUTE-7, R-CAT-5,
R-INTAKE-4, R-COUNTY-5). Each row is one petition as a registrar would register it; the
row's id names the rules it proves."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.routing.conftest import MakeCase, RoutingTree
from xinfang.cases.routing import facts_for_case
from xinfang.routing.proposal import Direction, RoutingProposal, propose_routing
from xinfang.routing.rules import same_level_main_leader_conflicts
from xinfang.routing.terms import Category, HandlingMode, Nature

MIS = Category.MISCONDUCT


@dataclass(frozen=True)
class Row:
    id: str
    doc: str
    receiving: str
    respondents: tuple[str, ...]
    department: str | None
    mode: HandlingMode
    rules: frozenset[str]
    category: str = MIS
    nature: str = Nature.ACCUSATION
    title: str = "反映干部问题"
    anonymous: str = ""  # "", "keep" or "investigate"
    direction: Direction | None = None
    key: bool = False
    follow_up: str | None = None
    to_upper: bool = False


def _rules(*ids: str) -> frozenset[str]:
    return frozenset(ids)


SECRETARY = "反映河口县委书记周建国在干部选拔任用中任人唯亲、搞“小圈子”"
ROWS = [
    Row(
        "R-ROUTE-2_R-ROUTE-3_county_secretary_at_county",
        "县委书记是河口县主要领导、由临江市管理：县委组织部不得自查，报送临江市委组织部。",
        "county_org",
        ("county_secretary",),
        "city_org",
        HandlingMode.REFER,
        _rules("R-ROUTE-2", "R-ROUTE-3", "R-ROUTE-4", "R-ROUTE-5"),
        title=SECRETARY,
        direction=Direction.UP,
        key=True,
        follow_up="prov_org",
        to_upper=True,
    ),
    Row(
        "R-ROUTE-2_R-ROUTE-5_county_secretary_at_prefecture",
        "临江市委组织部管理该县委书记：自办，列为重点案件，不转河口县（R-ROUTE-3），省委组织部过问。",
        "city_org",
        ("county_secretary",),
        "city_org",
        HandlingMode.SELF,
        _rules("R-ROUTE-2", "R-ROUTE-3", "R-ROUTE-4", "R-ROUTE-5", "R-ROUTE-7"),
        title=SECRETARY,
        direction=Direction.HERE,
        key=True,
        follow_up="prov_org",
    ),
    Row(
        "R-ROUTE-2_R-ROUTE-4_county_secretary_at_province",
        "省委组织部收到：交办有管理权限的临江市委组织部并要求报结果，自己过问（R-ROUTE-4）。",
        "prov_org",
        ("county_secretary",),
        "city_org",
        HandlingMode.ASSIGN,
        _rules("R-ROUTE-2", "R-ROUTE-3", "R-ROUTE-4", "R-ROUTE-5", "R-ROUTE-7", "R-CLOSE-1"),
        title=SECRETARY,
        direction=Direction.DOWN,
        key=True,
        follow_up="prov_org",
    ),
    Row(
        "R-ROUTE-2_R-ROUTE-3_city_secretary_at_prefecture",
        "市委书记由省委管理：临江市委组织部不得自查，报送省委组织部；省为本系统最高层，无人再过问。",
        "city_org",
        ("city_secretary",),
        "prov_org",
        HandlingMode.REFER,
        _rules("R-ROUTE-2", "R-ROUTE-3", "R-ROUTE-5"),
        title="反映临江市委书记李振华违规提拔干部",
        direction=Direction.UP,
        key=True,
        to_upper=True,
    ),
    Row(
        "R-ROUTE-2_R-ROUTE-7_township_secretary_at_county",
        "镇党委书记由河口县管理：县委组织部自办；乡镇主要领导不构成重点案件；临江市委组织部过问。",
        "county_org",
        ("township_secretary",),
        "county_org",
        HandlingMode.SELF,
        _rules("R-ROUTE-2", "R-ROUTE-4", "R-ROUTE-7"),
        title="反映石桥镇党委书记孙立平违规调整干部",
        direction=Direction.HERE,
        follow_up="city_org",
    ),
    Row(
        "R-ROUTE-2_R-ROUTE-4_township_secretary_at_prefecture",
        "临江市委组织部收到：交办河口县委组织部并要求报结果，自己过问。",
        "city_org",
        ("township_secretary",),
        "county_org",
        HandlingMode.ASSIGN,
        _rules("R-ROUTE-2", "R-ROUTE-4", "R-ROUTE-7", "R-CLOSE-1"),
        title="反映石桥镇党委书记孙立平违规调整干部",
        direction=Direction.DOWN,
        follow_up="city_org",
    ),
    Row(
        "R-ROUTE-2_R-ROUTE-7_township_clerk_transfer_down",
        "普通干部的落实政策问题不属重要问题：转办河口县委组织部，不要求报结果。",
        "city_org",
        ("township_clerk",),
        "county_org",
        HandlingMode.TRANSFER,
        _rules("R-ROUTE-2", "R-ROUTE-7"),
        category=Category.POLICY_HISTORY,
        nature=Nature.APPEAL,
        title="石桥镇干部赵小梅要求落实知青工龄政策",
        direction=Direction.DOWN,
    ),
    Row(
        "R-ROUTE-2_R-ROUTE-7_county_bureau_chief_at_county",
        "县交通运输局局长由河口县管理：县委组织部自办，临江市委组织部过问。",
        "county_org",
        ("county_bureau_chief",),
        "county_org",
        HandlingMode.SELF,
        _rules("R-ROUTE-2", "R-ROUTE-4", "R-ROUTE-7"),
        title="反映县交通运输局局长钱卫东跑官要官",
        direction=Direction.HERE,
        follow_up="city_org",
    ),
    Row(
        "R-ROUTE-2_R-ROUTE-4_county_bureau_chief_at_prefecture",
        "临江市委组织部收到：交办河口县委组织部并要求报结果。",
        "city_org",
        ("county_bureau_chief",),
        "county_org",
        HandlingMode.ASSIGN,
        _rules("R-ROUTE-2", "R-ROUTE-4", "R-ROUTE-7", "R-CLOSE-1"),
        title="反映县交通运输局局长钱卫东跑官要官",
        direction=Direction.DOWN,
        follow_up="city_org",
    ),
    Row(
        "R-ROUTE-2_county_bureau_chief_at_neighbouring_county",
        "白沙县委组织部收到河口县干部的问题：不属本部门管理，转请河口县委组织部。",
        "baisha_org",
        ("county_bureau_chief",),
        "county_org",
        HandlingMode.REFER,
        _rules("R-ROUTE-2", "R-ROUTE-4"),
        title="反映河口县交通运输局局长钱卫东跑官要官",
        direction=Direction.ACROSS,
        follow_up="city_org",
    ),
    Row(
        "R-ROUTE-6_R-CAT-5_wages_to_human_resources",
        "拖欠工资不属组织部门业务：按规则转河口县人社局，并向信访人解释。",
        "county_org",
        (),
        "county_hr",
        HandlingMode.REFER,
        _rules("R-CAT-5", "R-ROUTE-6"),
        category=Category.OUTSIDE_REMIT,
        nature=Nature.REQUEST,
        title="河口县某建筑公司拖欠农民工工资三个月",
        direction=Direction.OUTSIDE,
    ),
    Row(
        "R-ROUTE-6_R-CAT-5_litigation_to_nearest_court",
        "河口县未登记法院：转最近的上级临江市中级人民法院。",
        "county_org",
        (),
        "city_court",
        HandlingMode.REFER,
        _rules("R-CAT-5", "R-ROUTE-6"),
        category=Category.OUTSIDE_REMIT,
        nature=Nature.APPEAL,
        title="不服宅基地纠纷判决，要求组织部门过问",
        direction=Direction.OUTSIDE,
    ),
    Row(
        "R-ROUTE-6_R-CAT-5_bribery_to_discipline",
        "受贿属违纪违法：转河口县纪委监委。",
        "county_org",
        ("county_bureau_chief",),
        "county_discipline",
        HandlingMode.REFER,
        _rules("R-CAT-5", "R-ROUTE-6"),
        category=Category.OUTSIDE_REMIT,
        title="反映钱卫东在道路工程中收受回扣、受贿",
        direction=Direction.OUTSIDE,
    ),
    Row(
        "R-ROUTE-6_R-CAT-5_other_to_petition_bureau",
        "其他问题按兜底规则转信访局；县市未登记信访局，转东川省信访局。",
        "county_org",
        (),
        "prov_petition",
        HandlingMode.REFER,
        _rules("R-CAT-5", "R-ROUTE-6"),
        category=Category.OUTSIDE_REMIT,
        nature=Nature.REQUEST,
        title="反映村道年久失修，要求尽快修路",
        direction=Direction.OUTSIDE,
    ),
    Row(
        "R-INTAKE-4_anonymous_kept_for_reference",
        "内容笼统的匿名信，登记时定为存查：建议存查，不作调查。",
        "county_org",
        ("county_bureau_chief",),
        "county_org",
        HandlingMode.FILE,
        _rules("R-INTAKE-4", "R-ROUTE-7"),
        title="匿名反映钱卫东“作风不好”，无具体事实",
        anonymous="keep",
        direction=Direction.HERE,
    ),
    Row(
        "R-INTAKE-4_R-ROUTE-2_anonymous_investigated",
        "反映具体、可查的匿名信照常按管理权限分办。",
        "county_org",
        ("county_bureau_chief",),
        "county_org",
        HandlingMode.SELF,
        _rules("R-ROUTE-2", "R-ROUTE-4", "R-ROUTE-7"),
        title="匿名反映钱卫东2024年违规突击提拔其司机",
        anonymous="investigate",
        direction=Direction.HERE,
        follow_up="city_org",
    ),
    Row(
        "R-COUNTY-5_R-ROUTE-2_unit_cadre_at_unit_personnel",
        "东川能源集团人力资源部按同样要求办理本单位管理的干部：自办，省委组织部过问。",
        "energy_personnel",
        ("energy_manager",),
        "energy_personnel",
        HandlingMode.SELF,
        _rules("R-COUNTY-5", "R-ROUTE-2", "R-ROUTE-4", "R-ROUTE-7"),
        title="反映发电公司经理王海涛违规招录亲属",
        direction=Direction.HERE,
        follow_up="prov_org",
    ),
    Row(
        "R-COUNTY-5_R-ROUTE-3_unit_main_leader_at_unit_personnel",
        "集团党委书记是单位一把手、由省委管理：集团人力资源部不得自查，报送省委组织部，列为重点案件。",
        "energy_personnel",
        ("energy_secretary",),
        "prov_org",
        HandlingMode.REFER,
        _rules("R-ROUTE-2", "R-ROUTE-3", "R-ROUTE-5"),
        title="反映集团党委书记刘国栋违规决定中层干部任免",
        direction=Direction.UP,
        key=True,
        to_upper=True,
    ),
    Row(
        "R-ROUTE-7_personal_request_without_respondent",
        "没有被反映干部的个人问题：默认自办。",
        "county_org",
        (),
        "county_org",
        HandlingMode.SELF,
        _rules("R-ROUTE-7"),
        category=Category.PERSONAL_REQUEST,
        nature=Nature.REQUEST,
        title="退休教师要求更正参加革命工作时间",
        direction=Direction.HERE,
    ),
    Row(
        "R-ROUTE-2_several_respondents_highest_manager",
        "同时反映镇党委书记和县委书记：按管理权限最高的周建国，报送临江市委组织部。",
        "county_org",
        ("township_secretary", "county_secretary"),
        "city_org",
        HandlingMode.REFER,
        _rules("R-ROUTE-2", "R-ROUTE-3", "R-ROUTE-4", "R-ROUTE-5"),
        title="反映周建国、孙立平在换届中拉票",
        direction=Direction.UP,
        key=True,
        follow_up="prov_org",
        to_upper=True,
    ),
]


def _obj(rtree: RoutingTree, name: str) -> object:
    return getattr(rtree, name) if hasattr(rtree, name) else getattr(rtree.tree, name)


def _propose(rtree: RoutingTree, make_case: MakeCase, row: Row) -> RoutingProposal:
    case = make_case(
        receiving=_obj(rtree, row.receiving),
        respondents=[_obj(rtree, n) for n in row.respondents],
        category=row.category,
        nature=row.nature,
        title=row.title,
        is_anonymous=bool(row.anonymous),
        anonymous_treatment=row.anonymous,
    )
    return propose_routing(facts_for_case(case))


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_routing_proposal(rtree: RoutingTree, make_case: MakeCase, row: Row) -> None:
    """See each row's `doc`; the row id lists the rule IDs it proves."""
    p = _propose(rtree, make_case, row)
    expected = _obj(rtree, row.department) if row.department else None
    assert p.department is not None
    assert p.department.id == getattr(expected, "pk", None), p.department_name
    assert p.mode == row.mode
    assert set(p.rules) == row.rules, [r.text for r in p.reasons]
    assert p.direction == row.direction
    assert p.is_key_case is row.key
    assert p.to_upper_level is row.to_upper
    assert p.result_required is (row.mode == HandlingMode.ASSIGN)
    follow_up = _obj(rtree, row.follow_up) if row.follow_up else None
    assert (p.follow_up_department.id if p.follow_up_department else None) == getattr(
        follow_up, "pk", None
    )
    for reason in p.reasons:
        # Every reason is a Chinese sentence ending with the IDs it cites.
        assert reason.text.endswith(f"（{'、'.join(reason.rules)}）。")


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_never_to_main_leaders_own_organization_department(
    rtree: RoutingTree, make_case: MakeCase, row: Row
) -> None:
    """R-ROUTE-3: no proposal ever names the same-level organization department of a main
    leader complained about (checked with the rule the case services enforce)."""
    case = make_case(
        receiving=_obj(rtree, row.receiving),
        respondents=[_obj(rtree, n) for n in row.respondents],
        category=row.category,
        title=row.title,
    )
    facts = facts_for_case(case)
    p = propose_routing(facts)
    if p.department is not None and p.mode != HandlingMode.FILE:
        assert same_level_main_leader_conflicts(facts.respondents, p.department) == []


def test_reasons_name_the_departments(rtree: RoutingTree, make_case: MakeCase) -> None:
    """R-ROUTE-3 and R-ROUTE-2: the reasons tell the leader why, in words."""
    row = ROWS[0]
    texts = "\n".join(r.text for r in _propose(rtree, make_case, row).reasons)
    assert "周建国是河口县的主要领导干部" in texts
    assert "不得自行查处" in texts
    assert "报送临江市委组织部" in texts


def test_referral_explains_to_petitioner(rtree: RoutingTree, make_case: MakeCase) -> None:
    """R-ROUTE-6: a referral proposal carries what to explain to the petitioner."""
    row = next(r for r in ROWS if r.id.startswith("R-ROUTE-6_R-CAT-5_wages"))
    p = _propose(rtree, make_case, row)
    assert "人力资源和社会保障部门" in p.petitioner_explanation
    assert any("解释明白" in r.text for r in p.reasons)
    assert any("内容涉及“工资”" in r.text for r in p.reasons)
