"""/api/: the NinjaAPI's own URL patterns (namespace "api")."""

from __future__ import annotations

from xinfang.api.api import api

app_name = "api"
urlpatterns = api.urls[0]
