"""The real `xinfang` entry point on a fresh SQLite database, outside pytest's database.

The only test that runs `xinfang migrate` on an empty database (in-process tests get
theirs from pytest-django) and the key check as a deployment meets it: three processes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

RIGHT_KEY = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
WRONG_KEY = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="


def _xinfang(home: Path, key: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "DJANGO"))}
    env.update(XINFANG_HOME=str(home), XINFANG_SECRET_KEY="test-only-secret", XINFANG_DATA_KEY=key)
    return subprocess.run(
        [sys.executable, "-m", "xinfang", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_fresh_database_migrates_records_the_key_at_first_start_and_refuses_another(
    tmp_path: Path,
) -> None:
    migrate = _xinfang(tmp_path, RIGHT_KEY, "migrate", "--verbosity", "0")
    assert migrate.returncode == 0, migrate.stderr
    first = _xinfang(tmp_path, RIGHT_KEY, "check", "--database", "default")
    assert first.returncode == 0, first.stderr
    wrong = _xinfang(tmp_path, WRONG_KEY, "check", "--database", "default")
    assert wrong.returncode == 1
    assert "与本数据库登记的密钥不符" in wrong.stderr
    assert "does not match the key recorded in this database" in wrong.stderr
    assert "Traceback" not in wrong.stderr
