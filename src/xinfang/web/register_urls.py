"""登记 (registration): the page and the look-ups it calls while the registrar types."""

from __future__ import annotations

from django.urls import path

from xinfang.web.views import matching, register

urlpatterns = [
    path("", register.register, name="register"),
    path("<int:case_id>/done/", register.register_done, name="register_done"),
    path("lookup/", register.lookup, name="register_lookup"),
    path("idnumber/", register.id_number_check, name="register_idnumber"),
    path("cadres/", register.cadres, name="register_cadres"),
    # Issue 11: same matter and same person (web/views/matching.py).
    path("matches/", matching.register_matches, name="register_matches"),
    path("routing/", register.routing_preview, name="register_routing"),
    path("departments/", register.departments, name="register_departments"),
    # Issue 11 item 4: a category and referral target suggested from the text.
    path("suggest/", register.suggest_preview, name="register_suggest"),
]
