"""Settlement sits below the dividends: the dividends read settled epochs, and settlement
receives the dividend roots it commits (`Settlement.dividends`) instead of importing them."""

from __future__ import annotations

import ast
from pathlib import Path

import milestone.epochs

EPOCHS_DIR = Path(milestone.epochs.__file__).parent


def imported_modules(source: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_the_epochs_package_imports_nothing_of_the_dividends() -> None:
    offenders = [
        f"{path.name}: {name}"
        for path in sorted(EPOCHS_DIR.rglob("*.py"))
        for name in imported_modules(path.read_text())
        if name == "milestone.dividends" or name.startswith("milestone.dividends.")
    ]
    assert offenders == []


def test_the_check_sees_an_import_of_the_dividends() -> None:
    assert "milestone.dividends.finality" in imported_modules(
        "from milestone.dividends import finality"
    )
    assert "milestone.dividends.commitments" in imported_modules(
        "import milestone.dividends.commitments"
    )
