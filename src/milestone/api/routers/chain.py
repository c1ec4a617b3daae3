"""The chain the program runs on, for browsers that check proofs against it themselves."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body

from milestone.api.deps import ContextDep
from milestone.api.problems import problem_responses
from milestone.api.schemas.epochs import ChainPublic
from milestone.chain.reader import read_chain_info, relay_read

router = APIRouter(prefix="/chain", tags=["chain"], responses=problem_responses(502, 503))


@router.get("", summary="Where the Program is and how to read it")
def read_chain(context: ContextDep) -> ChainPublic:
    """On a remote chain `rpc_url` is the node's own; on the embedded one, the relay below."""
    settings = context.settings
    return ChainPublic.of(
        read_chain_info(settings.data_dir, settings.chain_url, settings.chain_public_url)
    )


@router.post(
    "/rpc", summary="Read-only JSON-RPC to the embedded chain",
    responses={200: {"description": "A JSON-RPC 2.0 response (result or error)"}},
)
def relay(context: ContextDep, request: Annotated[Any, Body()]) -> dict[str, Any]:
    """`eth_chainId`, `eth_blockNumber` and `eth_call` to the Program, nothing else. On a remote
    chain this answers a JSON-RPC error naming the node to ask instead."""
    settings = context.settings
    if settings.chain_url:
        where = settings.chain_public_url or settings.chain_url
        request_id = request.get("id") if isinstance(request, dict) else None
        return {"jsonrpc": "2.0", "id": request_id,
                "error": {"code": -32601, "message": f"ask the chain's node at {where}"}}
    return relay_read(settings.data_dir, request)
