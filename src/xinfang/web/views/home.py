"""工作台: the home page of each role, its work queues and their counts."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from xinfang.cases.queues import queues_for
from xinfang.web.views.common import staff_page, staff_user


@staff_page
def home(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    today = timezone.localdate()
    queues = [(q, q.cases(user, today).count()) for q in queues_for(user)]
    return render(request, "web/home.html", {"queues": queues, "today": today, "nav": "home"})
