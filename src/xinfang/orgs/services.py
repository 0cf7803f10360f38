"""Writes for the organization tree and staff (the admin calls the same functions)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from xinfang.orgs.models import (
    Cadre,
    Department,
    Jurisdiction,
    Post,
    StaffRole,
    User,
)


def jurisdiction_create(
    *, name: str, level: str, parent: Jurisdiction | None = None, code: str = ""
) -> Jurisdiction:
    return Jurisdiction.objects.create(name=name, level=level, parent=parent, code=code)


def department_create(
    *, jurisdiction: Jurisdiction, kind: str, name: str, handles_petitions: bool = True
) -> Department:
    return Department.objects.create(
        jurisdiction=jurisdiction, kind=kind, name=name, handles_petitions=handles_petitions
    )


def cadre_create(
    *,
    name: str,
    title: str,
    jurisdiction: Jurisdiction,
    managing_jurisdiction: Jurisdiction,
    rank: str,
    is_main_leader: bool = False,
    department: Department | None = None,
    unit_name: str = "",
) -> Cadre:
    """A cadre in a new post; the post records who manages its holder (R-ROUTE-2)."""
    with transaction.atomic():
        post = Post.objects.create(
            title=title,
            jurisdiction=jurisdiction,
            department=department,
            unit_name=unit_name,
            rank=rank,
            managing_jurisdiction=managing_jurisdiction,
            is_main_leader=is_main_leader,
        )
        return Cadre.objects.create(name=name, post=post)


def staff_create(
    *,
    username: str,
    full_name: str,
    department: Department,
    roles: Iterable[str],
    password: str | None = None,
    petition_duty: str = "",
    is_staff: bool = False,
) -> User:
    """A staff member of one department with roles (R-STAFF-1 duty optional)."""
    with transaction.atomic():
        user = User(
            username=username,
            full_name=full_name,
            department=department,
            petition_duty=petition_duty,
            is_staff=is_staff,
        )
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        StaffRole.objects.bulk_create([StaffRole(user=user, role=r) for r in sorted(set(roles))])
        return user
