"""Registering petitions (R-INTAKE-1 to 6, R-REPEAT-4): the only code that opens a case
from a petition, adds a repeat to one, or records a further interview or attachment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xinfang.cases.actions.base import lock_case
from xinfang.cases.lifecycle import FINISHED_STATES, FROZEN_STATES, require_action_role
from xinfang.cases.matching import automatic_repeat_of, repeat_window_days
from xinfang.cases.models import Case, ReviewStage, State
from xinfang.cases.numbering import next_case_number
from xinfang.cases.routing import refuse_if_family_holders_may_not_hold
from xinfang.cases.search import Family, index_new_petitions
from xinfang.cases.timeline import append_event, append_record
from xinfang.core.bulk import Row, insert_rows
from xinfang.core.errors import RuleViolation
from xinfang.deadlines.selectors import active_rule_set
from xinfang.matching.index import petition_index_new
from xinfang.orgs.models import Department, User
from xinfang.petitions import protect
from xinfang.petitions.attachments import check_uploads
from xinfang.petitions.models import (
    Attachment,
    Interview,
    Petition,
    Respondent,
    Source,
)
from xinfang.petitions.respondents import RespondentInput, place_respondent
from xinfang.petitions.services import (
    ConcernedCadreInput,
    InterviewInput,
    PetitionerInput,
    PetitionPlace,
    RegistrationInput,
    attachment_store,
    earlier_petition_count,
    interview_create,
    petition_write,
    petitioner_find_or_create,
    validate_interview,
    validate_petitioners,
    validate_registration,
)


@dataclass
class Registration:
    """What registration tells the registrar (R-INTAKE-5): first petition or repeat."""

    petition: Petition
    case: Case
    is_first: bool
    is_repeat: bool
    earlier_petitions: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass
class CheckedRegistration:
    """A registration that passed the form's checks: the people with their normalised ID
    numbers, and the respondents placed in the org tree."""

    data: RegistrationInput
    people: list[tuple[PetitionerInput, str]]
    respondents: list[RespondentInput]


def registration_check(
    dept: Department, data: RegistrationInput, errors: list[str]
) -> CheckedRegistration:
    """Every check of the registration form (R-INTAKE-1 to 6, R-PROTECT-1), problems
    appended to `errors`; used by `petition_register` and by the batch import, so a rule
    has one copy."""
    validate_registration(
        dept=dept,
        channel=data.channel,
        received_on=data.received_on,
        summary=data.summary,
        content=data.content,
        category=data.category,
        nature=data.nature,
        petitioners=data.petitioners,
        is_anonymous=data.is_anonymous,
        anonymous_treatment=data.anonymous_treatment,
        anonymous_reason=data.anonymous_reason,
        is_collective=data.is_collective,
        head_count=data.head_count,
        source=data.source,
        source_department=data.source_department,
        source_reference=data.source_reference,
        respondents=data.respondents,
        interview=data.interview,
        concerned_cadre=data.concerned_cadre,
        errors=errors,
    )
    checked = validate_petitioners(data.petitioners, errors)
    # R-PROTECT-1: every respondent placed in the org tree before anything is written.
    placed = [place_respondent(r, i) for i, r in enumerate(data.respondents, start=1)]
    errors += [problem for _r, problem in placed if problem]
    return CheckedRegistration(data=data, people=checked, respondents=[r for r, _p in placed])


def new_case_values(
    *,
    dept: Department,
    number: str,
    previous: Case | None,
    summary: str,
    category: str,
    nature: str,
    is_collective: bool,
    now: dt.datetime,
) -> dict[str, Any]:
    """The columns of the case a new petition opens, by attribute name (registration and
    the batch import, which writes them as a plain row); the others take their defaults."""
    return {
        "number": number,
        "department_id": dept.pk,
        "previous_case_id": previous.pk if previous is not None else None,
        "title": summary.strip(),
        "category": category,
        "nature": nature,
        "is_collective": is_collective,
        "registered_at": now,
        "report_upward": False,
    }


def new_case_row(
    *,
    dept: Department,
    number: str,
    previous: Case | None,
    summary: str,
    category: str,
    nature: str,
    is_collective: bool,
    now: dt.datetime,
) -> Case:
    """The case a new petition opens, unsaved (registration), its department and previous
    case in hand."""
    case = Case(
        **new_case_values(
            dept=dept,
            number=number,
            previous=previous,
            summary=summary,
            category=category,
            nature=nature,
            is_collective=is_collective,
            now=now,
        )
    )
    case.department = dept
    if previous is not None:
        case.previous_case = previous
    return case


def case_number_year(now: dt.datetime) -> int:
    """Case numbers run per year of registration (not of receipt)."""
    return timezone.localdate(now).year


def register_payload(
    petition: Petition | Row, data: RegistrationInput, *, is_first: bool, is_repeat: bool
) -> dict[str, object]:
    """The registration event's payload: references and flags, no personal data (the
    petition as an instance, or the batch import's plain row)."""
    return {
        "petition": petition.pk,
        "channel": data.channel,
        "received_on": data.received_on,
        "is_first": is_first,
        "is_repeat": is_repeat,
        "is_collective": data.is_collective,
        "is_anonymous": data.is_anonymous,
        "source": data.source,
    }


def _require_role(actor: User, action: str) -> Department:
    dept = actor.department
    if dept is None:
        raise RuleViolation(gettext("您不属于任何部门，不能办理信访业务。"))
    require_action_role(actor, action)
    return dept


def petition_register(
    *,
    actor: User,
    channel: str,
    received_on: dt.date,
    summary: str,
    content: str,
    category: str,
    nature: str,
    petitioners: Sequence[PetitionerInput] = (),
    is_anonymous: bool = False,
    anonymous_treatment: str = "",
    anonymous_reason: str = "",
    is_collective: bool = False,
    head_count: int = 1,
    collective_origin: str = "",
    source: str = Source.DIRECT,
    source_department: Department | None = None,
    source_reference: str = "",
    respondents: Sequence[RespondentInput] = (),
    interview: InterviewInput | None = None,
    repeat_of: Case | None = None,
    concerned_cadre: ConcernedCadreInput | None = None,
) -> Registration:
    """Register one petition (R-INTAKE-1): a new case, or a repeat linked to `repeat_of`
    (R-REPEAT-4). Every bad input is reported at once, in Chinese, and nothing is written.
    A personal request names the cadre it concerns (`concerned_cadre`, R-CAT-4), not as a
    respondent."""
    return petition_register_input(
        actor=actor,
        data=RegistrationInput(
            channel=channel,
            received_on=received_on,
            summary=summary,
            content=content,
            category=category,
            nature=nature,
            petitioners=petitioners,
            is_anonymous=is_anonymous,
            anonymous_treatment=anonymous_treatment,
            anonymous_reason=anonymous_reason,
            is_collective=is_collective,
            head_count=head_count,
            collective_origin=collective_origin,
            source=source,
            source_department=source_department,
            source_reference=source_reference,
            respondents=respondents,
            interview=interview,
            concerned_cadre=concerned_cadre,
        ),
        repeat_of=repeat_of,
    )


def petition_register_input(
    *, actor: User, data: RegistrationInput, repeat_of: Case | None = None
) -> Registration:
    """`petition_register` on a `RegistrationInput` (the batch import's rows)."""
    dept = _require_role(actor, "register")
    errors: list[str] = []
    verdict = registration_check(dept, data, errors)
    checked = verdict.people
    respondents = verdict.respondents
    if repeat_of is not None and repeat_of.department_id != dept.pk and errors == []:
        errors.append(gettext("只能关联本部门的案件；其他部门的案件请另行登记。"))
    if errors:
        raise RuleViolation(errors)

    now = timezone.now()
    # The data key checked against the database once for the registration's identifiers
    # (as the batch import does per batch), inside its transaction, not before each one.
    with transaction.atomic(), protect.key_checked_once():
        people = [(petitioner_find_or_create(p, idn), p) for p, idn in checked]
        earlier = earlier_petition_count([person for (person, _seen), _p in people])
        # Issue 11: the same text from the same person within the window is a repeat,
        # linked without asking; the event says so and `repeat_unlink` undoes it.
        automatic = (
            automatic_repeat_of(
                dept=dept,
                people=[person for (person, _seen), _p in people],
                content=data.content,
                received_on=data.received_on,
            )
            if repeat_of is None and not data.is_anonymous
            else None
        )
        if automatic is not None:
            repeat_of = automatic.case
        is_repeat = repeat_of is not None
        # R-INTAKE-5: first letter / first visit unless the person or the matter is known.
        is_first = not is_repeat and earlier == 0
        notes: list[str] = []
        case = _case_for_petition(
            actor=actor,
            dept=dept,
            repeat_of=repeat_of,
            summary=data.summary,
            category=data.category,
            nature=data.nature,
            is_collective=data.is_collective,
            now=now,
            notes=notes,
        )
        # 2022 rules: after 复核 the same matter on the same facts is not accepted again; the
        # petition is still registered (R-INTAKE-1) and says so. Judged on the locked case
        # the repeat went to (merges followed), or the sealed one a new case points back to.
        matter = case.previous_case if case.previous_case_id else case
        not_accepted = (
            _not_accepted_reason(case=case, matter=matter, joined=case.event_count > 0)
            if is_repeat and matter is not None
            else ""
        )
        petition, covered = petition_write(
            data,
            PetitionPlace(
                case_id=case.pk,
                registrar=actor,
                department=dept,
                now=now,
                is_repeat=is_repeat,
                is_first=is_first,
                not_accepted_reason=not_accepted,
            ),
            people=[(person, p.is_representative) for (person, _seen), p in people],
            respondents=respondents,
        )
        # Issue 11: the matching index is written with the petition, in its transaction
        # (people seen before may have an index row to replace; new people have none).
        petition_index_new(petition, [(person, seen) for (person, seen), _p in people])
        # The search index is written with the petition, in the same transaction (issue 10),
        # from the rows in hand: the respondents as written, the people in link order. A
        # case opened just now (no event yet) is its family alone, in this department: not
        # read back (three statements); a repeat's family is read.
        index_new_petitions(
            [
                (
                    petition,
                    [r for r in covered if isinstance(r, Respondent)],
                    [person.name for (person, _seen), _p in people],
                )
            ],
            {petition.pk: Family.new_case(case.pk, dept.pk, case.registered_at)}
            if case.event_count == 0
            else None,
        )
        if is_repeat and respondents:
            # R-ROUTE-3: a repeat naming a department's own main leader may not join a case
            # that department holds (here, or a case sent down from it); refused before
            # anything is kept (one transaction).
            refuse_if_family_holders_may_not_hold(
                case, doing=gettext("接收反映其问题的重信重访并入其办理的案件")
            )
        append_event(
            case,
            kind="register" if not is_repeat or case.event_count == 0 else "add_petition",
            actor=actor,
            from_state="" if case.event_count == 0 else case.state,
            to_state=case.state,
            payload={
                **register_payload(petition, data, is_first=is_first, is_repeat=is_repeat),
                **(
                    {"automatic_repeat_of": automatic.pk, "window_days": repeat_window_days()}
                    if automatic is not None
                    else {}
                ),
            },
            records=covered,  # R-PROTECT-2: what the case rests on, digested in the chain
        )
    if automatic is not None:
        notes.append(
            gettext(
                "同一信访人在%(repeat_window_days)s日内反映了相同内容，系统"
                "已自动作为重信重访关联到案件%(number)s；如关联有误，可撤销关联。"
            )
            % {"repeat_window_days": repeat_window_days(), "number": case.number}
        )
    if not_accepted:
        notes.append(not_accepted)
    if earlier:
        notes.append(
            gettext("该信访人此前已有%(earlier)s件信访记录，属重复信访人。") % {"earlier": earlier}
        )
    elif is_first:
        notes.append(gettext("初信初访：请认真办理，避免形成重信重访（R-INTAKE-5）。"))
    return Registration(
        petition=petition,
        case=case,
        is_first=is_first,
        is_repeat=is_repeat,
        earlier_petitions=earlier,
        notes=notes,
    )


RULE_SET_2022 = "2022"
ART_19 = _(
    "该信访事项已经受理，正在办理中；依据《信访工作条例》第十九条，对同一信访事项不再重复受理，"
    "本次信访已登记并随原事项一并办理。"
)
ART_36 = _(
    "该信访事项已经复核终结；依据《信访工作条例》第三十六条，"
    "对同一事实和理由提出的信访请求不再受理。"
)


def _not_accepted_reason(*, case: Case, matter: Case, joined: bool) -> str:
    """A repeat of a matter finally reviewed (复核, 2022 条例 Art. 36) is registered but not
    accepted, under any rule set (only the 2022 rules have a 复核); under the 2022 rule set
    so is a repeat joining a matter still being handled (Art. 19). `joined`: the petition
    joined `case` (False when it opened a new case pointing back to a sealed one)."""
    if matter.review_stage == ReviewStage.FINAL:
        return str(ART_36)
    if joined and case.state not in FINISHED_STATES:
        rule_set = active_rule_set()
        if rule_set is not None and rule_set.code == RULE_SET_2022:
            return str(ART_19)
    return ""


def _case_for_petition(
    *,
    actor: User,
    dept: Department,
    repeat_of: Case | None,
    summary: str,
    category: str,
    nature: str,
    is_collective: bool,
    now: dt.datetime,
    notes: list[str],
) -> Case:
    if repeat_of is not None:
        case = Case.objects.select_for_update().get(pk=repeat_of.pk)
        # A case merged into another lives on there (R-REPEAT-4): follow it, on locked rows.
        while case.state == State.MERGED and case.merged_into_id is not None:
            case = Case.objects.select_for_update().get(pk=case.merged_into_id)
        if case.state not in FROZEN_STATES:
            if is_collective and not case.is_collective:
                case.is_collective = True
                case.save(update_fields=["is_collective"])
            notes.append(
                gettext("已作为重信重访关联到案件%(number)s（R-REPEAT-4）。")
                % {"number": case.number}
            )
            return case
        # An archived file is sealed (R-CLOSE-7): the repeat opens a new case that points back.
        notes.append(
            gettext("原案件%(number)s%(label)s，重复信访另立新案并注明原案件。")
            % {"number": case.number, "label": State(case.state).label}
        )
        previous: Case | None = case
    else:
        previous = None
    case = new_case_row(
        dept=dept,
        number=next_case_number(dept, case_number_year(now)),
        previous=previous,
        summary=summary,
        category=category,
        nature=nature,
        is_collective=is_collective,
        now=now,
    )
    insert_rows([case])  # the ORM's save, without its per-query overhead (same values)
    return case


def interview_record(*, actor: User, petition: Petition, interview: InterviewInput) -> Interview:
    """R-INTAKE-2: a further interview with a visitor already registered."""
    errors: list[str] = []
    validate_interview(interview, errors)
    if errors:
        raise RuleViolation(errors)
    with transaction.atomic():
        case = lock_case(petition.case, actor=actor, action="add_interview")
        record = interview_create(petition, interview)
        append_record(
            case,
            kind="interview",
            actor=actor,
            payload={"petition": petition.pk, "interview": record.pk},
            records=[record],
        )
    return record


def attachment_add(*, actor: User, petition: Petition, upload: UploadedFile) -> Attachment:
    """Attach one file within the size and type limits (R-INTAKE-1)."""
    return attachments_add(actor=actor, petition=petition, uploads=[upload])[0]


def attachments_add(
    *, actor: User, petition: Petition, uploads: Sequence[UploadedFile]
) -> list[Attachment]:
    """Attach several files, all or none (R-INTAKE-1): every file is checked before anything
    is written (petitions/attachments.py), and a failure while writing removes the files
    already stored, so no row and no file outlives a refusal."""
    checked = check_uploads(uploads)
    stored: list[Attachment] = []
    try:
        with transaction.atomic():
            case = lock_case(petition.case, actor=actor, action="add_attachment")
            for item in checked:
                att = attachment_store(petition=petition, item=item, actor=actor)
                stored.append(att)
                append_record(
                    case,
                    kind="attachment",
                    actor=actor,
                    # References only: the file's name and digest are the petitioner's
                    # (R-PROTECT-1).
                    payload={"petition": petition.pk, "attachment": att.pk},
                )
    except BaseException:
        for att in stored:
            att.file.storage.delete(att.file.name)
        raise
    return stored
