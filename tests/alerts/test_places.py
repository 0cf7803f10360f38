"""Place names found in a petition's text (R-REPEAT-5, alerts/places.py)."""

from __future__ import annotations

from tests.orgtree import Tree
from xinfang.alerts.places import automaton, find_places


def test_full_and_short_names_and_the_longest_wins(db: None) -> None:
    found_by = automaton()
    assert find_places("湖南省长沙市岳麓区某小区", found_by) == ["湖南省", "长沙市", "岳麓区"]
    # A short form stands for the full name; a county is found only by its full name.
    assert find_places("我在长沙打工，老家岳麓", found_by) == ["长沙市"]
    assert find_places("没有地名的一封信", found_by) == []


def test_the_organizations_own_places_are_found(tree: Tree) -> None:
    assert find_places("临江市河口县石桥镇的干部", automaton()) == ["临江市", "河口县", "石桥镇"]
