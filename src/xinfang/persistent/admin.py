"""Admin: the thresholds are configuration the administrator edits (through the services,
logged); the register has no admin page: it is written and read on the handlers' pages."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from xinfang.core.admin import ServiceWritesAdmin
from xinfang.orgs.admin import acting
from xinfang.persistent import services
from xinfang.persistent.models import Threshold


@admin.register(Threshold)
class ThresholdAdmin(ServiceWritesAdmin):
    list_display = ("name", "basis", "min_petitions", "window_days", "is_active")
    list_editable = ("is_active",)
    fields = ("name", "basis", "min_petitions", "window_days", "is_active")

    def service_create(self, request: HttpRequest, values: dict[str, Any]) -> Model:
        return services.threshold_create(actor=acting(request), **values)

    def service_update(self, request: HttpRequest, obj: Any, changes: dict[str, Any]) -> Model:
        return services.threshold_update(actor=acting(request), threshold=obj, changes=changes)

    def service_delete(self, request: HttpRequest, obj: Any) -> None:
        services.threshold_delete(actor=acting(request), threshold=obj)
