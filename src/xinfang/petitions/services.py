"""Intake building blocks (R-INTAKE-1 to 6): the registration form's checks, the same person
found by ID number, and the rows of a petition. The registration itself, which opens or joins
a case, is cases/actions/intake.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from xinfang.core.errors import RuleViolation
from xinfang.core.idnumber import normalize_id_number
from xinfang.orgs.models import Cadre, CadreRank, Department, Jurisdiction, Post, User
from xinfang.petitions import protect
from xinfang.petitions.models import (
    Channel,
    ConcernedCadre,
    Interview,
    Petition,
    Petitioner,
    Respondent,
    Source,
)
from xinfang.petitions.respondents import RespondentInput
from xinfang.routing.terms import AnonymousTreatment, Category, Nature

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


def validate_petitioners(
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
        validate_interview(interview, errors)


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
        errors.append("接谈记录须填写接谈人（R-INTAKE-2）。")
    for label, value in (
        ("来访人反映的情况", interview.statement),
        ("来访人的要求", interview.requests),
        ("当场答复", interview.answer),
    ):
        if not value.strip():
            errors.append(f"接谈记录的“{label}”不能为空（R-INTAKE-2）。")


def petitioner_find_or_create(p: PetitionerInput, id_number: str) -> tuple[Petitioner, bool]:
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
