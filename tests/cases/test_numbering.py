"""Case numbers run per department and year without gaps or repeats."""

from tests.orgtree import Tree
from xinfang.cases.numbering import next_case_number


def test_numbers_run_per_department_and_year(tree: Tree) -> None:
    a = [next_case_number(tree.county_org, 2026) for _ in range(3)]
    b = next_case_number(tree.baisha_org, 2026)
    c = next_case_number(tree.county_org, 2027)
    pk = tree.county_org.pk
    assert a == [f"{pk:04d}-2026-00000{i}" for i in (1, 2, 3)]
    assert b.endswith("-2026-000001") and c == f"{pk:04d}-2027-000001"
