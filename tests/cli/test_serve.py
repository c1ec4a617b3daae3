"""`milestone serve`: a real uvicorn with two workers answering on loopback."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

STARTUP_SECONDS = 90


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.mark.slow
def test_serve_migrates_and_answers_with_two_workers(tmp_path: Path) -> None:
    port = free_port()
    command = [
        str(Path(sys.executable).parent / "milestone"),
        "serve",
        "--port",
        str(port),
        "--workers",
        "2",
        "--no-access-log",
        "--data-dir",
        str(tmp_path),
    ]
    env = {key: value for key, value in os.environ.items() if not key.startswith("MILESTONE_")}
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + STARTUP_SECONDS
        health = None
        while time.monotonic() < deadline:
            try:
                health = httpx.get(f"{base}/health", timeout=5)
                break
            except httpx.TransportError:
                time.sleep(0.5)
        assert health is not None and health.status_code == 200, "server did not come up"
        assert health.json()["program_initialized"] is False
        problem = httpx.get(f"{base}/api/v1/program")
        assert problem.status_code == 409
        assert problem.json()["code"] == "program_not_initialized"
        assert (tmp_path / "milestone.db").exists() and (tmp_path / "api-token-secret").exists()
        metrics = httpx.get(f"{base}/metrics").text
        assert "milestone_http_requests_total" in metrics
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
