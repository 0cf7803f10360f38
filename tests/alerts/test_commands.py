"""`xinfang alerts_poll` and `xinfang warnings --json` (R-REPEAT-5)."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command

from tests.alerts.helpers import petitions
from tests.orgtree import Tree

MONDAY = dt.date(2026, 3, 2)


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_r_repeat_5_poll_then_list_open_warnings_ranked(tree: Tree) -> None:
    petitions(tree, MONDAY, 5)
    assert "新增 2 条" in _run("alerts_poll", "--as-of", "2026-03-02")
    assert "新增 0 条" in _run("alerts_poll", "--as-of", "2026-03-02")  # run twice: once
    listed = json.loads(_run("warnings", "--as-of", "2026-03-02", "--json"))
    # The category and the matter score alike (5 people, new: 5 x min(5 / 0.5, 10)); ties
    # keep the order they were written in (by kind).
    assert [
        (w["kind"], w["label"], w["petitioners"], w["growth"], w["score"], w["state"])
        for w in listed
    ] == [
        ("category", "落实政策和历史遗留问题", 5, None, 50.0, "open"),
        ("matter", "反映望海小区物业问题", 5, None, 50.0, "open"),
    ]
    assert listed[0]["window_start"] == "2026-02-24"
    assert json.loads(_run("warnings", "--as-of", "2026-03-01", "--json")) == []
    assert "信访人5人" in _run("warnings", "--as-of", "2026-03-02")


def test_a_bad_date_is_refused_in_chinese(db: None) -> None:
    with pytest.raises(CommandError, match="无法识别"):
        _run("warnings", "--as-of", "2026-13-01")
