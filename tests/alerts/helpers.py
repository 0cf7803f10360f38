"""Petitions for the early-warning tests: distinct petitioners (no ID number, each a new
person by name) registered through the real service at 临江市委组织部."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.builders import at, register
from tests.orgtree import Tree
from xinfang.petitions.services import PetitionerInput

NAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"


def person(i: int) -> PetitionerInput:
    """Person number i: the same online account is the same petitioner every time."""
    return PetitionerInput(name=f"{NAMES[i % len(NAMES)]}{i}号", account=f"测试留言板:{i}")


def petitions(tree: Tree, on: dt.date, count: int, *, start: int = 0, **kw: Any) -> None:
    """`count` petitions received on `on`, from persons start .. start+count-1."""
    with at(on.year, on.month, on.day):
        for i in range(start, start + count):
            kw_i = {
                "received_on": on,
                "summary": "反映望海小区物业问题",
                "content": f"第{i}位住户反映：望海小区物业公司乱收费，停车位被占用，请组织协调。",
                "category": "policy_history",
                "nature": "appeal",
                "petitioners": [person(i)],
            }
            kw_i.update(kw)
            register(tree.city_staff, **kw_i)
