from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PersistentConfig(AppConfig):
    name = "xinfang.persistent"
    verbose_name = _("信访老户")
    default_auto_field = "django.db.models.BigAutoField"
