"""The --as-of date of the warning commands."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext


def as_of(value: str | None) -> dt.date:
    if not value:
        return timezone.localdate()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            gettext("日期“%(value)s”无法识别：请写成 年-月-日，例如 2019-03-04。")
            % {"value": value}
        ) from None
