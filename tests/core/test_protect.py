"""Personal identifiers are stored encrypted, with a keyed hash for exact matching."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from xinfang.core import protect


def test_round_trip_and_no_plaintext_at_rest() -> None:
    token = protect.encrypt("110101199003074477")
    assert "110101199003074477" not in token
    assert protect.decrypt(token) == "110101199003074477"
    assert protect.encrypt("") == "" and protect.decrypt("") == ""


def test_match_hash_is_keyed_and_stable() -> None:
    a = protect.match_hash("13800000000")
    assert a == protect.match_hash("13800000000")
    assert a != protect.match_hash("13800000001")
    other_key = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="
    with override_settings(XINFANG_DATA_KEY=other_key):
        assert protect.match_hash("13800000000") != a


def test_missing_or_bad_key_refuses_to_store() -> None:
    with override_settings(XINFANG_DATA_KEY=""), pytest.raises(ImproperlyConfigured):
        protect.encrypt("x")
    with override_settings(XINFANG_DATA_KEY="c2hvcnQ="), pytest.raises(ImproperlyConfigured):
        protect.encrypt("x")
