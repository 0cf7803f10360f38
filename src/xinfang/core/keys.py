"""The data key (XINFANG_DATA_KEY): parsing and fingerprint (pure). The check against the
database at start and the rotation live in petitions/keys.py, beside the rows they read.

The database keeps a fingerprint of the key its personal identifiers are under (the one
row of petitions.DataKeyFingerprint): an HMAC-SHA256 of a fixed label under a key derived
from the data key, so it proves which key is meant without revealing it. The first start
on an empty database records it; from then on a missing, malformed or different key is
refused at every start (WSGI, `runserver`, the demo, every `xinfang` command that touches
personal data) and, as defence in depth, before every encryption or keyed hash
(`protect.py`), so nothing is ever written or matched under a wrong key. Under a wrong key
R-INTAKE-5 failed silently (a returning petitioner was not found by the keyed hash and was
written again) and R-PROTECT-1's protected identity became unreadable to those who need it.

Why not record it in a data migration: migrations also run where the key is absent or
must not be needed (test databases, CI, `sqlmigrate`), and a migration's effect should not
depend on a secret in the environment. Recording at first use is one path for a new
database, a database written before fingerprints existed (the key is adopted only if it
decrypts the data already there) and a database emptied by a flush.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from dataclasses import dataclass
from functools import cache

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Fernet's key format: urlsafe base64 of 32 bytes, 43 characters and one "=".
_KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}=$")
_FINGERPRINT_LABEL = b"xinfang data key fingerprint v1"

MISSING = (
    "未设置数据密钥 XINFANG_DATA_KEY，系统拒绝启动：没有它，信访人的身份证号和电话号码既不能"
    "加密保存，也不能读取。请设置本数据库一直使用的数据密钥（见部署说明“密钥”一节）。\n"
    "XINFANG_DATA_KEY is not set: xinfang refuses to start, since ID card and phone numbers "
    "can neither be encrypted nor read without it. Set the data key this database uses."
)
MALFORMED = (
    "数据密钥格式不对（XINFANG_DATA_KEY），系统拒绝启动：应为32字节随机数的 URL 安全 Base64 "
    "编码（44个字符，以“=”结尾），请检查是否复制完整。\n"
    "XINFANG_DATA_KEY is malformed: it must be the URL-safe base64 encoding of 32 random "
    "bytes (44 characters ending in '='); xinfang refuses to start. Check it was copied whole."
)
NEW_MALFORMED = (
    "新密钥 XINFANG_NEW_DATA_KEY 格式不对：应为32字节随机数的 URL 安全 Base64 编码（44个字符，"
    "以“=”结尾），请检查是否复制完整。\n"
    "XINFANG_NEW_DATA_KEY is malformed: it must be the URL-safe base64 encoding of 32 random "
    "bytes (44 characters ending in '='). Check it was copied whole."
)
WRONG = (
    "数据密钥 XINFANG_DATA_KEY 与本数据库登记的密钥不符，系统拒绝启动，以免在错误的密钥下写入、"
    "查找或读取信访人身份信息。请换回本数据库使用的密钥；要更换密钥，请用 "
    "xinfang rotate_data_key。\n"
    "XINFANG_DATA_KEY does not match the key recorded in this database: xinfang refuses to "
    "start, so that nothing is written, matched or read under a wrong key. Set the key this "
    "database uses; to change keys, run xinfang rotate_data_key."
)
ROTATING = (
    "本数据库的数据密钥轮换尚未完成，系统拒绝启动。请再次运行 xinfang rotate_data_key"
    "（XINFANG_DATA_KEY 为旧密钥，XINFANG_NEW_DATA_KEY 为新密钥），它会从中断处继续。\n"
    "The data key rotation is not finished in this database: xinfang refuses to start. Run "
    "xinfang rotate_data_key again (XINFANG_DATA_KEY the old key, XINFANG_NEW_DATA_KEY the "
    "new one); it continues where it stopped."
)
UNREACHABLE = (
    "无法连接数据库，不能核对数据密钥，系统拒绝启动：{error}\n"
    "The database cannot be reached, so the data key cannot be checked; xinfang refuses to "
    "start: {error}"
)


class DataKeyError(ImproperlyConfigured):
    """The data key is missing, malformed, not this database's, or mid-rotation."""


@dataclass(frozen=True)
class Keyring:
    """What one data key gives: encryption, the matching hash, and its fingerprint."""

    fernet: Fernet
    mac: bytes
    fingerprint: str

    @property
    def key_id(self) -> str:
        """The short form stored on each row (64 bits of the fingerprint)."""
        return self.fingerprint[:16]

    def encrypt(self, value: str) -> str:
        return self.fernet.encrypt(value.encode()).decode() if value else ""

    def decrypt(self, token: str) -> str:
        """Raises cryptography's InvalidToken when the token is not under this key."""
        return self.fernet.decrypt(token.encode()).decode() if token else ""

    def match_hash(self, value: str) -> str:
        if not value:
            return ""
        return hmac.new(self.mac, value.encode(), hashlib.sha256).hexdigest()


def _malformed(env: str) -> DataKeyError:
    return DataKeyError(NEW_MALFORMED if env == "XINFANG_NEW_DATA_KEY" else MALFORMED)


@cache
def keyring(secret: str, env: str = "XINFANG_DATA_KEY") -> Keyring:
    """Parse a data key; raise DataKeyError (Chinese and English) if missing or malformed."""
    secret = secret.strip()
    if not secret:
        raise DataKeyError(MISSING)
    if not _KEY_PATTERN.match(secret):
        raise _malformed(env)
    try:
        raw = base64.urlsafe_b64decode(secret.encode())
    except (binascii.Error, ValueError):
        raise _malformed(env) from None
    if len(raw) != 32:
        raise _malformed(env)
    # Each use gets its own key derived from the secret (domain separation by label), so
    # the fingerprint says nothing about the encryption or matching keys.
    enc = hashlib.sha256(b"xinfang-encrypt" + raw).digest()
    mac = hashlib.sha256(b"xinfang-match" + raw).digest()
    fkey = hashlib.sha256(b"xinfang-fingerprint" + raw).digest()
    fingerprint = hmac.new(fkey, _FINGERPRINT_LABEL, hashlib.sha256).hexdigest()
    return Keyring(Fernet(base64.urlsafe_b64encode(enc)), mac, fingerprint)


def current_keyring() -> Keyring:
    return keyring(settings.XINFANG_DATA_KEY)


def current_key_id() -> str:
    """The id of the key in use, stored on each row it writes ("" if there is none).

    A field default (petitions.Petitioner.key_id): the rows are written only after
    `encrypt`/`match_hash` (petitions/protect.py) have verified this very key against the
    database.
    """
    try:
        return current_keyring().key_id
    except DataKeyError:
        return ""
