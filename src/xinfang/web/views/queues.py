"""工作队列: one page per work queue of cases/queues.py, for the roles that see it.

A queue the user's roles do not have answers the Chinese 403 page; a key that names no
queue, the Chinese 404 page. The list is the queue's own QuerySet (drawn from
`cases_visible_to`), filtered, sorted, paged and exported by views/lists.py.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext

from xinfang.cases.queues import QUEUES, Queue, queues_for
from xinfang.orgs.models import User
from xinfang.web.views.common import staff_page, staff_user
from xinfang.web.views.lists import case_list, page_context, xlsx_response


def _queue(user: User, key: str) -> Queue:
    queue = next((q for q in QUEUES if q.key == key), None)
    if queue is None:
        raise Http404(gettext("没有这个工作队列。"))
    if queue not in queues_for(user):
        raise PermissionDenied(gettext("您的角色没有这个工作队列。"))
    return queue


@staff_page
def queue_page(request: HttpRequest, queue: str) -> HttpResponse:
    user = staff_user(request)
    q = _queue(user, queue)
    today = timezone.localdate()
    cases = case_list(request, user, q.cases(user, today))
    if request.GET.get("export") == "xlsx":
        return xlsx_response(cases, str(q.title), user, today)
    context = page_context(cases, today)
    context.update({"queue": q, "queues": queues_for(user), "nav": "queues"})
    return render(request, "web/queues/queue.html", context)
