"""R-ROUTE-3 with R-COUNTY-5 in the pure proposal: a unit's personnel department is the
unit's organization department, so it never handles a case about the unit's main leader."""

from __future__ import annotations

from xinfang.routing.proposal import (
    DepartmentFacts,
    Direction,
    JurisdictionFacts,
    OrgDirectory,
    RespondentFacts,
    RoutingFacts,
    propose_routing,
)
from xinfang.routing.terms import Category, HandlingMode, Nature

PROVINCE = JurisdictionFacts(1, "西岭省", "province", "/1/")
UNIT = JurisdictionFacts(5, "西岭电力集团", "unit", "/1/5/", parent_id=1)
PROV_ORG = DepartmentFacts(10, "西岭省委组织部", "organization", PROVINCE)
UNIT_PERSONNEL = DepartmentFacts(50, "西岭电力集团人力资源部", "personnel", UNIT)
DIRECTORY = OrgDirectory(
    jurisdictions={1: PROVINCE, 5: UNIT}, departments=(PROV_ORG, UNIT_PERSONNEL)
)


def test_unit_main_leader_goes_past_the_units_personnel_department() -> None:
    # Recorded as managed by the unit itself: still not the unit's personnel department.
    chairman = RespondentFacts("冯某", UNIT, UNIT, is_main_leader=True, rank="bureau")
    p = propose_routing(
        RoutingFacts(
            category=Category.MISCONDUCT,
            nature=Nature.ACCUSATION,
            receiving=UNIT_PERSONNEL,
            respondents=(chairman,),
            directory=DIRECTORY,
        )
    )
    assert p.department == PROV_ORG
    assert p.mode == HandlingMode.REFER and p.direction == Direction.UP
    assert "R-ROUTE-3" in p.rules
