"""Resident ID numbers are checked with the GB 11643 check digit before being stored."""

import re

import pytest

from xinfang.core.errors import RuleViolation
from xinfang.core.idnumber import check_digit, normalize_id_number


@pytest.mark.parametrize(
    ("first17", "check"),
    [
        # Worked examples computed by hand with weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2.
        ("11010519491231002", "X"),
        ("44052419800101001", "3"),
        ("11010119900307447", "7"),
    ],
)
def test_check_digit(first17: str, check: str) -> None:
    assert check_digit(first17) == check


def test_normalizes_lowercase_x_and_spaces() -> None:
    assert normalize_id_number(" 11010519491231002x ") == "11010519491231002X"


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("11010519491231002", "18位"),
        ("1101051949123100XX", "18位"),
        ("110105194912310021", "校验位"),
        ("110105194902300020", "出生日期"),
    ],
)
def test_bad_numbers_are_refused_in_chinese(raw: str, words: str) -> None:
    with pytest.raises(RuleViolation, match=words):
        normalize_id_number(raw)


def test_spaces_inside_the_number_are_dropped() -> None:
    assert normalize_id_number("110105 19491231 002x") == "11010519491231002X"


def test_check_digit_needs_exactly_17_digits() -> None:
    with pytest.raises(ValueError, match="argument 2 is longer than argument 1"):
        check_digit("1101051949123100")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("1101051949123100", "身份证号码应为18位：前17位为数字，最后一位为数字或X。"),
        # 31 February does not exist (read as day "1" it would pass the date check).
        # Check digit by hand: weighted sum 161, 161 mod 11 = 7 -> "5".
        ("110105199002310015", "身份证号码中的出生日期无效。"),
        ("110105194912310021", "身份证号码校验位不正确，请核对后重新输入。"),
    ],
)
def test_refusal_messages_in_full(raw: str, message: str) -> None:
    with pytest.raises(RuleViolation, match=f"^{re.escape(message)}$"):
        normalize_id_number(raw)


def test_born_on_29_february_2000_is_valid() -> None:
    # The year is read from all four digits (2000 is a leap year). Check digit by hand:
    # weighted sum 130, 130 mod 11 = 9 -> "3".
    assert normalize_id_number("110105200002290013") == "110105200002290013"
