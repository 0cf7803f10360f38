"""Resident ID numbers are checked with the GB 11643 check digit before being stored."""

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
