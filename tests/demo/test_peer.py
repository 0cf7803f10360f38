"""The peer's side runs in its own environment (issue 10, docs/benchmarks.md): nothing of
xinfang's settings, sources or virtual environment reaches its python."""

from pathlib import Path

from xinfang.demo.peer import peer_environ


def test_the_peer_process_inherits_neither_our_settings_nor_our_sources():
    parent = {
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "xinfang.settings",
        "PYTHONPATH": "/somewhere/src",
        "PYTHONHOME": "/somewhere",
        "VIRTUAL_ENV": "/somewhere/.venv",
        "DATABASE_URL": "postgres://ours",
    }
    env = peer_environ(parent, "sqlite:///peer.sqlite3", Path("/tmp/peer-work"))
    assert env == {
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "DATABASE_URL": "sqlite:///peer.sqlite3",
        "PEER_HOME": "/tmp/peer-work",
    }
    assert parent["PYTHONPATH"] == "/somewhere/src"  # the parent's own left as it was
