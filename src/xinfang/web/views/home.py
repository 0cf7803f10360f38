"""工作台: the home page of each role, its work queues and their counts."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from xinfang.alerts.models import WarningState
from xinfang.alerts.selectors import can_see_warnings, warnings_for
from xinfang.cases.queues import queue_counts, queues_for
from xinfang.web.views.common import staff_page, staff_user


@staff_page
def home(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    today = timezone.localdate()
    counts = queue_counts(user, today)  # one statement for most queues (issue 10)
    queues = [(q, counts[q.key]) for q in queues_for(user)]
    context = {"queues": queues, "today": today, "nav": "home"}
    # Computed once: the header's link (web/context.py) takes this rather than asking again.
    context["nav_warnings"] = can_see_warnings(user)
    if context["nav_warnings"]:
        # R-REPEAT-5: the open warnings, highest score first, on the home page of a leader,
        # a supervisor, and a handler a warning was assigned to.
        open_warnings = warnings_for(user).exclude(state=WarningState.CLOSED)
        context["warnings"] = list(open_warnings[:5])
        context["warnings_total"] = open_warnings.count()
    return render(request, "web/home.html", context)
