"""Writes with an Idempotency-Key: a retried registration registers nothing twice."""

from __future__ import annotations

import datetime as dt
import json

from django.utils import timezone

from tests.api.conftest import Api
from tests.orgtree import Tree
from xinfang.api.models import IdempotentRequest
from xinfang.cases.models import Case
from xinfang.petitions.models import Petition


def letter() -> dict[str, object]:
    return {
        "channel": "letter",
        "received_on": str(timezone.localdate() - dt.timedelta(days=1)),
        "summary": "反映某局长在干部选拔中搞亲属关系",
        "content": "我单位局长在提拔干部时优先安排亲属，请组织上调查。",
        "category": "misconduct",
        "nature": "accusation",
        "petitioners": [{"name": "王建华", "id_number": "110101199003074477"}],
    }


def test_a_retried_registration_registers_once_and_answers_the_same(tree: Tree) -> None:
    api = Api(tree.city_staff)
    first = api.client.post(
        "/api/petitions",
        letter(),
        content_type="application/json",
        headers={"Idempotency-Key": "k-1"},
    )
    assert first.status_code == 201, first.json()
    assert first.json()["case"]["state"] == "registered"
    assert first.json()["is_first"] is True
    # The client did not see the answer and sends it again: the same body, other spacing.
    again = api.client.post(
        "/api/petitions",
        json.dumps(letter(), indent=4),
        content_type="application/json",
        headers={"Idempotency-Key": "k-1"},
    )
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Petition.objects.count() == 1 and Case.objects.count() == 1


def test_the_same_key_with_another_body_is_refused_in_chinese(tree: Tree) -> None:
    api = Api(tree.city_staff)
    assert api.post("/api/petitions", letter(), **{"Idempotency-Key": "k-2"})[0] == 201
    other = {**letter(), "summary": "另一件事"}
    status, data = api.post("/api/petitions", other, **{"Idempotency-Key": "k-2"})
    assert status == 422
    assert data["code"] == "idempotency_key_reused"
    assert (
        data["message"]
        == "该幂等键（Idempotency-Key）已用于另一个不同的请求，请为新的请求使用新的键。"
    )
    assert "Idempotency-Key" in data["fields"]
    assert Petition.objects.count() == 1


def test_keys_belong_to_their_user_and_no_key_means_no_protection(tree: Tree) -> None:
    city, prov = Api(tree.city_staff), Api(tree.prov_staff)
    assert city.post("/api/petitions", letter(), **{"Idempotency-Key": "same"})[0] == 201
    assert prov.post("/api/petitions", letter(), **{"Idempotency-Key": "same"})[0] == 201
    assert Petition.objects.count() == 2
    # Without a key every request is a new one: a repeat petition is registered again.
    assert city.post("/api/petitions", letter())[0] == 201
    assert city.post("/api/petitions", letter())[0] == 201
    assert Petition.objects.count() == 4
    assert IdempotentRequest.objects.count() == 2


def test_a_refused_write_is_not_stored_and_may_be_sent_again(tree: Tree) -> None:
    api = Api(tree.city_staff)
    bad = {**letter(), "summary": " "}
    status, data = api.post("/api/petitions", bad, **{"Idempotency-Key": "k-3"})
    assert (status, data["code"]) == (422, "rule_violation")
    assert IdempotentRequest.objects.count() == 0
    assert api.post("/api/petitions", letter(), **{"Idempotency-Key": "k-3"})[0] == 201
    assert Petition.objects.count() == 1


def test_a_retried_action_moves_the_case_once(tree: Tree) -> None:
    api = Api(tree.city_staff)
    case_id = api.post("/api/petitions", letter())[1]["case"]["id"]
    url = f"/api/cases/{case_id}/actions/read"
    first = api.post(url, {"text": "请调查"}, **{"Idempotency-Key": "read-1"})
    again = api.post(url, {"text": "请调查"}, **{"Idempotency-Key": "read-1"})
    assert first == again and first[0] == 200
    assert Case.objects.get(pk=case_id).instructions.count() == 1
    # Without the key the second read is refused by the transitions table.
    status, data = api.post(url, {"text": "请调查"})
    assert (status, data["code"]) == (422, "rule_violation")


def test_an_over_long_key_is_a_validation_error(tree: Tree) -> None:
    status, data = Api(tree.city_staff).post(
        "/api/petitions", letter(), **{"Idempotency-Key": "k" * 201}
    )
    assert status == 422
    assert data["fields"] == {"Idempotency-Key": ["幂等键不能超过200个字符。"]}
