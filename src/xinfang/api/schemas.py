"""What the API answers: plain schemas filled by `out.py` from the domain's objects."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema


class Ref(Schema):
    id: int
    name: str


class Page(Schema):
    """Every list: `count` rows in all, this page's `items` from `offset`, at most `limit`."""

    count: int
    limit: int
    offset: int
    items: list[Any]


class CaseOut(Schema):
    id: int
    number: str
    title: str
    state: str
    state_label: str
    category: str
    category_label: str
    nature: str
    nature_label: str
    handling_mode: str
    handling_mode_label: str
    department: Ref
    handler: Ref | None
    parent_id: int | None
    root_id: int | None
    is_key_case: bool
    is_collective: bool
    result_required: bool
    registered_at: dt.datetime
    due_on: dt.date | None
    closed_at: dt.datetime | None
    archived_at: dt.datetime | None
    archive_number: str | None


class ClockOut(Schema):
    code: str
    name: str
    start: dt.date | None
    due_on: dt.date | None
    level: str
    label: str
    provisional: bool
    provisional_note: str


class OpenActionOut(Schema):
    action: str = Field(..., description="动作代码（对应写入接口）")
    label: str = Field(..., description="动作名称")
    method: str
    path: str = Field(..., description="办理此动作的接口地址")


class CaseDetailOut(CaseOut):
    step: int
    step_label: str
    identity_shown: bool
    hidden_note: str | None
    clocks: list[ClockOut]
    actions: list[OpenActionOut] = Field(
        ..., description="当前用户此刻可对本案办理的动作（与案件页面的按钮相同）"
    )


class CasePage(Page):
    items: list[CaseOut]


class PetitionerOut(Schema):
    petition_id: int
    name: str
    id_number: str
    phone: str
    address: str
    is_representative: bool
    shown: bool


class RespondentOut(Schema):
    id: int
    name: str
    unit: str
    post_title: str
    rank: str
    is_main_leader: bool


class ConcernedCadreOut(Schema):
    name: str
    unit: str
    post_title: str
    rank: str


class InterviewOut(Schema):
    id: int
    interviewed_at: dt.datetime
    place: str
    statement: str
    requests: str
    answer: str
    receivers: list[Ref]


class AttachmentOut(Schema):
    id: int
    original_name: str
    size: int
    uploaded_at: dt.datetime | None


class PetitionOut(Schema):
    id: int
    case_id: int
    channel: str
    channel_label: str
    received_on: dt.date
    receiving_department: Ref
    summary: str
    content: str
    is_anonymous: bool
    is_collective: bool
    head_count: int
    is_repeat: bool
    identity_shown: bool
    hidden_note: str | None
    petitioners: list[PetitionerOut]
    respondents: list[RespondentOut]
    concerned_cadre: ConcernedCadreOut | None
    interviews: list[InterviewOut]
    attachments: list[AttachmentOut]


class PetitionPage(Page):
    items: list[PetitionOut]


class PetitionerPage(Page):
    items: list[PetitionerOut]


class EventOut(Schema):
    seq: int
    kind: str
    label: str
    actor: Ref | None
    from_state: str
    to_state: str
    from_state_label: str
    to_state_label: str
    created_at: dt.datetime
    payload: Any


class EventPage(Page):
    items: list[EventOut]


class AssignmentOut(Schema):
    id: int
    direction: str  # "sent" (this case sent it down) or "received" (this case is its child)
    mode: str
    mode_label: str
    case_id: int
    child_id: int
    from_department: Ref
    to_department: Ref
    note: str
    sent_at: dt.datetime
    received_at: dt.datetime | None
    due_on: dt.date | None
    reported_at: dt.datetime | None
    accepted_at: dt.datetime | None
    returned_at: dt.datetime | None
    return_reasons: str


class AssignmentPage(Page):
    items: list[AssignmentOut]


class InstructionOut(Schema):
    id: int
    leader: Ref
    text: str
    due_on: dt.date | None
    report_required: bool
    created_at: dt.datetime
    reported_at: dt.datetime | None
    report_text: str


class InstructionPage(Page):
    items: list[InstructionOut]


class ClosureOut(Schema):
    id: int
    status: str
    status_label: str
    facts: str
    decision: str
    policy_basis: str
    procedure: list[str]
    personal_outcome: str
    petitioner_opinion: str
    conclusion_shown_on: dt.date | None
    conclusion_shown_how: str
    feedback_on: dt.date | None
    feedback_how: str
    no_feedback_reason: str
    review_opinion: str
    submitted_by: Ref
    submitted_at: dt.datetime
    decided_by: Ref | None
    decided_at: dt.datetime | None
    return_reasons: str


class ClosurePage(Page):
    items: list[ClosureOut]


class QueueOut(Schema):
    key: str
    title: str
    count: int


class FigureOut(Schema):
    code: str
    label: str
    numerator: int
    denominator: int
    percent: str | None
    target: str | None
    met: bool | None
    higher_is_better: bool


class MeOut(Schema):
    id: int
    username: str
    name: str
    department: Ref
    roles: list[str]


class ErrorOut(Schema):
    code: str
    rules: list[str]
    message: str
    fields: dict[str, list[str]]


class ActionOut(Schema):
    action: str
    label: str
    case: CaseOut
    record: dict[str, Any]


class AttachmentsAddedOut(Schema):
    action: str
    label: str
    case: CaseOut
    records: list[dict[str, Any]]


class RegistrationOut(Schema):
    petition_id: int
    case: CaseOut
    is_first: bool
    is_repeat: bool
    earlier_petitions: int
    notes: list[str]
