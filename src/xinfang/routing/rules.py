"""Pure routing rules: functions of plain data, no database writes. One function per rule,
each named so a reader finds it from the rule ID; the proposal (proposal.py) and the case
actions (through cases/routing.py) use these and nothing else:

- R-ROUTE-3 (R-COUNTY-5 for units): `is_own_organization_department`,
  `same_level_main_leader_conflicts`, `refuse_own_main_leader`;
- R-ROUTE-4 (and R-CAT-1's reporting upward): `following_department`;
- R-ROUTE-5: `at_prefecture_or_above`;
- R-COUNTY-5: `organization_department_kinds`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol, TypeVar

from django.utils.translation import gettext

from xinfang.core.errors import RuleViolation
from xinfang.orgs.models import LEVEL_RANK, DepartmentKind, Level


class _Jurisdictional(Protocol):
    @property
    def jurisdiction_id(self) -> int | None: ...


# Read-only members, so model instances and the frozen dataclasses of proposal.py both fit.
class RespondentLike(_Jurisdictional, Protocol):
    @property
    def name(self) -> str: ...
    @property
    def is_main_leader(self) -> bool: ...


class DepartmentLike(_Jurisdictional, Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def name(self) -> str: ...


# A unit's personnel department is its organization department (机关和企业事业单位的组织、
# 干部部门, R-COUNTY-5), so it is as much a main leader's "own" department as a 组织部 is.
ORGANIZATION_KINDS = frozenset({"organization", "personnel"})


def is_own_organization_department(respondent: RespondentLike, department: DepartmentLike) -> bool:
    """R-ROUTE-3 (R-COUNTY-5 for units): `department` is the organization department of the
    jurisdiction whose main leader `respondent` is."""
    return (
        respondent.is_main_leader
        and department.kind in ORGANIZATION_KINDS
        and respondent.jurisdiction_id is not None
        and respondent.jurisdiction_id == department.jurisdiction_id
    )


def same_level_main_leader_conflicts(
    respondents: Iterable[RespondentLike], department: DepartmentLike
) -> list[str]:
    """R-ROUTE-3: names of the main leaders whose own organization department is
    `department`, each once. A case about them must never be held by it."""
    names: dict[str, None] = {}
    for r in respondents:
        if is_own_organization_department(r, department):
            names.setdefault(r.name, None)
    return list(names)


def refuse_own_main_leader(
    respondents: Iterable[RespondentLike],
    department: DepartmentLike,
    *,
    doing: str,
    instead: Callable[[], str],
) -> None:
    """R-ROUTE-3: 不要把反映主要领导干部问题的来信转给同级组织部门查处 — an office never
    handles a case about its own jurisdiction's main leader, whichever way the case would
    come to it. Refuses, naming the leaders, the action and where the case should go
    (`instead` is called only when refusing: finding it reads the org tree)."""
    names = same_level_main_leader_conflicts(respondents, department)
    if not names:
        return
    raise RuleViolation(
        (
            gettext(
                "本案反映的是%(join)s（主要领导干部）的问题，%(name)s是其同级组织"
                "部门，不能%(doing)s，应由%(instead)s办理（R-ROUTE-3"
                "）。"
            )
            % {
                "join": "、".join(names),
                "name": department.name,
                "doing": doing,
                "instead": instead(),
            }
        ),
        rules=("R-ROUTE-3",),
    )


def organization_department_kinds(level: str) -> tuple[str, ...]:
    """R-COUNTY-5: the kinds of department that are a jurisdiction's organization department,
    in order of preference: the 组织部; for an agency or enterprise (a unit), also its
    personnel department (机关和企业事业单位的组织、干部部门)."""
    if level == Level.UNIT:
        return (DepartmentKind.ORGANIZATION.value, DepartmentKind.PERSONNEL.value)
    return (DepartmentKind.ORGANIZATION.value,)


def at_prefecture_or_above(level: str) -> bool:
    """R-ROUTE-5: 地级以上组织部门 — a jurisdiction at prefecture level or above (a unit, whatever
    it answers to, is not one) may handle key cases directly."""
    return level != Level.UNIT and LEVEL_RANK[Level(level)] <= LEVEL_RANK[Level.PREFECTURE]


J = TypeVar("J")
D = TypeVar("D")


def following_department(
    jurisdiction: J,
    *,
    parent: Callable[[J], J | None],
    organization_department: Callable[[J], D | None],
) -> D | None:
    """R-ROUTE-4: 上一级组织部门应当过问 — the organization department of the nearest
    jurisdiction above `jurisdiction` that has one (R-CAT-1 reports upward to the same
    department). `parent` and `organization_department` read whichever tree the caller has:
    the proposal's plain facts or the database."""
    above = parent(jurisdiction)
    while above is not None:
        found = organization_department(above)
        if found is not None:
            return found
        above = parent(above)
    return None
