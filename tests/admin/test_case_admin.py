"""Case and petition admin: who sees which case (design.md, Security), and read-only pages.

NetBox style: for each page, no access, full access, and access limited to some objects.
"""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from tests.admin.conftest import Login
from tests.builders import register, to_handling
from tests.orgtree import Tree
from xinfang.cases import actions as cs
from xinfang.cases.models import Case
from xinfang.orgs.models import User
from xinfang.petitions.models import Petition

CHANGELIST = reverse("admin:cases_case_changelist")


def change_url(case: Case) -> str:
    return reverse("admin:cases_case_change", args=[case.pk])


def listed(client: Client, url: str = CHANGELIST) -> list[int]:
    response = client.get(url)
    assert response.status_code == 200
    return [obj.pk for obj in response.context["cl"].result_list]


def assert_not_found(client: Client, url: str) -> None:
    """The admin answers a case outside the user's view exactly as a missing one: a redirect
    to the index with a "不存在" message (the same as for an id that never existed)."""
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("不存在" in m for m in messages), messages


@pytest.fixture
def case(tree: Tree) -> Case:
    return register(tree.county_staff)


def test_user_without_department_sees_no_case(tree: Tree, case: Case, login: Login) -> None:
    nobody = User.objects.create_user(username="nobody", full_name="无部门")
    client = login(nobody)
    assert listed(client) == []
    assert_not_found(client, change_url(case))


def test_superuser_without_department_sees_no_case(tree: Tree, case: Case, login: Login) -> None:
    root = User.objects.create_superuser(username="root", password="x")
    client = login(root)
    assert listed(client) == []
    assert_not_found(client, change_url(case))


def test_missing_and_forbidden_answer_alike(tree: Tree, case: Case, login: Login) -> None:
    client = login(tree.baisha_staff)
    assert_not_found(client, reverse("admin:cases_case_change", args=[case.pk + 1000]))
    assert_not_found(client, change_url(case))


def test_responsible_department_sees_its_case(tree: Tree, case: Case, login: Login) -> None:
    client = login(tree.county_staff)
    assert listed(client) == [case.pk]
    response = client.get(change_url(case))
    assert response.status_code == 200
    content = response.content.decode()
    assert case.number in content
    assert "反映某局长在干部选拔中搞亲属关系" in content
    assert "办理记录（时间线）" in content
    assert "登记" in content


def test_unrelated_department_gets_not_found(tree: Tree, case: Case, login: Login) -> None:
    for user in (tree.baisha_staff, tree.county_hr_staff, tree.city_staff):
        client = login(user)
        assert listed(client) == []
        assert_not_found(client, change_url(case))
        assert_not_found(client, reverse("admin:cases_case_history", args=[case.pk]))


def test_upper_supervisor_sees_lower_cases(tree: Tree, case: Case, login: Login) -> None:
    for supervisor in (tree.city_supervisor, tree.prov_supervisor):
        client = login(supervisor)
        assert listed(client) == [case.pk]
        assert client.get(change_url(case)).status_code == 200


def test_supervisor_of_another_branch_sees_nothing(tree: Tree, case: Case, login: Login) -> None:
    other = tree.staff(tree.qingshan_org, "supervisor")
    client = login(other)
    assert listed(client) == []
    assert_not_found(client, change_url(case))


def test_case_sent_down_is_seen_by_both_departments(tree: Tree, login: Login) -> None:
    upper = register(tree.city_staff)
    upper = cs.case_read(actor=tree.city_staff, case=upper, text="转河口县委组织部办理。")
    child = cs.case_transfer_down(
        routing_note="按实际情况分办",
        actor=tree.city_staff,
        case=upper,
        to_department=tree.county_org,
    ).child
    assert sorted(listed(login(tree.city_staff))) == sorted([upper.pk, child.pk])
    county = login(tree.county_staff)
    assert listed(county) == [child.pk]
    assert_not_found(county, change_url(upper))
    # The petitions belong to the first case; the receiving department sees them too.
    petition = Petition.objects.get(case=upper)
    response = county.get(reverse("admin:petitions_petition_changelist"))
    assert [p.pk for p in response.context["cl"].result_list] == [petition.pk]
    assert (
        county.get(reverse("admin:petitions_petition_change", args=[petition.pk])).status_code
        == 200
    )


def test_filters_by_state_and_mode(tree: Tree, login: Login) -> None:
    first = register(tree.county_staff)
    second = to_handling(
        register(tree.county_staff, summary="反映职级待遇未落实"), tree.county_staff
    )
    client = login(tree.county_staff)
    assert listed(client, CHANGELIST + "?state__exact=registered") == [first.pk]
    assert listed(client, CHANGELIST + "?handling_mode__exact=self") == [second.pk]
    assert sorted(listed(client, CHANGELIST + "?category__exact=misconduct")) == sorted(
        [first.pk, second.pk]
    )


def test_case_pages_are_read_only(tree: Tree, case: Case, login: Login) -> None:
    client = login(tree.county_staff)
    assert client.get(reverse("admin:cases_case_add")).status_code == 403
    response = client.post(change_url(case), {"title": "改写"})
    assert response.status_code == 403
    assert client.get(reverse("admin:cases_case_delete", args=[case.pk])).status_code == 403
    page = client.get(change_url(case)).content.decode()
    assert 'name="_save"' not in page
    case.refresh_from_db()
    assert case.title == "反映某局长在干部选拔中搞亲属关系"
    petition = Petition.objects.get(case=case)
    assert client.get(reverse("admin:petitions_petition_add")).status_code == 403
    url = reverse("admin:petitions_petition_change", args=[petition.pk])
    assert client.post(url, {"summary": "改写"}).status_code == 403


def test_petition_list_limited_to_visible_cases(tree: Tree, case: Case, login: Login) -> None:
    mine = Petition.objects.get(case=case)
    other = Petition.objects.get(case=register(tree.baisha_staff))
    url = reverse("admin:petitions_petition_changelist")
    response = login(tree.county_staff).get(url)
    assert [p.pk for p in response.context["cl"].result_list] == [mine.pk]
    assert_not_found(
        login(tree.county_staff), reverse("admin:petitions_petition_change", args=[other.pk])
    )


def test_case_admin_hidden_from_non_staff(tree: Tree, case: Case, client: Client) -> None:
    client.force_login(tree.county_staff)  # is_staff is False
    response = client.get(CHANGELIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_case_page_shows_routing_proposal_and_clocks(tree: Tree, login: Login) -> None:
    """Issue 3: the routing proposal with its reasons and the case's clocks are visible."""
    from tests.builders import RespondentInput, to_read

    case = to_read(
        register(tree.city_staff, respondents=[RespondentInput(cadre=tree.township_secretary)]),
        tree.city_staff,
    )
    client = login(tree.city_staff)
    page = client.get(change_url(case)).content.decode()
    assert "河口县委组织部" in page, "live proposal while undecided"
    # The reason's rule by its grounds in Chinese, never by its ID (R-ROUTE-2).
    assert "按照干部管理权限，对反映本级党委管理的干部的问题要认真调查处理" in page
    assert "R-ROUTE-" not in page
    cs.case_assign_down(actor=tree.city_staff, case=case, to_department=tree.county_org)
    page = client.get(change_url(case)).content.decode()
    assert "采纳建议" in page
    child = Case.objects.get(parent=case)
    page = client.get(change_url(child)).content.decode()
    assert "交办案件报结" in page and f"{child.due_on:%Y-%m-%d}" in page


def test_deadline_filter_lists_overdue_without_explanation(tree: Tree, login: Login) -> None:
    """R-CLOSE-2: overdue cases without an explanation, for the department and the level above."""
    import datetime as dt
    from unittest import mock

    from django.utils import timezone

    from tests.builders import to_read

    parent = to_read(register(tree.city_staff), tree.city_staff)
    cs.case_assign_down(
        actor=tree.city_staff, case=parent, to_department=tree.county_org, routing_note="属地办理"
    )
    child = Case.objects.get(parent=parent)
    later = timezone.now() + dt.timedelta(days=100)
    with mock.patch("django.utils.timezone.now", return_value=later):
        for user in (tree.county_staff, tree.city_staff):
            assert child.pk in listed(login(user), CHANGELIST + "?deadline=unexplained")
        assert child.pk in listed(login(tree.county_staff), CHANGELIST + "?deadline=overdue")
        cs.overdue_explain(
            actor=tree.county_staff,
            case=child,
            reason="调查取证中",
            new_expected_on=timezone.localdate() + dt.timedelta(days=10),
        )
        assert child.pk not in listed(login(tree.city_staff), CHANGELIST + "?deadline=unexplained")
    assert listed(login(tree.county_staff), CHANGELIST + "?deadline=overdue") == []


def test_routing_decisions_and_objections_pages(tree: Tree, login: Login) -> None:
    from tests.builders import to_read

    parent = to_read(register(tree.city_staff), tree.city_staff)
    assignment = cs.case_assign_down(
        actor=tree.city_staff, case=parent, to_department=tree.county_org, routing_note="属地办理"
    )
    cs.objection_raise(actor=tree.county_staff, assignment=assignment, reasons="不属本县管理")
    for user, seen in ((tree.city_staff, 1), (tree.county_staff, 1), (tree.baisha_staff, 0)):
        client = login(user)
        assert len(listed(client, reverse("admin:cases_objection_changelist"))) == seen
        decisions = listed(client, reverse("admin:cases_routingdecision_changelist"))
        assert len(decisions) == (1 if user == tree.city_staff else 0)
    # The decision's page: the modes by their Chinese names, never their codes; the reasons
    # as lines with their grounds, never a JSON list.
    decision = parent.routing_decisions.get()
    page = (
        login(tree.city_staff)
        .get(reverse("admin:cases_routingdecision_change", args=[decision.pk]))
        .content.decode()
    )
    assert "建议处理方式" in page and "决定处理方式" in page
    assert ">交办<" in page.replace("\n", "").replace(" ", "")
    assert "assign" not in page.split("<body", 1)[1].split("<script", 1)[0].replace(
        "assignment", ""
    )
    assert "[&quot;" not in page


def test_a_paused_case_is_not_overdue_anywhere(tree: Tree, login: Login) -> None:
    """R-CLOSE-2: one definition of overdue for the admin filter, the workload and the list."""
    import datetime as dt
    from unittest import mock

    from django.utils import timezone

    from tests.builders import to_read
    from xinfang.cases.actions import pause_start
    from xinfang.cases.clocks import overdue_cases_without_explanation
    from xinfang.cases.selectors import staff_workload

    parent = to_read(register(tree.city_staff), tree.city_staff)
    cs.case_assign_down(
        actor=tree.city_staff, case=parent, to_department=tree.county_org, routing_note="属地办理"
    )
    child = Case.objects.get(parent=parent)
    handler = tree.staff(tree.county_org, "handler")
    child = cs.case_handle_here(
        actor=tree.county_staff,
        handler=handler,
        case=cs.case_read(actor=tree.county_staff, case=child, text="办"),
    )
    later = timezone.now() + dt.timedelta(days=100)
    with mock.patch("django.utils.timezone.now", return_value=later):
        today = timezone.localdate()
        assert child.pk in listed(login(tree.county_staff), CHANGELIST + "?deadline=overdue")
        workload = {w.user.pk: w for w in staff_workload(tree.county_org, today)}
        assert workload[handler.pk].overdue_cases == 1
        pause_start(
            actor=tree.county_staff,
            case=child,
            reason="等待司法鉴定结论",
            legal_basis="《信访工作条例》",
        )
        assert listed(login(tree.county_staff), CHANGELIST + "?deadline=overdue") == []
        workload = {w.user.pk: w for w in staff_workload(tree.county_org, today)}
        assert workload[handler.pk].overdue_cases == 0
        assert not overdue_cases_without_explanation(tree.county_org, today).exists()


def test_extension_and_pause_pages_show_only_visible_cases(tree: Tree, login: Login) -> None:
    """Records about cases follow cases_visible_to (design.md, Security), superusers included."""
    from django.utils import timezone

    from tests.builders import to_read
    from xinfang.cases.actions import extension_grant
    from xinfang.deadlines.models import RuleSet
    from xinfang.deadlines.services import rule_set_activate

    rule_set_activate(
        actor=tree.staff(tree.prov_org, "administrator"), rule_set=RuleSet.objects.get(code="2022")
    )
    case = cs.case_handle_here(
        actor=tree.county_staff,
        handler=tree.county_staff,
        case=to_read(register(tree.county_staff), tree.county_staff),
    )
    extension_grant(
        actor=tree.county_staff,
        case=case,
        days=10,
        reason="涉及人员多",
        legal_basis="《信访工作条例》",
        petitioner_told_on=timezone.localdate(),
        petitioner_told_how="电话告知",
    )
    url = reverse("admin:cases_extension_changelist")
    assert len(listed(login(tree.county_staff), url)) == 1
    assert listed(login(tree.baisha_staff), url) == []
    root = User.objects.create_superuser(username="root2", password="x")
    assert listed(login(root), url) == []
