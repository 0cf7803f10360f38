"""信访老户台账: the candidates over the thresholds and the register (R-REPEAT-1..3,
R-INFO-2). Leaders and handlers of a department; every case read through cases.access,
every petitioner's name through cases.protection, every write through
xinfang.persistent.services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.cases.access import get_case_for_user
from xinfang.cases.family import petitions_of_case
from xinfang.cases.models import Case
from xinfang.cases.protection import HIDDEN, protection_for
from xinfang.core.errors import RuleViolation
from xinfang.orgs.models import Role, User
from xinfang.persistent import services
from xinfang.persistent.models import Entry, Outcome
from xinfang.persistent.selectors import (
    candidates,
    entry_for_user,
    next_review_on,
    register_for,
    review_overdue,
)
from xinfang.petitions.models import Petitioner, PetitionPetitioner
from xinfang.web.forms.persistent import ConcludeForm, EntryForm, ReviewForm, SettleForm
from xinfang.web.views.common import staff_page, staff_user

NOT_ALLOWED = "信访老户台账只对部门领导和承办人开放。"
STEPS: dict[str, type[ReviewForm] | type[SettleForm] | type[ConcludeForm]] = {
    "review": ReviewForm,
    "settle": SettleForm,
    "conclude": ConcludeForm,
}


def _keeper(request: HttpRequest) -> User:
    user = staff_user(request)
    if not (user.has_role(Role.LEADER) or user.has_role(Role.HANDLER)):
        raise PermissionDenied(NOT_ALLOWED)
    return user


@staff_page
def register_list(request: HttpRequest) -> HttpResponse:
    """The department's candidates (over a threshold, not yet registered) and the register
    of every case the user sees. A fixed number of queries (tests/web/test_longterm.py)."""
    user = _keeper(request)
    assert user.department is not None
    today = timezone.localdate()
    found = candidates(user.department, as_of=today)
    # R-REPEAT-2: each open entry's next periodic review, marked from the day after it.
    entries = [
        (entry, next_review_on(entry), review_overdue(entry, today)) for entry in register_for(user)
    ]
    context: dict[str, Any] = {
        "candidates": found,
        "entries": entries,
        "today": today,
        "nav": "longterm",
    }
    return render(request, "web/persistent/list.html", context)


def _petitioner_choices(user: User, case: Case) -> list[tuple[int, str]]:
    """The case's petitioners, named only where the protection policy shows identity."""
    protection = protection_for(user, case)
    links = (
        PetitionPetitioner.objects.filter(petition__in=petitions_of_case(case))
        .select_related("petitioner", "petition")
        .order_by("petitioner_id", "petition_id")
    )
    seen: dict[int, str] = {}
    for link in links:
        if link.petitioner_id not in seen:
            number = len(seen) + 1
            if protection.identity_shown:
                protection.record_read(link.petition)  # the read is logged (R-PROTECT-1)
                seen[link.petitioner_id] = link.petitioner.name
            else:
                seen[link.petitioner_id] = _("第%(n)d位信访人") % {"n": number}
    return list(seen.items())


@staff_page
def entry_new(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _keeper(request)
    case = get_case_for_user(user, case_id)
    if case.department_id != user.department_id:
        raise Http404("案件不存在或无权查看")
    choices = _petitioner_choices(user, case)
    if request.method == "POST":
        form = EntryForm(request.POST, department=case.department, petitioners=choices)
        if form.is_valid():
            data = form.cleaned_data
            try:
                entry = services.entry_register(
                    actor=user,
                    case=case,
                    petitioner=Petitioner.objects.get(pk=data["petitioner"]),
                    analysis=data["analysis"],
                    measures=data["measures"],
                    leader=data["leader"],
                    officer=data["officer"],
                    target_on=data["target_on"],
                    review_every_days=data["review_every_days"],
                )
            except RuleViolation as err:
                form.show_violation(err)
            else:
                messages.success(request, _("已列入信访老户台账。"))
                return redirect("web:longterm_entry", entry_id=entry.pk)
    else:
        initial = {"petitioner": request.GET.get("petitioner", "")}
        form = EntryForm(initial=initial, department=case.department, petitioners=choices)
    return render(
        request, "web/persistent/new.html", {"case": case, "form": form, "nav": "longterm"}
    )


def _may_act(user: User, entry: Entry) -> bool:
    return entry.outcome == Outcome.OPEN and (
        user.pk in (entry.leader_id, entry.officer_id)
        or (user.department_id == entry.department_id and user.has_role(Role.LEADER))
    )


def _entry_context(user: User, entry: Entry) -> dict[str, Any]:
    protection = protection_for(user, entry.case)
    name = str(HIDDEN)
    if protection.identity_shown:
        petition = petitions_of_case(entry.case).filter(petitioners=entry.petitioner).first()
        if petition is not None:
            protection.record_read(petition)  # the read is logged (R-PROTECT-1)
            name = entry.petitioner.name
    return {
        "entry": entry,
        "petitioner_name": name,
        "reviews": list(entry.reviews.select_related("author")),
        # R-REPEAT-2: the next periodic review, and whether it is overdue.
        "next_review": next_review_on(entry),
        "review_late": review_overdue(entry, timezone.localdate()),
        "may_act": _may_act(user, entry),
        "nav": "longterm",
    }


@staff_page
def entry_page(request: HttpRequest, entry_id: int) -> HttpResponse:
    user = _keeper(request)
    entry = entry_for_user(user, entry_id)
    context = _entry_context(user, entry)
    context.update({name: form_class() for name, form_class in STEPS.items()})
    return render(request, "web/persistent/entry.html", context)


@staff_page
def entry_step(request: HttpRequest, entry_id: int, step: str) -> HttpResponse:
    user = _keeper(request)
    entry = entry_for_user(user, entry_id)
    form_class = STEPS.get(step)
    if form_class is None:
        raise Http404("没有这项操作")
    if request.method != "POST":
        return redirect("web:longterm_entry", entry_id=entry.pk)
    form = form_class(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if step == "review":
                services.entry_review(actor=user, entry=entry, **data)
                done = _("已记录复查情况。")
            elif step == "settle":
                services.entry_settle(actor=user, entry=entry, **data)
                done = _("已登记为化解。")
            else:
                services.entry_conclude(actor=user, entry=entry, **data)
                done = _("已终结，统一答复口径已通报各级。")
        except RuleViolation as err:
            form.show_violation(err)
        else:
            messages.success(request, done)
            return redirect("web:longterm_entry", entry_id=entry.pk)
    context = _entry_context(user, entry_for_user(user, entry_id))
    context.update({name: cls() for name, cls in STEPS.items()})
    context[step] = form
    context["open_step"] = step
    return render(request, "web/persistent/entry.html", context)
