"""The pages of the register of long-standing petitioners (web/views/persistent.py)."""

from __future__ import annotations

import datetime as dt
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.builders import at, register, to_closed
from tests.clients import staff_client
from tests.orgtree import Tree
from tests.persistent.helpers import STATEMENT, concluded_below
from xinfang.cases.models import Case
from xinfang.persistent import services
from xinfang.persistent.models import Entry, Outcome
from xinfang.petitions.models import Petitioner
from xinfang.petitions.services import PetitionerInput

# The list page reads: session and user, roles, thresholds, the grouped count, the cases,
# the register's pairs, the register; whatever the number of rows.
LIST_BUDGET = 12
IDS = ["110101199003074477", "11010519491231002X", "110105198001010016"]


def _repeater(tree: Tree, id_number: str, summary: str) -> Case:
    """Three petitions of one petitioner on one matter at 临江市委组织部 in April 2026."""
    person = [PetitionerInput(name="老户" + id_number[-2:], id_number=id_number)]
    case = register(
        tree.city_staff, summary=summary, received_on=dt.date(2026, 4, 1), petitioners=person
    )
    for day in (2, 3):
        register(
            tree.city_staff,
            summary=summary,
            received_on=dt.date(2026, 4, day),
            petitioners=person,
            repeat_of=case,
        )
    return case


def _rows(html: str, css: str) -> int:
    return len(re.findall(f'class="{css}', html))


def test_list_shows_candidates_and_register_within_a_fixed_query_budget(tree: Tree) -> None:
    client = staff_client(tree.city_staff)
    with at(2026, 4, 10):
        first = _repeater(tree, IDS[0], "反映待遇问题甲")
        client.get("/longterm/")  # warm caches
        with CaptureQueriesContext(connection) as one:
            html = client.get("/longterm/").content.decode()
        assert _rows(html, "candidate-row") == 1 and first.number in html
        for i, id_number in enumerate(IDS[1:]):
            case = _repeater(tree, id_number, f"反映待遇问题{i}")
            services.entry_register(
                actor=tree.city_staff,
                case=case,
                petitioner=Petitioner.objects.get(name="老户" + id_number[-2:]),
                analysis="原因",
                measures="措施",
                leader=tree.city_staff,
                officer=tree.city_staff,
                target_on=dt.date(2026, 5, 1),
            )
        with CaptureQueriesContext(connection) as three:
            html = client.get("/longterm/").content.decode()
    assert _rows(html, "candidate-row") == 1 and _rows(html, "entry-row") == 2
    assert len(three.captured_queries) == len(one.captured_queries)
    assert len(three.captured_queries) <= LIST_BUDGET
    assert "信访老户台账" in html and "R-" not in html


def test_register_review_and_conclude_through_the_pages(tree: Tree) -> None:
    client = staff_client(tree.city_staff)
    handler = tree.staff(tree.city_org, "handler")
    with at(2026, 4, 10):
        case = _repeater(tree, IDS[0], "反映待遇问题")
        person = Petitioner.objects.get()
        url = f"/longterm/cases/{case.pk}/new/"
        page = client.get(url, {"petitioner": person.pk}).content.decode()
        assert "老户77" in page  # the responsible department may know who petitions
        # An empty analysis: the refusal in Chinese beside its field, no rule ID on screen.
        bad = client.post(
            url,
            {
                "petitioner": person.pk,
                "analysis": "",
                "measures": "措施",
                "leader": tree.city_staff.pk,
                "officer": handler.pk,
                "target_on": "2026-06-30",
            },
        ).content.decode()
        assert "请填写长期不能结案的原因分析" in bad and "R-REPEAT" not in bad
        assert not Entry.objects.exists()
        done = client.post(
            url,
            {
                "petitioner": person.pk,
                "analysis": "历史遗留",
                "measures": "约谈",
                "leader": tree.city_staff.pk,
                "officer": handler.pk,
                "target_on": "2026-06-30",
            },
        )
        entry = Entry.objects.get()
        assert done.status_code == 302 and done["Location"] == f"/longterm/{entry.pk}/"
        client.post(
            f"/longterm/{entry.pk}/review/", {"reviewed_on": "2026-04-10", "progress": "已约谈"}
        )
        page = client.get(f"/longterm/{entry.pk}/").content.decode()
        assert "已约谈" in page and "老户77" in page
        refused = client.post(
            f"/longterm/{entry.pk}/conclude/",
            {"ended_on": "2026-04-10", "text": "已答复", "position_statement": "口径"},
        ).content.decode()
        assert "案件尚未办结" in refused and "R-REPEAT" not in refused
        to_closed(case, tree.city_staff, handler)
        client.post(
            f"/longterm/{entry.pk}/conclude/",
            {
                "ended_on": "2026-04-10",
                "text": "已答复",
                "position_statement": "原答复不变，各级一致",
            },
        )
    assert Entry.objects.get().outcome == Outcome.CONCLUDED
    # R-REPEAT-3, R-INFO-2: the case page shows the position statement.
    assert "原答复不变，各级一致" in client.get(f"/cases/{case.pk}/").content.decode()


def test_other_departments_and_registrars_are_kept_out(tree: Tree) -> None:
    with at(2026, 4, 10):
        case = _repeater(tree, IDS[0], "反映待遇问题")
        entry = services.entry_register(
            actor=tree.city_staff,
            case=case,
            petitioner=Petitioner.objects.get(),
            analysis="原因",
            measures="措施",
            leader=tree.city_staff,
            officer=tree.city_staff,
            target_on=dt.date(2026, 5, 1),
        )
    outsider = staff_client(tree.baisha_staff)
    assert outsider.get(f"/longterm/{entry.pk}/").status_code == 404
    assert outsider.get(f"/longterm/cases/{case.pk}/new/").status_code == 404
    assert "entry-row" not in outsider.get("/longterm/").content.decode()
    registrar = staff_client(tree.staff(tree.city_org, "registrar"))
    assert registrar.get("/longterm/").status_code == 403


def test_r_repeat_2_the_list_and_the_entry_show_the_next_review(tree: Tree) -> None:
    """Registered on 04-10 with a review every 7 days: due 04-17, overdue from 04-18."""
    client = staff_client(tree.city_staff)
    form = {
        "analysis": "历史遗留",
        "measures": "约谈",
        "leader": tree.city_staff.pk,
        "officer": tree.city_staff.pk,
        "target_on": "2026-06-30",
    }
    with at(2026, 4, 10):
        case = _repeater(tree, IDS[0], "反映待遇问题")
        url = f"/longterm/cases/{case.pk}/new/"
        person = Petitioner.objects.get().pk
        bad = client.post(url, {**form, "petitioner": person, "review_every_days": "0"})
        text = bad.content.decode()
        assert "定期复查周期须为1至366天" in text and "R-REPEAT" not in text
        assert not Entry.objects.exists()
        client.post(url, {**form, "petitioner": person, "review_every_days": "7"})
    entry = Entry.objects.get()
    for day, late in ((17, False), (18, True)):
        with at(2026, 4, day):
            listed = client.get("/longterm/").content.decode()
            page = client.get(f"/longterm/{entry.pk}/").content.decode()
        cell = re.search(r'<td class="next-review">(.*?)</td>', listed)
        assert cell is not None
        assert cell.group(1).startswith("2026-04-17")
        assert ("（已逾期）" in cell.group(1)) is late
        assert "每7天" in page and "2026年4月17日" in page
        assert ("（已逾期）" in page) is late


def test_r_info_2_the_department_above_sees_the_statement_on_its_case_page(tree: Tree) -> None:
    """Concluded at 河口县 on the case 临江市 sent down: the statement is on the city's page of
    its own case and on the county's; 白沙, which handles neither, cannot open them."""
    root, child, _entry = concluded_below(tree)
    with at(2026, 4, 1):
        city = staff_client(tree.city_staff).get(f"/cases/{root.pk}/")
        county = staff_client(tree.county_staff).get(f"/cases/{child.pk}/")
        stranger = staff_client(tree.baisha_staff).get(f"/cases/{root.pk}/")
    assert STATEMENT in city.content.decode()
    assert STATEMENT in county.content.decode()
    assert stranger.status_code == 404
