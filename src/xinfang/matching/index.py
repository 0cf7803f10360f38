"""The matching index kept with the petitions, and the raw look-ups on it.

`petition_index_new` is called by the registration's write (petitions are written only through
petitions/services.py `petition_write`, called by cases/actions/intake.py), inside its
transaction: the index never lags a committed petition and a refused registration leaves no
index row. No save signal: a bulk write or a migration would silently skip it.

The look-ups here return ids and scores, never protected values: the case layer
(cases/matching.py) decides through the protection policy what a user is shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.db.models import Count, Q

from xinfang.core.bulk import chunks, insert_values
from xinfang.matching import minhash
from xinfang.matching.models import MatterBand, MatterText, PersonKey
from xinfang.matching.people import SHOW_FROM, PersonFacts, name_sound, person_score
from xinfang.petitions import protect
from xinfang.petitions.models import Petition, Petitioner
from xinfang.petitions.services import board_account

MIN_JACCARD = 0.3  # verified text similarity below this is not a candidate
MAX_BAND_HITS = 200  # petitions verified per look-up, those sharing the most bands first
MAX_PEOPLE = 50  # people scored per look-up


def account_hash(account: str) -> str:
    """The keyed hash of an online account as typed or stored, in the stored form
    (`board_account`, as every petitioner's account is written); "" for no account."""
    stored = board_account(account)
    return protect.match_hash(stored) if stored else ""


# --- writing -----------------------------------------------------------------------------


def petition_index(petition: Petition, people: Iterable[Petitioner] = ()) -> None:
    """(Re)index one petition's text and its petitioners' names. Idempotent."""
    MatterBand.objects.filter(petition_id=petition.pk).delete()
    MatterText.objects.update_or_create(
        petition_id=petition.pk, defaults={"digest": minhash.text_digest(petition.content)}
    )
    MatterBand.objects.bulk_create(
        [MatterBand(petition_id=petition.pk, key=k) for k in minhash.text_keys(petition.content)]
    )
    for person in people:
        person_index(person)


def petition_index_new(petition: Petition, people: Iterable[tuple[Petitioner, bool]]) -> None:
    """`petition_index` of a petition just written (no index row yet): plain inserts, and
    each person's sound key written (replacing the one a person seen before may have)."""
    insert_values(
        MatterText, ["petition", "digest"], [(petition.pk, minhash.text_digest(petition.content))]
    )
    insert_values(
        MatterBand,
        ["petition", "key"],
        [(petition.pk, k) for k in minhash.text_keys(petition.content)],
    )
    for person, seen in people:
        if seen:
            person_index(person)
            continue
        sound = name_sound(person.name)
        if sound:
            insert_values(
                PersonKey, ["petitioner", "sound_hash"], [(person.pk, protect.match_hash(sound))]
            )


def petitions_index_batch(
    texts: Sequence[tuple[int, str, Sequence[int]]], people: Iterable[tuple[int, str]] = ()
) -> None:
    """Index a batch of new petitions and their petitioners in a few statements: the same
    rows `petition_index` writes one by one (the bulk import's path). The petitions as (id,
    digest, band keys), `minhash.text_index` of their text, which the import has computed
    already for its repeat check; the petitioners as (id, name). Written as plain rows
    (`insert_values`): a model instance per band row (16 a petition) cost the import more
    than everything else it writes (docs/imports.md)."""
    index_text_rows(texts)
    index_people(people, replace=True)


def index_texts(rows: Sequence[tuple[int, str]]) -> None:
    """The digest and band rows of petitions that have none yet, from (id, text) pairs."""
    index_text_rows([(pk, *minhash.text_index(text)) for pk, text in rows])


def index_text_rows(rows: Sequence[tuple[int, str, Sequence[int]]]) -> None:
    """`index_texts` from (id, digest, band keys) triples. The band rows go in key order:
    each lands in the key index next to the one before, which on SQLite cost a sixth less
    than the petitions' order (docs/imports.md, "Measured"); no reader depends on the
    band rows' ids."""
    insert_values(MatterText, ["petition", "digest"], [(pk, digest) for pk, digest, _ in rows])
    bands = sorted(((k, pk) for pk, _, keys in rows for k in keys))
    insert_values(MatterBand, ["key", "petition"], bands)


def index_people(rows: Iterable[tuple[int, str]], *, replace: bool) -> int:
    """The name-sound keys of petitioners from (id, name) pairs; `replace` removes the keys
    they may have first (people seen before). Returns how many keys were written: a name
    with no sound (empty, or no Chinese or Latin letter) has none."""
    keys = {}
    for pk, name in rows:
        sound = name_sound(name)
        if sound:
            keys[pk] = protect.match_hash(sound)
    if replace:
        PersonKey.objects.filter(petitioner_id__in=list(keys)).delete()
    insert_values(PersonKey, ["petitioner", "sound_hash"], list(keys.items()))
    return len(keys)


def person_index(person: Petitioner) -> None:
    sound = name_sound(person.name)
    if not sound:
        PersonKey.objects.filter(petitioner_id=person.pk).delete()
        return
    PersonKey.objects.update_or_create(
        petitioner_id=person.pk, defaults={"sound_hash": protect.match_hash(sound)}
    )


def _in_batches(
    model: type[Petition] | type[Petitioner], column: str, batch: int
) -> Iterator[list[tuple[int, str]]]:
    """(id, column) of every row of `model`, `batch` rows at a time in id order."""
    last = 0
    while True:
        rows = list(
            model.objects.filter(pk__gt=last).order_by("pk").values_list("pk", column)[:batch]
        )
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def rebuild(batch: int = 2000) -> tuple[int, int]:
    """Recreate the whole index from the petitions and petitioners (after a key rotation,
    or to check the incremental index), `batch` rows at a time through the same plain-row
    writers as the batch import. Returns (petitions, people) indexed."""
    MatterBand.objects.all().delete()
    MatterText.objects.all().delete()
    PersonKey.objects.all().delete()
    petitions = 0
    for rows in _in_batches(Petition, "content", batch):
        index_texts(rows)
        petitions += len(rows)
    people = sum(
        index_people(rows, replace=False) for rows in _in_batches(Petitioner, "name", batch)
    )
    return petitions, people


# --- reading -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TextHit:
    petition_id: int
    jaccard: float


def text_hits(text: str, *, among: Sequence[int] | None = None) -> list[TextHit]:
    """Indexed petitions whose text is near `text`: LSH band hits verified on the exact
    Jaccard similarity of their 3-grams (at least MIN_JACCARD), most similar first.
    `among` limits the search to those petition ids (a rebuild check, a test)."""
    keys = minhash.text_keys(text)
    if not keys:
        return []
    bands = MatterBand.objects.filter(key__in=keys)
    if among is not None:
        bands = bands.filter(petition_id__in=among)
    ids = [
        row["petition_id"]
        for row in bands.values("petition_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "-petition_id")[:MAX_BAND_HITS]
    ]
    if not ids:
        return []
    mine = minhash.shingles(text)
    hits = []
    scored: dict[str, float] = {}  # a text posted again is verified once
    for pk, content in Petition.objects.filter(pk__in=ids).values_list("pk", "content"):
        score = scored.get(content)
        if score is None:
            score = scored[content] = minhash.jaccard(mine, minhash.shingles(content))
        if score >= MIN_JACCARD:
            hits.append(TextHit(pk, round(score, 4)))
    hits.sort(key=lambda h: (-h.jaccard, -h.petition_id))
    return hits


def identical_text(text: str) -> list[int]:
    """Ids of indexed petitions whose normalised text is identical to `text`."""
    return list(
        MatterText.objects.filter(digest=minhash.text_digest(text)).values_list(
            "petition_id", flat=True
        )
    )


def indexed_digests(texts: Sequence[str]) -> set[str]:
    """The digests among those of `texts` that an indexed petition has (a batch's look-up
    of `identical_text`: one query per 500 texts)."""
    digests = sorted({minhash.text_digest(t) for t in texts})
    found: set[str] = set()
    for chunk in chunks(digests):
        found |= set(MatterText.objects.filter(digest__in=chunk).values_list("digest", flat=True))
    return found


@dataclass(frozen=True)
class PersonHit:
    petitioner_id: int
    score: float
    reasons: tuple[str, ...]


def person_hits(facts: PersonFacts) -> list[PersonHit]:
    """Petitioners who may be the person `facts` describes, scored (matching/people.py),
    at least people.SHOW_FROM, best first. `facts` carries keyed hashes, not raw numbers."""
    # Each signal is its own indexed look-up, and the rows are read by id: one statement
    # ORing them (a hash OR a subquery) was planned as a walk of the whole table backwards
    # by id (1 s at a million petitioners). The newest MAX_PEOPLE of the union are among
    # the newest MAX_PEOPLE of each signal, so the answer is the same.
    signals = []
    if facts.id_number_hash:
        signals.append(Q(id_number_hash=facts.id_number_hash))
    if facts.phone_hash:
        signals.append(Q(phone_hash=facts.phone_hash))
    if facts.account_hash:
        signals.append(Q(account_hash=facts.account_hash))
    ids: set[int] = set()
    sound = name_sound(facts.name)
    if sound and (facts.address.strip() or facts.work_unit.strip()):
        ids |= set(
            PersonKey.objects.filter(sound_hash=protect.match_hash(sound)).values_list(
                "petitioner_id", flat=True
            )[:MAX_PEOPLE]
        )
    for signal in signals:
        ids |= set(
            Petitioner.objects.filter(signal)
            .order_by("-pk")
            .values_list("pk", flat=True)[:MAX_PEOPLE]
        )
    if not ids:
        return []
    fields = ["pk", "name", "id_number_hash", "phone_hash", "account_hash", "address", "work_unit"]
    hits = []
    for row in Petitioner.objects.filter(pk__in=ids).order_by("-pk").values(*fields)[:MAX_PEOPLE]:
        score, reasons = person_score(facts, PersonFacts.of(row))
        if reasons and score >= SHOW_FROM:
            hits.append(PersonHit(row["pk"], score, tuple(reasons)))
    hits.sort(key=lambda h: (-h.score, -h.petitioner_id))
    return hits
