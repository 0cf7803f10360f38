"""The layers run one way (docs/architecture.md, "Layers"), enforced by import-linter.

`./dev test` runs `lint-imports` before the suite; these tests show that the contract holds
on the tree as it is, that it fails on a backward import (one planted in a copy of the tree),
and that no module hides an import of the project inside a function to dodge a circle.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(src: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run(
        [str(LINT), "--config", str(ROOT / "pyproject.toml"), "--no-cache", "--no-logo"],
        cwd=src,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_tree_keeps_the_layer_contract() -> None:
    result = _lint(SRC)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 1 kept, 0 broken." in result.stdout


def test_a_backward_import_breaks_the_contract(tmp_path: Path) -> None:
    """The pure routing rules importing a case model: the arrow the layers forbid."""
    copy = tmp_path / "src"
    shutil.copytree(SRC / "xinfang", copy / "xinfang", ignore=shutil.ignore_patterns("__pycache__"))
    rules = copy / "xinfang" / "routing" / "rules.py"
    rules.write_text(rules.read_text() + "\nfrom xinfang.cases.models import Case  # noqa\n")
    result = _lint(copy)
    assert result.returncode != 0
    assert "xinfang.routing is not allowed to import xinfang.cases" in result.stdout
    assert "xinfang.routing.rules -> xinfang.cases.models" in result.stdout


# Function-local imports of the project that are not dodging a circle, each with its reason.
ALLOWED_LOCAL_IMPORTS = {
    # Django calls ready() once the app registry is full; models cannot be imported earlier.
    "xinfang/cases/apps.py",
    # The command-line entry point sets Django up before anything touching models is imported.
    "xinfang/cli.py",
}


def _local_project_imports(path: Path, root: Path = SRC) -> list[str]:
    found: list[str] = []
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.ImportFrom) and (inner.module or "").startswith("xinfang"):
                found.append(f"{path.relative_to(root)}:{inner.lineno} from {inner.module}")
            elif isinstance(inner, ast.Import) and any(
                a.name.startswith("xinfang") for a in inner.names
            ):
                found.append(f"{path.relative_to(root)}:{inner.lineno} import")
    return found


def test_no_function_local_imports_of_the_project() -> None:
    found: list[str] = []
    for path in sorted((SRC / "xinfang").rglob("*.py")):
        rel = str(path.relative_to(SRC))
        if "migrations" in path.parts or rel in ALLOWED_LOCAL_IMPORTS:
            continue
        found += _local_project_imports(path)
    assert found == []


def test_the_local_import_check_finds_one(tmp_path: Path) -> None:
    """The check above is not vacuous: it reports an import inside a function."""
    module = tmp_path / "m.py"
    module.write_text("import xinfang\n\ndef f() -> None:\n    from xinfang.cases import models\n")
    assert _local_project_imports(module, tmp_path) == ["m.py:4 from xinfang.cases"]
