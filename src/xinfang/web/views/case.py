"""The case page (案件页) and its flows.

Reads: `get_case_for_user` (404 for missing and forbidden alike) and the case file selector
`cases/casefile.py: case_file`, which reads protected material through the protection
policy. Buttons: `cases/available.py: actions_open_to`. Writes: each flow's form calls its
one action (web/forms/flows.py); a refused action writes nothing and its Chinese reasons are
shown beside the fields concerned. After a write the page redirects (POST-redirect-GET).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from xinfang.cases.access import get_case_for_user
from xinfang.cases.available import (
    NOT_OPEN,
    actions_open_to,
    may_act,
    pending_objections,
    pending_reports,
)
from xinfang.cases.casefile import case_file, instruction_dates
from xinfang.cases.closure import closure_problems, closure_requirements_of
from xinfang.cases.lifecycle import ACTION_LABELS, EVENT_LABELS
from xinfang.cases.models import Assignment, Case, Step
from xinfang.cases.routing import facts_for_case
from xinfang.cases.selectors import case_step
from xinfang.core.citations import on_screen
from xinfang.core.errors import RuleViolation
from xinfang.orgs.models import User
from xinfang.persistent.selectors import entries_on_case
from xinfang.routing.proposal import RoutingProposal, propose_routing
from xinfang.routing.terms import HandlingMode
from xinfang.web.forms.flows import FLOWS, FlowForm, SubmitClosureForm
from xinfang.web.views.common import form_status, staff_page, staff_user
from xinfang.web.views.timeline_text import describe_payloads, state_label

ROUTING_FLOWS = frozenset({"handle_here", "transfer_down", "assign_down", "refer", "file"})


def _proposal(case: Case) -> dict[str, Any]:
    """The routing proposal as the page shows it: headline and reasons in the notice's words."""
    proposal: RoutingProposal = propose_routing(facts_for_case(case))
    return {
        "headline": proposal.headline,
        "reasons": [on_screen(r.text) for r in proposal.reasons],
        "explanation": proposal.petitioner_explanation,
        "department_id": proposal.department.id if proposal.department else None,
        "mode": proposal.mode,
    }


def _decisions(file_decisions: list[Any]) -> list[dict[str, Any]]:
    """Each routing decision in Chinese; the reason for departing only where it departed."""
    rows = []
    for d in file_decisions:
        rows.append(
            {
                "decision": d,
                "proposed": f"{_mode(d.proposed_mode)}{_to(d.proposed_department_name)}",
                "decided": f"{_mode(d.decided_mode)}{_to(d.decided_department_name)}",
                "reasons": [on_screen(r) for r in d.proposal_reasons],
                "deviation": d.deviation_reason if not d.followed else "",
            }
        )
    return rows


def _mode(code: str) -> str:
    return str(HandlingMode(code).label) if code in HandlingMode.values else ""


def _to(name: str) -> str:
    return f"：{name}" if name else ""


@staff_page
def case_page(request: HttpRequest, case_id: int) -> HttpResponse:
    user = staff_user(request)
    case = get_case_for_user(user, case_id)
    file = case_file(user, case)
    step = case_step(case)
    open_actions = actions_open_to(user, case)
    events = file.events
    described = describe_payloads(file.protection.event_payload(e.event.payload) for e in events)
    timeline = [
        {
            "event": e.event,
            "label": EVENT_LABELS.get(e.event.kind, gettext("其他记录")),
            "from": state_label(e.event.from_state),
            "to": state_label(e.event.to_state),
            "details": details,
        }
        for e, details in zip(events, described, strict=True)
    ]
    assignment_in = (
        Assignment.objects.filter(child=case).select_related("from_department").first()
        if case.parent_id
        else None
    )
    sent_down = list(case.assignments.select_related("to_department", "child").order_by("sent_at"))
    today = timezone.localdate()
    leaders_dates = instruction_dates(file, today)
    context = {
        "case": case,
        "file": file,
        "steps": [(s, s == step, s < step) for s in Step],
        "step": step,
        "actions": [(a, ACTION_LABELS[a]) for a in open_actions],
        "timeline": timeline,
        "decisions": _decisions(file.routing_decisions),
        "proposal": _proposal(case) if case.state in ("registered", "read") else None,
        "assignment_in": assignment_in,
        "sent_down": sent_down,
        "objections": pending_objections(case),
        "reports": pending_reports(case),
        "today": today,
        # R-COUNTY-3: the leaders' dates still binding the case, on the deadline card.
        "instruction_dates": leaders_dates,
        "overdue_instructions": {i.pk for i, overdue in leaders_dates if overdue},
        # R-REPEAT-3, R-INFO-2: the matter's long-standing petitioner and its position
        # statement, to whoever may know who petitions (the protection policy).
        "longterm_entries": entries_on_case(case) if file.protection.identity_shown else [],
    }
    return render(request, "web/case/page.html", context)


def _open_form(request: HttpRequest, case_id: int, flow: str) -> tuple[User, Case, type[FlowForm]]:
    user = staff_user(request)
    case = get_case_for_user(user, case_id)
    form_class = FLOWS.get(flow)
    if form_class is None:
        raise Http404(gettext("没有这项操作"))
    if not may_act(user, case, flow):
        raise PermissionDenied(NOT_OPEN)
    return user, case, form_class


@staff_page
@require_http_methods(["GET", "POST"])
def case_flow(request: HttpRequest, case_id: int, flow: str) -> HttpResponse:
    user, case, form_class = _open_form(request, case_id, flow)
    if request.method == "POST":
        form = form_class(request.POST, request.FILES, case=case, user=user)
        if form.is_valid():
            try:
                done = form.run()
            except RuleViolation as err:
                form.show_violation(err)
            else:
                messages.success(request, done)
                return redirect("web:case", case_id=case.pk)
        else:
            form.check_rules()
    else:
        form = form_class(case=case, user=user)
    context: dict[str, Any] = {"case": case, "form": form, "flow": flow}
    if flow in ROUTING_FLOWS:
        context["proposal"] = _proposal(case)
    if isinstance(form, SubmitClosureForm):
        context["missing"] = _missing(case, form)
    return render(request, "web/case/flow.html", context, status=form_status(form))


def _missing(case: Case, form: SubmitClosureForm) -> list[str]:
    """What the closure still lacks, as typed so far (cases/closure.py)."""
    data: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()
        data = form.closure_data()
    problems = closure_problems(closure_requirements_of(case), data, timezone.localdate())
    return [on_screen(p) for p in problems]


@staff_page
@require_http_methods(["GET", "POST"])
def closure_check(request: HttpRequest, case_id: int) -> HttpResponse:
    """htmx: the list of what the closure form still lacks, re-rendered as the handler types."""
    user, case, _ = _open_form(request, case_id, "submit_closure")
    data = request.POST if request.method == "POST" else None
    form = SubmitClosureForm(data, case=case, user=user)
    return render(request, "web/case/_closure_missing.html", {"missing": _missing(case, form)})
