"""`milestone bench scale`: the fleet's day has the promised shape, and one small run reports
every figure from a real settlement and a real proof."""

from __future__ import annotations

import random

import pytest

from milestone.bench.scale import (
    ROUNDS_PER_TRIP,
    TRIPS_PER_DAY,
    driving_rows,
    fleet_vin,
    run_scale_bench,
    sibling_rounds_are_distinct,
)
from milestone.registry.vin import normalize_vin, synthetic_vin

FIGURES = ("owners", "weight_rows", "settle_cpu_s", "settle_peak_rss_bytes", "hash_floor_cpu_s",
           "first_proof_ms", "proof_worker_rss_bytes", "retained_bytes_per_trip")  # fmt: skip


def test_each_car_drives_three_trips_of_four_rounds_a_day() -> None:
    rows = driving_rows(range(1, 51), 0, random.Random(1), 300)
    assert len(rows["trip"]) == 50 * TRIPS_PER_DAY
    assert len(rows["trip_round"]) == 50 * TRIPS_PER_DAY * ROUNDS_PER_TRIP
    assert all(len(trip[-1]) == 300 for trip in rows["trip"])  # the envelope's bytes
    assert sibling_rounds_are_distinct(rows["trip_round"])
    by_trip: dict[tuple[int, int], int] = {}
    for _, vehicle, _, sequence, _, meters, _ in rows["trip_round"]:
        by_trip[(vehicle, sequence)] = by_trip.get((vehicle, sequence), 0) + meters
    assert all(by_trip[(trip[0], trip[1])] == trip[6] for trip in rows["trip"])  # distance_m


@pytest.mark.slow
def test_a_small_fleet_reports_every_figure() -> None:
    figures = run_scale_bench(40).to_json()
    assert all(figures[name] is not None for name in FIGURES)
    positive = ("weight_rows", "settle_cpu_s", "settle_peak_rss_bytes", "first_proof_ms",
                "proof_worker_rss_bytes")  # fmt: skip
    assert all(figures[name] > 0 for name in positive), figures
    assert figures["weight_rows"] == 40 * TRIPS_PER_DAY * ROUNDS_PER_TRIP
    assert figures["tree_leaves"]["weights"] == figures["weight_rows"]
    # The prune ran: the per-trip rows are gone, what stays is what settlement keeps for good.
    assert figures["kept_bytes_per_trip_before_prune"] > figures["retained_bytes_per_trip"]
    left = figures["retained_bytes_by_table"]
    assert all(left.get(table, 0) < 64 for table in ("trip", "trip_round", "epoch_weight")), left
    assert figures["epoch_file_bytes_per_trip"] > 0


def test_fleet_vins_are_valid_and_distinct_past_a_million_cars() -> None:
    serials = [1, 999_999, 1_000_000, 1_000_001, 2_999_999, 3_000_000, 10_000_000]
    vins = [fleet_vin(serial) for serial in serials]
    assert len(set(vins)) == len(vins)
    assert all(normalize_vin(vin) == vin for vin in vins)  # the check digit holds
    assert fleet_vin(42) == synthetic_vin(42)  # the first million keep their VINs
