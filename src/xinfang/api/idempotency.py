"""Idempotent writes (docs/api.md, "Idempotency"): a write sent with an `Idempotency-Key`
header runs once per user and key.

The write and the record of its answer are committed in one transaction, and (user, key) is
unique: a retry with the same key and the same request gets the stored answer and changes
nothing; two concurrent requests with one key cannot both commit (the loser's write is
rolled back and it answers like a retry). A key reused with another request (method, path
or body) is refused with 422. Only successful answers are stored: a refused write wrote
nothing, so sending it again simply runs it again.

Records are kept for `XINFANG_API_IDEMPOTENCY_HOURS` (24 by default): up to and including
that age the key answers as above; past it the record is expired, the key may be used
again (the request runs anew), and the record is deleted: the caller's own expired records
on each of its keyed writes, everyone's by `xinfang api_purge_idempotency` (cron).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from xinfang.api.errors import ApiError, field_error
from xinfang.api.models import IdempotentRequest
from xinfang.orgs.models import User

HEADER = "Idempotency-Key"
MAX_KEY = 200
REUSED = "该幂等键（Idempotency-Key）已用于另一个不同的请求，请为新的请求使用新的键。"


def retention() -> dt.timedelta:
    return dt.timedelta(hours=settings.XINFANG_API_IDEMPOTENCY_HOURS)


def expired(now: dt.datetime | None = None) -> QuerySet[IdempotentRequest]:
    """Records older than the retention at `now`: created strictly before now - retention."""
    cutoff = (now or timezone.now()) - retention()
    return IdempotentRequest.objects.filter(created_at__lt=cutoff)


def purge_expired(now: dt.datetime | None = None) -> int:
    """Delete every expired record; the number deleted."""
    deleted, _ = expired(now).delete()
    return deleted


def _multipart_digest(request: HttpRequest) -> bytes:
    """A multipart body's meaning: its fields and each file's field, name and SHA-256. The
    raw body cannot serve: its boundary is random on every send, and Django has already
    read the stream into request.FILES."""
    h = hashlib.sha256()
    for name, values in sorted(request.POST.lists()):
        for value in values:
            h.update(f"{name}={value}".encode() + b"\0")
    for name, uploads in sorted(request.FILES.lists()):
        for upload in uploads:
            content = hashlib.sha256()
            for chunk in upload.chunks():
                content.update(chunk)
            upload.seek(0)
            h.update(f"{name}:{upload.name}:{content.hexdigest()}".encode() + b"\0")
    return h.hexdigest().encode()


def _request_hash(request: HttpRequest) -> str:
    if request.content_type == "multipart/form-data":
        data = _multipart_digest(request)
    else:
        raw = request.body
        try:  # the same JSON in another key order or spacing is the same request
            canonical = json.dumps(json.loads(raw or b"null"), sort_keys=True, ensure_ascii=False)
            data = canonical.encode()
        except (ValueError, UnicodeDecodeError):
            data = raw
    h = hashlib.sha256()
    for part in (request.method or "", request.path):
        h.update(part.encode() + b"\0")
    h.update(data)
    return h.hexdigest()


def _json(status: int, data: dict[str, Any], *, replayed: bool = False) -> HttpResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


def _replay(record: IdempotentRequest, digest: str) -> HttpResponse:
    if record.request_hash != digest:
        raise ApiError(422, "idempotency_key_reused", REUSED, fields={HEADER: [REUSED]})
    return _json(record.status, record.body, replayed=True)


def run_once(
    request: HttpRequest, user: User, write: Callable[[], tuple[int, dict[str, Any]]]
) -> HttpResponse:
    """Run `write` (returning status and JSON-ready body) at most once per idempotency key."""
    key = request.headers.get(HEADER, "").strip()
    if not key:
        status, data = write()
        return _json(status, data)
    if len(key) > MAX_KEY:
        raise field_error(HEADER, f"幂等键不能超过{MAX_KEY}个字符。")
    digest = _request_hash(request)
    # The caller's expired records go first, so an expired key runs as a new one.
    expired().filter(user=user).delete()
    existing = IdempotentRequest.objects.filter(user=user, key=key).first()
    if existing is not None:
        return _replay(existing, digest)
    try:
        with transaction.atomic():
            status, data = write()
            IdempotentRequest.objects.create(
                user=user,
                key=key,
                request_hash=digest,
                status=status,
                body=data,
                created_at=timezone.now(),
            )
    except IntegrityError:
        # Another request with this key committed first: answer as a retry would be answered.
        existing = IdempotentRequest.objects.filter(user=user, key=key).first()
        if existing is None:
            raise
        return _replay(existing, digest)
    return _json(status, data)
