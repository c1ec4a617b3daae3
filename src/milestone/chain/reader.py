"""Reading the chain on behalf of browsers: where the Program is, and a read-only JSON-RPC relay.

The web app checks balance proofs against the roots the Program holds, reading them itself
with `eth_call`. On a remote chain it asks the node directly (at `chain_public_url`, else
`chain_url`); the embedded chain lives inside the service, so the service relays a few
read-only methods to it and nothing else: no transaction can pass through the relay, and a
call may only address the Program.

The embedded chain file admits one process at a time, so each read opens it briefly and
waits a little for a settler or another worker to let go. A read never creates the embedded
chain: before the first settlement it answers for the chain as it will be (its fixed id, no
block after genesis, no Program), and the settler creates it with the operator funded.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from eth_typing import HexStr
from web3 import Web3

from milestone.chain.backends import EMBEDDED_CHAIN_ID, ChainConnection, connect
from milestone.chain.deployment import load_deployment
from milestone.chain.errors import ChainError, ChainNotCreated, ChainUnavailable
from milestone.chain.program import ProgramView
from milestone.errors import MilestoneError

RELAYED_METHODS = frozenset({"eth_chainId", "eth_blockNumber", "eth_call"})
OPEN_ATTEMPTS = 20
OPEN_WAIT_SECONDS = 0.1
MAX_CALL_DATA_BYTES = 4_096
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
SERVER_ERROR = -32000


@dataclass(frozen=True)
class ChainInfo:
    """What a browser needs to read the Program itself."""

    backend: Literal["embedded", "remote"]
    chain_id: int
    program_address: str | None
    rpc_url: str | None
    """The node's JSON-RPC URL for browsers; None means the service's relay (embedded)."""
    next_epoch: int | None


class RelayRefused(MilestoneError):
    """A JSON-RPC request the relay does not carry; answered as a JSON-RPC error."""

    code = "relay_refused"
    http_status = 400

    def __init__(self, message: str, rpc_code: int) -> None:
        super().__init__(message)
        self.rpc_code = rpc_code


@contextmanager
def open_chain(data_dir: Path, chain_url: str | None) -> Iterator[ChainConnection]:
    """The configured chain, waiting briefly while another process holds the embedded one;
    `ChainNotCreated` if the embedded one does not exist yet."""
    for attempt in range(OPEN_ATTEMPTS):
        try:
            connection = connect(Path(data_dir), chain_url, create=False)
            break
        except ChainUnavailable:
            if chain_url or attempt == OPEN_ATTEMPTS - 1:
                raise
            time.sleep(OPEN_WAIT_SECONDS)
    try:
        yield connection
    finally:
        connection.close()


def read_chain_info(
    data_dir: Path, chain_url: str | None, public_url: str | None = None
) -> ChainInfo:
    """The chain's id, the Program recorded for it in `data_dir`, and how browsers reach it."""
    try:
        with open_chain(data_dir, chain_url) as connection:
            return _chain_info(connection, Path(data_dir), public_url or chain_url)
    except ChainNotCreated:
        return ChainInfo(backend="embedded", chain_id=EMBEDDED_CHAIN_ID, program_address=None,
                         rpc_url=None, next_epoch=None)


def _chain_info(connection: ChainConnection, data_dir: Path, public_url: str | None) -> ChainInfo:
    chain_id = connection.w3.eth.chain_id
    deployment = load_deployment(data_dir, chain_id)
    next_epoch = None
    if deployment is not None:
        _call_as_operator(connection, deployment.operator)
        view = ProgramView(connection.w3, deployment.address)
        next_epoch = view.next_epoch() if view.is_deployed() else None
    return ChainInfo(
        backend=connection.kind,
        chain_id=chain_id,
        program_address=deployment.address if deployment else None,
        rpc_url=public_url if connection.kind == "remote" else None,
        next_epoch=next_epoch,
    )


def relay_read(data_dir: Path, request: Any) -> dict[str, Any]:
    """Answer one JSON-RPC 2.0 request against the embedded chain, reads of the Program only."""
    request_id = request.get("id") if isinstance(request, dict) else None
    try:
        method, params = _checked(request)
        try:
            with open_chain(data_dir, None) as connection:
                result = _answer(connection, Path(data_dir), method, params)
        except ChainNotCreated:
            result = _answer_before_genesis(method)
    except RelayRefused as refused:
        return _error(request_id, refused.rpc_code, refused.message)
    except ChainError as error:
        return _error(request_id, SERVER_ERROR, error.message)
    return {"jsonrpc": "2.0", "id": request_id, "result": result}


def _checked(request: Any) -> tuple[str, list[Any]]:
    if not isinstance(request, dict) or request.get("jsonrpc") != "2.0":
        raise RelayRefused("not a JSON-RPC 2.0 request", INVALID_REQUEST)
    method, params = request.get("method"), request.get("params", [])
    if method not in RELAYED_METHODS:
        raise RelayRefused(f"the relay only answers {', '.join(sorted(RELAYED_METHODS))}",
                           METHOD_NOT_FOUND)
    if not isinstance(params, list):
        raise RelayRefused("params must be a list", INVALID_PARAMS)
    return method, params


def _answer(connection: ChainConnection, data_dir: Path, method: str, params: list[Any]) -> str:
    w3 = connection.w3
    if method == "eth_chainId":
        return hex(w3.eth.chain_id)
    if method == "eth_blockNumber":
        return hex(w3.eth.block_number)
    deployment = load_deployment(data_dir, w3.eth.chain_id)
    call = params[0] if params else None
    if not isinstance(call, dict) or not isinstance(call.get("to"), str):
        raise RelayRefused("eth_call needs a call object with `to`", INVALID_PARAMS)
    if deployment is None or call["to"].lower() != deployment.address.lower():
        raise RelayRefused("the relay only calls the Program contract", INVALID_PARAMS)
    data = call.get("data", call.get("input", "0x"))
    if not isinstance(data, str) or not _is_hex(data) or len(data) > 2 + 2 * MAX_CALL_DATA_BYTES:
        raise RelayRefused("call data must be 0x-hex of at most 4 KiB", INVALID_PARAMS)
    _call_as_operator(connection, deployment.operator)
    try:
        to = Web3.to_checksum_address(deployment.address)
        result = w3.eth.call({"to": to, "data": HexStr(data)})
    except Exception as error:  # a revert or a malformed call: the caller's to read
        raise RelayRefused(f"the call failed: {error}", SERVER_ERROR) from None
    return "0x" + bytes(result).hex()


def _answer_before_genesis(method: str) -> str:
    """The answers of the chain the first settlement will create: nothing on it yet."""
    if method == "eth_chainId":
        return hex(EMBEDDED_CHAIN_ID)
    if method == "eth_blockNumber":
        return hex(0)
    raise RelayRefused("no Program is deployed yet: the relay only calls the Program",
                       INVALID_PARAMS)


def _call_as_operator(connection: ChainConnection, operator: str) -> None:
    """Calls on the embedded chain are run as transactions and charged gas to the sender: use
    the operator's funded account rather than eth-tester's unfunded default."""
    if connection.kind == "embedded":
        connection.w3.eth.default_account = Web3.to_checksum_address(operator)


def _is_hex(text: str) -> bool:
    body = text[2:] if text.startswith("0x") else "?"
    return len(body) % 2 == 0 and all(c in "0123456789abcdefABCDEF" for c in body)


def _error(request_id: Any, code: int, message: str) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "error": {"code": code, "message": message}}
