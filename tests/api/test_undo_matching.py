"""Issue 11 over the API: unlink_repeat and unmerge call the actions the case page calls,
behind the page's own check (cases/available.py: may_act); a refusal is a 422 matched by
its Chinese message."""

from __future__ import annotations

from tests.api.conftest import Api
from tests.builders import register, registration
from tests.orgtree import Tree
from xinfang.cases import actions as cs
from xinfang.cases.models import Case, CaseEvent, State
from xinfang.petitions.models import Petition

NOT_OPEN = "您不能对本案进行此项操作"


def _kinds(case_id: int) -> list[str]:
    rows = CaseEvent.objects.filter(case_id=case_id).order_by("seq")
    return list(rows.values_list("kind", flat=True))


def test_a_repeat_is_unlinked_over_the_api(tree: Tree) -> None:
    case = register(tree.county_staff)
    repeat = registration(tree.county_staff, repeat_of=case).petition
    url = f"/api/cases/{case.pk}/actions/unlink_repeat"
    # A handler of the department: the page offers no form, the API refuses alike.
    status, data = Api(tree.staff(tree.county_org, "handler")).post(
        url, {"petition_id": repeat.pk, "reason": "不是同一事项"}
    )
    assert status == 422 and NOT_OPEN in data["message"], data
    registrar = Api(tree.staff(tree.county_org, "registrar"))
    first = Petition.objects.get(case=case, is_repeat=False)
    status, data = registrar.post(url, {"petition_id": first.pk, "reason": "不是同一事项"})
    assert (status, data["fields"]) == (422, {"petition_id": ["本案没有这件重信重访件。"]})
    status, data = registrar.post(url, {"petition_id": repeat.pk, "reason": "不是同一事项"})
    assert status == 200, data
    new_id = Petition.objects.get(pk=repeat.pk).case_id
    assert data["label"] == "撤销重信重访关联"
    assert data["record"] == {"kind": "case", "id": new_id}
    assert _kinds(case.pk) == ["register", "add_petition", "repeat_unlinked"]
    assert _kinds(new_id) == ["unlinked_in"]
    # Nothing left to unlink: refused by the page's check.
    status, data = registrar.post(url, {"petition_id": repeat.pk, "reason": "再撤一次"})
    assert status == 422 and NOT_OPEN in data["message"], data


def test_a_merge_is_undone_over_the_api(tree: Tree) -> None:
    target = register(tree.county_staff)
    merged = register(tree.county_staff)
    cs.case_merge(actor=tree.county_staff, case=merged, into=target, reason="同一事项")
    url = f"/api/cases/{merged.pk}/actions/unmerge"
    status, data = Api(tree.staff(tree.county_org, "handler")).post(url, {"reason": "并案有误"})
    assert status == 422 and NOT_OPEN in data["message"], data
    leader = Api(tree.staff(tree.county_org, "leader"))
    status, data = leader.get(f"/api/cases/{merged.pk}")
    assert [a["action"] for a in data["actions"]] == ["unmerge"]
    assert data["actions"][0]["path"] == url
    status, data = leader.post(url, {"reason": " "})
    assert status == 422 and "请填写撤销并案的理由" in data["message"], data
    status, data = leader.post(url, {"reason": "并案有误"})
    assert status == 200, data
    assert (data["label"], data["case"]["state"]) == ("撤销并案", "registered")
    assert Case.objects.get(pk=merged.pk).state == State.REGISTERED
    assert _kinds(merged.pk) == ["register", "merge", "unmerge"]
    assert _kinds(target.pk) == ["register", "merged_in", "unmerged_out"]
    status, data = leader.post(url, {"reason": "再撤一次"})
    assert status == 422 and NOT_OPEN in data["message"], data
