"""Writes for the organization tree and staff (the admin calls the same functions).

Every write is logged in the configuration audit log (`xinfang.configlog`) in its own
transaction: who, when, which row, each field from old to new. Roles decide who may read an
accuser's identity (R-PROTECT-1), so a change of roles is logged with the account's change.
`actor=None` on the create functions is a command or data load (the demo, the tests' tree);
everything an administrator does passes the administrator.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from xinfang.configlog.models import Action
from xinfang.configlog.services import (
    EMPTY,
    PASSWORD_CHANGED,
    PASSWORD_SET,
    PASSWORD_UNUSABLE,
    Snapshot,
    Value,
    audited_create,
    audited_delete,
    audited_update,
    configchange_record,
    diff,
    editable_fields,
    lock,
    snapshot,
    validate,
)
from xinfang.core.errors import RuleViolation
from xinfang.orgs.models import (
    Cadre,
    Department,
    Jurisdiction,
    Post,
    Role,
    StaffRole,
    User,
)

JURISDICTION_FIELDS = editable_fields(Jurisdiction)
DEPARTMENT_FIELDS = editable_fields(Department)
POST_FIELDS = editable_fields(Post)
CADRE_FIELDS = editable_fields(Cadre)
# The password is logged only as "changed" (never its hash); last_login is the login's own
# bookkeeping, not a setting.
STAFF_FIELDS = editable_fields(User, exclude=["password", "last_login"])
# Only a superuser may set these: anything else would let an administrator make themselves
# (or a friend) superuser, or grant model permissions behind the roles' back.
SUPERUSER_ONLY_FIELDS = ("is_superuser", "groups", "user_permissions")
ROLE_ORDER = {role: i for i, role in enumerate(Role.values)}


def may_administer(actor: Any) -> bool:
    """Superusers and 系统管理员 keep the organization data and the staff accounts."""
    return bool(
        getattr(actor, "is_superuser", False)
        or (isinstance(actor, User) and actor.is_active and actor.has_role(Role.ADMINISTRATOR))
    )


def _require_administrator(actor: User | None, *, system_allowed: bool = False) -> None:
    if actor is None and system_allowed:
        return
    if not may_administer(actor):
        raise RuleViolation(gettext("只有系统管理员可以修改组织机构和工作人员。"))


# --- jurisdictions, departments, posts, cadres ------------------------------------------


def jurisdiction_create(
    *,
    name: str,
    level: str,
    parent: Jurisdiction | None = None,
    code: str = "",
    actor: User | None = None,
) -> Jurisdiction:
    _require_administrator(actor, system_allowed=True)
    row = Jurisdiction(name=name, level=level, parent=parent, code=code)
    return audited_create(actor=actor, obj=row, fields=JURISDICTION_FIELDS)


def jurisdiction_update(
    *, actor: User, jurisdiction: Jurisdiction, changes: Mapping[str, Any]
) -> Jurisdiction:
    """Name, level and code. The parent is fixed once created: case visibility is computed
    from the materialized paths, which a move would leave stale below it."""
    _require_administrator(actor)
    if "parent" in changes:
        with transaction.atomic():
            if lock(jurisdiction).parent_id != getattr(changes["parent"], "pk", None):
                raise RuleViolation(gettext("党委/地区创建后不能改变上级。"))
    return audited_update(
        actor=actor,
        obj=jurisdiction,
        changes={k: v for k, v in changes.items() if k != "parent"},
        fields=JURISDICTION_FIELDS,
    )


def jurisdiction_delete(*, actor: User, jurisdiction: Jurisdiction) -> None:
    _require_administrator(actor)
    audited_delete(actor=actor, obj=jurisdiction, fields=JURISDICTION_FIELDS)


def department_create(
    *,
    jurisdiction: Jurisdiction,
    kind: str,
    name: str,
    handles_petitions: bool = True,
    actor: User | None = None,
) -> Department:
    _require_administrator(actor, system_allowed=True)
    row = Department(
        jurisdiction=jurisdiction, kind=kind, name=name, handles_petitions=handles_petitions
    )
    return audited_create(actor=actor, obj=row, fields=DEPARTMENT_FIELDS)


def department_update(
    *, actor: User, department: Department, changes: Mapping[str, Any]
) -> Department:
    _require_administrator(actor)
    return audited_update(actor=actor, obj=department, changes=changes, fields=DEPARTMENT_FIELDS)


def department_delete(*, actor: User, department: Department) -> None:
    _require_administrator(actor)
    audited_delete(actor=actor, obj=department, fields=DEPARTMENT_FIELDS)


def post_create(
    *,
    title: str,
    jurisdiction: Jurisdiction,
    managing_jurisdiction: Jurisdiction,
    rank: str,
    is_main_leader: bool = False,
    department: Department | None = None,
    unit_name: str = "",
    actor: User | None = None,
) -> Post:
    """A post and who manages its holder (R-ROUTE-2)."""
    _require_administrator(actor, system_allowed=True)
    row = Post(
        title=title,
        jurisdiction=jurisdiction,
        department=department,
        unit_name=unit_name,
        rank=rank,
        managing_jurisdiction=managing_jurisdiction,
        is_main_leader=is_main_leader,
    )
    return audited_create(actor=actor, obj=row, fields=POST_FIELDS)


def post_update(*, actor: User, post: Post, changes: Mapping[str, Any]) -> Post:
    _require_administrator(actor)
    return audited_update(actor=actor, obj=post, changes=changes, fields=POST_FIELDS)


def post_delete(*, actor: User, post: Post) -> None:
    _require_administrator(actor)
    audited_delete(actor=actor, obj=post, fields=POST_FIELDS)


def cadre_add(*, name: str, post: Post | None, actor: User | None = None) -> Cadre:
    """A cadre holding an existing post (or none)."""
    _require_administrator(actor, system_allowed=True)
    return audited_create(actor=actor, obj=Cadre(name=name, post=post), fields=CADRE_FIELDS)


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
    actor: User | None = None,
) -> Cadre:
    """A cadre in a new post; the post records who manages its holder (R-ROUTE-2)."""
    with transaction.atomic():
        post = post_create(
            actor=actor,
            title=title,
            jurisdiction=jurisdiction,
            department=department,
            unit_name=unit_name,
            rank=rank,
            managing_jurisdiction=managing_jurisdiction,
            is_main_leader=is_main_leader,
        )
        return cadre_add(actor=actor, name=name, post=post)


def cadre_update(*, actor: User, cadre: Cadre, changes: Mapping[str, Any]) -> Cadre:
    _require_administrator(actor)
    return audited_update(actor=actor, obj=cadre, changes=changes, fields=CADRE_FIELDS)


def cadre_delete(*, actor: User, cadre: Cadre) -> None:
    _require_administrator(actor)
    audited_delete(actor=actor, obj=cadre, fields=CADRE_FIELDS)


# --- staff and their roles ----------------------------------------------------------------


def _roles_value(roles: Iterable[str]) -> Value:
    held = sorted(set(roles), key=lambda r: ROLE_ORDER.get(r, len(ROLE_ORDER)))
    return Value(gettext("角色"), held, "、".join(str(Role(r).label) for r in held) or EMPTY)


def _clean_roles(roles: Iterable[str]) -> set[str]:
    wanted = set(roles)
    unknown = sorted(wanted - set(Role.values))
    if unknown:
        raise RuleViolation(gettext("没有这个角色：%(roles)s。") % {"roles": "、".join(unknown)})
    return wanted


def _staff_snapshot(user: User) -> Snapshot:
    return {
        **snapshot(user, STAFF_FIELDS),
        "roles": _roles_value(user.staff_roles.values_list("role", flat=True)),
    }


def _check_superuser_matters(actor: User | None, user: User, changes: Mapping[str, Any]) -> None:
    if actor is None or actor.is_superuser:
        return
    if user.is_superuser:
        raise RuleViolation(gettext("只有超级用户可以修改超级用户的账号。"))
    touched = [f for f in SUPERUSER_ONLY_FIELDS if f in changes]
    if touched:
        raise RuleViolation(gettext("只有超级用户可以设置超级用户身份、用户组和权限。"))


def staff_create(
    *,
    username: str,
    full_name: str,
    department: Department | None,
    roles: Iterable[str],
    password: str | None = None,
    petition_duty: str = "",
    is_staff: bool = False,
    email: str = "",
    actor: User | None = None,
) -> User:
    """A staff member of one department with roles (R-STAFF-1 duty optional). The password
    is logged only as set or not."""
    _require_administrator(actor, system_allowed=True)
    wanted = _clean_roles(roles)
    user = User(
        username=username,
        full_name=full_name,
        email=email,
        department=department,
        petition_duty=petition_duty,
        is_staff=is_staff,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()

    def add_roles(saved: User) -> None:
        StaffRole.objects.bulk_create([StaffRole(user=saved, role=r) for r in sorted(wanted)])

    return audited_create(
        actor=actor,
        obj=user,
        fields=STAFF_FIELDS,
        extra={
            "roles": _roles_value(wanted),
            "password": Value(
                gettext("密码"), None, str(PASSWORD_SET if password else PASSWORD_UNUSABLE)
            ),
        },
        after_save=add_roles,
    )


def staff_update(
    *,
    actor: User,
    user: User,
    changes: Mapping[str, Any],
    roles: Iterable[str] | None = None,
) -> User:
    """Change an account and, when `roles` is given, set its roles to exactly those: one log
    row with every field and the roles from old to new."""
    _require_administrator(actor)
    unknown = sorted(set(changes) - set(STAFF_FIELDS))
    if unknown:
        raise TypeError(f"not editable here: {unknown}")
    wanted = _clean_roles(roles) if roles is not None else None
    with transaction.atomic():
        row = lock(user)
        _check_superuser_matters(actor, row, changes)
        before = _staff_snapshot(row)
        m2m = {n: v for n, v in changes.items() if row._meta.get_field(n).many_to_many}
        plain = {n: v for n, v in changes.items() if n not in m2m}
        for name, value in plain.items():
            setattr(row, name, value)
        validate(row)
        if plain:
            row.save(update_fields=list(plain))
        for name, value in m2m.items():
            getattr(row, name).set(value)
        if wanted is not None:
            held = set(row.staff_roles.values_list("role", flat=True))
            row.staff_roles.filter(role__in=held - wanted).delete()
            StaffRole.objects.bulk_create(
                [StaffRole(user=row, role=r) for r in sorted(wanted - held)]
            )
        row.__dict__.pop("role_set", None)
        rows = diff(before, _staff_snapshot(row))
        if rows:
            configchange_record(actor=actor, obj=row, action=Action.CHANGED, changes=rows)
    return row


def staff_password_set(*, actor: User, user: User, password: str | None) -> User:
    """Set a new password (None: password login disabled). Logged as 密码已修改, no hash."""
    _require_administrator(actor)
    with transaction.atomic():
        row = lock(user)
        _check_superuser_matters(actor, row, {})
        if password:
            row.set_password(password)
        else:
            row.set_unusable_password()
        row.save(update_fields=["password"])
        change = {
            "field": "password",
            "label": gettext("密码"),
            "old": None,
            "new": None,
            "old_display": EMPTY,
            "new_display": PASSWORD_CHANGED if password else PASSWORD_UNUSABLE,
        }
        configchange_record(actor=actor, obj=row, action=Action.CHANGED, changes=[change])
    return row


def staff_delete(*, actor: User, user: User) -> None:
    """Remove an account; one who has acted on cases is still referenced and is refused
    (deactivate it instead)."""
    _require_administrator(actor)
    if actor is not None and actor.pk == user.pk:
        raise RuleViolation(gettext("不能删除自己的账号。"))
    with transaction.atomic():
        row = lock(user)
        _check_superuser_matters(actor, row, {})
        roles = _roles_value(row.staff_roles.values_list("role", flat=True))
        audited_delete(actor=actor, obj=row, fields=STAFF_FIELDS, extra={"roles": roles})
