"""Clients of the JSON API: by personal token (machine clients) and by session (pages)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests.protection.conftest import World, world
from xinfang.api.tokens import token_create
from xinfang.orgs.models import User


class Api:
    """A token-authenticated client: `get`/`post` answer (status, decoded JSON)."""

    def __init__(self, user: User) -> None:
        self.user = user
        self.secret = token_create(user=user, name="测试").secret
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {self.secret}")

    def get(self, url: str, **params: Any) -> tuple[int, Any]:
        response = self.client.get(url, params)
        return response.status_code, response.json()

    def post(self, url: str, data: Any = None, **headers: str) -> tuple[int, Any]:
        response = self.client.post(
            url,
            json.dumps({} if data is None else data, default=str),
            content_type="application/json",
            headers=headers,
        )
        return response.status_code, response.json()


@pytest.fixture
def api_for() -> type[Api]:
    return Api


__all__ = ["Api", "World", "world"]
