"""The one error a service raises when a rule refuses a request.

It is a Django ValidationError, so the admin and forms show its Chinese message as is,
and it carries the rulebook IDs that refused the request.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError


class RuleViolation(ValidationError):
    """A request refused by a rule; `messages` are Chinese, `rules` are rulebook IDs."""

    def __init__(self, messages: str | list[str], *, rules: tuple[str, ...] = ()) -> None:
        msgs = [messages] if isinstance(messages, str) else list(messages)
        super().__init__(msgs, code="rule")
        self.rules = rules

    def __str__(self) -> str:
        return "；".join(self.messages)
