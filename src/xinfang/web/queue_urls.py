"""URLs of the work-queue pages (included from web/urls.py at "queues/")."""

from __future__ import annotations

from django.urls import path

from xinfang.web.views import queues

urlpatterns = [
    path("<slug:queue>/", queues.queue_page, name="queue"),
]
