"""Personal identifiers at rest: encrypted for display, keyed hash for exact matching.

The key comes from the environment (XINFANG_DATA_KEY), never from the repository.
Encryption is Fernet (AES-128-CBC with HMAC-SHA256); the matching hash is HMAC-SHA256
under a key derived from the same secret, so the hash reveals nothing without the key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@cache
def _keys(secret: str) -> tuple[Fernet, bytes]:
    if not secret:
        raise ImproperlyConfigured(
            "XINFANG_DATA_KEY is not set: personal identifiers cannot be stored"
        )
    raw = base64.urlsafe_b64decode(secret.encode())
    if len(raw) != 32:
        raise ImproperlyConfigured("XINFANG_DATA_KEY must be urlsafe base64 of 32 bytes")
    enc = hashlib.sha256(b"xinfang-encrypt" + raw).digest()
    mac = hashlib.sha256(b"xinfang-match" + raw).digest()
    return Fernet(base64.urlsafe_b64encode(enc)), mac


def encrypt(value: str) -> str:
    if not value:
        return ""
    fernet, _ = _keys(settings.XINFANG_DATA_KEY)
    return fernet.encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    fernet, _ = _keys(settings.XINFANG_DATA_KEY)
    try:
        return fernet.decrypt(token.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "personal identifier cannot be decrypted with this key"
        ) from None


def match_hash(value: str) -> str:
    """Keyed hash for exact matching (same person registered twice)."""
    if not value:
        return ""
    _, mac = _keys(settings.XINFANG_DATA_KEY)
    return hmac.new(mac, value.encode(), hashlib.sha256).hexdigest()
