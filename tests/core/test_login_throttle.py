"""Logins are throttled (design.md, Security): after five failures for one account from one
address, that pair is locked out, with a page in Chinese."""

from __future__ import annotations

from django.test import Client

from tests.orgtree import Tree


def test_five_failures_lock_the_account_from_that_address(tree: Tree) -> None:
    user = tree.county_staff
    user.is_staff = True
    user.set_password("correct-horse-battery")
    user.save(update_fields=["is_staff", "password"])
    client = Client(REMOTE_ADDR="10.0.0.5")
    for _ in range(4):
        response = client.post("/admin/login/", {"username": "county", "password": "wrong"})
        assert response.status_code == 200  # the form again, with its error
    locked = client.post("/admin/login/", {"username": "county", "password": "wrong"})
    assert locked.status_code == 429
    assert "登录已暂停" in locked.content.decode()
    # Even the right password waits now.
    again = client.post(
        "/admin/login/", {"username": "county", "password": "correct-horse-battery"}
    )
    assert again.status_code == 429
    # Another address is not locked out by this one.
    elsewhere = Client(REMOTE_ADDR="10.0.0.6")
    ok = elsewhere.post(
        "/admin/login/", {"username": "county", "password": "correct-horse-battery"}
    )
    assert ok.status_code == 302
