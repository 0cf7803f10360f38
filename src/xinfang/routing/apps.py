from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    name = "xinfang.routing"
    verbose_name = _("分级负责与归口办案")
