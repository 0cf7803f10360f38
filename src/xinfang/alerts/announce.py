"""R-REPEAT-5, "有集体上访苗头的": the signs of a collective visit in a letter's text, a visit
announced or threatened before anyone comes (pure; no database). Each pattern stands for one
kind of sign, named in Chinese for the warning's label; the words of the letter themselves
are protected (R-PROTECT-1) and never leave the scan.

The patterns were written for the way petitioners say it (组织……多名村民……到……上访, 集体上访,
进京上访, 静坐, 堵路) and checked against a real board's messages (docs/warnings.md,
"Signs of a collective visit"): they favour recall, as a leader reads each warning."""

from __future__ import annotations

import re

# A visit or its equivalents: going somewhere to petition, to "ask for an explanation".
_VISIT = r"(?:上访|来访|信访|讨说法|讨个说法|讨公道|讨个公道|请愿)"
_GO = r"(?:到|去|赴|找|上)"
_MANY = (
    r"(?:[0-9０-９一二三四五六七八九十百千两几数上近]+[十百千]?多?"
    r"|全体|全村|全厂|全部|大批|一批|众多|多名|许多)"
)
_PEOPLE = r"(?:人|名|户|个|位|村民|群众|职工|工人|业主|老师|教师|家长|员工|农民工|退伍军人|老兵)"

# Actions that are also ordinary words (堵路 is a traffic jam as often as a blockade): a
# sign only after a word of intent or plan within a few characters before them.
_BLOCKADE = re.compile(r"堵路|堵门|拉横幅|打横幅")
_INTENT = re.compile(r"去|要|会|将|就|再|决定|准备|打算|扬言|想|用|集体|一起|到")
_INTENT_BEFORE = 6

# re.S: a line break inside a phrase is any other character. The text is not normalised
# (NFKC of every letter was 1.5 s of a first poll's scan at a million cases a year); the
# patterns allow what normalising would have removed (spaces within the spans, full-width
# digits).
SIGNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "信中提及进京上访",
        re.compile(
            rf"(?:进京|(?:到|去|赴|上)北京(?:市)?)(?:去)?.{{0,6}}(?:{_VISIT}|反映|告状)", re.S
        ),
    ),
    (
        "信中提及组织多人上访",
        re.compile(
            rf"(?:组织|召集|发动|带领|联合|叫上|动员).{{0,8}}{_MANY}.{{0,4}}{_PEOPLE}"
            rf".{{0,12}}(?:{_VISIT}|{_GO}.{{0,10}}(?:{_VISIT}|反映|闹))",
            re.S,
        ),
    ),
    ("信中提及集体上访", re.compile(rf"(?:集体|联名|结伴|群体).{{0,12}}{_VISIT}", re.S)),
    (
        "信中提及静坐、堵门等聚集行为",
        re.compile(
            r"静坐|聚集(?:到|在|于).{0,10}(?:政府|信访|党委|省委|市委|县委|区委|门口|大门|广场)",
            re.S,
        ),
    ),
)
_GATHERING = SIGNS[-1][0]


def announcement(text: str) -> str | None:
    """The first kind of sign of a collective visit `text` carries (the order of SIGNS:
    the most specific first; a blockade after a word of intent counts as a gathering), or
    None."""
    for label, pattern in SIGNS:
        if pattern.search(text):
            return label
    for found in _BLOCKADE.finditer(text):
        if _INTENT.search(text, max(found.start() - _INTENT_BEFORE, 0), found.start()):
            return _GATHERING
    return None
