from tests.builders import register, to_closed
from tests.orgtree import Tree


def test_full_path(tree: Tree) -> None:
    leader = tree.staff(tree.county_org, "leader")
    handler = tree.staff(tree.county_org, "handler")
    registrar = tree.staff(tree.county_org, "registrar")
    case = register(registrar)
    case = to_closed(case, leader, handler)
    assert case.state == "closed"
    assert case.event_count == 5
