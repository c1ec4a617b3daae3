"""The app's TypeScript types are the API's: generated from its OpenAPI document, never drifted."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from milestone.api.app import openapi_document

WEB = Path(__file__).resolve().parents[2] / "web"
AMOUNT_WORDS = ("pebbles", "fen", "amount", "balance", "price", "reward", "budget", "supply")


def test_the_committed_types_match_the_openapi_document() -> None:
    if not (WEB / "node_modules" / ".bin" / "openapi-typescript").exists():
        pytest.fail("the web app's packages are missing: run `make web` (make test does)")
    if shutil.which("node") is None:
        pytest.fail("node is missing")
    check = subprocess.run([str(WEB / "scripts" / "types.sh"), "--check"],
                           capture_output=True, text=True, timeout=300)
    assert check.returncode == 0, check.stderr


def _integer_amounts(schema: object, where: str) -> list[str]:
    """Integer properties of response schemas whose name says they hold an amount."""
    found: list[str] = []
    if isinstance(schema, dict):
        for name, prop in (schema.get("properties") or {}).items():
            kinds = {prop.get("type")} | {p.get("type") for p in prop.get("anyOf", [])}
            if "integer" in kinds and any(word in name for word in AMOUNT_WORDS):
                found.append(f"{where}.{name}")
    return found


def test_no_response_carries_an_amount_as_a_json_number() -> None:
    document = openapi_document()
    schemas = document["components"]["schemas"]
    responses: set[str] = set()
    for path in document["paths"].values():
        for operation in path.values():
            for answer in operation.get("responses", {}).values():
                for media in answer.get("content", {}).values():
                    ref = str(media.get("schema", {}).get("$ref", "")) or str(
                        media.get("schema", {}).get("items", {}).get("$ref", ""))
                    if ref:
                        responses.add(ref.rsplit("/", 1)[-1])
    reached = set()
    while responses:  # every schema a response reaches, through references
        name = responses.pop()
        if name in reached:
            continue
        reached.add(name)
        text = str(schemas[name])
        responses |= {part.split("'")[0] for part in text.split("#/components/schemas/")[1:]}
    assert "WalletPublic" in reached and "Amount" in reached
    offenders = [o for name in sorted(reached) for o in _integer_amounts(schemas[name], name)]
    assert offenders == []


def test_an_amount_is_a_string_of_digits_in_the_document() -> None:
    amount = openapi_document()["components"]["schemas"]["Amount"]["properties"]["pebbles"]
    assert amount["type"] == "string" and amount["pattern"] == "^-?[0-9]+$"


def test_the_amount_check_finds_an_integer_amount_and_passes_a_count() -> None:
    schema = {"properties": {"amount_fen": {"type": "integer"}, "holders": {"type": "integer"},
                             "cash_fen": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
                             "price": {"type": "string"}}}
    assert _integer_amounts(schema, "X") == ["X.amount_fen", "X.cash_fen"]
