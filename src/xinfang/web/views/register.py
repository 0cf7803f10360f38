"""登记: one page to register a letter, a visit (with its interview), a call or an online
message, and the look-ups it calls while the registrar types (petitioners, ID numbers,
cadres). Writes only through `cases.actions`; petitioners are shown only through the
protection policy (cases/lookup.py)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy, gettext_noop
from django.views.decorators.http import require_POST

from xinfang.cases import actions
from xinfang.cases.access import cases_visible_to, get_case_for_user
from xinfang.cases.lifecycle import require_action_role
from xinfang.cases.lookup import cadre_search, petitioner_lookup
from xinfang.cases.models import Case
from xinfang.cases.routing import facts_for_case, facts_for_registration
from xinfang.core.citations import on_screen
from xinfang.core.errors import RuleViolation
from xinfang.core.idnumber import id_number_facts
from xinfang.orgs.models import Department, DepartmentKind, User
from xinfang.petitions.attachments import check_uploads
from xinfang.petitions.models import Channel, Petition, Source
from xinfang.petitions.respondents import RespondentInput, place_respondent
from xinfang.petitions.services import (
    ConcernedCadreInput,
    InterviewInput,
    PetitionerInput,
    concerned_cadre_row,
    respondent_row,
)
from xinfang.routing.models import SuggestionModel
from xinfang.routing.proposal import propose_routing
from xinfang.routing.selectors import referral_rules, suggestion_model_for
from xinfang.routing.suggest import RULE, suggest
from xinfang.routing.terms import Category
from xinfang.routing.textmodel import document
from xinfang.web.forms_register import (
    MAX_DEPARTMENTS,
    PetitionerFormSet,
    RegistrationForm,
    RespondentFormSet,
    department_matches,
    jurisdictions,
    place_messages,
)
from xinfang.web.views.common import staff_page, staff_user

NOTES_KEY = "register_notes"  # the session's notes of the registrations just made


def _may_register(user: User) -> str:
    """ "" when `user` may register, else the Chinese reason."""
    try:
        require_action_role(user, "register")
    except RuleViolation as refusal:
        return str(refusal)
    return ""


def _forbidden(request: HttpRequest, reason: str) -> HttpResponse:
    return render(
        request, "web/register/forbidden.html", {"reason": reason, "nav": "register"}, status=403
    )


def _forms(request: HttpRequest, user: User) -> tuple[RegistrationForm, Any, Any]:
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    form = RegistrationForm(data, files, user=user)
    petitioners = PetitionerFormSet(data, prefix="p")
    # Every respondent row offers the same jurisdictions: read them once.
    choices = [("", gettext("—— 任职地区或单位 ——")), *((j.pk, j.name) for j in jurisdictions())]
    respondents = RespondentFormSet(data, prefix="r", form_kwargs={"jurisdiction_choices": choices})
    return form, petitioners, respondents


# The top of a refused form when its problems are shown beside their fields.
FIX_MARKED = gettext_noop("请按提示改正标出的内容后再提交。")


@staff_page
def register(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    if reason := _may_register(user):
        return _forbidden(request, reason)
    form, petitioners, respondents = _forms(request, user)
    if request.method != "POST":
        # The visitor at the desk or the letter's signature: the petitioner's name first.
        petitioners.forms[0].fields["name"].widget.attrs["autofocus"] = True
    top: list[str] = []
    refused = False
    if request.method == "POST":
        refused = True
        if form.is_valid() & petitioners.is_valid() & respondents.is_valid():
            outcome = _register(user, form, petitioners, respondents)
            if isinstance(outcome, actions.Registration):
                notes: dict[str, list[str]] = request.session.get(NOTES_KEY, {})
                notes = {str(outcome.case.pk): outcome.notes, **dict(list(notes.items())[:9])}
                request.session[NOTES_KEY] = notes
                return redirect("web:register_done", case_id=outcome.case.pk)
            top = outcome
        else:
            top = [gettext(FIX_MARKED)]
        if request.FILES:
            top.append(gettext("出于安全原因，浏览器不会保留已选的附件，请重新选择附件。"))
    context = {
        "form": form,
        "petitioners": petitioners,
        "respondents": respondents,
        "top_errors": top + [str(e) for e in form.non_field_errors()],
        "nav": "register",
        "visit": Channel.VISIT,
        "personal_request": Category.PERSONAL_REQUEST,
    }
    return render(request, "web/register/form.html", context, status=400 if refused else 200)


def _respondent_inputs(respondents: Any) -> list[tuple[int, RespondentInput]]:
    """The respondent rows typed into, with their index in the formset."""
    return [
        (
            i,
            RespondentInput(
                cadre=f.cleaned_data.get("cadre"),
                name=f.cleaned_data.get("name") or "",
                unit=f.cleaned_data.get("unit") or "",
                post_title=f.cleaned_data.get("post_title") or "",
                jurisdiction=f.cleaned_data.get("jurisdiction"),
            ),
        )
        for i, f in enumerate(respondents.forms)
        if f.has_changed() and f.cleaned_data
    ]


def _concerned_input(data: dict[str, Any]) -> ConcernedCadreInput | None:
    """当事干部 of a personal request (R-CAT-4), when anything of him was typed."""
    concerned_typed = any(
        data.get(f"concerned_{k}")
        for k in ("cadre", "name", "unit", "post_title", "rank", "managing_jurisdiction")
    )
    if data.get("category") != Category.PERSONAL_REQUEST or not concerned_typed:
        return None
    return ConcernedCadreInput(
        cadre=data.get("concerned_cadre"),
        name=data.get("concerned_name") or "",
        unit=data.get("concerned_unit") or "",
        post_title=data.get("concerned_post_title") or "",
        rank=data.get("concerned_rank") or "",
        managing_jurisdiction=data.get("concerned_managing_jurisdiction"),
    )


def _register(
    user: User, form: RegistrationForm, petitioners: Any, respondents: Any
) -> actions.Registration | list[str]:
    """Register what the forms hold, attachments included, all or nothing (R-INTAKE-1).
    Returns the registration, or the messages for the top of the page after putting the
    others beside their fields."""
    data = form.cleaned_data
    dept = user.department
    assert dept is not None  # staff_page
    people = [
        (
            i,
            PetitionerInput(
                name=f.cleaned_data.get("name") or "",
                id_number=f.cleaned_data.get("id_number") or "",
                phone=f.cleaned_data.get("phone") or "",
                address=f.cleaned_data.get("address") or "",
                work_unit=f.cleaned_data.get("work_unit") or "",
                account=f.cleaned_data.get("account") or "",
                is_representative=bool(f.cleaned_data.get("is_representative")),
            ),
        )
        for i, f in enumerate(petitioners.forms)
        if f.has_changed() and f.cleaned_data
    ]
    accused = _respondent_inputs(respondents)
    errors: list[str] = []
    uploads = data.get("attachments") or []
    try:
        check_uploads(uploads)
    except RuleViolation as refusal:
        errors += refusal.messages
    repeat_of: Case | None = None
    number = (data.get("repeat_of") or "").strip()
    if number:
        repeat_of = cases_visible_to(user).filter(department=dept, number=number).first()
        if repeat_of is None:
            errors.append(
                gettext("本部门没有编号为“%(number)s”的案件：只能关联本部门的案件。")
                % {"number": number}
            )
    channel = data["channel"]
    interview = None
    if channel == Channel.VISIT:
        interview = InterviewInput(
            receivers=list(data.get("receivers") or []),
            interviewed_at=data.get("interviewed_at") or form.fields["interviewed_at"].initial,
            statement=data.get("statement") or "",
            requests=data.get("requests") or "",
            answer=data.get("answer") or "",
            place=data.get("place") or "",
        )
    concerned = _concerned_input(data)
    registration: actions.Registration | None = None
    with transaction.atomic():
        try:
            registration = actions.petition_register(
                actor=user,
                channel=channel,
                received_on=data["received_on"],
                summary=data.get("summary") or "",
                content=data.get("content") or "",
                category=data.get("category") or "",
                nature=data.get("nature") or "",
                petitioners=[p for _i, p in people],
                is_anonymous=bool(data.get("is_anonymous")),
                anonymous_treatment=data.get("anonymous_treatment") or "",
                anonymous_reason=data.get("anonymous_reason") or "",
                is_collective=bool(data.get("is_collective")),
                head_count=data.get("head_count") or 1,
                collective_origin=data.get("collective_origin") or "",
                source=data["source"],
                source_department=data.get("source_department"),
                source_reference=data.get("source_reference") or "",
                respondents=[r for _i, r in accused],
                interview=interview,
                repeat_of=repeat_of,
                concerned_cadre=concerned,
            )
            if not errors and uploads:
                actions.attachments_add(actor=user, petition=registration.petition, uploads=uploads)
        except RuleViolation as refusal:
            errors += refusal.messages
        if errors:
            # Nothing is kept when anything is wrong: a registration that passed is undone
            # with the attachments that did not (one transaction).
            transaction.set_rollback(True)
    if not errors and registration is not None:
        return registration
    top = place_messages(
        errors,
        form,
        petitioners,
        respondents,
        [i for i, _p in people],
        [i for i, _r in accused],
    )
    if len(top) < len(errors):
        # Some went beside their fields, perhaps all and below the fold: the top of the
        # page, where the registrar is looking, says that nothing was registered and why.
        top.insert(0, gettext(FIX_MARKED))
    return top


@staff_page
def register_done(request: HttpRequest, case_id: int) -> HttpResponse:
    """After registration: the case number, first or repeat notes (R-INTAKE-5) and the
    routing proposal (R-ROUTE-1), with the way to the case."""
    user = staff_user(request)
    case = get_case_for_user(user, case_id)
    notes = request.session.get(NOTES_KEY, {}).get(str(case.pk), [])
    proposal = propose_routing(facts_for_case(case))
    context = {
        "case": case,
        "notes": [on_screen(n) for n in notes],
        "headline": on_screen(proposal.headline),
        "reasons": [on_screen(r.text) for r in proposal.reasons],
        "case_url": reverse("web:case", args=[case.pk]),
        "file_url": reverse("cases:case_file", kwargs={"case_id": case.pk}),
        "nav": "register",
    }
    return render(request, "web/register/done.html", context)


# What the live proposal waits for, in the order the page asks for it.
WAIT_FOR_CATEGORY = gettext_lazy("选择问题类别和信访性质后，这里显示分办建议。")
WAIT_FOR_TREATMENT = gettext_lazy("选择匿名信的处理方式后，这里显示分办建议。")
WAIT_FOR_CONCERNED = gettext_lazy(
    "个人问题按当事干部的干部管理权限分办：从干部名册中选择当事干部，"
    "或填写其姓名和管理其的党委后，这里显示分办建议。"
)


def _draft_proposal(user: User, form: RegistrationForm, respondents: Any) -> dict[str, Any]:
    """The routing proposal for what the form holds now, or what it still waits for. Reads
    only: nothing is registered, placed or logged."""
    form.is_valid()
    respondents.is_valid()
    data = form.cleaned_data
    category, nature = data.get("category") or "", data.get("nature") or ""
    if not category or not nature:
        return {"waiting": WAIT_FOR_CATEGORY}
    is_anonymous = bool(data.get("is_anonymous"))
    treatment = data.get("anonymous_treatment") or ""
    if is_anonymous and not treatment:
        return {"waiting": WAIT_FOR_TREATMENT}
    concerned = _concerned_input(data)
    if category == Category.PERSONAL_REQUEST:
        placed = concerned is not None and (
            (concerned.cadre is not None and concerned.cadre.post_id is not None)
            or (bool(concerned.name.strip()) and concerned.managing_jurisdiction is not None)
        )
        if not placed:
            return {"waiting": WAIT_FOR_CONCERNED}
    draft = Petition()  # never saved: the rows below are only read by the rules
    rows = []
    for n, (_i, r) in enumerate(_respondent_inputs(respondents), start=1):
        where, problem = place_respondent(r, n)
        if problem:  # the same words registration would answer
            return {"waiting": on_screen(problem)}
        rows.append(respondent_row(draft, where))
    dept = user.department
    assert dept is not None  # staff_page
    department = Department.objects.select_related("jurisdiction").get(pk=dept.pk)
    facts = facts_for_registration(
        department=department,
        category=category,
        nature=nature,
        summary=data.get("summary") or "",
        content=data.get("content") or "",
        is_anonymous=is_anonymous,
        anonymous_treatment=treatment,
        respondents=rows,
        concerned=None if concerned is None else concerned_cadre_row(draft, concerned),
    )
    # The same function as after registration (register_done) and on the case page.
    proposal = propose_routing(facts)
    return {
        "headline": on_screen(proposal.headline),
        "reasons": [on_screen(r.text) for r in proposal.reasons],
    }


@staff_page
@require_POST
def routing_preview(request: HttpRequest) -> HttpResponse:
    """The routing proposal while the registrar types (htmx fragment, R-ROUTE-1), from the
    form's current facts. POST: the facts include the letter's text, which must not reach
    the server's access log through a query string."""
    user = staff_user(request)
    if _may_register(user):
        return HttpResponse("", status=403)
    form = RegistrationForm(request.POST, user=user)
    choices = [("", ""), *((j.pk, j.name) for j in jurisdictions())]
    respondents = RespondentFormSet(
        request.POST, prefix="r", form_kwargs={"jurisdiction_choices": choices}
    )
    context = _draft_proposal(user, form, respondents)
    return render(request, "web/register/routing.html", context)


def _quoted(words: tuple[str, ...]) -> str:
    return "、".join(f"“{w}”" for w in words)


@staff_page
@require_POST
def suggest_preview(request: HttpRequest) -> HttpResponse:
    """A category and, for a matter outside the remit, a referral target suggested from the
    text, with the words that led to it (htmx fragment beside the category field, issue 11
    item 4). Advice: the registrar applies it with a button or not; nothing is written.
    POST, for the same reason as the routing preview. Registrars only. The words shown are
    pieces of the text posted in this request or the rules' own keywords, nothing else."""
    user = staff_user(request)
    if _may_register(user):
        return HttpResponse("", status=403)
    summary = request.POST.get("summary", "")[:200]
    content = request.POST.get("content", "")[:20000]
    picked = request.POST.get("category", "")
    picked = picked if picked in Category.values else ""
    nature = request.POST.get("nature", "")[:16]
    found = suggest(
        document(summary, content) if summary.strip() else content,
        nature=nature,
        picked_category=picked,
        rules=referral_rules(),
        model=suggestion_model_for(user.department_id),
        referral_model=suggestion_model_for(user.department_id, SuggestionModel.Purpose.REFERRAL),
    )
    context: dict[str, Any] = {"empty": found.empty}
    if found.category:
        context.update(
            category=found.category,
            category_label=Category(found.category).label,
            category_words=_quoted(found.category_words),
            by_rule=found.category_from == RULE,
            same=found.category == picked,
        )
    if found.referral_kind:
        context.update(
            referral_label=DepartmentKind(found.referral_kind).label,
            referral_topic=found.referral_topic,
            referral_words=_quoted(found.referral_words),
            refer_category=Category.OUTSIDE_REMIT.value,
            refer_same=picked == Category.OUTSIDE_REMIT,
        )
    return render(request, "web/register/suggest.html", context)


@staff_page
def departments(request: HttpRequest) -> HttpResponse:
    """Departments to pick, by a word of their name or their place (htmx fragment, at most
    MAX_DEPARTMENTS), instead of a select of every department of the deployment: those a
    petition may have come from for the registration's 转来部门 (`source`), any but the
    user's own for the case page's forms (转其他部门, an objection's suggested department;
    web/widgets.py: DepartmentSearchInput). The forms check the pick again."""
    user = staff_user(request)
    dept = user.department
    assert dept is not None  # staff_page
    query = request.GET.get("q", "")[:50].strip()
    source = request.GET.get("source", "")
    matches = department_matches(dept, source, query)
    context = {
        "departments": matches,
        "asked": bool(query),
        "upper": source == Source.UPPER_LEVEL,
        "more": len(matches) == MAX_DEPARTMENTS,
        "limit": MAX_DEPARTMENTS,
    }
    return render(request, "web/register/departments.html", context)


@staff_page
def lookup(request: HttpRequest) -> HttpResponse:
    """Earlier petitioners matching a petitioner row (htmx fragment), through the protection
    policy (R-PROTECT-1)."""
    user = staff_user(request)
    if _may_register(user):
        return HttpResponse("", status=403)
    matches = petitioner_lookup(
        user,
        name=request.GET.get("name", "")[:50],
        id_number=request.GET.get("id_number", "")[:24],
        phone=request.GET.get("phone", "")[:30],
    )
    asked = any(request.GET.get(k, "").strip() for k in ("name", "id_number", "phone"))
    return render(request, "web/register/lookup.html", {"matches": matches, "asked": asked})


@staff_page
def id_number_check(request: HttpRequest) -> HttpResponse:
    """What an ID number says, checked as typed (htmx fragment)."""
    raw = request.GET.get("id_number", "")[:24].strip()
    context: dict[str, Any] = {"raw": raw}
    if raw:
        try:
            context["facts"] = id_number_facts(raw)
        except RuleViolation as refusal:
            context["problem"] = str(refusal)
    return render(request, "web/register/idnumber.html", context)


@staff_page
def cadres(request: HttpRequest) -> HttpResponse:
    """Cadres of the directory by name or post (htmx fragment), to pick a respondent or the
    cadre a personal request concerns."""
    query = request.GET.get("q", "")[:50]
    return render(
        request,
        "web/register/cadres.html",
        {"cadres": cadre_search(query), "asked": bool(query.strip())},
    )
