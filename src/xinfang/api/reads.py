"""The API's reads (GET). Every case through cases.access (`cases_visible_to`,
`get_case_for_user`: 404 for missing and forbidden alike); protected material only through
`cases.protection.protection_for`, via out.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from xinfang.api import out
from xinfang.api import schemas as s
from xinfang.api.auth import api_user
from xinfang.api.errors import ApiError
from xinfang.api.writes import open_action_endpoints
from xinfang.cases.access import cases_visible_to, get_case_for_user
from xinfang.cases.available import actions_open_to
from xinfang.cases.clocks import case_clocks
from xinfang.cases.family import petitions_of_case
from xinfang.cases.models import Assignment, Case, State, Step
from xinfang.cases.protection import protection_for
from xinfang.cases.queues import queue_counts, queues_for
from xinfang.cases.selectors import case_step, key_figures
from xinfang.core.replica import read_report
from xinfang.orgs.models import Role
from xinfang.routing.terms import Category

router = Router(tags=["查询"])

T = TypeVar("T")
MAX_LIMIT = 100


class PageIn(Schema):
    limit: int = Field(20, ge=1, le=MAX_LIMIT, description="每页条数（1-100）")
    offset: int = Field(0, ge=0, description="从第几条开始（0起）")


class CaseFilters(PageIn):
    state: State | None = Field(None, description="状态代码")
    category: Category | None = Field(None, description="问题类别代码")
    department: int | None = Field(None, description="责任部门 id")
    registered_from: dt.date | None = Field(None, description="登记日期不早于")
    registered_to: dt.date | None = Field(None, description="登记日期不晚于")
    due_from: dt.date | None = Field(None, description="办理期限不早于")
    due_to: dt.date | None = Field(None, description="办理期限不晚于")


def page(
    rows: QuerySet[Any] | Sequence[Any], p: PageIn, convert: Callable[[Any], T]
) -> dict[str, Any]:
    """One page of `rows` with the total count (docs/api.md, "Pagination")."""
    count = rows.count() if isinstance(rows, QuerySet) else len(rows)
    chunk = rows[p.offset : p.offset + p.limit]
    return {
        "count": count,
        "limit": p.limit,
        "offset": p.offset,
        "items": [convert(r) for r in chunk],
    }


def _start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def filtered(cases: QuerySet[Case], f: CaseFilters) -> QuerySet[Case]:
    if f.state is not None:
        cases = cases.filter(state=f.state)
    if f.category is not None:
        cases = cases.filter(category=f.category)
    if f.department is not None:
        cases = cases.filter(department_id=f.department)
    if f.registered_from is not None:
        cases = cases.filter(registered_at__gte=_start(f.registered_from))
    if f.registered_to is not None:
        cases = cases.filter(registered_at__lt=_start(f.registered_to + dt.timedelta(days=1)))
    if f.due_from is not None:
        cases = cases.filter(due_on__gte=f.due_from)
    if f.due_to is not None:
        cases = cases.filter(due_on__lte=f.due_to)
    return cases


def listed(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Rows for a case list: department and handler in the same query."""
    return cases.select_related("department", "handler")


@router.get("/me", response=s.MeOut, summary="当前用户")
def me(request: HttpRequest) -> s.MeOut:
    user = api_user(request)
    assert user.department is not None
    return s.MeOut(
        id=user.pk,
        username=user.username,
        name=str(user),
        department=s.Ref(id=user.department.pk, name=str(user.department)),
        roles=[r for r in Role.values if user.has_role(r)],
    )


@router.get("/cases", response=s.CasePage, summary="案件列表")
def case_list(request: HttpRequest, filters: Query[CaseFilters]) -> dict[str, Any]:
    cases = filtered(cases_visible_to(api_user(request)), filters)
    return page(listed(cases).order_by("-registered_at", "-pk"), filters, out.case)


@router.get("/archive", response=s.CasePage, summary="已归档案件")
def archive_list(request: HttpRequest, filters: Query[CaseFilters]) -> dict[str, Any]:
    cases = filtered(cases_visible_to(api_user(request)).filter(state=State.ARCHIVED), filters)
    return page(listed(cases).order_by("-archived_at", "-pk"), filters, out.case)


@router.get("/cases/{case_id}", response=s.CaseDetailOut, summary="案件详情")
def case_detail(request: HttpRequest, case_id: int) -> s.CaseDetailOut:
    user = api_user(request)
    case = get_case_for_user(user, case_id)
    case = listed(Case.objects.filter(pk=case.pk)).get()
    step = Step(case_step(case))
    # The same function as the case page's buttons (never a second list).
    open_actions = open_action_endpoints(actions_open_to(user, case), case.pk)
    return out.case_detail(
        case,
        protection_for(user, case),
        step.value,
        str(step.label),
        case_clocks(case),
        open_actions,
    )


@router.get("/cases/{case_id}/petitions", response=s.PetitionPage, summary="案件的来信来访")
def case_petitions(request: HttpRequest, case_id: int, p: Query[PageIn]) -> dict[str, Any]:
    user = api_user(request)
    case = get_case_for_user(user, case_id)
    protection = protection_for(user, case)
    petitions = (
        petitions_of_case(case)
        .select_related("receiving_department", "concerned_cadre")
        .prefetch_related("respondents", "interviews__receivers", "attachments")
        .order_by("received_on", "pk")
    )
    return page(petitions, p, lambda x: out.petition(x, protection))


@router.get(
    "/cases/{case_id}/petitioners",
    response=s.PetitionerPage,
    summary="案件的信访人（按身份保护规定）",
)
def case_petitioners(request: HttpRequest, case_id: int, p: Query[PageIn]) -> dict[str, Any]:
    user = api_user(request)
    case = get_case_for_user(user, case_id)
    protection = protection_for(user, case)
    rows = [
        row
        for petition in petitions_of_case(case).order_by("received_on", "pk")
        for row in out.petitioners(petition, protection)
    ]
    return page(rows, p, lambda x: x)


@router.get("/cases/{case_id}/timeline", response=s.EventPage, summary="办理记录")
def case_timeline(request: HttpRequest, case_id: int, p: Query[PageIn]) -> dict[str, Any]:
    user = api_user(request)
    case = get_case_for_user(user, case_id)
    protection = protection_for(user, case)
    events = case.events.select_related("actor").order_by("seq")
    return page(events, p, lambda e: out.event(e, protection))


@router.get("/cases/{case_id}/assignments", response=s.AssignmentPage, summary="交办转办")
def case_assignments(request: HttpRequest, case_id: int, p: Query[PageIn]) -> dict[str, Any]:
    case = get_case_for_user(api_user(request), case_id)
    joined = Assignment.objects.select_related("from_department", "to_department")
    rows = [(a, "received") for a in joined.filter(child=case)]
    rows += [(a, "sent") for a in joined.filter(case=case).order_by("sent_at", "pk")]
    return page(rows, p, lambda r: out.assignment(*r))


@router.get("/cases/{case_id}/instructions", response=s.InstructionPage, summary="领导批示")
def case_instructions(request: HttpRequest, case_id: int, p: Query[PageIn]) -> dict[str, Any]:
    case = get_case_for_user(api_user(request), case_id)
    rows = case.instructions.select_related("leader").order_by("created_at", "pk")
    return page(rows, p, out.instruction)


@router.get("/cases/{case_id}/closures", response=s.ClosurePage, summary="结案材料")
def case_closures(request: HttpRequest, case_id: int, p: Query[PageIn]) -> dict[str, Any]:
    case = get_case_for_user(api_user(request), case_id)
    rows = case.closures.select_related("submitted_by", "decided_by").order_by("submitted_at", "pk")
    return page(rows, p, out.closure)


@router.get("/queues", response=list[s.QueueOut], summary="我的工作队列及件数")
def queue_list(request: HttpRequest) -> list[s.QueueOut]:
    user = api_user(request)
    counts = queue_counts(user, timezone.localdate())
    return [
        s.QueueOut(key=q.key, title=str(q.title), count=counts[q.key]) for q in queues_for(user)
    ]


@router.get("/queues/{queue_key}", response=s.CasePage, summary="工作队列中的案件")
def queue_cases(
    request: HttpRequest, queue_key: str, filters: Query[CaseFilters]
) -> dict[str, Any]:
    user = api_user(request)
    queue = next((q for q in queues_for(user) if q.key == queue_key), None)
    if queue is None:  # unknown, or not one of this user's queues
        raise ApiError(404, "not_found", "工作队列不存在或无权查看。")
    cases = filtered(queue.cases(user, timezone.localdate()), filters)
    return page(listed(cases), filters, out.case)


class FigureFilters(Schema):
    year: int | None = Field(None, ge=1987, le=2100, description="年度，默认今年")


@router.get("/figures", response=list[s.FigureOut], summary="本部门关键指标")
def figures(request: HttpRequest, f: Query[FigureFilters]) -> list[s.FigureOut]:
    user = api_user(request)
    assert user.department is not None
    year = f.year or timezone.localdate().year
    department = user.department
    # A report: read from the replica when one is configured and close behind (core/replica.py).
    return [out.figure(x) for x in read_report(lambda: list(key_figures(department, year)))]
