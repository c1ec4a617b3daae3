"""A real HTTP receiver on loopback for the webhook tests and `bench webhooks`.

It records every request it answers (headers and raw body). `mode` says how it answers:
`ok` (204), `fail` (500) or `slow` (waits `delay` seconds, then 204). `stop()` closes the
socket so connections are refused, `start()` listens again on the same port.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class ReusableServer(ThreadingHTTPServer):
    allow_reuse_address = True  # listen again on the same port right after `stop()`
    daemon_threads = True


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    path: str


@dataclass
class Receiver:
    mode: str = "ok"
    delay: float = 0.0
    received: list[Received] = field(default_factory=list)
    port: int = 0
    keep_alive: bool = False
    """HTTP/1.1 connections kept open (the benchmark); off, `stop()` ends every connection."""
    started: int = 0
    """Requests that arrived, answered or not yet (a slow one is counted before it waits)."""
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1" if receiver.keep_alive else "HTTP/1.0"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                with receiver._lock:
                    receiver.started += 1
                if receiver.mode == "slow":
                    time.sleep(receiver.delay)
                if receiver.mode == "fail":
                    self.send_response(500)
                else:
                    with receiver._lock:
                        got = Received(dict(self.headers.items()), body, self.path)
                        receiver.received.append(got)
                    self.send_response(204)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                pass  # quiet: the tests read `received` instead

        self._server = ReusableServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def ids(self) -> list[str]:
        with self._lock:
            return [r.headers["webhook-id"] for r in self.received]
