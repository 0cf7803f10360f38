"""`propose_routing` on hand-built facts: edge cases of the principles, no database."""

from __future__ import annotations

from xinfang.routing.proposal import (
    DepartmentFacts,
    Direction,
    JurisdictionFacts,
    OrgDirectory,
    ReferralRuleFacts,
    RespondentFacts,
    RoutingFacts,
    propose_routing,
)
from xinfang.routing.terms import Category, HandlingMode, Nature

PROVINCE = JurisdictionFacts(1, "西岭省", "province", "/1/")
CITY = JurisdictionFacts(2, "平川市", "prefecture", "/1/2/", parent_id=1)
COUNTY = JurisdictionFacts(3, "柳河县", "county", "/1/2/3/", parent_id=2)
J = {j.id: j for j in (PROVINCE, CITY, COUNTY)}
PROV_ORG = DepartmentFacts(10, "西岭省委组织部", "organization", PROVINCE)
CITY_ORG = DepartmentFacts(20, "平川市委组织部", "organization", CITY)
COUNTY_ORG = DepartmentFacts(30, "柳河县委组织部", "organization", COUNTY)
DIRECTORY = OrgDirectory(jurisdictions=J, departments=(PROV_ORG, CITY_ORG, COUNTY_ORG))


def facts(receiving: DepartmentFacts, *respondents: RespondentFacts, **kw: object) -> RoutingFacts:
    base: dict[str, object] = {
        "category": Category.MISCONDUCT,
        "nature": Nature.ACCUSATION,
        "receiving": receiving,
        "respondents": respondents,
        "directory": DIRECTORY,
    }
    return RoutingFacts(**{**base, **kw})  # type: ignore[arg-type]


def test_r_route_3_goes_one_level_up_when_managed_by_own_jurisdiction() -> None:
    """R-ROUTE-3: a main leader recorded as managed by his own county is still not handled by
    that county's organization department: the proposal goes one level up."""
    leader = RespondentFacts("吴某", COUNTY, COUNTY, is_main_leader=True, rank="division")
    p = propose_routing(facts(COUNTY_ORG, leader))
    assert p.department == CITY_ORG
    assert p.mode == HandlingMode.REFER and p.direction == Direction.UP and p.to_upper_level
    assert "R-ROUTE-3" in p.rules
    assert any("改由平川市组织部门负责" in r.text for r in p.reasons)


def test_r_route_2_top_of_tree_reports_outside_the_system() -> None:
    """R-ROUTE-2 / R-ROUTE-3: the province's own main leader, managed above the deployment."""
    leader = RespondentFacts(
        "郑某", PROVINCE, PROVINCE, is_main_leader=True, rank="province_minister"
    )
    p = propose_routing(facts(PROV_ORG, leader))
    assert p.department is None and p.department_name == "上一级组织部门"
    assert p.mode == HandlingMode.REFER and p.to_upper_level
    assert {"R-ROUTE-2", "R-ROUTE-3"} <= set(p.rules)


def test_r_route_5_key_case_managed_below_is_kept_at_prefecture() -> None:
    """R-ROUTE-5: a division-rank cadre managed (unusually) by the county, received by the
    prefecture: a key case, handled directly there, not transferred down."""
    cadre = RespondentFacts("冯某", COUNTY, COUNTY, rank="division", post_title="县人大副主任")
    p = propose_routing(facts(CITY_ORG, cadre))
    assert p.department == CITY_ORG and p.mode == HandlingMode.SELF and p.is_key_case
    assert {"R-ROUTE-2", "R-ROUTE-5", "R-ROUTE-7"} <= set(p.rules)


def test_r_route_5_no_key_case_at_county_level() -> None:
    """R-ROUTE-5 applies at prefecture level and above only."""
    cadre = RespondentFacts("冯某", COUNTY, COUNTY, rank="division")
    p = propose_routing(facts(COUNTY_ORG, cadre))
    assert p.mode == HandlingMode.SELF and not p.is_key_case
    assert "R-ROUTE-5" not in p.rules


def test_r_route_7_unknown_manager_defaults_to_self() -> None:
    """R-ROUTE-7: a respondent without a recorded managing jurisdiction: handle here."""
    p = propose_routing(facts(CITY_ORG, RespondentFacts("某村支书", None, None)))
    assert p.department == CITY_ORG and p.mode == HandlingMode.SELF
    assert p.rules == ("R-ROUTE-7",)


def test_r_route_6_no_rules_falls_back_to_petition_bureau() -> None:
    """R-ROUTE-6: with no referral rule data, the code's own fallback is the petition bureau;
    none registered in the tree → the leader picks the department by hand."""
    p = propose_routing(facts(COUNTY_ORG, category=Category.OUTSIDE_REMIT, text="修路"))
    assert p.mode == HandlingMode.REFER and p.direction == Direction.OUTSIDE
    assert p.department is None and p.department_name == "信访局"
    assert "信访" in p.petitioner_explanation
    assert {"R-CAT-5", "R-ROUTE-6"} == set(p.rules)


def test_r_route_6_first_matching_rule_wins() -> None:
    """R-ROUTE-6: rules are tried in order; the keywordless rule is only the fallback."""
    court = DepartmentFacts(40, "平川市中级人民法院", "court", CITY)
    discipline = DepartmentFacts(50, "柳河县纪委监委", "discipline", COUNTY)
    rules = (
        ReferralRuleFacts("兜底", (), "petition_bureau", "转信访部门"),
        ReferralRuleFacts("违纪", ("受贿",), "discipline", "转纪委"),
        ReferralRuleFacts("诉讼", ("判决", "受贿"), "court", "转法院"),
    )
    directory = OrgDirectory(
        jurisdictions=J, departments=(*DIRECTORY.departments, court, discipline)
    )
    p = propose_routing(
        facts(
            COUNTY_ORG,
            category=Category.OUTSIDE_REMIT,
            text="不服判决，另举报法官受贿",
            referral_rules=rules,
            directory=directory,
        )
    )
    assert p.department == discipline
    assert p.petitioner_explanation == "转纪委"


def test_r_intake_4_signed_or_investigated_letters_are_not_filed() -> None:
    """R-INTAKE-4: only an anonymous letter judged vague is proposed for 存查."""
    cadre = RespondentFacts("冯某", COUNTY, COUNTY, rank="section")
    kept = propose_routing(facts(COUNTY_ORG, cadre, is_anonymous=True, anonymous_treatment="keep"))
    signed = propose_routing(
        facts(COUNTY_ORG, cadre, is_anonymous=False, anonymous_treatment="keep")
    )
    assert kept.mode == HandlingMode.FILE
    assert signed.mode == HandlingMode.SELF


def test_respondent_label_reads_naturally() -> None:
    r = RespondentFacts("周某", COUNTY, CITY, post_title="县委书记")
    assert r.label == "柳河县委书记周某"
