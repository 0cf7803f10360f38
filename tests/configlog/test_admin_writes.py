"""The admin writes configuration only through the services: each save, delete and action
made on its pages is one log row naming the signed-in administrator."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.admin.conftest import Login, new_staff_form
from tests.configlog.conftest import logged_by_people, only_row
from tests.orgtree import Tree
from xinfang.configlog.models import ConfigChange
from xinfang.deadlines.models import RuleSet
from xinfang.orgs.models import Department, Post, StaffRole, User
from xinfang.routing.models import ReferralRule

pytestmark = pytest.mark.django_db


def test_department_saved_in_the_admin_is_logged(tree: Tree, sysadmin: User, login: Login) -> None:
    client = login(sysadmin)
    response = client.post(
        reverse("admin:orgs_department_change", args=[tree.county_hr.pk]),
        {
            "jurisdiction": tree.hekou.pk,
            "kind": "human_resources",
            "name": "河口县人力资源和社会保障局",
            "handles_petitions": "",
        },
    )
    assert response.status_code == 302
    row = only_row()
    assert (row.actor, row.action, row.object_repr) == (
        sysadmin,
        "changed",
        "河口县人力资源和社会保障局",
    )
    assert [(c["label"], c["old_display"], c["new_display"]) for c in row.changes] == [
        ("名称", "河口县人社局", "河口县人力资源和社会保障局"),
        ("使用本系统办理信访", "是", "否"),
    ]


def test_department_added_in_the_admin_is_logged(tree: Tree, sysadmin: User, login: Login) -> None:
    client = login(sysadmin)
    response = client.post(
        reverse("admin:orgs_department_add"),
        {"jurisdiction": tree.baisha.pk, "kind": "discipline", "name": "白沙县纪委监委"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    department = Department.objects.get(name="白沙县纪委监委")
    row = only_row()
    assert (row.action, row.object_id) == ("created", str(department.pk))
    assert [(c["label"], c["new_display"]) for c in row.changes] == [
        ("所属党委/地区", "白沙县"),
        ("部门类别", "纪委监委"),
        ("名称", "白沙县纪委监委"),
        ("使用本系统办理信访", "否"),
    ]


def test_r_protect_1_roles_changed_in_the_admin_are_logged(
    tree: Tree, sysadmin: User, login: Login
) -> None:
    clerk = tree.staff(tree.baisha_org, "registrar", name="clerk")
    joined = timezone.make_aware(dt.datetime(2024, 1, 1, 8, 0))
    User.objects.filter(pk=clerk.pk).update(date_joined=joined)
    registrar = StaffRole.objects.get(user=clerk)
    client = login(sysadmin)
    response = client.post(
        reverse("admin:orgs_user_change", args=[clerk.pk]),
        {
            "username": "clerk",
            "full_name": "clerk",
            "email": "",
            "department": tree.baisha_org.pk,
            "petition_duty": "",
            "is_active": "on",
            "date_joined_0": "2024-01-01",
            "date_joined_1": "08:00:00",
            "staff_roles-TOTAL_FORMS": "2",
            "staff_roles-INITIAL_FORMS": "1",
            "staff_roles-0-id": registrar.pk,
            "staff_roles-0-user": clerk.pk,
            "staff_roles-0-role": "registrar",
            "staff_roles-0-DELETE": "on",
            "staff_roles-1-user": clerk.pk,
            "staff_roles-1-role": "leader",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert User.objects.get(pk=clerk.pk).role_set == {"leader"}
    row = only_row()
    assert (row.actor, row.object_repr) == (sysadmin, "clerk")
    assert row.changes == [
        {
            "field": "roles",
            "label": "角色",
            "old": ["registrar"],
            "new": ["leader"],
            "old_display": "登记员",
            "new_display": "部领导",
        }
    ]


def test_staff_added_in_the_admin_is_logged_with_roles_and_no_hash(
    tree: Tree, sysadmin: User, login: Login
) -> None:
    client = login(sysadmin)
    response = client.post(
        reverse("admin:orgs_user_add"),
        new_staff_form(tree),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="zhangmin")
    assert user.check_password("Xinfang-2024-pass") and user.role_set == {"registrar", "handler"}
    row = only_row()
    by_field = {c["label"]: c["new_display"] for c in row.changes}
    assert (row.action, row.object_repr) == ("created", "张敏")
    assert by_field["角色"] == "登记员、承办人"
    assert by_field["密码"] == "已设置密码"
    assert by_field["信访工作职责"] == "专职信访干部"
    assert user.password not in str(row.changes)


def test_password_set_in_the_admin_is_logged_as_changed(
    tree: Tree, sysadmin: User, login: Login
) -> None:
    target = tree.baisha_staff
    client = login(sysadmin)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[target.pk]),
        {"password1": "Another-2025-pass", "password2": "Another-2025-pass"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    target.refresh_from_db()
    assert target.check_password("Another-2025-pass")
    row = only_row()
    assert (row.actor, row.object_repr) == (sysadmin, str(target))
    assert [(c["label"], c["old_display"], c["new_display"]) for c in row.changes] == [
        ("密码", "—", "密码已修改")
    ]
    assert target.password not in str(row.changes)


def test_a_refused_delete_in_the_admin_keeps_the_row_and_logs_nothing(
    tree: Tree, sysadmin: User, login: Login
) -> None:
    client = login(sysadmin)
    url = reverse("admin:orgs_department_delete", args=[tree.county_org.pk])
    response = client.post(url, {"post": "yes"})
    # Django's own Chinese refusal page: the department is used by staff and posts.
    assert response.status_code == 200
    assert "受保护" in response.content.decode()
    assert Department.objects.filter(pk=tree.county_org.pk).exists()
    assert logged_by_people() == 0


def test_bulk_delete_in_the_admin_logs_each_row(tree: Tree, sysadmin: User, login: Login) -> None:
    spare = [
        Department.objects.create(jurisdiction=tree.baisha, kind="other", name=name)
        for name in ("白沙县档案馆", "白沙县党校")
    ]
    client = login(sysadmin)
    response = client.post(
        reverse("admin:orgs_department_changelist"),
        {"action": "delete_selected", "_selected_action": [d.pk for d in spare], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Department.objects.filter(pk__in=[d.pk for d in spare]).exists()
    rows = ConfigChange.objects.filter(actor=sysadmin).order_by("object_repr")
    assert [(r.action, r.object_repr) for r in rows] == [
        ("deleted", "白沙县党校"),
        ("deleted", "白沙县档案馆"),
    ]


def test_referral_rules_edited_in_the_list_are_logged(root: User, login: Login) -> None:
    client = login(root)
    rules = list(ReferralRule.objects.order_by("priority", "id"))
    data: dict[str, object] = {
        "form-TOTAL_FORMS": str(len(rules)),
        "form-INITIAL_FORMS": str(len(rules)),
        "_save": "保存",
    }
    for i, rule in enumerate(rules):
        data[f"form-{i}-id"] = rule.pk
        data[f"form-{i}-priority"] = 15 if rule.topic == "涉法涉诉问题" else rule.priority
        if rule.is_active:
            data[f"form-{i}-is_active"] = "on"
    response = client.post(reverse("admin:routing_referralrule_changelist"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    row = only_row()
    assert (row.actor, row.object_repr) == (root, "涉法涉诉问题")
    assert [(c["label"], c["old_display"], c["new_display"]) for c in row.changes] == [
        ("匹配顺序", "20", "15")
    ]


def test_r_county_2_yearly_target_added_in_the_admin_is_logged(
    tree: Tree, root: User, login: Login
) -> None:
    client = login(root)
    response = client.post(
        reverse("admin:cases_yearlytarget_add"),
        {
            "department": tree.county_org.pk,
            "year": 2025,
            "self_handled_rate": "60",
            "repeat_rate": "5",
            "closure_rate": "90",
        },
    )
    assert response.status_code == 302
    row = only_row()
    assert (row.actor, row.action, row.object_repr) == (
        root,
        "created",
        "河口县委组织部 2025年责任目标",
    )
    assert [(c["label"], c["new_display"]) for c in row.changes] == [
        ("部门", "河口县委组织部"),
        ("年度", "2025"),
        ("自办案件率目标(%)", "60"),
        ("重信重访率上限(%)", "5"),
        ("年终结案率目标(%)", "90"),
    ]


def test_rule_set_activated_in_the_admin_is_logged(root: User, login: Login) -> None:
    client = login(root)
    rule_set = RuleSet.objects.get(code="2022")
    response = client.post(
        reverse("admin:deadlines_ruleset_changelist"),
        {"action": "activate", "_selected_action": [rule_set.pk]},
    )
    assert response.status_code == 302
    row = only_row()
    assert (row.actor, row.action, row.object_repr) == (root, "activated", "2022年《信访工作条例》")


def test_saving_a_rule_set_page_writes_nothing(root: User, login: Login) -> None:
    client = login(root)
    rule_set = RuleSet.objects.get(code="2022")
    client.post(reverse("admin:deadlines_ruleset_change", args=[rule_set.pk]), {})
    assert logged_by_people() == 0
    assert RuleSet.objects.get(active=True).code == "1987"


def test_calendar_day_added_in_the_admin_is_logged(root: User, login: Login) -> None:
    client = login(root)
    response = client.post(
        reverse("admin:deadlines_calendarday_add"),
        {"date": "2025-03-04", "is_workday": "", "name": "临时休息"},
    )
    assert response.status_code == 302
    row = only_row()
    assert (row.actor, row.action, row.object_repr) == (root, "created", "2025-03-04 临时休息")


def test_a_service_refusal_in_the_admin_is_a_chinese_message_and_writes_nothing(
    sysadmin: User, login: Login
) -> None:
    client = login(sysadmin)
    response = client.post(
        reverse("admin:orgs_user_delete", args=[sysadmin.pk]), {"post": "yes"}, follow=True
    )
    assert response.status_code == 200
    assert "不能删除自己的账号" in response.content.decode()
    assert User.objects.filter(pk=sysadmin.pk).exists()
    assert logged_by_people() == 0


def test_post_and_cadre_added_in_the_admin_are_logged(
    tree: Tree, sysadmin: User, login: Login
) -> None:
    """R-ROUTE-2: who manages a post's holder is on record from the day it is entered."""
    client = login(sysadmin)
    response = client.post(
        reverse("admin:orgs_post_add"),
        {
            "title": "副县长",
            "jurisdiction": tree.baisha.pk,
            "unit_name": "",
            "rank": "division",
            "managing_jurisdiction": tree.linjiang.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    post = Post.objects.get(title="副县长")
    response = client.post(reverse("admin:orgs_cadre_add"), {"name": "郑光明", "post": post.pk})
    assert response.status_code == 302, response.content.decode()[:3000]
    rows = ConfigChange.objects.filter(actor=sysadmin).order_by("pk")
    assert [(r.model_label, r.action, r.object_repr) for r in rows] == [
        ("职务", "created", "白沙县副县长"),
        ("干部", "created", "郑光明"),
    ]
    assert [(c["label"], c["new_display"]) for c in rows[0].changes] == [
        ("职务", "副县长"),
        ("任职地区/单位", "白沙县"),
        ("职级", "县处级"),
        ("干部管理权限所在党委", "临江市"),
        ("主要领导（一把手）", "否"),
    ]
    assert [(c["label"], c["new_display"]) for c in rows[1].changes] == [
        ("姓名", "郑光明"),
        ("现任职务", "白沙县副县长"),
    ]
