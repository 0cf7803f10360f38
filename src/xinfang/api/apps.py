from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The JSON API: an adapter over the case actions and selectors, like the pages (issue 9).
    It owns its personal API tokens and the idempotency records of its writes."""

    name = "xinfang.api"
    label = "api"
    verbose_name = "数据接口"
