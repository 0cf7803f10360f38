from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "xinfang.matching"
    verbose_name = "重复信访识别"
