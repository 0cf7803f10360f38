"""R-REPEAT-1: the administrator edits the thresholds in the admin, through the services,
and each change is in the configuration audit log."""

from __future__ import annotations

from tests.clients import staff_client
from tests.orgtree import Tree
from xinfang.configlog.models import ConfigChange
from xinfang.orgs.models import User
from xinfang.persistent.models import Threshold


def test_administrator_edits_a_threshold_in_the_admin_and_it_is_logged(tree: Tree) -> None:
    # The admin's pages are Django's: model permissions, as a superuser has them.
    admin = User.objects.create_superuser(
        username="sysadmin", password="x", department=tree.prov_org, full_name="管理员"
    )
    client = staff_client(admin)
    row = Threshold.objects.get()
    page = client.get(f"/admin/persistent/threshold/{row.pk}/change/").content.decode()
    assert "最少信访次数" in page and "统计期间（天）" in page
    response = client.post(
        f"/admin/persistent/threshold/{row.pk}/change/",
        {
            "name": "一年内同一事项信访五次以上",
            "basis": "case",
            "min_petitions": "5",
            "window_days": "365",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.min_petitions, row.window_days) == (5, 365)
    assert ConfigChange.objects.filter(actor=admin).count() == 1


def test_a_threshold_of_one_petition_is_refused_in_chinese_without_a_rule_id(tree: Tree) -> None:
    admin = User.objects.create_superuser(
        username="sysadmin", password="x", department=tree.prov_org, full_name="管理员"
    )
    row = Threshold.objects.get()
    response = staff_client(admin).post(
        f"/admin/persistent/threshold/{row.pk}/change/",
        {
            "name": "一次即算",
            "basis": "case",
            "min_petitions": "1",
            "window_days": "365",
            "is_active": "on",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "最少信访次数至少为2次；只有“同一事项久拖未结”可设为1次" in page
    assert "R-REPEAT" not in page and "threshold_sensible" not in page
    row.refresh_from_db()
    assert row.min_petitions == 3
