"""Intake throughput against the floor of bare Ed25519 verification, measured in one run.

`verify_floor_per_s` is PyNaCl verifying the very signatures of the run, nothing else;
`reports_per_s` is the whole intake on the default SQLite store: decode, every check, the
database writes and the commit, in batches. The two are measured batch by batch, alternately,
so that the load of a shared machine weighs on both alike, by the wall clock; the same ratio by
the process's CPU time (`ratio_cpu`) is what other processes on the machine disturb least.
Their ratio says how much the rest costs next to the cryptography.

On PostgreSQL the same reports go through one worker process, then two (each with its own
vehicles, as a deployment would partition them), to show the intake scales out: verification
is CPU-bound and the database takes batched writes.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import random
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Final

from nacl.signing import VerifyKey

from milestone.bench.prefill import PREFILL_EPOCHS, make_partitions, prefill_trips
from milestone.clock import ManualClock
from milestone.consent.service import grant_consent
from milestone.program.service import create_program
from milestone.registry.owners import create_owner
from milestone.registry.vehicles import register_vehicle, transfer_vehicle
from milestone.registry.vin import synthetic_vin
from milestone.rules.params import get_preset
from milestone.rules.reports import decode_envelope
from milestone.storage import Database, scratch
from milestone.storage.migrations import migrate
from milestone.telemetry.intake import ingest
from milestone.telemetry.verify import Verdict
from milestone.vehicle import VehicleSigner, generate_signing_key
from milestone.vehicle.driving import HonestVehicle

GENESIS: Final[int] = 1_767_225_600
TRIP_SECONDS: Final[int] = 15 * 60
PARKED_SECONDS: Final[int] = 15 * 60
TRIP_METERS: Final[int] = 10_000
FLEET_EPOCH: Final[int] = PREFILL_EPOCHS
"""The fleet drives in the epoch after the month `--prefill` fills, as today's trips follow a
month of stored ones."""
ROUNDS: Final[int] = 3
"""PostgreSQL measurements are repeated, one and two workers in turn, keeping each best."""


@dataclass(frozen=True, slots=True)
class Fleet:
    """Signed reports of enrolled vehicles, in the order they reach the program."""

    envelopes_by_vehicle: list[list[bytes]]
    now: int

    @property
    def envelopes(self) -> list[bytes]:
        # Round-robin over vehicles: each batch mixes many cars, as real traffic does.
        rounds = zip(*self.envelopes_by_vehicle, strict=True)
        return [envelope for trips in rounds for envelope in trips]


def enroll_fleet(database: Database, vehicles: int, trips: int, seed: int = 7) -> Fleet:
    """A program with `vehicles` consenting cars, each with `trips` honest reports signed."""
    clock = ManualClock(GENESIS)
    rng = random.Random(seed)
    cars = []
    with database.transaction() as session:
        create_program(session, clock, get_preset("im-csop"), genesis=GENESIS)
        for serial in range(1, vehicles + 1):
            key = generate_signing_key()
            owner = create_owner(session, clock)
            vehicle = register_vehicle(
                session, clock, vin=synthetic_vin(serial), public_key=bytes(key.verify_key)
            )
            transfer_vehicle(session, clock, vehicle.id, owner.id)
            for scope in ("mileage", "driving_behavior"):
                grant_consent(session, clock, owner_id=owner.id, vehicle_id=vehicle.id,
                              scope=scope, terms_version="bench")
            cars.append(HonestVehicle(VehicleSigner(vehicle.id, key), random.Random(rng.random())))
    by_vehicle = []
    for car in cars:
        start = GENESIS + FLEET_EPOCH * 86_400 + 6 * 3_600
        envelopes = []
        for trip in range(trips):
            at = start + trip * (TRIP_SECONDS + PARKED_SECONDS)
            envelopes.append(car.drive(at, TRIP_SECONDS, TRIP_METERS).envelope)
        by_vehicle.append(envelopes)
    start = GENESIS + FLEET_EPOCH * 86_400 + 6 * 3_600
    now = start + trips * (TRIP_SECONDS + PARKED_SECONDS) + 3_600
    return Fleet(by_vehicle, now)


def verification_items(envelopes: Sequence[bytes]) -> list[tuple[VerifyKey, bytes, bytes]]:
    """Key, signed message and signature of each envelope, prepared outside any timing."""
    signed = [decode_envelope(envelope) for envelope in envelopes]
    return [(VerifyKey(s.report.public_key), s.signed_message, s.signature) for s in signed]


@dataclass(slots=True)
class Stopwatch:
    """Wall-clock and CPU seconds accumulated over the timed sections."""

    wall: float = 0.0
    cpu: float = 0.0

    def time(self, work: Callable[[], object]) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        self.wall += time.perf_counter() - wall
        self.cpu += time.process_time() - cpu


def verify_all(items: Sequence[tuple[VerifyKey, bytes, bytes]]) -> None:
    """PyNaCl verifies every signature, and nothing else."""
    for key, message, signature in items:
        key.verify(message, signature)


def backlog_grace(now: int) -> int:
    """A settlement grace that keeps every epoch since genesis open at `now`: the bench sends
    days of driving at once, and measures the intake's cost, not its timing."""
    return now - GENESIS


def ingest_into(
    verdicts: list[Verdict], database: Database, clock: ManualClock, part: Sequence[bytes]
) -> None:
    verdicts.extend(ingest(database, clock, part, grace_seconds=backlog_grace(clock.now())))


def measure_ingest(
    database: Database, now: int, envelopes: Sequence[bytes], batch: int
) -> tuple[Stopwatch, Stopwatch]:
    """The time of bare verification and of the whole intake, over the same reports.

    Each batch's signatures are first verified bare, then the batch is ingested, so both
    figures see the same load on a shared machine. Every report must be accepted (checked).
    """
    clock = ManualClock(now)
    floor, intake = Stopwatch(), Stopwatch()
    verdicts: list[Verdict] = []
    for first in range(0, len(envelopes), batch):
        part = envelopes[first : first + batch]
        items = verification_items(part)
        floor.time(partial(verify_all, items))
        intake.time(partial(ingest_into, verdicts, database, clock, part))
    rejected = sum(not verdict.accepted for verdict in verdicts)
    if rejected or len(verdicts) != len(envelopes):
        raise RuntimeError(f"the bench fleet had {rejected} rejections")
    return floor, intake


def backend_cpu_seconds(database: Database) -> float | None:
    """CPU seconds the PostgreSQL backend serving this process's pooled connection has used
    (Linux, server on this machine); None when it cannot be read."""
    with database.engine.connect() as connection:
        pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def worker(
    url: str, now: int, envelopes: list[bytes], batch: int, barrier: Any, results: Any
) -> None:
    """One intake process: wait for the others, ingest its share, report the CPU it and its
    database backend used."""
    database = Database.from_url(url)
    clock = ManualClock(now)
    gc.freeze()
    try:
        backend_before = backend_cpu_seconds(database)
        barrier.wait()
        cpu = time.process_time()
        for first in range(0, len(envelopes), batch):
            part = envelopes[first : first + batch]
            verdicts = ingest(database, clock, part, grace_seconds=backlog_grace(now))
            if not all(verdict.accepted for verdict in verdicts):
                raise RuntimeError("the bench fleet had rejections")
        cpu = time.process_time() - cpu
        backend_after = backend_cpu_seconds(database)
        backend = (
            backend_after - backend_before
            if backend_before is not None and backend_after is not None
            else None
        )
        results.put((cpu, backend))
    finally:
        database.dispose()


@dataclass(frozen=True, slots=True)
class WorkersRun:
    """Throughput of some worker processes and the CPU time they and PostgreSQL used."""

    reports_per_s: float
    worker_cpu_us: float
    database_cpu_us: float | None


def measure_workers(url: str, fleet: Fleet, workers: int, batch: int) -> WorkersRun:
    """Reports per second of `workers` processes sharing the vehicles between them."""
    shares: list[list[list[bytes]]] = [[] for _ in range(workers)]
    for index, envelopes in enumerate(fleet.envelopes_by_vehicle):
        shares[index % workers].append(envelopes)
    interleaved = [Fleet(share, fleet.now).envelopes for share in shares]
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(workers + 1)
    results = context.Queue()
    processes = [
        context.Process(target=worker, args=(url, fleet.now, share, batch, barrier, results))
        for share in interleaved
    ]
    for process in processes:
        process.start()
    barrier.wait()
    started = time.perf_counter()
    for process in processes:
        process.join()
    elapsed = time.perf_counter() - started
    if any(process.exitcode != 0 for process in processes):
        raise RuntimeError("an intake worker failed")
    reports = sum(map(len, interleaved))
    used = [results.get() for _ in processes]
    backends = [backend for _, backend in used]
    return WorkersRun(
        reports_per_s=reports / elapsed,
        worker_cpu_us=sum(cpu for cpu, _ in used) / reports * 1e6,
        database_cpu_us=(
            None if None in backends else sum(b for b in backends if b) / reports * 1e6
        ),
    )


def run_postgres(vehicles: int, trips: int, batch: int, prefill: int = 0) -> dict[str, Any]:
    """One worker against two, each on a fresh copy of the same enrolled PostgreSQL database;
    skipped without a server."""
    server = scratch.server_url()
    reason = scratch.unreachable_reason(server)
    if reason is not None:
        return {"skipped": reason}
    template = scratch.unique_name("milestone_bench_fleet")
    url = scratch.create_database(server, template).render_as_string(hide_password=False)
    best: dict[int, WorkersRun] = {}
    load = os.getloadavg()[0]
    try:
        database = Database.from_url(url)
        migrate(database.engine)
        make_partitions(database)
        fleet = enroll_fleet(database, vehicles, trips)
        database.dispose()
        # Alternating rounds, the best of each kept: other work on a shared machine can only
        # slow a round down, never speed it up.
        for _ in range(ROUNDS):
            for workers in (1, 2):
                name = scratch.unique_name("milestone_bench_ingest")
                copy = scratch.create_database(server, name, template=template)
                try:
                    run = measure_workers(
                        copy.render_as_string(hide_password=False), fleet, workers, batch
                    )
                finally:
                    scratch.drop_database(server, name)
                if workers not in best or run.reports_per_s > best[workers].reports_per_s:
                    best[workers] = run
        prefilled = (
            measure_prefilled(server, template, url, fleet, batch, prefill) if prefill else None
        )
    finally:
        scratch.drop_database(server, template)
    one, two = best[1], best[2]
    full: dict[str, Any] = {}
    if prefilled is not None:
        empty_rate = sum(run.reports_per_s for run in prefilled.empty) / len(prefilled.empty)
        full = {
            "prefilled_trip_rows": prefill,
            "prefill_s": round(prefilled.prefill_s, 1),
            "one_worker_empty_reports_per_s": [round(run.reports_per_s) for run in prefilled.empty],
            "one_worker_prefilled_reports_per_s": round(prefilled.full.reports_per_s),
            "prefilled_over_empty": round(prefilled.full.reports_per_s / empty_rate, 3),
            "empty_cpu_us_per_report": [cpu_figures(run) for run in prefilled.empty],
            "prefilled_cpu_us_per_report": cpu_figures(prefilled.full),
        }
    return {
        **full,
        "one_worker_reports_per_s": round(one.reports_per_s),
        "two_workers_reports_per_s": round(two.reports_per_s),
        "two_over_one": round(two.reports_per_s / one.reports_per_s, 2),
        # CPU per report, worker and database backend: flat from one worker to two means the
        # workers do not contend; the wall-clock ratio also depends on free cores.
        "cpu_us_per_report": {
            "one_worker": cpu_figures(one),
            "two_workers": cpu_figures(two),
        },
        "load_average_at_start": round(load, 2),
        "cores": os.cpu_count(),
    }


@dataclass(frozen=True, slots=True)
class PrefilledRuns:
    """One worker on the full database and on empty copies of it, run before and after."""

    empty: list[WorkersRun]
    full: WorkersRun
    prefill_s: float


def measure_prefilled(
    server: Any, template: str, url: str, fleet: Fleet, batch: int, prefill: int
) -> PrefilledRuns:
    """One worker on an empty copy of the enrolled database, then on the database itself
    after `prefill` trip rows, then on another empty copy made before the prefill.

    The load of a shared machine drifts, so the full run is compared with the mean of the
    two around it rather than with the best of earlier rounds. The full database is measured
    in place: copying millions of rows would take longer than the runs.
    """
    names = [scratch.unique_name("milestone_bench_ingest") for _ in range(2)]
    copies = [
        scratch.create_database(server, name, template=template).render_as_string(
            hide_password=False
        )
        for name in names
    ]
    try:
        before = measure_workers(copies[0], fleet, 1, batch)
        database = Database.from_url(url)
        started = time.perf_counter()
        prefill_trips(database, prefill, GENESIS)
        prefill_s = time.perf_counter() - started
        database.dispose()
        full = measure_workers(url, fleet, 1, batch)
        after = measure_workers(copies[1], fleet, 1, batch)
    finally:
        for name in names:
            scratch.drop_database(server, name)
    return PrefilledRuns([before, after], full, prefill_s)


def cpu_figures(run: WorkersRun) -> dict[str, float | None]:
    return {
        "worker": round(run.worker_cpu_us, 1),
        "database": None if run.database_cpu_us is None else round(run.database_cpu_us, 1),
    }


def run_ingest_bench(
    *,
    vehicles: int = 200,
    trips: int = 100,
    batch: int = 2_000,
    postgres: bool = True,
    prefill: int = 0,
) -> dict[str, Any]:
    """The figures of `milestone bench ingest`.

    With `prefill`, the first half of the reports goes into the empty database, then `prefill`
    trip rows are written in bulk, then the second half follows: the two rates, measured in
    one run, say how the intake slows as the tables grow.
    """
    full: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as directory:
        database = Database.from_url(f"sqlite:///{Path(directory) / 'milestone.db'}")
        try:
            migrate(database.engine)
            fleet = enroll_fleet(database, vehicles, trips)
            envelopes = fleet.envelopes
            # What set-up left on the heap is not garbage: keep the cyclic collector from
            # rescanning it at every batch, as a long-running intake worker would.
            gc.freeze()
            if prefill:
                half = len(envelopes) // 2
                floor, intake = measure_ingest(database, fleet.now, envelopes[:half], batch)
                started = time.perf_counter()
                prefill_trips(database, prefill, GENESIS)
                prefill_s = time.perf_counter() - started
                floor_full, intake_full = measure_ingest(
                    database, fleet.now, envelopes[half:], batch
                )
                empty_rate = half / intake.wall
                full_rate = (len(envelopes) - half) / intake_full.wall
                full = {
                    "prefilled_trip_rows": prefill,
                    "prefill_s": round(prefill_s, 1),
                    "reports_per_s_empty": round(empty_rate),
                    "reports_per_s_prefilled": round(full_rate),
                    "prefilled_over_empty": round(full_rate / empty_rate, 3),
                    "prefilled_over_empty_cpu": round(intake.cpu / half * (
                        len(envelopes) - half) / intake_full.cpu, 3),
                    "ratio_empty": round(floor.wall / intake.wall, 3),
                    "ratio_prefilled": round(floor_full.wall / intake_full.wall, 3),
                    # The same comparison against the floor measured beside each half: what
                    # the load of a shared machine changes between the halves cancels out.
                    "prefilled_over_empty_by_floor": round(
                        (floor_full.wall / intake_full.wall) / (floor.wall / intake.wall), 3
                    ),
                }
                floor.wall += floor_full.wall
                floor.cpu += floor_full.cpu
                intake.wall += intake_full.wall
                intake.cpu += intake_full.cpu
            else:
                floor, intake = measure_ingest(database, fleet.now, envelopes, batch)
        finally:
            database.dispose()
    result: dict[str, Any] = {
        "reports": len(envelopes),
        "batch": batch,
        "verify_floor_per_s": round(len(envelopes) / floor.wall),
        "reports_per_s": round(len(envelopes) / intake.wall),
        "ratio": round(floor.wall / intake.wall, 3),
        "ratio_cpu": round(floor.cpu / intake.cpu, 3),
    }
    result.update(full)
    if postgres:
        result["postgresql"] = run_postgres(vehicles, trips, batch, prefill)
    return result
