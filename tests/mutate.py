"""Mutation testing of one rule module with mutmut (`./dev mutate MODULE [FUNCTION]`).

Not part of the suite (pytest collects only test_*.py) and not run in CI: it takes minutes.

mutmut reads its settings from the pyproject.toml of the directory it runs in and mutates
everything it is told to, so this script prepares a scratch copy per module under
var/mutate/: src/ and tests/ copied, and a pyproject.toml whose [tool.mutmut] section names
only that module and only the tests listed for it in [tool.xinfang.mutation] of the real
pyproject.toml (a fast, targeted selection). The mutants and their results stay in the
scratch copy, so `cd var/mutate/<slug> && mutmut show <name>` shows any of them afterwards.

Prints the counts of killed and surviving mutants and the name of each survivor.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _mutmut_section(module: str, tests: list[str]) -> str:
    # json.dumps of a list of strings is a valid TOML array.
    return (
        "[tool.mutmut]\n"
        'source_paths = ["src"]\n'
        f"only_mutate = {json.dumps(['src/xinfang/' + module])}\n"
        f"pytest_add_cli_args_test_selection = {json.dumps(tests)}\n"
        'pytest_add_cli_args = ["-p", "no:cacheprovider"]\n'
        "use_git_change_detection = false\n"
    )


def prepare(module: str) -> tuple[Path, list[str]]:
    text = (ROOT / "pyproject.toml").read_text("utf-8")
    table = tomllib.loads(text)["tool"]["xinfang"]["mutation"]
    if module not in table:
        known = ", ".join(sorted(table))
        sys.exit(f"unknown module {module!r}; listed in pyproject.toml: {known}")
    tests: list[str] = table[module]
    scratch = ROOT / "var" / "mutate" / module.replace("/", "_").removesuffix(".py")
    if scratch.exists():
        shutil.rmtree(scratch)
    scratch.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    shutil.copytree(ROOT / "src", scratch / "src", ignore=ignore)
    shutil.copytree(ROOT / "tests", scratch / "tests", ignore=ignore)
    # Replace the [tool.mutmut] section (up to the next table header) with the narrowed one.
    narrowed = re.sub(
        r"^\[tool\.mutmut\]\n(?:(?!\[).*\n)*",
        _mutmut_section(module, tests),
        text,
        count=1,
        flags=re.MULTILINE,
    )
    (scratch / "pyproject.toml").write_text(narrowed, "utf-8")
    return scratch, tests


def main(argv: list[str]) -> int:
    if not argv:
        sys.exit("usage: ./dev mutate MODULE [FUNCTION | MUTANT ...]  (MODULE under src/xinfang/)")
    module, chosen = argv[0], argv[1:]
    scratch, tests = prepare(module)
    mutmut = str(Path(sys.executable).parent / "mutmut")
    dotted = "xinfang." + module.removesuffix(".py").replace("/", ".")
    # A function's name stands for all its mutants; a full mutant name (as printed below,
    # e.g. the survivors of an earlier run, after new tests) for that one.
    names = [n if "__mutmut_" in n else f"{dotted}.x_{n}__mutmut_*" for n in chosen]
    prefixes = [n if "__mutmut_" in n else f"{dotted}.x_{n}__mutmut_" for n in chosen]
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # SQLite in memory
    print(f"== mutating src/xinfang/{module}" + (f" ({len(chosen)} chosen)" if chosen else ""))
    print(f"== tests: {' '.join(tests)}")
    subprocess.run([mutmut, "run", *names], cwd=scratch, env=env, check=True)
    out = subprocess.run(
        [mutmut, "results", "--all", "true"],
        cwd=scratch,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    results = [line.strip().rsplit(": ", 1) for line in out.splitlines() if ": " in line]
    if chosen:
        results = [
            r
            for r in results
            if any(r[0] == p or (p.endswith("_") and r[0].startswith(p)) for p in prefixes)
        ]
    counts: dict[str, int] = {}
    for _name, status in results:
        counts[status] = counts.get(status, 0) + 1
    killed = counts.get("killed", 0)
    total = sum(counts.values())
    print(f"\n== {total} mutants: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())))
    if total:
        print(f"== killed {killed}/{total} = {100 * killed / total:.1f}%")
    for name, status in results:
        if status != "killed":
            print(f"   {status}: {name}")
    print(f"== inspect one: cd {scratch.relative_to(ROOT)} && ../../../.venv/bin/mutmut show NAME")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
