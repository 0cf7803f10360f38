from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "xinfang.routing"
    verbose_name = "分级负责与归口办案"
