"""Personal identifiers are stored encrypted, with a keyed hash for exact matching."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from xinfang.core import keys as core_keys
from xinfang.petitions import protect

OTHER_KEY = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="


@pytest.mark.django_db
def test_round_trip_and_no_plaintext_at_rest() -> None:
    token = protect.encrypt("110101199003074477")
    assert "110101199003074477" not in token
    assert protect.decrypt(token) == "110101199003074477"
    assert protect.encrypt("") == "" and protect.decrypt("") == ""


@pytest.mark.django_db
def test_match_hash_is_keyed_and_stable() -> None:
    a = protect.match_hash("13800000000")
    assert a == protect.match_hash("13800000000")
    assert a != protect.match_hash("13800000001")
    # Another key gives another hash (the process itself refuses that key: test_data_key).
    assert core_keys.keyring(OTHER_KEY).match_hash("13800000000") != a


@pytest.mark.django_db
def test_a_token_under_another_key_is_refused_in_chinese() -> None:
    token = core_keys.keyring(OTHER_KEY).encrypt("13800000000")
    with pytest.raises(ImproperlyConfigured, match="无法用当前数据密钥解密"):
        protect.decrypt(token)


@pytest.mark.django_db
def test_missing_or_bad_key_refuses_to_store() -> None:
    with (
        override_settings(XINFANG_DATA_KEY=""),
        pytest.raises(ImproperlyConfigured, match="未设置数据密钥"),
    ):
        protect.encrypt("x")
    with (
        override_settings(XINFANG_DATA_KEY="c2hvcnQ="),
        pytest.raises(ImproperlyConfigured, match="数据密钥格式不对"),
    ):
        protect.encrypt("x")
