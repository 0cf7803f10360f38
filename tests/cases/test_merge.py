"""R-REPEAT-4: merging a registration into the case it repeats (并案): what it refuses, in
whose words and under which rule, and what its two events record (the merged case's, and
the target's, from which case_unmerge gives the petitions back)."""

from __future__ import annotations

import pytest

from tests.builders import register
from tests.cases.test_assignment import _assigned
from tests.orgtree import Tree
from xinfang.cases import actions as cs
from xinfang.cases.models import Case, CaseEvent, State
from xinfang.core.errors import RuleViolation
from xinfang.petitions.models import Petition


def _refused(message: str, **kw: object) -> None:
    with pytest.raises(RuleViolation, match=f"^{message}$") as err:
        cs.case_merge(**kw)  # type: ignore[arg-type]
    assert err.value.rules == ("R-REPEAT-4",)


def test_r_repeat_4_every_plain_refusal_at_once(tree: Tree) -> None:
    case = register(tree.county_staff)
    _refused(
        "“理由”不能为空。；不能并入案件本身。",
        actor=tree.county_staff,
        case=case,
        into=case,
        reason=" ",
    )
    other = register(tree.baisha_staff)
    _refused(
        "只能并入本部门的案件。", actor=tree.county_staff, case=case, into=other, reason="同一事项"
    )
    assert Case.objects.get(pk=case.pk).state == State.REGISTERED
    assert CaseEvent.objects.filter(case=case).count() == 1


def test_r_repeat_4_never_into_a_merged_case_even_one_read_before_it_was_merged(
    tree: Tree,
) -> None:
    case, target, last = (register(tree.county_staff) for _ in range(3))
    stale = Case.objects.get(pk=target.pk)  # read while still registered
    cs.case_merge(actor=tree.county_staff, case=target, into=last, reason="同一事项")
    merged = Case.objects.get(pk=target.pk)
    kw = {"actor": tree.county_staff, "case": case, "reason": "同一事项"}
    _refused("目标案件已归档或已并案，不能并入。", into=merged, **kw)
    # Checked again on the locked row: the state the caller read is not trusted.
    _refused("目标案件已归档或已并案，不能并入。", into=stale, **kw)
    assert Case.objects.get(pk=case.pk).state == State.REGISTERED


def test_r_repeat_4_a_case_received_from_above_is_objected_to_not_merged(tree: Tree) -> None:
    _, child = _assigned(tree)
    own = register(tree.county_staff)
    _refused(
        "上级转交办的案件不能并案；如交转办有误，请向上级提出异议。",
        actor=tree.county_staff,
        case=child,
        into=own,
        reason="同一事项",
    )


def test_r_repeat_4_both_events_record_the_merge(tree: Tree) -> None:
    target = register(tree.county_staff)
    case = register(tree.county_staff)
    [moved] = Petition.objects.filter(case=case).values_list("pk", flat=True)
    cs.case_merge(actor=tree.county_staff, case=case, into=target, reason=" 同一事项 ")
    assert Petition.objects.get(pk=moved).case_id == target.pk
    merge = CaseEvent.objects.get(case=case, kind="merge")
    assert (merge.from_state, merge.to_state) == ("registered", "merged")
    assert merge.payload == {"into": target.pk, "reason": "同一事项"}
    merged_in = CaseEvent.objects.get(case=target, kind="merged_in")
    assert merged_in.payload == {
        "from": case.pk,
        "petitions": [moved],
        # Its marks before the merge, given back by case_unmerge: not a repeat, and not a
        # first petition (the same petitioner wrote the target's letter: R-INTAKE-5).
        "flags": {str(moved): [False, False]},
    }
    assert Case.objects.get(pk=case.pk).merged_into_id == target.pk
