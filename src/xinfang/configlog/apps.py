from django.apps import AppConfig


class ConfigLogConfig(AppConfig):
    name = "xinfang.configlog"
    verbose_name = "配置变更记录"
