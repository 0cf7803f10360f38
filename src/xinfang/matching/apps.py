from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "xinfang.matching"
    verbose_name = _("重复信访识别")
