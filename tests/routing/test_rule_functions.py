"""One function per rule (routing/rules.py), each tested on its own with its answer written
here: R-ROUTE-5's level, R-COUNTY-5's organization department of a unit, R-ROUTE-4's
following department."""

from __future__ import annotations

import pytest

from xinfang.routing.rules import (
    at_prefecture_or_above,
    following_department,
    organization_department_kinds,
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
