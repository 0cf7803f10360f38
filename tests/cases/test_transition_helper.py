"""The one transition helper (cases/actions/base.py): the table decides, the caller writes
exactly one event, and nothing outside the helper sets a case's state."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.utils import timezone

from tests.builders import register
from tests.orgtree import Tree
from xinfang.cases import actions as cs
from xinfang.cases.actions.base import transition
from xinfang.cases.models import Case, CaseEvent, Instruction, State
from xinfang.core.errors import RuleViolation

SRC = Path(__file__).resolve().parents[2] / "src" / "xinfang"


def test_an_allowed_move_writes_the_state_and_one_event(tree: Tree) -> None:
    case = register(tree.city_staff)
    with transition(case, "read", actor=tree.city_staff) as step:
        assert step.to == State.READ
        note = Instruction.objects.create(
            case=step.case, leader=tree.city_staff, text="阅", created_at=timezone.now()
        )
        event = step.write(payload={"text": "阅"}, records=[note])
    case.refresh_from_db()
    assert case.state == State.READ
    # The payload and a digest of the record it covers are in the chain (R-PROTECT-2).
    assert event.payload == {"text": "阅"}
    assert [(kind, pk) for kind, pk, _digest in event.records] == [("instruction", note.pk)]
    assert list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True)) == [
        "register",
        "read",
    ]


def test_the_table_refuses_with_a_chinese_message(tree: Tree) -> None:
    case = register(tree.city_staff)
    with (
        pytest.raises(RuleViolation, match="案件当前状态为“已登记”，不能进行“批准结案”操作"),
        transition(case, "approve_closure", actor=tree.city_staff),
    ):
        pass  # pragma: no cover - never reached


def test_a_custom_refusal_names_the_state(tree: Tree) -> None:
    case = register(tree.city_staff)
    with (
        pytest.raises(RuleViolation, match=r"^不能在“已登记”时这样做$"),
        transition(case, "archive", actor=tree.city_staff, refused="不能在“{state}”时这样做"),
    ):
        pass  # pragma: no cover - never reached


def test_a_transition_that_writes_nothing_is_an_error_and_leaves_nothing(tree: Tree) -> None:
    case = register(tree.city_staff)
    with (
        pytest.raises(RuntimeError, match="ended without writing its change"),
        transition(case, "read", actor=tree.city_staff) as step,
    ):
        step.case.title = "改了标题却没有写入事件"
    case.refresh_from_db()
    assert case.state == State.REGISTERED
    assert CaseEvent.objects.filter(case=case).count() == 1


def test_a_second_event_in_one_transition_is_refused(tree: Tree) -> None:
    case = register(tree.city_staff)
    with (
        pytest.raises(RuntimeError, match="exactly one event"),
        transition(case, "read", actor=tree.city_staff) as step,
    ):
        step.write(payload={})
        step.write(payload={})
    assert Case.objects.get(pk=case.pk).state == State.REGISTERED
    assert CaseEvent.objects.filter(case=case).count() == 1


def test_the_actor_is_checked_before_the_table(tree: Tree) -> None:
    case = register(tree.city_staff)
    with (
        pytest.raises(
            RuleViolation, match=r"只有责任部门（临江市委组织部）可以办理此案件（R-ROUTE-1）"
        ),
        transition(case, "read", actor=tree.county_staff),
    ):
        pass  # pragma: no cover - never reached


def _state_assignments(path: Path) -> list[str]:
    """The functions (Class.method) in `path` that assign some object's `.state`."""
    found: list[str] = []

    def visit(node: ast.AST, where: str) -> None:
        for child in ast.iter_child_nodes(node):
            name = getattr(child, "name", None)
            inner = f"{where}.{name}".strip(".") if name else where
            if "mutmut" in where:
                continue  # a mutation-testing run's copies of the functions (./dev mutate)
            if isinstance(child, ast.Assign) and any(
                isinstance(t, ast.Attribute) and t.attr == "state" for t in child.targets
            ):
                found.append(where)
            visit(child, inner)

    visit(ast.parse(path.read_text()), "")
    return found


def test_no_state_is_set_outside_the_helper() -> None:
    """Only Transition.write assigns `.state`, with two named exceptions: the demo copies a
    state it read into its own in-memory object before merging, which it never saves; and
    the bench generator (demo/bulk.py) builds rows in memory and writes them with their
    events, chains computed, outside any live case. (Unmerging goes through the helper too,
    by lifecycle.RETURNS: tested below.) An early warning's state is not a case's: its steps
    (alerts/services.py: warning_step) keep their own timeline, WarningStep."""
    found = {
        str(p.relative_to(SRC)): _state_assignments(p)
        for p in SRC.rglob("*.py")
        if "migrations" not in p.parts
    }
    assert {k: v for k, v in found.items() if v} == {
        "cases/actions/base.py": ["Transition.write"],
        "demo/run.py": ["CaseRun.merge"],
        "demo/bulk.py": ["_Chain.step"],
        "alerts/services.py": ["warning_step"],
    }


def _merged(tree: Tree, *, read_first: bool) -> Case:
    case = register(tree.city_staff)
    if read_first:
        case = cs.case_read(actor=tree.city_staff, case=case, text="阅")
    return cs.case_merge(
        actor=tree.city_staff, case=case, into=register(tree.city_staff), reason="重复"
    )


@pytest.mark.parametrize(
    ("read_first", "back"), [(False, State.REGISTERED), (True, State.READ)], ids=["reg", "read"]
)
def test_a_move_back_returns_to_the_state_the_case_left(
    tree: Tree, read_first: bool, back: State
) -> None:
    """R-REPEAT-4: the helper lets `unmerge` (and only it) out of the frozen 已并案 state, to
    the state the merge left: 已登记 or 已阅批."""
    case = _merged(tree, read_first=read_first)
    with transition(case, "unmerge", actor=tree.city_staff) as step:
        assert step.to == back
        step.case.merged_into = None
        step.write(payload={}, fields=["merged_into"])
    case.refresh_from_db()
    assert (case.state, case.merged_into_id) == (back, None)
    last = CaseEvent.objects.get(case=case, seq=case.event_count)
    assert (last.kind, last.from_state, last.to_state) == ("unmerge", State.MERGED, back)


def test_another_action_stays_refused_on_a_merged_case(tree: Tree) -> None:
    case = _merged(tree, read_first=False)
    with (
        pytest.raises(RuleViolation, match="案件已并入其他案件，请在并入后的案件中办理"),
        transition(case, "read", actor=tree.city_staff),
    ):
        pass  # pragma: no cover - never reached


def test_a_move_back_is_refused_where_the_table_has_none(tree: Tree) -> None:
    case = register(tree.city_staff)
    with (
        pytest.raises(RuleViolation, match="案件当前状态为“已登记”，不能进行“撤销并案”操作"),
        transition(case, "unmerge", actor=tree.city_staff),
    ):
        pass  # pragma: no cover - never reached
