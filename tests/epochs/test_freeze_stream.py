"""The streamed freeze equals the whole-epoch computation it replaced, on awkward inputs: cars
that change hands inside a round, owners with several cars, the cap, mixed consent."""

from __future__ import annotations

import random
from collections import defaultdict

import pytest
from sqlalchemy import insert, select

from milestone.epochs.compute import calculate_weights_root
from milestone.epochs.freeze import calculate_frozen_weights_root, freeze_weights, read_moves
from milestone.epochs.models import EpochWeightRecord, OwnerStateRecord
from milestone.registry.models import Owner
from milestone.rules.weights import BASIS_POINTS, calculate_round_weights
from milestone.storage import Database
from milestone.telemetry.models import Trip, TripRound

CUTOFF = 10_000
CAP = 60_000


def write_epoch(database: Database, epoch: int, rng: random.Random) -> None:
    """Random driving of `epoch`: 12 owners, 20 cars, a few trips each, some received late."""
    owners = [{"id": epoch * 100 + i, "address": rng.randbytes(20), "created_at": 0}
              for i in range(12)]  # fmt: skip
    trips, rounds = [], []
    for vehicle in range(epoch * 100, epoch * 100 + 20):
        for sequence in range(1, rng.randint(2, 6)):
            owner = rng.choice(owners)["id"]
            received = rng.choice([CUTOFF - 5, CUTOFF, CUTOFF + 1])
            trips.append({"vehicle_id": vehicle, "sequence": sequence, "epoch": epoch,
                          "report_hash": rng.randbytes(32), "owner_id": owner,
                          "report_trip_id": rng.randbytes(16), "distance_m": 0, "counted_m": 0,
                          "received_at": received})  # fmt: skip
            for round_index in rng.sample(range(6), rng.randint(1, 3)):
                bps = rng.choice([None, rng.randint(10_000, 12_000)])
                rounds.append({"epoch": epoch, "vehicle_id": vehicle, "round": round_index,
                               "sequence": sequence, "owner_id": owner,
                               "meters": rng.choice([0, rng.randint(1, 40_000)]),
                               "behaviour_bps": bps})  # fmt: skip

    def work(session):  # type: ignore[no-untyped-def]
        session.execute(insert(Owner), owners)
        session.execute(insert(Trip), trips)
        session.execute(insert(TripRound), rounds)

    database.run(work)


def whole_epoch_weights(database: Database, epoch: int) -> dict[int, dict[bytes, int]]:
    """The computation before streaming: every row in memory, the rule over all vehicles."""
    with database.session() as session:
        rows = session.execute(
            select(TripRound.vehicle_id, TripRound.round, TripRound.owner_id, TripRound.meters,
                   TripRound.behaviour_bps, Owner.address)
            .join(Trip, (Trip.vehicle_id == TripRound.vehicle_id)
                  & (Trip.sequence == TripRound.sequence))
            .join(Owner, Owner.id == TripRound.owner_id)
            .where(TripRound.epoch == epoch, Trip.received_at <= CUTOFF, TripRound.meters > 0)
        ).all()  # fmt: skip
    meters: dict = defaultdict(lambda: defaultdict(int))
    weighted: dict = defaultdict(int)
    behaviour: dict = defaultdict(bool)
    address_of = {}
    for vehicle, round_index, owner, trip_meters, bps, address in rows:
        meters[(vehicle, round_index)][owner] += trip_meters
        weighted[(vehicle, round_index)] += trip_meters * (BASIS_POINTS if bps is None else bps)
        behaviour[(vehicle, round_index)] |= bps is not None
        address_of[owner] = bytes(address)
    by_meters: dict = defaultdict(dict)
    by_bps: dict = defaultdict(dict)
    by_owner: dict = defaultdict(dict)
    for (vehicle, round_index), owners in meters.items():
        total = sum(owners.values())
        by_meters[vehicle][round_index] = total
        key = (vehicle, round_index)
        by_bps[vehicle][round_index] = weighted[key] // total if behaviour[key] else None
        owner = min(owners, key=lambda o: (-owners[o], o))
        by_owner[vehicle][round_index] = address_of[owner]
    return calculate_round_weights(by_meters, by_bps, by_owner, CAP)


@pytest.mark.parametrize("seed", range(6))
def test_streamed_weights_equal_the_whole_epoch_computation(database: Database, seed: int) -> None:
    epoch = seed + 1
    write_epoch(database, epoch, random.Random(seed))
    expected = whole_epoch_weights(database, epoch)
    database.run(lambda s: freeze_weights(s, epoch, CUTOFF, CAP))
    with database.session() as session:
        frozen: dict[int, dict[bytes, int]] = defaultdict(dict)
        for round_index, address, weight in session.execute(
            select(
                EpochWeightRecord.round, EpochWeightRecord.address, EpochWeightRecord.weight
            ).where(EpochWeightRecord.epoch == epoch)
        ):
            frozen[round_index][bytes(address)] = weight
        assert frozen == expected and expected
        assert calculate_frozen_weights_root(session, epoch) == calculate_weights_root(expected)


def test_an_epoch_without_driving_has_the_empty_root(database: Database) -> None:
    with database.session() as session:
        assert calculate_frozen_weights_root(session, 42) == (bytes(32), 0)


def test_a_driver_without_an_address_stops_the_freeze(database: Database) -> None:
    write_epoch(database, 7, random.Random(7))
    database.run(lambda s: s.execute(Owner.__table__.update().values(address=None)))
    with pytest.raises(LookupError):
        database.run(lambda s: freeze_weights(s, 7, CUTOFF, CAP))


def test_moves_list_the_owners_whose_address_changed(database: Database) -> None:
    rng = random.Random(3)
    old, new = rng.randbytes(20), rng.randbytes(20)
    kept = rng.randbytes(20)

    def work(session):  # type: ignore[no-untyped-def]
        session.execute(insert(Owner), [{"id": 1, "address": new, "created_at": 0},
                                        {"id": 2, "address": kept, "created_at": 0}])  # fmt: skip
        session.execute(insert(OwnerStateRecord), [
            {"owner_id": 1, "address": old, "balance": 5, "epoch": 0},
            {"owner_id": 2, "address": kept, "balance": 6, "epoch": 0},
        ])  # fmt: skip

    database.run(work)
    with database.session() as session:
        assert read_moves(session) == [["0x" + old.hex(), "0x" + new.hex()]]
