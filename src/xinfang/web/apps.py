from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    """The handlers' pages: an adapter over the case actions and selectors (issue 9)."""

    name = "xinfang.web"
    label = "web"
    verbose_name = _("工作页面")
