from django.apps import AppConfig


class WebConfig(AppConfig):
    """The handlers' pages: an adapter over the case actions and selectors (issue 9)."""

    name = "xinfang.web"
    label = "web"
    verbose_name = "工作页面"
