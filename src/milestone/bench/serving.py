"""`milestone serve` for a benchmark: a free loopback port, a process group of its own, and
/health answering before the load starts."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

HOST = "127.0.0.1"
STARTUP_SECONDS = 120


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


class served:
    """`milestone serve` in a process group of its own, up until the block ends."""

    def __init__(
        self, data_dir: Path, port: int, workers: int, env: dict[str, str] | None = None
    ) -> None:
        self.data_dir, self.port, self.workers = data_dir, port, workers
        self.env = env or {}
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> served:
        command = [
            str(Path(sys.executable).parent / "milestone"), "serve", "--host", HOST,
            "--port", str(self.port), "--workers", str(self.workers), "--no-access-log",
            "--data-dir", str(self.data_dir),
        ]
        env = {key: value for key, value in os.environ.items() if not key.startswith("MILESTONE_")}
        # One client address sends every upload: lift the per-client write limit for the run.
        env["MILESTONE_API_WRITES_PER_MINUTE"] = str(10**9)
        env.update(self.env)
        self.process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            start_new_session=True,
        )
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                error = self.process.stderr.read() if self.process.stderr else b""
                raise RuntimeError(f"milestone serve exited: {error.decode(errors='replace')}")
            try:
                if httpx.get(f"http://{HOST}:{self.port}/health", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.25)
        raise RuntimeError("milestone serve did not answer /health in time")

    def __exit__(self, *_: object) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
