"""The matter categories of the 1987 notice that carry no closure rule of their own
(R-CAT-2, R-CAT-3), and R-CLOSE-4 reached through the category alone.

Expected values are written here, not read from the code under test.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.builders import complete_closure, register, to_handling
from tests.orgtree import Tree
from xinfang.cases import actions as cs
from xinfang.cases.models import Case, Closure
from xinfang.core.errors import RuleViolation
from xinfang.routing.proposal import (
    DepartmentFacts,
    JurisdictionFacts,
    OrgDirectory,
    RespondentFacts,
    RoutingFacts,
    propose_routing,
)

CITY = JurisdictionFacts(2, "平川市", "prefecture", "/2/")
COUNTY = JurisdictionFacts(3, "柳河县", "county", "/2/3/", parent_id=2)
CITY_ORG = DepartmentFacts(20, "平川市委组织部", "organization", CITY)
COUNTY_ORG = DepartmentFacts(30, "柳河县委组织部", "organization", COUNTY)
DIRECTORY = OrgDirectory(jurisdictions={2: CITY, 3: COUNTY}, departments=(CITY_ORG, COUNTY_ORG))
# A bureau chief of the county (section rank: a leading cadre), managed by the county.
CHIEF = RespondentFacts("赵某", COUNTY, COUNTY, rank="section", post_title="局长")


def _facts(category: str, nature: str) -> RoutingFacts:
    return RoutingFacts(
        category=category,
        nature=nature,
        receiving=COUNTY_ORG,
        respondents=(CHIEF,),
        directory=DIRECTORY,
    )


def test_r_cat_2_misconduct_of_a_leading_cadre_is_followed_one_level_up() -> None:
    """R-CAT-2 (with R-ROUTE-4): an accusation of misconduct against a leading cadre is an
    important matter: handled by the county, followed by the city's organization department.
    The same respondent in a policy or historical matter (R-CAT-3) is not followed up."""
    misconduct = propose_routing(_facts("misconduct", "accusation"))
    assert misconduct.department == COUNTY_ORG
    assert misconduct.follow_up_department == CITY_ORG
    assert "R-ROUTE-4" in misconduct.rules
    policy = propose_routing(_facts("policy_history", "appeal"))
    assert policy.department == COUNTY_ORG
    assert policy.follow_up_department is None
    assert "R-ROUTE-4" not in policy.rules


def test_r_cat_2_misconduct_closure_states_the_facts_established(tree: Tree) -> None:
    """R-CAT-2: 查清事实，根据事实处理 — a misconduct accusation is closed only on facts found
    and with the respondent heard (R-CLOSE-3)."""
    case = to_handling(register(tree.county_staff, category="misconduct"), tree.county_staff)
    data = complete_closure(case) | {"facts": " ", "procedure": ["registered", "investigated"]}
    with pytest.raises(RuleViolation, match="结案材料须写明查明的事实（R-CLOSE-3）") as err:
        cs.closure_submit(actor=tree.county_staff, case=case, **data)
    assert "尚缺：听取被反映人或有关单位的说明" in str(err.value)
    assert Closure.objects.filter(case=case).count() == 0


def test_r_cat_3_policy_and_historical_matters_are_a_category_of_their_own(tree: Tree) -> None:
    """R-CAT-3: policy implementation and historical issues are registered as such and shown
    under their own name."""
    case = register(tree.county_staff, category="policy_history", nature="appeal")
    stored = Case.objects.get(pk=case.pk)
    assert stored.category == "policy_history"
    assert stored.get_category_display() == "落实政策和历史遗留问题"
    with pytest.raises(RuleViolation, match="请选择问题类别"):
        register(tree.county_staff, category="history")


@pytest.mark.parametrize(
    ("missing", "words"),
    [
        ({"petitioner_opinion": ""}, "须写明本人对处理的意见（R-CLOSE-4）"),
        ({"conclusion_shown_on": None}, "须与本人见面，并记录见面日期和方式（R-CLOSE-4）"),
        ({"conclusion_shown_how": " "}, "须与本人见面，并记录见面日期和方式（R-CLOSE-4）"),
    ],
)
def test_r_close_4_personal_request_category_needs_opinion_whatever_the_nature(
    tree: Tree, missing: dict[str, Any], words: str
) -> None:
    """R-CLOSE-4 covers personal requests by their category (R-CAT-4), even when the
    petition was registered with another nature (here a suggestion)."""
    case = to_handling(
        register(tree.county_staff, category="personal_request", nature="suggestion"),
        tree.county_staff,
    )
    data = complete_closure(case) | missing
    with pytest.raises(RuleViolation, match=words):
        cs.closure_submit(actor=tree.county_staff, case=case, **data)
    assert Closure.objects.filter(case=case).count() == 0
    # With the opinion and the meeting recorded, the same closure goes through.
    cs.closure_submit(actor=tree.county_staff, case=case, **complete_closure(case))
    assert Closure.objects.filter(case=case).count() == 1
