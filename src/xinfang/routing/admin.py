"""Admin for the referral rules; the change list opens with the rules in plain Chinese."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from xinfang.core.admin import ServiceWritesAdmin
from xinfang.orgs.admin import acting
from xinfang.routing import services
from xinfang.routing.models import ReferralRule
from xinfang.routing.selectors import describe_rule, describe_rules


@admin.register(ReferralRule)
class ReferralRuleAdmin(ServiceWritesAdmin):
    """Every save (the list's editable columns too) and delete goes through the services,
    which log it in the configuration audit log."""

    list_display = ("priority", "topic", "department_kind", "is_active", "sentence", "updated_at")
    list_display_links = ("topic",)
    list_editable = ("priority", "is_active")
    list_filter = ("department_kind", "is_active")
    search_fields = ("topic", "keywords", "explanation")
    fields = (
        "topic",
        "keywords",
        "nature",
        "any_category",
        "department_kind",
        "explanation",
        "priority",
        "is_active",
    )
    change_list_template = "admin/routing/referralrule/change_list.html"

    @admin.display(description=_("规则说明"))
    def sentence(self, obj: ReferralRule) -> str:
        return describe_rule(obj)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> TemplateResponse:
        context = {**(extra_context or {}), "rule_sentences": describe_rules()}
        return super().changelist_view(request, extra_context=context)  # type: ignore[return-value]

    def service_create(self, request: HttpRequest, values: dict[str, Any]) -> Model:
        return services.referral_rule_create(actor=acting(request), **values)

    def service_update(self, request: HttpRequest, obj: Any, changes: dict[str, Any]) -> Model:
        return services.referral_rule_update(actor=acting(request), rule=obj, changes=changes)

    def service_delete(self, request: HttpRequest, obj: Any) -> None:
        services.referral_rule_delete(actor=acting(request), rule=obj)
