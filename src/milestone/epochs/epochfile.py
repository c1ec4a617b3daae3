"""The epoch file: everything needed to recompute an epoch without the database.

Canonical JSON (UTF-8, keys sorted, no insignificant whitespace, integers in full, addresses and
hashes as `0x` lowercase hex, lists in a fixed order), compressed with gzip. The on-chain
`epoch_file_hash` is keccak-256 of the *decompressed* bytes: compressed bytes depend on the
zlib build, the canonical text does not. docs/epoch-file.md describes every field and how to
recompute each root from them.
"""

from __future__ import annotations

import gzip
import json
import os
import struct
import tempfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, TypeVar

from sha3 import keccak_256

from milestone.epochs.errors import InvalidEpochFile
from milestone.rules.epoch_state import CumulativeTotals
from milestone.rules.errors import RuleError
from milestone.rules.hashing import keccak256
from milestone.rules.mining import EpochBudget
from milestone.rules.params import Parameters, parameters_from_dict, parameters_to_dict

FORMAT: Final[str] = "milestone-epoch"
VERSION: Final[int] = 3
"""Version 3: the file is a block of the journal (`journal.entries`, `accounts`, `sales_keys`,
the dividend's entitlements). Version 2 brought round budgets in proportion to round weight and
the dividend's issuer part (docs/epoch-file.md)."""
VERSIONS: Final[frozenset[int]] = frozenset({1, 2, VERSION})
"""Version 1 files (a fixed share per round) stay readable and are audited under their rule;
version 2 files (weighted rounds, no journal block) likewise."""
COMPRESS_LEVEL: Final[int] = 1
"""Hex and decimal text compress about as well at level 1 as at 6, four times faster."""
MAX_DECOMPRESSED_BYTES: Final[int] = 4 << 30
"""Refuse to inflate a file past 4 GiB: a million owners take a few hundred MB."""

ZERO_HASH: Final[bytes] = bytes(32)
K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class ProgramInfo:
    """Which program and which contract the epoch belongs to."""

    parameters: Parameters
    parameters_hash: bytes
    genesis: int
    chain_id: int
    contract: bytes


@dataclass(frozen=True, slots=True)
class BeaconRecord:
    """The beacon of the epoch: members in ascending address order, their commits and reveals."""

    members: tuple[bytes, ...]
    commits: tuple[bytes, ...]
    reveals: tuple[bytes, ...]
    seed: bytes


@dataclass(frozen=True, slots=True)
class JournalHead:
    """A point of the ledger's hash chain: entry `seq` and its hash."""

    seq: int
    hash: bytes


@dataclass(frozen=True, slots=True)
class DividendsCommit:
    """A dividend entitlement root committed with this epoch (zero root and amount if none).

    From version 3 on also the declaration behind the root: its record epoch and every
    holder's entitlement, so anyone recomputes the split from that epoch's balances.
    """

    root: bytes = ZERO_HASH
    amount_fen: int = 0
    issuer_fen: int = 0
    """The issuer's part of `amount_fen` (version 2 on; the holders' part is the rest)."""
    record_epoch: int | None = None
    entitlements: dict[bytes, int] = field(default_factory=dict)


@dataclass(frozen=True)
class JournalBlock:
    """Version 3: the epoch's journal entries in public form, and every balance after them."""

    entries: tuple[dict[str, Any], ...]
    accounts: dict[tuple[str, str], int]
    """`(account, asset) → balance` of every account but the owners' stones."""
    sales_keys: tuple[str, ...] = ()
    activity_paid: int = 0
    """Cumulative activity stones paid to owners through this epoch."""


@dataclass(frozen=True)
class EpochFile:
    """One epoch's published record."""

    epoch: int
    program: ProgramInfo
    window_start: int
    window_end: int
    inputs_cutoff: int
    budget: EpochBudget
    rollover_out: int
    beacon: BeaconRecord
    weights: Mapping[int, Mapping[bytes, int]]
    """By round, then account: a `Streamed` list when written by settlement."""
    weights_root: bytes
    total_weight: int
    drops: dict[int, dict[bytes, int]]
    rewards: dict[bytes, int]
    rewards_root: bytes
    flows: dict[bytes, dict[str, int]]
    balances: Mapping[bytes, int]
    """A `Streamed` list when written by settlement."""
    state_root: bytes
    journal_previous: JournalHead
    journal_head: JournalHead
    previous_file_hash: bytes
    totals: CumulativeTotals
    dividends: DividendsCommit = DividendsCommit()
    moves: tuple[tuple[bytes, bytes], ...] = field(default=())
    block: JournalBlock | None = None
    """None in a version 1 file."""
    version: int = VERSION


def render(record: EpochFile) -> bytes:
    """The canonical JSON bytes of an epoch file (what `epoch_file_hash` hashes).

    Exactly `json.dumps(to_document(record), sort_keys=True, separators=(",", ":"))`, only
    faster; `render_chunks` gives the same bytes a piece at a time.
    """
    return b"".join(render_chunks(record))


def render_chunks(record: EpochFile) -> Iterator[bytes]:
    """
    The canonical bytes of an epoch file in pieces, the per-account lists read as they go.

    The per-account lists (a million rows for a million owners) are written straight into
    text, `RENDER_ROWS` rows per piece, in the file's order: a `Streamed` list is iterated once,
    already in that order, so a settler can feed them from the database without ever holding
    one whole; the rest of the document, small, is `json.dumps` around placeholders.
    """
    fragments: dict[str, Callable[[], Iterator[str]]] = {
        "weights": lambda: _render_by_round(record.weights),
        "drops": lambda: _render_by_round(record.drops),
        "rewards": lambda: _render_accounts(record.rewards),
        "flows": lambda: _render_flows(record.flows),
        "balances": lambda: _render_accounts(record.balances),
    }
    if record.block is not None:
        entries = record.block.entries
        fragments["entries"] = lambda: _joined(_canonical(entry) for entry in entries)
    document = to_document(record, lists=False)
    document["weights"]["rounds"] = _PLACEHOLDER.format("weights")
    document["drops"] = _PLACEHOLDER.format("drops")
    document["rewards"]["accounts"] = _PLACEHOLDER.format("rewards")
    document["flows"] = _PLACEHOLDER.format("flows")
    document["balances"]["accounts"] = _PLACEHOLDER.format("balances")
    if record.block is not None:
        document["journal"]["entries"] = _PLACEHOLDER.format("entries")
    rest = _canonical(document)
    # Cut the skeleton at each placeholder (in text order) and put each list in its place.
    marks = sorted((rest.index(_canonical(_PLACEHOLDER.format(name))), name) for name in fragments)
    start = 0
    for position, name in marks:
        yield rest[start:position].encode()
        for piece in fragments[name]():
            yield piece.encode()
        start = position + len(_canonical(_PLACEHOLDER.format(name)))
    yield rest[start:].encode()


_PLACEHOLDER = "\x00{}\x00"
"""A string no field can hold (JSON writes it as \\u0000...): where a rendered list goes."""
RENDER_ROWS: Final[int] = 10_000


class Streamed(Mapping[K, V]):
    """
    A per-account list of an epoch file read lazily, already in the file's order.

    Rendering iterates it once, in the order `items` gives (ascending address; ascending round
    for a list by round), and never holds it whole; nothing else may use it. `items` is called
    anew each time the list is rendered.
    """

    def __init__(self, items: Callable[[], Iterable[tuple[K, V]]]) -> None:
        self._items = items

    def items(self) -> Iterator[tuple[K, V]]:  # type: ignore[override]
        return iter(self._items())

    def __iter__(self) -> Iterator[K]:
        return (key for key, _ in self._items())

    def __getitem__(self, key: K) -> V:
        raise TypeError("a streamed epoch-file list is only read in order, by rendering it")

    def __len__(self) -> int:
        raise TypeError("a streamed epoch-file list is only read in order, by rendering it")


def _in_order(rows: Mapping[K, V]) -> Iterable[tuple[K, V]]:
    """A list's rows in the file's order: as given if streamed, else sorted by key."""
    return rows.items() if isinstance(rows, Streamed) else sorted(rows.items())


def _batches(items: Iterable[str]) -> Iterator[str]:
    """`",".join(items)` cut into pieces of `RENDER_ROWS` items (to be joined by commas)."""
    batch: list[str] = []
    for item in items:
        batch.append(item)
        if len(batch) >= RENDER_ROWS:
            yield ",".join(batch)
            batch = []
    if batch:
        yield ",".join(batch)


def _joined(items: Iterable[str]) -> Iterator[str]:
    """`"[" + ",".join(items) + "]"`, in pieces of `RENDER_ROWS` items."""
    yield "["
    for number, piece in enumerate(_batches(items)):
        yield piece if number == 0 else "," + piece
    yield "]"


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _account_rows(amounts: Mapping[bytes, int]) -> Iterator[str]:
    return (f'["0x{a.hex()}",{v}]' for a, v in _in_order(amounts))


def _render_accounts(amounts: Mapping[bytes, int]) -> Iterator[str]:
    return _joined(_account_rows(amounts))


def _render_by_round(rounds: Mapping[int, Mapping[bytes, int]]) -> Iterator[str]:
    """`[[round,[rows…]],…]`, a round with no rows left out, in pieces of `RENDER_ROWS` rows
    (never a whole round at once: a round of a large fleet has hundreds of thousands)."""
    yield "["
    written = False
    for r, accounts in _in_order(rounds):
        pieces = _batches(_account_rows(accounts))
        head = next(pieces, None)
        if head is None:
            continue
        yield ("," if written else "") + f"[{int(r)},[" + head
        for piece in pieces:
            yield "," + piece
        yield "]]"
        written = True
    yield "]"


def _render_flows(flows: Mapping[bytes, Mapping[str, int]]) -> Iterator[str]:
    return _joined(f'["0x{a.hex()}",{_canonical(dict(f))}]' for a, f in _in_order(flows))


def compress(canonical: bytes) -> bytes:
    """gzip with a zero timestamp and no file name, so one canonical text gives one file."""
    return gzip.compress(canonical, compresslevel=COMPRESS_LEVEL, mtime=0)


def file_hash(canonical: bytes) -> bytes:
    """The epoch file hash committed on-chain: keccak-256 of the canonical (decompressed) bytes."""
    return keccak256(canonical)


def decompress(data: bytes) -> bytes:
    """The canonical bytes of a compressed epoch file; `InvalidEpochFile` if it is not gzip."""
    try:
        inflater = zlib.decompressobj(wbits=31)
        canonical = inflater.decompress(data, MAX_DECOMPRESSED_BYTES)
    except zlib.error as error:
        raise InvalidEpochFile(f"not a gzip file: {error}") from None
    if inflater.unconsumed_tail or not inflater.eof:
        raise InvalidEpochFile("truncated or oversized gzip data")
    return canonical


def parse(canonical: bytes) -> EpochFile:
    """An epoch file from its canonical bytes, every field checked for shape and type."""
    try:
        document = json.loads(canonical)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidEpochFile(f"not JSON: {error}") from None
    try:
        return from_document(document)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        if isinstance(error, InvalidEpochFile):
            raise
        raise InvalidEpochFile(f"malformed epoch file: {type(error).__name__} {error}") from None


PUBLISHED_MODE: Final[int] = 0o644
"""Published files are for everyone: world-readable (mkstemp alone would leave them 0600)."""


def write(path: Path, compressed: bytes) -> None:
    """Write a compressed epoch file atomically: readers see the old file or the new, whole."""
    _write_atomically(path, [compressed])


def _write_atomically(path: Path, pieces: Iterable[bytes]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        os.fchmod(fd, PUBLISHED_MODE)
        with os.fdopen(fd, "wb") as handle:
            for piece in pieces:
                handle.write(piece)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_chunks(path: Path, chunks: Iterable[bytes]) -> tuple[bytes, int]:
    """Compress and write canonical bytes given in pieces, atomically, without holding them
    whole; returns their `file_hash` and length. The file is byte-for-byte `compress` of the
    joined pieces: the same gzip header, one raw deflate stream, the same trailer."""
    hasher = keccak_256()
    deflate = zlib.compressobj(COMPRESS_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    crc = length = 0

    def compressed() -> Iterator[bytes]:
        nonlocal crc, length
        yield gzip.compress(b"", compresslevel=COMPRESS_LEVEL, mtime=0)[:_GZIP_HEADER_BYTES]
        for chunk in chunks:
            hasher.update(chunk)
            crc = zlib.crc32(chunk, crc)
            length += len(chunk)
            yield deflate.compress(chunk)
        yield deflate.flush()
        yield struct.pack("<LL", crc, length & 0xFFFFFFFF)

    _write_atomically(path, compressed())
    return hasher.digest(), length


_GZIP_HEADER_BYTES: Final[int] = 10
"""gzip's fixed header (no file name, no extra fields): magic, method, flags, mtime, xfl, OS."""


def read(path: Path) -> tuple[EpochFile, bytes]:
    """The epoch file at `path` and its canonical bytes."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise InvalidEpochFile(f"cannot read {path}: {error.strerror}") from None
    canonical = decompress(data)
    return parse(canonical), canonical


def file_name(epoch: int) -> str:
    """The conventional name of epoch `epoch`'s file."""
    return f"epoch-{epoch:06d}.json.gz"


# The document: from typed values to JSON-ready ones and back.


def _hex(value: bytes) -> str:
    return "0x" + value.hex()


def _accounts(amounts: Mapping[bytes, int]) -> list[list[Any]]:
    return [[_hex(account), amount] for account, amount in sorted(amounts.items())]


def _by_round(rounds: Mapping[int, Mapping[bytes, int]]) -> list[list[Any]]:
    return [[r, _accounts(rounds[r])] for r in sorted(rounds) if rounds[r]]


def _head(head: JournalHead) -> dict[str, Any]:
    return {"seq": head.seq, "hash": _hex(head.hash)}


def to_document(record: EpochFile, *, lists: bool = True) -> dict[str, Any]:
    """The JSON document of an epoch file (`lists=False`: without the per-account lists)."""
    program, beacon = record.program, record.beacon
    document: dict[str, Any] = {
        "format": FORMAT,
        "version": record.version,
        "epoch": record.epoch,
        "program": {
            "parameters": parameters_to_dict(program.parameters),
            "parameters_hash": _hex(program.parameters_hash),
            "genesis": program.genesis,
            "chain_id": program.chain_id,
            "contract": _hex(program.contract),
        },
        "window": {
            "start": record.window_start,
            "end": record.window_end,
            "inputs_cutoff": record.inputs_cutoff,
        },
        "budget": {
            "scheduled": record.budget.scheduled,
            "rollover_in": record.budget.rollover_in,
            "rounds": list(record.budget.rounds),
            "rollover_out": record.rollover_out,
        },
        "beacon": {
            "members": [_hex(m) for m in beacon.members],
            "commits": [_hex(c) for c in beacon.commits],
            "reveals": [_hex(r) for r in beacon.reveals],
            "seed": _hex(beacon.seed),
        },
        "weights": {
            "root": _hex(record.weights_root),
            "total": record.total_weight,
            "rounds": _by_round(record.weights) if lists else None,
        },
        "drops": _by_round(record.drops) if lists else None,
        "rewards": {
            "root": _hex(record.rewards_root),
            "accounts": _accounts(record.rewards) if lists else None,
        },
        "flows": [
            [_hex(account), dict(sorted(by_kind.items()))]
            for account, by_kind in sorted(record.flows.items())
        ]
        if lists
        else None,
        "moves": [[_hex(old), _hex(new)] for old, new in record.moves],
        "balances": {
            "root": _hex(record.state_root),
            "accounts": _accounts(record.balances) if lists else None,
        },
        "journal": {
            "previous": _head(record.journal_previous),
            "head": _head(record.journal_head),
        },
        "previous_file_hash": _hex(record.previous_file_hash),
        "dividends": {
            "root": _hex(record.dividends.root),
            "amount_fen": record.dividends.amount_fen,
        }
        | ({"issuer_fen": record.dividends.issuer_fen} if record.version >= 2 else {}),
        "totals": {
            "cum_mined": record.totals.cum_mined,
            "cum_activity": record.totals.cum_activity,
            "cum_burned": record.totals.cum_burned,
            "cum_dividends_fen": record.totals.cum_dividends_fen,
        },
    }
    if record.block is not None:
        _add_block(document, record, lists)
    return document


def _add_block(document: dict[str, Any], record: EpochFile, lists: bool) -> None:
    """The version 3 fields: the journal's entries, every other balance, the dividend's split."""
    block, dividends = record.block, record.dividends
    assert block is not None
    document["journal"]["entries"] = list(block.entries) if lists else None
    document["accounts"] = [
        [account, asset, amount] for (account, asset), amount in sorted(block.accounts.items())
    ]
    document["sales_keys"] = list(block.sales_keys)
    document["totals"]["activity_paid"] = block.activity_paid
    document["dividends"]["record_epoch"] = dividends.record_epoch
    document["dividends"]["entitlements"] = _accounts(dividends.entitlements)


def from_document(document: Any) -> EpochFile:
    """An `EpochFile` from its JSON document; `InvalidEpochFile` on anything unexpected."""
    _expect(isinstance(document, dict), "the document is not a JSON object")
    _expect(document.get("format") == FORMAT, f"format is not {FORMAT!r}")
    version = document.get("version")
    _expect(type(version) is int and version in VERSIONS, f"unsupported version {version!r}")
    program, window, budget = document["program"], document["window"], document["budget"]
    beacon, weights, journal = document["beacon"], document["weights"], document["journal"]
    totals, dividends = document["totals"], document["dividends"]
    try:
        parameters = parameters_from_dict(program["parameters"])
    except RuleError as error:
        raise InvalidEpochFile(f"parameters: {error.message}") from None
    members = tuple(_address(m) for m in beacon["members"])
    commits = tuple(_hash(c) for c in beacon["commits"])
    reveals = tuple(_hash(r) for r in beacon["reveals"])
    _expect(len(members) == len(commits) == len(reveals), "beacon lists differ in length")
    return EpochFile(
        version=version,
        epoch=_count(document["epoch"]),
        program=ProgramInfo(
            parameters=parameters,
            parameters_hash=_hash(program["parameters_hash"]),
            genesis=_count(program["genesis"]),
            chain_id=_count(program["chain_id"]),
            contract=_address(program["contract"]),
        ),
        window_start=_count(window["start"]),
        window_end=_count(window["end"]),
        inputs_cutoff=_count(window["inputs_cutoff"]),
        budget=EpochBudget(
            scheduled=_count(budget["scheduled"]),
            rollover_in=_count(budget["rollover_in"]),
            rounds=tuple(_count(b) for b in budget["rounds"]),
        ),
        rollover_out=_count(budget["rollover_out"]),
        beacon=BeaconRecord(members, commits, reveals, _hash(beacon["seed"])),
        weights=_parse_by_round(weights["rounds"], "weights"),
        weights_root=_hash(weights["root"]),
        total_weight=_count(weights["total"]),
        drops=_parse_by_round(document["drops"], "drops"),
        rewards=_parse_accounts(document["rewards"]["accounts"], "rewards"),
        rewards_root=_hash(document["rewards"]["root"]),
        flows=_parse_flows(document["flows"]),
        moves=tuple((_address(old), _address(new)) for old, new in document["moves"]),
        balances=_parse_accounts(document["balances"]["accounts"], "balances"),
        state_root=_hash(document["balances"]["root"]),
        journal_previous=_parse_head(journal["previous"]),
        journal_head=_parse_head(journal["head"]),
        previous_file_hash=_hash(document["previous_file_hash"]),
        dividends=_parse_dividends(dividends, version),
        block=_parse_block(document) if version >= 3 else None,
        totals=CumulativeTotals(
            cum_mined=_count(totals["cum_mined"]),
            cum_activity=_count(totals["cum_activity"]),
            cum_burned=_count(totals["cum_burned"]),
            cum_dividends_fen=_count(totals["cum_dividends_fen"]),
        ),
    )


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise InvalidEpochFile(message)


def _count(value: Any) -> int:
    _expect(type(value) is int and value >= 0, f"expected a non-negative integer, got {value!r}")
    return int(value)


def _signed(value: Any) -> int:
    _expect(type(value) is int, f"expected an integer, got {value!r}")
    return int(value)


def _fixed_hex(value: Any, size: int) -> bytes:
    _expect(
        isinstance(value, str)
        and len(value) == 2 + 2 * size
        and value.startswith("0x")
        and value == value.lower(),
        f"expected 0x and {2 * size} lowercase hex digits, got {value!r}",
    )
    return bytes.fromhex(value[2:])


def _address(value: Any) -> bytes:
    return _fixed_hex(value, 20)


def _hash(value: Any) -> bytes:
    return _fixed_hex(value, 32)


def _parse_accounts(rows: Any, label: str) -> dict[bytes, int]:
    _expect(isinstance(rows, list), f"{label} must be a list")
    accounts = {_address(account): _count(amount) for account, amount in rows}
    _expect(len(accounts) == len(rows), f"{label} lists an account twice")
    return accounts


def _parse_by_round(rows: Any, label: str) -> dict[int, dict[bytes, int]]:
    _expect(isinstance(rows, list), f"{label} must be a list")
    by_round = {_count(r): _parse_accounts(accounts, label) for r, accounts in rows}
    _expect(len(by_round) == len(rows), f"{label} lists a round twice")
    return by_round


def _parse_flows(rows: Any) -> dict[bytes, dict[str, int]]:
    _expect(isinstance(rows, list), "flows must be a list")
    flows: dict[bytes, dict[str, int]] = {}
    for account, by_kind in rows:
        _expect(isinstance(by_kind, dict), "flows must map kinds to amounts")
        flows[_address(account)] = {str(kind): _signed(amount) for kind, amount in by_kind.items()}
    _expect(len(flows) == len(rows), "flows list an account twice")
    return flows


def _parse_head(head: Any) -> JournalHead:
    return JournalHead(_count(head["seq"]), _hash(head["hash"]))


def _parse_dividends(dividends: Any, version: int) -> DividendsCommit:
    root, amount = _hash(dividends["root"]), _count(dividends["amount_fen"])
    issuer = _count(dividends["issuer_fen"]) if version >= 2 else 0
    if version < 3:
        return DividendsCommit(root, amount, issuer)
    record_epoch = dividends["record_epoch"]
    return DividendsCommit(
        root,
        amount,
        issuer,
        record_epoch=None if record_epoch is None else _count(record_epoch),
        entitlements=_parse_accounts(dividends["entitlements"], "entitlements"),
    )


def _parse_block(document: Any) -> JournalBlock:
    entries = document["journal"]["entries"]
    _expect(isinstance(entries, list), "journal.entries must be a list")
    for entry in entries:
        _expect(isinstance(entry, dict), "a journal entry must be an object")
    rows = document["accounts"]
    _expect(isinstance(rows, list), "accounts must be a list")
    accounts: dict[tuple[str, str], int] = {}
    for account, asset, amount in rows:
        _expect(isinstance(account, str) and isinstance(asset, str), "accounts: names are text")
        accounts[(account, asset)] = _signed(amount)
    _expect(len(accounts) == len(rows), "accounts list an account twice")
    keys = document["sales_keys"]
    _expect(isinstance(keys, list) and all(isinstance(k, str) for k in keys), "sales_keys")
    return JournalBlock(
        entries=tuple(entries),
        accounts=accounts,
        sales_keys=tuple(keys),
        activity_paid=_count(document["totals"]["activity_paid"]),
    )
