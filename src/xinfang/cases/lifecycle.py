"""The allowed-transitions table: the one place that says which action leads where.

Services look up (action, current state) here before anything else; an action not listed
for the current state is refused with a Chinese message naming both.
"""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from xinfang.cases.models import State
from xinfang.core.errors import RuleViolation
from xinfang.orgs.models import Role, User

S = State

# action -> {from_state: to_state}
TRANSITIONS: dict[str, dict[State, State]] = {
    # R-COUNTY-3: a leader reads and instructs (阅批).
    "read": {S.REGISTERED: S.READ},
    # R-ROUTE-7: the five handling modes, decided after reading.
    "handle_here": {S.READ: S.HANDLING},
    "transfer_down": {S.READ: S.TRANSFERRED},
    "assign_down": {S.READ: S.HANDLING},
    "refer": {S.READ: S.REFERRED},
    "file": {S.READ: S.FILED},
    # R-REPEAT-4: a registration found to repeat another case.
    "merge": {S.REGISTERED: S.MERGED, S.READ: S.MERGED},
    # R-CLOSE-3..5: closure submitted, approved or returned by a leader.
    "submit_closure": {S.HANDLING: S.CLOSING},
    "return_closure": {S.CLOSING: S.HANDLING},
    "approve_closure": {S.CLOSING: S.CLOSED},
    # R-CLOSE-6: the upper level accepts (its case closes) or returns (the lower case reopens).
    "accept_report": {S.HANDLING: S.CLOSED},
    "return_report": {S.CLOSED: S.HANDLING},
    # Issue 3: a lower department's objection accepted — its case is withdrawn and the
    # sender's case goes back to be routed again (R-ROUTE-1), its history kept whole.
    "withdraw": {S.REGISTERED: S.WITHDRAWN, S.READ: S.WITHDRAWN},
    "reroute": {S.TRANSFERRED: S.READ, S.HANDLING: S.READ},
    # 2022 rules: review (复查) and re-review (复核) by the levels above, each with its clocks.
    "review_apply": {S.CLOSED: S.REVIEWING},
    "review_decide": {S.REVIEWING: S.CLOSED},
    "rereview_apply": {S.CLOSED: S.REREVIEWING},
    "rereview_decide": {S.REREVIEWING: S.CLOSED},
    "review_redo": {S.REVIEWING: S.HANDLING, S.REREVIEWING: S.HANDLING},
    # R-CLOSE-7
    "archive": {
        S.CLOSED: S.ARCHIVED,
        S.REFERRED: S.ARCHIVED,
        S.FILED: S.ARCHIVED,
        S.TRANSFERRED: S.ARCHIVED,
    },
}

# Issue 11, R-REPEAT-4: moves back to where a case came from rather than forward along the
# table: action -> {current state: the states it may go back to}. The state taken is the one
# the case left when it entered its current state (the `from_state` of that event), and the
# transition helper (cases/actions/base.py) takes it only if it is listed here. The one way
# out of a frozen state: a merge undone returns the case to registered or read, the only
# states a case is merged from (TRANSITIONS["merge"]).
RETURNS: dict[str, dict[State, frozenset[State]]] = {
    "unmerge": {S.MERGED: frozenset({S.REGISTERED, S.READ})},
}

ACTION_LABELS: dict[str, StrOrPromise] = {
    "register": _("登记"),
    "read": _("阅批"),
    "handle_here": _("决定自办"),
    "transfer_down": _("转办"),
    "assign_down": _("交办"),
    "refer": _("转其他部门"),
    "file": _("存查"),
    "merge": _("并案"),
    "submit_closure": _("提交结案"),
    "return_closure": _("退回结案"),
    "approve_closure": _("批准结案"),
    "accept_report": _("审核通过下级报结"),
    "return_report": _("退回下级报结"),
    "archive": _("归档"),
    "instruct": _("批示"),
    "report_instruction": _("报告批示落实情况"),
    "report_upward": _("向上反映"),
    "report_progress": _("报送办理进展"),
    "extend_deadline": _("延长办理期限"),
    "pause_clock": _("中止计时"),
    "resume_clock": _("恢复计时"),
    "withdraw": _("撤回"),
    "review_apply": _("登记复查申请"),
    "review_decide": _("复查答复"),
    "rereview_apply": _("登记复核申请"),
    "rereview_decide": _("复核答复"),
    "review_redo": _("责令重新办理"),
    "reroute": _("重新分办"),
    "raise_objection": _("提出异议"),
    "decide_objection": _("处理异议"),
    # Checked for a role though they move no state: a refusal names them too, in Chinese.
    "explain_overdue": _("逾期说明"),
    "receive_assignment": _("签收"),
    "add_petition": _("重信重访登记"),
    "add_interview": _("接谈"),
    "add_attachment": _("上传附件"),
    # Issue 11: undoing a merge (RETURNS above: back to the state it was merged from) or an
    # (automatic) repeat link (moves no state).
    "unmerge": _("撤销并案"),
    "unlink_repeat": _("撤销重信重访关联"),
    # R-STAFF-1: the handler of a case handled here named or replaced (moves no state).
    "name_handler": _("指定承办人"),
}

# Timeline entries that record something without being a transition of the table.
EVENT_LABELS: dict[str, StrOrPromise] = {
    **ACTION_LABELS,
    "received_from_upper": _("收到上级交转办"),
    "receive_assignment": _("签收"),
    "merged_in": _("并入案件"),
    "explain_overdue": _("逾期说明"),
    "add_petition": _("重信重访登记"),
    "interview": _("接谈"),
    "attachment": _("上传附件"),
    "raise_objection": _("对交转办提出异议"),
    "objection_rejected": _("异议未被采纳"),
    "deadline_extended": _("延长办理期限"),
    "clock_paused": _("中止计算期限"),
    "clock_resumed": _("恢复计算期限"),
    "due_rederived": _("期限重新计算"),
    "unmerged_out": _("撤销并案，信访件移回原案件"),
    "repeat_unlinked": _("撤销重信重访关联"),
    "unlinked_in": _("撤销重信重访关联后另立案件"),
    # The register of long-standing petitioners (xinfang.persistent, R-REPEAT-1..3).
    "longterm_registered": _("列入信访老户台账"),
    "longterm_reviewed": _("信访老户定期复查"),
    "longterm_settled": _("信访老户问题化解"),
    "longterm_concluded": _("信访老户终结，统一答复口径"),
}

# Who may do what, in the department responsible for the case.
ACTION_ROLES: dict[str, frozenset[str]] = {
    "register": frozenset({Role.REGISTRAR}),
    "read": frozenset({Role.LEADER}),
    "handle_here": frozenset({Role.LEADER}),
    "transfer_down": frozenset({Role.LEADER}),
    "assign_down": frozenset({Role.LEADER}),
    "refer": frozenset({Role.LEADER}),
    "file": frozenset({Role.LEADER}),
    "merge": frozenset({Role.REGISTRAR, Role.LEADER}),
    "submit_closure": frozenset({Role.HANDLER}),
    "return_closure": frozenset({Role.LEADER}),
    "approve_closure": frozenset({Role.LEADER}),
    "accept_report": frozenset({Role.LEADER}),
    "return_report": frozenset({Role.LEADER}),
    "archive": frozenset({Role.REGISTRAR, Role.HANDLER, Role.LEADER}),
    # Records that do not change the state.
    "instruct": frozenset({Role.LEADER}),
    "explain_overdue": frozenset({Role.HANDLER, Role.LEADER}),
    "report_instruction": frozenset({Role.HANDLER}),
    "report_upward": frozenset({Role.LEADER}),
    "report_progress": frozenset({Role.HANDLER, Role.LEADER}),
    # 2022 条例: approved by the head of the handling body.
    "extend_deadline": frozenset({Role.LEADER}),
    "pause_clock": frozenset({Role.LEADER}),
    "resume_clock": frozenset({Role.LEADER}),
    "receive_assignment": frozenset({Role.REGISTRAR, Role.HANDLER, Role.LEADER}),
    "add_petition": frozenset({Role.REGISTRAR}),
    "add_interview": frozenset({Role.REGISTRAR, Role.HANDLER, Role.LEADER}),
    "add_attachment": frozenset({Role.REGISTRAR, Role.HANDLER}),
    "raise_objection": frozenset({Role.LEADER}),
    "decide_objection": frozenset({Role.LEADER}),
    "reroute": frozenset({Role.LEADER}),
    # The sender's leader withdraws the lower case when accepting its objection.
    "withdraw": frozenset({Role.LEADER}),
    # Done by the reviewing department, not the one responsible for the case.
    "review_apply": frozenset({Role.REGISTRAR}),
    "review_decide": frozenset({Role.LEADER}),
    "rereview_apply": frozenset({Role.REGISTRAR}),
    "rereview_decide": frozenset({Role.LEADER}),
    "review_redo": frozenset({Role.LEADER}),
    # Issue 11: whoever may merge may undo it; a repeat link is undone by registrars (who
    # register repeats) and leaders.
    "unmerge": frozenset({Role.REGISTRAR, Role.LEADER}),
    "unlink_repeat": frozenset({Role.REGISTRAR, Role.LEADER}),
    # R-STAFF-1: the leader who decides 自办 names the handler, and names another.
    "name_handler": frozenset({Role.LEADER}),
}

# States in which nothing may change any more.
FROZEN_STATES = frozenset({S.ARCHIVED, S.MERGED, S.WITHDRAWN})
FROZEN_MESSAGES: dict[State, tuple[StrOrPromise, tuple[str, ...]]] = {
    S.ARCHIVED: (_("案件已归档，案卷已封存，不能再作任何修改（R-CLOSE-7）。"), ("R-CLOSE-7",)),
    S.MERGED: (_("案件已并入其他案件，请在并入后的案件中办理。"), ("R-REPEAT-4",)),
    S.WITHDRAWN: (_("案件已撤回上级重新分办，本单位不再办理。"), ("R-ROUTE-1",)),
}
# States in which the case is no longer being worked on here (its clock has stopped).
FINISHED_STATES = frozenset(
    {S.CLOSED, S.ARCHIVED, S.REFERRED, S.TRANSFERRED, S.FILED, S.MERGED, S.WITHDRAWN}
)


def target_state(action: str, current: str) -> State | None:
    return TRANSITIONS.get(action, {}).get(State(current))


def returns_from(action: str, current: str) -> frozenset[State]:
    """The states `action` may take a case in `current` back to (RETURNS); empty if none."""
    return RETURNS.get(action, {}).get(State(current), frozenset())


def require_action_role(actor: User, action: str) -> None:
    """Refuse, in Chinese, an actor holding none of the roles `action` needs."""
    needed = ACTION_ROLES[action]
    if not any(actor.has_role(r) for r in needed):
        names = "、".join(str(Role(r).label) for r in sorted(needed))
        raise RuleViolation(
            gettext("您没有“%(action)s”的权限（需要：%(names)s）。")
            % {"action": ACTION_LABELS.get(action, action), "names": names}
        )
