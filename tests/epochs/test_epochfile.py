"""The epoch file: canonical bytes, a hash independent of compression, and refusals of anything
malformed."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from milestone.epochs import epochfile
from milestone.epochs.epochfile import (
    BeaconRecord,
    DividendsCommit,
    EpochFile,
    JournalBlock,
    JournalHead,
    ProgramInfo,
)
from milestone.epochs.errors import InvalidEpochFile
from milestone.rules.epoch_state import CumulativeTotals
from milestone.rules.hashing import keccak256
from milestone.rules.mining import calculate_legacy_mining_budget, calculate_mining_budget
from milestone.rules.params import calculate_parameters_hash, get_preset

MINIMAL = get_preset("minimal")
A, B = b"\x0a" * 20, b"\x0b" * 20


def sample(**changes: Any) -> EpochFile:
    record = EpochFile(
        epoch=3,
        program=ProgramInfo(
            MINIMAL, calculate_parameters_hash(MINIMAL), 1_767_225_600, 1, b"\xcc" * 20
        ),
        window_start=1_767_225_600 + 3 * 86_400,
        window_end=1_767_225_600 + 4 * 86_400,
        inputs_cutoff=1_767_225_600 + 4 * 86_400 + 3_600,
        budget=calculate_mining_budget(MINIMAL, 3, 17, {0: {A: 10, B: 20}, 2: {A: 7}}),
        rollover_out=5,
        beacon=BeaconRecord((b"\x01" * 20,), (keccak256(b"r"),), (b"r" * 32,), b"\x05" * 32),
        weights={0: {A: 10, B: 20}, 2: {A: 7}},
        weights_root=b"\x06" * 32,
        total_weight=37,
        drops={0: {A: 3, B: 4}, 2: {A: 5}},
        rewards={A: 8, B: 4},
        rewards_root=b"\x07" * 32,
        flows={A: {"activity.checkin": 100_000_000, "store.order": -50}},
        balances={A: 99, B: 4},
        state_root=b"\x08" * 32,
        journal_previous=JournalHead(10, b"\x09" * 32),
        journal_head=JournalHead(14, b"\x0a" * 32),
        previous_file_hash=b"\x0b" * 32,
        totals=CumulativeTotals(3 * 10**16, 2, 1, 0),
        dividends=DividendsCommit(
            b"\x0c" * 32, 12_345, 0, record_epoch=2, entitlements={A: 12_000, B: 345}
        ),
        moves=((b"\x0d" * 20, A),),
        block=JournalBlock(
            entries=(
                {
                    "seq": 11, "kind": "activity.checkin", "created_at": 1_767_485_000,
                    "epoch": 3,
                    "postings": [["budget:activity", "STONE", -10], ["0x" + A.hex(), "STONE", 10]],
                    "justification": {"rule": "checkin", "day": 20_457, "streak": 1,
                                      "previous": None},
                },
            ),
            accounts={("budget:activity", "STONE"): 90, ("merchant:1", "STONE"): 0},
            sales_keys=("0x" + "11" * 32,),
            activity_paid=10,
        ),
    )
    return EpochFile(**{**record.__dict__, **changes})


def test_a_file_round_trips_exactly() -> None:
    record = sample()
    canonical = epochfile.render(record)
    assert (
        canonical
        == json.dumps(epochfile.to_document(record), sort_keys=True, separators=(",", ":")).encode()
    )
    assert epochfile.parse(canonical) == record
    assert epochfile.render(epochfile.parse(canonical)) == canonical


def test_a_version_1_file_reads_back_under_its_own_layout() -> None:
    """Files published before version 2 stay readable: no issuer part, the legacy budget."""
    record = sample(
        version=1,
        budget=calculate_legacy_mining_budget(MINIMAL, 3, 17),
        block=None,
        dividends=DividendsCommit(b"\x0c" * 32, 12_345),
    )
    canonical = epochfile.render(record)
    document = json.loads(canonical)
    assert document["version"] == 1 and "issuer_fen" not in document["dividends"]
    assert epochfile.parse(canonical) == record
    assert epochfile.render(epochfile.parse(canonical)) == canonical
    version_2 = sample(version=2, block=None, dividends=DividendsCommit(b"\x0c" * 32, 9, 4))
    document_2 = json.loads(epochfile.render(version_2))
    assert document_2["version"] == 2 and document_2["dividends"]["issuer_fen"] == 4
    assert "entries" not in document_2["journal"]
    assert epochfile.parse(epochfile.render(version_2)) == version_2


def test_a_version_3_file_without_its_block_is_refused() -> None:
    document = epochfile.to_document(sample())
    del document["accounts"]
    with pytest.raises(InvalidEpochFile, match="accounts"):
        epochfile.parse(json.dumps(document).encode())


def test_a_published_file_is_world_readable(tmp_path: Path) -> None:
    path = tmp_path / "epochs" / epochfile.file_name(3)
    epochfile.write(path, epochfile.compress(epochfile.render(sample())))
    assert path.stat().st_mode & 0o777 == 0o644
    assert not list(path.parent.glob("*.tmp"))


def test_the_bytes_are_canonical_and_the_hash_ignores_compression(tmp_path: Path) -> None:
    canonical = epochfile.render(sample())
    text = canonical.decode()
    assert " " not in text and text == json.dumps(
        json.loads(text), sort_keys=True, separators=(",", ":")
    )
    assert epochfile.compress(canonical) == epochfile.compress(canonical)  # no timestamp inside
    other_level = gzip.compress(canonical, compresslevel=1, mtime=123)
    path = tmp_path / epochfile.file_name(3)
    epochfile.write(path, other_level)
    _, read_back = epochfile.read(path)
    assert read_back == canonical and epochfile.file_hash(read_back) == keccak256(canonical)
    assert path.name == "epoch-000003.json.gz"


def test_big_amounts_stay_exact_integers() -> None:
    canonical = epochfile.render(sample())
    assert b'"cum_mined":30000000000000000' in canonical


@settings(max_examples=40)
@given(
    balances=st.dictionaries(st.binary(min_size=20, max_size=20), st.integers(0, 2**63 - 1)),
    flows=st.dictionaries(
        st.binary(min_size=20, max_size=20),
        st.dictionaries(
            st.sampled_from(["a.b", "order", "x"]), st.integers(-(10**12), 10**12), min_size=1
        ),
    ),
)
def test_any_balances_and_flows_round_trip(
    balances: dict[bytes, int], flows: dict[bytes, dict[str, int]]
) -> None:
    weights = {7: balances} if balances else {}
    record = sample(balances=balances, flows=flows, rewards=balances, weights=weights)
    canonical = epochfile.render(record)
    assert (
        canonical
        == json.dumps(epochfile.to_document(record), sort_keys=True, separators=(",", ":")).encode()
    )
    assert epochfile.parse(canonical) == record


def document(**changes: Any) -> bytes:
    data = epochfile.to_document(sample())
    for path, value in changes.items():
        node = data
        *parents, last = path.split("__")
        for key in parents:
            node = node[key]
        if value is DELETE:
            del node[last]
        else:
            node[last] = value
    return json.dumps(data).encode()


DELETE = object()


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"format": "something-else"}, "format"),
        ({"version": 4}, "version"),
        ({"version": True}, "version"),
        ({"epoch": -1}, "non-negative"),
        ({"epoch": "3"}, "integer"),
        ({"beacon__seed": "0x05"}, "hex"),
        ({"beacon__seed": "0x" + "AB" * 32}, "lowercase"),
        ({"beacon__reveals": []}, "length"),
        ({"balances__accounts": [["0x" + "0a" * 20, 1], ["0x" + "0a" * 20, 2]]}, "twice"),
        ({"balances__accounts": [["0x" + "0a" * 20, -1]]}, "non-negative"),
        ({"weights__rounds": [[0, []], [0, []]]}, "twice"),
        ({"drops": "nope"}, "list"),
        ({"totals__cum_mined": 1.5}, "integer"),
        ({"program__parameters__drop_size": 0}, "parameters"),
        ({"journal": DELETE}, "malformed"),
        ({"flows": [["0x" + "0a" * 20, ["order", 1]]]}, "kinds"),
    ],
)
def test_malformed_files_are_refused_by_name(changes: dict[str, Any], why: str) -> None:
    with pytest.raises(InvalidEpochFile) as refused:
        epochfile.parse(document(**changes))
    assert refused.value.code == "invalid_epoch_file"
    assert why in refused.value.message


@pytest.mark.parametrize(
    "data", [b"", b"not gzip", gzip.compress(b"{", mtime=0)[:-3]], ids=["empty", "text", "cut"]
)
def test_broken_compression_is_refused(data: bytes, tmp_path: Path) -> None:
    path = tmp_path / "epoch-000000.json.gz"
    path.write_bytes(data)
    with pytest.raises(InvalidEpochFile):
        epochfile.read(path)


def test_not_json_and_a_missing_file_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidEpochFile):
        epochfile.parse(b"\xff\xfe")
    with pytest.raises(InvalidEpochFile):
        epochfile.read(tmp_path / "absent.json.gz")


def streamed(rows: dict[Any, Any]) -> epochfile.Streamed[Any, Any]:
    return epochfile.Streamed(lambda: sorted(rows.items()))


@settings(max_examples=30, deadline=None)
@given(
    balances=st.dictionaries(
        st.binary(min_size=20, max_size=20), st.integers(0, 2**63), max_size=40
    ),
    rows=st.integers(1, 5),
)
def test_streamed_lists_render_the_same_bytes_in_any_piece_size(
    balances: dict[bytes, int], rows: int
) -> None:
    record = sample(balances=balances, rewards=balances, weights={1: balances, 4: {A: 2}})
    expected = json.dumps(epochfile.to_document(record), sort_keys=True, separators=(",", ":"))
    lazy = sample(
        balances=streamed(balances), rewards=streamed(balances),
        weights=streamed({1: streamed(balances), 4: {A: 2}}), drops=streamed(record.drops),
        flows=streamed(record.flows),
    )  # fmt: skip
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(epochfile, "RENDER_ROWS", rows)
        assert b"".join(epochfile.render_chunks(lazy)) == expected.encode()
        assert epochfile.render(record) == expected.encode()


def test_a_streamed_list_cannot_be_looked_up() -> None:
    with pytest.raises(TypeError):
        streamed({A: 1})[A]


def test_a_file_written_in_pieces_is_the_compressed_file(tmp_path: Path) -> None:
    record = sample(balances={bytes([i]) * 20: i * 10**9 for i in range(200)})
    canonical = epochfile.render(record)
    path = tmp_path / "epoch.json.gz"
    digest, length = epochfile.write_chunks(path, epochfile.render_chunks(record))
    assert path.read_bytes() == epochfile.compress(canonical)
    assert (digest, length) == (epochfile.file_hash(canonical), len(canonical))
    assert gzip.decompress(path.read_bytes()) == canonical
    other = sample(balances={A: 1})
    assert epochfile.write_chunks(path, epochfile.render_chunks(other))[0] != digest
