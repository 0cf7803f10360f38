"""A missing, malformed or wrong data key is refused at start and before any write (issue 6).

The finding: with a different well-formed XINFANG_DATA_KEY the app started, a returning
petitioner was taken as new (the keyed hash differed) and a duplicate was written under the
wrong key. Now the database keeps a fingerprint of its key; every start (WSGI, runserver,
the demo, every `xinfang` command that touches personal data) and every encryption compare
the key in use with it.
"""

from __future__ import annotations

import runpy
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.servers import basehttp
from django.test import override_settings

from tests.builders import VALID_ID, registration
from tests.orgtree import Tree
from xinfang import cli
from xinfang.cases.models import Case, CaseEvent
from xinfang.petitions import keys, protect
from xinfang.petitions.models import DataKeyFingerprint, Petition, Petitioner

# The test settings' key (32 zero bytes) and another well-formed key (32 bytes of 0x01).
RIGHT_KEY = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
WRONG_KEY = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="
# HMAC-SHA256 of the label under a key derived from RIGHT_KEY, worked out once by hand
# (python: hmac.new(sha256(b"xinfang-fingerprint" + bytes(32)).digest(),
#  b"xinfang data key fingerprint v1", sha256).hexdigest()).
RIGHT_FINGERPRINT = "6a7cca737f6a13fb5ead44d3e734acff8f143359a2705b28660a09bc6c5adb1c"

MALFORMED = [
    pytest.param("c2hvcnQ=", id="too-short"),
    pytest.param("not a key at all, not base64 at all, no!!!!!", id="not-base64"),
    pytest.param("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", id="bad-padding"),
    pytest.param("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" + "AAAA", id="too-long"),
]

MISSING_WORDS = ("未设置数据密钥", "XINFANG_DATA_KEY is not set")
MALFORMED_WORDS = ("数据密钥格式不对", "XINFANG_DATA_KEY is malformed")
WRONG_WORDS = ("与本数据库登记的密钥不符", "does not match the key recorded in this database")


@pytest.fixture(autouse=True)
def fresh_verdicts() -> Iterator[None]:
    """The startup verdict is cached per process; each test starts without one."""
    keys.forget_verdicts()
    yield
    keys.forget_verdicts()


def start_wsgi() -> object:
    """Run the WSGI module as a server would at start; return its application."""
    return runpy.run_module("xinfang.wsgi")["application"]


def _assert_says(message: str, words: tuple[str, str]) -> None:
    chinese, english = words
    assert chinese in message and english in message, message


def _counts() -> tuple[int, int, int, int]:
    return (
        Petitioner.objects.count(),
        Petition.objects.count(),
        Case.objects.count(),
        CaseEvent.objects.count(),
    )


def _first_start_with_right_key(tree: Tree) -> None:
    """The database is in use under RIGHT_KEY: one petitioner registered with it."""
    registration(tree.county_staff)
    assert DataKeyFingerprint.objects.get().fingerprint == RIGHT_FINGERPRINT


# --- the web app's start (WSGI, which runserver and the demo server load too) -------------


@pytest.mark.django_db
def test_missing_key_refuses_to_start() -> None:
    with (
        override_settings(XINFANG_DATA_KEY=""),
        pytest.raises(ImproperlyConfigured, match=MISSING_WORDS[0]) as e,
    ):
        start_wsgi()
    _assert_says(str(e.value), MISSING_WORDS)


@pytest.mark.django_db
@pytest.mark.parametrize("bad", MALFORMED)
def test_malformed_key_refuses_to_start(bad: str) -> None:
    with (
        override_settings(XINFANG_DATA_KEY=bad),
        pytest.raises(ImproperlyConfigured, match=MALFORMED_WORDS[0]) as e,
    ):
        start_wsgi()
    _assert_says(str(e.value), MALFORMED_WORDS)


def test_wrong_key_refuses_to_start_and_the_right_one_starts(tree: Tree) -> None:
    _first_start_with_right_key(tree)
    with (
        override_settings(XINFANG_DATA_KEY=WRONG_KEY),
        pytest.raises(ImproperlyConfigured, match=WRONG_WORDS[0]) as e,
    ):
        start_wsgi()
    _assert_says(str(e.value), WRONG_WORDS)
    assert callable(start_wsgi())


@pytest.mark.django_db
def test_right_key_starts_and_first_start_records_only_a_fingerprint() -> None:
    assert not DataKeyFingerprint.objects.exists()
    application = start_wsgi()
    assert callable(application)
    row = DataKeyFingerprint.objects.get()
    assert row.fingerprint == RIGHT_FINGERPRINT and row.next_fingerprint == ""
    # Never the key itself, in any spelling.
    stored = f"{row.fingerprint}{row.next_fingerprint}"
    assert RIGHT_KEY not in stored and RIGHT_KEY.rstrip("=") not in stored
    # And the same key starts again.
    keys.forget_verdicts()
    assert callable(start_wsgi())


# --- registration: nothing is written under a wrong key ----------------------------------


def test_registration_under_a_wrong_key_is_refused_and_writes_nothing(tree: Tree) -> None:
    _first_start_with_right_key(tree)
    before = _counts()
    with (
        override_settings(XINFANG_DATA_KEY=WRONG_KEY),
        pytest.raises(ImproperlyConfigured, match=WRONG_WORDS[0]) as e,
    ):
        # The same petitioner comes back: under the wrong key the keyed hash would not
        # find them and a duplicate would be written (the finding).
        registration(tree.county_staff)
    _assert_says(str(e.value), WRONG_WORDS)
    assert _counts() == before


def test_after_the_right_key_is_back_the_returning_petitioner_is_found(tree: Tree) -> None:
    _first_start_with_right_key(tree)
    with (
        override_settings(XINFANG_DATA_KEY=WRONG_KEY),
        pytest.raises(ImproperlyConfigured, match=WRONG_WORDS[0]),
    ):
        registration(tree.county_staff)
    again = registration(tree.county_staff)
    # R-INTAKE-5: found again by the keyed hash, not written twice.
    assert (again.is_first, again.earlier_petitions) == (False, 1)
    assert Petitioner.objects.count() == 1
    person = Petitioner.objects.get()
    assert protect.decrypt(person.id_number_encrypted) == VALID_ID


@pytest.mark.parametrize(
    ("key", "words"),
    [
        pytest.param("", MISSING_WORDS, id="missing"),
        pytest.param("c2hvcnQ=", MALFORMED_WORDS, id="malformed"),
        pytest.param(WRONG_KEY, WRONG_WORDS, id="wrong"),
    ],
)
def test_protect_refuses_to_encrypt_or_hash_under_a_bad_key(
    tree: Tree, key: str, words: tuple[str, str]
) -> None:
    """Defence in depth: even with the startup check bypassed, nothing is keyed wrongly."""
    _first_start_with_right_key(tree)
    with override_settings(XINFANG_DATA_KEY=key):
        for call in (protect.encrypt, protect.match_hash):
            with pytest.raises(ImproperlyConfigured, match=words[0]) as e:
                call(VALID_ID)
            _assert_says(str(e.value), words)


def test_a_database_with_data_but_no_fingerprint_adopts_only_a_key_that_reads_it(
    tree: Tree,
) -> None:
    """Upgrading a database written before fingerprints: the key must decrypt its data."""
    _first_start_with_right_key(tree)
    DataKeyFingerprint.objects.all().delete()
    with (
        override_settings(XINFANG_DATA_KEY=WRONG_KEY),
        pytest.raises(ImproperlyConfigured, match=WRONG_WORDS[0]) as e,
    ):
        start_wsgi()
    _assert_says(str(e.value), WRONG_WORDS)
    assert not DataKeyFingerprint.objects.exists()
    keys.forget_verdicts()
    start_wsgi()
    assert DataKeyFingerprint.objects.get().fingerprint == RIGHT_FINGERPRINT


# --- the `xinfang` command and the servers it starts --------------------------------------


class ServerStarted(Exception):
    pass


@pytest.fixture
def no_real_server(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """runserver gets as far as binding the port, then stops: that is 'it started'."""

    def bind(*args: object, **kwargs: object) -> None:
        raise ServerStarted("bound")

    monkeypatch.setattr(basehttp, "run", bind)
    monkeypatch.setattr("django.core.management.commands.runserver.run", bind)
    monkeypatch.setenv("XINFANG_HOME", str(tmp_path))


RUNSERVER = ["xinfang", "runserver", "--noreload", "127.0.0.1:8999"]


@pytest.mark.usefixtures("no_real_server")
def test_runserver_refuses_a_wrong_key_and_starts_with_the_right_one(
    tree: Tree, capsys: pytest.CaptureFixture[str]
) -> None:
    _first_start_with_right_key(tree)
    with (
        override_settings(XINFANG_DATA_KEY=WRONG_KEY),
        pytest.raises(SystemExit, match=r"^1$") as e,
    ):
        cli.main(RUNSERVER)
    assert e.value.code == 1
    _assert_says(capsys.readouterr().err, WRONG_WORDS)
    with pytest.raises(ServerStarted, match=r"^bound$"):
        cli.main(RUNSERVER)


@pytest.mark.usefixtures("no_real_server")
@pytest.mark.parametrize(
    ("key", "words"),
    [
        pytest.param("", MISSING_WORDS, id="missing"),
        pytest.param("c2hvcnQ=", MALFORMED_WORDS, id="malformed"),
        pytest.param(WRONG_KEY, WRONG_WORDS, id="wrong"),
    ],
)
@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["xinfang", "demo", "--no-serve", "--petitions", "5"], id="demo"),
        pytest.param(["xinfang", "shell", "-c", "print('opened')"], id="shell"),
        pytest.param(["xinfang", "dumpdata", "petitions.petitioner"], id="dumpdata"),
        pytest.param(["xinfang", "audit", "verify"], id="audit"),
    ],
)
def test_commands_that_touch_personal_data_refuse_a_bad_key(
    tree: Tree,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    key: str,
    words: tuple[str, str],
) -> None:
    _first_start_with_right_key(tree)
    before = _counts()
    with override_settings(XINFANG_DATA_KEY=key), pytest.raises(SystemExit, match=r"^1$") as e:
        cli.main(argv)
    assert e.value.code == 1
    out = capsys.readouterr()
    _assert_says(out.err, words)
    assert "opened" not in out.out and "petitions.petitioner" not in out.out
    assert _counts() == before


def test_the_system_check_reports_a_wrong_key(tree: Tree) -> None:
    """`xinfang check --database default` (and migrate's own check) report it too."""
    from django.core.management.base import SystemCheckError

    _first_start_with_right_key(tree)
    with (
        override_settings(XINFANG_DATA_KEY=WRONG_KEY),
        pytest.raises(SystemCheckError, match=WRONG_WORDS[0]) as e,
    ):
        call_command("check", databases=["default"])
    _assert_says(str(e.value), WRONG_WORDS)
    keys.forget_verdicts()
    call_command("check", databases=["default"])  # the right key: no error


@pytest.mark.django_db
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_a_commands_help_needs_no_key_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], flag: str
) -> None:
    """A command's help reads no personal data, so it is shown without the key check. The
    check would record the key's fingerprint on a new database, and on one being filled by
    `xinfang bench generate` it waited for the generator's transaction (found running
    `xinfang bench run --help` beside a generation)."""
    with override_settings(XINFANG_DATA_KEY=""), pytest.raises(SystemExit, match=r"^0$"):
        cli.main(["xinfang", "audit", flag])
    assert "verify" in capsys.readouterr().out
    assert not DataKeyFingerprint.objects.exists()


@pytest.mark.django_db
def test_help_after_the_options_end_is_a_value_and_the_key_is_still_checked(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with override_settings(XINFANG_DATA_KEY=""), pytest.raises(SystemExit, match=r"^1$"):
        cli.main(["xinfang", "dumpdata", "petitions.petitioner", "--", "--help"])
    _assert_says(capsys.readouterr().err, MISSING_WORDS)
