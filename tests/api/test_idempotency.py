"""Writes with an Idempotency-Key: a retried registration registers nothing twice."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any
from unittest import mock

from django.core.management import call_command
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


# --- Retention: XINFANG_API_IDEMPOTENCY_HOURS (24 by default) ------------------------------

T0 = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)


def _send_at(api: Api, when: dt.datetime, body: dict[str, object]) -> tuple[int, object]:
    body = {**body, "received_on": "2026-11-30"}  # before T0 (and any `when`) in Beijing
    with mock.patch("django.utils.timezone.now", return_value=when):
        return api.post("/api/petitions", body, **{"Idempotency-Key": "day-key"})


def test_the_default_retention_is_24_hours(settings: Any) -> None:
    assert settings.XINFANG_API_IDEMPOTENCY_HOURS == 24


def test_a_key_is_honoured_up_to_the_last_moment_of_the_retention(tree: Tree) -> None:
    api = Api(tree.city_staff)
    assert _send_at(api, T0, letter())[0] == 201
    last = T0 + dt.timedelta(hours=24)
    # Still the same request: replayed, nothing registered twice.
    assert _send_at(api, last, letter())[0] == 201
    assert Petition.objects.count() == 1
    # Still held: another request with the key is refused.
    status, data = _send_at(api, last, {**letter(), "summary": "另一件事"})
    assert (status, data["code"]) == (422, "idempotency_key_reused")  # type: ignore[index]


def test_after_the_retention_the_key_may_be_used_again(tree: Tree) -> None:
    api = Api(tree.city_staff)
    assert _send_at(api, T0, letter())[0] == 201
    first_after = T0 + dt.timedelta(hours=24, microseconds=1)
    status, data = _send_at(api, first_after, {**letter(), "summary": "另一件事"})
    assert status == 201, data
    assert Petition.objects.count() == 2
    record = IdempotentRequest.objects.get()
    assert record.created_at == first_after  # the old record is gone, the new one kept


def test_the_retention_is_a_setting(tree: Tree, settings: Any) -> None:
    settings.XINFANG_API_IDEMPOTENCY_HOURS = 2
    api = Api(tree.city_staff)
    assert _send_at(api, T0, letter())[0] == 201
    assert _send_at(api, T0 + dt.timedelta(hours=2), letter())[0] == 201
    assert Petition.objects.count() == 1
    assert _send_at(api, T0 + dt.timedelta(hours=2, microseconds=1), letter())[0] == 201
    assert Petition.objects.count() == 2


def test_the_purge_command_deletes_only_expired_records(tree: Tree) -> None:
    old, fresh = Api(tree.city_staff), Api(tree.prov_staff)
    assert _send_at(old, T0, letter())[0] == 201
    assert _send_at(fresh, T0 + dt.timedelta(microseconds=1), letter())[0] == 201
    out = io.StringIO()
    now = T0 + dt.timedelta(hours=24, microseconds=1)
    with mock.patch("django.utils.timezone.now", return_value=now):
        call_command("api_purge_idempotency", stdout=out)
    assert out.getvalue() == "已删除 1 条超过 24 小时的幂等记录。\n"
    assert list(IdempotentRequest.objects.values_list("user__username", flat=True)) == [
        tree.prov_staff.username
    ]
