from __future__ import annotations

import pytest

from tests.orgtree import Tree, build_tree


@pytest.fixture
def tree(db: None) -> Tree:
    return build_tree()
