"""R-CLOSE-2: overdue cases without an explanation, for the department and one level up."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.deadlines.conftest import at, make_case
from tests.orgtree import Tree
from xinfang.cases.clocks import overdue_cases_without_explanation
from xinfang.cases.models import Case, OverdueExplanation, Pause
from xinfang.orgs.services import department_create

D = dt.date
pytestmark = pytest.mark.django_db
TODAY = D(2025, 11, 3)


def explain(tree: Tree, case: Case, on: dt.date) -> None:
    OverdueExplanation.objects.create(
        case=case,
        reason="需补充调查",
        new_expected_on=TODAY + dt.timedelta(days=20),
        explained_by=tree.county_staff,
        created_at=at(on),
    )


def listed(tree: Tree, which: str) -> set[str]:
    dept = getattr(tree, which)
    return set(overdue_cases_without_explanation(dept, TODAY).values_list("title", flat=True))


def test_r_close_2_overdue_cases_without_explanation(tree: Tree) -> None:
    """R-CLOSE-2: listed for the department and for the department one level up."""
    due = D(2025, 10, 20)
    township = department_create(
        jurisdiction=tree.shiqiao, kind="organization", name="石桥镇党委组织委员办公室"
    )

    def case(title: str, dept: str = "county_org", **kw: object) -> Case:
        kw.setdefault("due_on", due)
        department = township if dept == "township" else getattr(tree, dept)
        c = make_case(department, registered_on=D(2025, 8, 1), **kw)  # type: ignore[arg-type]
        Case.objects.filter(pk=c.pk).update(title=title)
        return c

    case("overdue")
    case("closed", state="closed")
    case("archived", state="archived")
    case("referred", state="referred")
    case("transferred", state="transferred")
    case("filed", state="filed")
    case("merged", state="merged")
    case("due today", due_on=TODAY)
    case("not due", due_on=TODAY + dt.timedelta(days=3))
    case("no due date", due_on=None)
    explain(tree, case("explained after due"), D(2025, 10, 25))
    explain(tree, case("explained on the due day"), due)
    explain(tree, case("explained before due only"), D(2025, 10, 1))
    paused = case("paused")
    Pause.objects.create(
        case=paused,
        reason="鉴定",
        legal_basis="鉴定",
        start_on=D(2025, 10, 1),
        approved_by=tree.county_staff,
    )
    case("baisha overdue", dept="baisha_org")
    case("city overdue", dept="city_org")
    case("township overdue", dept="township")
    case("county hr overdue", dept="county_hr")  # same level as county_org: not its list

    expected_county = {"overdue", "explained before due only", "township overdue"}
    assert listed(tree, "county_org") == expected_county
    # 临江市 sees its own cases and those of every department of its counties (河口县,
    # 白沙县), but not the township two levels down.
    assert listed(tree, "city_org") == {
        "overdue",
        "explained before due only",
        "county hr overdue",
        "baisha overdue",
        "city overdue",
    }
    # 东川省 sees prefecture-level departments only, not counties two levels down.
    assert listed(tree, "prov_org") == {"city overdue"}
    assert listed(tree, "baisha_org") == {"baisha overdue"}
