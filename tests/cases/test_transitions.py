"""Every allowed and every refused transition of the lifecycle table (design.md, Case lifecycle).

Each state is reached through the real services; each action is then tried with valid input.
Allowed: the case moves to the table's target state and gains exactly one event on its
timeline. Refused: a RuleViolation in Chinese, and nothing written anywhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.utils import timezone

from tests.builders import complete_closure, register
from tests.orgtree import Tree
from xinfang.cases import actions as cs
from xinfang.cases.lifecycle import RETURNS, TRANSITIONS
from xinfang.cases.models import Assignment, Case, CaseEvent, Closure, Instruction, Referral, State
from xinfang.core.errors import RuleViolation
from xinfang.orgs.models import User
from xinfang.petitions.models import Petition


@dataclass
class Ctx:
    tree: Tree
    staff: User  # registrar + handler + leader of the city organization department
    leader2: User  # a second leader, who approves closures submitted by `staff`
    other: Case | None = None  # a registered case to merge into


def _new(ctx: Ctx) -> Case:
    return register(ctx.staff)


def _read(ctx: Ctx, case: Case) -> Case:
    return cs.case_read(actor=ctx.staff, case=case, text="请调查核实。")


BUILD: dict[State, Callable[[Ctx], Case]] = {}


def _state(state: State) -> Callable[[Callable[[Ctx], Case]], Callable[[Ctx], Case]]:
    def deco(fn: Callable[[Ctx], Case]) -> Callable[[Ctx], Case]:
        BUILD[state] = fn
        return fn

    return deco


@_state(State.REGISTERED)
def _registered(ctx: Ctx) -> Case:
    return _new(ctx)


@_state(State.READ)
def _read_state(ctx: Ctx) -> Case:
    return _read(ctx, _new(ctx))


@_state(State.HANDLING)
def _handling(ctx: Ctx) -> Case:
    return cs.case_handle_here(actor=ctx.staff, handler=ctx.staff, case=BUILD[State.READ](ctx))


@_state(State.CLOSING)
def _closing(ctx: Ctx) -> Case:
    case = BUILD[State.HANDLING](ctx)
    cs.closure_submit(actor=ctx.staff, case=case, **complete_closure(case))
    return Case.objects.get(pk=case.pk)


@_state(State.CLOSED)
def _closed(ctx: Ctx) -> Case:
    case = BUILD[State.CLOSING](ctx)
    cs.closure_approve(actor=ctx.leader2, case=case)
    return Case.objects.get(pk=case.pk)


@_state(State.ARCHIVED)
def _archived(ctx: Ctx) -> Case:
    return cs.case_archive(actor=ctx.staff, case=BUILD[State.CLOSED](ctx))


@_state(State.REFERRED)
def _referred(ctx: Ctx) -> Case:
    return Case.objects.get(pk=ACT["refer"](ctx, BUILD[State.READ](ctx)).pk)


@_state(State.TRANSFERRED)
def _transferred(ctx: Ctx) -> Case:
    return Case.objects.get(pk=ACT["transfer_down"](ctx, BUILD[State.READ](ctx)).pk)


@_state(State.FILED)
def _filed(ctx: Ctx) -> Case:
    return cs.case_file(
        routing_note="按实际情况分办",
        actor=ctx.staff,
        case=BUILD[State.READ](ctx),
        reason="内容笼统，无从查证。",
    )


@_state(State.WITHDRAWN)
def _withdrawn(ctx: Ctx) -> Case:
    parent = BUILD[State.READ](ctx)
    assignment = cs.case_assign_down(
        routing_note="按实际情况分办",
        actor=ctx.staff,
        case=parent,
        to_department=ctx.tree.county_org,
    )
    objection = cs.objection_raise(
        actor=ctx.tree.county_staff, assignment=assignment, reasons="不属本县管理权限"
    )
    cs.objection_accept(actor=ctx.staff, objection=objection)
    return Case.objects.get(pk=assignment.child_id)


@_state(State.MERGED)
def _merged(ctx: Ctx) -> Case:
    return cs.case_merge(
        actor=ctx.staff, case=_new(ctx), into=_new(ctx), reason="同一事项重复来信。"
    )


def _refer(ctx: Ctx, case: Case) -> Case:
    cs.case_refer(
        routing_note="按实际情况分办",
        actor=ctx.staff,
        case=case,
        to_department=ctx.tree.city_court,
        reason="属诉讼事项",
        explanation="您反映的问题属法院受理范围，已转市中级人民法院。",
        explained_on=timezone.localdate(),
        explained_how="书面告知",
    )
    return case


def _transfer(ctx: Ctx, case: Case) -> Case:
    cs.case_transfer_down(
        routing_note="按实际情况分办", actor=ctx.staff, case=case, to_department=ctx.tree.county_org
    )
    return case


def _assign(ctx: Ctx, case: Case) -> Case:
    cs.case_assign_down(
        routing_note="按实际情况分办", actor=ctx.staff, case=case, to_department=ctx.tree.county_org
    )
    return case


ACT: dict[str, Callable[[Ctx, Case], Case]] = {
    "read": _read,
    "handle_here": lambda ctx, case: cs.case_handle_here(
        actor=ctx.staff, handler=ctx.staff, case=case
    ),
    "transfer_down": _transfer,
    "assign_down": _assign,
    "refer": _refer,
    "file": lambda ctx, case: cs.case_file(
        routing_note="按实际情况分办", actor=ctx.staff, case=case, reason="无从查证"
    ),
    "merge": lambda ctx, case: cs.case_merge(
        actor=ctx.staff, case=case, into=ctx.other, reason="重复"
    ),
    "submit_closure": lambda ctx, case: (
        cs.closure_submit(actor=ctx.staff, case=case, **complete_closure(case)) and case
    ),
    "return_closure": lambda ctx, case: (
        cs.closure_return(actor=ctx.leader2, case=case, reasons="事实不清") and case
    ),
    "approve_closure": lambda ctx, case: cs.closure_approve(actor=ctx.leader2, case=case) and case,
    "archive": lambda ctx, case: cs.case_archive(actor=ctx.staff, case=case),
    "unmerge": lambda ctx, case: cs.case_unmerge(actor=ctx.staff, case=case, reason="并案有误"),
}
# accept_report / return_report act on an upper case with a reported lower case; their
# allowed paths are tested in test_assignment.py, their refusals here.
ACT["accept_report"] = lambda ctx, case: cs.report_accept(actor=ctx.staff, case=case, child=case)
ACT["return_report"] = lambda ctx, case: cs.report_return(
    actor=ctx.staff, case=case, child=case, reasons="材料不全"
)

_today = timezone.localdate
ACT["review_apply"] = lambda ctx, case: cs.review_apply(
    actor=ctx.tree.prov_staff, case=case, applied_on=_today(), request="不服处理意见"
)
ACT["rereview_apply"] = lambda ctx, case: cs.rereview_apply(
    actor=ctx.tree.prov_staff, case=case, applied_on=_today(), request="不服复查意见"
)
ACT["review_decide"] = lambda ctx, case: cs.review_decide(
    actor=ctx.tree.prov_staff, case=case, outcome="upheld", opinion="维持"
)
ACT["rereview_decide"] = lambda ctx, case: cs.rereview_decide(
    actor=ctx.tree.prov_staff, case=case, outcome="upheld", opinion="维持"
)
ACT["review_redo"] = lambda ctx, case: cs.review_decide(
    actor=ctx.tree.prov_staff, case=case, outcome="redo", opinion="事实不清，重新办理"
)

# These need a setup of their own (a reported lower case; the 2022 rule set with its review
# chain): their allowed paths are tested in test_assignment.py and test_review.py; here,
# that every other state refuses them.
SPECIAL = {
    "accept_report",
    "return_report",
    "review_apply",
    "review_decide",
    "rereview_apply",
    "rereview_decide",
    "review_redo",
}
# withdraw and reroute happen only together, when a sender accepts an objection: their
# allowed and refused paths are tested in test_objections.py.
COMPOUND = {"withdraw", "reroute"}

S = State
# The answer key, written out by hand from design.md (Case lifecycle) and the rulebook, NOT
# read from xinfang.cases.lifecycle: state -> {action: the state it leads to}. Every action
# not listed for a state is refused from that state.
EXPECTED: dict[State, dict[str, State]] = {
    S.REGISTERED: {"read": S.READ, "merge": S.MERGED, "withdraw": S.WITHDRAWN},
    S.READ: {
        "handle_here": S.HANDLING,
        "transfer_down": S.TRANSFERRED,
        "assign_down": S.HANDLING,
        "refer": S.REFERRED,
        "file": S.FILED,
        "merge": S.MERGED,
        "withdraw": S.WITHDRAWN,
    },
    S.HANDLING: {"submit_closure": S.CLOSING, "accept_report": S.CLOSED, "reroute": S.READ},
    S.CLOSING: {"return_closure": S.HANDLING, "approve_closure": S.CLOSED},
    S.CLOSED: {
        "archive": S.ARCHIVED,
        "return_report": S.HANDLING,
        "review_apply": S.REVIEWING,
        "rereview_apply": S.REREVIEWING,
    },
    S.REFERRED: {"archive": S.ARCHIVED},
    S.TRANSFERRED: {"archive": S.ARCHIVED, "reroute": S.READ},
    S.FILED: {"archive": S.ARCHIVED},
    S.REVIEWING: {"review_decide": S.CLOSED, "review_redo": S.HANDLING},
    S.REREVIEWING: {"rereview_decide": S.CLOSED, "review_redo": S.HANDLING},
    # Frozen: nothing at all (R-CLOSE-7, R-REPEAT-4, R-ROUTE-1), except that a merge is
    # undone (R-REPEAT-4): back to the state it was merged from, here 已登记 (BUILD merges a
    # registered case; the way back from 已阅批 is in test_transition_helper.py).
    S.ARCHIVED: {},
    S.MERGED: {"unmerge": S.REGISTERED},
    S.WITHDRAWN: {},
}
# The moves back (lifecycle.RETURNS), written out by hand: action -> {state: the states it
# may return to}. A merge is made from 已登记 or 已阅批 only.
EXPECTED_RETURNS: dict[str, dict[State, set[State]]] = {
    "unmerge": {S.MERGED: {S.REGISTERED, S.READ}},
}
ACTIONS = [
    "read",
    "handle_here",
    "transfer_down",
    "assign_down",
    "refer",
    "file",
    "merge",
    "submit_closure",
    "return_closure",
    "approve_closure",
    "accept_report",
    "return_report",
    "withdraw",
    "reroute",
    "review_apply",
    "review_decide",
    "rereview_apply",
    "rereview_decide",
    "review_redo",
    "archive",
    "unmerge",
]
# The refusal expected for a refused pair, by the reason it is refused: frozen states answer
# with their own message; any other state names the state and the action refused.
FROZEN_REFUSAL = {
    S.ARCHIVED: "案件已归档，案卷已封存，不能再作任何修改（R-CLOSE-7）",
    S.MERGED: "案件已并入其他案件，请在并入后的案件中办理",
    S.WITHDRAWN: "案件已撤回上级重新分办，本单位不再办理",
}
LABELS = {
    "read": "阅批",
    "handle_here": "决定自办",
    "transfer_down": "转办",
    "assign_down": "交办",
    "refer": "转其他部门",
    "file": "存查",
    "merge": "并案",
    "submit_closure": "提交结案",
    "return_closure": "退回结案",
    "approve_closure": "批准结案",
    "accept_report": "审核通过下级报结",
    "return_report": "退回下级报结",
    "archive": "归档",
    "review_apply": "登记复查申请",
    "review_decide": "复查答复",
    "rereview_apply": "登记复核申请",
    "rereview_decide": "复核答复",
    "review_redo": "责令重新办理",
    "unmerge": "撤销并案",
}
STATE_LABELS = {
    S.REGISTERED: "已登记",
    S.READ: "已阅批",
    S.HANDLING: "办理中",
    S.CLOSING: "待审核",
    S.CLOSED: "已结案",
    S.REFERRED: "已转其他部门",
    S.TRANSFERRED: "已转办",
    S.FILED: "存查",
    S.REVIEWING: "复查中",
    S.REREVIEWING: "复核中",
}
# Refusals that come before the state check, from a precondition of the action itself.
# The special actions cannot reach their state check here (no reported lower case, no 2022
# rule set, no pending review): their rows of the table are checked by
# test_the_table_is_the_answer_key below and walked in test_assignment.py / test_review.py.
SPECIAL_REFUSAL = {
    "return_report": "该案件不是本部门交办的案件",
    "review_apply": "现行期限规则没有复查程序",
    "rereview_apply": "复核须在复查之后申请",
    "review_decide": "没有待答复的复查申请",
    "review_redo": "没有待答复的复查申请",
    "rereview_decide": "没有待答复的复核申请",
}
OTHER_REFUSAL: dict[tuple[str, State], str] = {
    # The state check comes first, but from handling the table allows it: no lower case.
    ("accept_report", S.HANDLING): "该案件不是本部门交办的案件",
    # The withdrawn case belongs to the county; the department check of merging comes first.
    ("merge", S.WITHDRAWN): "只能并入本部门的案件",
}


# An action's own refusal where the table refuses (the helper's `refused`), {state} the
# current state's name.
OWN_REFUSAL = {"unmerge": "只有已并案的案件可以撤销并案（案件当前状态为“{state}”）"}


def expected_refusal(action: str, state: State) -> str:
    if action in SPECIAL_REFUSAL and (action != "return_report" or state not in FROZEN_REFUSAL):
        return SPECIAL_REFUSAL[action]
    if (action, state) in OTHER_REFUSAL:
        return OTHER_REFUSAL[(action, state)]
    if state in FROZEN_REFUSAL:
        return FROZEN_REFUSAL[state]
    if action in OWN_REFUSAL:
        return OWN_REFUSAL[action].format(state=STATE_LABELS[state])
    return f"案件当前状态为“{STATE_LABELS[state]}”，不能进行“{LABELS[action]}”操作"


BUILT = [s for s in State if s not in (State.REVIEWING, State.REREVIEWING)]
PAIRS = [(action, state) for action in ACTIONS if action not in COMPOUND for state in BUILT]


def _snapshot() -> tuple[int, ...]:
    return tuple(
        m.objects.count()
        for m in (Case, CaseEvent, Instruction, Assignment, Referral, Closure, Petition)
    )


@pytest.fixture
def ctx(tree: Tree) -> Ctx:
    c = Ctx(tree=tree, staff=tree.city_staff, leader2=tree.staff(tree.city_org, "leader"))
    c.other = _new(c)
    return c


@pytest.mark.parametrize(("action", "state"), PAIRS, ids=[f"{a}-from-{s}" for a, s in PAIRS])
def test_transition(ctx: Ctx, action: str, state: State) -> None:
    case = BUILD[state](ctx)
    assert case.state == state
    target = EXPECTED[state].get(action)
    if target is not None and action not in SPECIAL:
        before = case.event_count
        ACT[action](ctx, case)
        case.refresh_from_db()
        assert case.state == target
        assert case.event_count == before + 1
        assert CaseEvent.objects.filter(case=case).count() == case.event_count
        last = CaseEvent.objects.get(case=case, seq=case.event_count)
        assert (last.kind, last.from_state, last.to_state) == (action, state, target)
        return
    before_counts = _snapshot()
    with pytest.raises(RuleViolation, match=re.escape(expected_refusal(action, state))):
        ACT[action](ctx, case)
    refreshed = Case.objects.get(pk=case.pk)
    assert refreshed.state == state
    assert refreshed.event_count == case.event_count
    assert _snapshot() == before_counts


@pytest.mark.parametrize(
    "state", [State.REVIEWING, State.REREVIEWING], ids=["reviewing", "rereviewing"]
)
def test_review_states_are_built_in_test_review(state: State) -> None:
    # Reaching them needs the 2022 rule set: see test_review.py, which walks both.
    assert state not in BUILD


def test_every_state_is_reachable_and_tested() -> None:
    assert set(BUILD) | {State.REVIEWING, State.REREVIEWING} == set(State)
    assert set(EXPECTED) == set(State)
    assert set(ACT) | COMPOUND == set(ACTIONS)


def test_the_table_is_the_answer_key() -> None:
    """The lifecycle table holds exactly the hand-written moves above, including those of the
    special and compound actions that the walk above cannot take (their own tests do)."""
    written = {
        (action, state, to)
        for state, moves in EXPECTED.items()
        for action, to in moves.items()
        if action not in EXPECTED_RETURNS
    }
    in_code = {
        (action, State(frm), State(to))
        for action, moves in TRANSITIONS.items()
        for frm, to in moves.items()
    }
    assert in_code == written
    assert {
        action: {State(frm): set(back) for frm, back in moves.items()}
        for action, moves in RETURNS.items()
    } == EXPECTED_RETURNS
