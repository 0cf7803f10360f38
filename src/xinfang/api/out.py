"""Domain objects into the API's schemas. Protected material (identity, letter text,
interviews, attachments, the cadre concerned, timeline payloads) is read here only through
the `CaseProtection` of `cases.protection.protection_for`, exactly as the pages read it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from xinfang.api import schemas as s
from xinfang.cases.lifecycle import EVENT_LABELS
from xinfang.cases.models import (
    Assignment,
    Case,
    CaseEvent,
    Closure,
    ClosureStatus,
    Instruction,
    State,
)
from xinfang.cases.protection import HIDDEN_MATERIAL_NOTE, CaseProtection
from xinfang.cases.selectors import Figure
from xinfang.deadlines.clocks import ClockState
from xinfang.orgs.models import Department, User
from xinfang.petitions.models import Petition
from xinfang.routing.terms import HandlingMode


def ref(obj: User | Department | None) -> s.Ref | None:
    if obj is None:
        return None
    return s.Ref(id=obj.pk, name=str(obj))


def _ref(obj: User | Department) -> s.Ref:
    return s.Ref(id=obj.pk, name=str(obj))


def _state_label(value: str) -> str:
    return str(State(value).label) if value in State.values else ""


def case(c: Case) -> s.CaseOut:
    """A case's own columns; `c` comes from cases.access with department and handler joined."""
    return s.CaseOut(
        id=c.pk,
        number=c.number,
        title=c.title,
        state=c.state,
        state_label=_state_label(c.state),
        category=c.category,
        category_label=c.get_category_display(),
        nature=c.nature,
        nature_label=c.get_nature_display(),
        handling_mode=c.handling_mode,
        handling_mode_label=(
            str(HandlingMode(c.handling_mode).label)
            if c.handling_mode in HandlingMode.values
            else ""
        ),
        department=_ref(c.department),
        handler=ref(c.handler),
        parent_id=c.parent_id,
        root_id=c.root_id,
        is_key_case=c.is_key_case,
        is_collective=c.is_collective,
        result_required=c.result_required,
        registered_at=c.registered_at,
        due_on=c.due_on,
        closed_at=c.closed_at,
        archived_at=c.archived_at,
        archive_number=c.archive_number,
    )


def clock(c: ClockState) -> s.ClockOut:
    return s.ClockOut(
        code=c.code,
        name=c.name,
        start=c.start,
        due_on=c.due_on,
        level=str(c.level),
        label=c.label,
        provisional=c.provisional,
        provisional_note=c.provisional_note,
    )


def case_detail(
    c: Case,
    protection: CaseProtection,
    step: int,
    step_label: str,
    clocks: list[ClockState],
    open_actions: list[s.OpenActionOut],
) -> s.CaseDetailOut:
    return s.CaseDetailOut(
        **case(c).model_dump(),
        step=step,
        step_label=step_label,
        identity_shown=protection.identity_shown,
        hidden_note=None if protection.identity_shown else str(HIDDEN_MATERIAL_NOTE),
        clocks=[clock(x) for x in clocks],
        actions=open_actions,
    )


def petitioners(p: Petition, protection: CaseProtection) -> list[s.PetitionerOut]:
    return [
        s.PetitionerOut(
            petition_id=p.pk,
            name=v.name,
            id_number=v.id_number,
            phone=v.phone,
            address=v.address,
            is_representative=v.is_representative,
            shown=v.shown,
        )
        for v in protection.petitioners(p)
    ]


def petition(p: Petition, protection: CaseProtection) -> s.PetitionOut:
    cadre = protection.concerned_cadre(p)
    return s.PetitionOut(
        id=p.pk,
        case_id=p.case_id,
        channel=p.channel,
        channel_label=p.get_channel_display(),
        received_on=p.received_on,
        receiving_department=_ref(p.receiving_department),
        summary=p.summary,
        content=protection.content(p),
        is_anonymous=p.is_anonymous,
        is_collective=p.is_collective,
        head_count=p.head_count,
        is_repeat=p.is_repeat,
        identity_shown=protection.identity_shown,
        hidden_note=None if protection.identity_shown else str(HIDDEN_MATERIAL_NOTE),
        petitioners=petitioners(p, protection),
        respondents=[
            s.RespondentOut(
                id=r.pk,
                name=r.name,
                unit=r.unit,
                post_title=r.post_title,
                rank=r.rank,
                is_main_leader=r.is_main_leader,
            )
            for r in p.respondents.all()
        ],
        concerned_cadre=(
            None
            if cadre is None
            else s.ConcernedCadreOut(
                name=cadre.name, unit=cadre.unit, post_title=cadre.post_title, rank=cadre.rank
            )
        ),
        interviews=[
            s.InterviewOut(
                id=i.pk,
                interviewed_at=i.interviewed_at,
                place=i.place,
                statement=i.statement,
                requests=i.requests,
                answer=i.answer,
                receivers=[_ref(u) for u in i.receivers.all()],
            )
            for i in protection.interviews(p)
        ],
        attachments=[
            s.AttachmentOut(
                id=a.pk, original_name=a.original_name, size=a.size, uploaded_at=a.uploaded_at
            )
            for a in protection.attachments(p)
        ],
    )


def event(e: CaseEvent, protection: CaseProtection) -> s.EventOut:
    return s.EventOut(
        seq=e.seq,
        kind=e.kind,
        label=str(EVENT_LABELS.get(e.kind, "")),
        actor=ref(e.actor),
        from_state=e.from_state,
        to_state=e.to_state,
        from_state_label=_state_label(e.from_state),
        to_state_label=_state_label(e.to_state),
        created_at=e.created_at,
        payload=protection.event_payload(e.payload),
    )


def assignment(a: Assignment, direction: str) -> s.AssignmentOut:
    return s.AssignmentOut(
        id=a.pk,
        direction=direction,
        mode=a.mode,
        mode_label=a.get_mode_display(),
        case_id=a.case_id,
        child_id=a.child_id,
        from_department=_ref(a.from_department),
        to_department=_ref(a.to_department),
        note=a.note,
        sent_at=a.sent_at,
        received_at=a.received_at,
        due_on=a.due_on,
        reported_at=a.reported_at,
        accepted_at=a.accepted_at,
        returned_at=a.returned_at,
        return_reasons=a.return_reasons,
    )


def instruction(i: Instruction) -> s.InstructionOut:
    return s.InstructionOut(
        id=i.pk,
        leader=_ref(i.leader),
        text=i.text,
        due_on=i.due_on,
        report_required=i.report_required,
        created_at=i.created_at,
        reported_at=i.reported_at,
        report_text=i.report_text,
    )


def closure(c: Closure) -> s.ClosureOut:
    return s.ClosureOut(
        id=c.pk,
        status=c.status,
        status_label=str(ClosureStatus(c.status).label),
        facts=c.facts,
        decision=c.decision,
        policy_basis=c.policy_basis,
        procedure=list(c.procedure or []),
        personal_outcome=c.personal_outcome,
        petitioner_opinion=c.petitioner_opinion,
        conclusion_shown_on=c.conclusion_shown_on,
        conclusion_shown_how=c.conclusion_shown_how,
        feedback_on=c.feedback_on,
        feedback_how=c.feedback_how,
        no_feedback_reason=c.no_feedback_reason,
        review_opinion=c.review_opinion,
        submitted_by=_ref(c.submitted_by),
        submitted_at=c.submitted_at,
        decided_by=ref(c.decided_by),
        decided_at=c.decided_at,
        return_reasons=c.return_reasons,
    )


def figure(f: Figure) -> s.FigureOut:
    percent = f.rate.percent
    return s.FigureOut(
        code=f.code,
        label=f.label,
        numerator=f.rate.numerator,
        denominator=f.rate.denominator,
        percent=None if percent is None else str(percent),
        target=None if f.target is None else str(f.target),
        met=f.met,
        higher_is_better=f.higher_is_better,
    )


@dataclass(frozen=True)
class Opened:
    """A case an action opened besides the one it acted on (repeat_unlink's new case)."""

    case: Case


def record(obj: Any) -> dict[str, Any]:
    """What an action created or changed, as a reference: its kind and id."""
    if isinstance(obj, Opened):
        return {"kind": "case", "id": obj.case.pk}
    if obj is None or isinstance(obj, Case):
        return {}
    return {"kind": type(obj).__name__.lower(), "id": obj.pk}
