"""`milestone bench scale`: one epoch of an N-owner fleet through the real settlement path.

The fleet drives realistically: every owner has one car, which makes `TRIPS_PER_DAY` trips in
the day, each spanning `ROUNDS_PER_TRIP` drop rounds (so about 12 weight rows per owner). The
inputs are written straight into the tables, in the shape the intake writes them (`owner`,
`vehicle`, `ownership`, the owners' ledger accounts, `trip` with a signed envelope's worth of
bytes, `trip_round`), in bulk: signing and verifying 3 million reports would measure the intake,
which `milestone bench ingest` does, not settlement. The envelope bytes are random, as long as a
real signed report of the same trip.

Then, each in a fresh process, as an operator and a wallet would meet them:
- `milestone settle --through-epoch 0` (database, embedded chain, epoch file): its CPU time and
  peak RSS, read from the kernel's accounting of the child (`wait4`);
- `milestone serve` with one worker: the first proof of the epoch, the worker's RSS after it.

`hash_floor_cpu_s` is bare keccak over inputs of the sizes the epoch's trees hash (3n − 1 hashes
per tree of n leaves), measured in the same run, in bounded batches. After settlement the epoch
is pruned as `milestone prune` prunes it once its dispute window is over, and
`retained_bytes_per_trip` is what the database still holds for the epoch (`EPOCH_TABLES`) per
trip; `kept_bytes_per_trip_before_prune` is the same before pruning, and
`epoch_file_bytes_per_trip` the published (gzip) epoch file, kept forever on disk.
"""

from __future__ import annotations

import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import httpx
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from milestone.bench.api import issue_tokens
from milestone.bench.serving import HOST, free_port, served
from milestone.clock import ManualClock, SystemClock
from milestone.epochs.compute import paused_collection
from milestone.epochs.epochfile import file_name
from milestone.epochs.models import EpochRecord, OwnerStateRecord
from milestone.epochs.retention import prune_epochs
from milestone.program.service import create_program, load_program
from milestone.registry.owners import derive_owner_address
from milestone.registry.vin import hash_vin, synthetic_vin
from milestone.rules.hashing import keccak256_many
from milestone.rules.params import get_preset
from milestone.settings import Settings
from milestone.storage import Database, open_database
from milestone.storage.sizes import table_bytes
from milestone.vehicle import VehicleSigner, generate_signing_key

DAY: Final[int] = 86_400
TRIPS_PER_DAY: Final[int] = 3
ROUNDS_PER_TRIP: Final[int] = 4
"""A trip of 30–40 minutes starting inside a round touches four 10-minute rounds."""
ROUND_METERS: Final[tuple[int, int]] = (1_500, 9_000)
"""Meters driven in one round of a trip: 9–54 km/h on average over ten minutes."""
INSERT_BATCH: Final[int] = 20_000
FLOOR_BATCH: Final[int] = 100_000
BUILD_CACHE_KIB: Final[int] = 4 << 20
"""SQLite page cache of the fleet's builder: 4 GiB."""
TREE_LEAF_BYTES: Final[dict[str, int]] = {"weights": 96, "rewards": 64, "state": 64}
"""ABI-encoded leaf sizes: `(round, address, weight)` and `(address, amount)`."""
EPOCH_TABLES: Final[tuple[str, ...]] = (
    "trip", "trip_round", "trip_rejection", "epoch_weight", "epoch_drop", "epoch_reward",
    "epoch_flow", "owner_balance", "epoch_tree_node", "journal_entry", "journal_posting",
    "event",
)  # fmt: skip
"""The tables an epoch's driving and settlement add rows to (per trip, per round share, per
weight, per drop, per winner, per tree node). The fleet's own rows (owners, vehicles, their
accounts, cursors and current state: one each, overwritten, not added to day by day) are not
counted: they grow with the fleet, not with its trips."""


@dataclass
class ScaleBench:
    """One run's figures."""

    owners: int
    trips: int = 0
    weight_rows: int = 0
    build_s: float = 0.0
    settle_cpu_s: float = 0.0
    settle_wall_s: float = 0.0
    settle_peak_rss_bytes: int = 0
    hash_floor_cpu_s: float = 0.0
    leaves: dict[str, int] = field(default_factory=dict)
    first_proof_ms: float = 0.0
    cold_request_ms: float = 0.0
    proof_worker_rss_bytes: int = 0
    kept_bytes_per_trip_before_prune: float = 0.0
    retained_bytes_per_trip: float = 0.0
    retained_bytes_by_table: dict[str, int] = field(default_factory=dict)
    epoch_file_bytes_per_trip: float = 0.0
    database: str = "sqlite"

    def to_json(self) -> dict[str, Any]:
        return {
            "owners": self.owners,
            "trips": self.trips,
            "weight_rows": self.weight_rows,
            "database": self.database,
            "build_s": round(self.build_s, 1),
            "settle_cpu_s": round(self.settle_cpu_s, 2),
            "settle_wall_s": round(self.settle_wall_s, 2),
            "settle_peak_rss_bytes": self.settle_peak_rss_bytes,
            "settle_cpu_us_per_weight_row": round(1e6 * self.settle_cpu_s / self.weight_rows, 2)
            if self.weight_rows
            else None,
            "settle_rss_bytes_per_weight_row": round(self.settle_peak_rss_bytes / self.weight_rows)
            if self.weight_rows
            else None,
            "hash_floor_cpu_s": round(self.hash_floor_cpu_s, 2),
            "settle_over_hash_floor": round(self.settle_cpu_s / self.hash_floor_cpu_s, 2)
            if self.hash_floor_cpu_s
            else None,
            "tree_leaves": self.leaves,
            "first_proof_ms": round(self.first_proof_ms, 1),
            "cold_request_ms": round(self.cold_request_ms, 1),
            "proof_worker_rss_bytes": self.proof_worker_rss_bytes,
            "kept_bytes_per_trip_before_prune": round(self.kept_bytes_per_trip_before_prune, 1),
            "retained_bytes_per_trip": round(self.retained_bytes_per_trip, 1),
            "retained_bytes_by_table": self.retained_bytes_by_table,
            "epoch_file_bytes_per_trip": round(self.epoch_file_bytes_per_trip, 1),
            "load_average": [round(x, 2) for x in os.getloadavg()],
        }


def run_scale_bench(
    owners: int, *, database_url: str = "", keep: Path | None = None, seed: int = 0
) -> ScaleBench:
    """Build the fleet's day, settle it, ask for the first proof; the scratch directory goes
    unless `keep` names one."""
    data_dir = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="milestone-bench-scale-"))
    try:
        result = ScaleBench(owners)
        settings = Settings(data_dir=data_dir, database_url=database_url)
        env = {"MILESTONE_DATABASE_URL": settings.database_url}
        database = open_database(settings.database_url)
        result.database = database.engine.dialect.name
        try:
            started = time.perf_counter()
            result.trips, result.weight_rows = build_fleet_day(database, owners, seed)
            result.build_s = time.perf_counter() - started
        finally:
            database.dispose()
        settle_epoch_zero(data_dir, env, result)
        database = open_database(settings.database_url)
        try:
            with database.session() as session:
                result.leaves = tree_leaves(session)
                prover = first_owner_with_balance(session)
            trips = max(result.trips, 1)
            result.kept_bytes_per_trip_before_prune = sum(epoch_bytes(database).values()) / trips
            prune_after_settlement(database)
            result.retained_bytes_by_table = epoch_bytes(database)
            result.retained_bytes_per_trip = sum(result.retained_bytes_by_table.values()) / trips
            epoch_file = data_dir / "epochs" / file_name(0)
            result.epoch_file_bytes_per_trip = epoch_file.stat().st_size / trips
        finally:
            database.dispose()
        result.hash_floor_cpu_s = hash_floor_cpu(result.leaves, seed)
        first_proof(data_dir, env, prover, result)
        return result
    finally:
        if keep is None:
            shutil.rmtree(data_dir, ignore_errors=True)


def prune_after_settlement(database: Database) -> int | None:
    """The retention prune run as if the dispute window had passed (a window of 0 s): what
    `milestone prune` does to the epoch once its window is over; the bytes it freed."""
    report = prune_epochs(database, SystemClock(), 0)
    if report.epochs != [0]:
        raise RuntimeError(f"the prune after settlement pruned epochs {report.epochs}, not [0]")
    return report.bytes_freed


# The fleet's day, written in bulk.


def build_fleet_day(database: Database, owners: int, seed: int) -> tuple[int, int]:
    """A program whose epoch 0 (the day before yesterday) saw `owners` cars drive; returns the
    trips and trip-round rows written."""
    now = int(time.time())
    genesis = now - now % DAY - 2 * DAY
    clock = ManualClock(genesis + 60)
    database.run(lambda s: create_program(s, clock, get_preset("im-csop"), genesis=genesis))
    with database.session() as session:
        salt = load_program(session).pseudonym_salt
    rng = random.Random(seed)
    envelope_bytes = signed_envelope_bytes()
    trips = rounds = 0
    with database.engine.begin() as connection:
        raw = connection.connection.driver_connection
        assert raw is not None
        if database.engine.dialect.name == "sqlite":
            # The builder's own connection only (settlement runs with the defaults): a page
            # cache large enough for the random-keyed indexes (report hashes, VIN hashes,
            # addresses) of ten million cars, or each insert of the last millions reads pages.
            raw.execute(f"PRAGMA cache_size=-{BUILD_CACHE_KIB}")
        with paused_collection():
            for start in range(1, owners + 1, INSERT_BATCH):
                ids = range(start, min(start + INSERT_BATCH, owners + 1))
                tables = enrolment_rows(ids, salt, genesis)
                driving = driving_rows(ids, genesis, rng, envelope_bytes)
                tables.update(driving)
                trips += len(driving["trip"])
                rounds += len(driving["trip_round"])
                for table, rows in tables.items():
                    bulk_insert(raw, database.engine.dialect.name, table, rows)
    if database.engine.dialect.name == "postgresql":
        with database.engine.begin() as connection:
            for table in ("owner", "vehicle", "ownership"):
                connection.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), :n)"),
                    {"n": owners},
                )
            connection.execute(text("ANALYZE"))
    return trips, rounds


COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "owner": ("id", "address", "created_at"),
    "ledger_account": ("name", "kind", "opened_at"),
    "vehicle": ("id", "vin", "vin_hash", "registered_at"),
    "ownership": ("id", "vehicle_id", "owner_id", "started_at"),
    "trip": (
        "vehicle_id", "sequence", "epoch", "report_hash", "owner_id", "report_trip_id",
        "distance_m", "counted_m", "received_at", "started_at", "ended_at", "odometer_start_m",
        "odometer_end_m", "firmware", "envelope",
    ),
    "trip_round": (
        "epoch", "vehicle_id", "round", "sequence", "owner_id", "meters", "behaviour_bps",
    ),
    "vehicle_cursor": ("vehicle_id", "sequence", "ended_at", "odometer_end_m"),
}  # fmt: skip


def enrolment_rows(ids: range, salt: bytes, genesis: int) -> dict[str, list[tuple[Any, ...]]]:
    """Owner `i` with car `i` (from genesis on) and the owner's ledger account, as enrolment
    writes them."""
    vins = [(i, fleet_vin(i)) for i in ids]
    return {
        "owner": [(i, derive_owner_address(salt, i), genesis) for i in ids],
        "ledger_account": [(f"owner:{i}", "owner", genesis) for i in ids],
        "vehicle": [(i, vin, hash_vin(salt, vin), genesis) for i, vin in vins],
        "ownership": [(i, i, i, genesis) for i in ids],
    }


PLANT_CODES: Final[str] = "MABCDEFGHJKLNPRSTUVWXYZ"
"""Letters a VIN may hold (no I, O, Q), `M` first so the first million keep plant `SM`."""


def fleet_vin(serial: int) -> str:
    """A valid VIN for car `serial` of a fleet of up to 23 million: a synthetic VIN's serial
    has six digits, so each million has a plant code of its own."""
    plant, number = divmod(serial, 1_000_000)
    return synthetic_vin(number, plant="S" + PLANT_CODES[plant])


def driving_rows(
    ids: range, genesis: int, rng: random.Random, envelope_bytes: int
) -> dict[str, list[tuple[Any, ...]]]:
    """Each car's trips of epoch 0 (one in each third of the day) and their per-round meters,
    as the intake writes them."""
    trip_rows: list[tuple[Any, ...]] = []
    round_rows: list[tuple[Any, ...]] = []
    cursor_rows: list[tuple[Any, ...]] = []
    thirds = 144 // TRIPS_PER_DAY
    for vehicle in ids:
        odometer = 0
        for sequence in range(1, TRIPS_PER_DAY + 1):
            first = (sequence - 1) * thirds + rng.randrange(thirds - ROUNDS_PER_TRIP)
            meters = [rng.randint(*ROUND_METERS) for _ in range(ROUNDS_PER_TRIP)]
            distance = sum(meters)
            started = genesis + first * 600 + rng.randrange(600)
            ended = started + (ROUNDS_PER_TRIP - 1) * 600
            trip_rows.append((
                vehicle, sequence, 0, rng.randbytes(32), vehicle, rng.randbytes(16), distance,
                distance, ended + 30, started, ended, odometer, odometer + distance, "1.0.0",
                rng.randbytes(envelope_bytes),
            ))  # fmt: skip
            round_rows += [
                (0, vehicle, first + k, sequence, vehicle, meters[k], None)
                for k in range(ROUNDS_PER_TRIP)
            ]
            odometer += distance
        cursor_rows.append((vehicle, TRIPS_PER_DAY, ended, odometer))
    return {"trip": trip_rows, "trip_round": round_rows, "vehicle_cursor": cursor_rows}


def sibling_rounds_are_distinct(round_rows: list[tuple[Any, ...]]) -> bool:
    """Whether no car drives two trips in one round (each trip row is its own weight row)."""
    keys = [(row[1], row[2]) for row in round_rows]
    return len(keys) == len(set(keys))


def signed_envelope_bytes() -> int:
    """The length of a real signed report of a trip like the bench's."""
    signer = VehicleSigner(1, generate_signing_key())
    return len(
        signer.report_trip(
            trip_id=bytes(16), started_at=1_700_000_000, ended_at=1_700_001_800,
            odometer_start_m=12_345_678, odometer_end_m=12_365_678, distance_m=20_000,
        )
    )  # fmt: skip


def bulk_insert(raw: Any, dialect: str, table: str, rows: list[tuple[Any, ...]]) -> None:
    """Rows into `table` by the driver's fastest path: COPY on PostgreSQL, executemany on
    SQLite."""
    columns = COLUMNS[table]
    cursor = raw.cursor()
    try:
        if dialect == "postgresql":
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
    finally:
        cursor.close()


# Settling, in a process of its own.


def settle_epoch_zero(data_dir: Path, env: dict[str, str], result: ScaleBench) -> None:
    """`milestone settle --through-epoch 0`, its CPU time and peak RSS from the kernel."""
    command = [
        str(Path(sys.executable).parent / "milestone"), "settle", "--through-epoch", "0",
        "--json", "--data-dir", str(data_dir),
    ]  # fmt: skip
    clean = {key: value for key, value in os.environ.items() if not key.startswith("MILESTONE_")}
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=clean | env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(process.pid, 0)
    result.settle_wall_s = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    error = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if process.returncode != 0:
        raise RuntimeError(f"milestone settle failed: {error.strip()}")
    result.settle_cpu_s = usage.ru_utime + usage.ru_stime
    result.settle_peak_rss_bytes = usage.ru_maxrss * 1024  # Linux reports kibibytes


def tree_leaves(session: Session) -> dict[str, int]:
    """How many leaves each of epoch 0's trees has."""
    row = session.get(EpochRecord, 0)
    assert row is not None
    from milestone.epochs.models import EpochRewardRecord, EpochWeightRecord

    def count(model: Any) -> int:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())

    return {
        "weights": count(EpochWeightRecord),
        "rewards": count(EpochRewardRecord),
        "state": count(OwnerStateRecord),
    }


def first_owner_with_balance(session: Session) -> int:
    owner = session.execute(
        select(OwnerStateRecord.owner_id)
        .where(OwnerStateRecord.balance > 0)
        .order_by(OwnerStateRecord.owner_id)
        .limit(1)
    ).scalar_one()
    return int(owner)


def epoch_bytes(database: Database) -> dict[str, int]:
    """Bytes each of `EPOCH_TABLES` holds (in use, indexes and partitions included), those
    holding any, largest first."""
    with database.engine.connect() as connection:
        sizes = table_bytes(connection, EPOCH_TABLES)
    return dict(sorted(((t, n) for t, n in sizes.items() if n), key=lambda item: -item[1]))


def hash_floor_cpu(leaves: dict[str, int], seed: int) -> float:
    """CPU seconds of bare keccak over inputs of the sizes the trees hash: per leaf its ABI
    encoding and that hash, per inner node 64 bytes; in batches, so the floor's own inputs stay
    small whatever the fleet."""
    rng = random.Random(seed + 1)
    spent = 0.0
    for tree, count in leaves.items():
        for size, calls in ((TREE_LEAF_BYTES[tree], count), (32, count), (64, count - 1)):
            for batch in _batches(max(calls, 0)):
                inputs = [rng.randbytes(size) for _ in range(batch)]
                with paused_collection():
                    cpu = time.process_time()
                    keccak256_many(inputs)
                    spent += time.process_time() - cpu
    return spent


def _batches(total: int) -> Iterator[int]:
    while total > 0:
        yield min(total, FLOOR_BATCH)
        total -= FLOOR_BATCH


def first_proof(data_dir: Path, env: dict[str, str], owner_id: int, result: ScaleBench) -> None:
    """The first proof of epoch 0 from a fresh one-worker API, and the worker's RSS after.

    The worker first answers one request of another kind (the public epoch list): what that
    costs (its first database connection, the first compilation of its queries) is paid by
    any first request and is reported apart, as `cold_request_ms`; `first_proof_ms` is then
    what the epoch's first proof costs in that worker.
    """
    token = issue_tokens(data_dir, [owner_id])[0]
    port = free_port()
    # One client for both requests, made before the clock starts: `httpx.get` builds a client,
    # and its TLS context, per call (about 100 ms on this machine), which no wallet pays per
    # request and which is not the server's time.
    with served(data_dir, port, 1, env) as server, httpx.Client(timeout=600) as client:
        base = f"http://{HOST}:{port}/api/v1"
        started = time.perf_counter()
        client.get(f"{base}/epochs").raise_for_status()
        result.cold_request_ms = (time.perf_counter() - started) * 1_000
        started = time.perf_counter()
        answer = client.get(f"{base}/wallet/proofs/0", headers={"Authorization": f"Bearer {token}"})
        result.first_proof_ms = (time.perf_counter() - started) * 1_000
        if answer.status_code != 200:
            raise RuntimeError(f"the first proof failed: {answer.status_code} {answer.text}")
        assert server.process is not None
        result.proof_worker_rss_bytes = process_tree_rss(server.process.pid)


def process_tree_rss(pid: int) -> int:
    """The largest resident set among `pid` and its children (the worker serving the proof)."""
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(child) for child in children.read_text().split()]
    largest = 0
    for each in pids:
        status = Path(f"/proc/{each}/status")
        if not status.exists():
            continue
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                largest = max(largest, int(line.split()[1]) * 1024)
    return largest


def peak_rss_bytes() -> int:
    """This process's peak RSS (for the builder, reported by the CLI when asked)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
