"""`milestone bench audit`: verifying one new epoch costs the same whatever the history before it.

Two programs are simulated and settled on the embedded chain with the same fleet (no growth, so
the last epoch of each has as many owners): a short run and a long one. On each, `milestone
audit --from LAST` verifies the last epoch only, starting from what the chain committed for the
one before; the figure is the median of a few runs (wall clock and CPU time: the machine is
shared), and the ratio long / short should be about 1.
A full audit from genesis of the long run is timed once too, for the contrast.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any, Final

from milestone.audit.run import run_audit
from milestone.cli.chainread import program_view
from milestone.settings import load_settings
from milestone.sim.config import SimConfig
from milestone.sim.demo import run_demo

SHORT_DAYS: Final[int] = 8
LONG_DAYS: Final[int] = 90
VEHICLES: Final[int] = 6
REPEATS: Final[int] = 5


def run_audit_bench(
    short: int = SHORT_DAYS, long: int = LONG_DAYS, vehicles: int = VEHICLES,
    repeats: int = REPEATS,
) -> dict[str, Any]:
    """Seconds to audit the last epoch of a `short`- and a `long`-epoch run, and their ratio."""
    with tempfile.TemporaryDirectory(prefix="milestone-bench-audit-") as scratch:
        figures: dict[str, Any] = {}
        for label, days in (("short", short), ("long", long)):
            figures[label] = _measure(Path(scratch) / label, days, vehicles, repeats,
                                      full=label == "long")
    figures["ratio"] = round(figures["long"]["from_last_seconds"]
                             / figures["short"]["from_last_seconds"], 2)
    figures["cpu_ratio"] = round(figures["long"]["from_last_cpu_seconds"]
                                 / figures["short"]["from_last_cpu_seconds"], 2)
    return figures


def _measure(data_dir: Path, days: int, vehicles: int, repeats: int, full: bool) -> dict[str, Any]:
    settings = load_settings(data_dir=data_dir)
    config = SimConfig(preset="minimal", vehicles=vehicles, days=days, growth_bps=0, attackers=0)
    run_demo(settings, config)
    epochs_dir = data_dir / "epochs"
    with program_view(settings.data_dir, None) as view:
        contract = bytes.fromhex(view.address[2:])
        last = view.next_epoch() - 1
        times, cpu = [], []
        for _ in range(repeats):
            started, started_cpu = time.perf_counter(), time.process_time()
            report = run_audit(epochs_dir, view, contract, start=last)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
            if not report.ok:
                raise RuntimeError(f"the audit of epoch {last} failed: {report.to_dict()}")
        result: dict[str, Any] = {
            "epochs": last + 1,
            "owners": report.verdicts[-1].owners,
            "from_last_seconds": round(statistics.median(times), 4),
            "from_last_cpu_seconds": round(statistics.median(cpu), 4),
        }
        if full:
            started = time.perf_counter()
            whole = run_audit(epochs_dir, view, contract)
            result["from_genesis_seconds"] = round(time.perf_counter() - started, 4)
            result["from_genesis_ok"] = whole.ok
    return result
