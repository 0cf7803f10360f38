"""The printed documents of a case, as plain data: who, what, dates, redacted where the
protection policy says (R-PROTECT-1). Pages render them as A4 print views, .docx and PDF;
the JSON API may return the same data.

Each document is a list of blocks (headings, label/value tables, paragraphs, tables, notes,
a signature), so one renderer per format serves every document. Kinds:

- 登记表 (registration): every petition of the case as registered (R-INTAKE-1).
- 受理告知书 / 不予受理告知书 (acceptance): only under the 2022 rule set, once the handling
  mode is decided, for a petition with a petitioner to tell.
- 转办函 / 交办函 (letter): the last assignment sent down from the case. The letter goes to
  the receiving department, so the petitioner's identity is redacted whenever the policy
  would hide it from that department (R-PROTECT-1), not only from the reader.
- 结案报告 (closure): the approved closure (R-CLOSE-3 to R-CLOSE-6).
- 案卷 (dossier): the archived case file as one document (R-CLOSE-7), from `case_file`.

`case` must come from `cases.access.get_case_for_user`; every protected value is read
through `protection_for`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import ClassVar

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from xinfang.cases.casefile import CaseFile, PetitionEntry, case_file
from xinfang.cases.family import petitions_of_case
from xinfang.cases.models import (
    PROCEDURE_CHECKLIST,
    Assignment,
    Case,
    Closure,
    ClosureStatus,
    State,
)
from xinfang.cases.protection import (
    HIDDEN_MATERIAL_NOTE,
    CaseProtection,
    protection_for,
    respondent_hides_identity_from,
)
from xinfang.deadlines.selectors import active_rule_set, active_rules
from xinfang.orgs.models import Department, User
from xinfang.petitions.models import Petition, Respondent
from xinfang.routing.terms import HandlingMode

REGULATION_2022 = _("《信访工作条例》（中共中央、国务院印发，2022年5月1日起施行）")
RULE_SET_2022 = "2022"

REGISTRATION = "registration"
ACCEPTANCE = "acceptance"
LETTER = "letter"
CLOSURE = "closure"
DOSSIER = "dossier"
KINDS: dict[str, StrOrPromise] = {
    REGISTRATION: _("信访事项登记表"),
    ACCEPTANCE: _("受理（不予受理）告知书"),
    LETTER: _("转办函、交办函"),
    CLOSURE: _("结案报告"),
    DOSSIER: _("案卷"),
}

LETTER_REDACTION_NOTE = _(
    "根据信访人身份保护规定，信访人姓名、公民身份号码、联系电话、住址等身份信息不随函转送；"
)
NO_ANSWER = "—"


# --- Blocks -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    tag: ClassVar[str] = "heading"
    text: str


@dataclass(frozen=True)
class Fields:
    """A form-like table of label and value pairs (两栏登记表)."""

    tag: ClassVar[str] = "fields"
    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Paragraph:
    tag: ClassVar[str] = "paragraph"
    text: str
    label: str = ""  # a bold lead-in ("处理意见："), empty for running text


@dataclass(frozen=True)
class Table:
    tag: ClassVar[str] = "table"
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Note:
    """A boxed remark, e.g. the redaction note."""

    tag: ClassVar[str] = "note"
    text: str


@dataclass(frozen=True)
class Signature:
    """Right-aligned lines at the foot: the issuing department and the date."""

    tag: ClassVar[str] = "signature"
    lines: tuple[str, ...]


Block = Heading | Fields | Paragraph | Table | Note | Signature


@dataclass
class Document:
    kind: str
    title: str
    case_number: str
    blocks: list[Block] = field(default_factory=list)
    # Whether the identity of a petitioner was left out (for the reader or the addressee).
    redacted: bool = False

    @property
    def file_stem(self) -> str:
        """A file name without its extension: the title and the case number."""
        return f"{self.title}-{self.case_number}"


# --- Words and dates ----------------------------------------------------------------------


def chinese_date(value: dt.date | dt.datetime | None) -> str:
    """2025年3月4日; a time is shown as its local day."""
    if value is None:
        return NO_ANSWER
    if isinstance(value, dt.datetime):
        value = timezone.localdate(value)
    return gettext("%(year)s年%(month)s月%(day)s日") % {
        "year": value.year,
        "month": value.month,
        "day": value.day,
    }


def _text(value: object) -> str:
    text = str(value).strip() if value is not None else ""
    return text or NO_ANSWER


def _yes(value: bool) -> str:
    return gettext("是") if value else gettext("否")


def _respondents(respondents: list[Respondent]) -> str:
    parts = []
    for r in respondents:
        words = " ".join(x for x in (r.name, r.unit, r.post_title) if x)
        parts.append(words + (gettext("（主要领导）") if r.is_main_leader else ""))
    return "；".join(parts) or NO_ANSWER


# --- Which documents a case has -----------------------------------------------------------


def rule_set_is_2022() -> bool:
    rule_set = active_rule_set()
    return rule_set is not None and rule_set.code == RULE_SET_2022


def last_assignment(case: Case) -> Assignment | None:
    return (
        case.assignments.select_related("to_department", "from_department", "child")
        .order_by("-sent_at", "-pk")
        .first()
    )


def approved_closure(case: Case) -> Closure | None:
    return (
        case.closures.filter(status=ClosureStatus.APPROVED)
        .select_related("submitted_by", "decided_by")
        .order_by("-decided_at", "-pk")
        .first()
    )


def _notice_petition(case: Case) -> Petition | None:
    """The petition the notice answers: a petition not accepted (2022 rules: a repeat after
    复核), else the case's first petition; None when it has no petitioner to tell."""
    petitions = list(petitions_of_case(case).order_by("received_on", "pk"))
    refused = [p for p in petitions if p.not_accepted_reason]
    chosen = refused[-1] if refused else (petitions[0] if petitions else None)
    if chosen is None or chosen.is_anonymous or not chosen.petitioners.exists():
        return None
    return chosen


def _acceptance_decided(case: Case) -> bool:
    return bool(case.mode_decided_at) and case.handling_mode in (
        HandlingMode.SELF,
        HandlingMode.TRANSFER,
        HandlingMode.ASSIGN,
        HandlingMode.REFER,
    )


def available_kinds(case: Case) -> list[str]:
    """The documents `case` has today, in the order they arise. The acceptance notice only
    under the 2022 rule set (the 1987 notice has no such notice)."""
    kinds = [REGISTRATION]
    if rule_set_is_2022() and _notice_petition(case) is not None:
        refused = petitions_of_case(case).exclude(not_accepted_reason="").exists()
        if refused or _acceptance_decided(case):
            kinds.append(ACCEPTANCE)
    if case.assignments.exists():
        kinds.append(LETTER)
    if case.closures.filter(status=ClosureStatus.APPROVED).exists():
        kinds.append(CLOSURE)
    if case.state == State.ARCHIVED:
        kinds.append(DOSSIER)
    return kinds


def build_document(user: User, case: Case, kind: str) -> Document | None:
    """The document `kind` of `case` as `user` may read it; None when the case has no such
    document (the caller answers 404, as for a case the user may not see)."""
    if kind not in available_kinds(case):
        return None
    if kind == REGISTRATION:
        return registration_card(user, case)
    if kind == ACCEPTANCE:
        return acceptance_notice(user, case)
    if kind == LETTER:
        return assignment_letter(user, case)
    if kind == CLOSURE:
        return closure_report(user, case)
    return dossier(user, case)


# --- 登记表 --------------------------------------------------------------------------------


def _petition_blocks(entry: PetitionEntry, file: CaseFile) -> list[Block]:
    p = entry.petition
    rows: list[tuple[str, str]] = [
        (gettext("信访形式"), p.get_channel_display()),
        (gettext("收到日期"), chinese_date(p.received_on)),
        (gettext("登记时间"), timezone.localtime(p.registered_at).strftime("%Y-%m-%d %H:%M")),
        (gettext("登记人"), str(p.registrar)),
        (gettext("受理部门"), p.receiving_department.name),
        (gettext("来源"), p.get_source_display()),
        (gettext("初信初访"), _yes(p.is_first)),
        (gettext("重信重访"), _yes(p.is_repeat)),
    ]
    if p.is_collective:
        rows.append(
            (
                gettext("集体访"),
                (
                    gettext("%(head_count)s人，来自%(text)s")
                    % {"head_count": p.head_count, "text": _text(p.collective_origin)}
                ),
            )
        )
    if p.is_anonymous:
        rows.append(
            (
                gettext("匿名信访"),
                (
                    gettext("%(get_anonymous_treatment_display)s（%(text)s）")
                    % {
                        "get_anonymous_treatment_display": p.get_anonymous_treatment_display(),
                        "text": _text(p.anonymous_reason),
                    }
                ),
            )
        )
    rows += [
        (gettext("问题类别"), file.case.get_category_display()),
        (gettext("信访性质"), file.case.get_nature_display()),
        (gettext("内容摘要"), p.summary),
        (gettext("被反映人"), _respondents(entry.respondents)),
    ]
    if entry.concerned_cadre is not None:
        c = entry.concerned_cadre
        rows.append((gettext("当事干部"), " ".join(x for x in (c.name, c.unit, c.post_title) if x)))
    blocks: list[Block] = [
        Heading(
            gettext("来信来访（%(chinese_date)s）") % {"chinese_date": chinese_date(p.received_on)}
        ),
        Fields(tuple(rows)),
    ]
    if entry.petitioners:
        blocks.append(
            Table(
                (
                    gettext("信访人"),
                    gettext("公民身份号码"),
                    gettext("联系电话"),
                    gettext("住址"),
                    gettext("代表"),
                ),
                tuple(
                    (
                        v.name,
                        v.id_number or NO_ANSWER,
                        v.phone or NO_ANSWER,
                        v.address or NO_ANSWER,
                        gettext("是") if v.is_representative else "",
                    )
                    for v in entry.petitioners
                ),
            )
        )
    if entry.identity_shown:
        blocks.append(Paragraph(entry.content, label=gettext("信件全文或接谈内容：")))
        for i in entry.interviews:
            when = timezone.localtime(i.interviewed_at).strftime("%Y-%m-%d %H:%M")
            blocks.append(
                Paragraph(
                    (
                        gettext(
                            "%(when)s %(place)s。反映情况：%(statement)s。要求"
                            "：%(requests)s。当场答复：%(answer)s。"
                        )
                        % {
                            "when": when,
                            "place": i.place,
                            "statement": i.statement,
                            "requests": i.requests,
                            "answer": i.answer,
                        }
                    ),
                    label=gettext("接谈记录："),
                )
            )
        for a in entry.attachments:
            blocks.append(
                Paragraph(
                    (
                        gettext("%(original_name)s（%(size)s字节）")
                        % {"original_name": a.original_name, "size": a.size}
                    ),
                    label=gettext("附件："),
                )
            )
    else:
        blocks.append(Note(str(HIDDEN_MATERIAL_NOTE)))
    if p.not_accepted_reason:
        blocks.append(Paragraph(p.not_accepted_reason, label=gettext("不予受理：")))
    return blocks


def _instruction_blocks(file: CaseFile) -> list[Block]:
    if not file.instructions:
        return [Fields(((gettext("领导阅批"), gettext("（尚未阅批）")),))]
    return [
        Table(
            (gettext("批示时间"), gettext("批示人"), gettext("批示内容")),
            tuple((chinese_date(i.created_at), str(i.leader), i.text) for i in file.instructions),
        )
    ]


def registration_card(user: User, case: Case) -> Document:
    """登记表 (R-INTAKE-1): the case's petitions as registered, with the leader's reading."""
    file = case_file(user, case)
    doc = Document(REGISTRATION, gettext("信访事项登记表"), case.number)
    doc.blocks.append(
        Fields(
            (
                (gettext("案件编号"), case.number),
                (gettext("责任部门"), case.department.name),
                (gettext("事项摘要"), case.title),
                (gettext("登记时间"), chinese_date(case.registered_at)),
                (gettext("处理方式"), case.get_handling_mode_display() or gettext("（尚未决定）")),
            )
        )
    )
    for entry in file.petitions:
        doc.blocks += _petition_blocks(entry, file)
    doc.blocks.append(Heading(gettext("领导阅批")))
    doc.blocks += _instruction_blocks(file)
    doc.redacted = not file.protection.identity_shown
    return doc


# --- 受理告知书 / 不予受理告知书 (2022 rules) ----------------------------------------------


def acceptance_notice(user: User, case: Case) -> Document | None:
    """The notice telling the petitioner whether the matter is accepted (2022 rules)."""
    petition = _notice_petition(case)
    if petition is None:
        return None
    protection = protection_for(user, case)
    names = "、".join(v.name for v in protection.petitioners(petition))
    referral = getattr(case, "referral", None)
    refused = bool(petition.not_accepted_reason) or case.handling_mode == HandlingMode.REFER
    title = gettext("信访事项不予受理告知书") if refused else gettext("信访事项受理告知书")
    doc = Document(ACCEPTANCE, title, case.number, redacted=not protection.identity_shown)
    received = f"{chinese_date(petition.received_on)}{petition.get_channel_display()}"
    opening = gettext("你（你们）于%(received)s反映的“%(summary)s”问题，本机关已收悉。") % {
        "received": received,
        "summary": petition.summary,
    }
    if petition.not_accepted_reason:
        body = gettext("%(not_accepted_reason)s本机关决定不予受理。") % {
            "not_accepted_reason": petition.not_accepted_reason
        }
    elif refused:
        where = (
            referral.to_department_name if referral is not None else gettext("有权处理的机关、单位")
        )
        reason = (
            (gettext("%(reason)s。") % {"reason": referral.reason}) if referral is not None else ""
        )
        body = gettext(
            "经审查，该事项不属于组织部门职责范围，本机关不予受理。%(reason)s请向%(where)s提出。"
        ) % {"reason": reason, "where": where}
    elif case.handling_mode == HandlingMode.SELF:
        body = gettext(
            "经审查，该事项属于本机关职责范围，本机关决定予以受理，"
            "将依规依纪依法办理，并在规定期限内答复。"
        )
    else:
        assignment = last_assignment(case)
        to = (
            assignment.to_department.name
            if assignment is not None
            else gettext("有权处理的机关、单位")
        )
        way = gettext("转送") if case.handling_mode == HandlingMode.TRANSFER else gettext("交办")
        body = gettext(
            "经审查，该事项已%(way)s%(to)s办理，由其依规依纪依法处理并答复你（你们）。"
        ) % {"way": way, "to": to}
    doc.blocks += [
        Paragraph(gettext("%(value)s：") % {"value": names or NO_ANSWER}),
        Paragraph(opening),
        Paragraph(body),
        Paragraph(
            gettext(
                "依据：%(regulation_2022)s关于收到信访事项后在规定期限内告知信访人是否受理的规定。"
            )
            % {"regulation_2022": REGULATION_2022}
        ),
        Signature((case.department.name, chinese_date(case.mode_decided_at or timezone.now()))),
        Fields(
            (
                (gettext("案件编号"), case.number),
                (gettext("收到日期"), chinese_date(petition.received_on)),
            )
        ),
    ]
    return doc


# --- 转办函 / 交办函 ------------------------------------------------------------------------


def identity_shown_to_department(
    protection: CaseProtection, case: Case, department: Department
) -> bool:
    """R-PROTECT-1 for a letter: the identity goes to `department` only if the reader may
    see it and no respondent of the case hides it from that department (the respondent's
    own department or unit, the same-level departments of a main leader)."""
    if not protection.identity_shown:
        return False
    respondents = Respondent.objects.filter(petition__in=petitions_of_case(case)).select_related(
        "jurisdiction"
    )
    return not any(respondent_hides_identity_from(r, department) for r in respondents)


def assignment_letter(user: User, case: Case) -> Document | None:
    """转办函 / 交办函 for the last assignment sent down from `case`, addressed to the
    department below and redacted for it (R-PROTECT-1)."""
    assignment = last_assignment(case)
    if assignment is None:
        return None
    protection = protection_for(user, case)
    shown = identity_shown_to_department(protection, case, assignment.to_department)
    assign = assignment.mode == HandlingMode.ASSIGN
    title = gettext("交办函") if assign else gettext("转办函")
    doc = Document(LETTER, title, case.number, redacted=not shown)
    petitions = list(
        petitions_of_case(case).prefetch_related("respondents").order_by("received_on", "pk")
    )
    first = petitions[0] if petitions else None
    what = (
        (
            gettext("%(chinese_date)s收到的%(get_channel_display)s")
            % {
                "chinese_date": chinese_date(first.received_on),
                "get_channel_display": first.get_channel_display(),
            }
        )
        if first is not None
        else gettext("收到的信访事项")
    )
    ask = (
        (
            gettext("请认真调查处理，并于%(chinese_date)s前将办理结果和结案材料报送我部。")
            % {"chinese_date": chinese_date(assignment.due_on)}
        )
        if assign
        else gettext("请依照职责办理，并按规定答复信访人。")
    )
    doc.blocks += [
        Paragraph(gettext("%(name)s：") % {"name": assignment.to_department.name}),
        Paragraph(
            gettext("现将%(what)s（%(title)s）%(verb)s你单位办理。%(ask)s")
            % {
                "what": what,
                "title": case.title,
                "verb": gettext("交") if assign else gettext("转"),
                "ask": ask,
            }
        ),
    ]
    if assignment.note:
        doc.blocks.append(Paragraph(assignment.note, label=gettext("交办意见：")))
    if "objection" in active_rules():
        doc.blocks.append(
            Paragraph(
                gettext(
                    "如认为该事项不属于你单位职权范围，请自收到之日起5个工作日内提出异议并详细说明理"
                    "由（依据%(regulation_2022)s）。"
                )
                % {"regulation_2022": REGULATION_2022}
            )
        )
    doc.blocks.append(Heading(gettext("信访事项情况")))
    for p in petitions:
        rows: list[tuple[str, str]] = [
            (gettext("信访形式"), p.get_channel_display()),
            (gettext("收到日期"), chinese_date(p.received_on)),
            (gettext("问题类别"), case.get_category_display()),
            (gettext("信访性质"), case.get_nature_display()),
            (gettext("内容摘要"), p.summary),
            (gettext("被反映人"), _respondents(list(p.respondents.all()))),
        ]
        if p.is_anonymous:
            rows.append((gettext("匿名信访"), p.get_anonymous_treatment_display()))
        doc.blocks.append(Fields(tuple(rows)))
        if not shown:
            continue
        people = protection.petitioners(p)
        if people:
            doc.blocks.append(
                Table(
                    (
                        gettext("信访人"),
                        gettext("公民身份号码"),
                        gettext("联系电话"),
                        gettext("住址"),
                    ),
                    tuple(
                        (
                            v.name,
                            v.id_number or NO_ANSWER,
                            v.phone or NO_ANSWER,
                            v.address or NO_ANSWER,
                        )
                        for v in people
                    ),
                )
            )
        doc.blocks.append(Paragraph(protection.content(p), label=gettext("信件全文或接谈内容：")))
    if not shown:
        doc.blocks.append(Note(str(LETTER_REDACTION_NOTE) + str(HIDDEN_MATERIAL_NOTE)))
    doc.blocks += [
        Signature((assignment.from_department.name, chinese_date(assignment.sent_at))),
        Fields(
            (
                (gettext("交转办案件编号"), case.number),
                (gettext("承办案件编号"), assignment.child.number),
            )
        ),
    ]
    return doc


# --- 结案报告 -------------------------------------------------------------------------------


def _closure_blocks(closure: Closure) -> list[Block]:
    done = set(closure.procedure)
    blocks: list[Block] = [
        Paragraph(closure.facts, label=gettext("查明的事实：")),
        Paragraph(closure.decision, label=gettext("处理意见：")),
        Paragraph(closure.policy_basis, label=gettext("政策依据：")),
    ]
    if closure.personal_outcome:
        blocks.append(
            Paragraph(closure.get_personal_outcome_display(), label=gettext("个人问题处理结果："))
        )
    blocks.append(Heading(gettext("办理手续")))
    blocks.append(
        Table(
            (gettext("手续"), gettext("是否完成")),
            tuple(
                (str(label), gettext("已完成") if code in done else gettext("未完成"))
                for code, label in PROCEDURE_CHECKLIST.items()
            ),
        )
    )
    if closure.petitioner_opinion or closure.conclusion_shown_on:
        blocks.append(
            Paragraph(_text(closure.petitioner_opinion), label=gettext("本人对处理的意见："))
        )
        blocks.append(
            Paragraph(
                (
                    gettext("%(chinese_date)s，%(text)s")
                    % {
                        "chinese_date": chinese_date(closure.conclusion_shown_on),
                        "text": _text(closure.conclusion_shown_how),
                    }
                ),
                label=gettext("结论与本人见面："),
            )
        )
    if closure.feedback_on:
        blocks.append(
            Paragraph(
                (
                    gettext("%(chinese_date)s，%(text)s")
                    % {
                        "chinese_date": chinese_date(closure.feedback_on),
                        "text": _text(closure.feedback_how),
                    }
                ),
                label=gettext("向检举人反馈："),
            )
        )
    elif closure.no_feedback_reason:
        blocks.append(
            Paragraph(closure.no_feedback_reason, label=gettext("未向检举人反馈的理由："))
        )
    blocks.append(Paragraph(_text(closure.review_opinion), label=gettext("审查意见：")))
    return blocks


def closure_report(user: User, case: Case) -> Document | None:
    """结案报告 from the approved closure (R-CLOSE-3 to R-CLOSE-6)."""
    closure = approved_closure(case)
    if closure is None:
        return None
    protection = protection_for(user, case)
    names: list[str] = []
    for p in petitions_of_case(case).order_by("received_on", "pk"):
        names += [v.name for v in protection.petitioners(p) if v.name not in names]
    doc = Document(
        CLOSURE, gettext("信访事项结案报告"), case.number, redacted=not protection.identity_shown
    )
    doc.blocks.append(
        Fields(
            (
                (gettext("案件编号"), case.number),
                (gettext("事项摘要"), case.title),
                (gettext("责任部门"), case.department.name),
                (gettext("问题类别"), case.get_category_display()),
                (gettext("信访性质"), case.get_nature_display()),
                (gettext("信访人"), "、".join(names) or gettext("（匿名或无署名）")),
                (gettext("登记时间"), chinese_date(case.registered_at)),
                (gettext("结案时间"), chinese_date(case.closed_at)),
                (gettext("承办人"), str(closure.submitted_by)),
                (gettext("审核人"), _text(closure.decided_by)),
                (gettext("审核时间"), chinese_date(closure.decided_at)),
            )
        )
    )
    doc.blocks += _closure_blocks(closure)
    doc.blocks.append(Signature((case.department.name, chinese_date(closure.decided_at))))
    return doc


# --- 案卷 ----------------------------------------------------------------------------------


def dossier(user: User, case: Case) -> Document:
    """The archived case file as one document (R-CLOSE-7): everything `case_file` holds."""
    file = case_file(user, case)
    doc = Document(DOSSIER, gettext("信访案卷"), case.number)
    doc.redacted = not file.protection.identity_shown
    doc.blocks.append(
        Fields(
            (
                (gettext("案件编号"), case.number),
                (gettext("档案号"), _text(case.archive_number)),
                (gettext("事项摘要"), case.title),
                (gettext("责任部门"), case.department.name),
                (gettext("状态"), case.get_state_display()),
                (gettext("问题类别"), case.get_category_display()),
                (gettext("信访性质"), case.get_nature_display()),
                (gettext("处理方式"), _text(case.get_handling_mode_display())),
                (gettext("登记时间"), chinese_date(case.registered_at)),
                (gettext("结案时间"), chinese_date(case.closed_at)),
                (gettext("归档时间"), chinese_date(case.archived_at)),
            )
        )
    )
    for entry in file.petitions:
        doc.blocks += _petition_blocks(entry, file)
    doc.blocks.append(Heading(gettext("领导批示")))
    doc.blocks += _instruction_blocks(file)
    if file.routing_decisions:
        doc.blocks.append(Heading(gettext("分办决定")))
        doc.blocks.append(
            Table(
                (
                    gettext("决定时间"),
                    gettext("决定人"),
                    gettext("系统建议"),
                    gettext("决定"),
                    gettext("未采纳建议的理由"),
                ),
                tuple(
                    (
                        chinese_date(d.decided_at),
                        str(d.decided_by),
                        f"{d.get_proposed_mode_label()} {d.proposed_department_name}".strip(),
                        f"{d.get_decided_mode_label()} {d.decided_department_name}".strip(),
                        NO_ANSWER if d.followed else _text(d.deviation_reason),
                    )
                    for d in file.routing_decisions
                ),
            )
        )
    if file.assignments:
        doc.blocks.append(Heading(gettext("交办转办")))
        doc.blocks.append(
            Table(
                (
                    gettext("方式"),
                    gettext("承办部门"),
                    gettext("发出"),
                    gettext("报结期限"),
                    gettext("报结"),
                    gettext("审核通过"),
                ),
                tuple(
                    (
                        a.get_mode_display(),
                        a.to_department.name,
                        chinese_date(a.sent_at),
                        chinese_date(a.due_on),
                        chinese_date(a.reported_at),
                        chinese_date(a.accepted_at),
                    )
                    for a in file.assignments
                ),
            )
        )
    if file.referral is not None:
        r = file.referral
        doc.blocks.append(Heading(gettext("转其他部门")))
        doc.blocks.append(
            Paragraph(
                gettext(
                    "转%(to_department_name)s：%(reason)s。%(chinese_date)s"
                    "以%(explained_how)s向信访人解释：%(explanation)s"
                )
                % {
                    "to_department_name": r.to_department_name,
                    "reason": r.reason,
                    "chinese_date": chinese_date(r.explained_on),
                    "explained_how": r.explained_how,
                    "explanation": r.explanation,
                }
            )
        )
    for closure in file.closures:
        doc.blocks.append(
            Heading(
                gettext("结案材料（%(get_status_display)s）")
                % {"get_status_display": closure.get_status_display()}
            )
        )
        doc.blocks += _closure_blocks(closure)
        if closure.return_reasons:
            doc.blocks.append(Paragraph(closure.return_reasons, label=gettext("退回理由：")))
    if file.reviews:
        doc.blocks.append(Heading(gettext("复查复核")))
        doc.blocks.append(
            Table(
                (
                    gettext("类别"),
                    gettext("机关"),
                    gettext("申请日期"),
                    gettext("答复期限"),
                    gettext("结论"),
                    gettext("意见"),
                ),
                tuple(
                    (
                        r.get_kind_display(),
                        r.department.name,
                        chinese_date(r.applied_on),
                        chinese_date(r.due_on),
                        r.get_outcome_display() or gettext("待答复"),
                        _text(r.opinion),
                    )
                    for r in file.reviews
                ),
            )
        )
    doc.blocks.append(Heading(gettext("办理记录")))
    doc.blocks.append(
        Table(
            (
                gettext("序号"),
                gettext("时间"),
                gettext("事件"),
                gettext("操作人"),
                gettext("校验值"),
            ),
            tuple(
                (
                    str(e.event.seq),
                    timezone.localtime(e.event.created_at).strftime("%Y-%m-%d %H:%M"),
                    e.label,
                    str(e.event.actor),
                    e.event.hash[:12],
                )
                for e in file.events
            ),
        )
    )
    return doc
