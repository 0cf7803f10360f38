"""A bulk generator for scale work (issue 10): N realistic cases written in batches.

The demo (`demo/build.py`) runs every step through the actions, 40–70 petitions a second:
right for a demo, hours for a million cases. This generator writes the same rows the
actions write (cases, petitions, petitioners, respondents, interviews, instructions,
routing decisions, assignments, referrals, closures, the timeline, the creation ledger)
directly with `bulk_create`, and computes each case's hash chain in Python with the
timeline's own functions (`event_hash`, `case_snapshot`, `record_digest`, `ledger_hash`),
so `xinfang audit verify` accepts what it wrote.

What a case goes through follows the actions (`cases/actions/*`): registration, a leader's
reading, the handling decision (handle here, assign or transfer down to a department below,
refer out, keep on file), the closure submitted and approved, the upper level's acceptance
of a reported result (R-CLOSE-6), the archive (R-CLOSE-7), and repeat petitions
(R-REPEAT-4). How far a case has come depends on its age: every step is dated, and only
the steps before today happen. The organization is the demo's province
(`demo/orgtree.py`), its text the demo's (`demo/text.py`). Everything is drawn from one
`random.Random(seed)`, in one order: the same seed and day give the same data. The cases are
drawn in the calling process and written there or, with `processes=2`, by a forked second
process batch by batch (`_in_two_processes`): the same rows either way.

Ids are assigned here (from the tables' current maxima) so a record's digest can go into
its event before the row is written; PostgreSQL's sequences are moved past them at the end.
Not covered: interviews' receivers, attachments, objections, reviews, extensions, pauses.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import multiprocessing
import operator
import queue
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from django.core.management.color import no_style
from django.db import connection, connections, models, transaction
from django.db.models import Max
from django.utils import timezone

from xinfang.cases.lifecycle import FINISHED_STATES
from xinfang.cases.models import (
    PROCEDURE_CHECKLIST,
    Assignment,
    Case,
    CaseEvent,
    CaseLedgerEntry,
    CaseLedgerHead,
    CaseNumberSequence,
    Closure,
    ClosureStatus,
    Instruction,
    PersonalOutcome,
    Referral,
    RoutingDecision,
    State,
)
from xinfang.cases.search import EntryRow, Family, insert_entry_rows, new_entry_rows
from xinfang.cases.timeline import (
    event_hash,
    ledger_hash,
    record_digest_of_values,
    snapshot_of_values,
)
from xinfang.core.bulk import Row, chunks, new_row, sqlite_cache
from xinfang.core.errors import RuleViolation
from xinfang.core.keys import current_key_id
from xinfang.deadlines.calendar import get_calendar
from xinfang.deadlines.clocks import compute_clock
from xinfang.deadlines.models import ClockCode
from xinfang.deadlines.selectors import active_rules, clock_spec
from xinfang.demo import text as T
from xinfang.demo.orgtree import CadreInfo, Names, Org, OrgBuilder
from xinfang.demo.plan import cn_date, fmt
from xinfang.matching.index import index_people, index_text_rows
from xinfang.matching.minhash import text_index
from xinfang.orgs.models import Jurisdiction, Level, User
from xinfang.petitions.models import (
    Channel,
    Interview,
    Petition,
    Petitioner,
    PetitionPetitioner,
    Respondent,
    Source,
)
from xinfang.petitions.protect import key_checked_once
from xinfang.routing.terms import HandlingMode, Nature

DEFAULT_SEED = 20260601
DEFAULT_YEARS = 10
BATCH_ROOTS = 2000  # first cases per batch: a batch's rows are written together
# PostgreSQL: the tables' statistics taken again each time the cases written double from
# this many (`analyze_written`).
ANALYZE_FROM = 20_000

# The handling decision of a first case, by weight (assign and transfer only where a
# department below handles petitions).
ROUTES = ((HandlingMode.SELF, 55), (HandlingMode.ASSIGN, 14), (HandlingMode.TRANSFER, 14))
ROUTES_OUT = ((HandlingMode.REFER, 8), (HandlingMode.FILE, 9))
# Where petitions arrive, by level: most matters concern cadre work below county (R-COUNTY-1).
LEVEL_WEIGHTS = {
    Level.PROVINCE: 6,
    Level.PREFECTURE: 10,
    Level.COUNTY: 12,
    Level.TOWNSHIP: 3,
    Level.UNIT: 4,
}
REPEAT_SHARE = 0.7  # first cases that later receive repeat petitions (1 to 3)
STUCK_SHARE = 0.04  # cases whose handling stalls for a long time (the overdue lists)


@dataclass
class GenerateResult:
    cases: int = 0
    petitions: int = 0
    events: int = 0
    seconds: float = 0.0
    states: Counter[str] = field(default_factory=Counter)
    digest: str = ""  # of the cases, timelines and dates generated (same seed, same digest)

    @property
    def rate(self) -> float:
        return self.cases / self.seconds if self.seconds else 0.0


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


@functools.cache
def _zone() -> dt.tzinfo:
    """The settings' time zone (timezone.localtime looks it up on every call: a tenth of the
    generator's time)."""
    return timezone.get_default_timezone()


def _local_day(value: dt.datetime) -> dt.date:
    return value.astimezone(_zone()).date()


def _sqlite_datetime(value: dt.datetime | None) -> str | None:
    """What the SQLite backend stores for an aware datetime (naive UTC text), without
    Django's per-value checks."""
    return None if value is None else str(value.astimezone(dt.UTC).replace(tzinfo=None))


def _pick(rng: random.Random, pairs: Iterable[tuple[Any, int]]) -> Any:
    items = list(pairs)
    return rng.choices([v for v, _ in items], weights=[w for _, w in items])[0]


class _Ids:
    """The next id of each table, from its current maximum."""

    def __init__(self, models_: Iterable[type[models.Model]]) -> None:
        self.next: dict[type[models.Model], int] = {}
        for model in models_:
            top = model._default_manager.aggregate(m=Max("pk"))["m"] or 0
            self.next[model] = int(top) + 1

    def take(self, model: type[models.Model]) -> int:
        value = self.next[model]
        self.next[model] = value + 1
        return value


WRITTEN: tuple[type[models.Model], ...] = (
    Case,
    CaseEvent,
    CaseLedgerEntry,
    Petitioner,
    Petition,
    PetitionPetitioner,
    Respondent,
    Interview,
    Instruction,
    RoutingDecision,
    Assignment,
    Referral,
    Closure,
)


def _new(model: type[models.Model], **values: Any) -> Row:
    """A row of `model` with these values and the fields' defaults for the others (the
    import's own rows, core/bulk.py `new_row`: plain values, no `Model.__init__`, a third of
    the generator's time when it used model instances); a name that is not a column of the
    model is refused (a misspelt field would be lost)."""
    return new_row(model, values)


class _Batch:
    """Rows waiting to be written, by table."""

    def __init__(self) -> None:
        self.rows: dict[type[models.Model], list[Row]] = {m: [] for m in WRITTEN}

    def add(self, row: Row) -> None:
        self.rows[row.model].append(row)


def _converter(f: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    """The value as the database adapter takes it, as `get_db_prep_save` would give it for
    these field types, without its per-value overhead (most of bulk_create's time); None
    where the value goes as it is."""
    ops = connection.ops
    if isinstance(f, models.DateTimeField):
        return None if connection.vendor == "postgresql" else _sqlite_datetime
    if isinstance(f, models.DateField):
        return None if connection.vendor == "postgresql" else ops.adapt_datefield_value
    if isinstance(f, models.JSONField):
        return lambda v: ops.adapt_json_value(v, f.encoder)
    if isinstance(f, models.DecimalField):
        return lambda v: f.get_db_prep_save(v, connection)
    return None


def _insert_rows(model: type[models.Model], rows: list[Row]) -> None:
    """Write the rows with their ids: COPY on PostgreSQL, one executemany on SQLite."""
    fields = list(model._meta.concrete_fields)
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    table = qn(model._meta.db_table)
    get = operator.itemgetter(*[f.attname for f in fields])
    convert = [(i, c) for i, f in enumerate(fields) if (c := _converter(f)) is not None]
    values: list[Any] = []
    for row in rows:
        line = list(get(row.__dict__))
        for i, conv in convert:
            line[i] = conv(line[i])
        values.append(line)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for line in values:
                    copy.write_row(line)
            return
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
        for chunk in chunks(values, 5000):
            cursor.executemany(sql, chunk)


class _Chain:
    """One case's timeline as the actions would write it (timeline.append_event).

    Steps are noted as they are drawn, each with the case's fields as it leaves them and
    the digests of its records at that moment; repeat petitions (which change no field)
    are noted with their own dates. `seal` puts them in time order and computes the chain."""

    def __init__(self, gen: Generator, case: Row) -> None:
        self.gen = gen
        self.case = case
        self.pending: list[tuple[Any, ...]] = []
        self.last = case.registered_at

    def event(
        self,
        kind: str,
        actor: User,
        when: dt.datetime,
        *,
        from_state: str | None = None,
        payload: dict[str, Any] | None = None,
        records: Iterable[Row] = (),
        record_only: bool = False,
    ) -> None:
        case = self.case
        after = None if record_only else snapshot_of_values(case.__dict__)
        start = from_state if from_state is not None else case.state
        refs = [record_digest_of_values(r.model, r.pk, r.__dict__) for r in records]
        order = len(self.pending)
        data = payload or {}
        self.pending.append(
            (when, order, kind, actor.pk, start, case.state, data, after, refs, record_only)
        )
        if when > self.last:
            self.last = when

    def step(
        self,
        kind: str,
        actor: User,
        when: dt.datetime,
        to: State,
        *,
        payload: dict[str, Any] | None = None,
        records: Iterable[Row] = (),
    ) -> None:
        """A transition of the table (lifecycle.TRANSITIONS): the state moves with its event."""
        before = self.case.state
        self.case.state = to
        self.event(kind, actor, when, from_state=before, payload=payload, records=records)

    def seal(self) -> None:
        case = self.case
        gen = self.gen
        prev = ""
        after: list[Any] = []
        state = ""
        first_at: dt.datetime | None = None
        for seq, item in enumerate(sorted(self.pending, key=lambda e: (e[0], e[1])), start=1):
            when, _order, kind, actor_id, start, to, payload, snap, refs, record_only = item
            if record_only:  # a repeat: the case as the step before left it
                start = to = state
                snap = after
            if first_at is None:
                first_at = when
            digest = event_hash(
                prev_hash=prev,
                case_id=case.pk,
                seq=seq,
                kind=kind,
                actor_id=actor_id,
                from_state=start,
                to_state=to,
                payload=payload,
                created_at_iso=_iso(when),
                case_after=snap,
                records=refs,
            )
            gen.batch.add(
                _new(
                    CaseEvent,
                    id=gen.ids.take(CaseEvent),
                    case_id=case.pk,
                    seq=seq,
                    kind=kind,
                    actor_id=actor_id,
                    from_state=start,
                    to_state=to,
                    payload=payload,
                    created_at=when,
                    case_after=snap,
                    records=refs,
                    prev_hash=prev,
                    hash=digest,
                )
            )
            prev, after, state = digest, snap, to
        case.event_count = len(self.pending)
        case.last_event_hash = prev
        gen.result.events += len(self.pending)
        # The run's digest covers what was generated, not the ids the database handed out
        # to the organization (PostgreSQL's sequences do not roll back with a transaction).
        line = "|".join(
            [
                gen.dept_names[case.department_id],
                case.state,
                case.title,
                _iso(case.registered_at),
                *[f"{item[2]}@{_iso(item[0])}" for item in self.pending],
            ]
        )
        gen.digest.update(line.encode())
        assert first_at is not None
        gen.ledger(case, first_at)


class Generator:
    def __init__(self, *, seed: int, today: dt.date, years: int) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.years = years
        self.end = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
        self.start = self.end - dt.timedelta(days=365 * years)
        self.result = GenerateResult()
        self.digest = hashlib.sha256()
        self.batch = _Batch()
        # The search entries of the batch's petitions, from the rows in hand (petition,
        # respondents, petitioners' names, family), and those of the matter being drawn.
        self.entries: list[tuple[Row, list[Row], list[str], Family]] = []
        self.matter: list[tuple[Row, list[Row], list[str]]] = []
        self.numbers: dict[tuple[int, int], int] = {}
        self.ledger_count = 0
        self.ledger_head = ""
        self.key_id = current_key_id()
        self.due_cache: dict[tuple[str, dt.date], dt.date | None] = {}
        rules = active_rules()
        self.specs = {code: clock_spec(rule) for code, rule in rules.items()}
        self.calendar = get_calendar()

    # --- set-up -------------------------------------------------------------------------

    def build_org(self) -> None:
        names = Names(self.rng)
        self.names = names
        builder = OrgBuilder(self.rng, names)
        builder.build()
        self.orgs = [o for o in builder.orgs if o.handling.handles_petitions]
        self.dept_names = {o.handling.pk: o.handling.name for o in builder.orgs}
        self.weights = [LEVEL_WEIGHTS.get(Level(o.level), 1) for o in self.orgs]
        self.cadres_by_org: dict[int, list[CadreInfo]] = {}
        for info in builder.cadres:
            self.cadres_by_org.setdefault(info.org.jur.pk, []).append(info)
        self.ids = _Ids([*WRITTEN])
        head = CaseLedgerHead.objects.filter(pk=1).values_list("count", "head").first()
        self.ledger_count, self.ledger_head = head if head else (0, "")

    # --- helpers ------------------------------------------------------------------------

    def number(self, dept_id: int, when: dt.datetime) -> str:
        year = _local_day(when).year
        value = self.numbers.get((dept_id, year), 0) + 1
        self.numbers[(dept_id, year)] = value
        return f"{dept_id:04d}-{year}-{value:06d}"

    def office(self, when: dt.datetime) -> dt.datetime:
        """Moved into office hours (8:30–17:30 local, Monday to Friday), microseconds zero."""
        local = when.astimezone(_zone())
        while local.weekday() >= 5:
            local += dt.timedelta(days=1)
        minutes = 510 + self.rng.randint(0, 540)
        local = local.replace(hour=minutes // 60, minute=minutes % 60, second=0, microsecond=0)
        return local

    def later(self, when: dt.datetime, low: float, high: float) -> dt.datetime:
        """A time after `when`, in office hours: a case's steps stay in order."""
        moved = self.office(when + dt.timedelta(days=self.rng.uniform(low, high)))
        while moved <= when:
            moved = self.office(moved + dt.timedelta(days=1))
        return moved

    def due(self, code: str, start: dt.date) -> dt.date | None:
        """The main clock's due date (cases/clocks.py: case_due_on) under the rule set in
        force, cached by start day: pure arithmetic on the calendar."""
        key = (code, start)
        if key not in self.due_cache:
            spec = self.specs.get(code)
            self.due_cache[key] = (
                None
                if spec is None
                else compute_clock(spec, start, 0, [], start, self.calendar).due_on
            )
        return self.due_cache[key]

    def ledger(self, case: Row, when: dt.datetime) -> None:
        seq = self.ledger_count + 1
        digest = ledger_hash(
            prev_hash=self.ledger_head,
            seq=seq,
            case_id=case.pk,
            number=case.number,
            created_at_iso=_iso(when),
        )
        self.batch.add(
            _new(
                CaseLedgerEntry,
                id=self.ids.take(CaseLedgerEntry),
                seq=seq,
                case_id=case.pk,
                number=case.number,
                created_at=when,
                prev_hash=self.ledger_head,
                hash=digest,
            )
        )
        self.ledger_count, self.ledger_head = seq, digest

    def new_case(self, dept_id: int, when: dt.datetime, **fields: Any) -> Row:
        case = _new(
            Case,
            id=self.ids.take(Case),
            number=self.number(dept_id, when),
            department_id=dept_id,
            registered_at=when,
            state=State.REGISTERED,
            **fields,
        )
        self.result.cases += 1
        self.batch.add(case)
        return case

    # --- text ---------------------------------------------------------------------------

    def values(self, org: Org, resp: CadreInfo | None, when: dt.datetime) -> dict[str, str]:
        rng = self.rng
        year = rng.randint(1950, 1985)
        home = resp.org if resp else org
        values = {
            "org": org.handling.name,
            "place": home.name,
            "village": rng.choice(home.villages)
            if home.villages
            else rng.choice(T.VILLAGE_PARTS_1) + rng.choice(T.VILLAGE_PARTS_2) + "村",
            "rel": rng.choice(T.RELATIVES),
            "relname": self.person_name(),
            "pos": rng.choice(T.POSTS_BELOW),
            "year": str(year),
            "year2": str(rng.randint(max(year + 5, 1990), max(when.year - 1, 1995))),
            "month": str(rng.randint(1, 12)),
            "months": str(rng.randint(2, 9)),
            "amount": str(rng.choice((3, 5, 6, 8, 12, 15, 20, 36, 48))),
            "company": rng.choice(T.COMPANIES),
            "r": resp.cadre.name if resp else "",
            "rpost": resp.display if resp else "",
            "runit": resp.unit if resp else home.name,
        }
        return values

    def person_name(self) -> str:
        # Names repeat at this size, as in life: no uniqueness set (Names.any) to fill up.
        rng = self.rng
        female = rng.random() < 0.35
        return rng.choice(T.SURNAMES) + rng.choice(T.GIVEN_FEMALE if female else T.GIVEN_MALE)

    def letter(
        self, issue: T.Issue, v: dict[str, str], channel: str, anonymous: bool, repeat_of: str
    ) -> tuple[str, str]:
        rng = self.rng
        summary = fmt(rng.choice(issue.summaries), v)
        if repeat_of:
            summary = "再次" + summary if summary.startswith(("反映", "举报", "要求")) else summary
        k = min(len(issue.bodies), rng.choice((1, 2, 2, 3)))
        body = "\n".join(fmt(b, v) for b in rng.sample(issue.bodies, k=k))
        if repeat_of:
            opening = fmt(rng.choice(T.REPEAT_OPENINGS), {"date": repeat_of, "topic": issue.label})
            body = f"{opening}\n{body}"
        request = fmt(rng.choice(issue.requests), v)
        intro = fmt(rng.choice(T.INTROS_ANONYMOUS if anonymous else T.INTROS_SIGNED), v)
        if channel == Channel.PHONE:
            content = T.PHONE_PREFIX + body.replace("\n", "") + request
        elif channel == Channel.ONLINE:
            content = f"{T.ONLINE_PREFIX}\n{intro}\n{body}\n{request}"
        elif channel == Channel.VISIT:
            content = f"{intro}\n{body}\n{request}"
        else:
            closing = fmt(
                rng.choice(T.CLOSINGS_ANONYMOUS if anonymous else T.CLOSINGS_SIGNED),
                {**v, "date": cn_date(self.today)},
            )
            content = f"{fmt(rng.choice(T.SALUTATIONS), v)}\n{intro}\n{body}\n{request}\n{closing}"
        return summary[:200], content

    # --- petitions ----------------------------------------------------------------------

    def petition(
        self,
        chain: _Chain,
        org: Org,
        issue: T.Issue,
        v: dict[str, str],
        resp: CadreInfo | None,
        when: dt.datetime,
        *,
        petitioner: Row | None,
        anonymous: bool,
        repeat_of: str = "",
    ) -> Row | None:
        """One petition on the root case, with its rows and its event (register or
        add_petition, as intake.petition_register writes them)."""
        rng = self.rng
        case = chain.case
        if anonymous:
            channel = _pick(rng, ((Channel.LETTER, 8), (Channel.ONLINE, 2)))
        else:
            channel = _pick(
                rng,
                (
                    (Channel.LETTER, 50),
                    (Channel.VISIT, 22),
                    (Channel.PHONE, 10),
                    (Channel.ONLINE, 18),
                ),
            )
        if not anonymous:
            if petitioner is None:
                petitioner = _new(
                    Petitioner,
                    id=self.ids.take(Petitioner),
                    name=self.person_name(),
                    address=f"{org.name}{v['village']}",
                    created_at=when,
                    key_id=self.key_id,
                )
                self.batch.add(petitioner)
            v = {**v, "name": petitioner.name, "identity": rng.choice(T.IDENTITIES_SIGNED)}
            v.setdefault("home", petitioner.address)
        summary, content = self.letter(issue, v, channel, anonymous, repeat_of)
        received_on = _local_day(when) - dt.timedelta(
            days=rng.randint(0, 3) if channel == Channel.LETTER else 0
        )
        source, source_dept, source_ref = Source.DIRECT, None, ""
        if channel == Channel.LETTER and org.parent is not None and rng.random() < 0.12:
            source, source_dept = Source.UPPER_LEVEL, org.parent.handling.pk
            source_ref = f"{org.parent.name[:2]}组信转〔{when.year}〕{rng.randint(1, 300)}号"
        is_repeat = bool(repeat_of)
        pet = _new(
            Petition,
            id=self.ids.take(Petition),
            case_id=case.pk,
            channel=channel,
            received_on=received_on,
            registered_at=when,
            receiving_department_id=org.handling.pk,
            registrar_id=org.reg().pk,
            summary=summary,
            content=content,
            category=issue.category,
            nature=issue.nature,
            is_anonymous=anonymous,
            anonymous_treatment="investigate" if anonymous else "",
            anonymous_reason=rng.choice(T.ANONYMOUS_INVESTIGATE_REASONS) if anonymous else "",
            source=source,
            source_department_id=source_dept,
            source_reference=source_ref,
            is_repeat=is_repeat,
            is_first=not is_repeat,
        )
        self.batch.add(pet)
        self.result.petitions += 1
        covered: list[Row] = [pet]
        respondents: list[Row] = []
        if petitioner is not None:
            self.batch.add(
                _new(
                    PetitionPetitioner,
                    id=self.ids.take(PetitionPetitioner),
                    petition_id=pet.pk,
                    petitioner_id=petitioner.pk,
                    is_representative=False,
                )
            )
        if resp is not None:
            row = _new(
                Respondent,
                id=self.ids.take(Respondent),
                petition_id=pet.pk,
                cadre_id=resp.cadre.pk,
                name=resp.cadre.name,
                unit=resp.unit,
                post_title=resp.display.removeprefix(resp.unit) or resp.display,
                jurisdiction_id=resp.org.jur.pk,
                managing_jurisdiction_id=resp.managing.jur.pk,
                is_main_leader=False,
            )
            self.batch.add(row)
            covered.append(row)
            respondents.append(row)
        self.matter.append((pet, respondents, [petitioner.name] if petitioner else []))
        if channel == Channel.VISIT:
            interview = _new(
                Interview,
                id=self.ids.take(Interview),
                petition_id=pet.pk,
                interviewed_at=when,
                place=org.handling.name + rng.choice(T.PLACES_OF_VISIT),
                statement=fmt(
                    rng.choice(T.INTERVIEW_STATEMENTS),
                    {"body": content.replace("\n", "")[:300], "mood": rng.choice(T.MOODS)},
                ),
                requests=fmt(rng.choice(issue.requests), v),
                answer=rng.choice(T.INTERVIEW_ANSWERS),
            )
            self.batch.add(interview)
            covered.append(interview)
        first = not chain.pending
        if first:  # the first petition's summary names the case (intake._case_for_petition)
            case.title = summary
        chain.event(
            "register" if first else "add_petition",
            org.reg(),
            when,
            from_state="" if first else case.state,
            payload={
                "petition": pet.pk,
                "channel": str(channel),
                "received_on": received_on.isoformat(),
                "is_first": not is_repeat,
                "is_repeat": is_repeat,
                "is_collective": False,
                "is_anonymous": anonymous,
                "source": str(source),
            },
            records=covered,
            record_only=not first,
        )
        return petitioner

    # --- the life of a case -------------------------------------------------------------

    def read(self, chain: _Chain, org: Org, when: dt.datetime) -> None:
        leader = org.leader(self.rng)
        ins = _new(
            Instruction,
            id=self.ids.take(Instruction),
            case_id=chain.case.pk,
            leader_id=leader.pk,
            text=self.rng.choice(T.READ_INSTRUCTIONS),
            due_on=None,
            report_required=False,
            created_at=when,
        )
        self.batch.add(ins)
        chain.step(
            "read",
            leader,
            when,
            State.READ,
            payload={
                "instruction": ins.pk,
                "text": ins.text,
                "due_on": None,
                "report_required": False,
            },
            records=[ins],
        )

    def decide(
        self,
        chain: _Chain,
        org: Org,
        when: dt.datetime,
        mode: str,
        to: State,
        *,
        department_id: int | None,
        department_name: str = "",
        extra: dict[str, Any] | None = None,
        fields: dict[str, Any] | None = None,
        records: Iterable[Row] = (),
    ) -> User:
        leader = org.leader(self.rng)
        decision = _new(
            RoutingDecision,
            id=self.ids.take(RoutingDecision),
            case_id=chain.case.pk,
            proposed_mode=mode,
            proposed_department_id=department_id,
            proposed_department_name=department_name,
            proposal_reasons=[],
            proposal_rules=[],
            proposed_key_case=False,
            decided_mode=mode,
            decided_department_id=department_id,
            decided_department_name=department_name,
            followed=True,
            decided_by_id=leader.pk,
            decided_at=when,
        )
        self.batch.add(decision)
        case = chain.case
        case.handling_mode = mode
        case.mode_decided_at = when
        case.is_key_case = False
        for name, value in (fields or {}).items():
            setattr(case, name, value)
        kind = {
            HandlingMode.SELF: "handle_here",
            HandlingMode.ASSIGN: "assign_down",
            HandlingMode.TRANSFER: "transfer_down",
            HandlingMode.REFER: "refer",
            HandlingMode.FILE: "file",
        }[HandlingMode(mode)]
        payload = {
            "mode": mode,
            "routing_decision": decision.pk,
            "proposal": str(HandlingMode(mode).label),
            "proposal_rules": [],
            "followed": True,
            "routing_note": "",
            "key_case": False,
            **(extra or {}),
        }
        chain.step(kind, leader, when, to, payload=payload, records=records)
        return leader

    def handle(
        self,
        chain: _Chain,
        org: Org,
        issue: T.Issue,
        v: dict[str, str],
        when: dt.datetime,
        *,
        received: dt.date,
        report_to: Row | None = None,
    ) -> dt.datetime | None:
        """Handle here through closure; returns when the closure was approved (None when the
        case has not got that far by today)."""
        rng = self.rng
        handler = org.handler(rng)
        case = chain.case
        # cases/clocks.py: a required result runs on its own clock; otherwise the handling
        # clock (2022 rules) from receipt, when the rule set in force has one.
        due = case.due_on if case.result_required else self.due(ClockCode.HANDLING, received)
        self.decide(
            chain,
            org,
            when,
            HandlingMode.SELF,
            State.HANDLING,
            department_id=org.handling.pk,
            extra={"handler": handler.pk, "due_on": due.isoformat() if due else None},
            fields={"handler_id": handler.pk, "due_on": due},
        )
        stall = rng.random() < STUCK_SHARE
        submit_at = self.later(when, 20, 75) if not stall else self.later(when, 150, 400)
        if submit_at >= self.end:
            return None
        closure = _new(
            Closure,
            id=self.ids.take(Closure),
            case_id=chain.case.pk,
            status=ClosureStatus.SUBMITTED,
            facts=fmt(rng.choice(issue.facts), v) if issue.facts else "经调查核实，基本情况清楚。",
            decision=fmt(rng.choice(issue.decisions), v) if issue.decisions else "按有关规定处理。",
            policy_basis=rng.choice(issue.basis) if issue.basis else "有关政策规定。",
            procedure=list(PROCEDURE_CHECKLIST),
            personal_outcome=PersonalOutcome.GRANTED if issue.nature == Nature.REQUEST else "",
            submitted_by_id=handler.pk,
            submitted_at=submit_at,
        )
        self.batch.add(closure)
        chain.step(
            "submit_closure",
            handler,
            submit_at,
            State.CLOSING,
            payload={"closure": closure.pk},
            records=[closure],
        )
        approve_at = self.later(submit_at, 1, 8)
        if approve_at >= self.end:
            return None
        leader = org.leaders[1] if org.leaders[1].pk != handler.pk else org.leaders[0]
        closure.status = ClosureStatus.APPROVED
        closure.decided_by_id = leader.pk
        closure.decided_at = approve_at
        closure.review_opinion = rng.choice(T.REVIEW_OPINIONS) if report_to else ""
        chain.case.closed_at = approve_at
        payload: dict[str, Any] = {"closure": closure.pk}
        if report_to is not None:
            report_to.reported_at = approve_at
            payload["reported_to"] = report_to.from_department_id
        chain.step(
            "approve_closure", leader, approve_at, State.CLOSED, payload=payload, records=[closure]
        )
        return approve_at

    def archive(self, chain: _Chain, org: Org, when: dt.datetime) -> None:
        archive_at = self.later(when, 10, 60)
        if archive_at >= self.end:
            return
        case = chain.case
        case.archived_at = archive_at
        case.archive_number = f"档{_local_day(archive_at).year}-{case.number}"
        chain.step(
            "archive",
            org.reg(),
            archive_at,
            State.ARCHIVED,
            payload={"archive_number": case.archive_number},
        )

    def first_case(self, when: dt.datetime, budget: int) -> int:
        """One matter from its first petition: the first case and, sent down, its child.
        Returns how many cases it made (at most `budget`)."""
        rng = self.rng
        org: Org = rng.choices(self.orgs, weights=self.weights)[0]
        issue = T.ISSUES_BY_KEY[_pick(rng, T.ISSUE_WEIGHTS.items())]
        below = [o for o in org.children if o.handling.handles_petitions]
        routes = list(ROUTES_OUT) + [
            (mode, w) for mode, w in ROUTES if mode == HandlingMode.SELF or (below and budget > 1)
        ]
        mode = HandlingMode(_pick(rng, routes))
        if issue.category == "outside_remit":
            mode = HandlingMode.REFER
        target = rng.choice(below) if mode in (HandlingMode.ASSIGN, HandlingMode.TRANSFER) else None
        candidates = self.cadres_by_org.get((target or org).jur.pk, []) if issue.needs_cadre else []
        resp = rng.choice(candidates) if candidates else None
        v = self.values(org, resp, when)
        anonymous = rng.random() < 0.12
        case = self.new_case(
            org.handling.pk,
            when,
            title="",
            category=issue.category,
            nature=issue.nature,
        )
        chain = _Chain(self, case)
        chains = [chain]
        petitioner = self.petition(
            chain, org, issue, v, resp, when, petitioner=None, anonymous=anonymous
        )
        made = 1
        read_at = self.later(when, 0.5, 5)
        if read_at < self.end:
            self.read(chain, org, read_at)
            decide_at = self.later(read_at, 0.2, 4)
            if decide_at < self.end:
                if mode == HandlingMode.SELF:
                    closed = self.handle(chain, org, issue, v, decide_at, received=_local_day(when))
                    if closed is not None:
                        self.archive(chain, org, closed)
                elif mode == HandlingMode.REFER:
                    self.refer(chain, org, issue, decide_at)
                elif mode == HandlingMode.FILE:
                    self.decide(
                        chain,
                        org,
                        decide_at,
                        HandlingMode.FILE,
                        State.FILED,
                        department_id=None,
                        extra={"reason": rng.choice(T.FILE_REASONS_ANONYMOUS)},
                    )
                    self.archive(chain, org, decide_at)
                else:
                    assert target is not None
                    chains.append(self.send_down(chain, org, target, issue, v, decide_at, mode))
                    made += 1
        self.repeats(chain, org, issue, v, resp, when, petitioner, anonymous, case.archived_at)
        for c in chains:
            c.seal()
        # The family of the matter's petitions as `search.families_of` would read it from
        # the written rows: the first case and the one sent down from it.
        family = Family.of_cases(
            case.pk, [(c.case.department_id, c.case.registered_at) for c in chains]
        )
        self.entries.extend((*item, family) for item in self.matter)
        self.matter.clear()
        return made

    def refer(self, chain: _Chain, org: Org, issue: T.Issue, when: dt.datetime) -> None:
        rng = self.rng
        kind = issue.refer_kind or "petition_bureau"
        to = org.dept_of_kind(kind)
        name = to.name if to is not None else f"{org.name}信访局"
        referral = _new(
            Referral,
            id=self.ids.take(Referral),
            case_id=chain.case.pk,
            to_department_id=to.pk if to is not None else None,
            to_department_name=name,
            reason=issue.refer_reason or "反映的问题不属于组织部门业务范围。",
            explanation=rng.choice(T.REFERRAL_EXPLANATIONS),
            explained_on=_local_day(when),
            explained_how=rng.choice(T.EXPLAIN_HOW),
            created_at=when,
        )
        self.batch.add(referral)
        self.decide(
            chain,
            org,
            when,
            HandlingMode.REFER,
            State.REFERRED,
            department_id=to.pk if to is not None else None,
            department_name=name,
            extra={"referral": referral.pk, "to": name},
            records=[referral],
        )
        self.archive(chain, org, when)

    def send_down(
        self,
        chain: _Chain,
        org: Org,
        target: Org,
        issue: T.Issue,
        v: dict[str, str],
        when: dt.datetime,
        mode: str,
    ) -> _Chain:
        """交办 or 转办 (routing._send_down): the child case at the department below."""
        rng = self.rng
        parent = chain.case
        assign = mode == HandlingMode.ASSIGN
        child = self.new_case(
            target.handling.pk,
            when,
            root_id=parent.pk,
            parent_id=parent.pk,
            sent_down_by_id=org.handling.pk,
            title=parent.title,
            category=parent.category,
            nature=parent.nature,
            result_required=assign,
        )
        sent = _local_day(when)
        due = self.due(ClockCode.RESULT_REPORT, sent) if assign else None
        child.due_on = due
        note = rng.choice(T.ASSIGN_NOTES if assign else T.TRANSFER_NOTES)
        assignment = _new(
            Assignment,
            id=self.ids.take(Assignment),
            case_id=parent.pk,
            child_id=child.pk,
            mode=mode,
            from_department_id=org.handling.pk,
            to_department_id=target.handling.pk,
            note=note,
            sent_at=when,
            due_on=due,
        )
        parent_due = due if assign else None
        leader = self.decide(
            chain,
            org,
            when,
            mode,
            State.HANDLING if assign else State.TRANSFERRED,
            department_id=target.handling.pk,
            extra={
                "to_department": target.handling.pk,
                "child": child.pk,
                "due_on": parent_due.isoformat() if parent_due else None,
                "note": note,
            },
            fields={"due_on": parent_due},
        )
        down = _Chain(self, child)
        down.event(
            "received_from_upper",
            leader,
            when,
            from_state="",
            payload={
                "parent": parent.pk,
                "mode": mode,
                "from_department": org.handling.pk,
                "due_on": due.isoformat() if due else None,
            },
        )
        closed: dt.datetime | None = None
        receive_at = self.later(when, 0.5, 3)
        if receive_at < self.end:
            assignment.received_at = receive_at
            down.event(
                "receive_assignment",
                target.reg(),
                receive_at,
                payload={"assignment": assignment.pk, "due_on": due.isoformat() if due else None},
            )
            read_at = self.later(receive_at, 0.2, 3)
            if read_at < self.end:
                self.read(down, target, read_at)
                decide_at = self.later(read_at, 0.2, 3)
                if decide_at < self.end:
                    closed = self.handle(
                        down,
                        target,
                        issue,
                        v,
                        decide_at,
                        received=_local_day(receive_at),
                        report_to=assignment if assign else None,
                    )
        if not assign:
            self.archive(chain, org, when)
            if closed is not None:
                self.archive(down, target, closed)
        elif closed is not None:
            accept_at = self.later(closed, 2, 15)
            if accept_at < self.end:
                assignment.accepted_at = accept_at
                parent.closed_at = accept_at
                chain.step(
                    "accept_report",
                    org.leader(rng),
                    accept_at,
                    State.CLOSED,
                    payload={"child": child.pk, "opinion": rng.choice(T.ACCEPT_OPINIONS)},
                )
                self.archive(chain, org, accept_at)
                self.archive(down, target, accept_at)
        self.batch.add(assignment)
        return down

    def repeats(
        self,
        chain: _Chain,
        org: Org,
        issue: T.Issue,
        v: dict[str, str],
        resp: CadreInfo | None,
        when: dt.datetime,
        petitioner: Row | None,
        anonymous: bool,
        finished_at: dt.datetime | None,
    ) -> None:
        """R-REPEAT-4: later petitions on the same matter join the case while it is open to
        them (before the archive seals it), on the dates they arrive: `_Chain.seal` puts
        them among the case's steps."""
        rng = self.rng
        if rng.random() >= REPEAT_SHARE:
            return
        limit = min(finished_at or self.end, self.end)
        at = when
        for _ in range(rng.randint(1, 3)):
            at = self.later(at, 5, 90)
            if at >= limit:
                return
            self.petition(
                chain,
                org,
                issue,
                v,
                resp,
                at,
                petitioner=petitioner,
                anonymous=anonymous,
                repeat_of=cn_date(_local_day(when)),
            )

    # --- the run ------------------------------------------------------------------------

    def run(
        self,
        cases: int,
        progress: Callable[[str], None] | None,
        write: Callable[[Written], None],
    ) -> None:
        """Draw `cases` cases, handing each batch to `write` (`_Writer.write` here, or the
        writing process's queue)."""
        started = time.monotonic()
        made = 0
        span = (self.end - self.start).total_seconds()
        # First cases come in time order; a matter sent down makes two cases, so the number
        # of first cases is estimated and the clock spread over it.
        estimate = max(1, int(cases / 1.2))
        index = 0
        while made < cases:
            fraction = min((index + self.rng.random()) / estimate, 0.999)
            when = self.office(self.start + dt.timedelta(seconds=span * fraction))
            if when >= self.end:
                when = self.office(self.end - dt.timedelta(days=3))
            made += self.first_case(when, cases - made)
            index += 1
            if index % BATCH_ROOTS == 0:
                write(self.take_batch(made))
                if progress:
                    rate = made / (time.monotonic() - started)
                    progress(f"已生成 {made} / {cases} 个案件（每秒 {rate:.0f} 个）")
        write(self.take_batch(made))
        if progress:
            # The writing and the commit still to come take minutes at a million (on
            # PostgreSQL the deferred foreign keys are checked at commit): said, so the
            # command does not look stuck after its last count.
            progress(f"{made} 个案件已全部生成，正在写完并提交数据库，请稍候……")

    def take_batch(self, made: int) -> Written:
        """The batch drawn since the last one, with what its indexes need prepared: the
        search entries' columns and documents (`search.new_entry_rows`, from the rows in hand,
        as the batch import makes them; reading the batch back was a ninth of the
        generator's time) and each text's digest and band keys (`minhash.text_index`)."""
        rows, self.batch = self.batch.rows, _Batch()
        entries = new_entry_rows(
            [
                (cast(Petition, pet), cast(list[Respondent], rs), names)
                for pet, rs, names, _ in self.entries
            ],
            {pet.pk: family for pet, _rs, _names, family in self.entries},
        )
        self.entries = []
        return Written(
            rows=rows,
            entries=entries,
            texts=[(row.pk, *text_index(row.content)) for row in rows[Petition]],
            people=[(row.pk, row.name) for row in rows[Petitioner]],
            made=made,
        )

    def closing(self) -> Closing:
        return Closing(dict(self.numbers), self.ledger_count, self.ledger_head)


@dataclass
class Written:
    """One batch as its writer takes it (`_Writer.write`): the rows by table, and what the
    search and matching indexes write for its petitions and petitioners."""

    rows: dict[type[models.Model], list[Row]]
    entries: list[EntryRow]  # search.new_entry_rows
    texts: list[tuple[int, str, list[int]]]  # (petition, digest, band keys)
    people: list[tuple[int, str]]  # (petitioner, name)
    made: int  # cases drawn so far, this batch's included


@dataclass
class Closing:
    """What the live services continue from: the case-number counters and the creation
    ledger's head."""

    numbers: dict[tuple[int, int], int]
    ledger_count: int
    ledger_head: str


class _Writer:
    """Writes the batches in the writing process's transaction; the tables' statistics
    taken again each time the cases written double from ANALYZE_FROM (PostgreSQL)."""

    def __init__(self) -> None:
        self.analyzed_at = ANALYZE_FROM

    def write(self, batch: Written) -> None:
        """The batch's rows, then its petitions' search entries and their matching index
        (text bands and name sounds), as registration writes them."""
        for model in WRITTEN:
            # Foreign keys are checked at commit (deferred on both databases): any order.
            if batch.rows[model]:
                _insert_rows(model, batch.rows[model])
        insert_entry_rows(batch.entries)
        index_text_rows(batch.texts)
        # The data key checked once for the batch's name sounds, not once per name (a
        # statement each: 7 % of the generator's time at a million cases on PostgreSQL).
        with key_checked_once():
            index_people(batch.people, replace=False)
        if batch.made >= self.analyzed_at:
            analyze_written()
            self.analyzed_at *= 2

    def finish(self, closing: Closing) -> None:
        """The counters and chain head the live services continue from."""
        numbers = closing.numbers
        existing = {
            (row.department_id, row.year): row
            for row in CaseNumberSequence.objects.filter(department_id__in={d for d, _ in numbers})
        }
        new = []
        for (dept, year), value in sorted(numbers.items()):
            row = existing.get((dept, year))
            if row is None:
                new.append(CaseNumberSequence(department_id=dept, year=year, last_value=value))
            elif row.last_value < value:
                row.last_value = value
                row.save(update_fields=["last_value"])
        CaseNumberSequence.objects.bulk_create(new, batch_size=1000)
        CaseLedgerHead.objects.update_or_create(
            pk=1, defaults={"count": closing.ledger_count, "head": closing.ledger_head}
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), list(WRITTEN)):
                    cursor.execute(sql)


def analyze_written(*, vacuum: bool = False) -> None:
    """PostgreSQL: statistics of the tables written so far, inside the generator's one
    transaction (ANALYZE sees its own transaction's rows). Without them the planner took
    the tables for empty, and the statements that read back a batch (the search entries'
    respondents and petitioners, the families' cases sent down by root) scanned whole
    tables: each batch slower than the last (235 -> 150 cases a second on the way to a
    million, the server at one full core; docs/benchmarks.md, "The generator on
    PostgreSQL": no gain measured at 100,000 cases, a million not measured). At
    most log2(cases / ANALYZE_FROM) times, a sample of each table each time.

    The project's own tables by name, never a bare ANALYZE: that one also analyzes the
    cluster's shared catalogs (pg_authid, pg_database ...) and keeps their lock until the
    generator's transaction ends, so every other database's bare ANALYZE on the server
    waited up to the whole generation (a test run on the same server hung 25 minutes).

    `vacuum` (the end of the generation, outside its transaction): VACUUM (ANALYZE)
    instead, which also marks every page all-visible, as autovacuum keeps a table in
    service: a count over an index then reads the index alone (the walk rule's count of
    the busiest county's cases at 1,000,000: 7,514 pages of cases read, 30 ms, without
    it), and autovacuum's first pass over the new gigabytes does not run beside the
    benchmark that follows (docs/benchmarks.md, "PostgreSQL at 1,000,000 cases,
    vacuumed"). VACUUM cannot run inside a transaction: there (a test's), ANALYZE only."""
    if connection.vendor != "postgresql":
        return
    tables = sorted(connection.introspection.django_table_names(only_existing=True))
    if not tables:
        return
    command = "VACUUM (ANALYZE) " if vacuum and not connection.in_atomic_block else "ANALYZE "
    with connection.cursor() as cursor:
        cursor.execute(command + ", ".join(connection.ops.quote_name(t) for t in tables))


def generate(
    *,
    cases: int,
    seed: int = DEFAULT_SEED,
    years: int = DEFAULT_YEARS,
    today: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
    processes: int = 1,
) -> GenerateResult:
    """Fill an empty database (migrated, no cases, no demo) with `cases` cases.

    `processes=2`: the cases are drawn in this process and written by a second one, batch
    by batch (`_in_two_processes`); the same rows as with one. The organization is then
    committed before the cases are written, so the call must not be inside a transaction."""
    if cases < 1:
        raise RuleViolation("案件数须为正整数。")
    if processes not in (1, 2):
        raise RuleViolation("进程数只能是1或2。")
    if processes == 2 and connection.in_atomic_block:
        raise RuleViolation("用两个进程生成时不能在事务中调用：写入进程看不到尚未提交的组织机构。")
    if Case.objects.exists() or Jurisdiction.objects.exists():
        raise RuleViolation("数据库中已有组织机构或案件：批量生成只用于新建的空数据库。")
    started = time.monotonic()
    gen = Generator(seed=seed, today=today or timezone.localdate(), years=years)
    if processes == 1:
        writer = _Writer()
        with sqlite_cache(), transaction.atomic():
            gen.build_org()
            if progress:
                progress(f"组织机构：{len(gen.orgs)} 个办理信访的部门。")
            gen.run(cases, progress, writer.write)
            writer.finish(gen.closing())
    else:
        with transaction.atomic():
            gen.build_org()
        if progress:
            progress(f"组织机构：{len(gen.orgs)} 个办理信访的部门。")
        _in_two_processes(gen, cases, progress)
    # Statistics for the planner now, not when autovacuum comes round: before them it
    # guesses a handful of rows in the freshly loaded tables and picks scans that run for
    # seconds (docs/search.md, measurements). And the tables vacuumed where that can run.
    if progress and connection.vendor == "postgresql":
        progress("正在整理数据库并更新统计信息，请稍候……")
    analyze_written(vacuum=True)
    result = gen.result
    result.seconds = time.monotonic() - started
    result.digest = gen.digest.hexdigest()
    states = Case.objects.values_list("state").annotate(n=models.Count("pk"))
    result.states = Counter({state: n for state, n in states})
    return result


# The batches drawn ahead of the writer at most: the drawing process waits beyond them.
QUEUED_BATCHES = 2


def _in_two_processes(gen: Generator, cases: int, progress: Callable[[str], None] | None) -> None:
    """Draw the cases here and write them in a forked process with its own connection and
    one transaction, through a queue of at most QUEUED_BATCHES batches: the drawing (text,
    timelines and their hashes, search tokens, MinHash) and the writing (the inserts and
    their indexes; on PostgreSQL the server's work) run on two cores at once. Nothing here
    reads or writes the database meanwhile (a query is refused). If the writer fails, its
    transaction is rolled back: no case is written, the organization stays, and the error
    says so."""
    context = multiprocessing.get_context("fork")
    batches: multiprocessing.Queue[Written | Closing] = context.Queue(maxsize=QUEUED_BATCHES)
    outcome: multiprocessing.Queue[str] = context.Queue()
    connections.close_all()  # the child opens its own; a connection must not cross a fork
    writer = context.Process(target=_write_batches, args=(batches, outcome), daemon=True)
    writer.start()

    def send(item: Written | Closing) -> None:
        while True:
            if not writer.is_alive():
                raise RuleViolation(_writer_failed(outcome))
            try:
                batches.put(item, timeout=1)
                return
            except queue.Full:
                continue

    try:
        with connection.execute_wrapper(_no_query):
            gen.run(cases, progress, send)
            send(gen.closing())
        writer.join()
    finally:
        if writer.is_alive():
            writer.terminate()
            writer.join()
    failure = _writer_failed(outcome) if writer.exitcode != 0 else outcome.get(timeout=10)
    if failure:
        raise RuleViolation(failure)


def _no_query(*args: Any) -> None:
    raise AssertionError("the drawing process read the database while the writer writes")


# What the writer reports when it has nothing better to say (killed, or an error without text).
_WRITER_DIED = "写入进程意外退出。"


def _writer_failed(outcome: multiprocessing.Queue[str]) -> str:
    try:
        detail = outcome.get(timeout=5)
    except queue.Empty:
        detail = _WRITER_DIED
    return (
        "写入进程出错，本次没有写入任何案件"
        f"（组织机构已写入，请在新建的空数据库中重新生成）：{detail}"
    )


def _write_batches(
    batches: multiprocessing.Queue[Written | Closing], outcome: multiprocessing.Queue[str]
) -> None:
    """The writing process: every batch, then the counters and the ledger's head, in one
    transaction; "" on the outcome queue when committed, the error otherwise."""
    try:
        writer = _Writer()
        with sqlite_cache(), transaction.atomic():
            while True:
                item = batches.get()
                if isinstance(item, Closing):
                    writer.finish(item)
                    break
                writer.write(item)
        outcome.put("")
    except BaseException as exc:  # reported to the drawing process, which raises it
        # The message only: the exception's class is no word for the screen, and the
        # traceback this raise prints to the standard error names it for an engineer.
        outcome.put(str(exc) or _WRITER_DIED)
        raise
    finally:
        connections.close_all()


def open_share(states: Counter[str]) -> float:
    total = sum(states.values())
    open_ = sum(n for s, n in states.items() if s not in FINISHED_STATES)
    return open_ / total if total else 0.0
