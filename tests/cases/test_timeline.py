"""R-PROTECT-2: the timeline is append-only and hash-chained; `xinfang audit verify` finds the
first altered or removed event and exits non-zero."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from tests.builders import register, to_closed
from tests.orgtree import Tree
from xinfang.cases.models import Case, CaseEvent
from xinfang.cases.timeline import _canonical, append_event, verify_chains
from xinfang.petitions.models import Channel


def _closed_case(tree: Tree) -> Case:
    return to_closed(
        register(tree.county_staff), tree.staff(tree.county_org, "leader"), tree.county_staff
    )


def _raw(sql: str, params: list[object]) -> None:
    # Tampering as an attacker with database access would: behind the services' back.
    with connection.cursor() as cur:
        cur.execute(sql, params)


def test_chain_links_each_event_to_the_previous(tree: Tree) -> None:
    case = _closed_case(tree)
    events = list(CaseEvent.objects.filter(case=case).order_by("seq"))
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[0].prev_hash == ""
    for prev, ev in itertools.pairwise(events):
        assert ev.prev_hash == prev.hash
    assert case.last_event_hash == events[-1].hash
    assert list(verify_chains()) == []


def test_clean_database_verifies(tree: Tree, capsys: pytest.CaptureFixture[str]) -> None:
    _closed_case(tree)
    call_command("audit", "verify")
    assert "核验通过" in capsys.readouterr().out


@pytest.mark.parametrize("column", ["payload", "kind", "actor_id", "created_at"])
def test_altered_event_is_named(tree: Tree, column: str) -> None:
    case = _closed_case(tree)
    other = _closed_case(tree)
    ev = CaseEvent.objects.get(case=case, seq=2)
    values = {
        "payload": '{"text": "篡改后的批示"}',
        "kind": "file",
        "actor_id": tree.baisha_staff.pk,
        "created_at": "2020-01-01 00:00:00",
    }
    _raw(f"UPDATE cases_caseevent SET {column} = %s WHERE id = %s", [values[column], ev.pk])
    problems = list(verify_chains())
    assert len(problems) == 1
    assert (problems[0].case_id, problems[0].seq) == (case.pk, 2)
    assert "篡改" in str(problems[0])
    assert other.pk not in {p.case_id for p in problems}
    with pytest.raises(CommandError, match=f"{case.number}.*第 2 条"):
        call_command("audit", "verify")


def test_removed_event_in_the_middle_is_named(tree: Tree) -> None:
    case = _closed_case(tree)
    _raw("DELETE FROM cases_caseevent WHERE case_id = %s AND seq = 3", [case.pk])
    [problem] = list(verify_chains())
    assert (problem.case_id, problem.seq) == (case.pk, 3) and "删除" in str(problem)


def test_removed_last_event_is_detected(tree: Tree) -> None:
    case = _closed_case(tree)
    _raw("DELETE FROM cases_caseevent WHERE case_id = %s AND seq = %s", [case.pk, case.event_count])
    [problem] = list(verify_chains())
    assert problem.case_id == case.pk and problem.seq == case.event_count


def test_chinese_payload_keys_hash_stably(tree: Tree) -> None:
    case = register(tree.county_staff)
    with transaction.atomic():
        append_event(case, kind="note", actor=tree.county_staff, payload={"日期": "2026-01-01"})
    assert list(verify_chains()) == []


@pytest.mark.django_db(transaction=True)
def test_events_are_only_appended_inside_a_transaction() -> None:
    from tests.orgtree import build_tree

    tree = build_tree()
    case = register(tree.county_staff)
    with pytest.raises(RuntimeError, match="must run inside the transaction"):
        append_event(case, kind="x", actor=tree.county_staff)


def test_every_event_kind_written_has_a_chinese_label() -> None:
    """Kinds come from two places: every action of the transitions table (Transition.write
    writes the action as the kind) and the kind="..." of every append_event / append_record
    call in the code."""
    import re
    from pathlib import Path

    from xinfang.cases.lifecycle import EVENT_LABELS, TRANSITIONS

    src = Path(__file__).resolve().parents[2] / "src" / "xinfang"
    kinds: set[str] = set(TRANSITIONS)
    call = re.compile(r"append_(?:event|record)\((?:[^()]|\([^()]*\))*?kind=\"([a-z_]+)\"", re.S)
    for path in src.rglob("*.py"):
        if "migrations" not in path.parts:
            kinds |= set(call.findall(path.read_text(encoding="utf-8")))
    # Not vacuous: a transition, a record-only event and the due-date event are all found.
    assert {"read", "merged_in", "raise_objection", "due_rederived", "received_from_upper"} <= kinds
    missing = sorted(k for k in kinds if k not in EVENT_LABELS)
    assert not missing, f"event kinds without a Chinese label: {missing}"


def test_a_flat_payload_is_made_canonical_as_the_json_round_trip_makes_it() -> None:
    """R-PROTECT-2: what is stored is what was hashed. The payloads of most events (plain
    values) skip the JSON round trip; the result must be the round trip's, key order
    included, and anything else still takes it."""
    flat = _canonical(
        {
            "source": "direct",
            "channel": Channel.ONLINE,
            "received_on": dt.date(2026, 3, 1),
            "is_first": True,
            "petition": 7,
            "note": None,
            "名称": "网民",
        }
    )
    assert flat == {
        "channel": "online",
        "is_first": True,
        "note": None,
        "petition": 7,
        "received_on": "2026-03-01",
        "source": "direct",
        "名称": "网民",
    }
    assert list(flat) == [
        "channel",
        "is_first",
        "note",
        "petition",
        "received_on",
        "source",
        "名称",
    ]
    assert type(flat["channel"]) is str
    # Not flat: the round trip (a datetime as str() writes it, a float, a nested list).
    assert _canonical(
        {"at": dt.datetime(2026, 3, 1, 8, 30), "f": 1.5, "l": [dt.date(2026, 1, 2)]}
    ) == {
        "at": "2026-03-01 08:30:00",
        "f": 1.5,
        "l": ["2026-01-02"],
    }
    assert _canonical({1: "a"}) == {"1": "a"}
