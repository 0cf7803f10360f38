"""The frozen clock the demo runs the services under (see `xinfang.demo.build`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils import timezone


class FrozenClock:
    """Replaces `django.utils.timezone.now` while active; `set()` moves the hands.

    `timezone.localdate()` and `timezone.localtime()` look `now` up in the module's globals at
    call time, and the services call `timezone.now()` through the module, so one attribute
    swap covers them all. The original is restored on exit, even after an exception.
    """

    def __init__(self) -> None:
        self._current: dt.datetime | None = None
        self._original: Callable[[], dt.datetime] | None = None

    def set(self, when: dt.datetime) -> None:
        if timezone.is_naive(when):
            raise ValueError("FrozenClock needs an aware datetime")
        self._current = when.astimezone(dt.UTC)

    def _now(self) -> dt.datetime:
        if self._current is None:
            assert self._original is not None
            return self._original()
        return self._current

    def __enter__(self) -> FrozenClock:
        self._original = timezone.now
        setattr(timezone, "now", self._now)  # noqa: B010 - module attribute swap
        return self

    def __exit__(self, *exc: object) -> None:
        setattr(timezone, "now", self._original)  # noqa: B010
        self._original = None
        self._current = None
