"""The API under load: "my balance with proof" and telemetry upload, against `milestone serve`.

One run builds a real program in a scratch data directory (the embedded default: SQLite and
the embedded chain): `owners` owners with a car each drive in epoch 0, which is settled and
finalized on-chain. Then `milestone serve` starts with `workers` workers and a load generator on
loopback (`milestone.bench.loadgen`, in this process) drives, for `seconds` each:

- `proof`: GET /api/v1/wallet/proofs/0 as every owner in turn (a bearer token each), on
  `connections` keep-alive connections;
- `upload`: POST /api/v1/telemetry/batches of `batch` freshly signed reports, each connection
  carrying the cars of its own share of the fleet so that every car's reports arrive in order;
- `proof` again for a shorter while, on a server started with the proof cache off, so that
  every answer is computed from the database and the epoch's trees.

The figures are requests (reports) per second and latency percentiles, and two ratios from the
same run: upload over the intake called in-process (what HTTP and JSON cost), and proof
throughput over the target of 1,000 requests per second.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.orm import Session

from milestone.auth.principals import Role
from milestone.auth.tokens import TokenSigner, load_token_secret
from milestone.auth.users import User
from milestone.bench.loadgen import LoadResult, build_request, run_load
from milestone.bench.serving import HOST, free_port, served
from milestone.clock import ManualClock, SystemClock
from milestone.consent.service import grant_consent
from milestone.dividends.commitments import dividends_commitment
from milestone.epochs.settle import settle
from milestone.epochs.setup import open_settlement
from milestone.program.service import create_program
from milestone.registry.owners import create_owner
from milestone.registry.vehicles import register_vehicle, transfer_vehicle
from milestone.registry.vin import synthetic_vin
from milestone.rules.params import get_preset
from milestone.settings import Settings
from milestone.storage import Database, open_database
from milestone.telemetry.intake import ingest
from milestone.telemetry.verify import Verdict
from milestone.vehicle import VehicleSigner, generate_signing_key

DAY = 86_400
TARGET_PROOF_RPS = 1_000
TARGET_PROOF_P99_MS = 50.0
WARMUP_SECONDS = 2.0
WARMUP_ROUNDS = 30
UNCACHED_SECONDS = 10.0
TRIP_SPACING = 600
"""A car's trips on the day before the upload: one every ten minutes, five minutes long."""
TRIP_METERS = 1_000
SETUP_BATCH = 1_000
CALIBRATION_CARS = 200
CALIBRATION_SECONDS = 1.0
"""Trips enough for about a second of upload at the rate `prepare_uploads` plans for."""
GRACE_SECONDS = DAY
"""Settlement's grace in the bench: the upload sends yesterday's driving at any hour of today,
so yesterday's epoch stays open to the intake all day (epoch 0 still closes by now)."""
SERVED_ENV = {"MILESTONE_SETTLE_GRACE_SECONDS": str(GRACE_SECONDS)}


@dataclass(frozen=True)
class Fleet:
    owners: list[int]
    signers: list[VehicleSigner]
    odometers: list[int]


def run_api_bench(
    *,
    seconds: float = 30.0,
    owners: int = 2_000,
    workers: int = 2,
    connections: int = 8,
    upload_connections: int = 4,
    batch: int = 100,
    preset: str = "im-csop",
    keep: Path | None = None,
) -> dict[str, Any]:
    """Build, serve, load and measure; the scratch directory goes unless `keep` names one."""
    data_dir = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="milestone-bench-api-"))
    try:
        setup = build_program(data_dir, owners, preset, batch)
        uploads = prepare_uploads(setup["fleet"], seconds, batch, upload_connections)
        tokens = issue_tokens(data_dir, setup["fleet"].owners)
        port = free_port()
        with served(data_dir, port, workers, SERVED_ENV):
            requests = proof_requests(tokens, port)
            warm_up(port, requests, connections)
            proofs = run_load(HOST, port, requests, connections=connections, seconds=seconds)
            checked = check_a_proof(data_dir, port, tokens[0])
            upload = run_load(
                HOST, port, upload_requests(uploads, port), connections=upload_connections,
                seconds=seconds, keep_bodies=True,
            )
        # The same, every proof computed afresh (no worker keeps answers): the cost of a
        # wallet's first look, or of a deployment with more owners than its caches hold.
        port = free_port()
        with served(data_dir, port, workers, SERVED_ENV | {"MILESTONE_API_PROOF_CACHE": "0"}):
            requests = proof_requests(tokens, port)
            warm_up(port, requests, connections)
            uncached = run_load(
                HOST, port, requests, connections=connections, seconds=UNCACHED_SECONDS
            )
        accepted, rejected = count_verdicts(upload)
        return summarize(
            proofs, uncached, upload, accepted, rejected, checked, setup, owners=owners,
            workers=workers, connections=connections, upload_connections=upload_connections,
            batch=batch, seconds=seconds,
        )
    finally:
        if keep is None:
            shutil.rmtree(data_dir, ignore_errors=True)


def build_program(data_dir: Path, owners: int, preset: str, batch: int) -> dict[str, Any]:
    """A program two days old whose epoch 0 saw every owner drive, settled and finalized; and
    the intake's own rate, in-process, on reports like the upload's."""
    now = int(time.time())
    genesis = now - now % DAY - 2 * DAY
    clock = ManualClock(genesis + 60)
    settings = Settings(data_dir=data_dir, settle_grace_seconds=GRACE_SECONDS)
    database = open_database(settings.database_url)
    try:
        parameters = get_preset(preset)
        database.run(lambda s: create_program(s, clock, parameters, genesis=genesis))
        fleet = enroll(database, clock, owners)
        calibration = enroll(database, clock, CALIBRATION_CARS, first_serial=owners + 1)
        clock.set(genesis + DAY)
        # One long trip each, across the whole epoch: every round has every owner's meters, so
        # every owner wins drops and has a balance (and a proof) after epoch 0.
        reports = [
            drive(fleet, index, genesis + 60, distance=10 * TRIP_METERS, duration=DAY - 120)
            for index in range(owners)
        ]
        for start in range(0, len(reports), SETUP_BATCH):
            part = reports[start : start + SETUP_BATCH]
            accept_all(ingest(database, clock, part, grace_seconds=GRACE_SECONDS))
        started = time.perf_counter()
        with open_settlement(
            settings, SystemClock(), dividends=dividends_commitment, database=database
        ) as ctx:
            settle(ctx, 0)
        settle_seconds = time.perf_counter() - started
        in_process = intake_in_process(database, calibration, batch)
    finally:
        database.dispose()
    return {
        "fleet": fleet, "genesis": genesis, "intake_in_process_reports_per_s": in_process,
        "settle_seconds": settle_seconds,
    }


def intake_in_process(database: Database, cars: Fleet, batch: int) -> float:
    """Reports per second of the intake called directly, in batches of `batch` short trips
    like the upload's, of cars that take no part in the upload."""
    bodies = prepare_uploads(cars, CALIBRATION_SECONDS, batch, 1, raw=True)[0]
    clock = SystemClock()
    started = time.perf_counter()
    for reports in bodies:
        accept_all(ingest(database, clock, reports, grace_seconds=GRACE_SECONDS))
    return sum(map(len, bodies)) / (time.perf_counter() - started)


def accept_all(verdicts: list[Verdict]) -> None:
    refused = [verdict for verdict in verdicts if not verdict.accepted]
    if refused:
        raise RuntimeError(f"the bench fleet's reports were refused: {refused[:3]}")


def enroll(database: Database, clock: ManualClock, count: int, first_serial: int = 1) -> Fleet:
    """`count` owners, a car each, with consent to mileage, in one transaction."""
    keys = [generate_signing_key() for _ in range(count)]

    def work(session: Session) -> Fleet:
        fleet = Fleet([], [], [])
        for serial, key in enumerate(keys, start=first_serial):
            owner = create_owner(session, clock)
            vehicle = register_vehicle(
                session, clock, vin=synthetic_vin(serial), public_key=bytes(key.verify_key)
            )
            transfer_vehicle(session, clock, vehicle.id, owner.id)
            grant_consent(
                session, clock, owner_id=owner.id, vehicle_id=vehicle.id, scope="mileage",
                terms_version="bench",
            )
            fleet.owners.append(owner.id)
            fleet.signers.append(VehicleSigner(vehicle.id, key))
            fleet.odometers.append(0)
        return fleet

    return database.run(work)


def drive(
    fleet: Fleet, index: int, started_at: int, distance: int = TRIP_METERS,
    duration: int = TRIP_SPACING // 2,
) -> bytes:
    """The next trip of car `index`: `distance` meters in `duration` seconds, signed."""
    odometer = fleet.odometers[index]
    fleet.odometers[index] = odometer + distance
    return fleet.signers[index].report_trip(
        trip_id=os.urandom(16), started_at=started_at, ended_at=started_at + duration,
        odometer_start_m=odometer, odometer_end_m=odometer + distance, distance_m=distance,
    )


def prepare_uploads(
    fleet: Fleet, seconds: float, batch: int, connections: int, *, raw: bool = False
) -> list[list[Any]]:
    """Each connection's request bodies: batches of its own cars' next trips, in order.

    Enough trips for a generous rate over `seconds`; a faster server simply runs out early
    and the rate is taken over the time it took.
    """
    yesterday = int(time.time()) // DAY * DAY - DAY
    rounds = min(DAY // TRIP_SPACING - 1, max(2, int(6_000 * seconds) // len(fleet.signers)))
    bodies: list[list[Any]] = [[] for _ in range(connections)]
    for connection in range(connections):
        cars = list(range(connection, len(fleet.signers), connections))
        reports = [
            drive(fleet, car, yesterday + trip * TRIP_SPACING)
            for trip in range(rounds)
            for car in cars
        ]
        for start in range(0, len(reports), batch):
            chunk = reports[start : start + batch]
            if raw:
                bodies[connection].append(chunk)
            else:
                hexed = ["0x" + report.hex() for report in chunk]
                bodies[connection].append(json.dumps({"reports": hexed}).encode())
    return bodies


def issue_tokens(data_dir: Path, owner_ids: list[int]) -> list[str]:
    """A bearer token per owner, signed as the service signs log-ins (with its own secret)."""
    signer = TokenSigner(load_token_secret(data_dir), SystemClock(), ttl_seconds=3_600)
    return [
        signer.issue(User(id=owner, username=f"bench{owner}", role=Role.OWNER, owner_id=owner,
                          created_at=0, disabled_at=None)).token
        for owner in owner_ids
    ]


def proof_requests(tokens: list[str], port: int) -> Callable[[int], Iterator[bytes]]:
    """Every connection asks for every owner's proof in turn, each from its own offset."""
    prepared = [
        build_request(
            "GET", "/api/v1/wallet/proofs/0", f"{HOST}:{port}", {"Authorization": f"Bearer {token}"}
        )
        for token in tokens
    ]

    def requests(connection: int) -> Iterator[bytes]:
        offset = connection * 997 % len(prepared)
        return itertools.cycle(prepared[offset:] + prepared[:offset])

    return requests


def upload_requests(bodies: list[list[bytes]], port: int) -> Callable[[int], Iterator[bytes]]:
    def requests(connection: int) -> Iterator[bytes]:
        headers = {"Content-Type": "application/json"}
        return (
            build_request("POST", "/api/v1/telemetry/batches", f"{HOST}:{port}", headers, body)
            for body in bodies[connection]
        )

    return requests


def warm_up(port: int, requests: Callable[[int], Iterator[bytes]], connections: int) -> None:
    """Load until no answer takes a second: every worker has read the epoch file and built its
    trees (a few seconds each), which a long-running server does once per epoch."""
    for _ in range(WARMUP_ROUNDS):
        window = run_load(HOST, port, requests, connections=connections, seconds=WARMUP_SECONDS)
        if window.requests and max(window.latencies) < 1.0:
            return


def check_a_proof(data_dir: Path, port: int, token: str) -> bool:
    """A served proof verifies against the root the chain committed (outside the timing)."""
    from milestone.chain.deployment import load_deployment
    from milestone.chain.program import ProgramView
    from milestone.chain.reader import open_chain
    from milestone.rules.leaves import BALANCE_LEAF
    from milestone.rules.merkle import calculate_leaf_hash, verify_proof

    url = f"http://{HOST}:{port}/api/v1/wallet/proofs/0"
    proof = httpx.get(url, headers={"Authorization": f"Bearer {token}"}).json()
    with open_chain(data_dir, None) as connection:
        deployment = load_deployment(data_dir, connection.w3.eth.chain_id)
        if deployment is None:
            return False
        connection.w3.eth.default_account = connection.w3.to_checksum_address(deployment.operator)
        committed = ProgramView(connection.w3, deployment.address).commitment(0)
    if committed is None:
        return False
    leaf = calculate_leaf_hash(
        BALANCE_LEAF, (bytes.fromhex(proof["address"][2:]), int(proof["balance"]))
    )
    nodes = [bytes.fromhex(node[2:]) for node in proof["balance_proof"]]
    return bool(verify_proof(committed.state_root, leaf, nodes))


def count_verdicts(upload: LoadResult) -> tuple[int, int]:
    accepted = rejected = 0
    for body in upload.bodies:
        answer = json.loads(body)
        if "accepted" in answer:
            accepted += answer["accepted"]
            rejected += answer["rejected"]
    return accepted, rejected


def summarize(
    proofs: LoadResult, uncached: LoadResult, upload: LoadResult, accepted: int, rejected: int,
    checked: bool, setup: dict[str, Any], **shape: Any,
) -> dict[str, Any]:
    proof_rps = proofs.ok / proofs.seconds
    upload_rate = accepted / upload.seconds
    in_process = setup["intake_in_process_reports_per_s"]
    p99 = proofs.percentile_ms(0.99)
    return {
        "proof_rps": round(proof_rps, 1),
        "proof_p50_ms": round(proofs.percentile_ms(0.50), 2),
        "proof_p99_ms": round(p99, 2),
        "proof_requests": proofs.requests,
        "proof_errors": proofs.requests - proofs.ok + proofs.transport_errors,
        "proof_verifies_on_chain_root": checked,
        "proof_uncached_rps": round(uncached.ok / uncached.seconds, 1),
        "proof_uncached_p50_ms": round(uncached.percentile_ms(0.50), 2),
        "proof_uncached_p99_ms": round(uncached.percentile_ms(0.99), 2),
        "proof_uncached_errors": uncached.requests - uncached.ok + uncached.transport_errors,
        "upload_reports_per_s": round(upload_rate, 1),
        "upload_batches_per_s": round(upload.ok / upload.seconds, 2),
        "upload_p50_ms": round(upload.percentile_ms(0.50), 2),
        "upload_p99_ms": round(upload.percentile_ms(0.99), 2),
        "upload_seconds": round(upload.seconds, 2),
        "upload_reports_accepted": accepted,
        "upload_reports_rejected": rejected,
        "upload_errors": upload.requests - upload.ok + upload.transport_errors,
        "intake_in_process_reports_per_s": round(in_process, 1),
        "upload_over_in_process": round(upload_rate / in_process, 3) if in_process else None,
        "proof_rps_over_target": round(proof_rps / TARGET_PROOF_RPS, 3),
        "meets_target": proof_rps >= TARGET_PROOF_RPS and p99 < TARGET_PROOF_P99_MS,
        "settle_seconds": round(setup["settle_seconds"], 2),
        "cpus": os.cpu_count(),
        # The machine's 1, 5 and 15-minute load at the end: the figures move with it.
        "load_average": [round(value, 2) for value in os.getloadavg()],
        **shape,
    }
