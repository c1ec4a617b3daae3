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
per tree of n leaves), measured in the same run, in bounded batches. `retained_bytes_per_trip`
is what the per-trip tables hold per trip after settlement, before any pruning: the figure the
retention work (`milestone prune`) brings down; `prune_after_settlement` is where it is called.
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
from milestone.clock import ManualClock
from milestone.epochs.compute import paused_collection
from milestone.epochs.models import EpochRecord, OwnerStateRecord
from milestone.program.service import create_program, load_program
from milestone.registry.owners import derive_owner_address
from milestone.registry.vin import hash_vin, synthetic_vin
from milestone.rules.hashing import keccak256_many
from milestone.rules.params import get_preset
from milestone.settings import Settings
from milestone.storage import Database, open_database
from milestone.vehicle import VehicleSigner, generate_signing_key

DAY: Final[int] = 86_400
TRIPS_PER_DAY: Final[int] = 3
ROUNDS_PER_TRIP: Final[int] = 4
"""A trip of 30–40 minutes starting inside a round touches four 10-minute rounds."""
ROUND_METERS: Final[tuple[int, int]] = (1_500, 9_000)
"""Meters driven in one round of a trip: 9–54 km/h on average over ten minutes."""
INSERT_BATCH: Final[int] = 20_000
FLOOR_BATCH: Final[int] = 100_000
TREE_LEAF_BYTES: Final[dict[str, int]] = {"weights": 96, "rewards": 64, "state": 64}
"""ABI-encoded leaf sizes: `(round, address, weight)` and `(address, amount)`."""
PER_TRIP_TABLES: Final[tuple[str, ...]] = ("trip", "trip_round")


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
    retained_bytes_per_trip: float = 0.0
    retained_bytes_per_trip_after_prune: float | None = None
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
            "retained_bytes_per_trip": round(self.retained_bytes_per_trip, 1),
            "retained_bytes_per_trip_after_prune": self.retained_bytes_per_trip_after_prune,
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
            result.retained_bytes_per_trip = per_trip_bytes(database) / max(result.trips, 1)
            freed = prune_after_settlement(database)
            if freed is not None:
                result.retained_bytes_per_trip_after_prune = round(
                    per_trip_bytes(database) / max(result.trips, 1), 1
                )
        finally:
            database.dispose()
        result.hash_floor_cpu_s = hash_floor_cpu(result.leaves, seed)
        first_proof(data_dir, env, prover, result)
        return result
    finally:
        if keep is None:
            shutil.rmtree(data_dir, ignore_errors=True)


def prune_after_settlement(database: Database) -> int | None:
    """Where the retention setting's prune runs once the epoch is settled (bytes freed).

    The prune itself belongs to the data-growth work (`milestone prune`); until it is wired
    here this returns None and the after-prune figure is reported as null.
    """
    del database
    return None


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
        "vehicle_id", "sequence", "report_hash", "owner_id", "report_trip_id", "distance_m",
        "counted_m", "received_at", "started_at", "ended_at", "odometer_start_m",
        "odometer_end_m", "firmware", "envelope",
    ),
    "trip_round": (
        "epoch", "vehicle_id", "round", "sequence", "owner_id", "meters", "behaviour_bps",
    ),
}  # fmt: skip


def enrolment_rows(ids: range, salt: bytes, genesis: int) -> dict[str, list[tuple[Any, ...]]]:
    """Owner `i` with car `i` (from genesis on) and the owner's ledger account, as enrolment
    writes them."""
    vins = [(i, synthetic_vin(i)) for i in ids]
    return {
        "owner": [(i, derive_owner_address(salt, i), genesis) for i in ids],
        "ledger_account": [(f"owner:{i}", "owner", genesis) for i in ids],
        "vehicle": [(i, vin, hash_vin(salt, vin), genesis) for i, vin in vins],
        "ownership": [(i, i, i, genesis) for i in ids],
    }


def driving_rows(
    ids: range, genesis: int, rng: random.Random, envelope_bytes: int
) -> dict[str, list[tuple[Any, ...]]]:
    """Each car's trips of epoch 0 (one in each third of the day) and their per-round meters,
    as the intake writes them."""
    trip_rows: list[tuple[Any, ...]] = []
    round_rows: list[tuple[Any, ...]] = []
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
                vehicle, sequence, rng.randbytes(32), vehicle, rng.randbytes(16), distance,
                distance, ended + 30, started, ended, odometer, odometer + distance, "1.0.0",
                rng.randbytes(envelope_bytes),
            ))  # fmt: skip
            round_rows += [
                (0, vehicle, first + k, sequence, vehicle, meters[k], None)
                for k in range(ROUNDS_PER_TRIP)
            ]
            odometer += distance
    return {"trip": trip_rows, "trip_round": round_rows}


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


def per_trip_bytes(database: Database) -> int:
    """Bytes the per-trip tables and their indexes take on disk."""
    with database.engine.connect() as connection:
        if database.engine.dialect.name == "postgresql":
            return sum(
                int(
                    connection.execute(
                        text("SELECT pg_total_relation_size(:t)"), {"t": table}
                    ).scalar_one()
                )
                for table in PER_TRIP_TABLES
            )
        names = [
            name
            for (name,) in connection.execute(
                text("SELECT name FROM sqlite_master WHERE tbl_name IN ('trip', 'trip_round')")
            )
        ]
        marks = ", ".join(f"'{name}'" for name in names)
        total = connection.execute(
            text(f"SELECT SUM(pgsize) FROM dbstat WHERE name IN ({marks})")
        ).scalar_one()
        return int(total or 0)


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
    with served(data_dir, port, 1, env) as server:
        base = f"http://{HOST}:{port}/api/v1"
        started = time.perf_counter()
        httpx.get(f"{base}/epochs", timeout=600).raise_for_status()
        result.cold_request_ms = (time.perf_counter() - started) * 1_000
        started = time.perf_counter()
        answer = httpx.get(
            f"{base}/wallet/proofs/0", headers={"Authorization": f"Bearer {token}"}, timeout=600
        )
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
