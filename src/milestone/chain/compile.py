"""Compile the Vyper contracts on demand, cached by the hash of their sources.

Artifacts are generated, never committed: the cache key covers every source file, the compiler
version and the target EVM, so editing a contract (or upgrading vyper) rebuilds it on next use.
`python -m milestone.chain.compile` (the `make contracts` target) warms the cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

CONTRACTS_DIR = Path(__file__).parent / "contracts"
CONTRACT_NAMES = ("Program", "Token")

# Cancun: the newest fork that consortium EVMs (Besu, geth) and anvil all run; Vyper 0.4.3
# would target Prague by default, which buys this code nothing.
EVM_VERSION = "cancun"


@dataclass(frozen=True)
class CompiledContract:
    """What deploying and calling a contract needs."""

    name: str
    abi: list[dict[str, Any]]
    bytecode: bytes


def cache_dir() -> Path:
    """Where compiled artifacts live: `$MILESTONE_CACHE_DIR` or `~/.cache/milestone`."""
    base = os.environ.get("MILESTONE_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME")
    root = Path(base) if base else Path.home() / ".cache"
    if not os.environ.get("MILESTONE_CACHE_DIR"):
        root = root / "milestone"
    return root / "contracts"


def sources_digest() -> str:
    """A hash of every contract source, the compiler version and the EVM target."""
    import vyper

    digest = hashlib.sha256()
    digest.update(f"vyper {vyper.__version__} evm {EVM_VERSION}\n".encode())
    for path in sorted(CONTRACTS_DIR.glob("*.vy")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@cache
def load_contract(name: str) -> CompiledContract:
    """The compiled contract `name` (e.g. `"Program"`), from the cache or freshly compiled."""
    if name not in CONTRACT_NAMES:
        raise ValueError(f"unknown contract {name!r}; known: {', '.join(CONTRACT_NAMES)}")
    artifact = cache_dir() / sources_digest()[:24] / f"{name}.json"
    if artifact.exists():
        data = json.loads(artifact.read_text())
    else:
        data = _compile(name)
        _write_atomically(artifact, json.dumps(data))
    return CompiledContract(name=name, abi=data["abi"], bytecode=bytes.fromhex(data["bytecode"]))


def _compile(name: str) -> dict[str, Any]:
    from vyper.compiler import compile_from_file_input
    from vyper.compiler.input_bundle import FilesystemInputBundle
    from vyper.compiler.settings import Settings

    bundle = FilesystemInputBundle([CONTRACTS_DIR.resolve()])
    source = bundle.load_file(CONTRACTS_DIR.resolve() / f"{name}.vy")
    out = compile_from_file_input(
        source,
        input_bundle=bundle,
        output_formats=["abi", "bytecode"],
        settings=Settings(evm_version=EVM_VERSION),
    )
    return {"abi": out["abi"], "bytecode": out["bytecode"].removeprefix("0x")}


def _write_atomically(path: Path, text: str) -> None:
    # Parallel test workers may compile at once: write aside, then rename over.
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.replace(tmp, path)


if __name__ == "__main__":
    for contract_name in CONTRACT_NAMES:
        compiled = load_contract(contract_name)
        print(f"{contract_name}: {len(compiled.bytecode)} bytes")
