"""`xinfang rotate_data_key`: re-key every identifier in batches, resumable, then switch.

The old key comes from XINFANG_DATA_KEY, the new one from XINFANG_NEW_DATA_KEY (never
from the command line, which other users of the machine can read in `ps`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.test import override_settings

from tests.builders import registration
from tests.orgtree import Tree
from xinfang.core import keys as core_keys
from xinfang.petitions import keys, protect
from xinfang.petitions.models import DataKeyFingerprint, Petitioner
from xinfang.petitions.services import PetitionerInput

OLD_KEY = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="  # the test settings' key
NEW_KEY = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="
# Fingerprints (HMAC-SHA256 of a fixed label under a key derived from the key) and the
# key ids (their first 16 hex digits), worked out once outside the code under test.
OLD_FINGERPRINT = "6a7cca737f6a13fb5ead44d3e734acff8f143359a2705b28660a09bc6c5adb1c"
NEW_FINGERPRINT = "db803510395ee15b4da245e309872cd29974c5cff838c93edb166bd41e23cb80"
OLD_ID, NEW_ID = "6a7cca737f6a13fb", "db803510395ee15b"

PEOPLE = [
    ("赵一", "110101198001010010", "13800000001"),
    ("钱二", "110101198102020023", "13800000002"),
    ("孙三", "110101198203030036", ""),
    ("李四", "", "13800000004"),
    ("周五", "110101198405050051", "13800000005"),
]
BATCH = 2


@pytest.fixture(autouse=True)
def fresh_verdicts() -> Iterator[None]:
    keys.forget_verdicts()
    yield
    keys.forget_verdicts()


@pytest.fixture
def new_key_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XINFANG_NEW_DATA_KEY", NEW_KEY)


def _register_people(tree: Tree) -> None:
    for name, id_number, phone in PEOPLE:
        registration(
            tree.county_staff,
            petitioners=[PetitionerInput(name=name, id_number=id_number, phone=phone)],
        )
    assert Petitioner.objects.count() == len(PEOPLE)


def _rotate(**kw: object) -> str:
    out = StringIO()
    call_command("rotate_data_key", batch_size=BATCH, stdout=out, **kw)
    return out.getvalue()


def _key_ids() -> list[str]:
    return list(Petitioner.objects.order_by("pk").values_list("key_id", flat=True))


@pytest.mark.usefixtures("new_key_in_env")
def test_rotation_with_a_crash_resumes_and_leaves_everything_under_the_new_key(
    tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    _register_people(tree)
    assert _key_ids() == [OLD_ID] * 5

    # Crash inside the second batch's transaction, after its rows were written.
    real = keys._write_batch
    batches = 0

    def crash_after_writing_the_second_batch(*args: Any, **kwargs: Any) -> None:
        nonlocal batches
        batches += 1
        real(*args, **kwargs)
        if batches == 2:
            raise RuntimeError("simulated crash")

    monkeypatch.setattr(keys, "_write_batch", crash_after_writing_the_second_batch)
    with pytest.raises(RuntimeError, match="simulated crash"):
        _rotate()
    # The first batch is committed under the new key; the second was rolled back whole.
    assert _key_ids() == [NEW_ID, NEW_ID, OLD_ID, OLD_ID, OLD_ID]
    row = DataKeyFingerprint.objects.get()
    assert (row.fingerprint, row.next_fingerprint) == (OLD_FINGERPRINT, NEW_FINGERPRINT)
    # Half-way, the app starts with neither key.
    for key in (OLD_KEY, NEW_KEY):
        keys.forget_verdicts()
        with (
            override_settings(XINFANG_DATA_KEY=key),
            pytest.raises(ImproperlyConfigured, match="密钥轮换尚未完成") as e,
        ):
            keys.check_data_key()
        assert "密钥轮换尚未完成" in str(e.value) and "rotation is not finished" in str(e.value)

    monkeypatch.setattr(keys, "_write_batch", real)
    out = _rotate()
    assert _key_ids() == [NEW_ID] * 5
    row = DataKeyFingerprint.objects.get()
    assert (row.fingerprint, row.next_fingerprint) == (NEW_FINGERPRINT, "")
    assert "XINFANG_DATA_KEY" in out and "数据密钥轮换完成" in out and "rotation finished" in out

    with override_settings(XINFANG_DATA_KEY=NEW_KEY):
        keys.check_data_key()
        # Every ID number and phone reads back under the new key: none was encrypted
        # twice (a doubly encrypted value would decrypt to a token, not the number).
        people = Petitioner.objects.order_by("pk")
        assert [
            (p.name, protect.decrypt(p.id_number_encrypted), protect.decrypt(p.phone_encrypted))
            for p in people
        ] == PEOPLE
        # Every match hash is the new key's: each returning petitioner is found again.
        for name, id_number, phone in PEOPLE:
            again = registration(
                tree.county_staff,
                petitioners=[PetitionerInput(name=name, id_number=id_number, phone=phone)],
            )
            assert (again.is_first, again.earlier_petitions) == (False, 1), name
        # Those with an ID number are the same row again; 李四, known by phone only, gets a
        # row of their own each time (R-INTAKE-5 finds them by the phone hash, as above).
        assert Petitioner.objects.count() == len(PEOPLE) + 1

    # The old key is refused from now on, at start and for any write.
    keys.forget_verdicts()
    with override_settings(XINFANG_DATA_KEY=OLD_KEY):
        with pytest.raises(ImproperlyConfigured, match="与本数据库登记的密钥不符"):
            keys.check_data_key()
        with pytest.raises(ImproperlyConfigured, match="与本数据库登记的密钥不符"):
            protect.encrypt("13800000009")


@pytest.mark.usefixtures("new_key_in_env")
def test_a_rerun_after_the_switch_changes_nothing(tree: Tree) -> None:
    _register_people(tree)
    _rotate()
    before = list(Petitioner.objects.order_by("pk").values_list("id_number_encrypted", flat=True))
    out = _rotate()
    assert "已经完成" in out
    after = list(Petitioner.objects.order_by("pk").values_list("id_number_encrypted", flat=True))
    assert after == before


@pytest.mark.usefixtures("new_key_in_env")
def test_rotation_refuses_an_old_key_that_is_not_this_databases(tree: Tree) -> None:
    _register_people(tree)
    third = "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI="
    with (
        override_settings(XINFANG_DATA_KEY=third),
        pytest.raises(CommandError, match="与本数据库登记的密钥不符") as e,
    ):
        _rotate()
    assert "与本数据库登记的密钥不符" in str(e.value)
    assert _key_ids() == [OLD_ID] * 5


@pytest.mark.parametrize(
    ("new", "words"),
    [
        pytest.param(None, "未设置新密钥 XINFANG_NEW_DATA_KEY", id="missing"),
        pytest.param("c2hvcnQ=", "新密钥 XINFANG_NEW_DATA_KEY 格式不对", id="malformed"),
        pytest.param(OLD_KEY, "新密钥与现用密钥相同", id="same"),
    ],
)
def test_rotation_refuses_a_bad_new_key(
    tree: Tree, monkeypatch: pytest.MonkeyPatch, new: str | None, words: str
) -> None:
    _register_people(tree)
    if new is None:
        monkeypatch.delenv("XINFANG_NEW_DATA_KEY", raising=False)
    else:
        monkeypatch.setenv("XINFANG_NEW_DATA_KEY", new)
    with pytest.raises(CommandError, match=re.escape(words)) as e:
        _rotate()
    assert words in str(e.value)
    assert _key_ids() == [OLD_ID] * 5
    assert DataKeyFingerprint.objects.get().next_fingerprint == ""


@pytest.mark.usefixtures("new_key_in_env")
def test_rotation_stops_before_writing_when_a_row_cannot_be_read(tree: Tree) -> None:
    """A row written under some other key (before this check existed) stops the rotation
    before anything is re-keyed: nothing half-done, and the app still starts."""
    _register_people(tree)
    stray = "AwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM="
    with override_settings(XINFANG_DATA_KEY=stray):
        token = core_keys.keyring(stray).encrypt("110101199003074477")
    last = Petitioner.objects.order_by("pk").last()
    assert last is not None
    Petitioner.objects.filter(pk=last.pk).update(id_number_encrypted=token, key_id="")
    with pytest.raises(CommandError, match="无法用现用密钥解密") as e:
        _rotate()
    assert f"#{last.pk}" in str(e.value) and "无法用现用密钥解密" in str(e.value)
    assert _key_ids() == [OLD_ID] * 4 + [""]
    assert DataKeyFingerprint.objects.get().next_fingerprint == ""
    keys.check_data_key()


def test_every_encrypted_field_is_rotated() -> None:
    """A field added later under the data key must be listed for rotation, with a key_id."""
    from django.apps import apps

    listed = {
        (label.lower(), encrypted)
        for label, pairs in keys.ENCRYPTED_FIELDS
        for encrypted, _hashed in pairs
    }
    found = {
        (model._meta.label_lower, f.name)
        for model in apps.get_models()
        for f in model._meta.concrete_fields
        if f.name.endswith("_encrypted")
    }
    assert (
        found
        == listed
        == {
            ("petitions.petitioner", "id_number_encrypted"),
            ("petitions.petitioner", "phone_encrypted"),
            ("petitions.petitioner", "account_encrypted"),  # an online board's account
        }
    )
    for label, _pairs in keys.ENCRYPTED_FIELDS:
        assert apps.get_model(label)._meta.get_field("key_id")


@pytest.mark.usefixtures("new_key_in_env")
def test_an_online_account_is_rotated_and_found_again(tree: Tree) -> None:
    account = "网上留言板:u001"
    registration(
        tree.county_staff,
        channel="online",
        petitioners=[PetitionerInput(name="网民u001", account=account)],
    )
    _rotate()
    with override_settings(XINFANG_DATA_KEY=NEW_KEY):
        keys.check_data_key()
        person = Petitioner.objects.get()
        assert protect.decrypt(person.account_encrypted) == account
        again = registration(
            tree.county_staff,
            channel="online",
            petitioners=[PetitionerInput(name="网民u001", account=account)],
        )
        assert (again.is_first, again.earlier_petitions) == (False, 1)
        assert Petitioner.objects.count() == 1
