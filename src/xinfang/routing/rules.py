"""Pure routing rules: functions of plain data, no database writes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol


class _Jurisdictional(Protocol):
    @property
    def jurisdiction_id(self) -> int | None: ...


class RespondentLike(_Jurisdictional, Protocol):
    name: str
    is_main_leader: bool


class DepartmentLike(_Jurisdictional, Protocol):
    kind: str
    name: str


def same_level_main_leader_conflicts(
    respondents: Iterable[RespondentLike], department: DepartmentLike
) -> list[str]:
    """R-ROUTE-3: names of main leaders whose own jurisdiction's organization department
    is `department`. A case about them must never be sent there."""
    if department.kind != "organization":
        return []
    return [
        r.name
        for r in respondents
        if r.is_main_leader and r.jurisdiction_id is not None
        and r.jurisdiction_id == department.jurisdiction_id
    ]
