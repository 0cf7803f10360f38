"""The configuration audit log: who changed which setting, when, from what to what.

Organization data, staff and their roles, referral rules, yearly targets, the deadline rule
set in force and the working calendar decide who sees what and how cases are routed and
timed; every change to them is one `ConfigChange` row, written by the service that makes the
change in the same transaction. Rows are only ever added: the ORM refuses to change or
delete one (the model and its queryset), and so does the admin.

This app sits just above `core`: it imports no other xinfang app, so every app may record
its changes here.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# Shown when a change was made by a command or a data load rather than by a signed-in user.
SYSTEM_ACTOR = _("系统（命令或初始化）")


class AppendOnlyError(RuntimeError):
    """A programming error: something tried to change or delete a configuration log row."""

    def __init__(self) -> None:
        super().__init__(gettext("配置变更记录只能追加，不能修改或删除。"))


def _refuse(*args: Any, **kwargs: Any) -> NoReturn:
    raise AppendOnlyError


class ConfigChangeQuerySet(models.QuerySet["ConfigChange"]):
    """Bulk writes that bypass `save()`/`delete()` are refused too."""

    update = _refuse
    delete = _refuse
    bulk_update = _refuse
    update_or_create = _refuse


class Action(models.TextChoices):
    CREATED = "created", _("新增")
    CHANGED = "changed", _("修改")
    DELETED = "deleted", _("删除")
    ACTIVATED = "activated", _("设为现行")


class ConfigChange(models.Model):
    """One change to configuration data; `changes` lists each field from old to new."""

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The actor's name when the change was made: a later rename does not rewrite history.
    actor_name = models.CharField(_("操作人姓名"), max_length=150)
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("配置项类型"), on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField(_("对象编号"), max_length=64)
    object_repr = models.CharField(_("对象"), max_length=200)
    action = models.CharField(_("操作"), max_length=16, choices=Action.choices)
    # [{"field", "label", "old", "new", "old_display", "new_display"}, ...]: the stored
    # values (codes, ids) and what a user reads (Chinese labels, names).
    changes = models.JSONField(_("变更内容"), default=list)

    objects = ConfigChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("配置变更记录")
        verbose_name_plural = _("配置变更记录")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="configchange_object")]

    def __str__(self) -> str:
        return f"{self.object_repr} {self.get_action_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError

    @property
    def actor_display(self) -> str:
        return self.actor_name or str(SYSTEM_ACTOR)

    @property
    def model_label(self) -> str:
        model = self.content_type.model_class()
        return str(model._meta.verbose_name) if model else self.content_type.name
