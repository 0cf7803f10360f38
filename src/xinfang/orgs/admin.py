"""Admin for the organization tree and the staff.

Who may use which admin page is decided by roles, not by Django's model permissions
(design.md: a user has one department and roles; granting `view_case` in a group would be a
second, unaudited way to see cases):

- organization data (jurisdictions, departments, posts, cadres, staff accounts) is kept by
  superusers and by staff holding the 系统管理员 role; they may add, change and delete it
  here, and every save and delete goes through `orgs/services.py`, which logs it in the
  configuration audit log (who, when, each field from old to new);
- case data (cases/admin.py, petitions/admin.py) is read-only for every active staff member,
  and what each one sees is decided by `cases_visible_to` alone.

Django's own login check still applies: only active users with `is_staff` reach the admin.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xinfang.core.admin import ServiceRefusalsShown, ServiceWritesAdmin, form_values
from xinfang.core.errors import RuleViolation
from xinfang.orgs import services
from xinfang.orgs.models import Cadre, Department, Jurisdiction, Post, Role, StaffRole, User
from xinfang.orgs.services import ROLE_ORDER, SUPERUSER_ONLY_FIELDS


def is_org_administrator(user: Any) -> bool:
    """Superusers and 系统管理员 keep the organization data."""
    if not (user.is_active and user.is_staff):
        return False
    return bool(user.is_superuser or (isinstance(user, User) and user.has_role(Role.ADMINISTRATOR)))


def acting(request: HttpRequest) -> User:
    """The signed-in staff member a service records as the actor (the admin lets in no one
    else)."""
    user = request.user
    assert isinstance(user, User)
    return user


def may_view_cases(user: Any) -> bool:
    """Any active staff member may open the case pages; `cases_visible_to` decides what is in
    them (a user without a department sees nothing)."""
    return bool(user.is_active and user.is_staff)


class OrgDataAdmin(ServiceWritesAdmin):
    """Role-governed permissions for organization data (see the module docstring)."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_org_administrator(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_org_administrator(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_org_administrator(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_org_administrator(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_org_administrator(request.user)


@admin.register(Jurisdiction)
class JurisdictionAdmin(OrgDataAdmin):
    list_display = ["tree_name", "level", "code", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    list_select_related = ["parent"]
    ordering = ["path"]
    fields = ["name", "level", "parent", "code"]
    autocomplete_fields = ["parent"]

    @admin.display(description=gettext("名称"), ordering="path")
    def tree_name(self, obj: Jurisdiction) -> SafeString:
        # "/1/4/17/" is depth 2 (a jurisdiction two levels below the top one).
        depth = max(obj.path.count("/") - 2, 0)
        return format_html(
            '<span style="padding-left:{}em">{}{}</span>',
            f"{depth * 1.5:g}",
            "└ " if depth else "",
            obj.name,
        )

    def service_create(self, request: HttpRequest, values: dict[str, Any]) -> Model:
        return services.jurisdiction_create(actor=acting(request), **values)

    def service_update(self, request: HttpRequest, obj: Any, changes: dict[str, Any]) -> Model:
        return services.jurisdiction_update(
            actor=acting(request),
            jurisdiction=obj,
            changes=changes,
        )

    def service_delete(self, request: HttpRequest, obj: Any) -> None:
        services.jurisdiction_delete(actor=acting(request), jurisdiction=obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Moving a jurisdiction would leave the materialized paths of everything below it
        # stale, and case visibility is computed from those paths: fixed once created.
        return ["parent"] if obj is not None else []


@admin.register(Department)
class DepartmentAdmin(OrgDataAdmin):
    list_display = ["name", "jurisdiction", "level", "kind", "handles_petitions"]
    list_filter = ["kind", "jurisdiction__level", "handles_petitions"]
    search_fields = ["name", "jurisdiction__name"]
    list_select_related = ["jurisdiction"]
    fields = ["jurisdiction", "kind", "name", "handles_petitions"]
    autocomplete_fields = ["jurisdiction"]

    @admin.display(description=gettext("层级"), ordering="jurisdiction__level")
    def level(self, obj: Department) -> str:
        return obj.jurisdiction.get_level_display()

    def service_create(self, request: HttpRequest, values: dict[str, Any]) -> Model:
        return services.department_create(actor=acting(request), **values)

    def service_update(self, request: HttpRequest, obj: Any, changes: dict[str, Any]) -> Model:
        return services.department_update(
            actor=acting(request),
            department=obj,
            changes=changes,
        )

    def service_delete(self, request: HttpRequest, obj: Any) -> None:
        services.department_delete(actor=acting(request), department=obj)


@admin.register(Post)
class PostAdmin(OrgDataAdmin):
    list_display = [
        "title",
        "jurisdiction",
        "unit_name",
        "department",
        "rank",
        "managing_jurisdiction",
        "is_main_leader",
    ]
    list_filter = ["is_main_leader", "rank", "jurisdiction__level"]
    search_fields = ["title", "unit_name", "jurisdiction__name"]
    list_select_related = ["jurisdiction", "department", "managing_jurisdiction"]
    autocomplete_fields = ["jurisdiction", "department", "managing_jurisdiction"]

    def service_create(self, request: HttpRequest, values: dict[str, Any]) -> Model:
        return services.post_create(actor=acting(request), **values)

    def service_update(self, request: HttpRequest, obj: Any, changes: dict[str, Any]) -> Model:
        return services.post_update(actor=acting(request), post=obj, changes=changes)

    def service_delete(self, request: HttpRequest, obj: Any) -> None:
        services.post_delete(actor=acting(request), post=obj)


@admin.register(Cadre)
class CadreAdmin(OrgDataAdmin):
    list_display = ["name", "post", "rank", "managing_jurisdiction", "is_main_leader"]
    list_filter = ["post__is_main_leader", "post__rank", "post__jurisdiction__level"]
    search_fields = ["name", "post__title", "post__unit_name", "post__jurisdiction__name"]
    list_select_related = ["post__jurisdiction", "post__managing_jurisdiction"]
    autocomplete_fields = ["post"]

    @admin.display(description=gettext("职级"), ordering="post__rank")
    def rank(self, obj: Cadre) -> str:
        return obj.post.get_rank_display() if obj.post else "—"

    @admin.display(description=gettext("干部管理权限所在党委"))
    def managing_jurisdiction(self, obj: Cadre) -> str:
        return obj.post.managing_jurisdiction.name if obj.post else "—"

    @admin.display(description=gettext("主要领导（一把手）"), boolean=True)
    def is_main_leader(self, obj: Cadre) -> bool:
        return bool(obj.post and obj.post.is_main_leader)

    def service_create(self, request: HttpRequest, values: dict[str, Any]) -> Model:
        return services.cadre_add(actor=acting(request), **values)

    def service_update(self, request: HttpRequest, obj: Any, changes: dict[str, Any]) -> Model:
        return services.cadre_update(actor=acting(request), cadre=obj, changes=changes)

    def service_delete(self, request: HttpRequest, obj: Any) -> None:
        services.cadre_delete(actor=acting(request), cadre=obj)


class StaffRoleInline(admin.TabularInline[Any, Any]):
    model = StaffRole
    fields = ["role"]
    extra = 1
    verbose_name = _("角色")
    verbose_name_plural = _("角色")

    # The inline follows the user page's permissions (roles, not model permissions).
    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_org_administrator(request.user)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_org_administrator(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_org_administrator(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_org_administrator(request.user)


def roles_in(formsets: Any) -> list[str] | None:
    """The roles the inline leaves the account with (None: the page had no roles inline)."""
    for formset in formsets:
        if formset.model is StaffRole:
            kept = [
                f.cleaned_data["role"]
                for f in formset.forms
                if f.cleaned_data.get("role") and not f.cleaned_data.get("DELETE")
            ]
            return sorted(set(kept))
    return None


if TYPE_CHECKING:
    _PasswordChangeBase = AdminPasswordChangeForm[Any]
else:  # not subscriptable at run time (django_stubs_ext patches ModelAdmin and the like only)
    _PasswordChangeBase = AdminPasswordChangeForm


class AuditedPasswordChangeForm(_PasswordChangeBase):
    """The admin's password page, saved through `staff_password_set` (logged without the
    hash). `actor` is set by `UserAdmin.user_change_password` for this request only."""

    actor: User

    def save(self, commit: bool = True) -> User:
        password = (
            self.cleaned_data["password1"] if self.cleaned_data["set_usable_password"] else None
        )
        return services.staff_password_set(actor=self.actor, user=self.user, password=password)


@admin.register(User)
class UserAdmin(ServiceRefusalsShown, DjangoUserAdmin[Any]):
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("full_name", "email")}),
        (_("部门与职责"), {"fields": ("department", "petition_duty")}),
        (
            _("登录权限"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("重要日期"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "full_name",
                    "department",
                    "petition_duty",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    list_display = [
        "username",
        "full_name",
        "department",
        "roles",
        "petition_duty",
        "is_staff",
        "is_active",
    ]
    list_filter = ["staff_roles__role", "petition_duty", "is_staff", "is_active", "is_superuser"]
    search_fields = ["username", "full_name", "email", "department__name"]
    ordering = ["username"]
    autocomplete_fields = ["department"]
    inlines = [StaffRoleInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        # Department and roles are shown on every row: two extra queries, not two per row.
        qs = super().get_queryset(request).select_related("department")
        if not request.user.is_superuser:
            # Administrators neither see nor touch superuser accounts (bulk delete included).
            qs = qs.filter(is_superuser=False)
        return qs.prefetch_related("staff_roles")

    @admin.display(description=gettext("角色"))
    def roles(self, obj: User) -> str:
        # Reads the prefetched rows; `obj.role_set` would query once per row.
        held = sorted(obj.staff_roles.all(), key=lambda r: ROLE_ORDER.get(r.role, len(ROLE_ORDER)))
        return "、".join(r.get_role_display() for r in held) or "—"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # The last login is the login's own bookkeeping, not an administrator's setting.
        readonly = [*super().get_readonly_fields(request, obj), "last_login"]
        if not request.user.is_superuser:
            readonly += SUPERUSER_ONLY_FIELDS
        return readonly

    # Account and roles are saved together by the services, with one log row (roles decide
    # who may read an accuser's identity, R-PROTECT-1): nothing is written in save_model.
    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        return None

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        obj: User = form.instance
        roles = roles_in(formsets)
        for formset in formsets:
            # Django's own history message reads what formset.save() would have set; the
            # roles' change is in the configuration audit log instead.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if change:
            services.staff_update(
                actor=acting(request),
                user=obj,
                changes=form_values(form, changed_only=True),
                roles=roles,
            )
            return
        usable = form.cleaned_data.get("set_usable_password", True)
        saved = services.staff_create(
            actor=acting(request),
            username=form.cleaned_data["username"],
            full_name=form.cleaned_data.get("full_name", ""),
            department=form.cleaned_data.get("department"),
            petition_duty=form.cleaned_data.get("petition_duty", ""),
            roles=roles or [],
            password=form.cleaned_data.get("password1") if usable else None,
        )
        obj.__dict__.update({k: v for k, v in saved.__dict__.items() if k != "_state"})
        obj._state.adding, obj._state.db = False, saved._state.db

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        services.staff_delete(actor=acting(request), user=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        with transaction.atomic():
            for user in queryset:
                services.staff_delete(actor=acting(request), user=user)

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        # Django's page, with a form class bound to this request's actor: the admin object
        # is shared between requests, so the class is made per request, not stored on it.
        form_class = type(
            "RequestPasswordForm", (AuditedPasswordChangeForm,), {"actor": request.user}
        )
        page = copy.copy(self)
        page.change_password_form = form_class
        try:
            with transaction.atomic():
                return DjangoUserAdmin.user_change_password(page, request, id, form_url)
        except RuleViolation as exc:
            return self._refusal_shown(request, exc)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_org_administrator(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_org_administrator(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_org_administrator(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # An administrator may not take over a superuser's account (e.g. set its password).
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return is_org_administrator(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return is_org_administrator(request.user)
