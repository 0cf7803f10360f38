"""Rule IDs never reach a page: `on_screen` turns them into the notice's words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from xinfang.core.citations import CITATIONS, cite, on_screen

ROOT = Path(__file__).resolve().parents[2]


def test_every_rule_of_the_rule_map_has_grounds() -> None:
    """docs/rules.md lists every rule ID; each has a citation, and no citation is for an ID
    the rules do not have."""
    ids = set(re.findall(r"\bR-[A-Z]+-\d+\b", (ROOT / "docs" / "rules.md").read_text()))
    assert set(CITATIONS) == ids


def test_a_refusal_is_shown_with_the_notices_words() -> None:
    shown = on_screen("不能自办，应由上一级组织部门办理（R-ROUTE-3）。")
    assert shown == (
        "不能自办，应由上一级组织部门办理（依据：组通字〔1987〕33号《纪要》“会议强调”部分第（二）项："
        "“不要把反映主要领导干部问题的来信转给同级组织部门查处”）。"
    )
    assert "R-" not in shown


def test_several_rules_in_one_bracket_and_each_part_once() -> None:
    shown = on_screen("缺少材料（R-CLOSE-3、R-CLOSE-3, R-CLOSE-5）")
    assert shown == (
        "缺少材料（依据：组通字〔1987〕33号《纪要》第（二）条：“结案材料一定要事实清楚，处理恰当，"
        "手续完备”；组通字〔1987〕33号《纪要》第（二）条：“署名的揭发信件，查处结果，一般要向来信人"
        "说明查处情况”）"
    )


def test_text_without_rule_ids_is_unchanged() -> None:
    assert on_screen("请填写处理意见。") == "请填写处理意见。"


def test_an_unknown_rule_id_is_a_programming_error() -> None:
    with pytest.raises(KeyError, match="R-NOPE-1"):
        cite("R-NOPE-1")
