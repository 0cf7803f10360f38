"""The API's writes: registration (POST /api/petitions) and one path per case action
(POST /api/cases/{case_id}/actions/{action}). Each calls the same function of
`xinfang.cases.actions` a page calls; each accepts an `Idempotency-Key` (idempotency.py).

No `from __future__ import annotations` here: the action endpoints are made by a factory,
and django-ninja reads each one's body schema from its evaluated annotations.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile

from xinfang.api import out
from xinfang.api import schemas as s
from xinfang.api.auth import api_user
from xinfang.api.errors import field_error
from xinfang.api.idempotency import run_once
from xinfang.cases import actions
from xinfang.cases.access import get_case_for_user
from xinfang.cases.available import require_open, unlinkable_petitions
from xinfang.cases.family import petitions_of_case
from xinfang.cases.lifecycle import ACTION_LABELS
from xinfang.cases.models import Assignment, Case, Objection
from xinfang.core.citations import on_screen
from xinfang.core.errors import RuleViolation
from xinfang.orgs.models import Cadre, Department, Jurisdiction, User
from xinfang.petitions.models import Channel, Petition, Source
from xinfang.petitions.respondents import RespondentInput
from xinfang.petitions.services import (
    ConcernedCadreInput,
    InterviewInput,
    PetitionerInput,
)
from xinfang.routing.terms import Category, Nature

router = Router(tags=["办理"])

ERRORS: dict[int | str, Any] = {
    401: s.ErrorOut,
    403: s.ErrorOut,
    404: s.ErrorOut,
    422: s.ErrorOut,
}


def _one(model: type[Model], pk: int | None, field: str) -> Any:
    """The row `pk` of `model`, or a validation error naming `field`."""
    if pk is None:
        return None
    row = model._default_manager.filter(pk=pk).first()
    if row is None:
        raise field_error(field, "所选对象不存在。")
    return row


def _visible_case(user: User, pk: int | None, field: str) -> Case | None:
    if pk is None:
        return None
    return _case_field(user, pk, field)


def _case_field(user: User, pk: int, field: str) -> Case:
    """A case the user may see, named by an input field: else a validation error on it."""
    try:
        return get_case_for_user(user, pk)
    except Http404:
        raise field_error(field, "案件不存在或无权查看。") from None


def _case_out(case: Case) -> s.CaseOut:
    return out.case(Case.objects.select_related("department", "handler").get(pk=case.pk))


# --- Registration ---------------------------------------------------------------------


class PetitionerIn(Schema):
    name: str
    id_number: str = ""
    phone: str = ""
    address: str = ""
    work_unit: str = ""
    account: str = Field(
        "",
        description="网上信访账号：“留言板名称:账号”，只写账号时为网上留言板的账号",
    )
    is_representative: bool = False


class RespondentIn(Schema):
    cadre_id: int | None = Field(None, description="干部名录中的干部 id；不在名录中时填写姓名等")
    name: str = ""
    unit: str = ""
    post_title: str = ""
    rank: str = ""
    jurisdiction_id: int | None = None
    department_id: int | None = None
    managing_jurisdiction_id: int | None = None
    is_main_leader: bool = False


class ConcernedCadreIn(Schema):
    cadre_id: int | None = None
    name: str = ""
    unit: str = ""
    post_title: str = ""
    rank: str = ""
    jurisdiction_id: int | None = None
    managing_jurisdiction_id: int | None = None


class InterviewIn(Schema):
    receiver_ids: list[int] = Field(..., description="接谈人（工作人员 id）")
    interviewed_at: dt.datetime
    statement: str
    requests: str
    answer: str
    place: str = ""


class RegistrationIn(Schema):
    channel: Channel
    received_on: dt.date
    summary: str
    content: str
    category: Category
    nature: Nature
    petitioners: list[PetitionerIn] = []
    is_anonymous: bool = False
    anonymous_treatment: str = ""
    anonymous_reason: str = ""
    is_collective: bool = False
    head_count: int = Field(1, ge=1)
    collective_origin: str = ""
    source: Source = Source.DIRECT
    source_department_id: int | None = None
    source_reference: str = ""
    respondents: list[RespondentIn] = []
    interview: InterviewIn | None = None
    repeat_of_case_id: int | None = Field(None, description="重信重访：所关联的本部门案件 id")
    concerned_cadre: ConcernedCadreIn | None = None


def _interview(data: InterviewIn, field: str) -> InterviewInput:
    receivers = list(User.objects.filter(pk__in=data.receiver_ids, is_active=True))
    if len(receivers) != len(set(data.receiver_ids)):
        raise field_error(f"{field}.receiver_ids", "所选接谈人不存在。")
    return InterviewInput(
        receivers=receivers,
        interviewed_at=data.interviewed_at,
        statement=data.statement,
        requests=data.requests,
        answer=data.answer,
        place=data.place,
    )


def _respondent(r: RespondentIn, i: int) -> RespondentInput:
    f = f"respondents.{i}"
    return RespondentInput(
        cadre=_one(Cadre, r.cadre_id, f"{f}.cadre_id"),
        name=r.name,
        unit=r.unit,
        post_title=r.post_title,
        rank=r.rank,
        jurisdiction=_one(Jurisdiction, r.jurisdiction_id, f"{f}.jurisdiction_id"),
        department=_one(Department, r.department_id, f"{f}.department_id"),
        managing_jurisdiction=_one(
            Jurisdiction, r.managing_jurisdiction_id, f"{f}.managing_jurisdiction_id"
        ),
        is_main_leader=r.is_main_leader,
    )


def _concerned(c: ConcernedCadreIn | None) -> ConcernedCadreInput | None:
    if c is None:
        return None
    return ConcernedCadreInput(
        cadre=_one(Cadre, c.cadre_id, "concerned_cadre.cadre_id"),
        name=c.name,
        unit=c.unit,
        post_title=c.post_title,
        rank=c.rank,
        jurisdiction=_one(Jurisdiction, c.jurisdiction_id, "concerned_cadre.jurisdiction_id"),
        managing_jurisdiction=_one(
            Jurisdiction, c.managing_jurisdiction_id, "concerned_cadre.managing_jurisdiction_id"
        ),
    )


@router.post(
    "/petitions",
    response={201: s.RegistrationOut, **ERRORS},
    summary="登记来信来访（新案件或重信重访）",
)
def petition_register(request: HttpRequest, payload: RegistrationIn) -> HttpResponse:
    user = api_user(request)

    def write() -> tuple[int, dict[str, Any]]:
        reg = actions.petition_register(
            actor=user,
            channel=payload.channel,
            received_on=payload.received_on,
            summary=payload.summary,
            content=payload.content,
            category=payload.category,
            nature=payload.nature,
            petitioners=[PetitionerInput(**p.model_dump()) for p in payload.petitioners],
            is_anonymous=payload.is_anonymous,
            anonymous_treatment=payload.anonymous_treatment,
            anonymous_reason=payload.anonymous_reason,
            is_collective=payload.is_collective,
            head_count=payload.head_count,
            collective_origin=payload.collective_origin,
            source=payload.source,
            source_department=_one(
                Department, payload.source_department_id, "source_department_id"
            ),
            source_reference=payload.source_reference,
            respondents=[_respondent(r, i) for i, r in enumerate(payload.respondents)],
            interview=None
            if payload.interview is None
            else _interview(payload.interview, "interview"),
            repeat_of=_visible_case(user, payload.repeat_of_case_id, "repeat_of_case_id"),
            concerned_cadre=_concerned(payload.concerned_cadre),
        )
        result = s.RegistrationOut(
            petition_id=reg.petition.pk,
            case=_case_out(reg.case),
            is_first=reg.is_first,
            is_repeat=reg.is_repeat,
            earlier_petitions=reg.earlier_petitions,
            notes=[on_screen(n) for n in reg.notes],
        )
        return 201, result.model_dump(mode="json")

    return run_once(request, user, write)


# --- Case actions -----------------------------------------------------------------------


class Empty(Schema):
    pass


class InstructIn(Schema):
    text: str
    due_on: dt.date | None = None
    report_required: bool = False


class TextIn(Schema):
    text: str


class InstructionReportIn(Schema):
    instruction_id: int
    text: str


class ReasonIn(Schema):
    reason: str


class HandleHereIn(Schema):
    handler_id: int = Field(description="承办人（本部门承办人的 id）")
    routing_note: str = Field("", description="未按分办建议处理时的理由")
    key_case: bool | None = None


class NameHandlerIn(Schema):
    handler_id: int = Field(description="承办人（本部门承办人的 id）")
    reason: str = Field("", description="更换承办人的理由（已有承办人时必填）")


class SendDownIn(Schema):
    to_department_id: int
    note: str = ""
    routing_note: str = ""


class ReferIn(Schema):
    reason: str
    explanation: str
    explained_on: dt.date | None
    explained_how: str
    to_department_id: int | None = None
    to_department_name: str = ""
    routing_note: str = ""


class FileIn(Schema):
    reason: str
    routing_note: str = ""


class MergeIn(Schema):
    into_case_id: int
    reason: str


class UnlinkRepeatIn(Schema):
    petition_id: int = Field(..., description="本案中要撤销关联的重信重访件 id")
    reason: str


class ClosureIn(Schema):
    facts: str = ""
    decision: str = ""
    policy_basis: str = ""
    procedure: list[str] = []
    personal_outcome: str = ""
    petitioner_opinion: str = ""
    conclusion_shown_on: dt.date | None = None
    conclusion_shown_how: str = ""
    feedback_on: dt.date | None = None
    feedback_how: str = ""
    no_feedback_reason: str = ""


class ReasonsIn(Schema):
    reasons: str


class OpinionIn(Schema):
    review_opinion: str = ""


class ChildOpinionIn(Schema):
    child_case_id: int
    opinion: str = ""


class ChildReasonsIn(Schema):
    child_case_id: int
    reasons: str


class ObjectionIn(Schema):
    reasons: str
    suggested_department_id: int | None = None


class ObjectionDecisionIn(Schema):
    objection_id: int
    opinion: str = ""


class OverdueIn(Schema):
    reason: str
    new_expected_on: dt.date | None


class ExtensionIn(Schema):
    days: int
    reason: str
    legal_basis: str
    petitioner_told_on: dt.date | None
    petitioner_told_how: str


class PauseIn(Schema):
    reason: str
    legal_basis: str
    start_on: dt.date | None = None


class ResumeIn(Schema):
    end_on: dt.date | None = None


class ReviewApplyIn(Schema):
    applied_on: dt.date | None
    request: str


class ReviewDecideIn(Schema):
    outcome: str = Field(..., description="upheld（维持）、changed（变更）或 redo（责令重新办理）")
    opinion: str


class InterviewAddIn(InterviewIn):
    petition_id: int


Run = Callable[[User, Case, Any], Any]


@dataclass(frozen=True)
class ActionSpec:
    code: str  # the path segment and the machine name (lifecycle's action codes)
    body: type[Schema]
    run: Run  # calls the action; returns what it created or changed


def _assignment_in(case: Case) -> Assignment:
    found = Assignment.objects.filter(child=case).first()
    if found is None:
        raise RuleViolation("本案不是上级交办或转办来的案件。")
    return found


def _objection(case: Case, pk: int) -> Objection:
    found = Objection.objects.filter(pk=pk, assignment__case=case).first()
    if found is None:
        raise field_error("objection_id", "本案没有这项异议。")
    return found


def _child(user: User, case: Case, pk: int) -> Case:
    child = _case_field(user, pk, "child_case_id")
    if child.parent_id != case.pk:
        raise field_error("child_case_id", "该案件不是本案交办的下级案件。")
    return child


def _instruction_report(u: User, c: Case, b: InstructionReportIn) -> Any:
    found = c.instructions.filter(pk=b.instruction_id).first()
    if found is None:
        raise field_error("instruction_id", "本案没有这条批示。")
    return actions.instruction_report(actor=u, instruction=found, text=b.text)


def _add_interview(u: User, c: Case, b: InterviewAddIn) -> Any:
    petition = petitions_of_case(c).filter(pk=b.petition_id).first()
    if petition is None:
        raise field_error("petition_id", "本案没有这件来信来访。")
    return actions.interview_record(actor=u, petition=petition, interview=_interview(b, ""))


def _unlink_repeat(u: User, c: Case, b: UnlinkRepeatIn) -> Any:
    # The page's check first (cases/available.py: may_act), then the petition.
    require_open(u, c, "unlink_repeat")
    petition = unlinkable_petitions(c).filter(pk=b.petition_id).first()
    if petition is None:
        raise field_error("petition_id", "本案没有这件重信重访件。")
    return out.Opened(actions.repeat_unlink(actor=u, petition=petition, reason=b.reason))


def _unmerge(u: User, c: Case, b: ReasonIn) -> Any:
    require_open(u, c, "unmerge")
    return actions.case_unmerge(actor=u, case=c, reason=b.reason)


def _dept(pk: int | None, field: str) -> Department | None:
    found: Department | None = _one(Department, pk, field)
    return found


# In the order of the six steps; every action of `xinfang.cases.actions` a person starts
# (attachments need a file upload: their multipart endpoint is below; `withdraw` and
# `reroute` happen only inside `accept_objection`).
ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec(
        "add_interview",
        InterviewAddIn,
        _add_interview,
    ),
    ActionSpec(
        "read",
        InstructIn,
        lambda u, c, b: actions.case_read(
            actor=u, case=c, text=b.text, due_on=b.due_on, report_required=b.report_required
        ),
    ),
    ActionSpec(
        "instruct",
        InstructIn,
        lambda u, c, b: actions.case_instruct(
            actor=u, case=c, text=b.text, due_on=b.due_on, report_required=b.report_required
        ),
    ),
    ActionSpec("report_instruction", InstructionReportIn, _instruction_report),
    ActionSpec(
        "report_upward",
        ReasonIn,
        lambda u, c, b: actions.case_flag_report_upward(actor=u, case=c, reason=b.reason),
    ),
    ActionSpec(
        "handle_here",
        HandleHereIn,
        lambda u, c, b: actions.case_handle_here(
            actor=u,
            case=c,
            handler=_one(User, b.handler_id, "handler_id"),
            routing_note=b.routing_note,
            key_case=b.key_case,
        ),
    ),
    ActionSpec(
        "name_handler",
        NameHandlerIn,
        lambda u, c, b: actions.case_name_handler(
            actor=u, case=c, handler=_one(User, b.handler_id, "handler_id"), reason=b.reason
        ),
    ),
    ActionSpec(
        "transfer_down",
        SendDownIn,
        lambda u, c, b: actions.case_transfer_down(
            actor=u,
            case=c,
            to_department=_one(Department, b.to_department_id, "to_department_id"),
            note=b.note,
            routing_note=b.routing_note,
        ),
    ),
    ActionSpec(
        "assign_down",
        SendDownIn,
        lambda u, c, b: actions.case_assign_down(
            actor=u,
            case=c,
            to_department=_one(Department, b.to_department_id, "to_department_id"),
            note=b.note,
            routing_note=b.routing_note,
        ),
    ),
    ActionSpec(
        "receive_assignment",
        Empty,
        lambda u, c, b: actions.assignment_receive(actor=u, assignment=_assignment_in(c)),
    ),
    ActionSpec(
        "raise_objection",
        ObjectionIn,
        lambda u, c, b: actions.objection_raise(
            actor=u,
            assignment=_assignment_in(c),
            reasons=b.reasons,
            suggested_department=_dept(b.suggested_department_id, "suggested_department_id"),
        ),
    ),
    ActionSpec(
        "accept_objection",
        ObjectionDecisionIn,
        lambda u, c, b: actions.objection_accept(
            actor=u, objection=_objection(c, b.objection_id), opinion=b.opinion
        ),
    ),
    ActionSpec(
        "reject_objection",
        ObjectionDecisionIn,
        lambda u, c, b: actions.objection_reject(
            actor=u, objection=_objection(c, b.objection_id), opinion=b.opinion
        ),
    ),
    ActionSpec(
        "refer",
        ReferIn,
        lambda u, c, b: actions.case_refer(
            actor=u,
            case=c,
            reason=b.reason,
            explanation=b.explanation,
            explained_on=b.explained_on,
            explained_how=b.explained_how,
            to_department=_dept(b.to_department_id, "to_department_id"),
            to_department_name=b.to_department_name,
            routing_note=b.routing_note,
        ),
    ),
    ActionSpec(
        "file",
        FileIn,
        lambda u, c, b: actions.case_file(
            actor=u, case=c, reason=b.reason, routing_note=b.routing_note
        ),
    ),
    ActionSpec(
        "merge",
        MergeIn,
        lambda u, c, b: actions.case_merge(
            actor=u, case=c, into=_case_field(u, b.into_case_id, "into_case_id"), reason=b.reason
        ),
    ),
    ActionSpec("unmerge", ReasonIn, _unmerge),
    ActionSpec("unlink_repeat", UnlinkRepeatIn, _unlink_repeat),
    ActionSpec(
        "report_progress",
        TextIn,
        lambda u, c, b: actions.progress_report(actor=u, case=c, text=b.text),
    ),
    ActionSpec(
        "explain_overdue",
        OverdueIn,
        lambda u, c, b: actions.overdue_explain(
            actor=u, case=c, reason=b.reason, new_expected_on=b.new_expected_on
        ),
    ),
    ActionSpec(
        "extend_deadline",
        ExtensionIn,
        lambda u, c, b: actions.extension_grant(actor=u, case=c, **b.model_dump()),
    ),
    ActionSpec(
        "pause_clock",
        PauseIn,
        lambda u, c, b: actions.pause_start(actor=u, case=c, **b.model_dump()),
    ),
    ActionSpec(
        "resume_clock",
        ResumeIn,
        lambda u, c, b: actions.pause_end(actor=u, case=c, end_on=b.end_on),
    ),
    ActionSpec(
        "submit_closure",
        ClosureIn,
        lambda u, c, b: actions.closure_submit(actor=u, case=c, **b.model_dump()),
    ),
    ActionSpec(
        "return_closure",
        ReasonsIn,
        lambda u, c, b: actions.closure_return(actor=u, case=c, reasons=b.reasons),
    ),
    ActionSpec(
        "approve_closure",
        OpinionIn,
        lambda u, c, b: actions.closure_approve(actor=u, case=c, review_opinion=b.review_opinion),
    ),
    ActionSpec(
        "accept_report",
        ChildOpinionIn,
        lambda u, c, b: actions.report_accept(
            actor=u, case=c, child=_child(u, c, b.child_case_id), opinion=b.opinion
        ),
    ),
    ActionSpec(
        "return_report",
        ChildReasonsIn,
        lambda u, c, b: actions.report_return(
            actor=u, case=c, child=_child(u, c, b.child_case_id), reasons=b.reasons
        ),
    ),
    ActionSpec(
        "review_apply",
        ReviewApplyIn,
        lambda u, c, b: actions.review_apply(
            actor=u, case=c, applied_on=b.applied_on, request=b.request
        ),
    ),
    ActionSpec(
        "review_decide",
        ReviewDecideIn,
        lambda u, c, b: actions.review_decide(
            actor=u, case=c, outcome=b.outcome, opinion=b.opinion
        ),
    ),
    ActionSpec(
        "rereview_apply",
        ReviewApplyIn,
        lambda u, c, b: actions.rereview_apply(
            actor=u, case=c, applied_on=b.applied_on, request=b.request
        ),
    ),
    ActionSpec(
        "rereview_decide",
        ReviewDecideIn,
        lambda u, c, b: actions.rereview_decide(
            actor=u, case=c, outcome=b.outcome, opinion=b.opinion
        ),
    ),
    ActionSpec("archive", Empty, lambda u, c, b: actions.case_archive(actor=u, case=c)),
)

# Labels of the two actions whose names differ from the lifecycle's (decide_objection).
EXTRA_LABELS = {"accept_objection": "采纳异议", "reject_objection": "不采纳异议"}


def action_label(code: str) -> str:
    return EXTRA_LABELS.get(code) or str(ACTION_LABELS[code])


def _endpoint(spec: ActionSpec) -> None:
    body_schema = spec.body

    def view(request: HttpRequest, case_id: int, payload: body_schema) -> HttpResponse:  # type: ignore[valid-type]
        user = api_user(request)
        case = get_case_for_user(user, case_id)

        def write() -> tuple[int, dict[str, Any]]:
            result = spec.run(user, case, payload)
            answer = s.ActionOut(
                action=spec.code,
                label=action_label(spec.code),
                case=_case_out(case),
                record=out.record(result),
            )
            return 200, answer.model_dump(mode="json")

        return run_once(request, user, write)

    view.__name__ = f"action_{spec.code}"
    router.post(
        f"/cases/{{case_id}}/actions/{spec.code}",
        response={200: s.ActionOut, **ERRORS},
        summary=action_label(spec.code),
        operation_id=f"action_{spec.code}",
    )(view)


for _spec in ACTIONS:
    _endpoint(_spec)


# --- Attachments (multipart) ---------------------------------------------------------------

ATTACHMENT_PATH = "/cases/{case_id}/attachments"
NO_FILE = "请选择要上传的文件。"


def _attachment_petition(case: Case, pk: int | None) -> Petition:
    """The petition of `case` the files go to, as the page's form offers them (the
    petitions registered on this case). Optional when the case has only one."""
    petitions = Petition.objects.filter(case=case).order_by("received_on", "pk")
    if pk is None:
        only = list(petitions[:2])
        if len(only) != 1:
            raise field_error("petition_id", "请选择附件所属的来信来访。")
        return only[0]
    found = petitions.filter(pk=pk).first()
    if found is None:
        raise field_error("petition_id", "本案没有这件来信来访。")
    return found


@router.post(
    ATTACHMENT_PATH,
    response={201: s.AttachmentsAddedOut, **ERRORS},
    summary="上传附件（multipart/form-data）",
    operation_id="attachments_add",
)
def attachments_add(
    request: HttpRequest,
    case_id: int,
    petition_id: Form[int | None] = None,
    files: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> HttpResponse:
    """One or more files (field `files`) attached to a petition of the case, all or none,
    through the same action as the case page's form (`actions.attachments_add`: the checks
    of petitions/attachments.py, R-INTAKE-1, and petitions/services.py:attachment_store)."""
    user = api_user(request)
    case = get_case_for_user(user, case_id)
    uploads = list(files or [])
    if not uploads:
        raise field_error("files", NO_FILE)

    def write() -> tuple[int, dict[str, Any]]:
        petition = _attachment_petition(case, petition_id)
        stored = actions.attachments_add(actor=user, petition=petition, uploads=uploads)
        # References only, as on the timeline: the names and contents are the petitioner's
        # and are read through the protection policy (GET …/petitions).
        answer = s.AttachmentsAddedOut(
            action="add_attachment",
            label=action_label("add_attachment"),
            case=_case_out(case),
            records=[out.record(a) for a in stored],
        )
        return 201, answer.model_dump(mode="json")

    return run_once(request, user, write)


# --- The actions open now, with their endpoints (GET /api/cases/{id}) ---------------------

# `cases/available.py` codes whose endpoint is not /actions/<code>: the page's one objection
# form is two endpoints here; an attachment is a multipart upload.
_ENDPOINTS_OF: dict[str, tuple[str, ...]] = {
    "decide_objection": ("accept_objection", "reject_objection"),
}


def open_action_endpoints(codes: list[str], case_id: int) -> list[s.OpenActionOut]:
    """The endpoints of the actions `actions_open_to` opened (in its order), each by its
    URL name, so a path is never written twice."""
    found: list[s.OpenActionOut] = []
    for code in codes:
        if code == "add_attachment":
            pairs = [(code, "api:attachments_add")]
        else:
            pairs = [(c, f"api:action_{c}") for c in _ENDPOINTS_OF.get(code, (code,))]
        for api_code, url_name in pairs:
            found.append(
                s.OpenActionOut(
                    action=api_code,
                    label=action_label(api_code),
                    method="POST",
                    path=reverse(url_name, kwargs={"case_id": case_id}),
                )
            )
    return found
