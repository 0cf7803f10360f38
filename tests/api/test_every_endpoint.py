"""R-PROTECT-1 through every endpoint of the JSON API, generated like
tests/protection/test_every_door.py (which leaves the api namespace to this test).

Every GET operation of the API's OpenAPI schema is called, its path parameters filled every
way from the world of tests/protection/conftest.py (a parameter this test cannot fill fails
it, so a new endpoint is covered the day it is added), for every user of the world, by
personal token and by session. No answer may carry a marker of a case whose protected
material the user may not read: a respondent's department never receives the accuser's
name or ID number. The answer key (MAY_READ) is the one written out for the pages.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client

from tests.api.conftest import Api
from tests.clients import staff_client
from tests.protection.conftest import MAY_READ, World
from tests.protection.test_every_door import forbidden_markers
from xinfang.api.api import api
from xinfang.cases.models import IdentityRead
from xinfang.cases.queues import QUEUES

# The work queues, written out: a new queue must be added here (and is then walked).
QUEUE_KEYS = [
    "to_read",
    "to_route",
    "objections_awaiting_decision",
    "my_cases",
    "closures_awaiting_approval",
    "reports_awaiting_acceptance",
    "due_within_7_days",
    "half_time_used",
    "overdue_without_explanation",
    "overdue_with_explanation",
    "sent_down",
]
MISSING_CASE = 999_999
# Endpoints that search on what is typed, and their query parameter (cases/search.py).
SEARCHES = {"/api/search": "q"}


def search_values(world: World) -> list[str]:
    markers = {m for marks in world.markers().values() for m in marks}
    return sorted({v for m in markers for v in (m, m[:2])})


USERS = [
    "prov",
    "city",
    "county",
    "baisha",
    "county_hr",
    "city_supervisor",
    "prov_supervisor",
    "energy",
    "admin",
    "clerk",
]


def test_the_queues_walked_are_every_queue() -> None:
    assert [q.key for q in QUEUES] == QUEUE_KEYS


def get_paths() -> list[str]:
    """Every GET path of the API, as its OpenAPI schema lists it."""
    schema = api.get_openapi_schema(path_prefix="/api/")
    return [path for path, ops in schema["paths"].items() if "get" in ops]


def api_urls(world: World) -> list[str]:
    fill: dict[str, list[Any]] = {
        "case_id": [
            world.signed.pk,
            world.unit.pk,
            world.unit_child.pk,
            world.anonymous.pk,
            world.personal.pk,
            MISSING_CASE,
        ],
        "queue_key": QUEUE_KEYS,
    }
    urls = []
    for path in get_paths():
        params = re.findall(r"{(\w+)}", path)
        unknown = [p for p in params if p not in fill]
        assert not unknown, f"teach this test to fill {unknown} of {path}"
        filled = [path]
        for param in params:
            filled = [u.replace(f"{{{param}}}", str(v)) for u in filled for v in fill[param]]
        urls += filled
        if path in SEARCHES:
            # Asked for every protected text of the world and its first two characters.
            urls += [f"{path}?{SEARCHES[path]}={quote(v)}" for v in search_values(world)]
    return urls


def test_the_walk_reaches_every_resource(world: World) -> None:
    """The walk is not vacuous: the endpoints of docs/api.md are all in it."""
    paths = set(get_paths())
    for expected in (
        "/api/me",
        "/api/cases",
        "/api/cases/{case_id}",
        "/api/cases/{case_id}/petitions",
        "/api/cases/{case_id}/petitioners",
        "/api/cases/{case_id}/timeline",
        "/api/cases/{case_id}/assignments",
        "/api/cases/{case_id}/instructions",
        "/api/cases/{case_id}/closures",
        "/api/archive",
        "/api/queues",
        "/api/queues/{queue_key}",
        "/api/figures",
        "/api/search",
    ):
        assert expected in paths
    assert len(api_urls(world)) > 50


def _text(response: Any) -> str:
    """The body as sent and as decoded JSON (so an escaped \\uXXXX marker is found too)."""
    raw = response.content.decode()
    try:
        decoded = json.dumps(response.json(), ensure_ascii=False)
    except ValueError:
        decoded = ""
    return raw + "\n" + decoded


def _walk(client: Client, urls: list[str], user_key: str, forbidden: list[str]) -> int:
    seen_ok = 0
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, f"{user_key} {url}: {response.status_code}"
        assert response["Content-Type"].startswith("application/json"), url
        text = _text(response)
        leaked = [m for m in forbidden if m in text]
        assert not leaked, f"{user_key} {url} answers {leaked}"
        seen_ok += response.status_code == 200
    return seen_ok


@pytest.mark.parametrize("user_key", USERS)
def test_r_protect_1_no_endpoint_answers_what_the_user_may_not_read(
    world: World, user_key: str
) -> None:
    user = world.users()[user_key]
    forbidden = forbidden_markers(world, user_key)
    urls = api_urls(world)
    by_token = _walk(Api(user).client, urls, user_key, forbidden)
    by_session = _walk(staff_client(user), urls, user_key, forbidden)
    assert by_token == by_session  # the same answers whichever way the user signs in
    assert by_token > 0
    # Identity reads are logged for exactly the cases of the answer key that were opened.
    read_cases = set(IdentityRead.objects.filter(user=user).values_list("case__root_id", "case_id"))
    allowed_roots = {getattr(world, case).pk for case in MAY_READ.get(user_key, set())}
    assert {root or pk for root, pk in read_cases} <= allowed_roots
    if user_key in MAY_READ:
        assert read_cases, f"{user_key} opened its cases: each display of identity is logged"


def test_r_protect_1_the_allowed_reader_does_receive_the_markers(world: World) -> None:
    """The walk would notice a leak: the city, which may read the signed case, gets its
    petitioner's name and ID number through the API."""
    status, data = Api(world.tree.city_staff).get(f"/api/cases/{world.signed.pk}/petitioners")
    assert status == 200
    assert data["items"][0]["name"] == "甄秘言"
    assert data["items"][0]["id_number"] == "110101198501011239"


def test_r_protect_1_the_respondents_department_gets_the_hidden_note(world: World) -> None:
    """The county (河口县委组织部), whose secretary the signed visit accuses, sees the case
    only if access allows; wherever a respondent's side can open a case, every protected
    field reads as on the pages: （已隐去） and the note, no interviews, no attachments."""
    api_ = Api(world.tree.energy_staff)  # the group's personnel department: respondent's unit
    status, data = api_.get(f"/api/cases/{world.unit_child.pk}/petitions")
    assert status == 200
    [petition] = data["items"]
    assert petition["content"] == "（已隐去）"
    assert petition["identity_shown"] is False
    assert petition["hidden_note"] == (
        "信件全文、接谈记录和附件可能含有信访人身份信息，已随身份一并隐去。"
    )
    assert petition["interviews"] == [] and petition["attachments"] == []
    assert [p["name"] for p in petition["petitioners"]] == ["（已隐去）"]
    assert [p["id_number"] for p in petition["petitioners"]] == ["（已隐去）"]
