"""What the API itself stores: personal API tokens and the answers to idempotent writes."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    """A personal API token of one staff member for a machine client. Only the SHA-256 of the
    secret is stored; the secret is shown once, when the token is created (tokens.py)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="所属人员",
        on_delete=models.PROTECT,
        related_name="api_tokens",
    )
    name = models.CharField("用途", max_length=100)
    # The public part of the token (its first characters), to tell tokens apart in lists.
    prefix = models.CharField("令牌前缀", max_length=16, db_index=True)
    secret_hash = models.CharField("令牌摘要", max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间")
    expires_at = models.DateTimeField("到期时间")
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用时间", null=True, blank=True)

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"


class IdempotentRequest(models.Model):
    """The first answer to a write sent with an `Idempotency-Key` header: the same key from
    the same user with the same body gets this answer again and changes nothing."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    # SHA-256 over the method, the path and the body: a reused key with another request is
    # refused.
    request_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    body = models.JSONField(default=dict)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "幂等请求"
        verbose_name_plural = "幂等请求"
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="api_idempotency_user_key")
        ]
        # The purge deletes by age (idempotency.py: `expired`).
        indexes = [models.Index(fields=["created_at"], name="api_idempotency_created")]

    def __str__(self) -> str:
        return self.key
