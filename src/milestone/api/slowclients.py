"""A deadline for a request's headers, which uvicorn does not have.

uvicorn closes a connection that is idle between requests (`timeout_keep_alive`), but not one
that opens and then sends nothing, or sends its headers a byte at a time: 200 such clients
hold 200 connections for as long as they like. This protocol gives every request
`HEADER_TIMEOUT_SECONDS` from the connection (or from the end of the previous answer) to the
end of its headers, then closes the connection. A slow *body* is left to the reverse proxy a
deployment puts in front (docs/operations.md), which also buffers requests whole.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

HEADER_TIMEOUT_ENV = "MILESTONE_HEADER_TIMEOUT_SECONDS"
DEFAULT_HEADER_TIMEOUT_SECONDS = 10.0


class HeaderDeadlineProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, closing a connection whose headers do not arrive in time."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Read here because uvicorn builds the protocol from its own config, in each worker.
        self.header_timeout = float(
            os.environ.get(HEADER_TIMEOUT_ENV, DEFAULT_HEADER_TIMEOUT_SECONDS)
        )
        self.header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()  # the next request on this connection gets its own deadline

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self.header_deadline = self.loop.call_later(self.header_timeout, self._expire)

    def _disarm(self) -> None:
        if self.header_deadline is not None:
            self.header_deadline.cancel()
            self.header_deadline = None

    def _expire(self) -> None:
        self.header_deadline = None
        if not self.transport.is_closing():
            self.transport.close()
