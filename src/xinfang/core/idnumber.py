"""Resident identity numbers (公民身份号码) per GB 11643-1999."""

from __future__ import annotations

import datetime as dt
import re

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
        raise RuleViolation("身份证号码应为18位：前17位为数字，最后一位为数字或X。")
    try:
        dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise RuleViolation("身份证号码中的出生日期无效。") from None
    if check_digit(value[:17]) != value[17]:
        raise RuleViolation("身份证号码校验位不正确，请核对后重新输入。")
    return value
