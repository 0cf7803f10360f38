"""A service's refusal shown by the admin (core/admin.py: ServiceRefusalsShown)."""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from xinfang.core.admin import ServiceRefusalsShown
from xinfang.core.errors import RuleViolation


def test_a_service_refusal_in_the_admin_names_its_grounds_not_its_rule_id() -> None:
    """The refusal's rule ID is turned into its grounds in Chinese, as on every other page."""
    request = RequestFactory().post("/admin/persistent/threshold/1/change/")
    request.session = {}  # type: ignore[attr-defined]
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    refusal = RuleViolation(
        ["只有系统管理员可以修改信访老户认定标准（R-REPEAT-1）。"], rules=("R-REPEAT-1",)
    )
    response = ServiceRefusalsShown()._refusal_shown(request, refusal)
    shown = [str(m) for m in get_messages(request)]
    assert response.status_code == 302
    assert len(shown) == 1
    assert shown[0].startswith("只有系统管理员可以修改信访老户认定标准（依据：")
    assert "R-REPEAT" not in shown[0]
