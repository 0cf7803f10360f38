"""The append-only, hash-chained case timeline and its audit (R-PROTECT-2).

Three things make a timeline that cannot be rewritten from the database alone:

1. Each case has its own chain: event n stores the hash of event n-1, and the case row keeps
   the count and the last hash. Each event also records the case's fields as it left them
   (`case_after`, SNAPSHOT_FIELDS) and a digest of every record it created or changed
   (`records`: petition, respondent, interview, instruction, closure, ...), so a case row or
   a record changed behind the services' back no longer matches its last event.
2. A ledger of case creation (CaseLedgerEntry, itself a chain) lists every case ever
   created: a deleted case stays visible.
3. Checkpoints (AuditCheckpoint) seal every chain head and the ledger head with an
   HMAC-SHA256 whose key (XINFANG_AUDIT_KEY) is not in the database; each is also appended
   to a file the operator keeps elsewhere. A chain recomputed after an edit, or a backdated
   event, no longer matches the last checkpoint.

Events are written only by `append_event`, called inside the transaction that changes the
case, with the case row locked. Verification reads everything batch-wise.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections, models, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone
from django.utils.translation import gettext

from xinfang.cases.models import (
    AuditCheckpoint,
    Case,
    CaseEvent,
    CaseLedgerEntry,
    CaseLedgerHead,
    Closure,
    Instruction,
    OverdueExplanation,
    Referral,
    Review,
)
from xinfang.core.bulk import Row, insert_values, prepare_datetime
from xinfang.orgs.models import User
from xinfang.petitions.models import ConcernedCadre, Interview, Petition, Respondent

# The case fields an event records as it leaves them: every column of the case but its
# own chain head. Each decides who handles the matter, what it is, or by when: state,
# department, handler, handling mode, due date, the links to parent, root, merged-into and
# previous case, closure and archive dates and number, key case, result required,
# follow-up department, review stage, report upward; number, title, category, nature,
# collective and registration time say what the matter is. The department that sent the
# case down (`sent_down_by`, cases/0016) decides who sees it (R-SUPER-2); appended last.
SNAPSHOT_FIELDS: tuple[str, ...] = (
    "number",
    "department",
    "state",
    "handling_mode",
    "handler",
    "due_on",
    "parent",
    "root",
    "merged_into",
    "previous_case",
    "closed_at",
    "archived_at",
    "archive_number",
    "mode_decided_at",
    "is_key_case",
    "result_required",
    "follow_department",
    "review_stage",
    "report_upward",
    "title",
    "category",
    "nature",
    "is_collective",
    "registered_at",
    "sent_down_by",
)

# The records a decision rests on, by the short name events store; and how each belongs
# to a case (a petition's respondents and interviews belong to the petition's case).
CONTENT_KINDS: dict[str, type[models.Model]] = {
    "petition": Petition,
    "respondent": Respondent,
    "interview": Interview,
    "concerned_cadre": ConcernedCadre,
    "instruction": Instruction,
    "closure": Closure,
    "referral": Referral,
    "review": Review,
    "overdue_explanation": OverdueExplanation,
}
_KIND_OF: dict[type[models.Model], str] = {model: kind for kind, model in CONTENT_KINDS.items()}
_OWNER: dict[str, str] = {
    "petition": "case",
    "respondent": "petition__case",
    "interview": "petition__case",
    "concerned_cadre": "petition__case",
}

# Transactions are short; a checkpoint taken while one is committing may not include an
# event dated a moment before it. Events dated this long before a checkpoint must be in it.
CHECKPOINT_GRACE = dt.timedelta(minutes=5)


def _canonical(value: Any) -> Any:
    """JSON-normal form: what is stored is exactly what was hashed."""
    if type(value) is dict:
        flat = _flat_canonical(value)
        if flat is not None:
            return flat
    return json.loads(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str))


def _flat_canonical(value: dict[Any, Any]) -> dict[str, Any] | None:
    """`_canonical` of a dict of text keys and plain values (None, booleans, integers, text
    and its subclasses such as a choices enum, dates) without the JSON round trip: the same
    values in the same key order (sorted); None for anything else (nested, float,
    datetime, ...), which takes the round trip. Most events' payloads are such dicts."""
    out: dict[str, Any] = {}
    for key in sorted(value) if all(type(k) is str for k in value) else ():
        item = value[key]
        kind = type(item)
        if item is None or kind is bool or kind is int or kind is str:
            out[key] = item
        elif isinstance(item, str):
            out[key] = str.__str__(item)  # the text as JSON writes it, not the enum's __str__
        elif kind is dt.date:
            out[key] = item.isoformat()  # `default=str`
        else:
            return None
    return out if len(out) == len(value) else None


def _iso(value: Any) -> str:
    iso: str = value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return iso


def _norm(value: Any) -> Any:
    """One JSON value for a field value, the same whether read from memory or the database."""
    if value is None or type(value) in _AS_IS:  # the common case, without the checks below
        return value
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return str(value)  # choices enums become their plain value
    if isinstance(value, dt.datetime):
        return _datetime_iso(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return _canonical(value)


_AS_IS = frozenset({str, int, bool, float})

# The last datetime `_norm` converted and its text: a batch's events carry the same time
# stamp object in every snapshot and record (the batch's `now`), and converting it is a
# time-zone look-up and a formatting each. By identity, with the object kept: datetimes are
# immutable, and a new object never meets an old one's text. One tuple, replaced whole.
_LAST_ISO: tuple[dt.datetime | None, str] = (None, "")


def _datetime_iso(value: dt.datetime) -> str:
    global _LAST_ISO
    last = _LAST_ISO
    if last[0] is value:
        return last[1]
    if timezone.is_naive(value):  # as Django stores a naive value: in the default zone
        return _iso(timezone.make_aware(value))  # (not kept: the zone may change)
    iso = _iso(value)
    _LAST_ISO = (value, iso)
    return iso


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


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
    case_after: list[Any],
    records: list[list[Any]],
) -> str:
    body = [
        prev_hash,
        case_id,
        seq,
        kind,
        actor_id,
        from_state,
        to_state,
        payload,
        created_at_iso,
        case_after,
        records,
    ]
    return hashlib.sha256(_dumps(body)).hexdigest()


# --- Case snapshots and content digests ------------------------------------------------


@functools.cache
def _snapshot_fields() -> list[models.Field[Any, Any]]:
    by_name = {f.name: f for f in Case._meta.concrete_fields}
    return [by_name[name] for name in SNAPSHOT_FIELDS]


def _snap(f: models.Field[Any, Any], value: Any) -> Any:
    # The summary (up to 200 characters) as a short digest: enough to tell it changed, and
    # the event stays small (every event carries the snapshot).
    if f.name == "title":
        return _title_digest(value)
    return _norm(value)


def case_snapshot(case: Case) -> list[Any]:
    """The case's fields as stored in an event's `case_after`: a list in SNAPSHOT_FIELDS
    order (a list, not a dict: the names would double the size of every event). Fields may
    be appended to SNAPSHOT_FIELDS, never reordered or removed."""
    return [_snap(f, getattr(case, f.attname)) for f in _snapshot_fields()]


@functools.cache
def _content_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    # Every column but the id: what the record says, whom it concerns, who wrote it, when.
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _digest(kind: str, values: Sequence[Any]) -> str:
    return hashlib.sha256(_dumps([kind, [_norm(v) for v in values]])).hexdigest()


def record_digest(obj: models.Model | Row) -> list[Any]:
    """[kind, id, digest] of a record as just written (values as the model field reads them),
    a model instance or a plain row (core/bulk.py `Row`, the batch import's)."""
    model = obj.model if isinstance(obj, Row) else type(obj)
    kind = _KIND_OF[model]
    values = []
    for attname, to_python, as_is in _digest_plan(model):
        value = getattr(obj, attname)
        values.append(value if type(value) in as_is else to_python(value))
    return [kind, obj.pk, _digest(kind, values)]


# Field classes whose `to_python` returns a value of these exact types unchanged: the digest
# skips the call for them (a third of an import's timeline cost), and calls it for anything
# else (a choices enum, a date given as a string, a datetime for a date field). Exact
# classes only: a subclass may convert.
_AS_IS_OF: dict[type[models.Field[Any, Any]], frozenset[type]] = {
    models.CharField: frozenset({str, type(None)}),
    models.TextField: frozenset({str, type(None)}),
    models.IntegerField: frozenset({int, type(None)}),
    models.BigIntegerField: frozenset({int, type(None)}),
    models.SmallIntegerField: frozenset({int, type(None)}),
    models.PositiveIntegerField: frozenset({int, type(None)}),
    models.PositiveSmallIntegerField: frozenset({int, type(None)}),
    models.AutoField: frozenset({int, type(None)}),
    models.BigAutoField: frozenset({int, type(None)}),
    models.BooleanField: frozenset({bool}),
    # A date (not a datetime) for a date, any datetime for a datetime: returned unchanged.
    models.DateField: frozenset({dt.date, type(None)}),
    models.DateTimeField: frozenset({dt.datetime, type(None)}),
}


@functools.cache
def _digest_plan(
    model: type[models.Model],
) -> tuple[tuple[str, Any, frozenset[type]], ...]:
    plan = []
    for f in _content_fields(model):
        as_is: frozenset[type] = frozenset()
        if type(f) in (models.ForeignKey, models.OneToOneField):
            # to_python of a reference is its target's: an id.
            as_is = _AS_IS_OF.get(type(f.target_field), frozenset())  # type: ignore[attr-defined]
        else:
            as_is = _AS_IS_OF.get(type(f), frozenset())
        plan.append((f.attname, f.to_python, as_is))
    return tuple(plan)


def snapshot_of_values(values: Mapping[str, Any]) -> list[Any]:
    """`case_snapshot` of a case given as plain values by column attribute name (`department_id`,
    not `department`), for a writer that builds rows without model instances (the bulk
    generator, demo/bulk.py). The values must be what the fields hold after reading back."""
    title = _title_digest
    return [title(values[a]) if t else _norm(values[a]) for a, t in _snapshot_plan()]


@functools.cache
def _snapshot_plan() -> tuple[tuple[str, bool], ...]:
    return tuple((f.attname, f.name == "title") for f in _snapshot_fields())


def _title_digest(value: Any) -> str:
    return hashlib.sha256(str(value).encode()).hexdigest()[:16]


def record_digest_of_values(
    model: type[models.Model], pk: int, values: Mapping[str, Any]
) -> list[Any]:
    """`record_digest` of a record given as plain values by column attribute name: the values
    must already be of the field's Python type (a date for a DateField, an aware datetime for
    a DateTimeField), as `to_python` would leave them; `audit verify` recomputes the digest
    from the row and finds any difference."""
    kind = _KIND_OF[model]
    return [kind, pk, _digest(kind, [values[f.attname] for f in _content_fields(model)])]


# --- Appending -------------------------------------------------------------------------


def append_event(
    case: Case,
    *,
    kind: str,
    actor: User,
    from_state: str = "",
    to_state: str = "",
    payload: dict[str, Any] | None = None,
    save_fields: Sequence[str] = (),
    records: Sequence[models.Model] = (),
) -> CaseEvent:
    """Append one event; `case` must be locked (select_for_update) by the caller's transaction.

    The new chain head is written to the case row together with `save_fields`, the case's own
    changes, in one UPDATE. `case` must hold the case's fields as they are now written (the
    event records them). `records` are the content records this event created or changed
    (CONTENT_KINDS), saved already: their digests go into the chain."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("append_event must run inside the transaction that changes the case")
    event = _next_event(
        case,
        kind=kind,
        actor=actor,
        from_state=from_state,
        to_state=to_state,
        payload=payload,
        records=records,
        created_at=timezone.now(),
    )
    _write(event, case, [*save_fields, "event_count", "last_event_hash"])
    if event.seq == 1:
        _ledger_append(case, event.created_at)
    return event


def _next_event(
    case: Case,
    *,
    kind: str,
    actor: User,
    from_state: str,
    to_state: str,
    payload: dict[str, Any] | None,
    records: Sequence[models.Model],
    created_at: dt.datetime,
) -> CaseEvent:
    """The case's next event, unsaved, its hash computed; the case's head moved to it."""
    seq = case.event_count + 1
    data = _canonical(payload or {})
    after = case_snapshot(case)
    refs = [record_digest(r) for r in records]
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
        case_after=after,
        records=refs,
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
        case_after=after,
        records=refs,
        prev_hash=case.last_event_hash,
        hash=digest,
    )
    case.event_count = seq
    case.last_event_hash = digest
    return event


@dataclass
class OpeningEvent:
    """The first event of a case the batch import has just inserted (cases/actions/bulk.py):
    the case as a plain row, the records it digests as rows or model instances."""

    case: Row
    kind: str
    payload: dict[str, Any]
    records: Sequence[models.Model | Row]


_OPENING_COLUMNS = [
    "case",
    "seq",
    "kind",
    "actor",
    "from_state",
    "to_state",
    "payload",
    "created_at",
    "case_after",
    "records",
    "prev_hash",
    "hash",
]


def append_opening_events(
    events: Sequence[OpeningEvent], *, actor: User, cases_inserted: bool = True
) -> None:
    """The first event of each of many new cases, written in a few statements: each event
    computed as `append_event` computes it (`_next_event`: the same hash, snapshot, payload
    and record digests), here from the values of the rows in hand (`snapshot_of_values`),
    inserted together as plain rows, each case's head set, and the ledger extended once for
    the batch under its locked head. For cases inserted in the caller's transaction, with no
    event yet; the batch import's write path (docs/imports.md). `audit verify` recomputes
    every hash and digest from the stored rows.

    `cases_inserted` False: the case rows are not written yet (their ids drawn first, on
    PostgreSQL); their heads are set on the rows in hand and the caller inserts them after,
    instead of an UPDATE of each row just inserted (docs/imports.md, "Where a PostgreSQL
    import waits")."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("append_opening_events must run inside the transaction that writes")
    if not events:
        return
    created_at = timezone.now()
    created_iso = _iso(created_at)
    connection = connections[router.db_for_write(CaseEvent)]
    stamp = prepare_datetime(CaseEvent, "created_at", created_at)
    as_json = _json_preparer(connection)
    rows = []
    for item in events:
        case = item.case
        if case.event_count != 0 or case.pk is None:
            raise RuntimeError("append_opening_events: only for new cases without events")
        seq = case.event_count + 1
        prev = case.last_event_hash
        to_state = str(case.state)  # a choices enum as its plain value
        data = _canonical(item.payload or {})
        after = snapshot_of_values(case.__dict__)
        refs = [record_digest(r) for r in item.records]
        digest = event_hash(
            prev_hash=prev,
            case_id=case.pk,
            seq=seq,
            kind=item.kind,
            actor_id=actor.pk,
            from_state="",
            to_state=to_state,
            payload=data,
            created_at_iso=created_iso,
            case_after=after,
            records=refs,
        )
        rows.append(
            (
                case.pk,
                seq,
                item.kind,
                actor.pk,
                "",
                to_state,
                as_json(data),
                stamp,
                as_json(after),
                as_json(refs),
                prev,
                digest,
            )
        )
        case.event_count = seq
        case.last_event_hash = digest
    insert_values(CaseEvent, _OPENING_COLUMNS, rows)
    if cases_inserted:
        qn = connection.ops.quote_name
        sql = "UPDATE {} SET {} = %s, {} = %s WHERE {} = %s".format(
            qn(Case._meta.db_table),
            qn("event_count"),
            qn("last_event_hash"),
            qn(Case._meta.pk.column),
        )
        with connection.cursor() as cursor:
            cursor.executemany(
                sql,
                [
                    (item.case.event_count, item.case.last_event_hash, item.case.pk)
                    for item in events
                ],
            )
    _ledger_extend([item.case for item in events], created_at)


def _json_preparer(connection: BaseDatabaseWrapper) -> Any:
    """A JSON value as the event's JSON columns store it (they have no encoder of their own:
    `JSONField.get_db_prep_save` of a plain value is `adapt_json_value`)."""
    field = CaseEvent._meta.get_field("payload")
    assert isinstance(field, models.JSONField) and field.encoder is None
    for name in ("case_after", "records"):
        other = CaseEvent._meta.get_field(name)
        assert isinstance(other, models.JSONField) and other.encoder is None

    def prepare(value: Any) -> Any:
        return connection.ops.adapt_json_value(value, None)

    return prepare


def _insert(connection: BaseDatabaseWrapper, obj: models.Model) -> None:
    """INSERT one row without the ORM's per-query overhead; values prepared by the fields."""
    meta = obj._meta
    inserts = [f for f in meta.concrete_fields if not f.primary_key]
    qn = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({}) RETURNING {}".format(
        qn(meta.db_table),
        ", ".join(qn(f.column) for f in inserts),
        ", ".join(["%s"] * len(inserts)),
        qn(meta.pk.column),
    )
    params = [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in inserts]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
        assert row is not None
    obj.pk = row[0]
    obj._state.adding = False
    obj._state.db = connection.alias


def _write(event: CaseEvent, case: Case, case_fields: Sequence[str]) -> None:
    """Insert the event and update the case row in two plain statements.

    Every change of every case passes here, so it skips the ORM's per-query overhead
    (about a quarter of a millisecond each on this hardware); values are still prepared by
    the model fields, so both databases store exactly what the ORM would."""
    connection = connections[router.db_for_write(CaseEvent)]
    qn = connection.ops.quote_name
    _insert(connection, event)
    by_name = {f.name: f for f in Case._meta.concrete_fields}
    updates = [by_name[name] for name in case_fields]
    case_sql = "UPDATE {} SET {} WHERE {} = %s".format(
        qn(Case._meta.db_table),
        ", ".join(f"{qn(f.column)} = %s" for f in updates),
        qn(Case._meta.pk.column),
    )
    case_params = [f.get_db_prep_save(getattr(case, f.attname), connection) for f in updates]
    with connection.cursor() as cursor:
        cursor.execute(case_sql, [*case_params, case.pk])
        if cursor.rowcount != 1:
            raise RuntimeError(f"case {case.pk} was not updated")


def ledger_hash(*, prev_hash: str, seq: int, case_id: int, number: str, created_at_iso: str) -> str:
    return hashlib.sha256(_dumps([prev_hash, seq, case_id, number, created_at_iso])).hexdigest()


def _ledger_append(case: Case, created_at: dt.datetime) -> None:
    """Record the case's creation in the ledger, its head row locked: one writer at a time."""
    connection = connections[router.db_for_write(CaseLedgerEntry)]
    qn = connection.ops.quote_name
    table = qn(CaseLedgerHead._meta.db_table)
    count_col, head_col, pk_col = qn("count"), qn("head"), qn("id")
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {count_col}, {head_col} FROM {table} WHERE {pk_col} = 1{lock}")
        row = cursor.fetchone()
        if row is None:  # the migration creates it; a flushed test database has none
            cursor.execute(
                f"INSERT INTO {table} ({pk_col}, {count_col}, {head_col}) VALUES (1, 0, '')"
            )
            row = (0, "")
        count, head = int(row[0]), str(row[1])
        seq = count + 1
        digest = ledger_hash(
            prev_hash=head,
            seq=seq,
            case_id=case.pk,
            number=case.number,
            created_at_iso=_iso(created_at),
        )
        entry = CaseLedgerEntry(
            seq=seq,
            case_id=case.pk,
            number=case.number,
            created_at=created_at,
            prev_hash=head,
            hash=digest,
        )
        _insert(connection, entry)
        cursor.execute(
            f"UPDATE {table} SET {count_col} = %s, {head_col} = %s WHERE {pk_col} = 1",
            [seq, digest],
        )


def _ledger_extend(cases: Sequence[Case | Row], created_at: dt.datetime) -> None:
    """`_ledger_append` for many new cases: one lock of the head, one insert, one update."""
    connection = connections[router.db_for_write(CaseLedgerEntry)]
    qn = connection.ops.quote_name
    table = qn(CaseLedgerHead._meta.db_table)
    count_col, head_col, pk_col = qn("count"), qn("head"), qn("id")
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {count_col}, {head_col} FROM {table} WHERE {pk_col} = 1{lock}")
        row = cursor.fetchone()
        if row is None:  # the migration creates it; a flushed test database has none
            cursor.execute(
                f"INSERT INTO {table} ({pk_col}, {count_col}, {head_col}) VALUES (1, 0, '')"
            )
            row = (0, "")
        seq, head = int(row[0]), str(row[1])
        stamp = prepare_datetime(CaseLedgerEntry, "created_at", created_at)
        entries = []
        for case in cases:
            seq += 1
            digest = ledger_hash(
                prev_hash=head,
                seq=seq,
                case_id=case.pk,
                number=case.number,
                created_at_iso=_iso(created_at),
            )
            entries.append((seq, case.pk, case.number, stamp, head, digest))
            head = digest
        insert_values(
            CaseLedgerEntry,
            ["seq", "case_id", "number", "created_at", "prev_hash", "hash"],
            entries,
        )
        cursor.execute(
            f"UPDATE {table} SET {count_col} = %s, {head_col} = %s WHERE {pk_col} = 1",
            [seq, head],
        )


def append_record(
    case: Case,
    *,
    kind: str,
    actor: User,
    payload: dict[str, Any] | None = None,
    records: Sequence[models.Model] = (),
    save_fields: Sequence[str] = (),
) -> CaseEvent:
    """Append an event that records something without changing the case's state (its
    other fields changed on `case` and named in `save_fields` are written with it)."""
    return append_event(
        case,
        kind=kind,
        actor=actor,
        from_state=case.state,
        to_state=case.state,
        payload=payload,
        save_fields=save_fields,
        records=records,
    )


# --- Audit key and checkpoints -----------------------------------------------------------


class AuditKeyError(Exception):
    """The audit key is missing or malformed (message in Chinese, for the operator)."""


def audit_key() -> bytes:
    raw = getattr(settings, "XINFANG_AUDIT_KEY", "")
    if not raw:
        raise AuditKeyError(
            gettext(
                "未设置审计密钥 XINFANG_AUDIT_KEY，无法封存或核验封存点。"
                "请设置为 32 字节随机数的 urlsafe base64 编码，并保存在数据库以外。"
            )
        )
    try:
        key = base64.urlsafe_b64decode(raw)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise AuditKeyError(
            gettext("审计密钥 XINFANG_AUDIT_KEY 格式不对：应为 32 字节的 urlsafe base64 编码。")
        )
    return key


def _key_id(key: bytes) -> str:
    """Names the key in each checkpoint without revealing it: a wrong key is told apart from
    an altered checkpoint."""
    return hashlib.sha256(b"xinfang-audit-key-id:" + key).hexdigest()[:16]


def _mac(key: bytes, body: dict[str, Any]) -> str:
    unsigned = {k: v for k, v in body.items() if k != "mac"}
    return hmac.new(key, _dumps(unsigned), hashlib.sha256).hexdigest()


def checkpoint_file() -> Path:
    return Path(settings.XINFANG_AUDIT_CHECKPOINT_FILE)


@dataclass(frozen=True)
class CheckpointWritten:
    seq: int
    at: dt.datetime
    cases: int
    events: int
    path: Path


def _fold(lines: Iterable[str]) -> tuple[dict[int, tuple[int, str]], tuple[int, str]]:
    """The sealed state: each case's latest (count, head) and the latest ledger head."""
    cases: dict[int, tuple[int, str]] = {}
    ledger: tuple[int, str] = (0, "")
    for line in lines:
        body = json.loads(line)
        for pk, count, head in body["cases"]:
            cases[pk] = (count, head)
        ledger = (body["ledger"][0], body["ledger"][1])
    return cases, ledger


class CheckpointRefused(Exception):
    """`write_checkpoint` found the checkpoints before it altered, missing or sealed with
    another key (R-PROTECT-2)."""


def write_checkpoint(*, path: Path | None = None) -> CheckpointWritten:
    """Seal every chain head and the ledger head; append the same line to the file.

    A checkpoint lists only the cases whose head changed since the checkpoints before it,
    and its MAC covers the previous checkpoint's MAC: together they seal the whole set, at
    a size that grows with the events written, not with cases times checkpoints.

    R-PROTECT-2: refused (`CheckpointRefused`, nothing written) when the checkpoints
    before it do not verify: a new seal would carry an altered or broken chain on under a
    valid MAC. `xinfang audit checkpoint` verifies the whole database first; a direct
    caller gets at least the checkpoints checked, as `audit` checks them."""
    key = audit_key()
    path = path or checkpoint_file()
    with transaction.atomic():
        # Checkpoint writers queue on the last checkpoint: seq and prev stay a chain.
        last = AuditCheckpoint.objects.select_for_update().order_by("-seq").first()
        found = AuditReport()
        seals = _load_seals(found, path)
        if found.problems:
            raise CheckpointRefused(
                gettext("未封存：%(problem)s请先运行 xinfang audit verify 查明。")
                % {"problem": found.problems[0]}
            )
        # Every seal verified just above, read once: the state they seal together.
        sealed, _ = _fold(seal.line for seal in seals)
        at = timezone.now()
        ledger = CaseLedgerHead.objects.filter(pk=1).values_list("count", "head").first()
        cases = events = 0
        changed: list[tuple[int, int, str]] = []
        heads = Case.objects.order_by("pk").values_list("pk", "event_count", "last_event_hash")
        for pk, count, head in heads.iterator(chunk_size=5000):
            cases += 1
            events += count
            if sealed.get(pk) != (count, head):
                changed.append((pk, count, head))
        body: dict[str, Any] = {
            "v": 1,
            "seq": (last.seq + 1) if last else 1,
            "at": _iso(at),
            "prev": json.loads(last.line)["mac"] if last else "",
            "key": _key_id(key),
            "ledger": list(ledger) if ledger else [0, ""],
            "cases": changed,
            "total": [cases, events],
        }
        body["mac"] = _mac(key, body)
        line = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        AuditCheckpoint.objects.create(
            seq=body["seq"], created_at=at, case_count=cases, event_count=events, line=line
        )
    # After the commit: a line in the file always has its row (a row not yet in the file is
    # only a copy that lags, not a deletion).
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as f:
        f.write(line + "\n")
        f.flush()
    return CheckpointWritten(body["seq"], at, cases, events, path)


@dataclass
class _Seal:
    seq: int
    at: dt.datetime
    mac: str
    prev: str
    valid: bool
    line: str

    def label(self) -> str:
        local = timezone.localtime(self.at)
        return gettext("第 %(seq)s 号封存点（%(local)s）") % {
            "seq": self.seq,
            "local": format(local, "%Y-%m-%d %H:%M"),
        }


# --- Verification ------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainProblem:
    case_id: int | None
    case_number: str
    seq: int | None
    problem: str
    field: str = ""

    def __str__(self) -> str:
        if self.case_id is None:
            return self.problem
        where = gettext("案件 %(case_number)s（id %(case_id)s）") % {
            "case_number": self.case_number,
            "case_id": self.case_id,
        }
        if self.seq is not None:
            where += gettext("第 %(seq)s 条记录") % {"seq": self.seq}
        return gettext("%(where)s：%(problem)s") % {"where": where, "problem": self.problem}


@dataclass
class AuditReport:
    cases: int = 0
    events: int = 0
    problems: list[ChainProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    latest: str = ""  # the newest checkpoint that the key verifies
    since: str = ""  # the newest checkpoint that still agrees with the database


_EVENT_COLUMNS = (
    "case_id",
    "seq",
    "kind",
    "actor_id",
    "from_state",
    "to_state",
    "payload",
    "created_at",
    "case_after",
    "records",
    "prev_hash",
    "hash",
)


def verify_chains(batch: int = 2000) -> Iterator[ChainProblem]:
    """Every problem found without the checkpoints: chains, case rows, records, ledger."""
    yield from audit(batch=batch, use_checkpoints=False).problems


def audit(
    *, batch: int = 2000, use_checkpoints: bool = True, path: Path | None = None
) -> AuditReport:
    """Check everything, batch-wise, in case id order; see the module docstring."""
    report = AuditReport()
    seals: list[_Seal] = []
    sealed: dict[int, tuple[int, str]] = {}
    sealed_ledger: tuple[int, str] | None = None
    latest: _Seal | None = None
    if use_checkpoints:
        seals = _load_seals(report, path or checkpoint_file())
        valid = [s for s in seals if s.valid]
        if valid:
            latest = valid[-1]
            sealed, sealed_ledger = _fold(s.line for s in valid)
            report.latest = latest.label()
        elif not seals:
            report.notes.append(
                gettext("尚无封存点：只能核验哈希链本身（请定时运行 xinfang audit checkpoint）。")
            )
    failing: dict[int, list[str]] = {}  # case id -> its chain's hashes, for the since-search
    numbers: dict[int, str] = {}
    for chunk, events in _batches(batch):
        report.cases += len(chunk)
        for pk, number, *_ in chunk:
            numbers[pk] = number
            report.events += len(events[pk])
        _check_batch(report, chunk, events, sealed, latest, failing)
    _recheck(report, batch, sealed, latest, failing)
    ledger_hashes, ledger_failed = _check_ledger(report, numbers, sealed_ledger, latest)
    if latest is not None:
        for pk in sorted(set(sealed) - set(numbers)):
            report.problems.append(
                ChainProblem(
                    None,
                    "",
                    None,
                    (
                        gettext("案件 id %(pk)s 在%(label)s时存在，现已被删除。")
                        % {"pk": pk, "label": latest.label()}
                    ),
                )
            )
            failing[pk] = []
        report.since = _since(seals, failing, ledger_hashes if ledger_failed else None)
    return report


def _recheck(
    report: AuditReport,
    batch: int,
    sealed: dict[int, tuple[int, str]],
    latest: _Seal | None,
    failing: dict[int, list[str]],
) -> None:
    """Read again the cases found wrong: a case row and its events are read by two queries,
    and a service appending an event between them must not be reported as tampering.
    Tampering is still there on the second reading."""
    suspects = {p.case_id for p in report.problems if p.case_id is not None}
    if not suspects:
        return
    again = AuditReport()
    for chunk, events in _batches(batch, only=suspects):
        _check_batch(again, chunk, events, sealed, latest, failing)
    for pk in suspects - {p.case_id for p in again.problems}:
        failing.pop(pk, None)
    report.problems = [p for p in report.problems if p.case_id not in suspects]
    report.problems += again.problems


def _batches(
    batch: int, only: set[int] | None = None
) -> Iterator[tuple[list[tuple[Any, ...]], dict[int, list[tuple[Any, ...]]]]]:
    snap = [f.attname for f in _snapshot_fields()]
    cases = Case.objects.order_by("pk").values_list(
        "pk", "number", "event_count", "last_event_hash", *snap
    )
    if only is not None:
        cases = cases.filter(pk__in=only)
    last_pk = 0
    while True:
        chunk = list(cases.filter(pk__gt=last_pk)[:batch])
        if not chunk:
            return
        last_pk = chunk[-1][0]
        events: dict[int, list[tuple[Any, ...]]] = {row[0]: [] for row in chunk}
        rows = (
            CaseEvent.objects.filter(case_id__in=events)
            .order_by("case_id", "seq")
            .values_list(*_EVENT_COLUMNS)
        )
        for row in rows:
            events[row[0]].append(row)
        yield chunk, events


def _chain(pk: int, events: list[tuple[Any, ...]]) -> tuple[int | None, str, list[str]]:
    """(seq of the first bad event or None, what is wrong, the hashes recomputed)."""
    prev = ""
    hashes: list[str] = []
    for expected_seq, ev in enumerate(events, start=1):
        _case_id, seq, kind, actor_id, from_state, to_state, payload = ev[:7]
        created_at, after, refs, prev_hash, stored = ev[7:]
        if seq != expected_seq:
            return expected_seq, gettext("记录缺失（已被删除）或序号被改动"), hashes
        digest = event_hash(
            prev_hash=prev,
            case_id=pk,
            seq=seq,
            kind=kind,
            actor_id=actor_id,
            from_state=from_state,
            to_state=to_state,
            # Read back from JSON columns: already in JSON-normal form.
            payload=payload,
            created_at_iso=_iso(created_at),
            case_after=after,
            records=refs,
        )
        if prev_hash != prev or stored != digest:
            return seq, gettext("内容被篡改（与哈希链不符）"), hashes
        hashes.append(digest)
        prev = digest
    return None, "", hashes


def _check_batch(
    report: AuditReport,
    chunk: list[tuple[Any, ...]],
    events: dict[int, list[tuple[Any, ...]]],
    sealed: dict[int, tuple[int, str]],
    latest: _Seal | None,
    failing: dict[int, list[str]],
) -> None:
    snap = _snapshot_fields()
    current = _current_records([row[0] for row in chunk])
    add = report.problems.append
    for row in chunk:
        pk, number, count, head = row[:4]
        evs = events[pk]
        bad_seq, why, hashes = _chain(pk, evs)
        if bad_seq is not None:
            add(ChainProblem(pk, number, bad_seq, why))
            failing[pk] = hashes
            continue
        if len(evs) < count:
            add(ChainProblem(pk, number, len(evs) + 1, gettext("记录缺失（已被删除）")))
            failing[pk] = hashes
            continue
        if len(evs) != count or (hashes[-1] if hashes else "") != head:
            # The chain itself is whole: only the case row's copy of its head is wrong.
            add(
                ChainProblem(pk, number, len(evs), gettext("链头与案件记录不符"), "last_event_hash")
            )
            continue
        if evs:
            _compare_row(report, pk, number, evs, row[4:], snap)
        _compare_records(report, pk, number, evs, current)
        if latest is not None and not _agrees_with_seal(
            report, pk, number, evs, hashes, sealed, latest
        ):
            failing[pk] = hashes


def _unrecorded(f: models.Field[Any, Any], first: tuple[Any, ...]) -> Any:
    """What the chain says of a field appended to SNAPSHOT_FIELDS after the case's last
    event was written (that event's snapshot is shorter). The sender of a case sent down
    (`sent_down_by`, added by cases/0016 and filled from the assignments) is recorded by
    the case's first event, `received_from_upper` (R-INTAKE-6), as its `from_department`;
    a case that did not come from above has none. So a database migrated from before the
    column verifies, and the column changed behind the services' back is still found."""
    if f.name == "sent_down_by":
        kind, payload = first[2], first[6]
        if kind == "received_from_upper" and isinstance(payload, dict):
            return payload.get("from_department")
    return None


def _compare_row(
    report: AuditReport,
    pk: int,
    number: str,
    evs: list[tuple[Any, ...]],
    values: tuple[Any, ...],
    snap: list[models.Field[Any, Any]],
) -> None:
    """The case row against the fields its last event recorded."""
    last = evs[-1]
    seq, after, when = last[1], last[8], _when(last[7])
    for i, (f, value) in enumerate(zip(snap, values, strict=True)):
        now = _snap(f, value)
        then = after[i] if i < len(after) else _unrecorded(f, evs[0])
        if now == then:
            continue
        label = str(f.verbose_name)
        # The matter's summary is not printed; the others are names, labels and dates.
        shown = gettext("记录为 %(show)s，现为 %(show2)s") % {
            "show": _show(f, then),
            "show2": _show(f, now),
        }
        detail = gettext("已被改动") if f.name == "title" else shown
        report.problems.append(
            ChainProblem(
                pk,
                number,
                seq,
                (
                    gettext(
                        "案件的“%(label)s”在此后未经办理记录被改动（%(detail)s）；该"
                        "记录写于 %(when)s"
                    )
                    % {"label": label, "detail": detail, "when": when}
                ),
                f.name,
            )
        )


def _when(value: dt.datetime) -> str:
    """An event's time for the operator: the change came after it."""
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"


def _show(f: models.Field[Any, Any], value: Any) -> str:
    """A field's value in words for the operator: a choice's label, a department's or a
    user's name, a case's number (never its summary)."""
    if value in (None, ""):
        return gettext("空")
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    model = f.related_model
    if f.is_relation and isinstance(model, type) and issubclass(model, models.Model):
        related = model._default_manager.filter(pk=value)
        if model is Case:
            name = related.values_list("number", flat=True).first()
        else:
            obj = related.first()
            name = str(obj) if obj is not None else None
        return (
            (gettext("%(name)s（id %(value)s）") % {"name": name, "value": value})
            if name
            else (gettext("不存在的记录（id %(value)s）") % {"value": value})
        )
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    return str(value)


def _current_records(case_ids: list[int]) -> dict[int, dict[tuple[str, int], str]]:
    """Case id -> {(kind, id): digest now} of every record these cases own."""
    found: dict[int, dict[tuple[str, int], str]] = {pk: {} for pk in case_ids}
    for kind, model in CONTENT_KINDS.items():
        owner = _OWNER.get(kind, "case")
        names = [f.attname for f in _content_fields(model)]
        rows = (
            model._default_manager.filter(**{f"{owner}__in": case_ids})
            .order_by()
            .values_list("pk", owner, *names)
        )
        for pk, case_id, *values in rows:
            found[case_id][(kind, pk)] = _digest(kind, values)
    return found


def _compare_records(
    report: AuditReport,
    pk: int,
    number: str,
    evs: list[tuple[Any, ...]],
    current: dict[int, dict[tuple[str, int], str]],
) -> None:
    """Each record the case's events cover against its digest now, and the case's records
    no event covers."""
    latest_ref: dict[tuple[str, int], tuple[str, int, dt.datetime]] = {}
    for ev in evs:
        for kind, rid, digest in ev[9]:
            latest_ref[(kind, rid)] = (digest, ev[1], ev[7])
    add = report.problems.append
    own = current[pk]
    gone: list[tuple[str, int, int]] = []
    for (kind, rid), (digest, seq, written) in latest_ref.items():
        now = own.get((kind, rid))
        label = CONTENT_KINDS[kind]._meta.verbose_name
        if now is None:
            gone.append((kind, rid, seq))
        elif now != digest:
            add(
                ChainProblem(
                    pk,
                    number,
                    seq,
                    (
                        gettext(
                            "所涉%(label)s（id %(rid)s）的内容此后被改动（与记录时的摘要不"
                            "符）；该记录写于 %(when)s"
                        )
                        % {"label": label, "rid": rid, "when": _when(written)}
                    ),
                    kind,
                )
            )
    for kind, rid, seq in gone:
        # Not this case's any more: moved to another case (a merge, checked there) or
        # deleted.
        model = CONTENT_KINDS[kind]
        if not model._default_manager.filter(pk=rid).exists():
            label = model._meta.verbose_name
            add(
                ChainProblem(
                    pk,
                    number,
                    seq,
                    (gettext("所涉%(label)s（id %(rid)s）已被删除") % {"label": label, "rid": rid}),
                    kind,
                )
            )
    for kind, rid in own:
        if (kind, rid) not in latest_ref:
            label = CONTENT_KINDS[kind]._meta.verbose_name
            add(
                ChainProblem(
                    pk,
                    number,
                    None,
                    (
                        gettext("%(label)s（id %(rid)s）不见于任何办理记录（未经系统写入）")
                        % {"label": label, "rid": rid}
                    ),
                    kind,
                )
            )


def _agrees_with_seal(
    report: AuditReport,
    pk: int,
    number: str,
    evs: list[tuple[Any, ...]],
    hashes: list[str],
    sealed: dict[int, tuple[int, str]],
    latest: _Seal,
) -> bool:
    add = report.problems.append
    count, head = sealed.get(pk, (0, ""))
    if len(hashes) < count:
        add(
            ChainProblem(
                pk,
                number,
                len(hashes) + 1,
                (
                    gettext("%(label)s时本案有 %(count)s 条记录，现只有 %(len)s 条：记录被删除")
                    % {"label": latest.label(), "count": count, "len": len(hashes)}
                ),
            )
        )
        return False
    if count and hashes[count - 1] != head:
        add(
            ChainProblem(
                pk,
                number,
                count,
                (
                    gettext(
                        "第 1 至 %(count)s 条记录与%(label)s封存的链头不符：记录被"
                        "改写后重算了哈希链"
                    )
                    % {"count": count, "label": latest.label()}
                ),
            )
        )
        return False
    cutoff = latest.at - CHECKPOINT_GRACE
    for ev in evs[count:]:
        if ev[7] < cutoff:
            what = (
                gettext("本案不在该封存点中，却有")
                if pk not in sealed
                else gettext("该记录不在封存范围内，却")
            )
            add(
                ChainProblem(
                    pk,
                    number,
                    ev[1],
                    (
                        gettext("%(what)s早于%(label)s的记录：伪造或补记")
                        % {"what": what, "label": latest.label()}
                    ),
                )
            )
            return False
    return True


def _check_ledger(
    report: AuditReport,
    numbers: dict[int, str],
    sealed: tuple[int, str] | None,
    latest: _Seal | None,
) -> tuple[list[str], bool]:
    """Walk the creation ledger; every case is in it once, every entry's case exists.
    Returns its hashes and whether it disagrees with the sealed ledger head."""
    add = report.problems.append
    prev = ""
    hashes: list[str] = []
    listed: set[int] = set()
    unseen: list[tuple[int, str, int]] = []
    broken = False
    # The head first, then the entries up to it: cases created while the audit runs append
    # beyond it and are not mistaken for a ledger out of step with its head.
    head = CaseLedgerHead.objects.filter(pk=1).values_list("count", "head").first() or (0, "")
    rows = (
        CaseLedgerEntry.objects.filter(seq__lte=head[0])
        .order_by("seq")
        .values_list("seq", "case_id", "number", "created_at", "prev_hash", "hash")
    )
    for expected, (seq, case_id, number, created_at, prev_hash, stored) in enumerate(
        rows.iterator(chunk_size=5000), start=1
    ):
        listed.add(case_id)
        if case_id not in numbers:
            unseen.append((case_id, number, seq))
        elif numbers[case_id] != number:
            add(
                ChainProblem(
                    case_id,
                    numbers[case_id],
                    None,
                    (
                        gettext("案件编号与立案登记簿第 %(seq)s 条（%(number)s）不符")
                        % {"seq": seq, "number": number}
                    ),
                    "number",
                )
            )
        if broken:
            continue
        digest = ledger_hash(
            prev_hash=prev,
            seq=seq,
            case_id=case_id,
            number=number,
            created_at_iso=_iso(created_at),
        )
        if seq != expected or prev_hash != prev or stored != digest:
            add(
                ChainProblem(
                    None,
                    "",
                    None,
                    (
                        gettext("立案登记簿第 %(expected)s 条被删除或篡改。")
                        % {"expected": expected}
                    ),
                )
            )
            broken = True
            continue
        hashes.append(digest)
        prev = digest
    # Listed but not walked: deleted, or created after the walk passed its id.
    exists = set(Case.objects.filter(pk__in=[u[0] for u in unseen]).values_list("pk", flat=True))
    for case_id, number, seq in unseen:
        if case_id not in exists:
            add(
                ChainProblem(
                    None,
                    "",
                    None,
                    (
                        gettext(
                            "案件 %(number)s（id %(case_id)s）已被删除（立案登记簿第 %(seq)s 条）。"
                        )
                        % {"number": number, "case_id": case_id, "seq": seq}
                    ),
                )
            )
    if not broken and (head[0] != len(hashes) or head[1] != prev):
        add(
            ChainProblem(
                None,
                "",
                None,
                gettext("立案登记簿的链头与登记簿不符：末尾的登记被删除或链头被改动。"),
            )
        )
        broken = True
    for pk in sorted(set(numbers) - listed):
        add(ChainProblem(pk, numbers[pk], None, gettext("本案不见于立案登记簿（未经系统立案）")))
    failed = (
        sealed is not None and latest is not None and not broken and not _matches(hashes, *sealed)
    )
    if failed:
        assert latest is not None
        add(
            ChainProblem(
                None,
                "",
                None,
                (
                    gettext("立案登记簿与%(label)s封存的链头不符：登记被删除或改写后重算。")
                    % {"label": latest.label()}
                ),
            )
        )
    return hashes, failed


def _matches(hashes: list[str], count: int, head: str) -> bool:
    """Whether a chain whose hashes are `hashes` had `head` as its head at `count`."""
    return len(hashes) >= count and (count == 0 or hashes[count - 1] == head)


def _load_seals(report: AuditReport, path: Path) -> list[_Seal]:
    """Checkpoints from the database and the file, checked with the key. Returns them in seq
    order, the file's copy preferred; problems for every disagreement."""
    add = report.problems.append
    try:
        key: bytes | None = audit_key()
    except AuditKeyError as exc:
        key = None
        add(ChainProblem(None, "", None, str(exc)))
    db: dict[int, str] = dict(AuditCheckpoint.objects.values_list("seq", "line").iterator())
    in_file: dict[int, str] = {}
    if path.exists():
        with path.open(encoding="utf-8") as f:
            for number, text in enumerate(f, start=1):
                text = text.strip()
                if not text:
                    continue
                try:
                    in_file[int(json.loads(text)["seq"])] = text
                except (ValueError, KeyError, TypeError):
                    add(
                        ChainProblem(
                            None,
                            "",
                            None,
                            (
                                gettext("封存点文件 %(path)s 第 %(number)s 行无法解析。")
                                % {"path": path, "number": number}
                            ),
                        )
                    )
    else:
        report.notes.append(
            gettext("未找到封存点文件 %(path)s：只核验数据库中的封存点。") % {"path": path}
        )
    for seq in sorted(in_file):
        if seq not in db:
            add(
                ChainProblem(
                    None,
                    "",
                    None,
                    (
                        gettext("数据库中的第 %(seq)s 号封存点已被删除（文件中仍有）。")
                        % {"seq": seq}
                    ),
                )
            )
        elif db[seq] != in_file[seq]:
            add(
                ChainProblem(
                    None,
                    "",
                    None,
                    (gettext("数据库中的第 %(seq)s 号封存点与文件中的不一致。") % {"seq": seq}),
                )
            )
    seals: list[_Seal] = []
    for seq in sorted(set(db) | set(in_file)):
        line = in_file.get(seq) or db[seq]
        try:
            body = json.loads(line)
            at = dt.datetime.fromisoformat(body["at"])
            mac, prev = str(body["mac"]), str(body["prev"])
        except (ValueError, KeyError, TypeError):
            add(
                ChainProblem(
                    None, "", None, (gettext("第 %(seq)s 号封存点无法解析。") % {"seq": seq})
                )
            )
            continue
        seal = _Seal(seq, at, mac, prev, False, line)
        if key is not None:
            if body.get("key") != _key_id(key):
                add(
                    ChainProblem(
                        None,
                        "",
                        None,
                        (
                            gettext("%(label)s不是用当前审计密钥封存的（密钥不符）。")
                            % {"label": seal.label()}
                        ),
                    )
                )
            elif not hmac.compare_digest(_mac(key, body), mac):
                add(
                    ChainProblem(
                        None,
                        "",
                        None,
                        (
                            gettext("%(label)s校验失败：封存内容被改动或伪造。")
                            % {"label": seal.label()}
                        ),
                    )
                )
            else:
                seal.valid = True
        seals.append(seal)
    expected = 1
    previous: _Seal | None = None
    for seal in seals:
        if seal.seq != expected:
            add(
                ChainProblem(
                    None,
                    "",
                    None,
                    (
                        gettext("第 %(expected)s 至 %(value)s 号封存点缺失（已被删除）。")
                        % {"expected": expected, "value": seal.seq - 1}
                    ),
                )
            )
        elif previous is not None and seal.prev != previous.mac:
            add(
                ChainProblem(
                    None,
                    "",
                    None,
                    (gettext("%(label)s与前一个封存点不衔接。") % {"label": seal.label()}),
                )
            )
        expected, previous = seal.seq + 1, seal
    return seals


def _since(seals: list[_Seal], failing: dict[int, list[str]], ledger: list[str] | None) -> str:
    """The newest valid checkpoint whose sealed state, as of it, agrees with the chains now,
    for every case found failing and for the ledger if it failed (every other case agrees
    with the latest)."""
    claims: dict[int, tuple[int, str]] = {}
    best = ""
    for seal in seals:
        if not seal.valid:
            continue
        body = json.loads(seal.line)
        for pk, count, head in body["cases"]:
            if pk in failing:
                claims[pk] = (count, head)
        ok = all(_matches(failing[pk], *claim) for pk, claim in claims.items())
        if ok and ledger is not None:
            ok = _matches(ledger, body["ledger"][0], body["ledger"][1])
        if ok:
            best = seal.label()
    return best
