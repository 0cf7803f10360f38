"""预警 (R-REPEAT-5): the list of warnings for leaders (and supervisors for the departments
they oversee), a warning's explanation, and the steps of its timeline. The petitions a
warning counted are read through cases.access; no petitioner is named on these pages (the
summary, which the protection policy leaves visible, stands for each petition)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from xinfang.alerts import services
from xinfang.alerts.models import EarlyWarning, StepKind, WarningState
from xinfang.alerts.selectors import (
    can_see_warnings,
    describe,
    petitions_shown,
    warning_for_user,
    warnings_for,
)
from xinfang.core.errors import RuleViolation
from xinfang.orgs.models import User
from xinfang.web.forms.alerts import AcknowledgeForm, ActForm, AssignForm, CloseForm
from xinfang.web.forms.persistent import StyledForm
from xinfang.web.views.common import staff_page, staff_user


def _watcher(request: HttpRequest) -> User:
    user = staff_user(request)
    if not can_see_warnings(user):
        raise PermissionDenied(_("预警只对部门领导、上级督导和承办人开放。"))
    return user


@staff_page
def warning_list(request: HttpRequest) -> HttpResponse:
    user = _watcher(request)
    show_closed = request.GET.get("show") == "closed"
    rows = warnings_for(user)
    rows = (
        rows.filter(state=WarningState.CLOSED)
        if show_closed
        else rows.exclude(state=WarningState.CLOSED)
    )
    return render(
        request,
        "web/alerts/list.html",
        {"warnings": list(rows[:200]), "show_closed": show_closed, "nav": "warnings"},
    )


def _forms(warning: EarlyWarning, data: Any = None, step: str = "") -> dict[str, StyledForm]:
    def bound(name: str) -> Any:
        return data if name == step else None

    return {
        StepKind.ACKNOWLEDGE: AcknowledgeForm(bound(StepKind.ACKNOWLEDGE)),
        StepKind.ASSIGN: AssignForm(bound(StepKind.ASSIGN), department=warning.department),
        StepKind.ACT: ActForm(bound(StepKind.ACT)),
        StepKind.CLOSE: CloseForm(bound(StepKind.CLOSE)),
    }


def _context(user: User, warning: EarlyWarning, forms: dict[str, StyledForm]) -> dict[str, Any]:
    shown, not_shown = petitions_shown(user, warning)
    allowed = services.steps_allowed(warning, user)
    history = warning.explanation.get("history", [])
    return {
        "warning": warning,
        "description": describe(warning),
        "petitions": shown,
        "not_shown": not_shown,
        "history": history,
        "steps": list(warning.steps.select_related("actor", "assignee")),
        "forms": [(k, StepKind(k).label, f) for k, f in forms.items() if k in allowed],
        "nav": "warnings",
    }


@staff_page
def warning_page(request: HttpRequest, warning_id: int) -> HttpResponse:
    user = _watcher(request)
    warning = warning_for_user(user, warning_id)
    return render(request, "web/alerts/warning.html", _context(user, warning, _forms(warning)))


@staff_page
def warning_step(request: HttpRequest, warning_id: int, step: str) -> HttpResponse:
    user = _watcher(request)
    warning = warning_for_user(user, warning_id)
    if step not in StepKind.values:
        raise Http404(_("没有这项操作"))
    if request.method != "POST":
        return redirect("web:warning", warning_id=warning.pk)
    forms = _forms(warning, request.POST, step)
    form = forms[step]
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.warning_step(
                warning,
                kind=step,
                actor=user,
                note=data.get("note", ""),
                assignee=data.get("assignee"),
            )
        except RuleViolation as err:
            form.show_violation(err)
        else:
            messages.success(request, _("已记录：%(step)s。") % {"step": StepKind(step).label})
            return redirect("web:warning", warning_id=warning.pk)
    response = render(request, "web/alerts/warning.html", _context(user, warning, forms))
    response.status_code = 400
    return response
