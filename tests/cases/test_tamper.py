"""R-PROTECT-2: every way of tampering with the database found by the attacker probe is named
by `xinfang audit verify` (case number, event seq, field), which exits non-zero.

Cases are built through the real services; the tampering is done as an attacker with write
access to the database would: raw SQL or queryset updates behind the services' back. The
attacker also knows the code, so may recompute the hash chain; only the audit key, kept
outside the database, is out of reach.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from tests.builders import RespondentInput, register, to_closed, to_read, visit_interview
from tests.orgtree import Tree
from xinfang.cases import actions as cs
from xinfang.cases import timeline
from xinfang.cases.models import (
    AuditCheckpoint,
    Case,
    CaseEvent,
    CaseLedgerEntry,
    Closure,
    Instruction,
)
from xinfang.cases.timeline import (
    CHECKPOINT_GRACE,
    SNAPSHOT_FIELDS,
    append_record,
    audit,
    event_hash,
)
from xinfang.petitions.models import ConcernedCadre, Interview, Petition, Respondent
from xinfang.petitions.services import ConcernedCadreInput


@pytest.fixture(autouse=True)
def checkpoint_file(tmp_path: Path) -> Any:
    path = tmp_path / "audit-checkpoints.jsonl"
    with override_settings(XINFANG_AUDIT_CHECKPOINT_FILE=path):
        yield path


def _raw(sql: str, params: list[object]) -> None:
    with connection.cursor() as cur:
        cur.execute(sql, params)


def _closed_case(tree: Tree) -> Case:
    """Registered with a respondent, read (an instruction), handled, closed (a closure)."""
    case = register(
        tree.county_staff,
        respondents=[RespondentInput(cadre=tree.county_bureau_chief)],
    )
    return to_closed(case, tree.staff(tree.county_org, "leader"), tree.county_staff)


def _verify_output() -> str:
    """What `audit verify` prints and raises; the test fails if it passes."""
    err = io.StringIO()
    with pytest.raises(CommandError, match="核验未通过") as exc:
        call_command("audit", "verify", stdout=io.StringIO(), stderr=err)
    return err.getvalue() + "\n" + str(exc.value)


def _assert_reported(pattern: str) -> str:
    out = _verify_output()
    assert re.search(pattern, out), out
    return out


def _checkpoint() -> None:
    call_command("audit", "checkpoint", stdout=io.StringIO())


def _rechain(case_id: int) -> None:
    """The attacker recomputes every hash of the case's chain and its head on the row."""
    prev = ""
    for ev in CaseEvent.objects.filter(case_id=case_id).order_by("seq"):
        digest = event_hash(
            prev_hash=prev,
            case_id=case_id,
            seq=ev.seq,
            kind=ev.kind,
            actor_id=ev.actor_id,
            from_state=ev.from_state,
            to_state=ev.to_state,
            payload=ev.payload,
            created_at_iso=ev.created_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            case_after=ev.case_after,
            records=ev.records,
        )
        CaseEvent.objects.filter(pk=ev.pk).update(prev_hash=prev, hash=digest)
        prev = digest
    count = CaseEvent.objects.filter(case_id=case_id).count()
    Case.objects.filter(pk=case_id).update(event_count=count, last_event_hash=prev)


def test_untouched_database_verifies_and_seals(tree: Tree, checkpoint_file: Path) -> None:
    _closed_case(tree)
    out = io.StringIO()
    call_command("audit", "checkpoint", stdout=out)
    assert "已封存第 1 号封存点" in out.getvalue()
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert "核验通过" in out.getvalue() and "第 1 号封存点" in out.getvalue()
    [line] = checkpoint_file.read_text(encoding="utf-8").splitlines()
    assert line == AuditCheckpoint.objects.get().line


# --- Tampering the chain alone already showed: an event or the head altered -------------


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("payload", '{"text": "篡改后的批示"}'),
        ("kind", "file"),
        ("to_state", "filed"),
        ("created_at", "2020-01-01 00:00:00"),
        ("prev_hash", "0" * 64),
        ("hash", "f" * 64),
    ],
)
def test_altered_event_column_is_named(tree: Tree, column: str, value: str) -> None:
    case = _closed_case(tree)
    ev = CaseEvent.objects.get(case=case, seq=2)
    _raw(f"UPDATE cases_caseevent SET {column} = %s WHERE id = %s", [value, ev.pk])
    _assert_reported(rf"案件 {case.number}（id {case.pk}）第 2 条记录：内容被篡改")


def test_altered_actor_is_named(tree: Tree) -> None:
    case = _closed_case(tree)
    ev = CaseEvent.objects.get(case=case, seq=2)
    CaseEvent.objects.filter(pk=ev.pk).update(actor=tree.baisha_staff)
    _assert_reported(rf"案件 {case.number}.*第 2 条记录：内容被篡改")


def test_event_deleted_in_the_middle_is_named(tree: Tree) -> None:
    case = _closed_case(tree)
    CaseEvent.objects.filter(case=case, seq=3).delete()
    _assert_reported(rf"案件 {case.number}.*第 3 条记录：记录缺失")


def test_renumbered_seq_is_named(tree: Tree) -> None:
    case = _closed_case(tree)
    CaseEvent.objects.filter(case=case, seq=2).update(seq=99)
    _assert_reported(rf"案件 {case.number}.*第 2 条记录：记录缺失")


def test_last_event_deleted_is_named(tree: Tree) -> None:
    case = _closed_case(tree)
    CaseEvent.objects.filter(case=case, seq=case.event_count).delete()
    _assert_reported(rf"案件 {case.number}.*第 {case.event_count} 条记录：记录缺失")


def test_head_on_the_case_row_altered_is_named(tree: Tree) -> None:
    case = _closed_case(tree)
    Case.objects.filter(pk=case.pk).update(last_event_hash="0" * 64)
    _assert_reported(rf"案件 {case.number}.*链头与案件记录不符")


def test_event_count_on_the_case_row_altered_is_named(tree: Tree) -> None:
    case = _closed_case(tree)
    Case.objects.filter(pk=case.pk).update(event_count=case.event_count - 1)
    _assert_reported(rf"案件 {case.number}.*链头与案件记录不符")


# --- The case row changed without an event ------------------------------------------------


def test_state_changed_without_an_event_is_named(tree: Tree) -> None:
    case = _closed_case(tree)
    Case.objects.filter(pk=case.pk).update(state="handling")
    # The change came after the last event: its local time bounds when.
    last = CaseEvent.objects.get(case=case, seq=case.event_count)
    written = timezone.localtime(last.created_at).strftime("%Y-%m-%d %H:%M")
    _assert_reported(
        rf"案件 {case.number}.*第 {case.event_count} 条记录：案件的“状态”在此后未经办理记录被改动"
        rf"（记录为 已结案，现为 办理中）；该记录写于 {written}"
    )


def test_department_changed_without_an_event_is_named(tree: Tree) -> None:
    case = _closed_case(tree)
    other = tree.baisha_staff.department_id
    other_name = tree.baisha_staff.department.name
    Case.objects.filter(pk=case.pk).update(department_id=other)
    _assert_reported(
        rf"案件 {case.number}.*案件的“责任部门”在此后未经办理记录被改动"
        rf"（记录为 河口县委组织部（id {case.department_id}），现为 {other_name}（id {other}））"
    )


def _sent_down(tree: Tree) -> Case:
    """The city's case assigned down to the county (交办): the county's child case."""
    case = to_read(register(tree.city_staff), tree.city_staff)
    return cs.case_assign_down(
        actor=tree.city_staff, case=case, to_department=tree.county_org, routing_note="属地"
    ).child


def test_sender_changed_without_an_event_is_named(tree: Tree) -> None:
    """The department that sent a case down decides who sees it (R-SUPER-2): its column
    (`sent_down_by`, cases/0016) is in every event's snapshot, on a child and on a case
    that came from nowhere."""
    child = _sent_down(tree)
    first = _closed_case(tree)
    _sender_changes_named(tree, child, first)


def _sender_changes_named(tree: Tree, child: Case, first: Case) -> None:
    """The child's sender and the first case's (none) changed to the province: both named."""
    prov, city = tree.prov_org, tree.city_org
    Case.objects.filter(pk__in=[child.pk, first.pk]).update(sent_down_by=prov)
    now = rf"现为 {prov.name}（id {prov.pk}）"
    out = _assert_reported(
        rf"案件 {child.number}.*案件的“交办转办部门”在此后未经办理记录被改动"
        rf"（记录为 {city.name}（id {city.pk}），{now}）"
    )
    assert re.search(rf"案件 {first.number}.*“交办转办部门”.*（记录为 空，{now}）", out), out


def test_events_written_before_the_sender_column_verify(tree: Tree) -> None:
    """cases/0016 added `sent_down_by` and filled it from the assignments: events written
    before it have a snapshot one field shorter, and their hashes cover that. For them the
    audit takes the sender from the case's first event (`received_from_upper`, R-INTAKE-6,
    its `from_department`): a database migrated from before the column verifies, and the
    column changed afterwards behind the services' back is still named."""
    child = _sent_down(tree)
    parent = Case.objects.get(pk=child.parent_id)
    first = _closed_case(tree)
    short = SNAPSHOT_FIELDS.index("sent_down_by")
    assert short == len(SNAPSHOT_FIELDS) - 1  # appended last
    for pk in (parent.pk, child.pk, first.pk):
        for ev in CaseEvent.objects.filter(case_id=pk):
            CaseEvent.objects.filter(pk=ev.pk).update(case_after=ev.case_after[:short])
        _rechain(pk)  # the chains as they were written before the column
    out = io.StringIO()
    call_command("audit", "verify", stdout=out, stderr=io.StringIO())
    assert "核验通过" in out.getvalue()
    _sender_changes_named(tree, child, first)


def test_handler_changed_without_an_event_is_named(tree: Tree) -> None:
    case = _closed_case(tree)
    Case.objects.filter(pk=case.pk).update(handler=tree.baisha_staff)
    _assert_reported(
        rf"案件 {case.number}.*案件的“承办人”在此后未经办理记录被改动"
        rf"（记录为 {tree.county_staff}（id {tree.county_staff.pk}），"
        rf"现为 {tree.baisha_staff}（id {tree.baisha_staff.pk}））"
    )


def test_due_date_changed_without_an_event_is_named(tree: Tree) -> None:
    case = to_read(register(tree.city_staff), tree.city_staff)
    cs.case_assign_down(
        actor=tree.city_staff, case=case, to_department=tree.county_org, routing_note="就地办理"
    )
    case = Case.objects.get(pk=case.pk)
    assert case.due_on is not None  # a result is due from the county (R-CLOSE-1)
    later = case.due_on + dt.timedelta(days=30)
    Case.objects.filter(pk=case.pk).update(due_on=later)
    _assert_reported(
        rf"案件 {case.number}.*第 {case.event_count} 条记录：案件的“办理期限”在此后未经办理记录"
        rf"被改动（记录为 {case.due_on.isoformat()}，现为 {later.isoformat()}）"
    )


def test_changed_summary_is_named_without_printing_it(tree: Tree) -> None:
    case = _closed_case(tree)
    Case.objects.filter(pk=case.pk).update(title="另一件事")
    out = _assert_reported(rf"案件 {case.number}.*“事项摘要”在此后未经办理记录被改动（已被改动）")
    assert "另一件事" not in out and case.title not in out


# --- Content a decision rests on, changed, deleted or slipped in -------------------------


def test_instruction_text_changed_is_named(tree: Tree) -> None:
    case = _closed_case(tree)
    ins = Instruction.objects.get(case=case)
    Instruction.objects.filter(pk=ins.pk).update(text="不必调查，直接存查。")
    _assert_reported(
        rf"案件 {case.number}.*第 2 条记录：所涉领导批示（id {ins.pk}）的内容此后被改动"
    )


def test_instruction_report_changed_is_named(tree: Tree) -> None:
    leader = tree.staff(tree.county_org, "leader")
    case = cs.case_read(
        actor=leader, case=register(tree.county_staff), text="请报结果。", report_required=True
    )
    ins = Instruction.objects.get(case=case)
    cs.instruction_report(actor=tree.county_staff, instruction=ins, text="已查实，拟诫勉谈话。")
    Instruction.objects.filter(pk=ins.pk).update(report_text="查无实据。")
    _assert_reported(
        rf"案件 {case.number}.*第 3 条记录：所涉领导批示（id {ins.pk}）的内容此后被改动"
    )


def test_respondent_changed_is_named(tree: Tree) -> None:
    case = _closed_case(tree)
    resp = Respondent.objects.get(petition__case=case)
    Respondent.objects.filter(pk=resp.pk).update(name="王某", post_title="科员")
    _assert_reported(
        rf"案件 {case.number}.*第 1 条记录：所涉被反映人（id {resp.pk}）的内容此后被改动"
    )


@pytest.mark.parametrize("column", ["content", "summary"])
def test_petition_text_changed_is_named(tree: Tree, column: str) -> None:
    case = _closed_case(tree)
    petition = Petition.objects.get(case=case)
    Petition.objects.filter(pk=petition.pk).update(**{column: "改写后的信件"})
    out = _assert_reported(
        rf"案件 {case.number}.*第 1 条记录：所涉来信来访（id {petition.pk}）的内容此后被改动"
    )
    assert "改写后的信件" not in out  # the letter's text is never printed


@pytest.mark.parametrize("column", ["facts", "decision", "policy_basis", "petitioner_opinion"])
def test_closure_changed_is_named(tree: Tree, column: str) -> None:
    case = _closed_case(tree)
    closure = Closure.objects.get(case=case)
    Closure.objects.filter(pk=closure.pk).update(**{column: "改写"})
    _assert_reported(
        rf"案件 {case.number}.*第 {case.event_count} 条记录：所涉结案材料（id {closure.pk}）"
        "的内容此后被改动"
    )


def test_interview_changed_is_named(tree: Tree) -> None:
    case = register(
        tree.county_staff, channel="visit", interview=visit_interview(tree.county_staff)
    )
    interview = Interview.objects.get(petition__case=case)
    Interview.objects.filter(pk=interview.pk).update(answer="不予受理")
    _assert_reported(
        rf"案件 {case.number}.*第 1 条记录：所涉接谈记录（id {interview.pk}）的内容此后被改动"
    )


def test_concerned_cadre_changed_is_named(tree: Tree) -> None:
    case = register(
        tree.county_staff,
        category="personal_request",
        nature="request",
        summary="要求更正参加工作时间",
        content="本人1978年参加工作，档案记载为1980年，请求按原始材料更正。",
        concerned_cadre=ConcernedCadreInput(cadre=tree.township_secretary),
    )
    row = ConcernedCadre.objects.get(petition__case=case)
    ConcernedCadre.objects.filter(pk=row.pk).update(rank="正处级")
    _assert_reported(
        rf"案件 {case.number}.*第 1 条记录：所涉当事干部（id {row.pk}）的内容此后被改动"
    )


def test_record_deleted_is_named(tree: Tree) -> None:
    case = _closed_case(tree)
    resp = Respondent.objects.get(petition__case=case)
    Respondent.objects.filter(pk=resp.pk).delete()
    _assert_reported(rf"案件 {case.number}.*第 1 条记录：所涉被反映人（id {resp.pk}）已被删除")


def test_record_slipped_in_without_an_event_is_named(tree: Tree) -> None:
    case = _closed_case(tree)
    forged = Instruction.objects.create(
        case=case,
        leader=tree.staff(tree.county_org, "leader"),
        text="补一条批示",
        created_at=timezone.now(),
    )
    _assert_reported(
        rf"案件 {case.number}（id {case.pk}）：领导批示（id {forged.pk}）不见于任何办理记录"
    )


def test_merged_petitions_are_covered_by_the_target(tree: Tree) -> None:
    """No false alarm: a merge moves petitions (and their respondents) to the target."""
    leader = tree.staff(tree.county_org, "leader")
    target = register(tree.county_staff)
    dup = register(tree.county_staff, respondents=[RespondentInput(cadre=tree.county_bureau_chief)])
    cs.case_merge(actor=leader, case=dup, into=target, reason="同一事项")
    call_command("audit", "verify", stdout=io.StringIO())
    Respondent.objects.filter(petition__case=target).update(name="王某")
    _assert_reported(rf"案件 {target.number}.*第 2 条记录：所涉被反映人")


# --- Rewinding, recomputing, forging: the checkpoint sealed with the key --------------------


def test_last_event_deleted_with_head_rewound_is_named(tree: Tree) -> None:
    case = _closed_case(tree)
    _checkpoint()
    n = case.event_count
    previous = CaseEvent.objects.get(case=case, seq=n - 1)
    CaseEvent.objects.filter(case=case, seq=n).delete()
    # The thorough attacker also puts the row back as the remaining last event left it.
    Case.objects.filter(pk=case.pk).update(
        event_count=n - 1,
        last_event_hash=previous.hash,
        state=previous.case_after[SNAPSHOT_FIELDS.index("state")],
        closed_at=None,
    )
    _assert_reported(
        rf"案件 {case.number}.*第 {n} 条记录：第 1 号封存点（.*）时本案有 {n} 条记录，"
        rf"现只有 {n - 1} 条：记录被删除"
    )


def test_chain_recomputed_after_an_edit_is_named(tree: Tree) -> None:
    case = _closed_case(tree)
    _checkpoint()
    ev = CaseEvent.objects.get(case=case, seq=2)
    CaseEvent.objects.filter(pk=ev.pk).update(payload={**ev.payload, "text": "不必调查"})
    _rechain(case.pk)
    out = _assert_reported(
        rf"案件 {case.number}.*第 {case.event_count} 条记录：第 1 至 {case.event_count} 条记录"
        r"与第 1 号封存点（.*）封存的链头不符"
    )
    assert "最后一个仍核验通过的封存点：没有仍能核验通过的封存点" in out


def test_a_one_event_chain_recomputed_after_an_edit_is_named(tree: Tree) -> None:
    """The seal of a case with one event (count 1) is compared like any other: an edit of
    its registration, hashes recomputed, disagrees with the sealed head."""
    case = register(tree.county_staff)
    assert Case.objects.get(pk=case.pk).event_count == 1
    _checkpoint()
    ev = CaseEvent.objects.get(case=case, seq=1)
    CaseEvent.objects.filter(pk=ev.pk).update(payload={**ev.payload, "channel": "visit"})
    _rechain(case.pk)
    _assert_reported(
        rf"案件 {case.number}.*第 1 条记录：第 1 至 1 条记录与第 1 号封存点（.*）封存的链头不符"
    )


def test_forged_event_appended_is_named(tree: Tree) -> None:
    case = _closed_case(tree)
    _checkpoint()
    # The attacker appends, with the product's own code, an instruction dated a week back.
    back = timezone.now() - dt.timedelta(days=7)
    with (
        transaction.atomic(),
        pytest.MonkeyPatch.context() as mp,
    ):
        mp.setattr("django.utils.timezone.now", lambda: back)
        locked = Case.objects.select_for_update().get(pk=case.pk)
        append_record(locked, kind="instruct", actor=tree.staff(tree.county_org, "leader"))
    _assert_reported(
        rf"案件 {case.number}.*第 {case.event_count + 1} 条记录：该记录不在封存范围内，"
        r"却早于第 1 号封存点（.*）的记录：伪造或补记"
    )


def _append_at(case: Case, tree: Tree, when: dt.datetime) -> None:
    with transaction.atomic(), pytest.MonkeyPatch.context() as mp:
        mp.setattr("django.utils.timezone.now", lambda: when)
        locked = Case.objects.select_for_update().get(pk=case.pk)
        append_record(locked, kind="instruct", actor=tree.staff(tree.county_org, "leader"))


def test_backdating_window_edges(tree: Tree) -> None:
    """An event dated within CHECKPOINT_GRACE before the checkpoint may be a transaction that
    was committing while it was taken: its first and last moments pass, the moment before
    is a forgery."""
    case = _closed_case(tree)
    _checkpoint()
    sealed_at = AuditCheckpoint.objects.get().created_at
    assert dt.timedelta(minutes=5) == CHECKPOINT_GRACE
    _append_at(case, tree, sealed_at)  # last moment of the window
    _append_at(case, tree, sealed_at - dt.timedelta(minutes=5))  # first moment
    call_command("audit", "verify", stdout=io.StringIO())
    _append_at(case, tree, sealed_at - dt.timedelta(minutes=5, microseconds=1))  # day before
    _assert_reported(rf"案件 {case.number}.*第 {case.event_count + 3} 条记录：.*伪造或补记")


def test_event_appended_after_the_checkpoint_is_only_as_good_as_the_chain(tree: Tree) -> None:
    """The documented limit: a forged event dated after the last checkpoint, written with the
    product's code, is not told apart until a checkpoint seals it (and then it is sealed)."""
    case = _closed_case(tree)
    _checkpoint()
    _append_at(case, tree, timezone.now() + dt.timedelta(minutes=1))
    call_command("audit", "verify", stdout=io.StringIO())


def test_since_names_the_last_checkpoint_that_still_verifies(tree: Tree) -> None:
    case = _closed_case(tree)
    _closed_case(tree)  # another case, unchanged after the first checkpoint
    _checkpoint()
    cs.case_archive(actor=tree.staff(tree.county_org, "leader"), case=case)
    _checkpoint()
    # The second checkpoint lists only the case that changed since the first.
    second = json.loads(AuditCheckpoint.objects.get(seq=2).line)
    assert [row[0] for row in second["cases"]] == [case.pk]
    assert second["total"][0] == 2
    last = CaseEvent.objects.get(case=case, seq=case.event_count + 1)
    CaseEvent.objects.filter(pk=last.pk).update(payload={"archive_number": "档伪造"})
    _rechain(case.pk)
    out = _assert_reported(r"与第 2 号封存点（.*）封存的链头不符")
    assert re.search(r"最后一个仍核验通过的封存点：第 1 号封存点", out), out


# --- Whole cases: the creation ledger ---------------------------------------------------------


def _delete_case(case: Case) -> None:
    """Everything of the case, as an attacker removing it would (dependents first)."""
    petitions = list(Petition.objects.filter(case=case).values_list("pk", flat=True))
    for sql in (
        "DELETE FROM cases_caseevent WHERE case_id = %s",
        "DELETE FROM cases_instruction WHERE case_id = %s",
        "DELETE FROM cases_closure WHERE case_id = %s",
    ):
        _raw(sql, [case.pk])
    for pk in petitions:
        for sql in (
            "DELETE FROM petitions_respondent WHERE petition_id = %s",
            "DELETE FROM petitions_petitionpetitioner WHERE petition_id = %s",
            # Derived rows (matching and search indexes) go with it.
            "DELETE FROM matching_matterband WHERE petition_id = %s",
            "DELETE FROM matching_mattertext WHERE petition_id = %s",
            "DELETE FROM cases_searchentry WHERE petition_id = %s",
            "DELETE FROM petitions_petition WHERE id = %s",
        ):
            _raw(sql, [pk])
    _raw("DELETE FROM cases_case WHERE id = %s", [case.pk])


def test_deleted_case_is_named(tree: Tree) -> None:
    case = register(tree.county_staff)
    _delete_case(case)
    _assert_reported(rf"案件 {case.number}（id {case.pk}）已被删除（立案登记簿第 1 条）")


def test_deleted_case_and_its_ledger_entry_are_named(tree: Tree) -> None:
    first = register(tree.county_staff)
    case = register(tree.county_staff)
    _checkpoint()
    _delete_case(case)
    CaseLedgerEntry.objects.filter(case_id=case.pk).delete()
    entry = CaseLedgerEntry.objects.get(case_id=first.pk)
    _raw("UPDATE cases_caseledgerhead SET count = 1, head = %s WHERE id = 1", [entry.hash])
    out = _assert_reported(rf"案件 id {case.pk} 在第 1 号封存点（.*）时存在，现已被删除")
    assert "立案登记簿与第 1 号封存点" in out


def test_ledger_entry_altered_is_named(tree: Tree) -> None:
    """A ledger entry backdated a month (its case untouched): its hash no longer agrees."""
    first = register(tree.county_staff)
    register(tree.county_staff)
    entry = CaseLedgerEntry.objects.get(case_id=first.pk)
    CaseLedgerEntry.objects.filter(pk=entry.pk).update(
        created_at=entry.created_at - dt.timedelta(days=30)
    )
    _assert_reported(r"立案登记簿第 1 条被删除或篡改。")


def test_a_one_entry_ledger_recomputed_after_an_edit_is_named(tree: Tree) -> None:
    """The sealed ledger head is compared at any count, one entry too: the entry backdated
    and its hash and the head recomputed, as an attacker with the product's code would."""
    register(tree.county_staff)
    _checkpoint()
    entry = CaseLedgerEntry.objects.get()
    when = entry.created_at - dt.timedelta(days=30)
    digest = timeline.ledger_hash(
        prev_hash="",
        seq=1,
        case_id=entry.case_id,
        number=entry.number,
        created_at_iso=when.astimezone(dt.UTC).isoformat(timespec="microseconds"),
    )
    CaseLedgerEntry.objects.filter(pk=entry.pk).update(created_at=when, hash=digest)
    _raw("UPDATE cases_caseledgerhead SET head = %s WHERE id = 1", [digest])
    _assert_reported(r"立案登记簿与第 1 号封存点（.*）封存的链头不符：登记被删除或改写后重算。")


def test_case_slipped_in_is_named(tree: Tree) -> None:
    real = register(tree.county_staff)
    forged = Case.objects.create(
        number="伪造-1",
        department=real.department,
        title="伪造",
        category=real.category,
        nature=real.nature,
        registered_at=timezone.now(),
    )
    _assert_reported(rf"案件 伪造-1（id {forged.pk}）：本案不见于立案登记簿")


# --- The checkpoints themselves ----------------------------------------------------------------


def test_checkpoint_deleted_from_the_database_is_named(tree: Tree) -> None:
    _closed_case(tree)
    _checkpoint()
    AuditCheckpoint.objects.all().delete()
    _assert_reported("数据库中的第 1 号封存点已被删除（文件中仍有）")


def test_checkpoint_resealed_without_the_key_is_named(tree: Tree, checkpoint_file: Path) -> None:
    case = _closed_case(tree)
    _checkpoint()
    # The attacker rewrites the chain and seals it again with a key of their own.
    CaseEvent.objects.filter(case=case, seq=2).update(payload={"text": "不必调查"})
    _rechain(case.pk)
    AuditCheckpoint.objects.all().delete()
    checkpoint_file.unlink()
    with override_settings(XINFANG_AUDIT_KEY="AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI="):
        _checkpoint()
    _assert_reported(r"第 1 号封存点（.*）不是用当前审计密钥封存的（密钥不符）")


def _one_checkpoint_altered(tree: Tree, checkpoint_file: Path) -> str:
    """A closed case sealed once, then the seal's count of its events raised by one, in the
    database and the file alike (as an attacker would, without the key): the line."""
    _closed_case(tree)
    _checkpoint()
    cp = AuditCheckpoint.objects.get()
    body = json.loads(cp.line)
    body["cases"][0][1] += 1
    line = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    AuditCheckpoint.objects.filter(pk=cp.pk).update(line=line)
    checkpoint_file.write_text(line + "\n", encoding="utf-8")
    return line


def test_checkpoint_altered_is_named(tree: Tree, checkpoint_file: Path) -> None:
    _one_checkpoint_altered(tree, checkpoint_file)
    _assert_reported(r"第 1 号封存点（.*）校验失败：封存内容被改动或伪造")


def test_checkpoint_missing_in_the_middle_is_named(tree: Tree, checkpoint_file: Path) -> None:
    _closed_case(tree)
    for _ in range(3):
        _checkpoint()
    AuditCheckpoint.objects.filter(seq=2).delete()
    lines = checkpoint_file.read_text(encoding="utf-8").splitlines()
    checkpoint_file.write_text(lines[0] + "\n" + lines[2] + "\n", encoding="utf-8")
    _assert_reported("第 2 至 2 号封存点缺失（已被删除）")


def test_checkpoint_refuses_to_seal_a_tampered_database(tree: Tree) -> None:
    case = _closed_case(tree)
    Case.objects.filter(pk=case.pk).update(state="handling")
    with pytest.raises(CommandError, match=r"未封存：核验发现 1 处问题.*“状态”"):
        _checkpoint()
    assert not AuditCheckpoint.objects.exists()


@override_settings(XINFANG_AUDIT_KEY="")
def test_checkpoint_without_a_key_is_refused(tree: Tree) -> None:
    _closed_case(tree)
    with pytest.raises(CommandError, match="未设置审计密钥 XINFANG_AUDIT_KEY"):
        _checkpoint()


@override_settings(XINFANG_AUDIT_KEY="c2hvcnQ=")
def test_malformed_key_is_refused(tree: Tree) -> None:
    with pytest.raises(CommandError, match="审计密钥 XINFANG_AUDIT_KEY 格式不对"):
        _checkpoint()


def test_verify_without_the_key_cannot_vouch_for_checkpoints(tree: Tree) -> None:
    _closed_case(tree)
    _checkpoint()
    with override_settings(XINFANG_AUDIT_KEY=""):
        _assert_reported("未设置审计密钥 XINFANG_AUDIT_KEY，无法封存或核验封存点")


def test_report_lists_every_case_changed(tree: Tree) -> None:
    one, two = _closed_case(tree), _closed_case(tree)
    Case.objects.filter(pk__in=[one.pk, two.pk]).update(state="handling")
    problems = [str(p) for p in audit().problems]
    assert len(problems) == 2
    assert one.number in problems[0] and two.number in problems[1]


def test_an_event_appended_while_verifying_is_not_tampering(
    tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The case rows and their events are read by two queries; a service writing between
    them makes the row look one event behind. Verify reads such a case again."""
    case = _closed_case(tree)
    real = timeline._batches
    writes: list[int] = []

    def with_a_write_in_between(batch: int, only: set[int] | None = None) -> Any:
        for chunk, events in real(batch, only):
            if not writes:
                cs.case_instruct(
                    actor=tree.staff(tree.county_org, "leader"), case=case, text="请抓紧。"
                )
                writes.append(case.pk)
                rows = CaseEvent.objects.filter(case_id__in=events).order_by("case_id", "seq")
                events = {pk: [] for pk in events}
                for row in rows.values_list(*timeline._EVENT_COLUMNS):
                    events[row[0]].append(row)
            yield chunk, events

    monkeypatch.setattr(timeline, "_batches", with_a_write_in_between)
    assert [str(p) for p in audit().problems] == []
    assert writes == [case.pk]


def test_demo_keys_gain_an_audit_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo's key file, old or new, holds an audit key of 32 random bytes; the data key
    already there is kept."""
    import base64

    from xinfang.cli import _demo_environment

    keys = tmp_path / "demo-keys.env"
    keys.write_text("XINFANG_SECRET_KEY=s\nXINFANG_DATA_KEY=d\n", encoding="utf-8")
    monkeypatch.setenv("XINFANG_HOME", str(tmp_path))
    for name in ("XINFANG_SECRET_KEY", "XINFANG_DATA_KEY", "XINFANG_AUDIT_KEY"):
        monkeypatch.delenv(name, raising=False)
    _demo_environment()
    lines = keys.read_text(encoding="utf-8").splitlines()
    assert lines[:2] == ["XINFANG_SECRET_KEY=s", "XINFANG_DATA_KEY=d"]
    [audit_line] = [line for line in lines if line.startswith("XINFANG_AUDIT_KEY=")]
    assert len(base64.urlsafe_b64decode(audit_line.split("=", 1)[1])) == 32
    _demo_environment()  # a second run keeps the same key
    assert keys.read_text(encoding="utf-8").count("XINFANG_AUDIT_KEY=") == 1


def test_checkpoint_file_that_cannot_be_written_is_told(tree: Tree, tmp_path: Path) -> None:
    _closed_case(tree)
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("", encoding="utf-8")
    with (
        override_settings(XINFANG_AUDIT_CHECKPOINT_FILE=blocked / "checkpoints.jsonl"),
        pytest.raises(CommandError, match="封存点已写入数据库，但未能追加到封存点文件"),
    ):
        _checkpoint()
    assert AuditCheckpoint.objects.count() == 1


def test_sealing_directly_after_an_altered_checkpoint_is_refused(
    tree: Tree, checkpoint_file: Path
) -> None:
    """`write_checkpoint` called without the command (which verifies everything first) still
    checks the checkpoints before it: sealing after an altered one would carry the broken
    chain on under a valid MAC. Nothing is written, in the database or the file."""
    line = _one_checkpoint_altered(tree, checkpoint_file)
    with pytest.raises(
        timeline.CheckpointRefused,
        match=(
            r"^未封存：第 1 号封存点（.*）校验失败：封存内容被改动或伪造。"
            r"请先运行 xinfang audit verify 查明。$"
        ),
    ):
        timeline.write_checkpoint()
    assert list(AuditCheckpoint.objects.values_list("seq", flat=True)) == [1]
    assert checkpoint_file.read_text(encoding="utf-8") == line + "\n"


def test_sealing_directly_after_a_deleted_checkpoint_is_refused(
    tree: Tree, checkpoint_file: Path
) -> None:
    _closed_case(tree)
    _checkpoint()
    _checkpoint()
    AuditCheckpoint.objects.filter(seq=1).delete()
    with pytest.raises(
        timeline.CheckpointRefused,
        match=r"^未封存：数据库中的第 1 号封存点已被删除（文件中仍有）。",
    ):
        timeline.write_checkpoint()
    assert list(AuditCheckpoint.objects.values_list("seq", flat=True)) == [2]
    assert len(checkpoint_file.read_text(encoding="utf-8").splitlines()) == 2


def test_sealing_directly_after_a_line_the_file_lacks_goes_on(
    tree: Tree, checkpoint_file: Path
) -> None:
    """A checkpoint committed whose line never reached the file (the command's "must be
    mended" case) is not a tampering: the next seal is written, and both verify."""
    _closed_case(tree)
    _checkpoint()
    checkpoint_file.write_text("", encoding="utf-8")
    written = timeline.write_checkpoint()
    assert written.seq == 2
    assert [json.loads(x)["seq"] for x in checkpoint_file.read_text().splitlines()] == [2]
    assert audit().problems == []


def test_a_checkpoint_says_what_it_sealed(tree: Tree, tmp_path: Path) -> None:
    """The seal's totals and what `write_checkpoint` returns (the command prints them): every
    case and the sum of their events, the time of the row, and the file, its folders made
    on the first seal."""
    _closed_case(tree)
    _closed_case(tree)
    events = CaseEvent.objects.count()
    assert events >= 10  # two cases registered, read, handled and closed
    path = tmp_path / "new" / "folder" / "checkpoints.jsonl"
    written = timeline.write_checkpoint(path=path)
    row = AuditCheckpoint.objects.get()
    assert (written.seq, written.cases, written.events, written.path) == (1, 2, events, path)
    assert written.at == row.created_at
    assert (row.case_count, row.event_count) == (2, events)
    body = json.loads(row.line)
    assert body["total"] == [2, events]
    assert body["prev"] == ""  # the first seal follows none
    assert path.read_text(encoding="utf-8") == row.line + "\n"


def test_an_empty_database_is_sealed_and_verifies(db: None, checkpoint_file: Path) -> None:
    """Before the first case (a new deployment's first hourly seal): the ledger's head is
    the one the migration made, no entry (count 0, no hash), and the seal verifies."""
    written = timeline.write_checkpoint()
    body = json.loads(AuditCheckpoint.objects.get().line)
    assert (written.cases, written.events) == (0, 0)
    assert (body["cases"], body["ledger"], body["total"]) == ([], [0, ""], [0, 0])
    assert audit().problems == []


# --- The checkpoints as read back: what `_load_seals` names (its mutation run, stop 33) --------


def _problems() -> list[str]:
    return [str(p) for p in audit().problems]


def test_checkpoint_altered_in_the_database_only_is_named(
    tree: Tree, checkpoint_file: Path
) -> None:
    """The file keeps the seal as written, the database's copy is changed: the file's copy
    is read (and verifies), and the difference is named."""
    _closed_case(tree)
    _checkpoint()
    cp = AuditCheckpoint.objects.get()
    body = json.loads(cp.line)
    body["cases"][0][1] += 1
    AuditCheckpoint.objects.filter(pk=cp.pk).update(line=json.dumps(body))
    assert _problems() == ["数据库中的第 1 号封存点与文件中的不一致。"]


def test_unreadable_lines_of_the_checkpoint_file_are_named_and_the_rest_read(
    tree: Tree, checkpoint_file: Path
) -> None:
    """A blank line is skipped, a line that is not a seal is named by its line number, and
    the lines after both are still read: the second seal, deleted from the database, is
    named from the file."""
    _closed_case(tree)
    _checkpoint()
    _checkpoint()
    first, second = checkpoint_file.read_text(encoding="utf-8").splitlines()
    checkpoint_file.write_text(f"{first}\n\n不是封存点\n{second}\n", encoding="utf-8")
    AuditCheckpoint.objects.filter(seq=2).delete()
    assert _problems() == [
        f"封存点文件 {checkpoint_file} 第 3 行无法解析。",
        "数据库中的第 2 号封存点已被删除（文件中仍有）。",
    ]


def test_checkpoint_unreadable_in_the_database_is_named(tree: Tree, checkpoint_file: Path) -> None:
    _closed_case(tree)
    _checkpoint()
    checkpoint_file.unlink()
    AuditCheckpoint.objects.update(line="{不是封存点")
    assert "第 1 号封存点无法解析。" in _problems()


def test_checkpoint_spliced_from_another_chain_is_named(tree: Tree, checkpoint_file: Path) -> None:
    """The second seal sealed again with the key but naming another seal before it (one of
    another copy of the database): each MAC verifies, the chain between them does not."""
    _closed_case(tree)
    _checkpoint()
    _checkpoint()
    cp = AuditCheckpoint.objects.get(seq=2)
    body = json.loads(cp.line)
    body["prev"] = "0" * 64
    body["mac"] = timeline._mac(timeline.audit_key(), body)
    line = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    AuditCheckpoint.objects.filter(pk=cp.pk).update(line=line)
    first = checkpoint_file.read_text(encoding="utf-8").splitlines()[0]
    checkpoint_file.write_text(f"{first}\n{line}\n", encoding="utf-8")
    [problem] = _problems()
    assert re.fullmatch(r"第 2 号封存点（.*）与前一个封存点不衔接。", problem), problem


def test_without_the_key_no_checkpoint_is_vouched_for(tree: Tree) -> None:
    _closed_case(tree)
    _checkpoint()
    with override_settings(XINFANG_AUDIT_KEY=""):
        report = audit()
    assert report.latest == ""
    [problem] = [str(p) for p in report.problems]
    assert problem.startswith("未设置审计密钥 XINFANG_AUDIT_KEY，无法封存或核验封存点。")
