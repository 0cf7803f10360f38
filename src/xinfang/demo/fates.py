"""Fates (how far a case has come by today) and the cases the small build must contain."""

from __future__ import annotations

import random
from dataclasses import dataclass

# Fates: how far a case has come by today. Self-handled (自办) ...
SELF_FATES = (
    "registered",
    "read",
    "handling",
    "handling_returned",
    "closing",
    "closed",
    "archived",
)
# ... assigned down with result required (交办) ...
ASSIGN_FATES = (
    "a_sent",
    "a_objected",  # received below, which objects that it was sent wrongly (R-ROUTE-1)
    "a_handling",
    "a_half",  # being handled below, more than half the time used (R-CLOSE-2)
    "a_due_soon",  # being handled below, due within 7 days (R-CLOSE-2)
    "a_overdue",
    "a_overdue_explained",
    "a_closing",
    "a_reported",
    "a_report_returned",
    "a_accepted",
    "a_archived",
)
# ... transferred down (转办), referred (转其他部门), kept (存查).
TRANSFER_FATES = ("t_handling", "t_closed", "t_archived")
REFER_FATES = ("referred", "referred_archived")
FILE_FATES = ("filed", "filed_archived")


def pick(rng: random.Random, table: list[tuple[str, float]]) -> str:
    names = [n for n, _ in table]
    weights = [w for _, w in table]
    return rng.choices(names, weights)[0]


def fate_for(route: str, age: int, rng: random.Random) -> str:
    """A fate that fits the route and the age in days (older cases are mostly finished)."""
    if age <= 3 and route != "self" and rng.random() < 0.4:
        return rng.choice(("registered", "read"))
    if route == "self":
        if age <= 3:
            return pick(rng, [("registered", 5), ("read", 3), ("handling", 2)])
        if age <= 15:
            return pick(
                rng,
                [
                    ("read", 1.5),
                    ("handling", 5.5),
                    ("closing", 1.5),
                    ("handling_returned", 0.5),
                    ("closed", 1),
                ],
            )
        if age <= 60:
            return pick(
                rng,
                [
                    ("handling", 3),
                    ("handling_returned", 1),
                    ("closing", 1.5),
                    ("closed", 3.5),
                    ("archived", 1),
                ],
            )
        if age <= 180:
            return pick(
                rng, [("handling", 0.5), ("closing", 0.3), ("closed", 2.5), ("archived", 6.7)]
            )
        return pick(rng, [("closed", 0.5), ("archived", 9.5)])
    if route == "assign":
        if age <= 5:
            return pick(rng, [("a_sent", 6), ("a_handling", 4)])
        if age <= 85:
            return pick(
                rng,
                [
                    ("a_handling", 3.5),
                    ("a_closing", 1.5),
                    ("a_reported", 1.5),
                    ("a_report_returned", 1),
                    ("a_accepted", 2.5),
                ],
            )
        if age <= 100:
            return pick(rng, [("a_accepted", 7), ("a_archived", 3)])
        if age <= 400:
            return pick(
                rng,
                [
                    ("a_overdue", 1.2),
                    ("a_overdue_explained", 1.2),
                    ("a_accepted", 1.6),
                    ("a_archived", 6),
                ],
            )
        return pick(rng, [("a_archived", 9.7), ("a_overdue_explained", 0.3)])
    if route == "transfer":
        if age <= 60:
            return pick(rng, [("t_handling", 5), ("t_closed", 4), ("t_archived", 1)])
        return pick(rng, [("t_closed", 1.5), ("t_archived", 8.5)])
    if route == "refer":
        return "referred" if age <= 30 or rng.random() < 0.3 else "referred_archived"
    return "filed" if age <= 30 or rng.random() < 0.4 else "filed_archived"


# Age windows (days ago) used when a fate is required for coverage.
FATE_AGES: dict[str, tuple[int, int]] = {
    "registered": (1, 3),
    "read": (1, 8),
    "handling": (5, 50),
    "handling_returned": (20, 60),
    "closing": (10, 40),
    "closed": (20, 150),
    "archived": (90, 700),
    "a_sent": (1, 4),
    # Within the five working days of the objection window (cases/clocks.py).
    "a_objected": (2, 4),
    "a_handling": (10, 70),
    # The planner picks the sending day from the clock itself (Planner.send_day); these
    # windows are only the fallback.
    "a_half": (55, 70),
    "a_due_soon": (86, 88),
    "a_overdue": (110, 300),
    "a_overdue_explained": (120, 400),
    "a_closing": (30, 80),
    "a_reported": (40, 80),
    "a_report_returned": (50, 85),
    "a_accepted": (60, 200),
    "a_archived": (150, 700),
    "t_handling": (5, 40),
    "t_closed": (30, 200),
    "t_archived": (100, 700),
    "referred": (3, 30),
    "referred_archived": (60, 700),
    "filed": (3, 30),
    "filed_archived": (60, 700),
}
FATE_ROUTE = {
    **{f: "self" for f in SELF_FATES},
    **{f: "assign" for f in ASSIGN_FATES},
    **{f: "transfer" for f in TRANSFER_FATES},
    **{f: "refer" for f in REFER_FATES},
    **{f: "file" for f in FILE_FATES},
}


@dataclass(frozen=True)
class Coverage:
    """A case the small build must contain, so every state and feature is shown."""

    fate: str
    anonymous: bool = False
    collective: bool = False
    repeats: int = 0
    merge: bool = False
    with_return: bool = False
    visit: bool = False
    # One more repeat a few days before today, after the yearly archiving (R-REPEAT-4).
    late_repeat: bool = False
    # For the demo accounts' queues: the receiving organization's slug, the organization a
    # case sent down goes to, and whether its first handler (the demo handler) handles it.
    receiver: str = ""
    target: str = ""
    first_handler: bool = False


COVERAGE = (
    Coverage("registered", visit=True),
    Coverage("read"),
    Coverage("handling", repeats=2),
    Coverage("handling_returned"),
    Coverage("closing", collective=True, visit=True),
    Coverage("closed", merge=True),
    Coverage("archived", with_return=True, repeats=1),
    Coverage("archived", repeats=3, late_repeat=True),
    Coverage("a_sent"),
    Coverage("a_handling", anonymous=True),
    Coverage("a_overdue"),
    Coverage("a_overdue_explained"),
    Coverage("a_closing"),
    Coverage("a_reported"),
    Coverage("a_report_returned"),
    Coverage("a_accepted", collective=True, visit=True),
    Coverage("a_archived", with_return=True),
    Coverage("t_handling"),
    Coverage("t_closed"),
    Coverage("t_archived"),
    Coverage("referred", visit=True),
    Coverage("referred_archived"),
    Coverage("filed", anonymous=True),
    Coverage("filed_archived", anonymous=True),
    # Every queue of the demo accounts (望江市委组织部: dengji, chengban, lingdao; the
    # province's dudao) holds something on the day the demo is built (cases/queues.py).
    Coverage("registered", receiver="wj"),  # 待阅批
    Coverage("read", receiver="wj"),  # 待分办
    Coverage("a_objected", receiver="wj"),  # 异议待决定
    Coverage("handling", receiver="wj", first_handler=True),  # 我承办的案件
    Coverage("closing", receiver="wj", first_handler=True),  # 待审批结案
    # A closed case not yet archived: the register of long-standing petitioners concludes
    # an entry on it (demo/longterm.py; 终结 needs a closed case, R-REPEAT-3).
    Coverage("closed", receiver="wj", first_handler=True),
    Coverage("a_reported", receiver="wj"),  # 下级报结待审核, 交转办跟踪
    Coverage("a_due_soon", receiver="qj", target="wj", first_handler=True),  # 7日内到期
    Coverage("a_half", receiver="qj", target="wj", first_handler=True),  # 时间过半
    Coverage("a_overdue", receiver="qj", target="wj", first_handler=True),  # 逾期未说明
    Coverage("a_overdue_explained", receiver="qj", target="wj", first_handler=True),
)
