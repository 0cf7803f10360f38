"""Same person: the signals and their score (pure; the look-ups are matching/index.py).

Strong signals are exact keyed hashes (petitions/protect.py): the ID number, the phone
number and the online account. A name alone is never enough (many people share one), so the
name counts only together with a similar address or workplace; homophones written with
other characters (王伟 / 汪炜) meet through the toneless pinyin.

Each signal has a weight in [0, 1]; the score is 1 - prod(1 - weight), so two independent
signals strengthen each other without passing 1. The weights and the similarity threshold
are in docs/matching.md.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from django.utils.translation import gettext
from pypinyin import Style, lazy_pinyin
from rapidfuzz import fuzz

from xinfang.core.text import normalize

W_ID_NUMBER = 1.0
W_ACCOUNT = 0.9
W_PHONE = 0.8
W_NAME_SAME_WITH_PLACE = 0.7  # the same name, with a similar address or workplace
W_NAME_SOUND_WITH_PLACE = 0.6  # the same sound, other characters
PLACE_SIMILARITY = 0.8  # address or workplace at least this similar (rapidfuzz ratio)
SHOW_FROM = 0.5  # candidates scoring below are not shown


@functools.lru_cache(maxsize=65536)
def name_sound(name: str) -> str:
    """The toneless pinyin of a name ("王伟" and "汪炜" -> "wang wei"); "" for no name.
    Letters and digits pass through as they are."""
    plain = normalize(name)
    if not plain:
        return ""
    return " ".join(lazy_pinyin(plain, style=Style.NORMAL, errors="default"))


def similarity(a: str, b: str) -> float:
    """How alike two free-typed addresses or workplaces are, 0..1 (0 if either is empty)."""
    a, b = normalize(a), normalize(b)
    if not a or not b:
        return 0.0
    return float(fuzz.ratio(a, b)) / 100.0


@dataclass(frozen=True)
class PersonFacts:
    """What is known of a person: keyed hashes of the identifiers, and the plain name,
    address and workplace (compared here, never shown from here)."""

    name: str = ""
    id_number_hash: str = ""
    phone_hash: str = ""
    account_hash: str = ""
    address: str = ""
    work_unit: str = ""

    @classmethod
    def of(cls, stored: Mapping[str, Any]) -> PersonFacts:
        """The facts of a stored petitioner from its columns by name (a `values()` row, or
        a model instance's `__dict__`: the fields are named as Petitioner's columns)."""
        return cls(**{f.name: stored.get(f.name) or "" for f in fields(cls)})


def person_score(new: PersonFacts, old: PersonFacts) -> tuple[float, list[str]]:
    """The score that `old` is the same person as `new`, and the reasons, in Chinese."""
    weights: list[float] = []
    reasons: list[str] = []
    if new.id_number_hash and new.id_number_hash == old.id_number_hash:
        weights.append(W_ID_NUMBER)
        reasons.append(gettext("身份证号码相同"))
    if new.account_hash and new.account_hash == old.account_hash:
        weights.append(W_ACCOUNT)
        reasons.append(gettext("网上信访账号相同"))
    if new.phone_hash and new.phone_hash == old.phone_hash:
        weights.append(W_PHONE)
        reasons.append(gettext("电话号码相同"))
    same_name = bool(new.name.strip()) and normalize(new.name) == normalize(old.name)
    same_sound = (
        not same_name
        and name_sound(new.name) != ""
        and (name_sound(new.name) == name_sound(old.name))
    )
    if same_name or same_sound:
        places = []
        address = similarity(new.address, old.address)
        if address >= PLACE_SIMILARITY:
            places.append(
                gettext("住址相近（相似度%(percent)s%%）") % {"percent": round(address * 100)}
            )
        unit = similarity(new.work_unit, old.work_unit)
        if unit >= PLACE_SIMILARITY:
            places.append(
                gettext("工作单位相近（相似度%(percent)s%%）") % {"percent": round(unit * 100)}
            )
        if places:
            weights.append(W_NAME_SAME_WITH_PLACE if same_name else W_NAME_SOUND_WITH_PLACE)
            reasons.append(
                (gettext("姓名相同") if same_name else gettext("姓名同音"))
                + "，"
                + "，".join(places)
            )
    left = 1.0
    for w in weights:
        left *= 1.0 - w
    return round(1.0 - left, 4), reasons
