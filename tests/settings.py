"""Test settings: the product's settings with a fixed test key and a fast hasher."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("XINFANG_DEBUG", "1")
os.environ.setdefault("XINFANG_SECRET_KEY", "test-secret-key-not-for-production")
# A fixed key for tests only (32 zero bytes); production keys come from the environment.
os.environ.setdefault("XINFANG_DATA_KEY", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
# A fixed audit key for tests only (32 bytes of 0x01).
os.environ.setdefault("XINFANG_AUDIT_KEY", "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=")

from xinfang.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
XINFANG_DATA_KEY = os.environ["XINFANG_DATA_KEY"]
XINFANG_AUDIT_KEY = os.environ["XINFANG_AUDIT_KEY"]
# Never the repository's var/: tests that write checkpoints point this at their tmp_path.
XINFANG_AUDIT_CHECKPOINT_FILE = (
    Path(tempfile.mkdtemp(prefix="xinfang-audit-")) / "checkpoints.jsonl"
)

# WhiteNoise serves from the finders in tests; give it an existing, empty static root.
STATIC_ROOT = Path(tempfile.gettempdir()) / "xinfang-test-static"
STATIC_ROOT.mkdir(exist_ok=True)

# Server threads of the browser tests must not keep connections open past a request, or
# the PostgreSQL test database cannot be dropped at the end of the run.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

# The shared builders register the same letter from the same person again and again to reach
# a state; the automatic repeat link (issue 11) would fold those into one case. It is on in
# production and turned on by the tests that test it (tests/cases/test_matching.py).
XINFANG_AUTO_REPEAT = False
