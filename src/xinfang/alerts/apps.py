from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "xinfang.alerts"
    verbose_name = _("预警")
    default_auto_field = "django.db.models.BigAutoField"
