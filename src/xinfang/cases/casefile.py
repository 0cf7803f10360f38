"""The case file (案卷) as a reader sees it: for reading, printing and export (R-CLOSE-7).

One selector gathers everything a sealed file holds (petitions, interviews, respondents,
attachments' details, instructions, routing, assignments, closures, reviews, timeline), with
protected material (identity, letter text, interviews, attachments, protected timeline
values) read only through the protection policy, `cases.protection` (R-PROTECT-1).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext

from xinfang.cases.clocks import CaseEnd, case_clocks, case_end
from xinfang.cases.family import petitions_of_case
from xinfang.cases.lifecycle import EVENT_LABELS, FINISHED_STATES
from xinfang.cases.models import Case, CaseEvent, State
from xinfang.cases.protection import CaseProtection, PetitionerView, protection_for
from xinfang.deadlines.clocks import ClockState
from xinfang.orgs.models import User
from xinfang.petitions.models import Petition


@dataclass
class PetitionEntry:
    petition: Petition
    petitioners: list[PetitionerView]
    identity_shown: bool
    content: str
    respondents: list[Any] = field(default_factory=list)
    # 当事干部 of a personal request: usually the petitioner, so only with the identity.
    concerned_cadre: Any = None
    interviews: list[Any] = field(default_factory=list)
    attachments: list[Any] = field(default_factory=list)
    # A petition that came by bulk import: its record (source, an online message's
    # posting time, issue 11 item 1); None for one registered at the desk.
    imported: Any = None


@dataclass(frozen=True)
class EventEntry:
    event: CaseEvent
    label: str


@dataclass
class CaseFile:
    case: Case
    petitions: list[PetitionEntry]
    instructions: list[Any]
    routing_decisions: list[Any]
    assignments: list[Any]
    referral: Any
    closures: list[Any]
    reviews: list[Any]
    overdue_explanations: list[Any]
    events: list[EventEntry]
    protection: CaseProtection
    # The clocks as of today; a provisional one (暂定) says why (deadlines.clocks).
    clocks: list[ClockState] = field(default_factory=list)
    # When and how the case stopped being worked on, if it did (its clocks stop then).
    end: CaseEnd | None = None

    @property
    def sealed(self) -> bool:
        return self.case.state == State.ARCHIVED


def case_file(user: User, case: Case) -> CaseFile:
    """Everything in the file of `case`, as `user` may see it. `case` must come from
    cases.access.get_case_for_user."""
    entries = []
    petitions = (
        petitions_of_case(case)
        .select_related("receiving_department", "registrar", "concerned_cadre", "imported_from")
        .prefetch_related("respondents", "interviews__receivers", "attachments")
        .order_by("received_on", "pk")
    )
    protection = protection_for(user, case)  # once for the case, not per petition
    for p in petitions:
        entries.append(
            PetitionEntry(
                petition=p,
                petitioners=protection.petitioners(p),
                # Anonymous letters too: their text often identifies the writer.
                identity_shown=protection.identity_shown,
                content=protection.content(p),
                respondents=list(p.respondents.all()),
                concerned_cadre=protection.concerned_cadre(p),
                interviews=protection.interviews(p),
                attachments=protection.attachments(p),
                # The reverse one-to-one raises an AttributeError when there is none.
                imported=getattr(p, "imported_from", None),
            )
        )
    referral = getattr(case, "referral", None)
    events = list(case.events.select_related("actor").order_by("seq"))
    end = case_end(case, events)
    return CaseFile(
        case=case,
        petitions=entries,
        instructions=list(case.instructions.select_related("leader")),
        routing_decisions=list(case.routing_decisions.select_related("decided_by")),
        assignments=list(case.assignments.select_related("to_department", "child")),
        referral=referral,
        closures=list(case.closures.select_related("submitted_by", "decided_by")),
        reviews=list(case.reviews.select_related("department", "decided_by")),
        overdue_explanations=list(case.overdue_explanations.select_related("explained_by")),
        events=[EventEntry(ev, str(EVENT_LABELS.get(ev.kind, ev.kind))) for ev in events],
        protection=protection,
        clocks=case_clocks(case, end=end),
        end=end,
    )


def _text(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, bool, float, list, dict)):
        return value
    return str(value)


def case_file_export(file: CaseFile) -> dict[str, Any]:
    """The file as JSON-ready data: Chinese labels for people, codes kept for machines."""
    c = file.case
    return {
        gettext("案件编号"): c.number,
        gettext("档案号"): c.archive_number,
        gettext("事项摘要"): c.title,
        gettext("责任部门"): c.department.name,
        gettext("状态"): str(State(c.state).label),
        gettext("处理方式"): c.get_handling_mode_display(),
        gettext("问题类别"): c.get_category_display(),
        gettext("信访性质"): c.get_nature_display(),
        gettext("登记时间"): _text(c.registered_at),
        gettext("结案时间"): _text(c.closed_at),
        gettext("归档时间"): _text(c.archived_at),
        gettext("来信来访"): [
            {
                gettext("信访形式"): e.petition.get_channel_display(),
                gettext("收到日期"): _text(e.petition.received_on),
                gettext("受理部门"): e.petition.receiving_department.name,
                gettext("内容摘要"): e.petition.summary,
                gettext("全文"): e.content,
                gettext("匿名"): e.petition.is_anonymous,
                gettext("集体访"): e.petition.is_collective,
                gettext("人数"): e.petition.head_count,
                gettext("信访人"): [
                    {
                        gettext("姓名"): v.name,
                        gettext("身份证号"): v.id_number,
                        gettext("电话"): v.phone,
                        gettext("代表"): v.is_representative,
                    }
                    for v in e.petitioners
                ],
                gettext("被反映人"): [
                    {
                        gettext("姓名"): r.name,
                        gettext("单位"): r.unit,
                        gettext("职务"): r.post_title,
                        gettext("主要领导"): r.is_main_leader,
                    }
                    for r in e.respondents
                ],
                gettext("当事干部"): (
                    {
                        gettext("姓名"): e.concerned_cadre.name,
                        gettext("单位"): e.concerned_cadre.unit,
                        gettext("职务"): e.concerned_cadre.post_title,
                    }
                    if e.concerned_cadre is not None
                    else None
                ),
                gettext("接谈记录"): [
                    {
                        gettext("时间"): _text(i.interviewed_at),
                        gettext("反映情况"): i.statement,
                        gettext("要求"): i.requests,
                        gettext("当场答复"): i.answer,
                    }
                    for i in e.interviews
                ],
                gettext("附件"): [
                    {
                        gettext("文件名"): a.original_name,
                        gettext("大小"): a.size,
                        "SHA-256": a.sha256,
                    }
                    for a in e.attachments
                ],
            }
            for e in file.petitions
        ],
        gettext("期限"): [
            {
                gettext("期限"): c.name,
                gettext("起算日"): _text(c.start),
                gettext("到期日"): _text(c.due_on),
                gettext("状态"): str(c.label),
                gettext("已停止"): _text(c.stopped_on),
                gettext("暂定"): c.provisional,
                gettext("暂定说明"): c.provisional_note,
            }
            for c in file.clocks
        ],
        gettext("领导批示"): [
            {
                gettext("批示人"): str(i.leader),
                gettext("内容"): i.text,
                gettext("时间"): _text(i.created_at),
                gettext("报告"): i.report_text,
            }
            for i in file.instructions
        ],
        gettext("结案材料"): [
            {
                gettext("审核状态"): cl.get_status_display(),
                gettext("事实"): cl.facts,
                gettext("处理意见"): cl.decision,
                gettext("政策依据"): cl.policy_basis,
                gettext("本人意见"): cl.petitioner_opinion,
                gettext("审查意见"): cl.review_opinion,
                gettext("退回理由"): cl.return_reasons,
            }
            for cl in file.closures
        ],
        gettext("办理记录"): [
            {
                gettext("序号"): e.event.seq,
                gettext("事件"): e.label,
                gettext("操作人"): str(e.event.actor),
                gettext("时间"): _text(e.event.created_at),
                gettext("原状态"): e.event.from_state,
                gettext("新状态"): e.event.to_state,
                gettext("内容"): file.protection.event_payload(e.event.payload),
                gettext("校验值"): e.event.hash,
            }
            for e in file.events
        ],
    }


def instruction_dates(file: CaseFile, today: dt.date) -> list[tuple[Any, bool]]:
    """R-COUNTY-3 (leaders read, instruct and follow up): each leader's date that still binds
    the case (要求…前完成), with whether it has passed. It binds while the case is open
    and, where the leader asked for a report, none has been made; it is overdue from the
    day after. The case's own clocks (`case_clocks`) are the rule set's; this is the
    leader's, shown beside them on the case page."""
    if file.case.state in FINISHED_STATES:
        return []
    return [
        (i, i.due_on < today)
        for i in file.instructions
        if i.due_on is not None and not (i.report_required and i.reported_at is not None)
    ]
