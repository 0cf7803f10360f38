"""Pure routing rules: functions of plain data, no database writes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol


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


def same_level_main_leader_conflicts(
    respondents: Iterable[RespondentLike], department: DepartmentLike
) -> list[str]:
    """R-ROUTE-3: names of main leaders whose own jurisdiction's organization department
    (for a unit, its personnel department, R-COUNTY-5) is `department`. A case about them
    must never be sent there."""
    if department.kind not in ("organization", "personnel"):
        return []
    return [
        r.name
        for r in respondents
        if r.is_main_leader
        and r.jurisdiction_id is not None
        and r.jurisdiction_id == department.jurisdiction_id
    ]
