"""Intake building blocks (R-INTAKE-1 to 6): the registration form's checks, the same person
found by ID number, and the rows of a petition. The registration itself, which opens or joins
a case, is cases/actions/intake.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext

from xinfang.core.bulk import insert_rows, insert_values
from xinfang.core.errors import RuleViolation
from xinfang.core.idnumber import normalize_id_number
from xinfang.orgs.models import Cadre, CadreRank, Department, Jurisdiction, Post, User
from xinfang.petitions import protect
from xinfang.petitions.attachments import Checked
from xinfang.petitions.models import (
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
from xinfang.petitions.respondents import RespondentInput
from xinfang.routing.terms import AnonymousTreatment, Category, Nature

MAX_REPRESENTATIVES = 5

# The form's choices, as sets: `Choices.values` builds its list on every call, and the batch
# import checks every row (docs/imports.md). The same values, so the same refusals.
_CHANNELS = frozenset(Channel.values)
_CATEGORIES = frozenset(Category.values)
_NATURES = frozenset(Nature.values)
_TREATMENTS = frozenset(AnonymousTreatment.values)
_SOURCES = frozenset(Source.values)


@dataclass
class PetitionerInput:
    name: str
    id_number: str = ""
    phone: str = ""
    address: str = ""
    work_unit: str = ""
    is_representative: bool = False
    # An online board's account, "board:account" (online_account): an identifier like the
    # phone, for people known to the board by their account only (docs/imports.md).
    account: str = ""

    def __post_init__(self) -> None:
        # One stored form whoever builds the input (the desk's form, the API, the import):
        # what was typed ("账号", "留言板：账号") becomes "留言板:账号" here, once.
        self.account = board_account(self.account)


# The board a message or an account belongs to unless named (the import's --board).
DEFAULT_BOARD = "网上留言板"


def online_account(board: str, account: str) -> str:
    """The stored form of a board account: accounts are unique on their board only, so the
    board's name is part of the identifier (and of its keyed hash)."""
    return f"{board.strip()}:{account.strip()}"


def board_account(typed: str) -> str:
    """A board account as a registrar types it at the desk or an API client sends it,
    "留言板名称:账号" (a full-width colon too) or the account alone (on DEFAULT_BOARD), in the
    stored form `online_account` gives the message import, so that both find one person;
    "" for nothing typed."""
    text = typed.strip().replace("：", ":")
    if not text:
        return ""
    board, colon, account = text.partition(":")
    if not colon:
        return online_account(DEFAULT_BOARD, text)
    return online_account(board or DEFAULT_BOARD, account) if account.strip() else ""


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


def validate_petitioners(
    petitioners: Sequence[PetitionerInput], errors: list[str]
) -> list[tuple[PetitionerInput, str]]:
    checked = []
    for i, p in enumerate(petitioners, start=1):
        if not p.name.strip():
            errors.append(gettext("第%(i)s位信访人的姓名不能为空。") % {"i": i})
        id_number = ""
        if p.id_number.strip():
            try:
                id_number = normalize_id_number(p.id_number)
            except RuleViolation as exc:
                errors.append(
                    gettext("第%(i)s位信访人（%(name)s）：%(exc)s")
                    % {"i": i, "name": p.name, "exc": exc}
                )
        checked.append((p, id_number))
    return checked


def validate_registration(
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
    concerned_cadre: ConcernedCadreInput | None,
    errors: list[str],
) -> None:
    if not dept.handles_petitions:
        errors.append(gettext("%(name)s未启用信访办理，不能在此登记。") % {"name": dept.name})
    if channel not in _CHANNELS:
        errors.append(gettext("请选择信访形式（来信、来访、来电或网上信访）。"))
    if received_on > timezone.localdate():
        errors.append(gettext("收到日期不能晚于今天。"))
    if not summary.strip():
        errors.append(gettext("内容摘要不能为空。"))
    if not content.strip():
        errors.append(gettext("信件全文或接谈内容不能为空。"))
    if category not in _CATEGORIES:
        errors.append(gettext("请选择问题类别。"))
    if nature not in _NATURES:
        errors.append(gettext("请选择信访性质。"))
    if is_anonymous:
        if petitioners:
            errors.append(gettext("匿名信访不应填写信访人。"))
        # R-INTAKE-4: 区别对待 — the treatment and its reason are required.
        if anonymous_treatment not in _TREATMENTS:
            errors.append(gettext("匿名信访须选择处理方式：调查核实或存查备考（R-INTAKE-4）。"))
        if not anonymous_reason.strip():
            errors.append(gettext("匿名信访须说明选择该处理方式的理由（R-INTAKE-4）。"))
    elif not petitioners:
        errors.append(gettext("署名信访须至少填写一位信访人；无法确认身份的请登记为匿名。"))
    if is_collective:
        # R-INTAKE-3: head count and representatives.
        if head_count < 2:
            errors.append(gettext("集体信访的人数应不少于2人（R-INTAKE-3）。"))
        reps = sum(1 for p in petitioners if p.is_representative)
        if not is_anonymous and reps == 0:
            errors.append(gettext("集体信访须登记代表（R-INTAKE-3）。"))
        if reps > MAX_REPRESENTATIVES:
            errors.append(
                gettext("集体信访推选的代表不超过%(max_representatives)s人。")
                % {"max_representatives": MAX_REPRESENTATIVES}
            )
    elif head_count != 1 and not is_anonymous and head_count < len(petitioners):
        errors.append(gettext("人数不能少于登记的信访人数。"))
    if source not in _SOURCES:
        errors.append(gettext("请选择来源。"))
    elif source != Source.DIRECT and source_department is None and not source_reference.strip():
        # R-INTAKE-6: the source must be traceable.
        errors.append(gettext("上级或其他部门转来的信访，须填写转来部门或来文编号（R-INTAKE-6）。"))
    if concerned_cadre is not None:
        _validate_concerned_cadre(concerned_cadre, category, errors)
    if channel == Channel.VISIT and interview is None:
        errors.append(gettext("来访须同时填写接谈记录（R-INTAKE-2）。"))
    if interview is not None:
        validate_interview(interview, errors)


def _validate_concerned_cadre(c: ConcernedCadreInput, category: str, errors: list[str]) -> None:
    """R-CAT-4 / R-ROUTE-2: the cadre a personal request is about, complete enough to route."""
    if category != Category.PERSONAL_REQUEST:
        # A cadre complained about is a respondent (被反映人); mixing the two would skew
        # every accusation figure the other way.
        errors.append(
            gettext(
                "当事干部只用于入党和参加工作时间、离退休、职级待遇等个人问题（R-CAT-4）；"
                "反映干部问题的，请填写被反映人。"
            )
        )
        return
    if c.cadre is not None and c.cadre.post is not None:
        return  # the directory knows his post and who manages him
    if c.cadre is None and not c.name.strip():
        errors.append(gettext("当事干部须从干部名录中选择，或填写姓名。"))
    if not c.post_title.strip():
        errors.append(gettext("名录中没有当事干部的现任职务，请填写其职务。"))
    if c.rank not in CadreRank.values:
        errors.append(gettext("请选择当事干部的职级。"))
    if c.managing_jurisdiction is None:
        errors.append(gettext("请选择管理当事干部的党委（干部管理权限，R-ROUTE-2）。"))


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


def concerned_cadre_row(petition: Petition, c: ConcernedCadreInput) -> ConcernedCadre:
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


def validate_interview(interview: InterviewInput, errors: list[str]) -> None:
    if not interview.receivers:
        errors.append(gettext("接谈记录须填写接谈人（R-INTAKE-2）。"))
    for label, value in (
        (gettext("来访人反映的情况"), interview.statement),
        (gettext("来访人的要求"), interview.requests),
        (gettext("当场答复"), interview.answer),
    ):
        if not value.strip():
            errors.append(
                gettext("接谈记录的“%(label)s”不能为空（R-INTAKE-2）。") % {"label": label}
            )


def petitioner_find_or_create(p: PetitionerInput, id_number: str) -> tuple[Petitioner, bool]:
    """Same ID number (keyed hash) is the same person; so is the same online account for
    someone registered without an ID number. Returns (petitioner, seen before)."""
    if id_number:
        found = Petitioner.objects.filter(id_number_hash=protect.match_hash(id_number)).first()
        if found:
            return found, True
    elif p.account.strip():
        found = Petitioner.objects.filter(
            account_hash=protect.match_hash(p.account.strip())
        ).first()
        if found:
            return found, True
    person = petitioner_row(p, id_number)
    insert_rows([person])
    return person, False


def petitioner_values(p: PetitionerInput, id_number: str) -> dict[str, Any]:
    """The new petitioner's columns by attribute name: identifiers encrypted with their
    keyed hashes. Shared by registration (`petitioner_row`) and the batch import, which
    writes them as a plain row (cases/actions/bulk.py)."""
    return {
        "name": p.name.strip(),
        "id_number_encrypted": protect.encrypt(id_number),
        "id_number_hash": protect.match_hash(id_number),
        "phone_encrypted": protect.encrypt(p.phone.strip()),
        "phone_hash": protect.match_hash(protect.phone_key(p.phone)),
        "account_encrypted": protect.encrypt(p.account.strip()),
        "account_hash": protect.match_hash(p.account.strip()),
        "address": p.address.strip(),
        "work_unit": p.work_unit.strip(),
    }


def petitioner_row(p: PetitionerInput, id_number: str) -> Petitioner:
    """The new petitioner's row, unsaved (`petitioner_values`)."""
    return Petitioner(**petitioner_values(p, id_number))


def respondent_row(petition: Petition, r: RespondentInput) -> Respondent:
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


def interview_create(petition: Petition, data: InterviewInput) -> Interview:
    interview = interview_row(petition, data)
    interview.save(force_insert=True)
    interview.receivers.set(list(data.receivers))
    return interview


def interview_row(petition: Petition, data: InterviewInput) -> Interview:
    """The interview's row, unsaved (its receivers are a many-to-many, set once saved)."""
    return Interview(
        petition=petition,
        interviewed_at=data.interviewed_at,
        place=data.place.strip(),
        statement=data.statement.strip(),
        requests=data.requests.strip(),
        answer=data.answer.strip(),
    )


def earlier_petition_count(people: Sequence[Petitioner]) -> int:
    """R-INTAKE-5: how many petitions the same people registered before. The same person is
    found by ID number (one Petitioner row) or, for those registered without one, by the
    same phone number (keyed hash)."""
    if not people:
        return 0
    # Ids first, each from an indexed column: an OR across the join scanned every link.
    ids = {person.pk for person in people}
    # Only people registered without an ID number are looked up by phone.
    phones = [p.phone_hash for p in people if p.phone_hash and not p.id_number_hash]
    if phones:
        ids |= set(Petitioner.objects.filter(phone_hash__in=phones).values_list("pk", flat=True))
    return (
        PetitionPetitioner.objects.filter(petitioner_id__in=ids)
        .values("petition_id")
        .distinct()
        .count()
    )


@dataclass
class RegistrationInput:
    """What the registration form collects for one petition: `petition_register`'s inputs
    (cases/actions/intake.py), one per row of the batch import, and what `petition_write`
    and `petition_row` store."""

    channel: str
    received_on: dt.date
    summary: str
    content: str
    category: str
    nature: str
    petitioners: Sequence[PetitionerInput] = ()
    is_anonymous: bool = False
    anonymous_treatment: str = ""
    anonymous_reason: str = ""
    is_collective: bool = False
    head_count: int = 1
    collective_origin: str = ""
    source: str = Source.DIRECT
    source_department: Department | None = None
    source_reference: str = ""
    respondents: Sequence[RespondentInput] = ()
    interview: InterviewInput | None = None
    concerned_cadre: ConcernedCadreInput | None = None


@dataclass(frozen=True)
class PetitionPlace:
    """Where a registered petition stands, decided by the registration: its case, who
    registered it when, and its repeat / first / not-accepted marks."""

    case_id: int
    registrar: User
    department: Department
    now: dt.datetime
    is_repeat: bool
    is_first: bool
    not_accepted_reason: str = ""


def petition_write(
    data: RegistrationInput,
    place: PetitionPlace,
    *,
    people: Sequence[tuple[Petitioner, bool]],
    respondents: Sequence[RespondentInput],
) -> tuple[Petition, list[Model]]:
    """Write one validated petition (`data`, placed by `place`) with its petitioners (and
    whether each is a representative), respondents (as the checks placed them), the cadre a
    personal request concerns and the interview. Returns the petition and every row
    written, for the case's timeline to digest (R-PROTECT-2). Called by the registration
    action inside its transaction."""
    # Plain INSERTs (core/bulk.py): the values the ORM's save would write, without its
    # per-query overhead, a quarter of a millisecond a statement (docs/benchmarks.md).
    petition = petition_row(data, place, people_count=len(people))
    insert_rows([petition])
    insert_values(
        PetitionPetitioner,
        ["petition", "petitioner", "is_representative"],
        [(petition.pk, person.pk, rep) for person, rep in people],
    )
    rows = [respondent_row(petition, r) for r in respondents]
    insert_rows(rows)
    covered: list[Model] = [petition, *rows]
    if data.concerned_cadre is not None:
        cadre_row = concerned_cadre_row(petition, data.concerned_cadre)
        insert_rows([cadre_row])
        covered.append(cadre_row)
    if data.interview is not None:
        covered.append(interview_create(petition, data.interview))
    return petition, covered


def stored_content(data: RegistrationInput) -> str:
    """The petition's text as stored (`petition_values`): what the matching index digests."""
    return data.content.strip()


def petition_values(
    data: RegistrationInput, place: PetitionPlace, *, people_count: int
) -> dict[str, Any]:
    """The petition's columns by attribute name, as registration stores them (trimmed
    text, the head count at least the people named); the others take their defaults.
    Shared by `petition_row` and the batch import, which writes them as a plain row."""
    return {
        "case_id": place.case_id,
        "channel": data.channel,
        "received_on": data.received_on,
        "registered_at": place.now,
        "receiving_department_id": place.department.pk,
        "registrar_id": place.registrar.pk,
        "summary": data.summary.strip(),
        "content": stored_content(data),
        "category": data.category,
        "nature": data.nature,
        "is_anonymous": data.is_anonymous,
        "anonymous_treatment": data.anonymous_treatment if data.is_anonymous else "",
        "anonymous_reason": data.anonymous_reason.strip() if data.is_anonymous else "",
        "is_collective": data.is_collective,
        "head_count": max(data.head_count, people_count, 1),
        "collective_origin": data.collective_origin.strip(),
        "source": data.source,
        "source_department_id": (
            data.source_department.pk if data.source_department is not None else None
        ),
        "source_reference": data.source_reference.strip(),
        "is_repeat": place.is_repeat,
        "is_first": place.is_first,
        "not_accepted_reason": place.not_accepted_reason,
    }


def petition_row(data: RegistrationInput, place: PetitionPlace, *, people_count: int) -> Petition:
    """The petition's row, unsaved (`petition_values`), with the departments and registrar
    in hand. Used by `petition_write`."""
    petition = Petition(**petition_values(data, place, people_count=people_count))
    petition.receiving_department = place.department
    petition.registrar = place.registrar
    if data.source_department is not None:
        petition.source_department = data.source_department
    return petition


def petitions_move(petition_ids: Sequence[int], *, to_case_id: int) -> list[Model]:
    """R-REPEAT-4: a merged case's petitions join the target case as repeats. Returns the
    rows that now belong to the target (petitions, respondents, interviews, cadres
    concerned), for its timeline to digest (R-PROTECT-2)."""
    Petition.objects.filter(pk__in=petition_ids).update(
        case_id=to_case_id, is_repeat=True, is_first=False
    )
    covered: list[Model] = list(Petition.objects.filter(pk__in=petition_ids))
    covered += Respondent.objects.filter(petition_id__in=petition_ids)
    covered += Interview.objects.filter(petition_id__in=petition_ids)
    covered += ConcernedCadre.objects.filter(petition_id__in=petition_ids)
    return covered


def petitions_restore(
    flags: dict[int, tuple[bool, bool]], *, to_case_id: int, clear_not_accepted: bool = False
) -> list[Model]:
    """Issue 11: petitions moved back to `to_case_id` (an unmerge, an undone repeat link),
    each with its (is_repeat, is_first) flags as they were. `clear_not_accepted`: the
    not-accepted reason came from the link being undone. Returns the rows that now belong
    to the case, for its timeline to digest (R-PROTECT-2)."""
    for pk, (is_repeat, is_first) in flags.items():
        changes: dict[str, Any] = {
            "case_id": to_case_id,
            "is_repeat": is_repeat,
            "is_first": is_first,
        }
        if clear_not_accepted:
            changes["not_accepted_reason"] = ""
        Petition.objects.filter(pk=pk).update(**changes)
    ids = list(flags)
    covered: list[Model] = list(Petition.objects.filter(pk__in=ids).order_by("pk"))
    covered += Respondent.objects.filter(petition_id__in=ids).order_by("pk")
    covered += Interview.objects.filter(petition_id__in=ids).order_by("pk")
    covered += ConcernedCadre.objects.filter(petition_id__in=ids).order_by("pk")
    return covered


def attachment_store(*, petition: Petition, item: Checked, actor: User) -> Attachment:
    """Store one checked upload (petitions/attachments.py) on `petition`."""
    return Attachment.objects.create(
        petition=petition,
        file=item.upload,
        original_name=item.name[:200],
        content_type=item.content_type,
        size=item.size,
        sha256=item.sha256,
        uploaded_by=actor,
        uploaded_at=timezone.now(),
    )
