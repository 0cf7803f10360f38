"""Pure routing rules: functions of plain data, no database writes.

R-ROUTE-3 lives here once. `is_own_organization_department` is the single definition of
"this department is the main leader's own organization department"; the proposal
(proposal.py) and every case service that leaves a case with a department (through
`selectors.refuse_if_department_may_not_hold`) use it and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol

from xinfang.core.errors import RuleViolation


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
        f"本案反映的是{'、'.join(names)}（主要领导干部）的问题，{department.name}是其同级"
        f"组织部门，不能{doing}，应由{instead()}办理（R-ROUTE-3）。",
        rules=("R-ROUTE-3",),
    )
