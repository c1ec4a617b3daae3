"""Contracts compile on demand into a cache keyed by their sources."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from milestone.chain import compile as compiler


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the contract sources and an empty cache, both private to the test."""
    sources = tmp_path / "contracts"
    shutil.copytree(compiler.CONTRACTS_DIR, sources)
    monkeypatch.setattr(compiler, "CONTRACTS_DIR", sources)
    monkeypatch.setenv("MILESTONE_CACHE_DIR", str(tmp_path / "cache"))
    compiler.load_contract.cache_clear()
    yield sources
    compiler.load_contract.cache_clear()


def test_a_contract_compiles_into_the_cache(sandbox: Path) -> None:
    token = compiler.load_contract("Token")
    assert token.bytecode and any(item.get("name") == "transfer" for item in token.abi)
    [artifact] = compiler.cache_dir().glob("*/Token.json")
    assert artifact.parent.name == compiler.sources_digest()[:24]


def test_changing_a_source_rebuilds(sandbox: Path) -> None:
    before = compiler.load_contract("Token")
    digest_before = compiler.sources_digest()
    source = sandbox / "Token.vy"
    source.write_text(
        source.read_text().replace(
            "MAX_BATCH: constant(uint256) = 512", "MAX_BATCH: constant(uint256) = 511"
        )
    )
    compiler.load_contract.cache_clear()
    after = compiler.load_contract("Token")
    assert compiler.sources_digest() != digest_before
    assert after.bytecode != before.bytecode
    assert len(list(compiler.cache_dir().glob("*/Token.json"))) == 2


def test_a_cached_artifact_is_reused(sandbox: Path) -> None:
    compiler.load_contract("Token")
    [artifact] = compiler.cache_dir().glob("*/Token.json")
    artifact.write_text(artifact.read_text().replace('"bytecode": "', '"bytecode": "00', 1))
    compiler.load_contract.cache_clear()
    assert compiler.load_contract("Token").bytecode[:1] == b"\x00"


def test_an_unknown_contract_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown contract"):
        compiler.load_contract("Nope")
