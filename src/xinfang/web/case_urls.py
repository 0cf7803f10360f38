"""URLs of the case page and its flows (included by web/urls.py at "cases/", namespace web)."""

from __future__ import annotations

from django.urls import path

from xinfang.web.views import case

urlpatterns = [
    path("<int:case_id>/", case.case_page, name="case"),
    path("<int:case_id>/do/<str:flow>/", case.case_flow, name="case_flow"),
    path("<int:case_id>/closure-check/", case.closure_check, name="case_closure_check"),
]
