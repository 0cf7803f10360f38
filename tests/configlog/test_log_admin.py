"""The log is append-only (ORM and admin), read in Chinese, by superusers and 系统管理员."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from tests.admin.conftest import Login
from tests.configlog.conftest import only_row
from tests.orgtree import Tree
from xinfang.configlog.models import AppendOnlyError, ConfigChange
from xinfang.orgs import services
from xinfang.orgs.models import Department, User

pytestmark = pytest.mark.django_db


class _Text(HTMLParser):
    """The text a reader sees: no tags, attributes, scripts or styles."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


@pytest.fixture
def changed(tree: Tree, sysadmin: User) -> ConfigChange:
    services.department_update(
        actor=sysadmin,
        department=tree.county_hr,
        changes={"kind": "court", "name": "河口县人民法院", "handles_petitions": False},
    )
    return only_row()


def test_log_rows_cannot_be_changed_or_deleted_through_the_orm(changed: ConfigChange) -> None:
    row = ConfigChange.objects.get(pk=changed.pk)
    row.object_repr = "篡改"
    with pytest.raises(AppendOnlyError, match="配置变更记录只能追加，不能修改或删除"):
        row.save()
    with pytest.raises(AppendOnlyError, match="只能追加"):
        row.delete()
    with pytest.raises(AppendOnlyError, match="只能追加"):
        ConfigChange.objects.filter(pk=row.pk).update(object_repr="篡改")
    with pytest.raises(AppendOnlyError, match="只能追加"):
        ConfigChange.objects.filter(pk=row.pk).delete()
    with pytest.raises(AppendOnlyError, match="只能追加"):
        ConfigChange.objects.bulk_update([row], ["object_repr"])
    stored = ConfigChange.objects.get(pk=row.pk)
    assert stored.object_repr == "河口县人民法院"


def test_log_rows_cannot_be_added_changed_or_deleted_in_the_admin(
    changed: ConfigChange, root: User, login: Login
) -> None:
    client = login(root)
    change_url = reverse("admin:configlog_configchange_change", args=[changed.pk])
    page = client.get(change_url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.post(change_url, {"object_repr": "篡改", "action": "deleted"}).status_code == 403
    assert client.get(reverse("admin:configlog_configchange_add")).status_code == 403
    delete_url = reverse("admin:configlog_configchange_delete", args=[changed.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    listing = client.get(reverse("admin:configlog_configchange_changelist"))
    assert "delete_selected" not in listing.content.decode()
    client.post(
        reverse("admin:configlog_configchange_changelist"),
        {"action": "delete_selected", "_selected_action": [changed.pk], "post": "yes"},
    )
    stored = ConfigChange.objects.get(pk=changed.pk)
    assert (stored.object_repr, stored.action) == ("河口县人民法院", "changed")


def test_the_log_reads_in_chinese_without_internal_codes(
    changed: ConfigChange, sysadmin: User, login: Login
) -> None:
    client = login(sysadmin)
    listing = visible_text(
        client.get(reverse("admin:configlog_configchange_changelist")).content.decode()
    )
    for words in ("配置变更记录", "操作人", "配置项类型", "王立（wangli）", "部门", "修改"):
        assert words in listing, words
    assert "部门类别、名称、使用本系统办理信访" in listing
    detail = visible_text(
        client.get(
            reverse("admin:configlog_configchange_change", args=[changed.pk])
        ).content.decode()
    )
    for words in (
        "项目 原值 新值",
        "部门类别 人力资源和社会保障局 人民法院",
        "名称 河口县人社局 河口县人民法院",
        "使用本系统办理信访 是 否",
    ):
        assert words in detail, words
    for code in (
        "human_resources",
        "court",
        "handles_petitions",
        "orgs.department",
        "department",
        "changed",
        "configlog",
        "True",
        "False",
    ):
        assert code not in listing, code
        assert code not in detail, code


def test_the_log_filters_by_kind_of_setting_and_by_actor(
    tree: Tree, changed: ConfigChange, sysadmin: User, root: User, login: Login
) -> None:
    services.jurisdiction_update(actor=root, jurisdiction=tree.baisha, changes={"code": "420102"})
    client = login(sysadmin)
    url = reverse("admin:configlog_configchange_changelist")
    department_type = ContentType.objects.get_for_model(Department).pk
    by_kind = client.get(url, {"type": department_type, "actor__id__exact": sysadmin.pk})
    assert [r.object_repr for r in by_kind.context["cl"].result_list] == ["河口县人民法院"]
    by_root = client.get(url, {"actor__id__exact": root.pk}).context["cl"].result_list
    assert [(r.object_repr, r.model_label) for r in by_root] == [("白沙县", "党委/地区")]
    sidebar = visible_text(client.get(url).content.decode())
    assert "配置项类型" in sidebar and "党委/地区" in sidebar and "赵总管" in sidebar


def test_who_holds_no_administrator_role_cannot_open_the_log(
    tree: Tree, changed: ConfigChange, login: Login
) -> None:
    client = login(tree.county_staff)  # registrar, handler and leader, not 系统管理员
    assert client.get(reverse("admin:configlog_configchange_changelist")).status_code == 403
    detail = reverse("admin:configlog_configchange_change", args=[changed.pk])
    assert client.get(detail).status_code == 403
    assert "配置变更记录" not in client.get(reverse("admin:index")).content.decode()


LOG_LIST_BUDGET = 15  # 14 measured on SQLite (filters 3, date bar 2)


def test_the_log_list_does_not_query_per_row(
    tree: Tree,
    sysadmin: User,
    login: Login,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    """Query budget (tests/admin/test_query_counts.py): the same count for 1 row as for 30."""
    url = reverse("admin:configlog_configchange_changelist") + f"?actor__id__exact={sysadmin.pk}"
    services.jurisdiction_update(actor=sysadmin, jurisdiction=tree.baisha, changes={"code": "1"})
    client = login(sysadmin)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).context["cl"].result_count == 1
    for i in range(2, 31):
        services.jurisdiction_update(
            actor=sysadmin, jurisdiction=tree.baisha, changes={"code": str(i)}
        )
    with django_assert_max_num_queries(LOG_LIST_BUDGET):
        response = client.get(url)
    assert response.context["cl"].result_count == 30
    with CaptureQueriesContext(connection) as thirty:
        client.get(url)
    assert len(thirty.captured_queries) == len(one.captured_queries)
