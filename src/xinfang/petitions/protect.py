"""Personal identifiers at rest: encrypted for display, keyed hash for exact matching.

The key comes from the environment (XINFANG_DATA_KEY), never from the repository.
Encryption is Fernet (AES-128-CBC with HMAC-SHA256); the matching hash is HMAC-SHA256
under a key derived from the same secret, so the hash reveals nothing without the key.

Before every encryption and keyed hash the key is compared with the fingerprint recorded
in the database (petitions/keys.py): under a missing, malformed or wrong key nothing is
written or looked up, even if the check at start was bypassed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from cryptography.fernet import InvalidToken
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext

from xinfang.core import keys
from xinfang.petitions.keys import verify

# The key checked for the identifiers written together, with the keyed hashes computed
# under it so far (value -> hash): the batch import hashes each row's ID number, phone and
# account up to three times (repeat check, finding the person, the new row).
_confirmed: ContextVar[tuple[keys.Keyring, dict[str, str]] | None] = ContextVar(
    "xinfang_data_key", default=None
)


@contextmanager
def key_checked_once() -> Iterator[None]:
    """Check the key against the database once for many identifiers written together (the
    batch import: one check per batch, inside its transaction, instead of one per value).
    Nested under a check of the same key, it checks again and keeps the outer one's hashes."""
    ring = keys.current_keyring()
    verify(ring)
    outer = _confirmed.get()
    memo = outer[1] if outer is not None and outer[0] is ring else {}
    token = _confirmed.set((ring, memo))
    try:
        yield
    finally:
        _confirmed.reset(token)


def _verified() -> keys.Keyring:
    confirmed = _confirmed.get()
    if confirmed is not None:
        return confirmed[0]
    ring = keys.current_keyring()
    verify(ring)
    return ring


def encrypt(value: str) -> str:
    if not value:
        return ""
    return _verified().encrypt(value)


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return keys.current_keyring().decrypt(token)
    except InvalidToken:
        raise ImproperlyConfigured(
            gettext(
                "信访人身份信息无法用当前数据密钥解密：数据密钥不对，或这条记录是在别的密钥下写入的。\n"
                "A personal identifier cannot be decrypted with the data key in use."
            )
        ) from None


def match_hash(value: str) -> str:
    """Keyed hash for exact matching (same person registered twice)."""
    if not value:
        return ""
    confirmed = _confirmed.get()
    if confirmed is None:
        return _verified().match_hash(value)
    ring, memo = confirmed
    known = memo.get(value)
    if known is None:
        known = memo[value] = ring.match_hash(value)
    return known


_NOT_DIGIT = re.compile(r"\D")


def phone_key(phone: str) -> str:
    """The form of a phone number that is hashed for matching (issue 11): digits only, and a
    mobile number without the country code, so "138 0000 0000", "138-0000-0000" and
    "+86 13800000000" are one number. A number with no digit is kept as typed."""
    digits = _NOT_DIGIT.sub("", phone)
    if not digits:
        return phone.strip()
    if len(digits) == 13 and digits.startswith("861"):
        digits = digits[2:]
    return digits
