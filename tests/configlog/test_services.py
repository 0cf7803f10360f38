"""Every configuration write is logged: who, when, which row, each field from old to new, in
the transaction of the change; a refused or failed write logs nothing.

Expected rows are written out here in full, not computed from the code under test."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.configlog.conftest import logged_by_people, only_row
from tests.orgtree import Tree
from xinfang.cases import targets as case_services
from xinfang.cases.models import YearlyTarget
from xinfang.configlog.models import ConfigChange
from xinfang.core.errors import RuleViolation
from xinfang.deadlines import services as deadline_services
from xinfang.deadlines.calendar import invalidate_calendar
from xinfang.deadlines.models import CalendarDay, CalendarYear, RuleSet
from xinfang.deadlines.services import HolidayRange, MakeUpDay
from xinfang.orgs import services
from xinfang.orgs.models import Department, Jurisdiction, StaffRole, User
from xinfang.routing import services as routing_services
from xinfang.routing.models import ReferralRule

pytestmark = pytest.mark.django_db


def test_department_change_logs_actor_time_and_each_field_from_old_to_new(
    tree: Tree, sysadmin: User
) -> None:
    before = timezone.now()
    services.department_update(
        actor=sysadmin,
        department=tree.county_hr,
        changes={"kind": "court", "name": "河口县人民法院", "handles_petitions": True},
    )
    row = only_row()
    assert row.actor == sysadmin
    assert row.actor_name == "王立（wangli）"
    assert before <= row.at <= timezone.now()
    assert (row.model_label, row.object_id, row.object_repr) == (
        "部门",
        str(tree.county_hr.pk),
        "河口县人民法院",
    )
    assert row.action == "changed"
    # handles_petitions was already True: an unchanged field is not listed.
    assert row.changes == [
        {
            "field": "kind",
            "label": "部门类别",
            "old": "human_resources",
            "new": "court",
            "old_display": "人力资源和社会保障局",
            "new_display": "人民法院",
        },
        {
            "field": "name",
            "label": "名称",
            "old": "河口县人社局",
            "new": "河口县人民法院",
            "old_display": "河口县人社局",
            "new_display": "河口县人民法院",
        },
    ]


def test_jurisdiction_created_by_an_administrator_is_logged(tree: Tree, sysadmin: User) -> None:
    town = services.jurisdiction_create(
        actor=sysadmin, name="柳林镇", level="township", parent=tree.baisha, code="420101"
    )
    row = only_row()
    assert (row.action, row.object_id, row.object_repr) == ("created", str(town.pk), "柳林镇")
    assert row.changes == [
        {
            "field": "name",
            "label": "名称",
            "old": None,
            "new": "柳林镇",
            "old_display": "—",
            "new_display": "柳林镇",
        },
        {
            "field": "level",
            "label": "层级",
            "old": None,
            "new": "township",
            "old_display": "—",
            "new_display": "乡镇级",
        },
        {
            "field": "parent",
            "label": "上级",
            "old": None,
            "new": tree.baisha.pk,
            "old_display": "—",
            "new_display": "白沙县",
        },
        {
            "field": "code",
            "label": "区划代码",
            "old": None,
            "new": "420101",
            "old_display": "—",
            "new_display": "420101",
        },
    ]


def test_a_post_moved_to_another_managing_jurisdiction_logs_both_names(
    tree: Tree, sysadmin: User
) -> None:
    """The managing jurisdiction decides where a complaint about the holder goes (R-ROUTE-2)."""
    post = tree.county_bureau_chief.post
    assert post is not None
    services.post_update(
        actor=sysadmin, post=post, changes={"managing_jurisdiction": tree.linjiang}
    )
    assert only_row().changes == [
        {
            "field": "managing_jurisdiction",
            "label": "干部管理权限所在党委",
            "old": tree.hekou.pk,
            "new": tree.linjiang.pk,
            "old_display": "河口县",
            "new_display": "临江市",
        }
    ]


def test_cadre_added_and_deleted_are_logged(tree: Tree, sysadmin: User) -> None:
    post = tree.county_bureau_chief.post
    cadre = services.cadre_add(actor=sysadmin, name="吴新民", post=post)
    services.cadre_delete(actor=sysadmin, cadre=cadre)
    created, deleted = ConfigChange.objects.filter(actor=sysadmin).order_by("pk")
    expected = [
        {
            "field": "name",
            "label": "姓名",
            "old": None,
            "new": "吴新民",
            "old_display": "—",
            "new_display": "吴新民",
        },
        {
            "field": "post",
            "label": "现任职务",
            "old": None,
            "new": post.pk if post else None,
            "old_display": "—",
            "new_display": "河口县交通运输局局长",
        },
    ]
    assert (created.action, created.object_repr, created.changes) == ("created", "吴新民", expected)
    assert (deleted.action, deleted.object_repr, deleted.object_id) == (
        "deleted",
        "吴新民",
        str(cadre.pk),
    )
    assert deleted.changes == [
        {
            "field": "name",
            "label": "姓名",
            "old": "吴新民",
            "new": None,
            "old_display": "吴新民",
            "new_display": "—",
        },
        {
            "field": "post",
            "label": "现任职务",
            "old": post.pk if post else None,
            "new": None,
            "old_display": "河口县交通运输局局长",
            "new_display": "—",
        },
    ]


def test_r_protect_1_a_change_of_roles_is_logged_with_the_account(
    tree: Tree, sysadmin: User
) -> None:
    """Roles decide who may read an accuser's identity (R-PROTECT-1): who granted or took
    away one is on record."""
    clerk = services.staff_create(
        username="liming", full_name="李明", department=tree.county_org, roles=["registrar"]
    )
    services.staff_update(
        actor=sysadmin,
        user=clerk,
        changes={"petition_duty": "full_time"},
        roles=["registrar", "leader", "handler"],
    )
    assert set(StaffRole.objects.filter(user=clerk).values_list("role", flat=True)) == {
        "registrar",
        "handler",
        "leader",
    }
    row = only_row()
    assert (row.action, row.object_repr, row.actor) == ("changed", "李明", sysadmin)
    assert row.changes == [
        {
            "field": "petition_duty",
            "label": "信访工作职责",
            "old": "",
            "new": "full_time",
            "old_display": "—",
            "new_display": "专职信访干部",
        },
        {
            "field": "roles",
            "label": "角色",
            "old": ["registrar"],
            "new": ["registrar", "handler", "leader"],
            "old_display": "登记员",
            "new_display": "登记员、承办人、部领导",
        },
    ]


def test_staff_created_with_a_password_logs_that_it_was_set_never_the_hash(
    tree: Tree, sysadmin: User
) -> None:
    user = services.staff_create(
        actor=sysadmin,
        username="zhaomin",
        full_name="赵敏",
        department=tree.baisha_org,
        roles=["handler"],
        password="Xinfang-2024-pass",
    )
    row = only_row()
    by_field = {c["field"]: c for c in row.changes}
    assert by_field["password"] == {
        "field": "password",
        "label": "密码",
        "old": None,
        "new": None,
        "old_display": "—",
        "new_display": "已设置密码",
    }
    assert by_field["roles"]["new_display"] == "承办人"
    assert by_field["department"]["new_display"] == "白沙县委组织部"
    stored = json.dumps(row.changes, ensure_ascii=False)
    assert user.password not in stored and "Xinfang-2024-pass" not in stored
    assert "last_login" not in by_field
    # Fields left empty on a new account (e-mail, groups) are not listed as "— → —".
    assert "email" not in by_field and "groups" not in by_field


def test_password_change_is_logged_as_changed_without_any_hash(tree: Tree, sysadmin: User) -> None:
    target = tree.baisha_staff
    old_hash = User.objects.get(pk=target.pk).password
    services.staff_password_set(actor=sysadmin, user=target, password="Another-2025-pass")
    target.refresh_from_db()
    assert target.check_password("Another-2025-pass")
    row = only_row()
    assert row.changes == [
        {
            "field": "password",
            "label": "密码",
            "old": None,
            "new": None,
            "old_display": "—",
            "new_display": "密码已修改",
        }
    ]
    stored = json.dumps(row.changes, ensure_ascii=False)
    assert old_hash not in stored and target.password not in stored


def test_referral_rule_change_is_logged(sysadmin: User) -> None:
    """R-ROUTE-6: the rules that send matters to other departments are on record."""
    rule = ReferralRule.objects.get(topic="涉法涉诉问题")
    routing_services.referral_rule_update(
        actor=sysadmin, rule=rule, changes={"is_active": False, "priority": 25}
    )
    row = only_row()
    assert (row.model_label, row.object_repr) == ("转其他部门规则", "涉法涉诉问题")
    assert row.changes == [
        {
            "field": "priority",
            "label": "匹配顺序",
            "old": 20,
            "new": 25,
            "old_display": "20",
            "new_display": "25",
        },
        {
            "field": "is_active",
            "label": "启用",
            "old": True,
            "new": False,
            "old_display": "是",
            "new_display": "否",
        },
    ]


def test_r_county_2_yearly_target_set_and_changed_is_logged(tree: Tree, root: User) -> None:
    target = case_services.yearly_target_create(
        actor=root,
        department=tree.county_org,
        year=2025,
        self_handled_rate=Decimal("60"),
        repeat_rate=Decimal("5"),
        closure_rate=Decimal("90"),
    )
    case_services.yearly_target_update(
        actor=root, target=target, changes={"closure_rate": Decimal("95.50")}
    )
    created, changed = ConfigChange.objects.filter(actor=root).order_by("pk")
    assert created.object_repr == "河口县委组织部 2025年责任目标"
    assert [c["new_display"] for c in created.changes] == [
        "河口县委组织部",
        "2025",
        "60",
        "5",
        "90",
    ]
    assert changed.changes == [
        {
            "field": "closure_rate",
            "label": "年终结案率目标(%)",
            "old": "90.00",
            "new": "95.50",
            "old_display": "90.00",
            "new_display": "95.50",
        }
    ]


def test_r_county_2_targets_are_set_by_superusers_only(tree: Tree, sysadmin: User) -> None:
    with pytest.raises(RuleViolation, match="只有超级用户可以设置责任目标"):
        case_services.yearly_target_create(
            actor=sysadmin,
            department=tree.county_org,
            year=2025,
            self_handled_rate=Decimal("60"),
            repeat_rate=Decimal("5"),
            closure_rate=Decimal("90"),
        )
    assert not YearlyTarget.objects.exists()
    assert logged_by_people() == 0


def test_rule_set_activation_is_logged_with_the_one_it_replaced(sysadmin: User) -> None:
    deadline_services.rule_set_activate(actor=sysadmin, rule_set=RuleSet.objects.get(code="2022"))
    row = only_row()
    assert (row.action, row.get_action_display(), row.object_repr) == (
        "activated",
        "设为现行",
        "2022年《信访工作条例》",
    )
    assert row.changes == [
        {
            "field": "active",
            "label": "当前施行",
            "old": False,
            "new": True,
            "old_display": "否",
            "new_display": "是",
        },
        {
            "field": "in_force",
            "label": "现行期限规则",
            "old": RuleSet.objects.get(code="1987").pk,
            "new": RuleSet.objects.get(code="2022").pk,
            "old_display": "1987年中组部通知（报结三个月）",
            "new_display": "2022年《信访工作条例》",
        },
    ]
    # Activating the rule set already in force changes nothing and logs nothing.
    deadline_services.rule_set_activate(actor=sysadmin, rule_set=RuleSet.objects.get(code="2022"))
    assert logged_by_people() == 1


def test_calendar_day_set_changed_and_removed_are_logged(sysadmin: User) -> None:
    day = dt.date(2025, 3, 4)  # an ordinary Tuesday the package knows nothing about
    assert not CalendarDay.objects.filter(date=day).exists()
    deadline_services.calendar_day_set(actor=sysadmin, date=day, is_workday=False, name="临时休息")
    deadline_services.calendar_day_set(actor=sysadmin, date=day, is_workday=False, name="防汛休息")
    deadline_services.calendar_day_delete(actor=sysadmin, date=day)
    created, changed, deleted = ConfigChange.objects.filter(actor=sysadmin).order_by("pk")
    assert (created.action, created.object_repr) == ("created", "2025-03-04 临时休息")
    assert [(c["label"], c["new_display"]) for c in created.changes] == [
        ("日期", "2025-03-04"),
        ("是否工作日", "否"),
        ("名称", "临时休息"),
        ("来源", "管理员设置"),
    ]
    assert changed.changes == [
        {
            "field": "name",
            "label": "名称",
            "old": "临时休息",
            "new": "防汛休息",
            "old_display": "临时休息",
            "new_display": "防汛休息",
        }
    ]
    assert (deleted.action, deleted.object_repr) == ("deleted", "2025-03-04 防汛休息")
    assert [(c["label"], c["old_display"], c["new_display"]) for c in deleted.changes] == [
        ("日期", "2025-03-04", "—"),
        ("是否工作日", "否", "—"),
        ("名称", "防汛休息", "—"),
        ("来源", "管理员设置", "—"),
    ]


# --- refusals and failures write nothing ------------------------------------------------


def test_a_refused_change_writes_neither_the_change_nor_a_log_row(
    tree: Tree, sysadmin: User
) -> None:
    with pytest.raises(RuleViolation, match="包含 所属党委/地区 和 名称 的 部门 已经存在"):
        services.department_update(
            actor=sysadmin, department=tree.county_hr, changes={"name": "河口县委组织部"}
        )
    assert Department.objects.get(pk=tree.county_hr.pk).name == "河口县人社局"
    with pytest.raises(RuleViolation, match="党委/地区创建后不能改变上级"):
        services.jurisdiction_update(
            actor=sysadmin, jurisdiction=tree.hekou, changes={"parent": tree.qingshan}
        )
    assert Jurisdiction.objects.get(pk=tree.hekou.pk).parent_id == tree.linjiang.pk
    with pytest.raises(RuleViolation, match="没有这个角色：boss"):
        services.staff_update(
            actor=sysadmin, user=tree.baisha_staff, changes={"full_name": "改名"}, roles=["boss"]
        )
    assert User.objects.get(pk=tree.baisha_staff.pk).full_name == tree.baisha_staff.full_name
    with pytest.raises(RuleViolation, match="规则集没有办理期限或报结期限"):
        deadline_services.rule_set_activate(
            actor=sysadmin, rule_set=RuleSet.objects.create(code="empty", name="空规则集")
        )
    assert logged_by_people() == 0


def test_a_referenced_department_is_not_deleted_and_nothing_is_logged(
    tree: Tree, sysadmin: User
) -> None:
    with pytest.raises(RuleViolation, match="部门“河口县委组织部”仍被其他记录引用，不能删除"):
        services.department_delete(actor=sysadmin, department=tree.county_org)
    assert Department.objects.filter(pk=tree.county_org.pk).exists()
    assert logged_by_people() == 0


def test_who_is_not_an_administrator_changes_nothing(tree: Tree) -> None:
    with pytest.raises(RuleViolation, match="只有系统管理员可以修改组织机构和工作人员"):
        services.department_update(
            actor=tree.county_staff, department=tree.county_hr, changes={"name": "改名"}
        )
    with pytest.raises(RuleViolation, match="只有系统管理员可以修改组织机构和工作人员"):
        services.staff_update(
            actor=tree.county_staff, user=tree.county_staff, changes={}, roles=["administrator"]
        )
    with pytest.raises(RuleViolation, match="只有系统管理员可以修改转其他部门规则"):
        routing_services.referral_rule_update(
            actor=tree.county_staff,
            rule=ReferralRule.objects.get(topic="涉法涉诉问题"),
            changes={"is_active": False},
        )
    assert logged_by_people() == 0
    assert tree.county_staff.role_set == {"registrar", "handler", "leader"}


def test_an_administrator_cannot_make_a_superuser(tree: Tree, sysadmin: User) -> None:
    with pytest.raises(RuleViolation, match="只有超级用户可以设置超级用户身份"):
        services.staff_update(actor=sysadmin, user=sysadmin, changes={"is_superuser": True})
    assert not User.objects.get(pk=sysadmin.pk).is_superuser
    assert logged_by_people() == 0


def test_the_change_and_its_log_row_commit_together(
    tree: Tree, sysadmin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the log row cannot be written, the change is not kept either."""

    def broken(**kwargs: object) -> None:
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr(ConfigChange.objects, "create", broken)
    with pytest.raises(RuntimeError, match="磁盘已满"):
        services.department_update(
            actor=sysadmin, department=tree.county_hr, changes={"name": "河口县人民法院"}
        )
    assert Department.objects.get(pk=tree.county_hr.pk).name == "河口县人社局"


def test_fixtures_and_commands_log_as_the_system(tree: Tree) -> None:
    """Creations without a signed-in person (the demo, data loads) are logged too, as 系统."""
    row = ConfigChange.objects.get(object_repr="河口县委组织部", action="created")
    assert (row.actor, row.actor_display) == (None, "系统（命令或初始化）")


def test_a_person_s_bad_input_is_refused_in_chinese_before_anything_is_written(
    tree: Tree, sysadmin: User
) -> None:
    with pytest.raises(RuleViolation, match="部门类别：值 'ministry' 不是有效选项"):
        services.department_create(
            actor=sysadmin, jurisdiction=tree.baisha, kind="ministry", name="白沙县某部"
        )
    assert not Department.objects.filter(name="白沙县某部").exists()
    assert logged_by_people() == 0


def test_a_year_entered_from_the_notice_logs_each_day_and_the_year(sysadmin: User) -> None:
    CalendarDay.objects.filter(date__year=2027).delete()
    CalendarYear.objects.filter(year=2027).delete()
    invalidate_calendar()
    deadline_services.calendar_year_enter(
        actor=sysadmin,
        year=2027,
        holidays=[HolidayRange(dt.date(2027, 1, 1), dt.date(2027, 1, 3), "元旦")],
        workdays=[MakeUpDay(dt.date(2027, 1, 9), "元旦调休上班")],
        notice="国办发明电〔2026〕1号",
    )
    invalidate_calendar()
    rows = list(ConfigChange.objects.filter(actor=sysadmin).order_by("pk"))
    assert [(r.model_label, r.action, r.object_repr) for r in rows] == [
        ("工作日历", "created", "2027-01-01 元旦"),
        ("工作日历", "created", "2027-01-02 元旦"),
        ("工作日历", "created", "2027-01-03 元旦"),
        ("工作日历", "created", "2027-01-09 元旦调休上班"),
        ("已录入的年度节假日安排", "created", "2027年（管理员设置）"),
    ]
    assert [(c["label"], c["new_display"]) for c in rows[3].changes] == [
        ("日期", "2027-01-09"),
        ("是否工作日", "是"),
        ("名称", "元旦调休上班"),
        ("来源", "管理员设置"),
    ]
    assert [(c["label"], c["new_display"]) for c in rows[4].changes] == [
        ("年份", "2027"),
        ("来源", "管理员设置"),
        ("通知文号", "国办发明电〔2026〕1号"),
        ("录入人", "王立"),
    ]
