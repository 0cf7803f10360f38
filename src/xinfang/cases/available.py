"""Which actions a user may take on a case now: the buttons of the case page and the
guard of every form (web) and transition endpoint (api).

Derived, never listed a second time:
- state moves from the allowed-transitions table (`lifecycle.TRANSITIONS`, read through
  `target_state`): an action is open only from a state the table leaves it;
- roles from `lifecycle.ACTION_ROLES`;
- the department entitled to act, as the actions in `cases/actions/` check it
  (`lock_case`): the responsible department; the reviewing department for a 复查 or 复核
  (applying and deciding); the sender's department for accepting or returning a report from
  below and for deciding an objection; the receiving department for raising one;
- for the records that move no state, the condition the action itself checks first
  (overdue for an explanation, a result required for a progress report, a rule set with
  extensions for extending, an open pause for resuming, ...).

What this function says is a promise of the page, not of the action: the action still
checks everything on the locked row and may refuse (a closure incomplete, a window past),
and the page shows that refusal in Chinese beside the field concerned.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinfang.cases.clocks import case_main_clock, objection_deadline
from xinfang.cases.closure import awaits_acceptance
from xinfang.cases.lifecycle import (
    ACTION_ROLES,
    FINISHED_STATES,
    FROZEN_STATES,
    RETURNS,
    TRANSITIONS,
    returns_from,
    target_state,
)
from xinfang.cases.models import (
    Assignment,
    Case,
    Objection,
    ObjectionStatus,
    Pause,
    ReviewKind,
    ReviewStage,
    State,
)
from xinfang.cases.routing import reviewing_department
from xinfang.core.errors import RuleViolation
from xinfang.deadlines.models import ClockCode
from xinfang.deadlines.selectors import active_rules
from xinfang.orgs.models import User
from xinfang.petitions.models import Petition
from xinfang.routing.terms import HandlingMode

# The order of the buttons on the case page: the day's work first, records after.
ORDER = (
    "read",
    "handle_here",
    "assign_down",
    "transfer_down",
    "refer",
    "file",
    "merge",
    "unmerge",
    "unlink_repeat",
    "receive_assignment",
    "raise_objection",
    "decide_objection",
    "instruct",
    "report_instruction",
    "report_progress",
    "explain_overdue",
    "extend_deadline",
    "pause_clock",
    "resume_clock",
    "submit_closure",
    "approve_closure",
    "return_closure",
    "accept_report",
    "return_report",
    "report_upward",
    # An occasional record: 批示 stays the leader's first button on a case being handled.
    "name_handler",
    "review_apply",
    "review_decide",
    "rereview_apply",
    "rereview_decide",
    "archive",
    "add_interview",
    "add_attachment",
)

# Table entries that are never a button of their own: `withdraw` and `reroute` happen only
# together, when the sender accepts an objection (decide_objection); `review_redo` is the
# "revoke and handle again" outcome of the review decision forms.
NOT_BUTTONS = frozenset({"withdraw", "reroute", "review_redo"})


# The answer of a page form or an API action that is not open to the user now (may_act).
NOT_OPEN = _("您不能对本案进行此项操作：可能是您的角色或部门不办理此事，或案件当前的状态不允许。")


def _may(user: User, action: str, department_id: int | None) -> bool:
    """The role of `ACTION_ROLES[action]` in the department entitled to act."""
    if department_id is None or user.department_id != department_id:
        return False
    return any(user.has_role(r) for r in ACTION_ROLES[action])


def _moves(action: str, state: str) -> bool:
    return target_state(action, state) is not None


def _assignment_from_above(case: Case) -> Assignment | None:
    if case.parent_id is None:
        return None
    return Assignment.objects.filter(child=case).select_related("case").first()


def pending_reports(case: Case) -> list[Assignment]:
    """Assignments down from `case` whose child reported its closure, not yet accepted or
    returned since (R-CLOSE-6)."""
    rows = Assignment.objects.filter(
        case=case, mode=HandlingMode.ASSIGN, reported_at__isnull=False, accepted_at__isnull=True
    ).select_related("child", "to_department")
    return [
        a for a in rows if a.returned_at is None or a.returned_at < (a.reported_at or a.sent_at)
    ]


def pending_objections(case: Case) -> list[Objection]:
    """Objections awaiting the sender, on the assignments from `case` or on the one that
    brought `case` down."""
    return list(
        Objection.objects.filter(status=ObjectionStatus.PENDING)
        .filter(
            assignment__in=Assignment.objects.filter(case=case)
            | Assignment.objects.filter(child=case)
        )
        .select_related("assignment__case", "assignment__child", "assignment__to_department")
        .order_by("raised_at")
    )


def actions_open_to(user: User, case: Case, today: dt.date | None = None) -> list[str]:
    """The actions `user` may take on `case` now (codes of `lifecycle.ACTION_LABELS`), in
    the page's order. `case` must come from `cases.access` (the user may see it)."""
    if user.department_id is None:
        return []
    if case.state in FROZEN_STATES:
        # The one way out of a frozen state is a move back of lifecycle.RETURNS (issue 11:
        # unmerge), while the case it was merged into can still give its petitions back.
        return [
            action
            for action in ORDER
            if action in RETURNS
            and returns_from(action, case.state)
            and _may(user, action, case.department_id)
            and _may_move_back(case)
        ]
    today = today or timezone.localdate()
    state = case.state
    own = case.department_id
    open_: set[str] = set()

    # State moves of the responsible department, straight from the table.
    for action in TRANSITIONS:
        if action in NOT_BUTTONS or action in (
            "accept_report",
            "return_report",
            "review_apply",
            "review_decide",
            "rereview_apply",
            "rereview_decide",
        ):
            continue
        if _moves(action, state) and _may(user, action, own):
            open_.add(action)
    # The sender's own case of a 交办 waits for the report from below (R-CLOSE-6).
    if case.handling_mode == HandlingMode.ASSIGN:
        open_.discard("submit_closure")
    # A case sent from above is objected to, never merged away (case_merge).
    if case.parent_id is not None:
        open_.discard("merge")
    # R-CLOSE-6: a result reported up is archived once the sender has accepted it.
    if awaits_acceptance(case):
        open_.discard("archive")

    # Reports from below: accepted on the sender's case, returned on the lower one.
    reports = pending_reports(case) if _moves("accept_report", state) else []
    if reports and _may(user, "accept_report", own):
        open_.add("accept_report")
    if any(_moves("return_report", a.child.state) for a in reports) and _may(
        user, "return_report", own
    ):
        open_.add("return_report")

    # Objections: raised by the receiving department while the sender may still withdraw
    # the case (the table's `withdraw`), decided by the sender's department.
    above = _assignment_from_above(case)
    if (
        above is not None
        and _moves("withdraw", state)
        and _may(user, "raise_objection", own)
        and not Objection.objects.filter(assignment=above, status=ObjectionStatus.PENDING).exists()
        and today <= objection_deadline(above)
    ):
        open_.add("raise_objection")
    objections = pending_objections(case)
    if any(
        _moves("reroute", o.assignment.case.state)
        and _may(user, "decide_objection", o.assignment.case.department_id)
        for o in objections
    ):
        open_.add("decide_objection")

    # The review chain (2022 rules): the department one level up registers and answers.
    rules = active_rules()
    for kind, apply_code, decide_code, stage in (
        (ReviewKind.REVIEW, "review_apply", "review_decide", ReviewStage.NONE),
        (ReviewKind.REREVIEW, "rereview_apply", "rereview_decide", ReviewStage.REVIEWED),
    ):
        if _moves(apply_code, state) and case.review_stage == stage and apply_code in rules:
            reviewer = reviewing_department(case, kind)
            if reviewer is not None and _may(user, apply_code, reviewer.pk):
                open_.add(apply_code)
        if _moves(decide_code, state):
            review = case.reviews.filter(kind=kind, decided_at__isnull=True).first()
            if review is not None and _may(user, decide_code, review.department_id):
                open_.add(decide_code)

    # Records that move no state, each on the condition its action checks first.
    finished = state in FINISHED_STATES
    if (
        state == State.HANDLING
        and case.handling_mode == HandlingMode.SELF
        and _may(user, "name_handler", own)
    ):
        open_.add("name_handler")
    if _may(user, "instruct", own):
        open_.add("instruct")
    if (
        _may(user, "report_instruction", own)
        and case.instructions.filter(report_required=True, reported_at__isnull=True).exists()
    ):
        open_.add("report_instruction")
    if _may(user, "report_upward", own) and not case.report_upward:
        open_.add("report_upward")
    if not finished and case.result_required and _may(user, "report_progress", own):
        open_.add("report_progress")
    if (
        not finished
        and case.due_on is not None
        and case.due_on < today
        and _may(user, "explain_overdue", own)
    ):
        open_.add("explain_overdue")
    if above is not None and above.received_at is None and _may(user, "receive_assignment", own):
        open_.add("receive_assignment")
    if not finished and ClockCode.HANDLING in rules:
        paused = Pause.objects.filter(case=case, end_on__isnull=True).exists()
        wants = [
            a for a in ("extend_deadline", "pause_clock", "resume_clock") if _may(user, a, own)
        ]
        if wants:
            main = case_main_clock(case, today)
            if main is not None and main.stopped_on is not None:
                main = None  # a stopped clock (closed, under review) is not moved
            handling = main is not None and main.code == ClockCode.HANDLING
            if "extend_deadline" in wants and handling and ClockCode.EXTENSION_MAX in rules:
                open_.add("extend_deadline")
            if "pause_clock" in wants and main is not None and not paused:
                open_.add("pause_clock")
            if "resume_clock" in wants and paused:
                open_.add("resume_clock")
    # Issue 11: a repeat (linked by hand or automatically) taken out into a case of its own,
    # while the case keeps another petition (actions/matching.py: repeat_unlink).
    if _may(user, "unlink_repeat", own) and unlinkable_petitions(case).exists():
        open_.add("unlink_repeat")
    # Interviews and attachments belong to the petitions, which stay on the first case.
    if case.parent_id is None and Petition.objects.filter(case=case).exists():
        for action in ("add_interview", "add_attachment"):
            if _may(user, action, own):
                open_.add(action)
    return [a for a in ORDER if a in open_]


def _may_move_back(case: Case) -> bool:
    """A merged case is unmerged while the case it went into is not frozen itself (archived,
    merged on, withdrawn): case_unmerge refuses that with its reason."""
    if case.merged_into_id is None:
        return False
    into = Case.objects.filter(pk=case.merged_into_id).values_list("state", flat=True).first()
    return into is not None and into not in FROZEN_STATES


def unlinkable_petitions(case: Case) -> QuerySet[Petition]:
    """The repeats on `case` that `repeat_unlink` may take out: none when the case holds a
    single petition."""
    if Petition.objects.filter(case=case).count() < 2:
        return Petition.objects.none()
    return Petition.objects.filter(case=case, is_repeat=True).order_by("received_on", "pk")


def may_act(user: User, case: Case, action: str) -> bool:
    """The one check of whether `user` may open `action` on `case` now: the case page's
    forms (web/views/case.py) and the API's action endpoints that are guarded
    (api/writes.py: unmerge, unlink_repeat) both ask it."""
    return action in actions_open_to(user, case)


def require_open(user: User, case: Case, action: str) -> None:
    """`may_act` as a refusal in Chinese (the API's 422)."""
    if not may_act(user, case, action):
        raise RuleViolation(str(NOT_OPEN))
