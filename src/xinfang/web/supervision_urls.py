"""URLs of the supervisor's view (included from web/urls.py at "supervision/")."""

from __future__ import annotations

from django.urls import path

from xinfang.web.views import supervision

urlpatterns = [
    path("", supervision.overview, name="supervision"),
    path("cases/", supervision.department_cases, name="supervision_cases"),
]
