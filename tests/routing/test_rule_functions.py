"""One function per rule (routing/rules.py), each tested on its own with its answer written
here: R-ROUTE-5's level, R-COUNTY-5's organization department of a unit, R-ROUTE-4's
following department."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from xinfang.core.errors import RuleViolation
from xinfang.routing.rules import (
    at_prefecture_or_above,
    following_department,
    organization_department_kinds,
    refuse_own_main_leader,
    same_level_main_leader_conflicts,
)


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        ("central", True),
        ("province", True),
        ("prefecture", True),  # the last level in (R-ROUTE-5: 地级以上)
        ("county", False),  # the first level out
        ("township", False),
        ("unit", False),  # a unit is not a level of party committees
    ],
)
def test_r_route_5_prefecture_or_above(level: str, expected: bool) -> None:
    assert at_prefecture_or_above(level) is expected


def test_r_county_5_a_units_personnel_department_is_its_organization_department() -> None:
    assert organization_department_kinds("unit") == ("organization", "personnel")
    assert organization_department_kinds("county") == ("organization",)
    assert organization_department_kinds("province") == ("organization",)


# A toy tree: 镇 → 县 (no organization department recorded) → 市 → 省.
PARENT = {"镇": "县", "县": "市", "市": "省", "省": None}
ORG = {"镇": "镇组织委员", "市": "市委组织部", "省": "省委组织部"}


def test_r_route_4_the_nearest_organization_department_above() -> None:
    assert (
        following_department("市", parent=PARENT.__getitem__, organization_department=ORG.get)
        == "省委组织部"
    )
    # The county above the township has none recorded: the city's follows.
    assert (
        following_department("镇", parent=PARENT.__getitem__, organization_department=ORG.get)
        == "市委组织部"
    )


def test_r_route_4_nothing_follows_at_the_top() -> None:
    assert (
        following_department("省", parent=PARENT.__getitem__, organization_department=ORG.get)
        is None
    )


@dataclass(frozen=True)
class _Leader:
    name: str
    jurisdiction_id: int | None
    is_main_leader: bool = True


@dataclass(frozen=True)
class _Department:
    name: str
    kind: str
    jurisdiction_id: int


def test_r_route_3_names_every_main_leader_once_in_the_refusal() -> None:
    county_org = _Department("河口县委组织部", "organization", 7)
    leaders = [_Leader("周建国", 7), _Leader("李明", 7), _Leader("周建国", 7), _Leader("王五", 8)]
    assert same_level_main_leader_conflicts(leaders, county_org) == ["周建国", "李明"]
    with pytest.raises(
        RuleViolation,
        match=r"^本案反映的是周建国、李明（主要领导干部）的问题，河口县委组织部是其同级组织部门，"
        r"不能自办，应由临江市委组织部办理（R-ROUTE-3）。$",
    ):
        refuse_own_main_leader(leaders, county_org, doing="自办", instead=lambda: "临江市委组织部")
