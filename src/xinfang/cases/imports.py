"""Bulk import of online messages and of an office's register (登记簿), docs/imports.md.

A file is read and converted (petitions/imports.py), each row is checked by the
registration form's own checks (`registrations_check`), and the rows that pass are written
in batches by `petitions_register_batch`, each batch in one transaction together with its
import records (source + external id, unique): a batch is written whole or not at all, a
rerun skips what is already in, and a run stopped by a crash resumes at the first batch
that did not commit. Rejected rows are reported by row and column, in Chinese, and written
to a file next to the input.

`one_by_one=True` registers each row through `petition_register` instead, the action the
form calls (about 5.6 ms a petition): the reference the batch path is tested against.
"""

from __future__ import annotations

import csv
import datetime as dt
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from xinfang.cases.actions.bulk import petitions_register_batch, registrations_check
from xinfang.cases.actions.intake import CheckedRegistration, petition_register_input
from xinfang.cases.matching import person_candidates
from xinfang.core.bulk import chunks, insert_values, prepare_datetime, sqlite_cache
from xinfang.core.errors import RuleViolation
from xinfang.core.unindexed import unindexed
from xinfang.matching.minhash import text_digest, text_index
from xinfang.matching.models import MatterText, PersonKey
from xinfang.matching.people import PersonFacts
from xinfang.orgs.models import Department, Jurisdiction, User
from xinfang.petitions import protect
from xinfang.petitions.imports import (
    MESSAGE_COLUMNS,
    MESSAGE_LABELS,
    REGISTER_COLUMNS,
    REGISTER_LABELS,
    ImportFileError,
    ParsedRow,
    Problem,
    Table,
    parse_message,
    parse_register_row,
    read_table,
)
from xinfang.petitions.models import Channel, ImportedPetition, Petitioner, PetitionPetitioner
from xinfang.petitions.respondents import RespondentInput
from xinfang.petitions.services import (
    DEFAULT_BOARD,
    InterviewInput,
    PetitionerInput,
    RegistrationInput,
    online_account,
    stored_content,
)
from xinfang.routing.terms import Category, Nature

# Rows a transaction writes (docs/imports.md, "Batch size"). SQLite: 2,000, a third faster
# than 500 at 1,000,000 cases (fewer commits and checkpoints of the write-ahead log, fewer
# look-ups per batch). PostgreSQL: 500, where 2,000 gained a tenth and would hold the
# creation ledger's lock, which every registration at a desk waits for, four times as long.
DEFAULT_BATCH = 500
SQLITE_BATCH = 2000


def default_batch() -> int:
    return SQLITE_BATCH if connection.vendor == "sqlite" else DEFAULT_BATCH


Progress = Callable[[int, int, float], None]


@dataclass(frozen=True)
class PersonMatch:
    """A row of the file whose petitioner may be a person already registered (issue 11
    item 2): the case the row registered, the numbers of the earlier cases of that person
    the registrar may see the identity on (R-PROTECT-1), the score and the reasons."""

    row: int
    case_number: str
    known: tuple[str, ...]
    score: float
    reasons: tuple[str, ...]


@dataclass
class ImportReport:
    total: int = 0  # data rows in the file
    imported: int = 0
    already: int = 0  # rows imported by an earlier run (same source and external id)
    linked: int = 0  # of the imported, repeats linked automatically (issue 11)
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    rejected_file: Path | None = None
    # Issue 11 item 2: rows whose petitioner may be a person registered before, and the
    # file listing them (`people_of`).
    people: list[PersonMatch] = field(default_factory=list)
    people_file: Path | None = None
    people_seconds: float = 0.0  # the look-up's, apart from `seconds` (the writing's)
    # (row number, petition id) of each row written by this run, in the order written.
    written: list[tuple[int, int]] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len({p.row for p in self.problems})

    @property
    def rate(self) -> float:
        return self.imported / self.seconds if self.seconds else 0.0


# The form's messages name what they are about; each is reported under the column that
# carries it. First match wins (a message about a respondent mentions 信访人 too).
_MESSAGE_COLUMN: tuple[tuple[str, str], ...] = (
    ("被反映人", "respondent"),
    ("来访人反映的情况", "statement"),
    ("来访人的要求", "requests"),
    ("当场答复", "answer"),
    ("接谈", "receivers"),
    ("来访", "receivers"),
    ("匿名", "is_anonymous"),
    ("集体", "is_collective"),
    ("人数", "head_count"),
    ("转", "source"),
    ("身份证", "id_number"),
    ("信访人", "name"),
    ("收到日期", "received_on"),
    ("内容摘要", "summary"),
    ("信件全文", "content"),
    ("问题类别", "category"),
    ("当事干部", "category"),
    ("信访性质", "nature"),
    ("信访形式", "channel"),
)
# In a message file the same things sit in the message's own columns.
_MESSAGE_FILE_COLUMN = {
    "name": "account",
    "received_on": "posted_at",
    "summary": "title",
    "content": "text",
}


def _column_for(message: str, *, messages: bool) -> str:
    for word, key in _MESSAGE_COLUMN:
        if word in message:
            if messages:
                return MESSAGE_LABELS.get(_MESSAGE_FILE_COLUMN.get(key, ""), "")
            return REGISTER_LABELS.get(key, "")
    return ""


def resolve_department(text: str) -> Department:
    """`--department`: the department's number (id) or its name, unique across the tree."""
    if text.isdigit():
        found = list(Department.objects.filter(pk=int(text)))
    else:
        found = list(Department.objects.filter(name=text).select_related("jurisdiction")[:6])
    if not found:
        raise ImportFileError(
            gettext("没有找到部门“%(text)s”：请填写部门编号或名称。") % {"text": text}
        )
    if len(found) > 1:
        names = "、".join(
            (gettext("%(pk)s（%(name)s）") % {"pk": d.pk, "name": d.jurisdiction.name})
            for d in found[:5]
        )
        raise ImportFileError(
            gettext("名称为“%(text)s”的部门不止一个，请改用部门编号：%(names)s。")
            % {"text": text, "names": names}
        )
    return found[0]


def check_registrar(actor: User, department: Department) -> None:
    if actor.department_id != department.pk:
        raise ImportFileError(
            gettext("登记人%(actor)s不属于%(name)s：导入的信访以登记人所在部门登记。")
            % {"actor": actor, "name": department.name}
        )


def check_batch(batch_size: int | None) -> None:
    """A batch of no rows is refused before anything is read (None: the engine's default)."""
    if batch_size is not None and batch_size < 1:
        raise ImportFileError(gettext("每批写入的行数须为正整数。"))


# --- the run ----------------------------------------------------------------------------


def import_messages(
    path: Path,
    *,
    actor: User,
    department: Department,
    board: str = DEFAULT_BOARD,
    category: str = Category.OUTSIDE_REMIT,
    nature: str = Nature.OTHER,
    batch_size: int | None = None,
    one_by_one: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Register each message of an online board as an online petition (网上信访): the
    title as the summary, the text as the content, the posting date as the date received
    (the time kept in the import record), the board account as the petitioner's
    identifier; the person named by the account (docs/imports.md)."""
    check_registrar(actor, department)
    check_batch(batch_size)
    table = read_table(path, MESSAGE_COLUMNS)
    rows = [parse_message(r) for r in table.rows]

    def build(row: ParsedRow) -> RegistrationInput:
        v = row.values
        account = v["account"]
        return RegistrationInput(
            channel=Channel.ONLINE,
            received_on=timezone.localdate(v["posted_at"]),
            summary=v["title"],
            content=v["text"],
            category=category,
            nature=nature,
            petitioners=[
                PetitionerInput(name=account_name(account), account=online_account(board, account))
            ],
        )

    return _run(
        path,
        table,
        rows,
        build,
        actor=actor,
        source=board,
        messages=True,
        batch_size=batch_size,
        one_by_one=one_by_one,
        progress=progress,
    )


def account_name(account: str) -> str:
    """The name a message is registered under when the board knows its author by the
    account only: 网民 and the account. Not anonymous: the board can reach the person
    (docs/imports.md)."""
    return (gettext("网民%(strip)s") % {"strip": account.strip()})[:50]


def import_registers(
    path: Path,
    *,
    actor: User,
    department: Department,
    source: str = "",
    batch_size: int | None = None,
    one_by_one: bool = False,
    progress: Progress | None = None,
    people: bool = True,
) -> ImportReport:
    """Register each row of an office's register (columns: docs/imports.md); with `people`,
    list the rows whose petitioner may be a person registered before (`people_of`)."""
    check_registrar(actor, department)
    check_batch(batch_size)
    table = read_table(path, REGISTER_COLUMNS)
    seen: Counter[tuple[str, ...]] = Counter()
    rows = []
    for r in table.rows:
        key = tuple(r.cells)
        seen[key] += 1
        rows.append(parse_register_row(r, occurrence=seen[key]))
    places = _Places()
    staff = _Staff(department)

    def build(row: ParsedRow) -> RegistrationInput:
        v = row.values
        people = []
        if v["name"] or v["id_number"] or v["phone"]:
            people.append(
                PetitionerInput(
                    name=v["name"],
                    id_number=v["id_number"],
                    phone=v["phone"],
                    address=v["address"],
                    work_unit=v["work_unit"],
                    is_representative=v["is_collective"],
                )
            )
        respondents = []
        if v["respondent"]:
            place = places.find(row, v["respondent_place"])
            respondents.append(
                RespondentInput(
                    name=v["respondent"],
                    post_title=v["respondent_post"],
                    jurisdiction=place,
                )
            )
        interview = None
        told = v["receivers"] or v["statement"] or v["requests"] or v["answer"]
        if told:
            on = v["interviewed_at"] or (
                timezone.make_aware(dt.datetime.combine(v["received_on"], dt.time()))
                if v["received_on"]
                else timezone.now()
            )
            interview = InterviewInput(
                receivers=staff.find(row, v["receivers"]),
                interviewed_at=on,
                statement=v["statement"],
                requests=v["requests"],
                answer=v["answer"],
            )
        return RegistrationInput(
            channel=v["channel"],
            received_on=v["received_on"],
            summary=v["summary"],
            content=v["content"],
            category=v["category"],
            nature=v["nature"],
            petitioners=people,
            is_anonymous=v["is_anonymous"],
            anonymous_treatment=v["anonymous_treatment"],
            anonymous_reason=v["anonymous_reason"],
            is_collective=v["is_collective"],
            head_count=v["head_count"],
            collective_origin=v["collective_origin"],
            source=v["source"],
            source_reference=v["source_reference"],
            respondents=respondents,
            interview=interview,
        )

    return _run(
        path,
        table,
        rows,
        build,
        actor=actor,
        source=source or (gettext("登记簿:%(name)s") % {"name": path.name}),
        messages=False,
        batch_size=batch_size,
        one_by_one=one_by_one,
        progress=progress,
        people=people,
    )


class _Places:
    """被反映人任职地区或单位 → the jurisdiction of that exact name (cached per import)."""

    def __init__(self) -> None:
        self.cache: dict[str, list[Jurisdiction]] = {}

    def find(self, row: ParsedRow, name: str) -> Jurisdiction | None:
        if not name:
            return None
        if name not in self.cache:
            self.cache[name] = list(Jurisdiction.objects.filter(name=name)[:2])
        found = self.cache[name]
        if len(found) == 1:
            return found[0]
        if found:
            row.problem(
                "respondent_place",
                (gettext("有不止一个名为“%(name)s”的地区或单位，请写全称。") % {"name": name}),
            )
        else:
            row.problem(
                "respondent_place",
                (gettext("组织机构中没有名为“%(name)s”的地区或单位。") % {"name": name}),
            )
        return None


class _Staff:
    """接谈人 → staff of the importing department, by name or user name, separated by 、."""

    def __init__(self, department: Department) -> None:
        self.by_name: dict[str, User] = {}
        for user in User.objects.filter(department=department, is_active=True):
            self.by_name.setdefault(user.username, user)
            if user.full_name:
                self.by_name.setdefault(user.full_name, user)

    def find(self, row: ParsedRow, text: str) -> list[User]:
        users = []
        for name in text.replace("，", "、").replace(",", "、").split("、"):
            name = name.strip()
            if not name:
                continue
            user = self.by_name.get(name)
            if user is None:
                row.problem(
                    "receivers",
                    (gettext("接谈人“%(name)s”不是本部门的工作人员。") % {"name": name}),
                )
            else:
                users.append(user)
        return users


def _already_imported(source: str, ids: Sequence[str]) -> set[str]:
    done: set[str] = set()
    unique = list(dict.fromkeys(ids))
    for chunk in chunks(unique):
        done |= set(
            ImportedPetition.objects.filter(source=source, external_id__in=chunk).values_list(
                "external_id", flat=True
            )
        )
    return done


def _run(
    path: Path,
    table: Table,
    rows: list[ParsedRow],
    build: Callable[[ParsedRow], RegistrationInput],
    *,
    actor: User,
    source: str,
    messages: bool,
    batch_size: int | None,
    one_by_one: bool,
    progress: Progress | None,
    people: bool = False,
) -> ImportReport:
    started = time.monotonic()
    report = ImportReport(total=len(rows))
    done = _already_imported(source, [r.external_id for r in rows if r.external_id])
    first_row: dict[str, int] = {}
    todo: list[ParsedRow] = []
    for row in rows:
        if row.external_id in done:
            report.already += 1
            continue
        if row.external_id and row.external_id in first_row:
            label = gettext("留言编号") if messages else gettext("登记编号")
            row.problem(
                "external_id",
                (
                    gettext("%(label)s与第%(value)s行重复。")
                    % {"label": label, "value": first_row[row.external_id]}
                ),
            )
        elif row.external_id:
            first_row[row.external_id] = row.number
        todo.append(row)
    # Issue 11: written in the order received, not the file's, so that a message repeats
    # the one posted before it wherever the two stand in the file (the automatic repeat
    # link looks back from the date received). Stable: a day's rows keep the file's order.
    todo.sort(key=_received_key)
    handled = report.already
    # SQLite's page cache as large as the generator's: the indexes on random keys (bands,
    # bigrams, hashes) outgrow the default 2 MB, and every insert then goes through the
    # operating system (docs/imports.md, "Measured").
    with sqlite_cache():
        for batch in chunks(todo, batch_size or default_batch()):
            if one_by_one:
                _write_one_by_one(
                    batch, build, actor=actor, source=source, messages=messages, report=report
                )
            else:
                _write_batch(
                    batch, build, actor=actor, source=source, messages=messages, report=report
                )
            handled += len(batch)
            if progress is not None:
                progress(handled, report.total, time.monotonic() - started)
    report.seconds = time.monotonic() - started
    report.problems.sort(key=lambda p: p.row)  # in the file's order, as written
    if report.problems:
        report.rejected_file = write_rejected(path, table, report.problems)
    if people:
        looking = time.monotonic()
        report.people = people_of(actor, report.written)
        report.people_seconds = time.monotonic() - looking
        if report.people:
            report.people_file = write_people(path, report.people)
    return report


def _received_key(row: ParsedRow) -> tuple[bool, str]:
    """Rows by the time (messages) or the day (registers) received; unreadable ones last."""
    when = row.values.get("posted_at") or row.values.get("received_on")
    return (when is None, when.isoformat() if when is not None else "")


def _inputs(
    batch: Sequence[ParsedRow], build: Callable[[ParsedRow], RegistrationInput]
) -> list[tuple[ParsedRow, RegistrationInput | None]]:
    out: list[tuple[ParsedRow, RegistrationInput | None]] = []
    for row in batch:
        data = None if row.problems else build(row)
        out.append((row, None if row.problems else data))  # build may find more problems
    return out


def _reject(row: ParsedRow, errors: Sequence[str], *, messages: bool) -> None:
    for message in errors:
        row.problems.append(Problem(row.number, _column_for(message, messages=messages), message))


def _may_repeat(
    dept: Department, rows: Sequence[CheckedRegistration], digests: Sequence[str]
) -> list[bool]:
    """Issue 11: which rows may repeat an earlier petition word for word from the same
    person, one already stored in the department or an earlier row of the same batch
    (signed rows only, as at the desk). Those are registered through `petition_register`,
    which decides and makes the automatic repeat link; the rest cannot be linked and are
    written in one batch. `digests`: each row's `text_digest` of its text as stored.

    A superset of what `automatic_repeat_of` links, decided a batch at a time: a row is
    sent one by one when a petition with the same text digest shares one of the row's
    person keys (`_person_keys`: every ID number, phone and account hash the row's people
    have or will be found by). Identical text alone is not enough: form letters and
    templates repeat across people, and routing each of them one by one cost the batch
    path its speed (docs/imports.md, "Measured")."""
    if not settings.XINFANG_AUTO_REPEAT:
        return [False] * len(rows)
    eligible = [
        digest != _EMPTY_DIGEST and bool(row.people) and not row.data.is_anonymous
        for row, digest in zip(rows, digests, strict=True)
    ]
    with protect.key_checked_once():
        keys = _person_keys(rows)
    chosen = [(d, mine) for d, ok, mine in zip(digests, eligible, keys, strict=True) if ok]
    stored = _stored_keys(
        dept, {d for d, _mine in chosen}, set().union(*(mine for _d, mine in chosen))
    )
    seen: set[tuple[str, str]] = set()
    flags = []
    for digest, ok, mine in zip(digests, eligible, keys, strict=True):
        pairs = {(digest, key) for key in mine}
        flags.append(ok and not (pairs.isdisjoint(stored) and pairs.isdisjoint(seen)))
        seen |= pairs
    return flags


# The digest of a text with nothing left once normalised: no text to repeat.
_EMPTY_DIGEST = text_digest("")


def _own_keys(id_hash: str, phone_hash: str, account_hash: str) -> set[str]:
    """A person's match keys, tagged by kind; empty hashes are no key."""
    tagged = (("i:", id_hash), ("p:", phone_hash), ("a:", account_hash))
    return {tag + value for tag, value in tagged if value}


def _person_keys(rows: Sequence[CheckedRegistration]) -> list[set[str]]:
    """Each row's person keys: its people's own (ID number, phone, account hashes, as
    `petitioner_row` would store them), and those of every stored petitioner or earlier
    row's person that `petitioner_find_or_create` could find for them (same ID number
    hash, or same account hash), since `same_people` starts from the row found."""
    inputs: list[list[tuple[str, str, str]]] = []
    for row in rows:
        inputs.append(
            [
                (
                    protect.match_hash(id_number),
                    protect.match_hash(protect.phone_key(p.phone)),
                    protect.match_hash(p.account.strip()),
                )
                for p, id_number in row.people
            ]
        )
    ids = sorted({i for people in inputs for i, _p, _a in people if i})
    accounts = sorted({a for people in inputs for _i, _p, a in people if a})
    by_id: dict[str, set[str]] = {}
    by_account: dict[str, set[str]] = {}
    for column, values in (("id_number_hash", ids), ("account_hash", accounts)):
        for chunk in chunks(values):
            found = Petitioner.objects.filter(**{f"{column}__in": chunk})
            for i, p, a in found.values_list("id_number_hash", "phone_hash", "account_hash"):
                own = _own_keys(i, p, a)
                if i:
                    by_id.setdefault(i, set()).update(own)
                if a:
                    by_account.setdefault(a, set()).update(own)
    out = []
    for people in inputs:
        mine: set[str] = set()
        for i, p, a in people:
            own = _own_keys(i, p, a)
            known = by_id.get(i, set()) if i else set()
            known |= by_account.get(a, set()) if a else set()
            own |= known
            # Later rows find this person by the same ID number or account.
            if i:
                by_id.setdefault(i, set()).update(own)
            if a:
                by_account.setdefault(a, set()).update(own)
            mine |= own
        out.append(mine)
    return out


# The person keys' tags (`_own_keys`) and the petitioner column each stands for.
_KEY_COLUMNS = {"i:": "id_number_hash", "p:": "phone_hash", "a:": "account_hash"}


def _stored_keys(dept: Department, digests: set[str], keys: set[str]) -> set[tuple[str, str]]:
    """(text digest, person key) of the department's indexed petitions with one of these
    digests whose petitioners have one of these person keys: what `automatic_repeat_of`
    could link a row to (same department, received and held, text and people); the window
    and the case's state are left to it.

    Read from the people's side, each kind of key by its own hash index, the departments
    tested per row (`+ 0`): from the digests' side, a form letter stored a thousand times
    in the department gave a thousand rows whoever wrote them, and SQLite, without
    statistics, read every petition the department ever received (the busiest county at
    1,000,000 cases: 1.2 s of a 4,000-row import's 6; docs/imports.md, "At a million on
    SQLite")."""
    found: set[tuple[str, str]] = set()
    if not digests or not keys:
        return found
    in_department = MatterText.objects.alias(
        received_by=unindexed("petition__receiving_department_id"),
        held_by=unindexed("petition__case__department_id"),
    ).filter(received_by=dept.pk, held_by=dept.pk)
    for tag, column in _KEY_COLUMNS.items():
        values = sorted(key[len(tag) :] for key in keys if key.startswith(tag))
        for chunk in chunks(values):
            rows = in_department.filter(
                **{f"petition__petitioners__{column}__in": chunk}
            ).values_list(
                "digest",
                "petition__petitioners__id_number_hash",
                "petition__petitioners__phone_hash",
                "petition__petitioners__account_hash",
            )
            for digest, i, p, a in rows:
                if digest in digests:
                    found |= {(digest, key) for key in _own_keys(i, p, a)}
    return found


def _write_batch(
    batch: Sequence[ParsedRow],
    build: Callable[[ParsedRow], RegistrationInput],
    *,
    actor: User,
    source: str,
    messages: bool,
    report: ImportReport,
) -> None:
    pairs = [(row, data) for row, data in _inputs(batch, build) if data is not None]
    checked = registrations_check(actor=actor, rows=[data for _row, data in pairs])
    good = []
    for (row, _data), (verdict, errors) in zip(pairs, checked, strict=True):
        if errors:
            _reject(row, errors, messages=messages)
        else:
            good.append((row, verdict))
    assert actor.department is not None  # check_registrar made sure
    # One key check around the batch (checked again inside its transaction): each person's
    # keyed hashes are computed once for the repeat check, the look-up and the new rows.
    with protect.key_checked_once():
        _write_checked(good, actor=actor, source=source, messages=messages, report=report)
    report.problems += [p for row in batch for p in row.problems]


def _write_checked(
    good: Sequence[tuple[ParsedRow, CheckedRegistration]],
    *,
    actor: User,
    source: str,
    messages: bool,
    report: ImportReport,
) -> None:
    assert actor.department is not None
    # Each text normalised and hashed once: its digest for the repeat check, digest and band
    # keys for the matching index.
    texts = [text_index(stored_content(v.data)) for _row, v in good]
    repeats = _may_repeat(actor.department, [v for _row, v in good], [d for d, _k in texts])
    together = [pair for pair, repeat in zip(good, repeats, strict=True) if not repeat]
    alone = [pair for pair, repeat in zip(good, repeats, strict=True) if repeat]
    together_texts = [t for t, repeat in zip(texts, repeats, strict=True) if not repeat]
    now = timezone.now()
    with transaction.atomic():
        written = petitions_register_batch(
            actor=actor, rows=[v for _row, v in together], texts=together_texts
        )
        stamp = prepare_datetime(ImportedPetition, "imported_at", now)
        insert_values(
            ImportedPetition,
            ["source", "external_id", "petition", "received_at", "row_number", "imported_at"],
            [
                (
                    source,
                    row.external_id,
                    reg.petition_id,
                    prepare_datetime(ImportedPetition, "received_at", row.values["posted_at"])
                    if messages
                    else None,
                    row.number,
                    stamp,
                )
                for (row, _v), reg in zip(together, written, strict=True)
            ],
        )
        report.written += [
            (row.number, reg.petition_id) for (row, _v), reg in zip(together, written, strict=True)
        ]
        # After the batch, in file order: a repeat of a row of this batch finds it indexed.
        for row, verdict in alone:
            _register_one(
                row, verdict.data, actor=actor, source=source, messages=messages, report=report
            )
    report.imported += len(written)


def _write_one_by_one(
    batch: Sequence[ParsedRow],
    build: Callable[[ParsedRow], RegistrationInput],
    *,
    actor: User,
    source: str,
    messages: bool,
    report: ImportReport,
) -> None:
    for row, data in _inputs(batch, build):
        if data is not None:
            _register_one(row, data, actor=actor, source=source, messages=messages, report=report)
    report.problems += [p for row in batch for p in row.problems]


def _register_one(
    row: ParsedRow,
    data: RegistrationInput,
    *,
    actor: User,
    source: str,
    messages: bool,
    report: ImportReport,
) -> None:
    """One row through `petition_register` (the form's action: its checks, the index and
    the automatic repeat link), with its import record; a refusal rejects the row only."""
    try:
        with transaction.atomic():
            reg = petition_register_input(actor=actor, data=data)
            _record(source, row, reg.petition.pk, timezone.now(), messages=messages).save(
                force_insert=True
            )
    except RuleViolation as exc:
        _reject(row, exc.messages, messages=messages)
        return
    report.imported += 1
    report.linked += int(reg.is_repeat)
    report.written.append((row.number, reg.petition.pk))


def _record(
    source: str, row: ParsedRow, petition_id: int, now: dt.datetime, *, messages: bool
) -> ImportedPetition:
    return ImportedPetition(
        source=source,
        external_id=row.external_id,
        petition_id=petition_id,
        received_at=row.values["posted_at"] if messages else None,
        row_number=row.number,
        imported_at=now,
    )


# --- same person (issue 11 item 2) ------------------------------------------------------


def people_of(actor: User, written: Sequence[tuple[int, int]]) -> list[PersonMatch]:
    """The rows just written whose petitioner may be a person registered before: each
    petitioner of a row looked up as the registration form looks up what the registrar
    types (`person_candidates`, the same scores, reasons and protection policy: only
    people on cases of the registrar's department whose identity the policy shows them),
    leaving out the petitioner the row was registered under (found by the same ID number
    or account, that is the same person already) and keeping only cases registered before
    the row's own (a later row of the file lists an earlier one, not both ways).

    A message's only identifier is its board account, which the registration matches
    exactly, so messages are not looked up (`import_messages`). One look-up a petitioner,
    as at the form (docs/imports.md, "Same person on import")."""
    by_petition = dict((petition_id, number) for number, petition_id in written)
    links = _links_in_chunks(list(by_petition))
    # Only people sharing a key with someone else can have a candidate: found for the whole
    # file in a few statements, so that the look-up runs for those few rows only (19 of
    # 1,971 rows of the benchmark's register at a million cases).
    shared = _sharing_a_key([link.petitioner for link in links])
    found: list[PersonMatch] = []
    for link in links:
        if link.petitioner_id not in shared:
            continue
        own = link.petition.case
        person = link.petitioner
        facts = PersonFacts.of(person.__dict__)
        for candidate in person_candidates(actor, facts, leave_out={person.pk}):
            known = tuple(c.number for c in candidate.cases if c.pk < own.pk)
            if known:
                found.append(
                    PersonMatch(
                        row=by_petition[link.petition_id],
                        case_number=own.number,
                        known=known,
                        score=candidate.score,
                        reasons=candidate.reasons,
                    )
                )
    found.sort(key=lambda m: (m.row, -m.score))
    return found


def _sharing_a_key(people: Sequence[Petitioner]) -> set[int]:
    """The ids of `people` who share a key `person_hits` looks up with another petitioner:
    the ID number, phone or account hash, or (with an address or a workplace, as
    `person_hits` asks) the sound of the name. Anyone else has no candidate but himself,
    whom `people_of` leaves out: skipping them changes no answer."""
    shared: set[int] = set()
    for column in ("id_number_hash", "phone_hash", "account_hash"):
        values = sorted({getattr(p, column) for p in people if getattr(p, column)})
        holders: dict[str, set[int]] = {}
        for chunk in chunks(values):
            rows = Petitioner.objects.filter(**{f"{column}__in": chunk})
            for value, pk in rows.values_list(column, "pk"):
                holders.setdefault(value, set()).add(pk)
        shared |= {p.pk for p in people if len(holders.get(getattr(p, column), ())) > 1}
    placed = [p.pk for p in people if p.address.strip() or p.work_unit.strip()]
    sounds: dict[int, str] = {}
    for chunk in chunks(placed):
        sounds.update(
            PersonKey.objects.filter(petitioner_id__in=chunk).values_list(
                "petitioner_id", "sound_hash"
            )
        )
    values = sorted(set(sounds.values()))
    counts: dict[str, int] = {}
    for chunk in chunks(values):
        for value, n in (
            PersonKey.objects.filter(sound_hash__in=chunk)
            .values("sound_hash")
            .annotate(n=Count("pk"))
            .values_list("sound_hash", "n")
        ):
            counts[value] = n
    shared |= {pk for pk, sound in sounds.items() if counts.get(sound, 0) > 1}
    return shared


def _links_in_chunks(petition_ids: list[int]) -> list[PetitionPetitioner]:
    links: list[PetitionPetitioner] = []
    for chunk in chunks(petition_ids):
        links += PetitionPetitioner.objects.filter(petition_id__in=chunk).select_related(
            "petitioner", "petition__case"
        )
    links.sort(key=lambda link: (link.petition_id, link.pk))
    return links


PEOPLE_HEADER = [
    _("行号"),
    _("本次登记的案件"),
    _("可能为同一人的已登记案件"),
    _("评分"),
    _("依据"),
]


def people_path(path: Path) -> Path:
    return path.with_name(
        gettext("%(stem)s.同一人候选%(lower)s") % {"stem": path.stem, "lower": path.suffix.lower()}
    )


def write_people(path: Path, matches: Sequence[PersonMatch]) -> Path:
    """The rows that may be a known person, next to the input, in its format: case numbers,
    score and reasons only, no name or identifier (the registrar opens the cases)."""
    lines = [
        [
            str(m.row),
            m.case_number,
            gettext("、").join(m.known),
            format(m.score, ".2f"),
            gettext("；").join(m.reasons),
        ]
        for m in matches
    ]
    out = people_path(path)
    _write_sheet(out, gettext("同一人候选"), [str(h) for h in PEOPLE_HEADER], lines)
    return out


# --- the rejected rows ------------------------------------------------------------------

REJECTED_HEADER = [_("行号"), _("列"), _("原因")]


def rejected_path(path: Path) -> Path:
    return path.with_name(
        gettext("%(stem)s.未导入%(lower)s") % {"stem": path.stem, "lower": path.suffix.lower()}
    )


def write_rejected(path: Path, table: Table, problems: Sequence[Problem]) -> Path:
    """The rejected rows next to the input, in its format: row number, column, reason, then
    the row's own cells, one line per problem."""
    cells_of = {r.number: r.cells for r in table.rows}
    lines = [
        [str(p.row), p.column, p.message, *cells_of.get(p.row, [])]
        for p in sorted(problems, key=lambda p: p.row)
    ]
    header = [*(str(h) for h in REJECTED_HEADER), *table.header]
    out = rejected_path(path)
    _write_sheet(out, gettext("未导入的行"), header, lines)
    return out


def _write_sheet(out: Path, title: str, header: list[str], lines: list[list[str]]) -> None:
    """A report beside the input, in the input's format (.xlsx, else CSV with a BOM, which
    spreadsheet programs read as UTF-8)."""
    if out.suffix.lower() == ".xlsx":
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = title
        sheet.append(header)
        for line in lines:
            # Text stays text: a cell starting with "=" is not a formula.
            sheet.append(line)
            for cell in sheet[sheet.max_row]:
                cell.data_type = "s"
        book.save(out)
    else:
        with out.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(lines)
