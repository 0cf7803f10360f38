from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConfigLogConfig(AppConfig):
    name = "xinfang.configlog"
    verbose_name = _("配置变更记录")
