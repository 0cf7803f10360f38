"""What must never reach what a person reads on a page: rule IDs, and the stored codes
behind the Chinese names. Used by the browser tests (tests/e2e) and the generated walk of
every page (tests/protection/test_every_door.py)."""

import re

RULE_ID = re.compile(r"R-[A-Z]+-\d")
RAW_CODES = frozenset(
    {
        # states, handling modes, channels, categories, natures, roles
        "registered",
        "read",
        "handling",
        "closing",
        "closed",
        "archived",
        "referred",
        "transferred",
        "filed",
        "merged",
        "withdrawn",
        "reviewing",
        "self",
        "transfer",
        "assign",
        "refer",
        "letter",
        "visit",
        "misconduct",
        "accusation",
        "request",
        "outside_remit",
        "personal_request",
        "keep",
        "investigate",
        "registrar",
        "handler",
        "leader",
        "supervisor",
        "section",
        "none",
        "null",
        "true",
        "false",
    }
)
ASCII_WORD = re.compile(r"(?<![A-Za-z0-9_.-])[A-Za-z_]{3,}(?![A-Za-z0-9_])")
