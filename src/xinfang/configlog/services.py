"""Recording configuration changes, and the generic audited writes the apps' services use.

Each app's services decide their rules (who may, what may change) and call these helpers,
which write the row and its `ConfigChange` in one transaction: if either fails, neither is
kept. A refused delete (a row still referenced, `on_delete=PROTECT`) becomes a Chinese
`RuleViolation` and writes no log row.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.db.models.deletion import ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xinfang.configlog.models import Action, ConfigChange
from xinfang.core.errors import RuleViolation

M = TypeVar("M", bound=models.Model)

EMPTY = "—"
# Lazy: each is made a plain string when its change is recorded (`configchange_record`).
PASSWORD_CHANGED = _("密码已修改")
PASSWORD_SET = _("已设置密码")
PASSWORD_UNUSABLE = _("不能用密码登录")


@dataclass(frozen=True)
class Value:
    """A field's stored value (JSON: codes, ids) and what a user reads (labels, names)."""

    label: str
    value: Any
    display: str


Snapshot = dict[str, Value]


def _json(value: Any) -> Any:
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        # One instant, one text: the same moment read back in another zone is no change.
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    return value


def _display(field: models.Field[Any, Any], value: Any) -> str:
    if value is None or value == "":
        return EMPTY
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    if isinstance(value, dt.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{local:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}"
    return str(value)


def _label(field: Any) -> str:
    return str(getattr(field, "verbose_name", field.name))


def field_value(obj: models.Model, name: str) -> Value:
    """The value of one model field of `obj`, a foreign key as id and name, a many-to-many
    field as sorted ids and names."""
    field = obj._meta.get_field(name)
    if field.many_to_many:
        related = sorted(getattr(obj, name).all(), key=lambda o: o.pk) if obj.pk else []
        return Value(
            _label(field),
            [o.pk for o in related],
            "、".join(str(o) for o in related) or EMPTY,
        )
    assert isinstance(field, models.Field)
    if field.many_to_one or field.one_to_one:
        target = getattr(obj, name)
        return Value(
            _label(field),
            target.pk if target else None,
            str(target) if target else EMPTY,
        )
    raw = field.value_from_object(obj)
    return Value(_label(field), _json(raw), _display(field, raw))


def snapshot(obj: models.Model, fields: Iterable[str]) -> Snapshot:
    return {name: field_value(obj, name) for name in fields}


def diff(before: Snapshot | None, after: Snapshot | None) -> list[dict[str, Any]]:
    """Each field whose stored value differs, from old to new (a missing side is empty; a
    field empty on a created or deleted row is left out)."""
    before, after = before or {}, after or {}
    rows = []
    for name in [*before, *(n for n in after if n not in before)]:
        old, new = before.get(name), after.get(name)
        if old is not None and new is not None and old.value == new.value:
            continue
        if (old or new).display == EMPTY and (old is None or new is None):  # type: ignore[union-attr]
            continue  # a row created or deleted with this field empty: nothing to read
        rows.append(
            {
                "field": name,
                "label": (new or old).label,  # type: ignore[union-attr]
                "old": old.value if old else None,
                "new": new.value if new else None,
                "old_display": old.display if old else EMPTY,
                "new_display": new.display if new else EMPTY,
            }
        )
    return rows


def editable_fields(model: type[models.Model], exclude: Iterable[str] = ()) -> list[str]:
    """The fields an administrator edits: no id, nothing derived or automatic."""
    skip = set(exclude)
    return [
        f.name
        for f in model._meta.get_fields()
        if isinstance(f, models.Field)
        and f.editable
        and not f.primary_key
        and not f.auto_created
        and f.name not in skip
    ]


def _actor_name(actor: AbstractBaseUser | None) -> str:
    if actor is None:
        return ""
    full = getattr(actor, "full_name", "")
    username = actor.get_username()
    return f"{full}（{username}）" if full and full != username else username


def configchange_record(
    *,
    actor: AbstractBaseUser | None,
    obj: models.Model,
    action: str,
    changes: Sequence[Mapping[str, Any]],
    object_repr: str | None = None,
) -> ConfigChange:
    """Append one log row; call inside the transaction that makes the change. `actor` None
    is a command or data load (shown as 系统)."""
    if not transaction.get_connection().in_atomic_block:
        # A log row committed apart from its change could outlive a rolled-back change.
        raise RuntimeError("configchange_record must run inside the change's transaction")
    return ConfigChange.objects.create(
        actor_id=actor.pk if actor is not None else None,
        actor_name=_actor_name(actor),
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=str(obj.pk),
        object_repr=(object_repr if object_repr is not None else str(obj))[:200],
        action=action,
        # A translated label made plain: the row keeps the words as they were written.
        changes=[
            {key: str(value) if isinstance(value, Promise) else value for key, value in c.items()}
            for c in changes
        ],
    )


def _validation_messages(obj: models.Model, exc: ValidationError) -> list[str]:
    """Each problem in Chinese, a field's problem prefixed with the field's name."""
    if not hasattr(exc, "error_dict"):
        return list(exc.messages)
    messages = []
    for name, errors in exc.error_dict.items():
        label = "" if name == NON_FIELD_ERRORS else _label(obj._meta.get_field(name)) + "："
        messages += [f"{label}{m}" for error in errors for m in error.messages]
    return messages


def validate(obj: models.Model) -> None:
    """The model's own checks (choices, lengths, uniqueness) as one Chinese RuleViolation;
    fields no one edits (derived paths, timestamps) are the model's own business."""
    derived = [f.name for f in obj._meta.concrete_fields if not f.editable]
    try:
        obj.full_clean(exclude=derived)
    except ValidationError as exc:
        raise RuleViolation(_validation_messages(obj, exc)) from exc


def audited_create(
    *,
    actor: AbstractBaseUser | None,
    obj: M,
    fields: Sequence[str],
    extra: Snapshot | None = None,
    after_save: Callable[[M], None] | None = None,
) -> M:
    """Save a new row and log its fields; `after_save` writes what hangs on it (roles,
    many-to-many) before the snapshot is taken. A person's input is validated first; the
    system's own loads (actor None: the demo, fixtures) are code, and skip the checks, which
    cost a query per unique constraint on every row of a whole province."""
    if actor is not None:
        validate(obj)
    with transaction.atomic():
        obj.save()
        if after_save is not None:
            after_save(obj)
        after = {**snapshot(obj, fields), **(extra or {})}
        configchange_record(actor=actor, obj=obj, action=Action.CREATED, changes=diff(None, after))
    return obj


def lock(obj: M) -> M:
    """The row as stored, locked for the change (the "before" of the log)."""
    return type(obj)._default_manager.select_for_update().get(pk=obj.pk)


def audited_update(
    *,
    actor: AbstractBaseUser | None,
    obj: M,
    changes: Mapping[str, Any],
    fields: Sequence[str],
    action: str = Action.CHANGED,
) -> M:
    """Apply `changes` (field name → new value, only names in `fields`) to the stored row,
    validate, save and log what really changed. Nothing changed: nothing written."""
    unknown = sorted(set(changes) - set(fields))
    if unknown:
        raise TypeError(f"not editable here: {unknown}")
    with transaction.atomic():
        row = lock(obj)
        before = snapshot(row, fields)
        m2m = {n: v for n, v in changes.items() if row._meta.get_field(n).many_to_many}
        plain = {n: v for n, v in changes.items() if n not in m2m}
        for name, value in plain.items():
            setattr(row, name, value)
        validate(row)
        if plain:
            row.save(update_fields=list(plain))
        for name, value in m2m.items():
            getattr(row, name).set(value)
        rows = diff(before, snapshot(row, fields))
        if rows:
            configchange_record(actor=actor, obj=row, action=action, changes=rows)
    return row


def audited_delete(
    *,
    actor: AbstractBaseUser | None,
    obj: models.Model,
    fields: Sequence[str],
    extra: Snapshot | None = None,
) -> None:
    """Delete the row and log what it held. A row still in use is refused, nothing logged."""
    with transaction.atomic():
        row = lock(obj)
        before = {**snapshot(row, fields), **(extra or {})}
        name, pk = str(row), row.pk
        try:
            with transaction.atomic():
                row.delete()
        except (ProtectedError, RestrictedError) as exc:
            raise RuleViolation(
                gettext(
                    "%(kind)s“%(name)s”仍被其他记录引用，不能删除；如已不再使用，请改为停用或修改。"
                )
                % {"kind": row._meta.verbose_name, "name": name}
            ) from exc
        row.pk = pk  # the log names the row that was deleted
        configchange_record(
            actor=actor,
            obj=row,
            action=Action.DELETED,
            changes=diff(before, None),
            object_repr=name,
        )
