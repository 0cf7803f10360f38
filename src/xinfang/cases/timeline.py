"""The append-only, hash-chained case timeline (R-PROTECT-2).

Each case has its own chain: event n stores the hash of event n-1, and the case row keeps
the count and the last hash, so an altered, removed or trailing-removed event is detected.
Events are written only by `append_event`, called inside the transaction that changes the
case, with the case row locked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections, router, transaction
from django.utils import timezone

from xinfang.cases.models import Case, CaseEvent
from xinfang.orgs.models import User


def _canonical(value: Any) -> Any:
    """JSON-normal form: what is stored is exactly what was hashed."""
    return json.loads(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str))


def event_hash(
    *,
    prev_hash: str,
    case_id: int,
    seq: int,
    kind: str,
    actor_id: int,
    from_state: str,
    to_state: str,
    payload: Any,
    created_at_iso: str,
) -> str:
    body = json.dumps(
        [prev_hash, case_id, seq, kind, actor_id, from_state, to_state, payload, created_at_iso],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode()).hexdigest()


def _iso(value: Any) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def append_event(
    case: Case,
    *,
    kind: str,
    actor: User,
    from_state: str = "",
    to_state: str = "",
    payload: dict[str, Any] | None = None,
    save_fields: Sequence[str] = (),
) -> CaseEvent:
    """Append one event; `case` must be locked (select_for_update) by the caller's transaction.

    The new chain head is written to the case row together with `save_fields`, the case's own
    changes, in one UPDATE."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("append_event must run inside the transaction that changes the case")
    created_at = timezone.now()
    seq = case.event_count + 1
    data = _canonical(payload or {})
    digest = event_hash(
        prev_hash=case.last_event_hash,
        case_id=case.pk,
        seq=seq,
        kind=kind,
        actor_id=actor.pk,
        from_state=from_state,
        to_state=to_state,
        payload=data,
        created_at_iso=_iso(created_at),
    )
    event = CaseEvent(
        case=case,
        seq=seq,
        kind=kind,
        actor=actor,
        from_state=from_state,
        to_state=to_state,
        payload=data,
        created_at=created_at,
        prev_hash=case.last_event_hash,
        hash=digest,
    )
    case.event_count = seq
    case.last_event_hash = digest
    _write(event, case, [*save_fields, "event_count", "last_event_hash"])
    return event


def _write(event: CaseEvent, case: Case, case_fields: Sequence[str]) -> None:
    """Insert the event and update the case row in two plain statements.

    Every change of every case passes here, so it skips the ORM's per-query overhead
    (about a quarter of a millisecond each on this hardware); values are still prepared by
    the model fields, so both databases store exactly what the ORM would."""
    connection = connections[router.db_for_write(CaseEvent)]
    inserts = [f for f in CaseEvent._meta.concrete_fields if not f.primary_key]
    qn = connection.ops.quote_name
    ev_sql = "INSERT INTO {} ({}) VALUES ({}) RETURNING {}".format(
        qn(CaseEvent._meta.db_table),
        ", ".join(qn(f.column) for f in inserts),
        ", ".join(["%s"] * len(inserts)),
        qn(CaseEvent._meta.pk.column),
    )
    ev_params = [f.get_db_prep_save(getattr(event, f.attname), connection) for f in inserts]
    by_name = {f.name: f for f in Case._meta.concrete_fields}
    updates = [by_name[name] for name in case_fields]
    case_sql = "UPDATE {} SET {} WHERE {} = %s".format(
        qn(Case._meta.db_table),
        ", ".join(f"{qn(f.column)} = %s" for f in updates),
        qn(Case._meta.pk.column),
    )
    case_params = [f.get_db_prep_save(getattr(case, f.attname), connection) for f in updates]
    with connection.cursor() as cursor:
        cursor.execute(ev_sql, ev_params)
        row = cursor.fetchone()
        assert row is not None
        event.pk = row[0]
        cursor.execute(case_sql, [*case_params, case.pk])
        if cursor.rowcount != 1:
            raise RuntimeError(f"case {case.pk} was not updated")
    event._state.adding = False
    event._state.db = connection.alias


def append_record(
    case: Case, *, kind: str, actor: User, payload: dict[str, Any] | None = None
) -> CaseEvent:
    """Append an event that records something without changing the case's state."""
    return append_event(
        case, kind=kind, actor=actor, from_state=case.state, to_state=case.state, payload=payload
    )


@dataclass(frozen=True)
class ChainProblem:
    case_id: int
    case_number: str
    seq: int
    problem: str

    def __str__(self) -> str:
        return f"案件 {self.case_number}（id {self.case_id}）第 {self.seq} 条记录：{self.problem}"


def verify_chains(batch: int = 2000) -> Iterator[ChainProblem]:
    """Yield the first problem of every case whose chain is broken, in case id order."""
    cases = Case.objects.order_by("pk").values_list(
        "pk", "number", "event_count", "last_event_hash"
    )
    last_pk = 0
    while True:
        chunk = list(cases.filter(pk__gt=last_pk)[:batch])
        if not chunk:
            return
        last_pk = chunk[-1][0]
        events: dict[int, list[CaseEvent]] = {pk: [] for pk, *_ in chunk}
        for ev in CaseEvent.objects.filter(case_id__in=events).order_by("case_id", "seq"):
            events[ev.case_id].append(ev)
        for pk, number, count, head in chunk:
            problem = _verify_case(pk, number, count, head, events[pk])
            if problem:
                yield problem


def _verify_case(
    pk: int, number: str, count: int, head: str, events: list[CaseEvent]
) -> ChainProblem | None:
    prev = ""
    for expected_seq, ev in enumerate(events, start=1):
        if ev.seq != expected_seq:
            return ChainProblem(pk, number, expected_seq, "记录缺失（已被删除）")
        digest = event_hash(
            prev_hash=prev,
            case_id=pk,
            seq=ev.seq,
            kind=ev.kind,
            actor_id=ev.actor_id,
            from_state=ev.from_state,
            to_state=ev.to_state,
            payload=_canonical(ev.payload),
            created_at_iso=_iso(ev.created_at),
        )
        if ev.prev_hash != prev or ev.hash != digest:
            return ChainProblem(pk, number, ev.seq, "内容被篡改")
        prev = ev.hash
    if len(events) < count:
        return ChainProblem(pk, number, len(events) + 1, "记录缺失（已被删除）")
    if prev != head or len(events) != count:
        return ChainProblem(pk, number, len(events), "链头与案件记录不符")
    return None
