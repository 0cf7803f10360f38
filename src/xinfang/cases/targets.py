"""Responsibility targets of each department per year (R-COUNTY-2), logged in the
configuration audit log."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext

from xinfang.cases.models import YearlyTarget
from xinfang.configlog.services import (
    audited_create,
    audited_delete,
    audited_update,
    editable_fields,
)
from xinfang.core.errors import RuleViolation
from xinfang.orgs.models import Department, User

TARGET_FIELDS = editable_fields(YearlyTarget)


def _require_superuser(actor: User) -> None:
    # Targets are set by the leadership above the departments they bind, not by a
    # department's own administrator: superusers only (as the admin page has always been).
    if not (actor.is_active and actor.is_superuser):
        raise RuleViolation(
            gettext("只有超级用户可以设置责任目标（R-COUNTY-2）。"), rules=("R-COUNTY-2",)
        )


def yearly_target_create(
    *,
    actor: User,
    department: Department,
    year: int,
    self_handled_rate: Decimal,
    repeat_rate: Decimal,
    closure_rate: Decimal,
) -> YearlyTarget:
    """A department's responsibility targets for one year (R-COUNTY-2), logged."""
    _require_superuser(actor)
    target = YearlyTarget(
        department=department,
        year=year,
        self_handled_rate=self_handled_rate,
        repeat_rate=repeat_rate,
        closure_rate=closure_rate,
    )
    return audited_create(actor=actor, obj=target, fields=TARGET_FIELDS)


def yearly_target_update(
    *, actor: User, target: YearlyTarget, changes: Mapping[str, Any]
) -> YearlyTarget:
    _require_superuser(actor)
    return audited_update(actor=actor, obj=target, changes=changes, fields=TARGET_FIELDS)


def yearly_target_delete(*, actor: User, target: YearlyTarget) -> None:
    _require_superuser(actor)
    audited_delete(actor=actor, obj=target, fields=TARGET_FIELDS)
