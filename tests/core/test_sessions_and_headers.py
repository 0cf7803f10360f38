"""What a signed-in browser keeps: a session of one working day, and no cached copy of any page
that may show decrypted identity or protected text (R-PROTECT-1); a refused `next=` after
login lands on the admin index, not on a missing page."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.builders import register, to_closed
from tests.orgtree import Tree
from xinfang.cases import actions as cs
from xinfang.orgs.models import User
from xinfang.petitions.models import Petition

PASSWORD = "correct-horse-battery"


def _staff(user: User) -> User:
    user.is_staff = True
    user.set_password(PASSWORD)
    user.save(update_fields=["is_staff", "password"])
    return user


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(_staff(user))
    return client


# --- session length ---------------------------------------------------------------------------


def test_session_lasts_nine_hours_from_login(tree: Tree, settings: object) -> None:
    assert settings.SESSION_COOKIE_AGE == 9 * 3600  # type: ignore[attr-defined]
    _staff(tree.county_staff)
    start = timezone.make_aware(dt.datetime(2026, 3, 2, 8, 30))
    client = Client()
    with mock.patch("django.utils.timezone.now", return_value=start):
        assert (
            client.post("/admin/login/", {"username": "county", "password": PASSWORD}).status_code
            == 302
        )

    def index_at(delta: dt.timedelta) -> int:
        with mock.patch("django.utils.timezone.now", return_value=start + delta):
            return client.get("/admin/").status_code

    assert index_at(dt.timedelta(minutes=1)) == 200  # first minute
    assert index_at(dt.timedelta(hours=9) - dt.timedelta(seconds=1)) == 200  # last second
    assert index_at(dt.timedelta(hours=9)) == 302  # over: back to the login page


def test_session_cookie_ends_with_the_browser(tree: Tree) -> None:
    client = Client()
    _staff(tree.county_staff)
    client.post("/admin/login/", {"username": "county", "password": PASSWORD})
    cookie = client.cookies["sessionid"]
    # No Max-Age or Expires: the browser drops it when it closes.
    assert cookie["max-age"] == "" and cookie["expires"] == ""


# --- no-store ---------------------------------------------------------------------------------


def _assert_no_store(response: object) -> None:
    cache_control = response["Cache-Control"]  # type: ignore[index]
    assert "no-store" in cache_control, cache_control
    assert "private" in cache_control, cache_control
    assert response["Pragma"] == "no-cache"  # type: ignore[index]


def _archived_case_id(tree: Tree) -> int:
    case = to_closed(
        register(tree.county_staff), tree.staff(tree.county_org, "leader"), tree.county_staff
    )
    return cs.case_archive(actor=tree.county_staff, case=case).pk


def test_case_file_page_and_its_export_are_not_stored(tree: Tree) -> None:
    case_id = _archived_case_id(tree)
    client = _signed_in(tree.county_staff)
    url = reverse("cases:case_file", args=[case_id])
    page = client.get(url)
    assert page.status_code == 200 and "王建华" in page.content.decode()
    _assert_no_store(page)
    export = client.get(url + "?format=json")
    assert export.status_code == 200 and "王建华" in export.content.decode()
    _assert_no_store(export)


def test_admin_petition_page_is_not_stored(tree: Tree) -> None:
    petition = Petition.objects.get(case=register(tree.county_staff))
    response = _signed_in(tree.county_staff).get(
        reverse("admin:petitions_petition_change", args=[petition.pk])
    )
    assert response.status_code == 200
    _assert_no_store(response)


def test_public_pages_and_static_files_stay_cacheable(tree: Tree) -> None:
    # The rule is "signed in", not "every response": static files carry no such header,
    # for an anonymous visitor or a signed-in one. (The sign-in page is Django's never_cache.)
    anonymous = Client().get("/static/favicon.svg")
    assert anonymous.status_code == 200
    assert "no-store" not in anonymous.get("Cache-Control", "")
    static = _signed_in(tree.county_staff).get("/static/favicon.svg")
    assert static.status_code == 200
    assert "no-store" not in static.get("Cache-Control", "")


# --- next= after login ------------------------------------------------------------------------


@pytest.mark.parametrize("login", ["/login/", "/admin/login/"])
@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "/\\evil.example", "http:///evil.example"],
)
def test_refused_next_lands_on_the_workbench(tree: Tree, login: str, target: str) -> None:
    _staff(tree.county_staff)
    client = Client()
    response = client.post(
        login + "?next=" + target,
        {"username": "county", "password": PASSWORD, "next": target},
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get(response["Location"]).status_code == 200


def test_a_safe_next_is_followed(tree: Tree) -> None:
    _staff(tree.county_staff)
    response = Client().post(
        "/admin/login/",
        {"username": "county", "password": PASSWORD, "next": "/admin/cases/case/"},
    )
    assert response.status_code == 302 and response["Location"] == "/admin/cases/case/"
