"""Intake services (R-INTAKE-1 to 6, R-REPEAT-4): the only code that registers petitions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from xinfang.cases.lifecycle import FROZEN_STATES, require_action_role
from xinfang.cases.models import Case, Category, Nature, ReviewStage, State
from xinfang.cases.numbering import next_case_number
from xinfang.cases.timeline import append_event, append_record
from xinfang.core import protect
from xinfang.core.errors import RuleViolation
from xinfang.core.idnumber import normalize_id_number
from xinfang.orgs.models import Cadre, CadreRank, Department, Jurisdiction, Post, User
from xinfang.petitions.attachments import check_uploads
from xinfang.petitions.models import (
    AnonymousTreatment,
    Attachment,
    Channel,
    ConcernedCadre,
    Interview,
    Petition,
    Petitioner,
    PetitionPetitioner,
    Respondent,
    Source,
)
from xinfang.petitions.respondents import RespondentInput, place_respondent
from xinfang.routing.selectors import refuse_if_family_holders_may_not_hold

MAX_REPRESENTATIVES = 5


@dataclass
class PetitionerInput:
    name: str
    id_number: str = ""
    phone: str = ""
    address: str = ""
    work_unit: str = ""
    is_representative: bool = False


@dataclass
class ConcernedCadreInput:
    """当事干部 of a personal request (R-CAT-4): a cadre of the directory, or, when he is not
    in it, his name, post, rank and the jurisdiction that manages him (R-ROUTE-2)."""

    cadre: Cadre | None = None
    name: str = ""
    unit: str = ""
    post_title: str = ""
    rank: str = ""
    jurisdiction: Jurisdiction | None = None
    managing_jurisdiction: Jurisdiction | None = None


@dataclass
class InterviewInput:
    receivers: Sequence[User]
    interviewed_at: dt.datetime
    statement: str
    requests: str
    answer: str
    place: str = ""


@dataclass
class Registration:
    """What registration tells the registrar (R-INTAKE-5): first petition or repeat."""

    petition: Petition
    case: Case
    is_first: bool
    is_repeat: bool
    earlier_petitions: int = 0
    notes: list[str] = field(default_factory=list)


def _require_role(actor: User, action: str) -> Department:
    dept = actor.department
    if dept is None:
        raise RuleViolation("您不属于任何部门，不能办理信访业务。")
    require_action_role(actor, action)
    return dept


def _validate_petitioners(
    petitioners: Sequence[PetitionerInput], errors: list[str]
) -> list[tuple[PetitionerInput, str]]:
    checked = []
    for i, p in enumerate(petitioners, start=1):
        if not p.name.strip():
            errors.append(f"第{i}位信访人的姓名不能为空。")
        id_number = ""
        if p.id_number.strip():
            try:
                id_number = normalize_id_number(p.id_number)
            except RuleViolation as exc:
                errors.append(f"第{i}位信访人（{p.name}）：{exc}")
        checked.append((p, id_number))
    return checked


def _validate(
    *,
    dept: Department,
    channel: str,
    received_on: dt.date,
    summary: str,
    content: str,
    category: str,
    nature: str,
    petitioners: Sequence[PetitionerInput],
    is_anonymous: bool,
    anonymous_treatment: str,
    anonymous_reason: str,
    is_collective: bool,
    head_count: int,
    source: str,
    source_department: Department | None,
    source_reference: str,
    respondents: Sequence[RespondentInput],
    interview: InterviewInput | None,
    repeat_of: Case | None,
    concerned_cadre: ConcernedCadreInput | None,
    errors: list[str],
) -> None:
    if not dept.handles_petitions:
        errors.append(f"{dept.name}未启用信访办理，不能在此登记。")
    if channel not in Channel.values:
        errors.append("请选择信访形式（来信、来访、来电或网上信访）。")
    if received_on > timezone.localdate():
        errors.append("收到日期不能晚于今天。")
    if not summary.strip():
        errors.append("内容摘要不能为空。")
    if not content.strip():
        errors.append("信件全文或接谈内容不能为空。")
    if category not in Category.values:
        errors.append("请选择问题类别。")
    if nature not in Nature.values:
        errors.append("请选择信访性质。")
    if is_anonymous:
        if petitioners:
            errors.append("匿名信访不应填写信访人。")
        # R-INTAKE-4: 区别对待 — the treatment and its reason are required.
        if anonymous_treatment not in AnonymousTreatment.values:
            errors.append("匿名信访须选择处理方式：调查核实或存查备考（R-INTAKE-4）。")
        if not anonymous_reason.strip():
            errors.append("匿名信访须说明选择该处理方式的理由（R-INTAKE-4）。")
    elif not petitioners:
        errors.append("署名信访须至少填写一位信访人；无法确认身份的请登记为匿名。")
    if is_collective:
        # R-INTAKE-3: head count and representatives.
        if head_count < 2:
            errors.append("集体信访的人数应不少于2人（R-INTAKE-3）。")
        reps = sum(1 for p in petitioners if p.is_representative)
        if not is_anonymous and reps == 0:
            errors.append("集体信访须登记代表（R-INTAKE-3）。")
        if reps > MAX_REPRESENTATIVES:
            errors.append(f"集体信访推选的代表不超过{MAX_REPRESENTATIVES}人。")
    elif head_count != 1 and not is_anonymous and head_count < len(petitioners):
        errors.append("人数不能少于登记的信访人数。")
    if source not in Source.values:
        errors.append("请选择来源。")
    elif source != Source.DIRECT and source_department is None and not source_reference.strip():
        # R-INTAKE-6: the source must be traceable.
        errors.append("上级或其他部门转来的信访，须填写转来部门或来文编号（R-INTAKE-6）。")
    if concerned_cadre is not None:
        _validate_concerned_cadre(concerned_cadre, category, errors)
    if channel == Channel.VISIT and interview is None:
        errors.append("来访须同时填写接谈记录（R-INTAKE-2）。")
    if interview is not None:
        _validate_interview(interview, errors)


def _validate_concerned_cadre(c: ConcernedCadreInput, category: str, errors: list[str]) -> None:
    """R-CAT-4 / R-ROUTE-2: the cadre a personal request is about, complete enough to route."""
    if category != Category.PERSONAL_REQUEST:
        # A cadre complained about is a respondent (被反映人); mixing the two would skew
        # every accusation figure the other way.
        errors.append(
            "当事干部只用于入党和参加工作时间、离退休、职级待遇等个人问题（R-CAT-4）；"
            "反映干部问题的，请填写被反映人。"
        )
        return
    if c.cadre is not None and c.cadre.post is not None:
        return  # the directory knows his post and who manages him
    if c.cadre is None and not c.name.strip():
        errors.append("当事干部须从干部名录中选择，或填写姓名。")
    if not c.post_title.strip():
        errors.append("名录中没有当事干部的现任职务，请填写其职务。")
    if c.rank not in CadreRank.values:
        errors.append("请选择当事干部的职级。")
    if c.managing_jurisdiction is None:
        errors.append("请选择管理当事干部的党委（干部管理权限，R-ROUTE-2）。")


def _post_snapshot(cadre: Cadre, post: Post) -> dict[str, Any]:
    """A directory cadre's post as it stands at registration: who manages him (R-ROUTE-2)
    and whether he is a main leader (R-ROUTE-3), kept even if the post changes later."""
    return {
        "cadre": cadre,
        "name": cadre.name,
        "unit": post.unit_name or post.jurisdiction.name,
        "post_title": post.title,
        "rank": post.rank,
        "jurisdiction": post.jurisdiction,
        "managing_jurisdiction": post.managing_jurisdiction,
        "is_main_leader": post.is_main_leader,
    }


def _concerned_cadre_row(petition: Petition, c: ConcernedCadreInput) -> ConcernedCadre:
    if c.cadre is not None and c.cadre.post is not None:
        return ConcernedCadre(petition=petition, **_post_snapshot(c.cadre, c.cadre.post))
    assert c.managing_jurisdiction is not None  # validated
    return ConcernedCadre(
        petition=petition,
        cadre=c.cadre,
        name=c.name.strip() or (c.cadre.name if c.cadre else ""),
        unit=c.unit.strip(),
        post_title=c.post_title.strip(),
        rank=c.rank,
        jurisdiction=c.jurisdiction,
        managing_jurisdiction=c.managing_jurisdiction,
    )


def _validate_interview(interview: InterviewInput, errors: list[str]) -> None:
    if not interview.receivers:
        errors.append("接谈记录须填写接谈人（R-INTAKE-2）。")
    for label, value in (
        ("来访人反映的情况", interview.statement),
        ("来访人的要求", interview.requests),
        ("当场答复", interview.answer),
    ):
        if not value.strip():
            errors.append(f"接谈记录的“{label}”不能为空（R-INTAKE-2）。")


def _find_or_create_petitioner(p: PetitionerInput, id_number: str) -> tuple[Petitioner, bool]:
    """Same ID number (keyed hash) is the same person; returns (petitioner, seen before)."""
    if id_number:
        found = Petitioner.objects.filter(id_number_hash=protect.match_hash(id_number)).first()
        if found:
            return found, True
    person = Petitioner.objects.create(
        name=p.name.strip(),
        id_number_encrypted=protect.encrypt(id_number),
        id_number_hash=protect.match_hash(id_number),
        phone_encrypted=protect.encrypt(p.phone.strip()),
        phone_hash=protect.match_hash(p.phone.strip()),
        address=p.address.strip(),
        work_unit=p.work_unit.strip(),
    )
    return person, False


def _respondent_row(petition: Petition, r: RespondentInput) -> Respondent:
    if r.cadre is not None and r.cadre.post is not None:
        post = r.cadre.post
        return Respondent(
            petition=petition, department=post.department, **_post_snapshot(r.cadre, post)
        )
    return Respondent(
        petition=petition,
        cadre=r.cadre,
        name=r.name.strip() or (r.cadre.name if r.cadre else ""),
        unit=r.unit,
        post_title=r.post_title,
        rank=r.rank,
        jurisdiction=r.jurisdiction,
        department=r.department,
        managing_jurisdiction=r.managing_jurisdiction,
        is_main_leader=r.is_main_leader,
    )


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
    dept = _require_role(actor, "register")
    errors: list[str] = []
    _validate(
        dept=dept,
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
        source=source,
        source_department=source_department,
        source_reference=source_reference,
        respondents=respondents,
        interview=interview,
        repeat_of=repeat_of,
        concerned_cadre=concerned_cadre,
        errors=errors,
    )
    checked = _validate_petitioners(petitioners, errors)
    # R-PROTECT-1: every respondent placed in the org tree before anything is written.
    placed = [place_respondent(r, i) for i, r in enumerate(respondents, start=1)]
    errors += [problem for _r, problem in placed if problem]
    respondents = [r for r, _problem in placed]
    if repeat_of is not None and repeat_of.department_id != dept.pk and errors == []:
        errors.append("只能关联本部门的案件；其他部门的案件请另行登记。")
    if errors:
        raise RuleViolation(errors)

    now = timezone.now()
    with transaction.atomic():
        people = [(_find_or_create_petitioner(p, idn), p) for p, idn in checked]
        earlier = 0
        if people:
            # R-INTAKE-5: the same person is found by ID number (one Petitioner row) or, for
            # those registered without one, by the same phone number (keyed hash).
            # Ids first, each from an indexed column: an OR across the join scanned every link.
            ids = {person.pk for (person, _seen), _p in people}
            # Only people registered without an ID number are looked up by phone.
            phones = [
                person.phone_hash
                for (person, _s), _p in people
                if person.phone_hash and not person.id_number_hash
            ]
            if phones:
                ids |= set(
                    Petitioner.objects.filter(phone_hash__in=phones).values_list("pk", flat=True)
                )
            earlier = (
                PetitionPetitioner.objects.filter(petitioner_id__in=ids)
                .values("petition_id")
                .distinct()
                .count()
            )
        is_repeat = repeat_of is not None
        # R-INTAKE-5: first letter / first visit unless the person or the matter is known.
        is_first = not is_repeat and earlier == 0
        notes: list[str] = []
        case = _case_for_petition(
            actor=actor,
            dept=dept,
            repeat_of=repeat_of,
            summary=summary,
            category=category,
            nature=nature,
            is_collective=is_collective,
            now=now,
            notes=notes,
        )
        # 2022 rules: after 复核 the same matter on the same facts is not accepted again; the
        # petition is still registered (R-INTAKE-1) and says so. Judged on the locked case
        # the repeat went to (merges followed), or the sealed one a new case points back to.
        matter = case.previous_case if case.previous_case_id else case
        not_accepted = (
            "该信访事项已经复核终结，对同一事实和理由提出的信访请求不再受理。"
            if is_repeat and matter is not None and matter.review_stage == ReviewStage.FINAL
            else ""
        )
        petition = Petition.objects.create(
            case=case,
            channel=channel,
            received_on=received_on,
            registered_at=now,
            receiving_department=dept,
            registrar=actor,
            summary=summary.strip(),
            content=content.strip(),
            category=category,
            nature=nature,
            is_anonymous=is_anonymous,
            anonymous_treatment=anonymous_treatment if is_anonymous else "",
            anonymous_reason=anonymous_reason.strip() if is_anonymous else "",
            is_collective=is_collective,
            head_count=max(head_count, len(people), 1),
            collective_origin=collective_origin.strip(),
            source=source,
            source_department=source_department,
            source_reference=source_reference.strip(),
            is_repeat=is_repeat,
            is_first=is_first,
            not_accepted_reason=not_accepted,
        )
        PetitionPetitioner.objects.bulk_create(
            [
                PetitionPetitioner(
                    petition=petition, petitioner=person, is_representative=p.is_representative
                )
                for (person, _seen), p in people
            ]
        )
        rows = Respondent.objects.bulk_create([_respondent_row(petition, r) for r in respondents])
        covered: list[Petition | Respondent | Interview | ConcernedCadre] = [petition, *rows]
        if concerned_cadre is not None:
            cadre_row = _concerned_cadre_row(petition, concerned_cadre)
            cadre_row.save()
            covered.append(cadre_row)
        if is_repeat and respondents:
            # R-ROUTE-3: a repeat naming a department's own main leader may not join a case
            # that department holds (here, or a case sent down from it); refused before
            # anything is kept (one transaction).
            refuse_if_family_holders_may_not_hold(
                case, doing="接收反映其问题的重信重访并入其办理的案件"
            )
        if interview is not None:
            covered.append(_create_interview(petition, interview))
        append_event(
            case,
            kind="register" if not is_repeat or case.event_count == 0 else "add_petition",
            actor=actor,
            from_state="" if case.event_count == 0 else case.state,
            to_state=case.state,
            payload={
                "petition": petition.pk,
                "channel": channel,
                "received_on": received_on,
                "is_first": is_first,
                "is_repeat": is_repeat,
                "is_collective": is_collective,
                "is_anonymous": is_anonymous,
                "source": source,
            },
            records=covered,  # R-PROTECT-2: what the case rests on, digested in the chain
        )
    if not_accepted:
        notes.append(not_accepted)
    if earlier:
        notes.append(f"该信访人此前已有{earlier}件信访记录，属重复信访人。")
    elif is_first:
        notes.append("初信初访：请认真办理，避免形成重信重访（R-INTAKE-5）。")
    return Registration(
        petition=petition,
        case=case,
        is_first=is_first,
        is_repeat=is_repeat,
        earlier_petitions=earlier,
        notes=notes,
    )


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
            notes.append(f"已作为重信重访关联到案件{case.number}（R-REPEAT-4）。")
            return case
        # An archived file is sealed (R-CLOSE-7): the repeat opens a new case that points back.
        notes.append(
            f"原案件{case.number}{State(case.state).label}，重复信访另立新案并注明原案件。"
        )
        previous: Case | None = case
    else:
        previous = None
    return Case.objects.create(
        number=next_case_number(dept, timezone.localdate(now).year),
        department=dept,
        previous_case=previous,
        title=summary.strip(),
        category=category,
        nature=nature,
        is_collective=is_collective,
        registered_at=now,
        report_upward=False,
    )


def _create_interview(petition: Petition, data: InterviewInput) -> Interview:
    interview = Interview.objects.create(
        petition=petition,
        interviewed_at=data.interviewed_at,
        place=data.place.strip(),
        statement=data.statement.strip(),
        requests=data.requests.strip(),
        answer=data.answer.strip(),
    )
    interview.receivers.set(list(data.receivers))
    return interview


def interview_record(*, actor: User, petition: Petition, interview: InterviewInput) -> Interview:
    """R-INTAKE-2: a further interview with a visitor already registered."""
    errors: list[str] = []
    _validate_interview(interview, errors)
    if errors:
        raise RuleViolation(errors)
    with transaction.atomic():
        case = _lock_for(actor, petition.case, "add_interview")
        record = _create_interview(petition, interview)
        append_record(
            case,
            kind="interview",
            actor=actor,
            payload={"petition": petition.pk, "interview": record.pk},
            records=[record],
        )
    return record


def _lock_for(actor: User, case: Case, action: str) -> Case:
    from xinfang.cases.services import lock_case

    return lock_case(case, actor=actor, action=action)


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
            case = _lock_for(actor, petition.case, "add_attachment")
            for item in checked:
                att = Attachment.objects.create(
                    petition=petition,
                    file=item.upload,
                    original_name=item.name[:200],
                    content_type=item.content_type,
                    size=item.size,
                    sha256=item.sha256,
                    uploaded_by=actor,
                    uploaded_at=timezone.now(),
                )
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
