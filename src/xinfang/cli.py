"""The `xinfang` command: Django's management commands under one name.

`xinfang demo` builds and serves the demo; `xinfang audit verify` checks the timeline;
anything else is passed to Django (`xinfang migrate`, `xinfang createsuperuser`, ...).

Every command first checks the data key against the database (petitions/keys.py) and stops
with a Chinese and English message on a missing, malformed or wrong key, except the few
below that never read or write personal data. Deny by default: a command added later is
checked without anyone having to remember it.
"""

from __future__ import annotations

import base64
import os
import secrets
import sys
from pathlib import Path


def _demo_environment() -> None:
    """Give the demo its own keys, generated once into XINFANG_HOME (never the repository)."""
    home = Path(os.environ.get("XINFANG_HOME", "var")).resolve()
    home.mkdir(parents=True, exist_ok=True)
    key_file = home / "demo-keys.env"
    if not key_file.exists():
        data_key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
        key_file.write_text(
            f"XINFANG_SECRET_KEY={secrets.token_urlsafe(48)}\nXINFANG_DATA_KEY={data_key}\n",
            encoding="utf-8",
        )
        key_file.chmod(0o600)
    if "XINFANG_AUDIT_KEY=" not in key_file.read_text(encoding="utf-8"):
        # The key sealing the timeline's checkpoints (R-PROTECT-2); added to older key files.
        audit_key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
        with key_file.open("a", encoding="utf-8") as f:
            f.write(f"XINFANG_AUDIT_KEY={audit_key}\n")
    _load_demo_keys()


def _load_demo_keys() -> None:
    """Other commands on a demo folder (`xinfang audit verify`, ...) use the demo's keys."""
    key_file = Path(os.environ.get("XINFANG_HOME", "var")).resolve() / "demo-keys.env"
    if key_file.exists():
        for line in key_file.read_text(encoding="utf-8").splitlines():
            name, _, value = line.partition("=")
            os.environ.setdefault(name, value)


# Commands that never touch personal identifiers, so they run without the data key:
# help and migration tooling, static files and translations, accounts, the calendar.
# `rotate_data_key` checks both keys itself (the startup check refuses mid-rotation).
KEYLESS_COMMANDS = frozenset(
    {
        "help",
        "version",
        "makemigrations",
        "showmigrations",
        "sqlmigrate",
        "collectstatic",
        "findstatic",
        "compilemessages",
        "makemessages",
        "createsuperuser",
        "changepassword",
        "seed_calendar",
        "rotate_data_key",
    }
)


def _check_data_key() -> None:
    """Stop with the key check's message (no traceback) before the command runs."""
    import django
    from django.db import connections

    from xinfang.core.keys import DataKeyError

    django.setup()
    # Only now: it imports models, which need the app registry django.setup() fills.
    from xinfang.petitions.keys import check_data_key

    try:
        check_data_key()
    except DataKeyError as e:
        sys.stderr.write(f"{e}\n")
        sys.exit(1)
    finally:
        # The check's connection is not the command's: runserver's reloader process, for
        # one, would hold it idle for as long as it watches. (Inside a transaction, as in
        # the tests, it stays: closing would break the transaction.)
        for connection in connections.all(initialized_only=True):
            if not connection.in_atomic_block:
                connection.close()


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    command = argv[1] if len(argv) > 1 else "help"
    if command == "demo":
        _demo_environment()
    else:
        _load_demo_keys()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")
    from django.core.management import execute_from_command_line

    # A command's help reads nothing (test_a_commands_help_needs_no_key_and_writes_nothing);
    # after "--" the words are the command's values, not options.
    options = argv[2 : argv.index("--")] if "--" in argv else argv[2:]
    asks_help = "--help" in options or "-h" in options
    if not command.startswith("-") and command not in KEYLESS_COMMANDS and not asks_help:
        _check_data_key()
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
