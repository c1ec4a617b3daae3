"""A real streaming replica of the test cluster, on loopback, for as long as a block runs.

`pg_basebackup` copies the running cluster (as the `postgres` user, who owns the server's
files) into a temporary directory with `-R`, which makes the copy a standby streaming from the
primary; `pg_ctl` starts it on a free port. Leaving the block stops it and removes the copy.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL

SERVER_USER = "postgres"
READY_SECONDS = 60


def unavailable_reason() -> str | None:
    """Why no replica can be started here, or None."""
    if os.geteuid() != 0 or shutil.which("runuser") is None:
        return "starting a replica needs root (to act as the postgres user)"
    return None


def server_bin(primary: URL) -> Path:
    """The binaries of the primary's major version."""
    engine = create_engine(primary)
    with engine.connect() as connection:
        major = int(connection.execute(text("SHOW server_version_num")).scalar_one()) // 10_000
    engine.dispose()
    return Path(f"/usr/lib/postgresql/{major}/bin")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def as_server_user(*command: str, env: dict[str, str] | None = None) -> None:
    subprocess.run(
        ["runuser", "-u", SERVER_USER, "--", "env", *[f"{k}={v}" for k, v in (env or {}).items()],
         *command],
        check=True, capture_output=True, timeout=300,
    )


@contextmanager
def streaming_replica(primary: URL) -> Iterator[URL]:
    """Start a standby of `primary`'s cluster; yield the URL of the same database on it."""
    binaries = server_bin(primary)
    root = Path(tempfile.mkdtemp(prefix="milestone-replica-"))
    data = root / "data"
    port = free_port()
    shutil.chown(root, SERVER_USER, SERVER_USER)
    try:
        as_server_user(
            str(binaries / "pg_basebackup"), "-h", str(primary.host), "-p", str(primary.port),
            "-U", str(primary.username), "-D", str(data), "-R", "-X", "stream",
            "--checkpoint=fast",
            env={"PGPASSWORD": str(primary.password)},
        )
        # Debian keeps the configuration outside the data directory: the copy gets its own.
        (data / "postgresql.conf").write_text(
            f"port = {port}\nlisten_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{root}'\nhot_standby = on\n"
        )
        (data / "pg_hba.conf").write_text(
            "local all all peer\nhost all all 127.0.0.1/32 scram-sha-256\n"
        )
        for path in (data / "postgresql.conf", data / "pg_hba.conf"):
            shutil.chown(path, SERVER_USER, SERVER_USER)
        as_server_user(
            str(binaries / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-w",
            "-t", str(READY_SECONDS), "start",
        )
        replica = primary.set(port=port)
        wait_until_accepting(replica)
        yield replica
    finally:
        if (data / "postmaster.pid").exists():
            as_server_user(str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(root, ignore_errors=True)


def wait_until_accepting(replica: URL) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while True:
        engine = create_engine(replica)
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
                return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
        finally:
            engine.dispose()


def wait_for_replay(primary: URL, replica: URL) -> None:
    """Until the replica has replayed everything the primary had written when called."""
    engine = create_engine(primary)
    with engine.connect() as connection:
        target = connection.execute(text("SELECT pg_current_wal_lsn()")).scalar_one()
    engine.dispose()
    engine = create_engine(replica)
    deadline = time.monotonic() + READY_SECONDS
    try:
        with engine.connect() as connection:
            while True:
                behind = connection.execute(
                    text(
                        "SELECT pg_wal_lsn_diff(CAST(:target AS pg_lsn),"
                        " pg_last_wal_replay_lsn())"
                    ),
                    {"target": target},
                ).scalar_one()
                if behind <= 0:
                    return
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the replica is still {behind} bytes behind")
                time.sleep(0.05)
                connection.rollback()
    finally:
        engine.dispose()
