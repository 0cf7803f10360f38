"""Early warning (R-REPEAT-5): what stands out in the petitions of a window.

`find(as_of)` computes, for the window of `window_days` days ending on `as_of` (both days
counted) and per receiving department:

- spikes over a key: the distinct petitioners of the window per matter (petitions whose
  texts share LSH bands of the matching index), respondent unit, place named in the text,
  respondent and category, against the key's own baseline (the mean of its distinct
  petitioners in each of the `baseline_windows` windows before). Raised at
  `min_petitioners` or more when the key is new or grew `min_growth` times or more;
- a collective visit announced: a petition marked collective with at least
  `collective_min_head_count` people;
- the signs of a collective visit ("有集体上访苗头的"): a letter whose text announces or
  threatens one (alerts/announce.py), each letter a warning;
- a cadre of the directory named as respondent by `cadre_min_petitioners` or more distinct
  petitioners in the window, whatever the baseline.

Nothing here is shown as is: a warning carries the ids of the petitions it counted, and the
pages read them through the user's visibility and the protection policy. Set-based: per
kind one grouped count over the window, then the baseline and the petitions of the few keys
that passed (no query per petition)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext

from xinfang.alerts.announce import announcement
from xinfang.alerts.models import AnnouncedVisit, Kind, PetitionPlace, PlaceScan
from xinfang.alerts.places import automaton, find_places
from xinfang.core.unindexed import unindexed
from xinfang.matching.models import MatterBand
from xinfang.orgs.models import Cadre
from xinfang.petitions.models import Petition, PetitionPetitioner
from xinfang.routing.terms import Category

CATEGORY_LABELS = dict(Category.choices)

DEFAULTS: dict[str, Any] = {
    "window_days": 7,
    "baseline_windows": 8,
    "min_petitioners": 5,
    "min_growth": 2.0,
    "collective_min_head_count": 5,
    "cadre_min_petitioners": 3,
    "max_petitions_kept": 50,
    # A band shared by more petitions than this in one department's window is boilerplate
    # (a greeting, a form's fixed text), not a matter.
    "max_band_bucket": 200,
    # Two petitions are one matter when they share at least this many of the 16 bands.
    "min_shared_bands": 2,
}

# A new key (no petitioner in any baseline window) is scored as if its baseline were this.
_BASELINE_FLOOR = 0.5
_MAX_GROWTH_IN_SCORE = 10.0


def thresholds() -> dict[str, Any]:
    return {**DEFAULTS, **getattr(settings, "XINFANG_ALERTS", {})}


@dataclass(frozen=True)
class Window:
    start: dt.date
    end: dt.date

    @classmethod
    def ending(cls, as_of: dt.date, days: int) -> Window:
        return cls(start=as_of - dt.timedelta(days=days - 1), end=as_of)

    def shifted(self, windows_back: int) -> Window:
        days = (self.end - self.start).days + 1
        delta = dt.timedelta(days=days * windows_back)
        return Window(start=self.start - delta, end=self.end - delta)


@dataclass
class Found:
    kind: str
    department_id: int
    key: str
    label: str
    window: Window
    petitioners: int
    petitions: int
    baseline: float
    growth: float | None
    history: list[int] = field(default_factory=list)  # oldest window first
    petition_ids: list[int] = field(default_factory=list)

    @property
    def score(self) -> float:
        ratio = self.petitioners / max(self.baseline, _BASELINE_FLOOR)
        return round(self.petitioners * min(ratio, _MAX_GROWTH_IN_SCORE), 2)

    def explanation(self, limits: dict[str, Any]) -> dict[str, Any]:
        return {
            "petition_ids": self.petition_ids[: limits["max_petitions_kept"]],
            "history": self.history,
            "thresholds": {
                "min_petitioners": limits["min_petitioners"],
                "min_growth": limits["min_growth"],
                "cadre_min_petitioners": limits["cadre_min_petitioners"],
                "collective_min_head_count": limits["collective_min_head_count"],
                "window_days": limits["window_days"],
                "baseline_windows": limits["baseline_windows"],
            },
        }


# The spikes over a column of the petition (through PetitionPetitioner): key fields, and a
# condition that drops rows without a key.
_SPIKE_KEYS: dict[str, tuple[tuple[str, ...], Q]] = {
    # `unit > ''`, the same rows as `unit <> ''` (never null): Django writes the negation as
    # a correlated subquery, and SQLite then read every respondent of all years.
    Kind.UNIT: (
        ("petition__respondents__unit",),
        Q(petition__respondents__unit__gt=""),
    ),
    Kind.PLACE: (
        ("petition__alert_places__name",),
        Q(petition__alert_places__name__isnull=False),
    ),
    Kind.RESPONDENT: (
        ("petition__respondents__name", "petition__respondents__unit"),
        Q(petition__respondents__isnull=False, petition__respondents__cadre__isnull=True),
    ),
    Kind.CATEGORY: (("petition__category",), ~Q(petition__category="")),
    # On the cadre as `cadre_id + 0` (`_links`): the cadre's index is not read for it.
    Kind.CADRE: (
        ("petition__respondents__cadre_id",),
        Q(cadre_named__isnull=False),
    ),
}


def _links(kind: str) -> QuerySet[PetitionPetitioner]:
    """The petitions' petitioners with a key of `kind`. The cadre tested per row (`+ 0`):
    `cadre_id IS NOT NULL` is a range of the cadre's index, which SQLite otherwise chose
    over the window's petitions (`_received_in`)."""
    links = PetitionPetitioner.objects.all()
    if kind == Kind.CADRE:
        links = links.alias(cadre_named=unindexed("petition__respondents__cadre_id"))
    return links.filter(_SPIKE_KEYS[kind][1])


_DEPT = "petition__receiving_department_id"
_ON = "petition__received_on"


def _in(window: Window) -> Q:
    return Q(**{f"{_ON}__gte": window.start, f"{_ON}__lte": window.end})


def _received_in(window: Window) -> Q:
    """Links of the petitions received in `window`, as the ids of those petitions read by
    their received_on index: a list the statement starts from (the first statement of
    `_spikes`, over all keys). With the range on the joined petition (`_in`) SQLite, which
    has no statistics, started from the key instead: every respondent of all years, or
    every one named as a cadre by the cadre's index, 0.8 and 2.3 s of a province's week at
    1,000,000 cases (docs/warnings.md, "Speed")."""
    received = Petition.objects.filter(received_on__gte=window.start, received_on__lte=window.end)
    return Q(petition_id__in=received.values("pk"))


def _key_of(row: dict[str, Any], fields: Sequence[str]) -> tuple[Any, ...]:
    return tuple(row[f] for f in fields)


def _history(
    base_rows: Iterable[dict[str, Any]],
    fields: Sequence[str],
    window: Window,
    windows: int,
) -> dict[tuple[Any, ...], list[int]]:
    """Distinct petitioners per (department, key) in each baseline window, oldest first."""
    days = (window.end - window.start).days + 1
    seen: dict[tuple[Any, ...], list[set[int]]] = defaultdict(
        lambda: [set() for _ in range(windows)]
    )
    for row in base_rows:
        # 0 = the window just before
        back = ((window.start - row[_ON]).days - 1) // days
        if 0 <= back < windows:
            seen[(row[_DEPT], *_key_of(row, fields))][windows - 1 - back].add(row["petitioner_id"])
    return {k: [len(s) for s in sets] for k, sets in seen.items()}


def _spikes(kind: str, window: Window, limits: dict[str, Any]) -> list[Found]:
    fields = _SPIKE_KEYS[kind][0]
    is_cadre = kind == Kind.CADRE
    minimum = limits["cadre_min_petitioners" if is_cadre else "min_petitioners"]
    windows = limits["baseline_windows"]
    links = _links(kind)
    counted = (
        links.filter(_received_in(window))
        .values(_DEPT, *fields)
        .annotate(n=Count("petitioner_id", distinct=True), m=Count("petition_id", distinct=True))
        .filter(n__gte=minimum)
        .order_by()
    )
    rows = {(r[_DEPT], *_key_of(r, fields)): r for r in counted}
    if not rows:
        return []
    departments = {k[0] for k in rows}
    first_values = {k[1] for k in rows}
    narrowed = links.filter(
        Q(**{f"{_DEPT}__in": departments}) & Q(**{f"{fields[0]}__in": first_values})
    )
    base = Window(start=window.shifted(windows).start, end=window.start - dt.timedelta(days=1))
    history = _history(
        narrowed.filter(_in(base)).values(_DEPT, *fields, _ON, "petitioner_id").distinct(),
        fields,
        window,
        windows,
    )
    ids: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for r in (
        narrowed.filter(_in(window))
        .values(_DEPT, *fields, "petition_id")
        .distinct()
        .order_by("petition_id")
    ):
        ids[(r[_DEPT], *_key_of(r, fields))].append(r["petition_id"])
    names = (
        {
            str(c.pk): f"{c.name}（{c.post.title}）" if c.post else c.name
            for c in Cadre.objects.filter(pk__in=first_values).select_related("post")
        }
        if is_cadre
        else {}
    )
    out = []
    for key, r in rows.items():
        past = history.get(key, [0] * windows)
        baseline = sum(past) / windows
        growth = r["n"] / baseline if baseline else None
        if not is_cadre and growth is not None and growth < limits["min_growth"]:
            continue
        parts = [str(v) for v in key[1:]]
        if is_cadre:
            label = names.get(parts[0], parts[0])
        elif kind == Kind.CATEGORY:
            label = str(CATEGORY_LABELS.get(parts[0], parts[0]))
        else:
            label = "".join(
                parts[:1] + [gettext("（%(unit)s）") % {"unit": p} for p in parts[1:] if p]
            )
        out.append(
            Found(
                kind=kind,
                department_id=key[0],
                key="|".join(parts),
                label=label[:200],
                window=window,
                petitioners=r["n"],
                petitions=r["m"],
                baseline=round(baseline, 2),
                growth=round(growth, 2) if growth is not None else None,
                history=past,
                petition_ids=ids[key],
            )
        )
    return out


class _Union:
    def __init__(self) -> None:
        self.up: dict[int, int] = {}

    def find(self, a: int) -> int:
        self.up.setdefault(a, a)
        while self.up[a] != a:
            self.up[a] = self.up[self.up[a]]
            a = self.up[a]
        return a

    def join(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.up[max(ra, rb)] = min(ra, rb)


def _matters(window: Window, limits: dict[str, Any]) -> list[Found]:
    """Petitions of one department's window whose texts share at least `min_shared_bands`
    LSH bands are one matter (transitively); a matter with `min_petitioners` distinct
    petitioners is compared with the petitions of the baseline windows sharing its bands."""
    buckets: dict[tuple[int, int], int] = defaultdict(int)  # (dept, band) -> petitions
    dept_of: dict[int, int] = {}
    keys_of: dict[int, list[int]] = defaultdict(list)
    for pid, key, dept in MatterBand.objects.filter(
        petition__received_on__gte=window.start, petition__received_on__lte=window.end
    ).values_list("petition_id", "key", "petition__receiving_department_id"):
        buckets[(dept, key)] += 1
        dept_of[pid] = dept
        keys_of[pid].append(key)
    # Two petitions share `min_shared_bands` bands exactly when they share a combination of
    # that many of their bands: each petition is put under every combination of its bands
    # (120 for two of 16), and everything under one combination is one matter. Linear in the
    # petitions, whatever the size of the buckets (a pair count per bucket is quadratic).
    # Two shortcuts that change no grouping: a band no other petition of the department
    # holds cannot be shared, so it is left out of the combinations (most bands of most
    # petitions); and petitions with the same usable bands share all of them, so they are
    # joined at once and their combinations made once (a text posted again, a copy).
    most = limits["max_band_bucket"]
    shared = limits["min_shared_bands"]
    same_bands: dict[tuple[int, ...], list[int]] = defaultdict(list)
    for pid, keys in keys_of.items():
        dept = dept_of[pid]
        usable = sorted(k for k in set(keys) if 2 <= buckets[(dept, k)] <= most)
        if len(usable) >= shared:
            same_bands[(dept, *usable)].append(pid)
    together: dict[tuple[int, ...], int] = {}
    union = _Union()
    for (dept, *usable), pids in same_bands.items():
        first = pids[0]
        for other in pids[1:]:
            union.join(first, other)
        for combo in combinations(usable, shared):
            other = together.setdefault((dept, *combo), first)
            if other != first:
                union.join(other, first)
    clusters: dict[int, list[int]] = defaultdict(list)
    for pid in union.up:
        clusters[union.find(pid)].append(pid)
    clusters = {
        root: sorted(m) for root, m in clusters.items() if len(m) >= limits["min_petitioners"]
    }
    if not clusters:
        return []
    people: dict[int, set[int]] = defaultdict(set)
    for pid, person in PetitionPetitioner.objects.filter(
        petition_id__in=[p for m in clusters.values() for p in m]
    ).values_list("petition_id", "petitioner_id"):
        people[pid].add(person)
    windows = limits["baseline_windows"]
    days = (window.end - window.start).days + 1
    base = Window(start=window.shifted(windows).start, end=window.start - dt.timedelta(days=1))
    # The matters with enough people, and the bands each shares among its petitions.
    candidates: list[tuple[int, list[int], set[int]]] = []
    owner: dict[tuple[int, int], list[int]] = defaultdict(list)  # (dept, band) -> matters
    for root, members in clusters.items():
        who = set().union(*(people[p] for p in members))
        if len(who) < limits["min_petitioners"]:
            continue
        key_count: dict[int, int] = defaultdict(int)
        for p in members:
            for k in keys_of[p]:
                key_count[k] += 1
        for k, n in key_count.items():
            if n >= 2:
                owner[(dept_of[root], k)].append(len(candidates))
        candidates.append((root, members, who))
    if not candidates:
        return []
    # One read of the baseline's petitioners whose petitions share those bands, for every
    # matter at once: each (band, day, petitioner) once, so a petitioner's many petitions
    # and the copies of a text are collapsed by the database, not carried into Python.
    past_sets = [[set[int]() for _ in range(windows)] for _ in candidates]
    for key, dept, on, person in (
        MatterBand.objects.filter(
            key__in={k for _, k in owner},
            petition__receiving_department_id__in={dept_of[c[0]] for c in candidates},
            petition__received_on__gte=base.start,
            petition__received_on__lte=base.end,
            petition__petitioners__isnull=False,
        )
        .values_list(
            "key",
            "petition__receiving_department_id",
            "petition__received_on",
            "petition__petitioners",
        )
        .distinct()
        .order_by()
    ):
        back = ((window.start - on).days - 1) // days
        if 0 <= back < windows:
            for i in owner.get((dept, key), ()):
                past_sets[i][windows - 1 - back].add(person)
    out = []
    for i, (root, members, who) in enumerate(candidates):
        past = [len(x) for x in past_sets[i]]
        baseline = sum(past) / windows
        growth = len(who) / baseline if baseline else None
        if growth is not None and growth < limits["min_growth"]:
            continue
        out.append(
            Found(
                kind=Kind.MATTER,
                department_id=dept_of[root],
                key=str(root),
                label="",
                window=window,
                petitioners=len(who),
                petitions=len(members),
                baseline=round(baseline, 2),
                growth=round(growth, 2) if growth is not None else None,
                history=past,
                petition_ids=members,
            )
        )
    summaries = dict(
        Petition.objects.filter(pk__in=[f.petition_ids[0] for f in out]).values_list(
            "pk", "summary"
        )
    )
    for f in out:
        f.label = summaries.get(f.petition_ids[0], "")[:200]
    return out


def _collective(window: Window, limits: dict[str, Any]) -> list[Found]:
    """A collective visit announced: each petition marked collective, with its head count."""
    out = []
    for p in Petition.objects.filter(
        is_collective=True,
        head_count__gte=limits["collective_min_head_count"],
        received_on__gte=window.start,
        received_on__lte=window.end,
    ).order_by("pk"):
        out.append(
            Found(
                kind=Kind.COLLECTIVE,
                department_id=p.receiving_department_id,
                key=str(p.pk),
                label=(p.collective_origin or p.summary)[:200],
                window=window,
                petitioners=p.head_count,
                petitions=1,
                baseline=0.0,
                growth=None,
                petition_ids=[p.pk],
            )
        )
    return out


def _announced(window: Window) -> list[Found]:
    """R-REPEAT-5 "有集体上访苗头的": each letter of the window whose text announces or
    threatens a collective visit (found by `scan_places`), labelled with the kind of sign
    and the petition's summary (never the letter's words, R-PROTECT-1), counting its
    petitioners."""
    rows = (
        AnnouncedVisit.objects.filter(
            petition__received_on__gte=window.start, petition__received_on__lte=window.end
        )
        .annotate(people=Count("petition__petitioners"))
        .values_list(
            "petition_id",
            "sign",
            "people",
            "petition__summary",
            "petition__receiving_department_id",
        )
        .order_by("petition_id")
    )
    return [
        Found(
            kind=Kind.ANNOUNCED,
            department_id=department_id,
            key=str(pk),
            label=f"{summary[:180]}（{sign}）",
            window=window,
            petitioners=max(people, 1),  # an anonymous letter is still somebody's
            petitions=1,
            baseline=0.0,
            growth=None,
            petition_ids=[pk],
        )
        for pk, sign, people, summary, department_id in rows
    ]


def scan_places(start: dt.date, end: dt.date) -> int:
    """Find the place names of the petitions received in [start, end] not yet searched;
    returns how many were searched. Safe to run twice at once (conflicts are ignored)."""
    # NOT EXISTS, not NOT IN: PostgreSQL hashes a NOT IN list only while it fits in
    # work_mem, and past that scans the list once per petition (minutes at 500,000 rows).
    todo = Petition.objects.filter(received_on__gte=start, received_on__lte=end).exclude(
        Exists(PlaceScan.objects.filter(petition_id=OuterRef("pk")))
    )
    found_by = automaton()
    done = 0
    batch = list(todo.values_list("pk", "summary", "content")[:2000])
    while batch:
        places = [
            PetitionPlace(petition_id=pk, name=name)
            for pk, summary, content in batch
            for name in find_places(f"{summary}\n{content}", found_by)
        ]
        PetitionPlace.objects.bulk_create(places, ignore_conflicts=True, batch_size=2000)
        # R-REPEAT-5: the signs of a collective visit, in the same pass over the text.
        signs = [
            AnnouncedVisit(petition_id=pk, sign=sign)
            for pk, summary, content in batch
            if (sign := announcement(f"{summary}\n{content}"))
        ]
        AnnouncedVisit.objects.bulk_create(signs, ignore_conflicts=True, batch_size=2000)
        PlaceScan.objects.bulk_create(
            [PlaceScan(petition_id=pk) for pk, _, _ in batch], ignore_conflicts=True
        )
        done += len(batch)
        batch = list(todo.values_list("pk", "summary", "content")[:2000])
    return done


def find(as_of: dt.date) -> list[Found]:
    """Every warning of the window ending on `as_of`, highest score first."""
    limits = thresholds()
    window = Window.ending(as_of, limits["window_days"])
    scan_places(window.shifted(limits["baseline_windows"]).start, window.end)
    found = _matters(window, limits)
    for kind in (Kind.UNIT, Kind.PLACE, Kind.RESPONDENT, Kind.CATEGORY, Kind.CADRE):
        found += _spikes(kind, window, limits)
    found += _collective(window, limits)
    found += _announced(window)
    found.sort(key=lambda f: (-f.score, f.kind, f.department_id, f.key))
    return found
