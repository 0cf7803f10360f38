"""One convention for a refused form submission on every page (docs/decisions.md): the page
answers 400 with the form and its Chinese reasons; a form shown or a submission accepted is
not 400. Each page's own tests assert it too (test_flows, test_register,
test_review_application); this file holds the sign-in page, which is Django's own view."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.orgtree import Tree
from xinfang.orgs.models import User


@pytest.mark.django_db
def test_a_refused_sign_in_answers_400_with_the_chinese_reason(tree: Tree) -> None:
    User.objects.filter(pk=tree.city_staff.pk).update(is_staff=True)
    tree.city_staff.set_password("correct-horse-battery")
    tree.city_staff.save(update_fields=["password"])
    client = Client()
    assert client.get("/login/").status_code == 200
    refused = client.post("/login/", {"username": tree.city_staff.username, "password": "wrong"})
    assert refused.status_code == 400
    assert "请输入一个正确的" in refused.content.decode()
    accepted = client.post(
        "/login/", {"username": tree.city_staff.username, "password": "correct-horse-battery"}
    )
    assert accepted.status_code == 302
