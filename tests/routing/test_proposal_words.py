"""`propose_routing` and its helpers, word for word: the reasons the leader reads beside the
proposal, and the branches a mutation run of routing/proposal.py found no test for (docs/
testing.md). Hand-built facts, no database; every expected sentence is written out here."""

from __future__ import annotations

from tests.routing.test_pure import (
    CITY,
    CITY_ORG,
    COUNTY,
    COUNTY_ORG,
    DIRECTORY,
    PROV_ORG,
    PROVINCE,
    J,
    facts,
)
from xinfang.routing.proposal import (
    DepartmentFacts,
    Direction,
    JurisdictionFacts,
    OrgDirectory,
    ReferralRuleFacts,
    RespondentFacts,
    RoutingProposal,
    department_instead,
    proposal_followed,
    propose_routing,
    rule_ids,
)
from xinfang.routing.terms import Category, HandlingMode, Nature

TOWNSHIP = JurisdictionFacts(4, "石桥镇", "township", "/1/2/3/4/", parent_id=3)
UNIT = JurisdictionFacts(5, "平川钢铁公司", "unit", "/1/2/5/", parent_id=2)
WITH_ALL = {**J, TOWNSHIP.id: TOWNSHIP, UNIT.id: UNIT}
UNIT_HR = DepartmentFacts(60, "平川钢铁公司人事部", "personnel", UNIT)
COUNTY_HR = DepartmentFacts(70, "柳河县人力资源和社会保障局", "human_resources", COUNTY)
COUNTY_PETITIONS = DepartmentFacts(71, "柳河县信访局", "petition_bureau", COUNTY)
COUNTY_DISCIPLINE = DepartmentFacts(72, "柳河县纪委监委", "discipline", COUNTY)


def texts(p: object) -> list[str]:
    return [r.text for r in p.reasons]  # type: ignore[attr-defined]


def personal(receiving: DepartmentFacts, cadre: RespondentFacts, **kw: object) -> RoutingProposal:
    """The proposal for a personal request (R-CAT-4) about `cadre`, the 当事干部."""
    return propose_routing(
        facts(
            receiving,
            category=Category.PERSONAL_REQUEST,
            nature=Nature.REQUEST,
            concerned=(cadre,),
            **kw,
        )
    )


# --- R-ROUTE-2: a jurisdiction without an organization department -------------------------


def test_r_route_2_a_county_without_an_organization_department_is_served_from_above() -> None:
    no_county_org = OrgDirectory(jurisdictions=J, departments=(PROV_ORG, CITY_ORG))
    cadre = RespondentFacts("冯某", COUNTY, COUNTY, rank="section")
    p = propose_routing(facts(CITY_ORG, cadre, directory=no_county_org))
    assert p.department == CITY_ORG and p.mode == HandlingMode.SELF
    assert "柳河县未设组织部门，由平川市组织部门负责（R-ROUTE-2）。" in texts(p)
    reason = next(r for r in p.reasons if "未设组织部门" in r.text)
    assert reason.rules == ("R-ROUTE-2",)


def test_r_route_2_the_top_without_an_organization_department_names_the_committee_above() -> None:
    no_province_org = OrgDirectory(jurisdictions=J, departments=(CITY_ORG, COUNTY_ORG))
    cadre = RespondentFacts("郑某", PROVINCE, PROVINCE, rank="bureau")
    p = propose_routing(facts(CITY_ORG, cadre, directory=no_province_org))
    assert p.department is None and p.to_upper_level
    assert "西岭省未设组织部门，由上一级党委组织部门负责（R-ROUTE-2）。" in texts(p)


# --- R-ROUTE-3: several main leaders of one place ------------------------------------------


def test_r_route_3_names_every_main_leader_of_the_place_once_in_the_reason() -> None:
    first = RespondentFacts("吴某", COUNTY, COUNTY, is_main_leader=True)
    second = RespondentFacts("郑某", COUNTY, COUNTY, is_main_leader=True)
    p = propose_routing(facts(COUNTY_ORG, first, second))
    assert p.department == CITY_ORG and p.direction == Direction.UP
    assert (
        "吴某、郑某是柳河县的主要领导干部，不得由柳河县委组织部查处，改由平川市组织部门负责"
        "（R-ROUTE-3）。"
    ) in texts(p)


# --- R-ROUTE-2 / R-CAT-4: by cadre management authority -----------------------------------


def test_r_cat_4_a_personal_request_names_the_post_not_the_person() -> None:
    head = RespondentFacts("王某", COUNTY, COUNTY, post_title="教育局局长")
    p = personal(COUNTY_ORG, head)
    assert texts(p) == [
        "本件是当事干部（柳河县教育局局长）本人的个人问题（更改入党或参加工作时间、离退休、职级待遇），"
        "该干部由柳河县党委管理，按照干部管理权限由柳河县党委组织部门办理（R-CAT-4、R-ROUTE-2）。",
        "建议由柳河县委组织部自办，自办为主、多办少转（R-ROUTE-7）。",
    ]
    assert p.reasons[0].rules == ("R-CAT-4", "R-ROUTE-2")


def test_r_cat_4_a_cadre_concerned_without_a_post_is_a_cadre() -> None:
    nobody = RespondentFacts("王某", None, CITY)
    p = personal(COUNTY_ORG, nobody)
    assert p.department == CITY_ORG and p.direction == Direction.UP
    assert texts(p)[0] == (
        "本件是当事干部（干部）本人的个人问题（更改入党或参加工作时间、离退休、职级待遇），"
        "该干部由平川市党委管理，按照干部管理权限由平川市党委组织部门办理（R-CAT-4、R-ROUTE-2）。"
    )
    assert (
        p.petitioner_explanation
        == "您提出的问题按照干部管理权限由平川市委组织部办理，已报送该部门。"
    )


def test_r_route_2_several_respondents_go_where_the_highest_managed_one_is_managed() -> None:
    """The one managed higher is named second: the lead is chosen by rank, not by order."""
    chief = RespondentFacts("冯某", COUNTY, COUNTY, rank="section")
    director = RespondentFacts("郑某", CITY, CITY, rank="division")
    p = propose_routing(facts(COUNTY_ORG, chief, director))
    assert p.department == CITY_ORG and p.mode == HandlingMode.REFER and p.to_upper_level
    assert texts(p) == [
        "本件涉及多名被反映人，按其中管理权限最高的郑某确定承办层级（R-ROUTE-2）。",
        "平川市郑某由平川市党委管理，按照干部管理权限由平川市党委组织部门调查处理（R-ROUTE-2）。",
        "被反映人为县处级以上干部或县级以上党委主要领导干部，建议列为重点案件，由平川市委组织部"
        "直接查办，不再下转（R-ROUTE-5）。",
        "属组织、干部工作中的重要问题，由平川市委组织部办理的同时，上一级西岭省委组织部应当过问、"
        "掌握办理情况（R-ROUTE-4）。",
        "不属本级管理，建议报送平川市委组织部办理，并向信访人说明去向（R-ROUTE-2）。",
    ]
    assert (
        p.petitioner_explanation
        == "您反映的问题按照干部管理权限由平川市委组织部办理，已报送该部门。"
    )


def test_r_route_2_one_respondent_is_not_several() -> None:
    chief = RespondentFacts("冯某", COUNTY, COUNTY, rank="section")
    p = propose_routing(facts(COUNTY_ORG, chief))
    assert not any("多名被反映人" in t for t in texts(p))
    assert texts(p)[0] == (
        "柳河县冯某由柳河县党委管理，按照干部管理权限由柳河县党委组织部门调查处理（R-ROUTE-2）。"
    )


OTHER_COUNTY = JurisdictionFacts(6, "石门县", "county", "/1/2/6/", parent_id=2)
OTHER_COUNTY_ORG = DepartmentFacts(80, "石门县委组织部", "organization", OTHER_COUNTY)
ACROSS = OrgDirectory(
    jurisdictions={**J, OTHER_COUNTY.id: OTHER_COUNTY},
    departments=(*DIRECTORY.departments, OTHER_COUNTY_ORG),
)


def test_r_route_2_managed_in_another_branch_is_referred_across() -> None:
    cadre = RespondentFacts("冯某", OTHER_COUNTY, OTHER_COUNTY, rank="other")
    p = propose_routing(facts(COUNTY_ORG, cadre, directory=ACROSS))
    assert p.department == OTHER_COUNTY_ORG and p.direction == Direction.ACROSS
    assert p.mode == HandlingMode.REFER and not p.to_upper_level
    assert (
        texts(p)[-1]
        == "不属本部门管理，建议转请石门县委组织部办理，并向信访人说明去向（R-ROUTE-2）。"
    )
    assert p.petitioner_explanation == (
        "您反映的问题按照干部管理权限由石门县委组织部办理，已转请该部门办理。"
    )
    head = RespondentFacts("王某", OTHER_COUNTY, OTHER_COUNTY, post_title="教育局局长")
    asked = personal(COUNTY_ORG, head, directory=ACROSS)
    assert asked.petitioner_explanation == (
        "您提出的问题按照干部管理权限由石门县委组织部办理，已转请该部门办理。"
    )


def test_r_route_3_said_to_the_main_leaders_own_department() -> None:
    secretary = RespondentFacts("吴某", COUNTY, CITY, is_main_leader=True)
    p = propose_routing(facts(COUNTY_ORG, secretary))
    assert (
        "吴某是柳河县的主要领导干部，本部门即其同级柳河县委组织部，不得自行查处（R-ROUTE-3）。"
    ) in texts(p)


def test_r_route_3_said_for_every_main_leader_after_others_and_after_one_without_a_department() -> (
    None
):
    directory = OrgDirectory(jurisdictions=WITH_ALL, departments=DIRECTORY.departments)
    clerk = RespondentFacts("冯某", COUNTY, COUNTY, rank="other")
    township = RespondentFacts("钱某", TOWNSHIP, COUNTY, is_main_leader=True)
    secretary = RespondentFacts("周某", COUNTY, CITY, is_main_leader=True)
    p = propose_routing(facts(CITY_ORG, clerk, township, secretary, directory=directory))
    said = [t for t in texts(p) if "R-ROUTE-3" in t]
    assert said == [
        "周某是柳河县的主要领导干部，不得将反映其问题的来信转给柳河县委组织部查处（R-ROUTE-3）。"
    ]


# --- R-ROUTE-5: whose case is a key case --------------------------------------------------


def test_r_route_5_a_county_committees_main_leader_is_a_key_case_without_a_rank() -> None:
    """The criterion's second half: no rank recorded, but the main leader of a county."""
    secretary = RespondentFacts("周某", COUNTY, CITY, is_main_leader=True)
    p = propose_routing(facts(CITY_ORG, secretary))
    assert p.department == CITY_ORG and p.is_key_case
    assert (
        "被反映人为县处级以上干部或县级以上党委主要领导干部，建议列为重点案件，由平川市委组织部"
        "直接查办，不再下转（R-ROUTE-5）。"
    ) in texts(p)


def test_r_route_5_a_key_case_is_not_kept_by_the_main_leaders_own_department() -> None:
    """R-ROUTE-5 keeps a key case managed below at the prefecture that received it, but
    never at the main leader's own organization department (R-ROUTE-3): the city's own
    secretary, recorded (unusually) as managed by the county, is sent down, not kept."""
    secretary = RespondentFacts("韩某", CITY, COUNTY, is_main_leader=True, rank="division")
    p = propose_routing(facts(CITY_ORG, secretary))
    assert p.department == COUNTY_ORG and p.mode == HandlingMode.ASSIGN
    assert not p.is_key_case


def test_r_route_5_a_townships_main_leader_is_not_a_key_case() -> None:
    directory = OrgDirectory(jurisdictions=WITH_ALL, departments=DIRECTORY.departments)
    secretary = RespondentFacts("钱某", TOWNSHIP, CITY, is_main_leader=True)
    p = propose_routing(facts(CITY_ORG, secretary, directory=directory))
    assert p.department == CITY_ORG and not p.is_key_case
    assert "R-ROUTE-5" not in p.rules


# --- R-ROUTE-4: what is an important matter -----------------------------------------------


def test_r_route_4_a_leading_cadre_outside_cadre_matters_is_transferred_without_report() -> None:
    """Important needs both: a cadre matter (misconduct, organization work) and a leading
    cadre. A policy matter about a section chief is sent down without a report asked."""
    chief = RespondentFacts("冯某", COUNTY, COUNTY, rank="section")
    p = propose_routing(facts(CITY_ORG, chief, category=Category.POLICY_HISTORY))
    assert p.department == COUNTY_ORG and p.mode == HandlingMode.TRANSFER
    assert p.follow_up_department is None and not p.result_required
    assert "建议转办柳河县委组织部，不要求报结果（R-ROUTE-7）。" in texts(p)


def test_r_route_4_misconduct_of_a_cadre_below_section_rank_is_not_important() -> None:
    clerk = RespondentFacts("冯某", COUNTY, COUNTY, rank="other")
    p = propose_routing(facts(CITY_ORG, clerk))
    assert p.mode == HandlingMode.TRANSFER and p.follow_up_department is None


def test_r_route_4_misconduct_of_a_section_chief_is_assigned_and_followed() -> None:
    chief = RespondentFacts("冯某", COUNTY, COUNTY, rank="section")
    p = propose_routing(facts(CITY_ORG, chief))
    assert p.mode == HandlingMode.ASSIGN and p.result_required
    assert p.follow_up_department == CITY_ORG
    assert (
        "属组织、干部工作中的重要问题，建议交办柳河县委组织部并要求报结果，一般三个月内报结"
        "（R-ROUTE-7、R-CLOSE-1）。"
    ) in texts(p)


# --- R-ROUTE-7 and R-COUNTY-5: handled here -------------------------------------------------


def test_r_route_7_handled_here_says_so() -> None:
    p = propose_routing(facts(CITY_ORG))
    assert texts(p) == ["建议由平川市委组织部自办，自办为主、多办少转（R-ROUTE-7）。"]


def test_r_county_5_a_units_personnel_department_is_told_it_works_to_the_same_rules() -> None:
    directory = OrgDirectory(jurisdictions=WITH_ALL, departments=(*DIRECTORY.departments, UNIT_HR))
    p = propose_routing(facts(UNIT_HR, directory=directory))
    assert p.department == UNIT_HR and p.mode == HandlingMode.SELF
    assert texts(p) == [
        "建议由平川钢铁公司人事部自办，自办为主、多办少转（R-ROUTE-7）。",
        "平川钢铁公司人事部是平川钢铁公司的组织人事部门，按组织部门信访工作的同样要求办理"
        "（R-COUNTY-5）。",
    ]


# --- R-ROUTE-6 / R-CAT-5: outside the remit -------------------------------------------------


def outside(text: str, *rules: ReferralRuleFacts, nature: str = Nature.ACCUSATION) -> object:
    directory = OrgDirectory(
        jurisdictions=J,
        departments=(*DIRECTORY.departments, COUNTY_HR, COUNTY_PETITIONS, COUNTY_DISCIPLINE),
    )
    return propose_routing(
        facts(
            COUNTY_ORG,
            category=Category.OUTSIDE_REMIT,
            nature=nature,
            text=text,
            referral_rules=rules,
            directory=directory,
        )
    )


LABOUR = ReferralRuleFacts("劳动争议", ("工资", "社保"), "human_resources", "请向人社部门反映")
FALLBACK = ReferralRuleFacts("兜底", (), "petition_bureau", "已转请信访部门办理")
BRIBES = ReferralRuleFacts("受贿", ("受贿",), "discipline", "已转纪检监察机关", nature="accusation")


def test_r_route_6_the_words_found_and_the_rule_are_named() -> None:
    p = outside("拖欠工资半年，也不缴社保", LABOUR, FALLBACK)
    assert p.department == COUNTY_HR  # type: ignore[attr-defined]
    assert texts(p) == [
        "所反映问题不属于组织部门业务范围（R-CAT-5）。",
        "内容涉及“工资、社保”，按转其他部门规则“劳动争议”，建议转柳河县人力资源和社会保障局办理"
        "（R-ROUTE-6）。",
        "转交的同时须用适当方式向信访人解释明白，并记录解释内容、日期和方式；要点：请向人社部门反映"
        "（R-ROUTE-6）。",
    ]


def test_r_route_6_no_word_found_takes_the_fallback_rule() -> None:
    p = outside("村里修路占了耕地", LABOUR, FALLBACK)
    assert p.department == COUNTY_PETITIONS  # type: ignore[attr-defined]
    assert p.petitioner_explanation == "已转请信访部门办理"  # type: ignore[attr-defined]
    assert "其他规则均不适用，按兜底规则“兜底”，建议转柳河县信访局办理（R-ROUTE-6）。" in texts(p)


def test_r_route_6_without_rules_or_a_department_the_leader_picks_by_hand() -> None:
    bare = propose_routing(facts(COUNTY_ORG, category=Category.OUTSIDE_REMIT, text="修路"))
    assert texts(bare) == [
        "所反映问题不属于组织部门业务范围（R-CAT-5）。",
        "未设置转其他部门规则，按默认应转信访局办理，但本级及上级均未登记该类部门，请人工确定接收部门"
        "（R-ROUTE-6）。",
        "转交的同时须用适当方式向信访人解释明白，并记录解释内容、日期和方式；要点：您反映的问题"
        "不属于组织部门业务范围，已转请信访部门按有关规定办理（R-ROUTE-6）。",
    ]
    assert bare.petitioner_explanation == (
        "您反映的问题不属于组织部门业务范围，已转请信访部门按有关规定办理。"
    )


def test_r_route_6_an_accusations_only_rule_is_used_for_accusations_only() -> None:
    accused = outside("举报某局长受贿", BRIBES, FALLBACK, nature=Nature.ACCUSATION)
    appealed = outside("我被诬告受贿，要求澄清", BRIBES, FALLBACK, nature=Nature.APPEAL)
    assert accused.department == COUNTY_DISCIPLINE  # type: ignore[attr-defined]
    assert appealed.department == COUNTY_PETITIONS  # type: ignore[attr-defined]


def test_a_rule_for_any_petition_matches_whatever_the_nature() -> None:
    assert LABOUR.matches("拖欠工资", "")
    assert LABOUR.matches("拖欠工资", Nature.APPEAL)
    assert not BRIBES.matches("举报受贿")
    assert not LABOUR.matches("修路", Nature.ACCUSATION)


def test_rule_ids_in_order_each_once() -> None:
    p = outside("拖欠工资", LABOUR)
    assert rule_ids(p.reasons) == ("R-CAT-5", "R-ROUTE-6")  # type: ignore[attr-defined]


# --- department_instead (R-ROUTE-3 refusals name where to go) -------------------------------


def test_department_instead_is_the_proposals_department_when_that_may_hold_it() -> None:
    chief = RespondentFacts("冯某", COUNTY, COUNTY, rank="section")
    proposed = facts(CITY_ORG, chief)
    assert department_instead(proposed, CITY_ORG.id, CITY.id) == "柳河县委组织部"


def test_department_instead_goes_up_when_the_proposal_is_the_refused_department() -> None:
    chief = RespondentFacts("冯某", COUNTY, COUNTY, rank="section")
    proposed = facts(COUNTY_ORG, chief)
    assert department_instead(proposed, COUNTY_ORG.id, COUNTY.id) == "平川市委组织部"


def test_department_instead_passes_over_a_level_without_an_organization_department() -> None:
    no_city_org = OrgDirectory(jurisdictions=J, departments=(PROV_ORG, COUNTY_ORG))
    chief = RespondentFacts("冯某", COUNTY, COUNTY, rank="section")
    proposed = facts(COUNTY_ORG, chief, directory=no_city_org)
    assert department_instead(proposed, COUNTY_ORG.id, COUNTY.id) == "西岭省委组织部"


def test_department_instead_goes_up_from_a_referral_outside() -> None:
    referred = facts(COUNTY_ORG, category=Category.OUTSIDE_REMIT, text="修路")
    assert department_instead(referred, COUNTY_ORG.id, COUNTY.id) == "平川市委组织部"


def test_department_instead_names_the_level_above_when_nothing_is_known() -> None:
    chief = RespondentFacts("冯某", COUNTY, COUNTY, rank="section")
    proposed = facts(COUNTY_ORG, chief)
    assert department_instead(proposed, COUNTY_ORG.id, 999) == "上一级组织部门"
    top = facts(PROV_ORG)
    assert department_instead(top, PROV_ORG.id, PROVINCE.id) == "上一级组织部门"


# --- proposal_followed (R-ROUTE-1: the decision recorded beside the proposal) ----------------


def test_a_decision_follows_the_proposal_on_mode_and_department() -> None:
    here = propose_routing(facts(CITY_ORG))
    assert proposal_followed(here, HandlingMode.SELF, CITY_ORG.id)
    assert not proposal_followed(here, HandlingMode.SELF, COUNTY_ORG.id)
    assert not proposal_followed(here, HandlingMode.SELF, None)
    assert not proposal_followed(here, HandlingMode.TRANSFER, CITY_ORG.id)


def test_a_referral_without_a_named_department_is_followed_by_any_referral() -> None:
    leader = RespondentFacts("郑某", PROVINCE, PROVINCE, is_main_leader=True)
    up = propose_routing(facts(PROV_ORG, leader))
    assert up.department is None and up.mode == HandlingMode.REFER
    assert proposal_followed(up, HandlingMode.REFER, 12345)
    assert proposal_followed(up, HandlingMode.REFER, None)
    assert not proposal_followed(up, HandlingMode.SELF, PROV_ORG.id)


# --- R-INTAKE-4: a vague anonymous letter ---------------------------------------------------


def test_r_intake_4_a_vague_anonymous_letter_is_kept_here_for_reference() -> None:
    cadre = RespondentFacts("冯某", COUNTY, COUNTY, rank="section")
    p = propose_routing(facts(COUNTY_ORG, cadre, is_anonymous=True, anonymous_treatment="keep"))
    assert p.mode == HandlingMode.FILE and p.direction == Direction.HERE
    assert p.department == COUNTY_ORG and p.department_name == "柳河县委组织部"
    assert texts(p) == [
        "匿名信件内容笼统、无从查证，登记时已定为存查备考，建议存查，今后收到具体可查的线索再行调查"
        "（R-INTAKE-4、R-ROUTE-7）。"
    ]


# --- R-ROUTE-2: managed above the deployed tree ---------------------------------------------


def test_r_route_2_managed_above_the_system_is_reported_up_and_the_petitioner_told() -> None:
    leader = RespondentFacts("郑某", PROVINCE, PROVINCE, is_main_leader=True)
    p = propose_routing(facts(PROV_ORG, leader))
    assert p.department is None and p.department_name == "上一级组织部门"
    assert p.direction == Direction.UP
    assert texts(p)[-1] == "有管理权限的组织部门不在本系统内，建议报送上一级组织部门（R-ROUTE-2）。"
    assert p.petitioner_explanation == "您反映的问题按照干部管理权限由上一级组织部门办理，已报送。"
    head = RespondentFacts("王某", PROVINCE, PROVINCE, post_title="教育厅厅长")
    asked = personal(PROV_ORG, head)
    assert asked.department == PROV_ORG  # managed by the province itself: handled there
    no_top = OrgDirectory(jurisdictions=J, departments=(CITY_ORG, COUNTY_ORG))
    above = personal(CITY_ORG, head, directory=no_top)
    assert above.department is None
    assert above.petitioner_explanation == (
        "您提出的问题按照干部管理权限由上一级组织部门办理，已报送。"
    )
