"""R-PROTECT-1 in the printed documents: every document of every case of the world, in
every format, for every user, read as text (HTML, the .docx's XML, the PDF's text), with
the world moved on so that every kind exists: the 2022 rules in force (acceptance notices),
a case handled here, and one closed and archived (结案报告, 案卷). The walk of every URL in
test_every_door.py covers the documents of the world as it stands; this one covers the kinds
that world does not reach."""

from __future__ import annotations

import datetime as dt
from unittest import mock

from django.urls import reverse
from django.utils import timezone

from tests.builders import complete_closure, to_read
from tests.clients import staff_client
from tests.protection.conftest import World
from tests.protection.test_every_door import forbidden_markers, response_text
from xinfang.cases import actions as cs
from xinfang.cases.models import Case
from xinfang.deadlines.models import RuleSet
from xinfang.deadlines.services import rule_set_activate

KINDS = ("registration", "acceptance", "letter", "closure", "dossier")


def _move_on(world: World) -> None:
    t = world.tree
    rule_set_activate(
        actor=t.staff(t.prov_org, "administrator"), rule_set=RuleSet.objects.get(code="2022")
    )
    # The city handles the visit itself (受理告知书 under the 2022 rules).
    signed = to_read(world.signed, t.city_staff)
    cs.case_handle_here(
        actor=t.city_staff, handler=t.city_staff, case=signed, routing_note="本部门直接调查"
    )
    # The county closes the personal request and archives it after the 复查 window.
    leader = t.staff(t.county_org, "leader", name="county-approver")
    personal = to_read(world.personal, t.county_staff)
    personal = cs.case_handle_here(
        actor=t.county_staff, handler=t.county_staff, case=personal, routing_note="本部门办理"
    )
    cs.closure_submit(actor=t.county_staff, case=personal, **complete_closure(personal))
    cs.closure_approve(actor=leader, case=Case.objects.get(pk=personal.pk))
    later = timezone.now() + dt.timedelta(days=45)
    with mock.patch("django.utils.timezone.now", return_value=later):
        cs.case_archive(actor=t.county_staff, case=Case.objects.get(pk=personal.pk))


def test_r_protect_1_no_document_shows_what_the_user_may_not_read(world: World) -> None:
    _move_on(world)
    cases = [world.signed, world.unit, world.unit_child, world.anonymous, world.personal]
    shown: set[str] = set()
    for user_key, user in world.users().items():
        client = staff_client(user)
        forbidden = forbidden_markers(world, user_key)
        for case in cases:
            for kind in KINDS:
                urls = [reverse("web:document", kwargs={"case_id": case.pk, "kind": kind})]
                urls += [
                    reverse(
                        "web:document_file", kwargs={"case_id": case.pk, "kind": kind, "fmt": f}
                    )
                    for f in ("docx", "pdf")
                ]
                for url in urls:
                    response = client.get(url)
                    assert response.status_code in (200, 404), f"{user_key} {url}"
                    if response.status_code == 200:
                        shown.add(kind)
                    text = response_text(response)
                    leaked = [m for m in forbidden if m in text]
                    assert not leaked, f"{user_key} {url} shows {leaked}"
    # The walk reached every kind of document.
    assert shown == set(KINDS)
