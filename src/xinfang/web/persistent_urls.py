"""URLs of the register of long-standing petitioners (included from web/urls.py at
"longterm/")."""

from __future__ import annotations

from django.urls import path

from xinfang.web.views import persistent

urlpatterns = [
    path("", persistent.register_list, name="longterm"),
    path("<int:entry_id>/", persistent.entry_page, name="longterm_entry"),
    path("<int:entry_id>/<str:step>/", persistent.entry_step, name="longterm_step"),
    path("cases/<int:case_id>/new/", persistent.entry_new, name="longterm_new"),
]
