"""Issue 11: undoing a repeat link (automatic or by hand) and a merge from the case page.
Both are recorded on both timelines, which stay whole (nothing deleted; the hash chains
verify). Expected labels, states and messages are written here."""

from __future__ import annotations

from django.test import Client, override_settings
from django.urls import reverse

from tests.builders import register, registration
from tests.clients import staff_client
from tests.orgtree import Tree
from xinfang.cases import actions as cs
from xinfang.cases.models import Case, CaseEvent, State
from xinfang.cases.timeline import verify_chains
from xinfang.petitions.models import Petition

TEXT = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉"


def _page(client: Client, case: Case) -> str:
    return client.get(reverse("web:case", kwargs={"case_id": case.pk})).content.decode()


def _flow(case: Case, flow: str) -> str:
    return reverse("web:case_flow", kwargs={"case_id": case.pk, "flow": flow})


def _kinds(case: Case) -> list[str]:
    return list(CaseEvent.objects.filter(case=case).order_by("seq").values_list("kind", flat=True))


@override_settings(XINFANG_AUTO_REPEAT=True, XINFANG_REPEAT_WINDOW_DAYS=30)
def test_an_automatic_link_is_undone_from_the_page_on_both_timelines(tree: Tree) -> None:
    first = register(tree.county_staff, content=TEXT)
    again = registration(tree.county_staff, content=TEXT)
    assert again.case.pk == first.pk  # linked automatically
    client = staff_client(tree.staff(tree.county_org, "registrar"))
    assert _flow(first, "unlink_repeat") in _page(client, first)
    form = client.get(_flow(first, "unlink_repeat")).content.decode()
    assert "撤销重信重访关联" in form
    assert "系统自动关联（同一信访人、相同内容）" in form
    response = client.post(
        _flow(first, "unlink_repeat"),
        {"petition": again.petition.pk, "reason": "内容相同但另有诉求"},
        follow=True,
    )
    new = Case.objects.get(pk=Petition.objects.get(pk=again.petition.pk).case_id)
    assert new.pk != first.pk
    assert f"已撤销重信重访关联，该信访件另立案件{new.number}。" in response.content.decode()
    assert _kinds(first) == ["register", "add_petition", "repeat_unlinked"]
    assert _kinds(new) == ["unlinked_in"]
    # Both timelines show it in Chinese, no event code on screen.
    old_page, new_page = _page(client, first), _page(client, new)
    assert "撤销重信重访关联" in old_page and "repeat_unlinked" not in old_page
    assert "撤销重信重访关联后另立案件" in new_page and "unlinked_in" not in new_page
    # The only petition left: nothing more to unlink, the button is gone.
    assert _flow(first, "unlink_repeat") not in _page(client, first)
    assert list(verify_chains()) == []


def test_a_merge_is_undone_from_the_merged_case_page(tree: Tree) -> None:
    target = register(tree.county_staff)
    merged = cs.case_read(actor=tree.county_staff, case=register(tree.county_staff), text="阅")
    cs.case_merge(actor=tree.county_staff, case=merged, into=target, reason="同一事项")
    leader = staff_client(tree.staff(tree.county_org, "leader"))
    page = _page(leader, merged)
    assert _flow(merged, "unmerge") in page
    form = leader.get(_flow(merged, "unmerge")).content.decode()
    assert target.number in form  # the case it went into, named on the form
    response = leader.post(_flow(merged, "unmerge"), {"reason": "并案有误"}, follow=True)
    assert "已撤销并案，本案回到“已阅批”状态。" in response.content.decode()
    back = Case.objects.get(pk=merged.pk)
    assert (back.state, back.merged_into_id) == (State.READ, None)
    assert _kinds(merged) == ["register", "read", "merge", "unmerge"]
    assert _kinds(target) == ["register", "merged_in", "unmerged_out"]
    assert "撤销并案，信访件移回原案件" in _page(leader, target)
    assert list(verify_chains()) == []


def test_no_unmerge_once_the_case_merged_into_is_archived(tree: Tree) -> None:
    target = register(tree.county_staff)
    merged = register(tree.county_staff)
    cs.case_merge(actor=tree.county_staff, case=merged, into=target, reason="同一事项")
    target = cs.case_read(actor=tree.county_staff, case=target, text="阅")
    cs.case_file(actor=tree.county_staff, case=target, reason="存查", routing_note="存查即可")
    cs.case_archive(actor=tree.county_staff, case=target)
    leader = staff_client(tree.staff(tree.county_org, "leader"))
    assert _flow(merged, "unmerge") not in _page(leader, merged)
    response = leader.post(_flow(merged, "unmerge"), {"reason": "并案有误"})
    assert response.status_code == 403
    assert "无权操作" in response.content.decode()
    assert Case.objects.get(pk=merged.pk).state == State.MERGED
