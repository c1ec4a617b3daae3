"""`milestone.rules` is the specification: it imports only the standard library and itself,
and it does no I/O, so any other implementation can be checked against it."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import milestone.rules

RULES_DIR = Path(milestone.rules.__file__).parent
# Third-party modules the rules may use: pure computation only.
ALLOWED_THIRD_PARTY = {"sha3"}
# Standard-library modules that touch the outside world.
FORBIDDEN_STDLIB = {
    "os", "io", "sys", "socket", "subprocess", "shutil", "pathlib", "tempfile", "time",
    "random", "secrets", "urllib", "http", "sqlite3", "logging", "threading", "multiprocessing",
    "asyncio", "glob", "pickle", "shelve",
}
FORBIDDEN_CALLS = {"open", "input", "print", "exec", "eval", "__import__"}


def rule_modules() -> list[Path]:
    return sorted(RULES_DIR.rglob("*.py"))


def imported_roots(tree: ast.AST) -> set[str]:
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module)
    return roots


def test_rules_import_only_the_standard_library_and_themselves() -> None:
    offenders = []
    for path in rule_modules():
        for name in imported_roots(ast.parse(path.read_text())):
            root = name.split(".")[0]
            if name == "milestone.rules" or name.startswith("milestone.rules."):
                continue
            foreign = root not in sys.stdlib_module_names and root not in ALLOWED_THIRD_PARTY
            if root in FORBIDDEN_STDLIB or root == "milestone" or foreign:
                offenders.append(f"{path.name}: {name}")
    assert offenders == []


def test_rules_call_no_io_builtins() -> None:
    offenders = []
    for path in rule_modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in FORBIDDEN_CALLS
            ):
                offenders.append(f"{path.name}:{node.lineno} {node.func.id}()")
    assert offenders == []


def test_the_purity_check_catches_a_forbidden_import() -> None:
    tree = ast.parse("import os\nfrom milestone.ledger import journal\n")
    assert imported_roots(tree) == {"os", "milestone.ledger"}
