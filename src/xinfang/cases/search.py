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
(`LIKE`, both sides lower case), so the answer is exact. A bigram is written as ten letters
(`_token`): no tokenizer or parser of either engine splits, drops or folds it, so the index
sees exactly the bigrams Python made.

The index is written where petitions are written (`index_petitions`, called by the intake
action in the same transaction) and rebuilt by `xinfang search_reindex`. A merge moves
petitions between cases without changing their text: entries are per petition and found
cases are derived at query time through the family (cases/family.py), so nothing is
re-indexed.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Prefetch, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xinfang.cases.access import cases_visible_to
from xinfang.cases.listing import CaseFilters, filtered_cases, page_of, with_list_columns
from xinfang.cases.models import Case, SearchEntry
from xinfang.cases.protection import FAMILY_ROOT, identity_shown_q, may_see_some_identity
from xinfang.core.admin import SEARCH_MAX_CHARS, SEARCH_MAX_TERMS, cut_search
from xinfang.core.errors import RuleViolation
from xinfang.core.text import ngrams, normalize
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
    return sorted(
        {
            _letters(b[0]) + _letters(b[1])
            for b in ngrams(prepared, 2)
            if len(b) == 2 and SEPARATOR not in b
        }
    )


def part_tokens(prepared: str, part: str) -> list[str]:
    """The bigram tokens of one part's prepared text, each with the part's letter first
    (PUBLIC or PROTECTED): eleven lower-case letters."""
    return [part + t for t in tokens(prepared)]


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
            "pk", "public_text", "protected_text"
        )
    }
    new = []
    for p in petitions:
        public, protected = entry_texts(p)
        new.append(
            SearchEntry(
                petition_id=p.pk, public_text=public, protected_text=protected, version=VERSION
            )
        )
    docs = [(_doc(e.public_text, e.protected_text), e.pk) for e in new]
    with connection.cursor() as cursor:
        if _sqlite() and old:
            # A contentless FTS5 table forgets a row only when told the tokens it indexed.
            cursor.executemany(
                f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, tokens) VALUES ('delete', %s, %s)",
                [(e.pk, _doc(e.public_text, e.protected_text)) for e in old.values()],
            )
        SearchEntry.objects.filter(pk__in=list(old)).delete()
        SearchEntry.objects.bulk_create(new)
        if _sqlite():
            cursor.executemany(f"INSERT INTO {FTS_TABLE}(tokens, rowid) VALUES (%s, %s)", docs)
        else:
            cursor.executemany(
                "UPDATE cases_searchentry SET tokens = strip(to_tsvector('simple', %s)) "
                "WHERE petition_id = %s",
                docs,
            )
    return len(new)


def index_new_petitions(
    items: Sequence[tuple[Petition, Sequence[Respondent], Sequence[str]]],
) -> int:
    """`index_petitions` for petitions written in the caller's transaction that have no
    entry yet, from the rows in hand (petition, respondents, petitioners' names, as
    `texts_of` takes them): the same entries and bigram tokens, without reading back what
    was just written (registration and the batch import)."""
    if not items:
        return 0
    rows = []
    for petition, respondents, names in items:
        public, protected = texts_of(petition, respondents, names)
        rows.append((petition.pk, public, protected, VERSION, _doc(public, protected)))
    columns = "petition_id, public_text, protected_text, version"
    with connection.cursor() as cursor:
        if _sqlite():
            cursor.executemany(
                f"INSERT INTO cases_searchentry ({columns}) VALUES (%s, %s, %s, %s)",
                [row[:4] for row in rows],
            )
            cursor.executemany(
                f"INSERT INTO {FTS_TABLE}(tokens, rowid) VALUES (%s, %s)",
                [(row[4], row[0]) for row in rows],
            )
        else:
            cursor.executemany(
                f"INSERT INTO cases_searchentry ({columns}, tokens) "
                "VALUES (%s, %s, %s, %s, strip(to_tsvector('simple', %s)))",
                rows,
            )
    return len(rows)


def _doc(public: str, protected: str) -> str:
    """The index's one document per petition: the bigram tokens of both parts, each marked
    with its part, so a query asks one part of the index at a time."""
    return " ".join(part_tokens(public, PUBLIC) + part_tokens(protected, PROTECTED))


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


def _candidates(query: str, part: str = PUBLIC) -> RawSQL:
    """Ids of the petitions whose `part` holds every bigram of `query` (a superset of the
    answer; the answer itself for a query of two characters, which is one bigram)."""
    wanted = part_tokens(query, part)
    if _sqlite():
        match = " AND ".join(f'"{t}"' for t in wanted)
        return RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [match])
    return RawSQL(
        "SELECT petition_id FROM cases_searchentry WHERE tokens @@ to_tsquery('simple', %s)",
        [" & ".join(wanted)],
    )


_TEXT_COLUMN = {PUBLIC: "public_text", PROTECTED: "protected_text"}


def _hits(query: str, part: str) -> RawSQL:
    """Ids of the petitions whose `part` contains `query`. Two characters are one bigram, so
    the index's answer is exact and nothing else is read. A longer query is verified on the
    candidates only, by a byte-wise substring test on the stored normalised text (instr on
    SQLite, strpos on PostgreSQL: both sides are normalised, so no case folding is wanted,
    and neither treats any character of the query as a pattern)."""
    candidates = _candidates(query, part)
    if len(query) == MIN_CHARS:
        if not _sqlite():
            return candidates  # the tokens are a column of the entry itself
        # Only petitions that have an entry: the contentless FTS5 table may keep rows of
        # entries removed without it (a database emptied by `flush`), which the verification
        # of longer queries drops and this path must drop too (by the entry's primary key).
        return RawSQL(
            f"SELECT petition_id FROM cases_searchentry WHERE petition_id IN ({candidates.sql})",
            candidates.params,
        )
    column = _TEXT_COLUMN[part]
    found = "instr" if _sqlite() else "strpos"
    return RawSQL(
        f"SELECT petition_id FROM cases_searchentry WHERE petition_id IN ({candidates.sql}) "
        f"AND {found}({column}, %s) > 0",
        [*candidates.params, query],
    )


def _hit_roots(query: str, part: str) -> QuerySet[Case, Any]:
    """The family roots of the cases holding a petition whose `part` contains `query`."""
    return (
        Case.objects.filter(petitions__in=_hits(query, part)).order_by().values(family=FAMILY_ROOT)
    )


def _family_members(
    roots: QuerySet[Case, Any], user: User | None = None
) -> list[QuerySet[Case, Any]]:
    """Ids of the cases in the families of `roots`: the roots by their id, the cases sent
    down by their root, each from its own index; with `user`, only those whose petitioners'
    identity `user` may see (`identity_shown_q` on the column that holds the family root)."""
    first = Case.objects.filter(pk__in=roots)
    sent = Case.objects.filter(root_id__in=roots)
    if user is not None:
        first = first.filter(identity_shown_q(user, root="pk"))
        sent = sent.filter(identity_shown_q(user, root="root_id"))
    return [first.order_by().values("pk"), sent.order_by().values("pk")]


def matching_cases(user: User, query: str) -> QuerySet[Case]:
    """The cases `user` may see that hold a petition containing the normalised `query`:
    in its public part, or in its protected part where the user may see the identity.

    One condition `id IN (...)` over a UNION ALL of indexed parts: the families of the
    public hits, and those of the protected hits narrowed by `identity_shown_q` (the rule as
    a condition on the case row, R-PROTECT-1). The statement starts from the hits, not from
    every case the user sees, and a user who may see no identity never reads the protected
    part of the index at all."""
    parts = _family_members(_hit_roots(query, PUBLIC))
    # The protected branches only when the protected part has a hit at all (one probe of
    # the index, stopping at the first): their identity rule builds the set of families the
    # department received petitions for, which a rare word would pay for nothing.
    if (
        may_see_some_identity(user)
        and SearchEntry.objects.filter(pk__in=_hits(query, PROTECTED)).exists()
    ):
        parts += _family_members(_hit_roots(query, PROTECTED), user)
    members = parts[0].union(*parts[1:], all=True)
    return cases_visible_to(user).filter(pk__in=members)


@dataclass(frozen=True)
class SearchPage:
    """One page of an answer, newest first, with the total."""

    query: str  # as run, normalised
    note: str  # Chinese, when the query was cut
    total: int
    cases: list[Case]  # annotated with the list columns (cases/listing.py)
    page: int
    page_size: int


def search_queryset(
    user: User, raw: str, filters: CaseFilters | None = None
) -> tuple[QuerySet[Case], str, str]:
    """The whole answer, filtered, newest first, with the list columns; the query as run and
    its note. Refuses a query under two characters (RuleViolation, Chinese)."""
    query, note = search_text(raw)
    cases = filtered_cases(with_list_columns(matching_cases(user, query)), filters or CaseFilters())
    return cases.order_by("-registered_at", "-pk"), query, note


def search_cases(
    user: User,
    raw: str,
    filters: CaseFilters | None = None,
    page: int = 1,
    page_size: int = 50,
) -> SearchPage:
    """The selector of issue 10: one page (from 1) of the cases `user` may see that contain
    `raw`, filtered, newest first, with the total. The bench calls this."""
    cases, query, note = search_queryset(user, raw, filters)
    total = cases.count()
    start = (max(page, 1) - 1) * page_size
    return SearchPage(
        query=query,
        note=note,
        total=total,
        cases=page_of(cases, start, start + page_size),
        page=max(page, 1),
        page_size=page_size,
    )


__all__ = [
    "MIN_CHARS",
    "TOO_SHORT",
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
