"""Substring search over petitions (issue 10; the design and its measurements: docs/search.md).

A query of two or more characters finds exactly the cases one of whose petitions contains it,
after normalisation (core/text.py: NFKC, lower case, no white space), in:

- the public part: the petition's summary, its respondents' names, units and posts;
- the protected part: the letter's full text and the petitioners' names, matched only on
  cases whose petitioner identity the user may see (R-PROTECT-1, cases/protection.py), so
  that neither a hit nor the total reveals a protected value.

How: every petition's two parts are prepared in Python into one `SearchEntry` row and a set
of character-bigram tokens. The database's full-text index (FTS5 on SQLite, a GIN-indexed
tsvector on PostgreSQL) finds the petitions that hold every bigram of the query, a superset;
each candidate is then verified by a plain substring test on the stored normalised text
(`instr`/`strpos`), so the answer is exact. One request's answer (`SearchAnswer`) is read
from those hits when they are few, and newest first over the cases the user sees, each
probed, when they are many; the total is exact up to TOTAL_CAP. Hits many enough, for a search
the department tags do not narrow, are read by slices of their families' newest months, newest
first, until a slice holds more than TOTAL_CAP cases (`_slices`). A bigram is written as ten letters
(`_token`): no tokenizer or parser of either engine splits, drops or folds it, so the index
sees exactly the bigrams Python made.

The index is written where petitions are written (`index_petitions`, called by the intake
action in the same transaction) and rebuilt by `xinfang search_reindex`. A merge moves
petitions between cases without changing their text: entries are per petition and found
cases are derived at query time through the family (cases/family.py), so nothing is
re-indexed.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import (
    BigIntegerField,
    BooleanField,
    F,
    Func,
    Lookup,
    Max,
    Prefetch,
    Q,
    QuerySet,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xinfang.cases.access import (
    FOLLOWED_OR_REVIEWED,
    department_unindexed,
    followed_or_reviewed,
    visibility_parts,
    visible_among,
    visible_parts,
)
from xinfang.cases.family import petitions_of_case
from xinfang.cases.listing import CaseFilters, filtered_cases, with_list_columns
from xinfang.cases.models import Case, SearchEntry
from xinfang.cases.protection import FAMILY_ROOT, identity_shown_q, may_see_some_identity
from xinfang.core.admin import SEARCH_MAX_CHARS, SEARCH_MAX_TERMS, cut_search
from xinfang.core.errors import RuleViolation
from xinfang.core.text import normalize
from xinfang.orgs.models import User
from xinfang.petitions.models import Petition, PetitionPetitioner, Respondent

# Of the preparation below; a change means `xinfang search_reindex` (migration
# cases/0012_query_search_parts empties the index of version 1, whose tokens had no part).
VERSION = 2
MIN_CHARS = 2
# Between two fields of a part: removed by normalize() from any query (it is white space),
# so no query matches across two fields.
SEPARATOR = "\x1f"
FTS_TABLE = "cases_searchfts"
# Each token carries its part as a first letter, so one index answers "in the public part"
# and "in the protected part" apart, without a second table or a join to the stored text.
PUBLIC, PROTECTED = "q", "p"

TOO_SHORT = _(
    "检索词至少需要两个字：单个字会匹配大量无关记录，请输入人名、单位或事项中的两个字以上。"
)


# --- Preparation ------------------------------------------------------------------------


def prepare(fields: Iterable[str]) -> str:
    """The fields normalised and joined by SEPARATOR, empty ones left out."""
    return SEPARATOR.join(t for t in (normalize(f) for f in fields) if t)


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@functools.lru_cache(maxsize=65536)
def _letters(char: str) -> str:
    """A character as five lower-case letters: its code point in base 26, least significant
    digit first (26**5 = 11,881,376 > 0x10FFFF, so every character has its own five)."""
    n = ord(char)
    out = []
    for _digit in range(5):
        n, digit = divmod(n, 26)
        out.append(_LETTERS[digit])
    return "".join(out)


def _token(bigram: str) -> str:
    """A bigram as ten lower-case letters, five per character. Letters only, so SQLite's
    unicode61 tokenizer and PostgreSQL's default parser take it whole and unchanged."""
    return _letters(bigram[0]) + _letters(bigram[1])


def tokens(prepared: str) -> list[str]:
    """The distinct bigram tokens of a prepared text, sorted (so the same text always gives
    the same string: SQLite's contentless index is told exactly what to remove)."""
    # Each character's letters looked up once, not once per bigram it is in (the batch
    # import indexes every row, docs/imports.md); a bigram across SEPARATOR is no token.
    letters = [_letters(c) for c in prepared]
    return sorted(
        {
            letters[i] + letters[i + 1]
            for i in range(len(prepared) - 1)
            if prepared[i] != SEPARATOR and prepared[i + 1] != SEPARATOR
        }
    )


def part_tokens(prepared: str, part: str) -> list[str]:
    """The bigram tokens of one part's prepared text, each with the part's letter first
    (PUBLIC or PROTECTED): eleven lower-case letters."""
    return [part + t for t in tokens(prepared)]


# A department's tag in the index: DEPARTMENT and the id's decimal digits as letters (0 is
# a, ... 9 is j), letters only like the bigram tokens, and told apart from them by its first
# letter (a bigram token starts with a part's letter).
DEPARTMENT = "d"
_DIGIT_LETTERS = str.maketrans("0123456789", "abcdefghij")


def department_token(department_id: int) -> str:
    """The index token of a department's tag: 17 is "dbh"."""
    return DEPARTMENT + str(department_id).translate(_DIGIT_LETTERS)


def department_tokens(departments: str) -> list[str]:
    """The tokens of an entry's `departments` (sorted ids separated by spaces)."""
    return [department_token(int(d)) for d in departments.split()]


# The month of a family's newest case in the index: NEWEST and the month's yyyymm digits as
# letters, as a department's tag (a bigram token starts with a part's letter, a tag with d).
NEWEST = "n"


def month_of(moment: dt.datetime) -> int:
    """The month `moment` falls in, in local time, as yyyymm: 2026-12-05 is 202612."""
    local = timezone.localtime(moment)
    return local.year * 100 + local.month


def month_start(month: int) -> dt.datetime:
    """The first moment of a month (yyyymm), in local time."""
    return timezone.make_aware(dt.datetime(month // 100, month % 100, 1))


def months_from(first: int, last: int) -> list[int]:
    """Every month from `first` to `last` (yyyymm), both included."""
    months, year, month = [], first // 100, first % 100
    while year * 100 + month <= last:
        months.append(year * 100 + month)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def newest_token(month: int) -> str:
    """The index token of a family's newest month: 202612 is "ncacgbc"."""
    return NEWEST + str(month).translate(_DIGIT_LETTERS)


def newest_tokens(newest: int | None) -> list[str]:
    """The tokens of an entry's `newest`: none when it has no case (0) or predates the
    column (None)."""
    return [newest_token(newest)] if newest else []


def entry_texts(petition: Petition) -> tuple[str, str]:
    """(public, protected) of a petition whose respondents and petitioner links (with the
    petitioner) are prefetched."""
    respondents: list[Respondent] = list(petition.respondents.all())
    links: list[PetitionPetitioner] = list(petition.petitionpetitioner_set.all())
    return texts_of(petition, respondents, [link.petitioner.name for link in links])


def texts_of(
    petition: Petition, respondents: Sequence[Respondent], names: Sequence[str]
) -> tuple[str, str]:
    """(public, protected) of a petition from its rows in hand: its respondents in the
    order written, its petitioners' names in the order of their links."""
    public = prepare(
        [petition.summary] + [f for r in respondents for f in (r.name, r.unit, r.post_title)]
    )
    protected = prepare([petition.content, *names])
    return public, protected


# --- Writing the index ------------------------------------------------------------------


def _sqlite() -> bool:
    return connection.vendor == "sqlite"


def index_petitions(petition_ids: Sequence[int]) -> int:
    """Write (or rewrite) the search entries of these petitions and their bigram index.
    Called inside the writing transaction; returns the number of entries written."""
    if not petition_ids:
        return 0
    petitions = list(
        Petition.objects.filter(pk__in=petition_ids)
        .only("pk", "summary", "content")
        .prefetch_related(
            "respondents",
            Prefetch(
                "petitionpetitioner_set",
                PetitionPetitioner.objects.select_related("petitioner").order_by("pk"),
            ),
        )
    )
    old = {
        e.pk: e
        for e in SearchEntry.objects.filter(pk__in=[p.pk for p in petitions]).only(
            "pk", "public_text", "protected_text", "departments", "tagged", "newest"
        )
    }
    families = families_of([p.pk for p in petitions])
    rows = []
    for p in petitions:
        public, protected = entry_texts(p)
        rows.append(_entry_row(p.pk, public, protected, families[p.pk]))
    if old:
        if _sqlite():
            # A contentless FTS5 table forgets a row only when told the tokens it indexed.
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, tokens) "
                    "VALUES ('delete', %s, %s)",
                    [(e.pk, _indexed_doc(e)) for e in old.values()],
                )
        SearchEntry.objects.filter(pk__in=list(old)).delete()
    insert_entry_rows(rows)
    return len(rows)


def index_new_petitions(
    items: Sequence[tuple[Petition, Sequence[Respondent], Sequence[str]]],
    families: dict[int, Family] | None = None,
) -> int:
    """`index_petitions` for petitions written in the caller's transaction that have no
    entry yet, from the rows in hand (petition, respondents, petitioners' names, as
    `texts_of` takes them): the same entries and bigram tokens, without reading back what
    was just written (registration and the batch import). `families`: each petition's
    family by its id, where the caller knows it (the batch import: each petition the first
    of a new case, `Family.new_case`); read by `families_of` otherwise."""
    if not items:
        return 0
    if families is None:
        families = families_of([petition.pk for petition, _r, _n in items])
    rows = new_entry_rows(items, families)
    insert_entry_rows(rows)
    return len(rows)


def new_entry_rows(
    items: Sequence[tuple[Petition, Sequence[Respondent], Sequence[str]]],
    families: dict[int, Family],
) -> list[EntryRow]:
    """The entries' columns and index documents of `index_new_petitions`, made without the
    database (the bulk generator makes them in one process and writes them in another)."""
    rows = []
    for petition, respondents, names in items:
        public, protected = texts_of(petition, respondents, names)
        rows.append(_entry_row(petition.pk, public, protected, families[petition.pk]))
    return rows


# A new entry's columns (cases_searchentry's, in `insert_entry_rows`' order), its document last.
EntryRow = tuple[int, str, str, int, str, bool, int | None, int, str]


def _entry_row(petition_id: int, public: str, protected: str, family: Family) -> EntryRow:
    """A new entry's columns, its index document last."""
    doc = _doc(public, protected, family.departments, family.newest)
    return (
        petition_id,
        public,
        protected,
        VERSION,
        family.departments,
        True,
        family.root,
        family.newest,
        doc,
    )


def insert_entry_rows(rows: Sequence[EntryRow]) -> None:
    """Insert new entries with their bigram tokens: on SQLite the row, then its document in
    the FTS5 table; on PostgreSQL the tokens in the row's own INSERT. (`index_petitions`
    inserted each entry and then updated it with its tokens: every row written twice, its
    GIN entries once more; a third of the generator's time at a million cases.)"""
    columns = (
        "petition_id, public_text, protected_text, version, departments, tagged, family, newest"
    )
    with connection.cursor() as cursor:
        if _sqlite():
            cursor.executemany(
                f"INSERT INTO cases_searchentry ({columns}) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                [row[:8] for row in rows],
            )
            cursor.executemany(
                f"INSERT INTO {FTS_TABLE}(tokens, rowid) VALUES (%s, %s)",
                [(row[8], row[0]) for row in rows],
            )
        else:
            cursor.executemany(
                f"INSERT INTO cases_searchentry ({columns}, tokens) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, strip(to_tsvector('simple', %s)))",
                rows,
            )


def _doc(public: str, protected: str, departments: str, newest: int | None) -> str:
    """The index's one document per petition: the bigram tokens of both parts, each marked
    with its part, so a query asks one part of the index at a time, the tags of the
    departments holding a case of its family, and the month of the family's newest case."""
    return " ".join(
        part_tokens(public, PUBLIC)
        + part_tokens(protected, PROTECTED)
        + department_tokens(departments)
        + newest_tokens(newest)
    )


def _indexed_doc(entry: SearchEntry) -> str:
    """The document the index holds for `entry`, as SQLite's contentless table must be told
    it to forget the row: without tag tokens while the entry is untagged, whatever its
    `departments` column says (told a token it does not hold, FTS5 corrupts its index)."""
    return _doc(
        entry.public_text,
        entry.protected_text,
        entry.departments if entry.tagged else "",
        entry.newest,
    )


class Family(NamedTuple):
    """What a search entry keeps of its petition's family (cases/family.py)."""

    root: int | None  # the first case's id (None: the petition has no case)
    departments: str  # the tag: the departments holding a case of it, sorted ids, spaces
    newest: int  # the month its newest case was registered in (`month_of`); 0: no case

    @classmethod
    def of_cases(cls, root: int | None, cases: Iterable[tuple[int, dt.datetime]]) -> Family:
        """The family of `root` from its cases as (department id, registration time): the
        departments' ids sorted and once each, the month of the newest; no case, no tag."""
        cases = list(cases)
        departments = " ".join(str(d) for d in sorted({d for d, _at in cases}))
        return cls(root, departments, month_of(max(at for _d, at in cases)) if cases else 0)

    @classmethod
    def new_case(cls, case_id: int, department_id: int, registered_at: dt.datetime) -> Family:
        """The family of a petition that opened a case just now: that case alone, in its
        department (`families_of` would read the same three statements later)."""
        return cls.of_cases(case_id, [(department_id, registered_at)])


def families_of(petition_ids: Sequence[int]) -> dict[int, Family]:
    """Each petition's family: its root, the ids of the departments holding a case of it
    (the first case and those sent down from it, cases/family.py), sorted, separated by
    spaces, and the month of its newest case. Three statements whatever the number of
    petitions (petitions to roots; the roots; the cases sent down from them, by
    `case_sent_down_root`)."""
    if not petition_ids:
        return {}
    roots = dict(
        Petition.objects.filter(pk__in=petition_ids)
        .order_by()
        .values_list("pk", Coalesce("case__root_id", "case_id"))
    )
    wanted = {root for root in roots.values() if root is not None}
    members = [
        *Case.objects.filter(pk__in=wanted).values_list("pk", "department_id", "registered_at"),
        *Case.objects.filter(root_id__in=wanted).values_list(
            "root_id", "department_id", "registered_at"
        ),
    ]
    cases: dict[int, list[tuple[int, dt.datetime]]] = {}
    for root, dept, registered_at in members:
        cases.setdefault(root, []).append((dept, registered_at))
    # A petition without a case (root None) has no case in the family: no tag, month 0.
    return {pk: Family.of_cases(root, cases.get(root, ())) for pk, root in roots.items()}


def tag_petitions(petition_ids: Sequence[int]) -> int:
    """Rewrite the department tags, the newest month and the family root of these
    petitions' entries where their family changed (a case sent down to another department,
    the family's newest; petitions merged into or moved back to another family). Called in
    the changing transaction, after the change. Returns the number of entries whose tags
    were rewritten."""
    if not petition_ids:
        return 0
    families = families_of(petition_ids)
    entries = SearchEntry.objects.filter(pk__in=list(families))
    if not _sqlite():  # SQLite's index is told the text it forgets; PostgreSQL's is not
        entries = entries.only("pk", "departments", "tagged", "family", "newest")
    rows = list(entries)
    moved = [(families[e.pk].root, e.pk) for e in rows if e.family != families[e.pk].root]
    if moved:
        with connection.cursor() as cursor:
            cursor.executemany(
                "UPDATE cases_searchentry SET family = %s WHERE petition_id = %s", moved
            )
    wanted = {pk: family.departments for pk, family in families.items()}
    changed = [
        e
        for e in rows
        if not e.tagged or e.departments != wanted[e.pk] or e.newest != families[e.pk].newest
    ]
    if not changed:
        return 0
    with connection.cursor() as cursor:
        if _sqlite():
            cursor.executemany(
                f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, tokens) VALUES ('delete', %s, %s)",
                [(e.pk, _indexed_doc(e)) for e in changed],
            )
            cursor.executemany(
                f"INSERT INTO {FTS_TABLE}(tokens, rowid) VALUES (%s, %s)",
                [
                    (
                        _doc(e.public_text, e.protected_text, wanted[e.pk], families[e.pk].newest),
                        e.pk,
                    )
                    for e in changed
                ],
            )
            cursor.executemany(
                "UPDATE cases_searchentry SET departments = %s, tagged = %s, newest = %s "
                "WHERE petition_id = %s",
                [(wanted[e.pk], True, families[e.pk].newest, e.pk) for e in changed],
            )
        else:
            # The tokens the entry may hold removed (a token it does not hold is ignored),
            # the family's new ones added.
            cursor.executemany(
                "UPDATE cases_searchentry SET departments = %s, tagged = %s, newest = %s, "
                "tokens = strip(ts_delete(tokens, %s::text[]) || to_tsvector('simple', %s)) "
                "WHERE petition_id = %s",
                [
                    (
                        wanted[e.pk],
                        True,
                        families[e.pk].newest,
                        department_tokens(e.departments) + newest_tokens(e.newest),
                        " ".join(
                            department_tokens(wanted[e.pk]) + newest_tokens(families[e.pk].newest)
                        ),
                        e.pk,
                    )
                    for e in changed
                ],
            )
    return len(changed)


def tag_family(case: Case) -> int:
    """`tag_petitions` for every petition of `case`'s family (a case was sent down from it)."""
    return tag_petitions(list(petitions_of_case(case).values_list("pk", flat=True)))


def clear_index() -> None:
    """Every entry and the whole bigram index removed (a full rebuild starts here)."""
    with connection.cursor() as cursor:
        if _sqlite():
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('delete-all')")
    SearchEntry.objects.all().delete()


# --- Querying ---------------------------------------------------------------------------


def search_text(raw: str) -> tuple[str, str]:
    """The query as it will be run, normalised, and a Chinese note when it was cut to
    SEARCH_MAX_TERMS words or SEARCH_MAX_CHARS characters (the admin's limits). Refused with
    a Chinese message when it has fewer than two characters."""
    cut, was_cut = cut_search(raw)
    query = normalize(cut)
    if len(query) < MIN_CHARS:
        raise RuleViolation(str(TOO_SHORT))
    note = (
        (
            gettext(
                "检索词过长，已按前%(search_max_terms)s个词、不超过%(search_max_chars)s"
                "个字检索：%(cut)s"
            )
            % {
                "search_max_terms": SEARCH_MAX_TERMS,
                "search_max_chars": SEARCH_MAX_CHARS,
                "cut": cut,
            }
        )
        if was_cut
        else ""
    )
    return query, note


def _candidates(
    query: str,
    part: str = PUBLIC,
    departments: Sequence[int] = (),
    column: str = "petition_id",
    months: Sequence[int] = (),
) -> RawSQL:
    """Ids of the petitions whose `part` holds every bigram of `query` (a superset of the
    answer; the answer itself for a query of two characters, which is one bigram); with
    `departments`, only those of the families one of them holds a case of (their tags, in
    the same index: the engine intersects the lists itself). `column`: on PostgreSQL, the
    entry's column given instead of the petition's id (the index is a column of the entry;
    SQLite's FTS5 table gives the row id only). `months`: only those whose family's newest
    case was registered in one of these months (`newest_token`), the same way."""
    wanted = part_tokens(query, part)
    groups = [
        group
        for group in ([department_token(d) for d in departments], [newest_token(m) for m in months])
        if group
    ]
    if _sqlite():
        match = " AND ".join(f'"{t}"' for t in wanted)
        for group in groups:
            match += " AND (" + " OR ".join(f'"{t}"' for t in group) + ")"
        return RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [match])
    asked = " & ".join(wanted)
    for group in groups:
        asked += " & (" + " | ".join(group) + ")"
    return RawSQL(
        f"SELECT {column} FROM cases_searchentry WHERE tokens @@ to_tsquery('simple', %s)",
        [asked],
    )


_TEXT_COLUMN = {PUBLIC: "public_text", PROTECTED: "protected_text"}
# SQLite: the entries' (petition_id, family) and (petition_id, family, public_text), created
# by migration 0021.
FAMILY_INDEX = "searchentry_family"
PUBLIC_INDEX = "searchentry_public"


def _hits(
    query: str,
    part: str,
    departments: Sequence[int] = (),
    column: str = "petition_id",
    months: Sequence[int] = (),
) -> RawSQL:
    """Ids of the petitions whose `part` contains `query` (`column` "family": their family
    roots, as the entries keep them). Two characters are one bigram, so the index's answer
    is exact and nothing else is read. A longer query is verified on the candidates only,
    by a byte-wise substring test on the stored normalised text (instr on SQLite, strpos on
    PostgreSQL: both sides are normalised, so no case folding is wanted, and neither treats
    any character of the query as a pattern). `departments`, `months`: as `_candidates`."""
    if len(query) == MIN_CHARS:
        if not _sqlite():
            # The tokens are a column of the entry itself.
            return _candidates(query, part, departments, column, months)
        # Only petitions that have an entry: the contentless FTS5 table may keep rows of
        # entries removed without it (a database emptied by `flush`), which the verification
        # of longer queries drops and this path must drop too (by the entry's primary key).
        # The family from its own index, never from the row, where it comes after the
        # letter's text (migration 0021: 工资's protected hits at 1,000,000 cases, 305 ->
        # 108 ms).
        candidates = _candidates(query, part, departments, months=months)
        return RawSQL(
            f"SELECT {column} FROM cases_searchentry INDEXED BY {FAMILY_INDEX} "
            f"WHERE petition_id IN ({candidates.sql})",
            candidates.params,
        )
    text = _TEXT_COLUMN[part]
    if not _sqlite():
        # The candidates' own rows verified where the index found them: one bitmap scan of
        # the entries. As `petition_id IN (candidates)` PostgreSQL joined the entries to
        # themselves, reading each candidate twice (its heap row, then again by the primary
        # key); docs/search.md, "PostgreSQL at a million again".
        candidates = _candidates(query, part, departments, column, months)
        return RawSQL(f"{candidates.sql} AND strpos({text}, %s) > 0", [*candidates.params, query])
    # SQLite: the FTS5 table gives row ids only, so the entries are read by them. The public
    # text and the family in one index (migration 0021), one look-up a candidate; the
    # protected text is long and only in the row.
    candidates = _candidates(query, part, departments, months=months)
    entries = (
        f"cases_searchentry INDEXED BY {PUBLIC_INDEX}" if part == PUBLIC else "cases_searchentry"
    )
    return RawSQL(
        f"SELECT {column} FROM {entries} WHERE petition_id IN ({candidates.sql}) "
        f"AND instr({text}, %s) > 0",
        [*candidates.params, query],
    )


def _hit_roots(
    query: str, part: str, departments: Sequence[int] = (), months: Sequence[int] = ()
) -> RawSQL:
    """The family roots of the petitions whose `part` contains `query`, read from their
    entries (`departments`: as `_candidates`). Through the petitions and their cases, each
    hit cost two more look-ups: most of the province supervisor's 小舅子 at 1,000,000 cases
    (docs/search.md, "The family in the entry")."""
    return _hits(query, part, departments, column="family", months=months)


def matching_cases(
    user: User, query: str, departments: Sequence[int] | None = None
) -> QuerySet[Case]:
    """The cases `user` may see that hold a petition containing the normalised `query`:
    in its public part, or in its protected part where the user may see the identity.

    The members of the hit families read first (`_hit_families_q`: on SQLite their ids, on
    PostgreSQL their roots, asked of the primary key and of the root index), the identity
    rule decided on each row (R-PROTECT-1), and the department tested per row
    (`visible_among`), so that the hits drive the statement, not every case the user sees;
    a user who may see no identity never reads the protected part of the index at all.
    Before, SQLite read every case of the department by its index and tested each against
    the hits, and the rule built the set of every family the department had received
    petitions for (the busiest county's handler's whole answer for 小舅子 at 1,000,000
    cases: 431 ms for 692 cases); PostgreSQL, planning from the hits' subqueries, built
    that set too (the county handler's 工资 at 100,000 cases: 430 -> 120 ms;
    docs/search.md, "The whole answer on PostgreSQL").

    `departments`: the department tags narrowing the hits (`_tags_for`); by default read
    here (`_index_state`, one statement). With tags, the cases followed or reviewed, whose
    families need not hold a case of those departments, are probed row by row (`_probe_q`)."""
    if departments is None:
        departments = _tags_for(user) if _index_state().tagged else []
    found = _hit_families_q(user, query, departments, by_members=True) or Q(pk__in=[])
    if departments:
        # Read first: as a subquery among the hits' lists of ids it kept PostgreSQL from
        # the primary key (at a million cases it walked every case by registration time).
        followed = visible_parts(user)[FOLLOWED_OR_REVIEWED].order_by()
        others = list(followed.values_list("pk", flat=True))
        found |= Q(pk__in=others) & _probe_q(user, query)
    return visible_among(user, Q()).alias(family_root=FAMILY_ROOT).filter(found)


# --- One request's answer -----------------------------------------------------------------
#
# docs/search.md, "Third version": the answer is read in one of two ways, chosen by how many
# petitions the index finds (which never changes what is shown, only what it costs):
#
# - few hits: from the hits, once (on SQLite `matching_cases`, one statement for every id in
#   order; on PostgreSQL `_few_hits_ids`, the hit roots read first and each visible part
#   probed by them);
# - many hits: newest first over the cases the user sees, each case probed for a hit in its
#   family's stored text (`_probe_q`), stopping at the page's last row; the total is counted
#   the same way up to TOTAL_CAP + 1 rows.
#
# Either way the total shown is exact up to TOTAL_CAP and "more than TOTAL_CAP" above it: a
# function of the cases the user may see and match, never of the hits alone (which include
# protected text and cases the user may not see: R-PROTECT-1).

# The page's total is exact up to this many cases; above it the page says "more than" and
# lists the newest TOTAL_CAP (20 pages of 50). Counting further costs time in proportion
# (docs/search.md, "The total").
TOTAL_CAP = 1000
# The answer is read newest first when the index finds at least this share of all
# petitions in the public part: then the total's count, which walks until TOTAL_CAP + 1
# matches, reads about TOTAL_CAP / WALK_FROM cases at most for a user who sees most of
# them; below it the hits are fewer than that share and are read instead.
WALK_FROM = 0.02
# The protected part's hits choose the walk only above this many petitions (`_many_hits`).
PROTECTED_WALK_FLOOR = 1000
# ... and only for a user who sees fewer cases than the protected hits by this ratio:
# walked, a case the user sees cost one and a half to five protected hits read from the index
# (docs/search.md, "Protected hits", 300,000 cases on PostgreSQL).
WALK_RATIO = 3
# With department tags, the walk is taken when the user sees at most hits² / this many
# cases (`_tagged_hits_walk`). Measured (docs/search.md, "Department tags, measured"): on
# PostgreSQL at 1,000,000 cases hits² / cases seen was 23,000 and 45,000 where the walk was
# the faster way (干部) and at most 936 where the hits were (工资); on SQLite at 100,000,
# where a walked case costs less against a hit, 2,205 and 5,046 against at most 97.
TAGGED_WALK_RATIO = 5000
TAGGED_WALK_RATIO_SQLITE = 1000


def _part_hits(query: str, part: str, limit: int, departments: Sequence[int] = ()) -> int:
    """About how many petitions hold `query`'s bigrams in `part`, at most `limit` + 1.
    SQLite: counted in the FTS5 index (its row ids only, stopping at the limit).
    PostgreSQL: the planner's estimate from the statistics of the tokens column (counting
    there reads the entries: with a LIMIT the planner scans the table rather than the GIN
    index). It decides only how the answer is read, never what it is. `departments`: as
    `_candidates`."""
    candidates = _candidates(query, part, departments)
    with connection.cursor() as cursor:
        if _sqlite():
            cursor.execute(
                f"SELECT count(*) FROM ({candidates.sql} LIMIT {max(limit + 1, 0)}) hits",
                candidates.params,
            )
            row = cursor.fetchone()
            return int(row[0]) if row else 0
        cursor.execute(f"EXPLAIN (FORMAT JSON) {candidates.sql}", candidates.params)
        row = cursor.fetchone()
    plan = row[0] if row else None
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"]) if plan else 0


def _many_hits(
    user: User, query: str, departments: Sequence[int] = (), highest: int | None = None
) -> bool:
    """Whether to walk (newest first over the cases the user sees) rather than read the
    hits: when the public part's hits are more than WALK_FROM of all petitions (their
    number estimated by the highest id, one probe of the primary key); and, for a user who
    may see some identity, when the protected part's are too and the user sees fewer than
    one case for every WALK_RATIO of them. The few-hits way reads every protected hit's
    family before deciding which show the user an identity (a department's handler's 工资:
    111,134 protected hits at 1,000,000 cases); the walk probes each case the user sees
    until the page and the capped total are found, at several times a hit's cost, so it
    pays only where those cases are few against the hits (docs/search.md, "Protected
    hits").

    Both ways give the same answer (tests/conftest.py runs the search tests both ways), so
    the choice shows only in the time taken. The protected part's count takes part only
    above PROTECTED_WALK_FLOOR petitions, so that time can tell at most that a word is in
    the protected text of more than that many petitions of the whole database, which no
    one person's name or number is (R-PROTECT-1). With `departments` (`_tags_for`) both
    parts are counted in those departments' families only. `highest`: the highest petition
    id, when the caller has read it (`_index_state`)."""
    return _reading_way(user, query, departments, highest)[0]


def _reading_way(
    user: User, query: str, departments: Sequence[int] = (), highest: int | None = None
) -> tuple[bool, int]:
    """`_many_hits`, and the public part's hits it counted (for `_slices`)."""
    if highest is None:
        highest = Petition.objects.aggregate(highest=Max("pk"))["highest"] or 0
    limit = int(highest * WALK_FROM)
    public = _part_hits(query, PUBLIC, limit, departments)
    if public > limit:
        return True, public
    if departments:
        return _tagged_hits_walk(user, query, departments, public, limit), public
    if not may_see_some_identity(user):
        return False, public
    protected_limit = max(limit, PROTECTED_WALK_FLOOR)
    protected = _part_hits(query, PROTECTED, protected_limit, departments)
    walks = protected > protected_limit and _sees_at_most(user, protected // WALK_RATIO)
    return walks, public


def _tagged_hits_walk(
    user: User, query: str, departments: Sequence[int], public: int, limit: int
) -> bool:
    """`_many_hits` for a user whose hits are narrowed by department tags: walk when the
    tagged hits (public; protected too for a user who may see some identity, above
    PROTECTED_WALK_FLOOR, R-PROTECT-1 as in `_many_hits`) are more than that floor and the
    user sees at most hits² / TAGGED_WALK_RATIO cases (TAGGED_WALK_RATIO_SQLITE on SQLite).
    Read from the hits, the cost grows with the hits; walked, with the cases read before
    TOTAL_CAP + 1 matches, about the cases seen over the share that matches, which grows
    as the hits shrink (docs/search.md, "Department tags": the county handler's 干部, 54,000
    tagged hits against 65,000 cases seen, 1,029 ms from the hits and 402 ms walked; its
    工资, 7,800, 249 ms from the hits)."""
    hits = public
    if may_see_some_identity(user):
        floor = max(limit, PROTECTED_WALK_FLOOR)
        protected = _part_hits(query, PROTECTED, floor, departments)
        if protected > PROTECTED_WALK_FLOOR:
            hits += protected
    ratio = TAGGED_WALK_RATIO_SQLITE if _sqlite() else TAGGED_WALK_RATIO
    return hits > PROTECTED_WALK_FLOOR and _sees_at_most(user, hits * hits // ratio)


def _sees_at_most(user: User, most: int) -> bool:
    """Whether `user` sees at most `most` cases: each part of the visible cases counted in
    its own index, stopping one past what is left of `most`."""
    left = most
    for part in visible_parts(user):
        left -= part.order_by().values("pk")[: max(left + 1, 0)].count()
        if left < 0:
            return False
    return True


def _family_text_sql(column: str) -> str:
    """A condition on a row of cases_case: one of its family's petitions has `column`
    containing the query (one %s each EXISTS). The family root is the case's root or the
    case itself; the family's petitions are those of the root and of the cases sent down
    from it, each reached by an index (petitions by case, cases by root).

    PostgreSQL would turn each EXISTS into a hashed subplan, which reads every entry to
    build the set; `OFFSET 0` keeps it a probe of the row's own family (planner rule: a
    subquery with an OFFSET is not rewritten)."""
    found = "instr" if _sqlite() else "strpos"
    keep = "" if _sqlite() else " OFFSET 0"
    root = 'COALESCE("cases_case"."root_id", "cases_case"."id")'
    return (
        "(EXISTS (SELECT 1 FROM petitions_petition sp "
        "JOIN cases_searchentry se ON se.petition_id = sp.id "
        f"WHERE sp.case_id = {root} AND {found}(se.{column}, %s) > 0{keep}) "
        "OR EXISTS (SELECT 1 FROM cases_case sf "
        "JOIN petitions_petition sp ON sp.case_id = sf.id "
        "JOIN cases_searchentry se ON se.petition_id = sp.id "
        f"WHERE sf.root_id = {root} AND {found}(se.{column}, %s) > 0{keep}))"
    )


def _probe_q(user: User, query: str) -> Q:
    """Per case row: the case matches `query` (R-PROTECT-1: the protected part only where
    `identity_shown_q` holds for the case, evaluated on that row)."""
    public = RawSQL(_family_text_sql(_TEXT_COLUMN[PUBLIC]), [query, query], BooleanField())
    matched = Q(public)
    if may_see_some_identity(user):
        protected = RawSQL(
            _family_text_sql(_TEXT_COLUMN[PROTECTED]), [query, query], BooleanField()
        )
        matched |= Q(protected) & identity_shown_q(user, root="family_root", per_row=True)
    return matched


NEWEST_FIRST = ("-registered_at", "-pk")


def _newest_rows(cases: QuerySet[Case]) -> QuerySet[Case, tuple[Any, int]]:
    """(key, pk) of each of `cases`, the key ordering as `registered_at` does: what the
    answer's parts are merged by, newest first, in Python. On PostgreSQL the key is the
    registration time in microseconds since the epoch, an integer: read as datetimes, each
    row cost about 5 µs in the time-zone loader, 9,818 rows half of the province
    supervisor's 小舅子 statement at 1,000,000 cases (docs/search.md, "Reading less on
    PostgreSQL"). SQLite reads the datetime."""
    if _sqlite():
        return cases.values_list("registered_at", "pk")
    key = Func(
        F("registered_at"),
        template="(EXTRACT(EPOCH FROM %(expressions)s) * 1000000)::bigint",
        output_field=BigIntegerField(),
    )
    return cases.annotate(newest_key=key).values_list("newest_key", "pk")


def _walks(
    user: User, query: str, filters: CaseFilters
) -> tuple[list[QuerySet[Case]], QuerySet[Case]]:
    """The matching cases `user` may see, in three disjoint parts, the first two probing
    every visible row (`_probe_q`), the third returned unprobed (`SearchAnswer` probes it
    newest first, as far as it needs):

    - the cases of the departments seen whole, newest first, read by walking an index in
      that order so that a LIMIT stops it early: one department by its index (department,
      registered_at); several (a supervisor's) by the index of registration times, the
      department tested per row (`department_id + 0`: no index on it may be chosen instead,
      which would read every case of those departments and sort them);
    - for a user who sees only his own department whole, the cases it sent down, newest
      first by `case_sent_down_registered`: a county sends down tens of thousands over the
      years (the busiest at 1,000,000 cases: 33,949), and read whole they were half of its
      handler's search (docs/search.md, "The cases sent down, walked");
    - the cases followed or reviewed (and a supervisor's sent down) of other departments
      and not in the parts above, by their ids, unordered: the caller reads them whole and
      sorts them. Ordered in SQL, the
      planner walked the registration times of every case in the database and tested each
      against that set (docs/search.md, "The cases seen one by one")."""
    seen, one_by_one = visibility_parts(user)
    walks: list[QuerySet[Case]] = []
    if seen:
        if len(seen) == 1:
            whole = Case.objects.filter(department_id=seen[0])
        else:
            whole = Case.objects.alias(seen_department=department_unindexed()).filter(
                seen_department__in=seen
            )
        walks.append(_probed(whole, user, query, filters).order_by(*NEWEST_FIRST))
    # A department's own staff: every case it sent down is of another department (a case
    # is never sent down within its department). A supervisor's are mostly of the
    # departments below, seen whole already: walked, the part would read them all to find
    # none, so they stay among the cases read one by one (PostgreSQL at 100,000 cases: the
    # province supervisor's 干部 60 -> 97 ms when walked).
    own = user.department_id
    walk_sent = False
    if own is not None and seen == [own]:
        walk_sent = True
        sent = Case.objects.filter(sent_down_by_id=own)
        walks.append(_probed(sent, user, query, filters).order_by(*NEWEST_FIRST))
        one_by_one = followed_or_reviewed(own)
    if _sqlite():
        few = Case.objects.filter(pk__in=one_by_one)
    else:
        # Read first, then asked as one array parameter: the planner knows how many.
        ids = sorted(row["pk"] for row in one_by_one)
        few = Case.objects.filter(_in_ids(ids, "id"))
    few = few.exclude(department_id__in=seen)
    if walk_sent:
        few = few.exclude(sent_down_by_id=own)
    return walks, few


def _filtered(cases: QuerySet[Case], filters: CaseFilters) -> QuerySet[Case]:
    """`cases` under the list's filters."""
    if filters.channel:
        cases = with_list_columns(cases)
    return filtered_cases(cases, filters)


def _probed(cases: QuerySet[Case], user: User, query: str, filters: CaseFilters) -> QuerySet[Case]:
    """`cases` under the list's filters, those matching `query` for `user` (`_probe_q`)."""
    return _filtered(cases, filters).alias(family_root=FAMILY_ROOT).filter(_probe_q(user, query))


# The cases seen one by one are probed newest first in chunks of this many times the rows
# wanted, until enough match (`SearchAnswer._seen_one_by_one`).
PROBE_CHUNK = 4


def _root_ids(
    query: str, part: str, departments: Sequence[int] = (), months: Sequence[int] = ()
) -> list[int]:
    """The family roots of the petitions whose `part` contains `query`, read into a sorted
    list of distinct ids (the hits are few: `_many_hits` said so; `departments`: as
    `_candidates`)."""
    roots = _hit_roots(query, part, departments, months)
    with connection.cursor() as cursor:
        cursor.execute(roots.sql, roots.params)
        return sorted({row[0] for row in cursor.fetchall() if row[0] is not None})


def _in_ids(ids: list[int], column: str) -> Q:
    """A condition on a row of cases_case: its `column` ("id", or "root_id": sent down from
    one of them) is among `ids`, sent as one parameter, so that no number of ids meets a
    limit on a statement's parameters: on PostgreSQL `= ANY` of an array (a range of the
    primary key or of `case_sent_down_root` probed once per id, and an estimate the planner
    knows exactly, the array's length); on SQLite a JSON array (`json_each`). A lookup on
    the column, so that it names the table by the alias Django gives it where the condition
    sits (inside a subquery it is not "cases_case")."""
    if column not in ("id", "root_id"):
        raise ValueError(column)
    if _sqlite():
        listed = RawSQL("SELECT value FROM json_each(%s)", [json.dumps(ids)])
        return Q(**{f"{column}__in": listed})
    return Q(_AnyOf(F(column), ids))


class _AnyOf(Lookup[int]):
    """PostgreSQL: `column = ANY(%s::bigint[])`, the ids as one array parameter, sent as
    the array's text (`{1,2,3}`), which the server reads as the array: psycopg adapting a
    list of 9,178 ids took 10 ms, the text 1 ms, and the planner still sees every id (a
    parameter, not a cast the planner cannot fold; docs/search.md, "Reading less on
    PostgreSQL")."""

    lookup_name = "any_of"
    prepare_rhs = False

    def get_prep_lookup(self) -> Any:
        return array_text(self.rhs)

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s::bigint[])", [*params, self.rhs]


def array_text(ids: Iterable[int]) -> str:
    """PostgreSQL's text of an array of integers: `{1,2,3}` (`{}` when empty)."""
    return "{" + ",".join(str(int(i)) for i in ids) + "}"


def _families_q(
    query: str,
    part: str,
    departments: Sequence[int],
    by_members: bool | None = None,
    months: Sequence[int] = (),
) -> Q | None:
    """A condition on a row of cases_case: it is in the family of a petition whose `part`
    contains `query` (`departments`: as `_candidates`), None when there is none, the
    families read first. `by_members` (SQLite's way by default, and `matching_cases`'s on
    both engines): the members (`_member_ids`) asked of the primary key as one parameter:
    as a subquery each part's statement built the families again (the county handler's 拖欠
    at 1,000,000 cases: 100 ms each, docs/search.md, "The cases sent down, walked").
    Otherwise (PostgreSQL's page, per visible part) the roots (`_root_ids`) passed as one
    array, asked of the primary key and of the root (`_in_ids`)."""
    if by_members is None:
        by_members = _sqlite()
    if by_members:
        members = _member_ids(query, part, departments, months)
        return _in_ids(members, "id") if members else None
    roots = _root_ids(query, part, departments, months)
    if not roots:
        return None
    return _in_ids(roots, "id") | _in_ids(roots, "root_id")


def _hit_families_q(
    user: User,
    query: str,
    departments: Sequence[int],
    by_members: bool | None = None,
    months: Sequence[int] = (),
) -> Q | None:
    """A condition on a row of cases_case (aliased `family_root`): it is in the family of a
    public hit, or of a protected hit and `user` may see its petitioners' identity
    (R-PROTECT-1, decided on the row itself: `identity_shown_q(per_row=True)`, each row
    probing its own family); None when no family is found. The protected part is read only
    for a user who may see some identity."""
    found = _families_q(query, PUBLIC, departments, by_members, months)
    protected = (
        _families_q(query, PROTECTED, departments, by_members, months)
        if may_see_some_identity(user)
        else None
    )
    if protected is not None:
        shown = protected & identity_shown_q(user, per_row=True)
        found = shown if found is None else found | shown
    return found


def _member_ids(
    query: str, part: str, departments: Sequence[int], months: Sequence[int] = ()
) -> list[int]:
    """The ids of the cases in the families of the petitions whose `part` contains
    `query` (`departments`: as `_candidates`), in one statement: the roots found once (a
    materialized CTE), then themselves and the cases sent down from them
    (`case_sent_down_root`)."""
    roots = _hit_roots(query, part, departments, months)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH r AS MATERIALIZED ({roots.sql}) "
            "SELECT family FROM r WHERE family IS NOT NULL "
            "UNION SELECT id FROM cases_case WHERE root_id IN (SELECT family FROM r)",
            roots.params,
        )
        return sorted(row[0] for row in cursor.fetchall())


def _few_hits_ids(
    user: User,
    query: str,
    filters: CaseFilters,
    departments: Sequence[int] = (),
    slices: Sequence[Sequence[int]] = ((),),
) -> list[int]:
    """The same cases as `matching_cases` under the filters, newest first, read from the
    hits outwards (docs/search.md, "Few hits on PostgreSQL" and "Department tags").

    One statement over the hits and the visibility together let the planner guess the hits
    at a fraction of their number and scan every case the user sees (for a department's own
    staff, a sequential scan of the cases filtered by the ORed rule, hash-joined with every
    case sent down). Here the steps are apart, each an index range of a known size: the hit
    families' roots read first (the public part; the protected part only where the user may
    see some identity and it has a hit), the protected ones narrowed by `identity_shown_q`
    (R-PROTECT-1) to the ids of the members shown; then each of the disjoint visible parts
    (`visible_parts`) probed by the members' primary key and root index, filtered, and the
    rows merged newest first.

    With `departments` (`_tags_for`: the departments the user sees whole, his own among
    them) the hits are only those of the families these departments hold a case of: every
    case of the first part (the departments' own) and of the second (sent down by the
    user's department, whose family holds the case it was sent down from). The third part
    (followed, reviewed), whose families need not hold a case of those departments, is
    probed case by case as the walk does (`_probed`): it is a few cases.

    `slices` (`_slices`): the hits read by the months of their families' newest cases, the
    newest months first, each slice holding the one before it, the last all months (an
    empty one). A case registered in or after a slice's first month is in a family whose
    newest month is in the slice (`SearchEntry.newest`), so the matching cases registered
    since then are all among that slice's: when they are more than TOTAL_CAP, they are the
    answer's newest, and the older hits are never read (docs/search.md, "Slices by the
    family's newest month"). `SearchAnswer` slices only a search without `departments`."""
    # Each part driven by the hit families' ids (access.visible_parts), the departments seen
    # whole and the cases sent down in one statement tested per row: as two, PostgreSQL
    # probed the primary key and the root index with every hit family twice, and read every
    # case the user's department sent down to keep the few among the hits (the province
    # supervisor's 小舅子 at 1,000,000 cases: 38 + 16 ms -> 38 ms; docs/search.md, "One part
    # for the few hits, and the cases seen one by one as far as the page").
    parts = visible_parts(user, by_ids=True)
    held = set(range(len(parts)))
    if not _sqlite():
        # Which parts hold any case, asked of the indexed parts: the one part's per-row tests
        # have no index, and a probe of it scanned the cases table up to its first case.
        indexed = _parts_holding_cases(visible_parts(user))
        held = ({0} if indexed - {FOLLOWED_OR_REVIEWED} else set()) | (
            indexed & {FOLLOWED_OR_REVIEWED}
        )
    for months in slices:
        found = _hit_families_q(user, query, departments, months=months)
        rows: list[tuple[Any, int]] = []
        for number, part in enumerate(parts):
            # The arrays of hit families cost more to send and plan than an empty part costs
            # to check (the cases followed or reviewed are usually none): 275 ms for 110,000
            # ids.
            if number not in held:
                continue
            if departments and number == FOLLOWED_OR_REVIEWED:
                rows += _newest_rows(_probed(part, user, query, filters).order_by())
                continue
            if found is None:  # no hit at all
                continue
            cases: QuerySet[Case, Any] = part.alias(family_root=FAMILY_ROOT).filter(found)
            if filters.channel:
                cases = with_list_columns(cases)
            rows += _newest_rows(filtered_cases(cases, filters).order_by())
        if months:
            since = _key_of(month_start(min(months)))
            rows = [row for row in rows if row[0] >= since]
            if len(rows) <= TOTAL_CAP:
                continue  # fewer than the capped total: a wider slice
        rows.sort(reverse=True)
        return [pk for _at, pk in rows]
    return []  # no slice was asked


# Slices (`_slices`): the first is expected to hold this many times TOTAL_CAP + 1 hits, and
# is taken only when that is at most SLICE_MOST of the hits; each next slice has this many
# times as many months (SLICE_GROWTH).
SLICE_MARGIN = 3.0
SLICE_MOST = 0.5
SLICE_GROWTH = 4
# A slice asks the index for at most this many months: each is one more list of entries the
# index merges with the word's (PostgreSQL at 1,000,000 cases: 23 months cost little, 92
# several hundred milliseconds, more than reading every hit).
SLICE_MONTHS_MOST = 24


def _slices(state: IndexState, hits: int) -> list[tuple[int, ...]]:
    """The months `_few_hits_ids` reads the hits by, for about `hits` hits: the newest
    months first, as many as hold about SLICE_MARGIN × (TOTAL_CAP + 1) of them were the hits
    spread evenly over the months from the first case to the last, then SLICE_GROWTH times
    as many each time, and last all (an empty tuple). Only all, when an entry lacks its
    month (`IndexState.sliced`) or a slice would be most of the hits.

    An uneven spread costs only time: more months than needed, or another slice. The months
    run to the last case's: no entry's newest month is later (it is some case's)."""
    if not state.sliced or state.first_case is None or state.last_case is None or hits <= 0:
        return [()]
    share = SLICE_MARGIN * (TOTAL_CAP + 1) / hits
    if share > SLICE_MOST:
        return [()]
    span = months_from(month_of(state.first_case), month_of(state.last_case))
    count = max(1, math.ceil(share * len(span)))
    slices: list[tuple[int, ...]] = []
    while count < len(span) and count <= SLICE_MONTHS_MOST:
        slices.append(tuple(span[-count:]))
        count *= SLICE_GROWTH
    return [*slices, ()]


# At most this many of a query's bigrams are each asked for their hits (`_slice_hits`).
SLICE_TOKENS = 3


def _slice_hits(query: str, counted: int) -> int:
    """About how many petitions hold `query` in the public part, for `_slices`. SQLite:
    `counted`, the index's own count (`_reading_way`). PostgreSQL: for a query of two
    characters `counted` too (the planner's estimate for its one token); for a longer one the
    fewest of the planner's estimates for each of its first SLICE_TOKENS bigrams alone:
    given several tokens the planner multiplies their shares as if they were independent,
    and a word's bigrams are not (the province supervisor's 小舅子 at 1,000,000 cases:
    estimated at 175, found in 15,529 petitions; 小舅 alone estimated at 15,823). Each
    bigram alone holds every hit, so this is about the hits or more."""
    if _sqlite() or len(query) == MIN_CHARS:
        return counted
    bigrams = list(dict.fromkeys(query[i : i + 2] for i in range(len(query) - 1)))
    return min(_part_hits(bigram, PUBLIC, 0) for bigram in bigrams[:SLICE_TOKENS])


def _key_of(moment: dt.datetime) -> Any:
    """`moment` as `_newest_rows` keys a case's registration time (PostgreSQL: microseconds
    since the epoch; SQLite: the time itself), to compare with them."""
    if _sqlite():
        return moment
    return round(moment.timestamp() * 1_000_000)


# At most this many departments seen whole ask the index by their tags: a province's
# supervisor sees every department, and a query naming them all would narrow nothing.
TAGGED_MOST = 16


class IndexState(NamedTuple):
    highest: int  # the highest petition id
    tagged: bool  # every entry carries its department tags
    sliced: bool  # every entry carries its family's newest month
    first_case: dt.datetime | None  # the earliest case's registration time
    last_case: dt.datetime | None  # the latest's


def _index_state() -> IndexState:
    """The highest petition id (the number of petitions, near enough, for `_many_hits`),
    whether every search entry carries its department tags and its newest month, and the
    first and last cases' registration times (`_slices`), in one statement (the search
    page's statement budget): a probe of the primary key, one of `searchentry_untagged`,
    one of `searchentry_unsliced` and two of the cases' registration times."""
    untagged = SearchEntry.objects.filter(tagged=False).order_by().values("pk")[:1]
    unsliced = SearchEntry.objects.filter(newest__isnull=True).order_by().values("pk")[:1]
    parts = [q.query.sql_with_params() for q in (untagged, unsliced)]
    with connection.cursor() as cursor:
        # min() and max(), not ORDER BY ... LIMIT 1: SQLite reads those as one look-up of
        # the index (a "SEARCH"), the other as a walk of it stopped at the first row.
        cursor.execute(
            "SELECT (SELECT max(id) FROM petitions_petition), EXISTS ({}), EXISTS ({}), "
            "(SELECT min(registered_at) FROM cases_case), "
            "(SELECT max(registered_at) FROM cases_case)".format(*(sql for sql, _p in parts)),
            [p for _sql, params in parts for p in params],
        )
        row = cursor.fetchone()
    if not row:
        return IndexState(0, False, False, None, None)
    return IndexState(int(row[0] or 0), not row[1], not row[2], _moment(row[3]), _moment(row[4]))


def _moment(value: dt.datetime | str | None) -> dt.datetime | None:
    """A registration time read by raw SQL: an aware datetime on PostgreSQL; on SQLite, as
    min() and max() give it, the text Django stored, in UTC."""
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)


def _tags_for(user: User) -> list[int]:
    """The departments whose tags narrow `user`'s hits (`_few_hits_ids`): those the user
    sees whole, when they are at most TAGGED_MOST and hold the user's own department (the
    cases it sent down are found through it); otherwise none. Asked only when every entry
    is tagged (`_index_state`; `xinfang search_reindex` after migration 0018)."""
    seen, _ = visibility_parts(user)
    if not seen or len(seen) > TAGGED_MOST or user.department_id not in seen:
        return []
    return seen


def _parts_holding_cases(parts: Sequence[QuerySet[Case]]) -> set[int]:
    """The numbers of the parts that hold at least one case, in one statement (a UNION ALL
    of one row at most per part, each a probe of its own index; PostgreSQL only, which
    allows a LIMIT in each branch)."""
    if not parts:
        return set()
    probes = [
        part.order_by().annotate(part_number=Value(number)).values("part_number")[:1]
        for number, part in enumerate(parts)
    ]
    return {row["part_number"] for row in probes[0].union(*probes[1:], all=True)}


class SearchAnswer:
    """The answer to one query for one user under the list's filters, newest first, read
    once per request: `count()` (at most TOTAL_CAP), `more` (the answer is longer) and
    slices of cases with the list columns (cases/listing.py), as Django's Paginator asks."""

    def __init__(self, user: User, query: str, filters: CaseFilters | None = None) -> None:
        self.query = query
        filters = filters or CaseFilters()
        self._ids: list[int] | None = None
        self._counted: int | None = None
        self._walks: list[QuerySet[Case]] = []
        # Per walk, its newest rows as the total read them, and whether that was all of it.
        self._walked: dict[int, tuple[list[tuple[Any, int]], bool]] = {}
        self._user, self._filters = user, filters
        # The walk's cases seen one by one, unprobed; their matches newest first as far as
        # read, and whether that is all of them.
        self._few: QuerySet[Case] | None = None
        self._few_rows: list[tuple[Any, int]] = []
        self._few_whole = False
        state = _index_state()
        departments = _tags_for(user) if state.tagged else []
        walks, hits = _reading_way(user, query, departments, state.highest)
        # Sliced: only a search the department tags do not narrow (a tagged slice asks the
        # index to merge the word's hits with the tags' and the months' lists: the busiest
        # county's handler's 工资 at 1,000,000 cases on PostgreSQL, 73 -> 126 ms), and not
        # for a period ending before the newest months, whose slices would hold none of it.
        slices: list[tuple[int, ...]] = [()]
        if not walks and not departments and filters.registered_to is None:
            slices = _slices(state, _slice_hits(query, hits))
        if walks:
            self._walks, self._few = _walks(user, query, filters)
        elif departments or not _sqlite() or len(slices) > 1:
            self._ids = _few_hits_ids(user, query, filters, departments, slices)
        else:
            cases = matching_cases(user, query, departments)
            if filters.channel:
                cases = with_list_columns(cases)
            ordered = filtered_cases(cases, filters).order_by(*NEWEST_FIRST)
            self._ids = list(ordered.values_list("pk", flat=True))

    @property
    def walks(self) -> bool:
        """Whether the answer is read newest first (many hits) rather than from the hits."""
        return self._ids is None

    def _seen_one_by_one(self, stop: int | None = None) -> list[tuple[Any, int]]:
        """The walk's cases seen one by one that match, (registered_at, pk), newest first:
        all of them (for the total), or at least the newest `stop` (for a page, when the
        walks already counted past TOTAL_CAP). Their rows are read unprobed and sorted here
        (ordered in SQL, the planner walked every case's registration time: `_walks`), then
        probed newest first, PROBE_CHUNK × `stop` at a time, until `stop` match: the
        province supervisor's 干部 at 1,000,000 cases probed all 1,986 cases his department
        sent down outside the departments below, 54 ms, to place 50 rows at most on a page."""
        if self._few is None or self._few_whole:
            return self._few_rows
        if stop is None:
            probed = _probed(self._few, self._user, self.query, self._filters).order_by()
            rows = _newest_rows(probed)
            self._few_rows, self._few_whole = sorted(rows, reverse=True), True
            return self._few_rows
        if len(self._few_rows) >= stop:
            return self._few_rows
        listed = sorted(_newest_rows(_filtered(self._few, self._filters).order_by()), reverse=True)
        chunk = max(stop, 1) * PROBE_CHUNK
        matched: list[tuple[Any, int]] = []
        for at in range(0, len(listed), chunk):
            ids = [pk for _key, pk in listed[at : at + chunk]]
            matched += sorted(self._probed_ids(ids), reverse=True)
            if len(matched) >= stop:
                break
        else:
            self._few_whole = True
        self._few_rows = matched
        return matched

    def _probed_ids(self, ids: list[int]) -> list[tuple[Any, int]]:
        """(key, pk) of those of the cases `ids` that match, unordered."""
        cases = Case.objects.filter(_in_ids(ids, "id"))
        return list(_newest_rows(_probed(cases, self._user, self.query, self._filters).order_by()))

    def _total(self) -> int:
        """The number of cases, counted up to TOTAL_CAP + 1."""
        if self._counted is None:
            if self._ids is not None:
                self._counted = min(len(self._ids), TOTAL_CAP + 1)
            else:
                counted = 0
                for number, walk in enumerate(self._walks):
                    # The rows, not a count: the page's ids are then read from them.
                    wanted = TOTAL_CAP + 1 - counted
                    rows = list(_newest_rows(walk)[:wanted])
                    self._walked[number] = (rows, len(rows) < wanted)
                    counted += len(rows)
                    if counted > TOTAL_CAP:
                        break
                if counted <= TOTAL_CAP:
                    counted += len(self._seen_one_by_one())
                self._counted = min(counted, TOTAL_CAP + 1)
        return self._counted

    @property
    def more(self) -> bool:
        """More than TOTAL_CAP cases: `count()` says TOTAL_CAP, the rest are not listed."""
        return self._total() > TOTAL_CAP

    def count(self) -> int:
        return min(self._total(), TOTAL_CAP)

    def __len__(self) -> int:
        return self.count()

    def ids(self, start: int, stop: int) -> list[int]:
        """Ids of rows `start` to `stop` (from 0), never past TOTAL_CAP."""
        start, stop = max(start, 0), min(stop, TOTAL_CAP)
        if stop <= start:
            return []
        if self._ids is not None:
            return self._ids[start:stop]
        # Each part's first `stop` rows, merged newest first (the parts are disjoint): from
        # what the total read where that holds them, else read now.
        rows: list[tuple[Any, int]] = []
        for number, walk in enumerate(self._walks):
            walked, whole = self._walked.get(number, ([], False))
            if whole or len(walked) >= stop:
                rows += walked[:stop]
            else:
                rows += _newest_rows(walk)[:stop]
        rows += self._seen_one_by_one(stop)[:stop]
        rows.sort(reverse=True)
        return [pk for _at, pk in rows[start:stop]]

    def __getitem__(self, rows: slice) -> list[Case]:
        ids = self.ids(rows.start or 0, rows.stop if rows.stop is not None else TOTAL_CAP)
        if not ids:
            return []
        found = with_list_columns(Case.objects.filter(pk__in=ids)).order_by()
        by_pk = {c.pk: c for c in found}
        return [by_pk[pk] for pk in ids]


@dataclass(frozen=True)
class SearchPage:
    """One page of an answer, newest first, with the total: exact when `more` is false;
    otherwise the answer has more than `total` (= TOTAL_CAP) cases and only the newest
    `total` are listed."""

    query: str  # as run, normalised
    note: str  # Chinese, when the query was cut
    total: int
    cases: list[Case]  # annotated with the list columns (cases/listing.py)
    page: int
    page_size: int
    more: bool = False


def search_queryset(
    user: User, raw: str, filters: CaseFilters | None = None
) -> tuple[QuerySet[Case], str, str]:
    """The whole answer, filtered, newest first, with the list columns; the query as run and
    its note. Refuses a query under two characters (RuleViolation, Chinese). Every match is
    read: for the API's exact total, other sorts and the export."""
    query, note = search_text(raw)
    cases = filtered_cases(with_list_columns(matching_cases(user, query)), filters or CaseFilters())
    return cases.order_by(*NEWEST_FIRST), query, note


def search_cases(
    user: User,
    raw: str,
    filters: CaseFilters | None = None,
    page: int = 1,
    page_size: int = 50,
) -> SearchPage:
    """The selector of issue 10: one page (from 1) of the cases `user` may see that contain
    `raw`, filtered, newest first, with the total (exact up to TOTAL_CAP, `more` above it).
    The bench calls this; the page /search/ reads the same `SearchAnswer`."""
    query, note = search_text(raw)
    answer = SearchAnswer(user, query, filters)
    start = (max(page, 1) - 1) * page_size
    return SearchPage(
        query=query,
        note=note,
        total=answer.count(),
        cases=answer[start : start + page_size],
        page=max(page, 1),
        page_size=page_size,
        more=answer.more,
    )


__all__ = [
    "MIN_CHARS",
    "TOO_SHORT",
    "TOTAL_CAP",
    "SearchAnswer",
    "SearchPage",
    "clear_index",
    "index_petitions",
    "matching_cases",
    "part_tokens",
    "prepare",
    "search_cases",
    "search_queryset",
    "search_text",
    "tokens",
]
