"""The configuration audit log in the admin: read-only, in Chinese, for superusers and
系统管理员 (the people whose changes it records, and who answer for them)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xinfang.configlog.models import ConfigChange
from xinfang.orgs.admin import is_org_administrator


class ConfigTypeFilter(admin.SimpleListFilter):
    """By kind of setting, named in Chinese (the model's name), never by its code."""

    title = _("配置项类型")
    parameter_name = "type"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        ids = ConfigChange.objects.values_list("content_type", flat=True).distinct()
        kinds = []
        for ct in ContentType.objects.filter(pk__in=ids):
            model = ct.model_class()
            kinds.append((str(ct.pk), str(model._meta.verbose_name) if model else ct.name))
        return sorted(kinds, key=lambda kind: kind[1])

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(content_type_id=int(value))
        return queryset


@admin.register(ConfigChange)
class ConfigChangeAdmin(admin.ModelAdmin[Any]):
    list_display = ["at", "actor_label", "kind", "object_repr", "action", "fields_changed"]
    list_filter = [ConfigTypeFilter, ("actor", admin.RelatedOnlyFieldListFilter), "action"]
    search_fields = ["object_repr", "actor_name"]
    date_hierarchy = "at"
    list_select_related = ["content_type"]
    fields = ["at", "actor_label", "kind", "object_repr", "action", "changes_table"]
    readonly_fields = ["at", "actor_label", "kind", "object_repr", "action", "changes_table"]

    @admin.display(description=_("操作人"), ordering="actor_name")
    def actor_label(self, obj: ConfigChange) -> str:
        return obj.actor_display

    @admin.display(description=_("配置项类型"))
    def kind(self, obj: ConfigChange) -> str:
        return obj.model_label

    @admin.display(description=_("变更字段"))
    def fields_changed(self, obj: ConfigChange) -> str:
        return "、".join(str(c.get("label", "")) for c in obj.changes) or "—"

    @admin.display(description=_("变更内容"))
    def changes_table(self, obj: ConfigChange) -> SafeString:
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (c.get("label", ""), c.get("old_display", ""), c.get("new_display", ""))
                for c in obj.changes
            ),
        )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            gettext("项目"),
            gettext("原值"),
            gettext("新值"),
            rows,
        )

    # Read-only for everyone: the log is only ever added to, by the services.
    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_org_administrator(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_org_administrator(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
