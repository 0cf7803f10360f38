"""Role refusals name the action and the roles it needs, in Chinese, with no internal code.

The expected messages are written out here; they are not built from lifecycle.ACTION_LABELS.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.builders import register
from tests.orgtree import Tree
from xinfang.cases import actions as cs
from xinfang.cases.actions import attachment_add
from xinfang.cases.lifecycle import ACTION_LABELS, ACTION_ROLES
from xinfang.core.errors import RuleViolation
from xinfang.petitions.models import Petition


def test_one_role_needed_is_named(tree: Tree) -> None:
    registrar = tree.staff(tree.county_org, "registrar")
    case = register(registrar)
    with pytest.raises(RuleViolation, match=re.escape("您没有“阅批”的权限（需要：部领导）。")):
        cs.case_read(actor=registrar, case=case, text="阅")


def test_two_roles_needed_are_named_and_the_action_is_in_chinese(
    tree: Tree, settings: Any, tmp_path: Path
) -> None:
    """A leader may not upload an attachment (registrars and handlers do). The refusal used
    to show the internal action code "add_attachment", which had no Chinese label."""
    settings.MEDIA_ROOT = str(tmp_path)
    petition = Petition.objects.get(case=register(tree.county_staff))
    leader = tree.staff(tree.county_org, "leader")
    upload = SimpleUploadedFile("说明.txt", "情况说明".encode(), content_type="text/plain")
    expected = "您没有“上传附件”的权限（需要：承办人、登记员）。"
    with pytest.raises(RuleViolation, match=re.escape(expected)):
        attachment_add(actor=leader, petition=petition, upload=upload)


def test_every_action_a_role_is_checked_for_has_a_chinese_label() -> None:
    missing = sorted(a for a in ACTION_ROLES if a not in ACTION_LABELS)
    assert missing == []
    assert all(re.search("[\u4e00-\u9fff]", str(ACTION_LABELS[a])) for a in ACTION_ROLES)
