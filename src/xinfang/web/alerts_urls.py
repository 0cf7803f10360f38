"""URLs of the early warnings (included from web/urls.py at "warnings/")."""

from __future__ import annotations

from django.urls import path

from xinfang.web.views import alerts

urlpatterns = [
    path("", alerts.warning_list, name="warnings"),
    path("<int:warning_id>/", alerts.warning_page, name="warning"),
    path("<int:warning_id>/<str:step>/", alerts.warning_step, name="warning_step"),
]
