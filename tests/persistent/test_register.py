"""Long-standing petitioners (R-REPEAT-1..3, R-INFO-2): thresholds, candidates, the register
and its writes. Expected values are written here, not computed by the code under test."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.builders import at, register, to_closed
from tests.orgtree import Tree
from tests.persistent.helpers import STATEMENT, concluded_below
from xinfang.cases.models import Case, CaseEvent
from xinfang.core.errors import RuleViolation
from xinfang.persistent import services
from xinfang.persistent.models import Basis, Entry, Outcome, Threshold
from xinfang.persistent.selectors import (
    candidates,
    entries_on_case,
    next_review_on,
    register_for,
    review_overdue,
    window_start,
)
from xinfang.petitions.models import Petitioner
from xinfang.petitions.services import PetitionerInput

OTHER_ID = "11010519491231002X"  # GB 11643-valid, fictional


def _three_petitions(tree: Tree) -> Case:
    """One petitioner, one matter, at 临江市委组织部: received 2026-01-05, 03-01, 04-10."""
    with at(2026, 1, 5):
        case = register(tree.city_staff, received_on=dt.date(2026, 1, 5))
    with at(2026, 3, 1):
        register(tree.city_staff, received_on=dt.date(2026, 3, 1), repeat_of=case)
    with at(2026, 4, 10):
        register(tree.city_staff, received_on=dt.date(2026, 4, 10), repeat_of=case)
    return Case.objects.get(pk=case.pk)


def test_the_migration_seeds_the_default_threshold(db: None) -> None:
    row = Threshold.objects.get()
    assert (row.basis, row.min_petitions, row.window_days, row.is_active) == (
        "case",
        3,
        183,
        True,
    )


def test_window_start_counts_both_ends() -> None:
    assert window_start(dt.date(2026, 7, 6), 183) == dt.date(2026, 1, 5)


@pytest.mark.parametrize(
    ("as_of", "found"),
    [
        (dt.date(2026, 4, 9), False),  # the third petition not yet received
        (dt.date(2026, 4, 10), True),  # first day all three are in the window
        (dt.date(2026, 7, 6), True),  # last day the first petition (01-05) is in it
        (dt.date(2026, 7, 7), False),  # the day after: only two left
    ],
)
def test_r_repeat_1_candidates_window_edges(tree: Tree, as_of: dt.date, found: bool) -> None:
    case = _three_petitions(tree)
    got = candidates(tree.city_org, as_of=as_of)
    assert [(c.case.pk, c.petition_count) for c in got] == ([(case.pk, 3)] if found else [])


def test_r_repeat_1_threshold_is_data_the_administrator_sets(tree: Tree) -> None:
    _three_petitions(tree)
    row = Threshold.objects.get()
    services.threshold_update(actor=_admin(tree), threshold=row, changes={"min_petitions": 4})
    assert candidates(tree.city_org, as_of=dt.date(2026, 4, 10)) == []
    with pytest.raises(RuleViolation, match=r"只有系统管理员.*R-REPEAT-1"):
        services.threshold_update(actor=tree.city_staff, threshold=row, changes={"window_days": 9})


def test_r_repeat_1_per_petitioner_over_several_matters(tree: Tree) -> None:
    Threshold.objects.update(is_active=False)
    services.threshold_create(
        actor=_admin(tree), name="同一人三件", basis=Basis.PETITIONER, min_petitions=3
    )
    with at(2026, 4, 10):
        cases = [
            register(tree.city_staff, summary=f"事项{n}", received_on=dt.date(2026, 4, n))
            for n in (1, 2, 3)
        ]
    got = candidates(tree.city_org, as_of=dt.date(2026, 4, 10))
    assert [(c.case.pk, c.petition_count) for c in got] == [(cases[2].pk, 3)]
    assert candidates(tree.county_org, as_of=dt.date(2026, 4, 10)) == []


def _admin(tree: Tree) -> object:
    return tree.staff(tree.prov_org, "administrator", name="sysadmin")


def _register(tree: Tree, case: Case, **kw: object) -> Entry:
    args: dict[str, object] = {
        "actor": tree.city_staff,
        "case": case,
        "petitioner": Petitioner.objects.order_by("pk").first(),
        "analysis": "诉求涉及历史遗留问题，政策口径不一。",
        "measures": "包案领导约谈，组织科会同人社部门核实。",
        "leader": tree.city_staff,
        "officer": tree.city_staff,
        "target_on": dt.date(2026, 6, 30),
    }
    args.update(kw)
    return services.entry_register(**args)  # type: ignore[arg-type]


def test_r_repeat_2_register_records_owner_and_event_and_leaves_candidates(tree: Tree) -> None:
    case = _three_petitions(tree)
    with at(2026, 4, 10):
        entry = _register(tree, case)
        assert candidates(tree.city_org, as_of=dt.date(2026, 4, 10)) == []
    assert (entry.petition_count, entry.outcome, entry.department_id) == (
        3,
        "open",
        tree.city_org.pk,
    )
    event = CaseEvent.objects.filter(case=case).order_by("-seq").first()
    assert event is not None and event.kind == "longterm_registered"
    assert event.payload == {
        "entry": entry.pk,
        "leader": tree.city_staff.pk,
        "officer": tree.city_staff.pk,
        "target_on": "2026-06-30",
    }
    # R-REPEAT-2: the owner stays until the matter is ended; not twice on one matter.
    with at(2026, 4, 11), pytest.raises(RuleViolation, match="不能重复列入（R-REPEAT-2）"):
        _register(tree, case)


def test_r_repeat_1_r_repeat_2_refusals_all_at_once(tree: Tree) -> None:
    case = _three_petitions(tree)
    outsider = tree.county_staff
    plain = tree.staff(tree.city_org, "handler")
    with at(2026, 4, 10), pytest.raises(RuleViolation) as err:
        _register(
            tree,
            case,
            analysis=" ",
            measures="",
            leader=plain,
            officer=outsider,
            target_on=dt.date(2026, 4, 9),
        )
    assert err.value.messages == [
        "请填写长期不能结案的原因分析（R-REPEAT-1）。",
        "请填写解决的具体措施（R-REPEAT-1）。",
        "包案领导须由本部门领导担任（R-REPEAT-2）。",
        "包案人须为本部门在职工作人员（R-REPEAT-2）。",
        "计划化解日期不能早于今天（R-REPEAT-2）。",
    ]
    assert err.value.rules == ("R-REPEAT-1", "R-REPEAT-2")
    assert not Entry.objects.exists()
    with at(2026, 4, 10), pytest.raises(RuleViolation, match=r"只有案件责任部门.*R-REPEAT-1"):
        _register(tree, case, actor=tree.county_staff)


def test_review_settle_and_nothing_after(tree: Tree) -> None:
    case = _three_petitions(tree)
    with at(2026, 4, 10):
        entry = _register(tree, case)
    with at(2026, 5, 10):
        with pytest.raises(RuleViolation, match="复查日期不能晚于今天"):
            services.entry_review(
                actor=tree.city_staff, entry=entry, reviewed_on=dt.date(2026, 5, 11), progress="x"
            )
        services.entry_review(
            actor=tree.city_staff, entry=entry, reviewed_on=dt.date(2026, 5, 10), progress="已约谈"
        )
        services.entry_settle(
            actor=tree.city_staff, entry=entry, ended_on=dt.date(2026, 5, 10), text="已落实待遇"
        )
        with pytest.raises(RuleViolation, match="该台账已化解，不能再办理（R-REPEAT-2）"):
            services.entry_review(
                actor=tree.city_staff, entry=entry, reviewed_on=dt.date(2026, 5, 10), progress="y"
            )
    kinds = list(CaseEvent.objects.filter(case=case).order_by("seq").values_list("kind", flat=True))
    assert kinds[-3:] == ["longterm_registered", "longterm_reviewed", "longterm_settled"]
    assert Entry.objects.get().outcome == Outcome.SETTLED


def test_r_repeat_3_conclude_needs_a_closed_case_and_a_statement(tree: Tree) -> None:
    case = _three_petitions(tree)
    with at(2026, 4, 10):
        entry = _register(tree, case)
        with pytest.raises(RuleViolation, match=r"案件尚未办结.*R-REPEAT-3"):
            services.entry_conclude(
                actor=tree.city_staff,
                entry=entry,
                ended_on=dt.date(2026, 4, 10),
                text="已答复",
                position_statement="按政策已落实，不再受理同一诉求。",
            )
        to_closed(case, tree.city_staff, tree.staff(tree.city_org, "handler"))
        with pytest.raises(RuleViolation, match="请填写统一答复口径（R-REPEAT-3）"):
            services.entry_conclude(
                actor=tree.city_staff,
                entry=entry,
                ended_on=dt.date(2026, 4, 10),
                text="已答复",
                position_statement="",
            )
        services.entry_conclude(
            actor=tree.city_staff,
            entry=entry,
            ended_on=dt.date(2026, 4, 10),
            text="已答复",
            position_statement="按政策已落实，不再受理同一诉求。",
        )
    event = CaseEvent.objects.filter(case=case).order_by("-seq").first()
    assert event is not None and event.kind == "longterm_concluded"
    assert event.payload["text"] == "按政策已落实，不再受理同一诉求。"


def test_r_info_2_every_level_of_the_matter_sees_the_statement(tree: Tree) -> None:
    """Registered and concluded below (河口县), seen on the case above (临江市) and in the
    register of the department that sent it down; not by an unrelated department."""
    root, _child, entry = concluded_below(tree)
    assert [e.position_statement for e in entries_on_case(root)] == [STATEMENT]
    assert list(register_for(tree.city_staff).values_list("pk", flat=True)) == [entry.pk]
    assert list(register_for(tree.county_staff).values_list("pk", flat=True)) == [entry.pk]
    assert not register_for(tree.baisha_staff).exists()


def test_a_petitioner_of_another_matter_is_refused(tree: Tree) -> None:
    case = _three_petitions(tree)
    with at(2026, 4, 10):
        other = register(
            tree.city_staff, petitioners=[PetitionerInput(name="李四", id_number=OTHER_ID)]
        )
        stranger = Petitioner.objects.order_by("pk").last()
        with pytest.raises(RuleViolation, match="该信访人不是本案的信访人"):
            _register(tree, case, petitioner=stranger)
    assert other.pk != case.pk


# --- R-REPEAT-1: a case open for a long time ----------------------------------------------


def _open_long(tree: Tree, *, min_petitions: int = 1) -> Threshold:
    Threshold.objects.update(is_active=False)
    return services.threshold_create(
        actor=_admin(tree),
        name="立案九十天未办结",
        basis=Basis.OPEN,
        min_petitions=min_petitions,
        window_days=90,
    )


@pytest.mark.parametrize(
    ("as_of", "found"),
    [
        (dt.date(2026, 4, 4), False),  # registered 01-05: open 89 days
        (dt.date(2026, 4, 5), True),  # the first day it has been open 90 days
        (dt.date(2026, 12, 31), True),  # still open: still a candidate
    ],
)
def test_r_repeat_1_a_case_open_long_is_a_candidate(
    tree: Tree, as_of: dt.date, found: bool
) -> None:
    _open_long(tree)
    with at(2026, 1, 5):
        case = register(tree.city_staff, received_on=dt.date(2026, 1, 5))
    got = candidates(tree.city_org, as_of=as_of)
    assert [(c.case.pk, c.petition_count, c.threshold.name) for c in got] == (
        [(case.pk, 1, "立案九十天未办结")] if found else []
    )
    assert candidates(tree.county_org, as_of=as_of) == []


def test_r_repeat_1_a_case_open_long_leaves_once_closed(tree: Tree) -> None:
    _open_long(tree)
    with at(2026, 1, 5):
        case = register(tree.city_staff, received_on=dt.date(2026, 1, 5))
    assert len(candidates(tree.city_org, as_of=dt.date(2026, 4, 20))) == 1
    with at(2026, 4, 20):
        to_closed(case, tree.city_staff, tree.staff(tree.city_org, "handler"))
    assert candidates(tree.city_org, as_of=dt.date(2026, 4, 20)) == []


def test_r_repeat_1_a_case_open_long_with_several_petitions(tree: Tree) -> None:
    """With at least two petitions asked: the case open 90 days holds them whenever they
    came (not within a window); one petition is not enough."""
    _open_long(tree, min_petitions=2)
    with at(2026, 1, 5):
        case = register(tree.city_staff, received_on=dt.date(2026, 1, 5))
    assert candidates(tree.city_org, as_of=dt.date(2026, 6, 1)) == []
    with at(2026, 5, 20):
        register(tree.city_staff, received_on=dt.date(2026, 5, 20), repeat_of=case)
    got = candidates(tree.city_org, as_of=dt.date(2026, 6, 1))
    assert [(c.case.pk, c.petition_count) for c in got] == [(case.pk, 2)]
    # A petition received after the day of the count is not counted.
    assert candidates(tree.city_org, as_of=dt.date(2026, 5, 19)) == []


def test_r_repeat_1_one_petition_is_a_threshold_only_for_a_case_open_long(tree: Tree) -> None:
    admin = _admin(tree)
    for basis in (Basis.CASE, Basis.PETITIONER):
        with pytest.raises(
            RuleViolation, match="最少信访次数至少为2次；只有“同一事项久拖未结”可设为1次"
        ):
            services.threshold_create(actor=admin, name="一次即算", basis=basis, min_petitions=1)
    row = services.threshold_create(actor=admin, name="久拖", basis=Basis.OPEN, min_petitions=1)
    assert row.min_petitions == 1
    with pytest.raises(RuleViolation, match="统计期间至少为1天"):
        services.threshold_update(actor=admin, threshold=row, changes={"window_days": 0})


# --- R-REPEAT-2: periodic reviews, each due a period after the last ---------------------


@pytest.mark.parametrize(
    ("today", "overdue"),
    [
        (dt.date(2026, 4, 10), False),  # registered that day
        (dt.date(2026, 5, 10), False),  # the day the first review is due (30 days on)
        (dt.date(2026, 5, 11), True),  # the day after: overdue
    ],
)
def test_r_repeat_2_the_first_review_is_due_a_period_after_registration(
    tree: Tree, today: dt.date, overdue: bool
) -> None:
    case = _three_petitions(tree)
    with at(2026, 4, 10):
        _register(tree, case, review_every_days=30)
    row = register_for(tree.city_staff).get()
    assert next_review_on(row) == dt.date(2026, 5, 10)
    assert review_overdue(row, today) is overdue


def test_r_repeat_2_a_review_moves_the_next_one_and_an_ended_entry_is_never_due(
    tree: Tree,
) -> None:
    case = _three_petitions(tree)
    with at(2026, 4, 10):
        entry = _register(tree, case, review_every_days=14)
    with at(2026, 4, 20):
        services.entry_review(
            actor=tree.city_staff, entry=entry, reviewed_on=dt.date(2026, 4, 18), progress="已约谈"
        )
    row = register_for(tree.city_staff).get()
    assert next_review_on(row) == dt.date(2026, 5, 2)
    assert (review_overdue(row, dt.date(2026, 5, 2)), review_overdue(row, dt.date(2026, 5, 3))) == (
        False,
        True,
    )
    with at(2026, 5, 20):
        services.entry_settle(
            actor=tree.city_staff, entry=entry, ended_on=dt.date(2026, 5, 20), text="已落实"
        )
    row = register_for(tree.city_staff).get()
    assert next_review_on(row) is None
    assert review_overdue(row, dt.date(2026, 12, 31)) is False


@pytest.mark.parametrize("days", [0, 367, None])
def test_r_repeat_2_the_review_period_is_one_day_to_a_year(tree: Tree, days: int | None) -> None:
    case = _three_petitions(tree)
    with at(2026, 4, 10), pytest.raises(RuleViolation) as err:
        _register(tree, case, review_every_days=days)
    assert err.value.messages == ["定期复查周期须为1至366天（R-REPEAT-2）。"]
    assert not Entry.objects.exists()


def test_r_repeat_2_the_review_period_defaults_to_a_month(tree: Tree) -> None:
    case = _three_petitions(tree)
    with at(2026, 4, 10):
        entry = _register(tree, case)
    assert entry.review_every_days == 30
