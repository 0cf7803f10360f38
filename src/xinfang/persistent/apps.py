from __future__ import annotations

from django.apps import AppConfig


class PersistentConfig(AppConfig):
    name = "xinfang.persistent"
    verbose_name = "信访老户"
    default_auto_field = "django.db.models.BigAutoField"
