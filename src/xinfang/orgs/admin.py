"""Admin for the organization tree and the staff.

Who may use which admin page is decided by roles, not by Django's model permissions
(design.md: a user has one department and roles; granting `view_case` in a group would be a
second, unaudited way to see cases):

- organization data (jurisdictions, departments, posts, cadres, staff accounts) is kept by
  superusers and by staff holding the 系统管理员 role; it is plain data, so they may add,
  change and delete it here;
- case data (cases/admin.py, petitions/admin.py) is read-only for every active staff member,
  and what each one sees is decided by `cases_visible_to` alone.

Django's own login check still applies: only active users with `is_staff` reach the admin.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString

from xinfang.orgs.models import Cadre, Department, Jurisdiction, Post, Role, StaffRole, User


def is_org_administrator(user: Any) -> bool:
    """Superusers and 系统管理员 keep the organization data."""
    if not (user.is_active and user.is_staff):
        return False
    return bool(user.is_superuser or (isinstance(user, User) and user.has_role(Role.ADMINISTRATOR)))


def may_view_cases(user: Any) -> bool:
    """Any active staff member may open the case pages; `cases_visible_to` decides what is in
    them (a user without a department sees nothing)."""
    return bool(user.is_active and user.is_staff)


class OrgDataAdmin(admin.ModelAdmin):
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

    @admin.display(description="名称", ordering="path")
    def tree_name(self, obj: Jurisdiction) -> SafeString:
        # "/1/4/17/" is depth 2 (a jurisdiction two levels below the top one).
        depth = max(obj.path.count("/") - 2, 0)
        return format_html(
            '<span style="padding-left:{}em">{}{}</span>',
            f"{depth * 1.5:g}",
            "└ " if depth else "",
            obj.name,
        )

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

    @admin.display(description="层级", ordering="jurisdiction__level")
    def level(self, obj: Department) -> str:
        return obj.jurisdiction.get_level_display()


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


@admin.register(Cadre)
class CadreAdmin(OrgDataAdmin):
    list_display = ["name", "post", "rank", "managing_jurisdiction", "is_main_leader"]
    list_filter = ["post__is_main_leader", "post__rank", "post__jurisdiction__level"]
    search_fields = ["name", "post__title", "post__unit_name", "post__jurisdiction__name"]
    list_select_related = ["post__jurisdiction", "post__managing_jurisdiction"]
    autocomplete_fields = ["post"]

    @admin.display(description="职级", ordering="post__rank")
    def rank(self, obj: Cadre) -> str:
        return obj.post.get_rank_display() if obj.post else "—"

    @admin.display(description="干部管理权限所在党委")
    def managing_jurisdiction(self, obj: Cadre) -> str:
        return obj.post.managing_jurisdiction.name if obj.post else "—"

    @admin.display(description="主要领导（一把手）", boolean=True)
    def is_main_leader(self, obj: Cadre) -> bool:
        return bool(obj.post and obj.post.is_main_leader)


class StaffRoleInline(admin.TabularInline):
    model = StaffRole
    fields = ["role"]
    extra = 1
    verbose_name = "角色"
    verbose_name_plural = "角色"

    # The inline follows the user page's permissions (roles, not model permissions).
    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_org_administrator(request.user)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_org_administrator(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_org_administrator(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_org_administrator(request.user)


ROLE_ORDER = {role: i for i, role in enumerate(Role.values)}

# Fields only a superuser may set: anything else would let an administrator make
# themselves (or a friend) superuser, or grant model permissions behind the roles' back.
SUPERUSER_ONLY_FIELDS = ["is_superuser", "groups", "user_permissions"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("full_name", "email")}),
        ("部门与职责", {"fields": ("department", "petition_duty")}),
        (
            "登录权限",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("重要日期", {"fields": ("last_login", "date_joined")}),
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

    @admin.display(description="角色")
    def roles(self, obj: User) -> str:
        # Reads the prefetched rows; `obj.role_set` would query once per row.
        held = sorted(obj.staff_roles.all(), key=lambda r: ROLE_ORDER.get(r.role, len(ROLE_ORDER)))
        return "、".join(r.get_role_display() for r in held) or "—"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += SUPERUSER_ONLY_FIELDS
        return readonly

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
