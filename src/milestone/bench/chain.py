"""Gas of settling an epoch on-chain, for few and for many owners, against paying each owner.

For each owner count, real trees are built over that many owners (weights, rewards, state) and
a whole epoch is settled on a fresh Program: beacon commit, weights root, reveal, finalize. The
contract stores roots and totals only, so the epoch's gas must not grow with the owners. Beside
it, on the same chain, a minimal ERC-20 pays new holders one transfer each (and in batches, as
DIMO pays its drivers): the cost that committing roots avoids.
"""

from __future__ import annotations

import random
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount

from milestone.chain.anchor import Anchor
from milestone.chain.backends import ChainConnection, open_embedded, open_remote
from milestone.chain.compile import load_contract
from milestone.chain.program import EpochResult, ProgramParameters
from milestone.chain.transactions import Sender
from milestone.rules.beacon import commit_of
from milestone.rules.hashing import keccak256
from milestone.rules.merkle import StandardMerkleTree
from milestone.rules.params import get_preset

DEFAULT_OWNERS = (10, 100_000)
DEFAULT_TRANSFERS = 50
BATCH = 200
LEAF_TYPES = ("address", "uint256")
STEPS = ("commit_beacon", "post_weights", "reveal_beacon", "finalize")


@dataclass(frozen=True)
class ChainBench:
    """One run's figures, all gas as measured in receipts on one chain."""

    chain: str
    epoch_gas_by_owners: dict[str, int]
    first_epoch_gas_by_owners: dict[str, int]
    epoch_steps_gas_by_owners: dict[str, dict[str, int]]
    transfer_gas_per_owner: int
    batched_transfer_gas_per_owner: int
    transfers_gas_by_owners: dict[str, int]
    transfers_over_epoch_by_owners: dict[str, float]
    roots_by_owners: dict[str, dict[str, str]]

    def to_json(self) -> dict[str, Any]:
        """Plain values for `--json`."""
        return asdict(self)


def make_owners(count: int, seed: int) -> list[tuple[bytes, int]]:
    """`count` (address, amount) pairs, the same for the same seed."""
    rng = random.Random(seed)
    return [(rng.randbytes(20), rng.getrandbits(40) + 1) for _ in range(count)]


def run_chain_bench(
    owners: Sequence[int] = DEFAULT_OWNERS,
    transfers: int = DEFAULT_TRANSFERS,
    chain_url: str | None = None,
    operator_key: str | None = None,
    seed: int = 0,
) -> ChainBench:
    """Measure on the node at `chain_url` (funded `operator_key`) or a throwaway embedded chain."""
    with tempfile.TemporaryDirectory() as scratch:
        operator: LocalAccount = (
            Account.from_key(operator_key) if operator_key else Account.create()
        )
        chain = (
            open_remote(chain_url)
            if chain_url
            else open_embedded(Path(scratch), [operator.address])
        )
        with chain:
            return _measure(chain, operator, owners, transfers, seed)


def _measure(
    chain: ChainConnection,
    operator: LocalAccount,
    owners: Sequence[int],
    transfers: int,
    seed: int,
) -> ChainBench:
    parameters = ProgramParameters.from_rules(get_preset("im-csop"), genesis_time=0)
    steps: dict[str, dict[str, int]] = {}
    first: dict[str, int] = {}
    roots: dict[str, dict[str, str]] = {}
    for count in owners:
        trees = _epoch_trees(count, seed)
        roots[str(count)] = {name: "0x" + root.hex() for name, root in trees.items()}
        anchor = Anchor.deploy(chain, operator, parameters)
        # Epoch 0 writes storage for the first time; epoch 1 is what every later epoch costs.
        first[str(count)] = sum(_settle(anchor, 0, trees, count).values())
        steps[str(count)] = _settle(anchor, 1, trees, count)
    single, batched = _transfer_gas(chain, operator, transfers, seed)
    epoch_gas = {count: sum(gas.values()) for count, gas in steps.items()}
    paying = {count: int(count) * single for count in epoch_gas}
    return ChainBench(
        chain=chain.location,
        epoch_gas_by_owners=epoch_gas,
        first_epoch_gas_by_owners=first,
        epoch_steps_gas_by_owners=steps,
        transfer_gas_per_owner=single,
        batched_transfer_gas_per_owner=batched,
        transfers_gas_by_owners=paying,
        transfers_over_epoch_by_owners={
            count: round(paying[count] / epoch_gas[count], 2) for count in epoch_gas
        },
        roots_by_owners=roots,
    )


def _epoch_trees(count: int, seed: int) -> dict[str, bytes]:
    return {
        name: StandardMerkleTree.of(make_owners(count, seed + offset), LEAF_TYPES).root
        for offset, name in enumerate(("weights", "rewards", "state"))
    }


def _settle(anchor: Anchor, epoch: int, trees: dict[str, bytes], owners: int) -> dict[str, int]:
    reveal = keccak256(b"bench reveal" + epoch.to_bytes(8, "big"))
    gas = {
        "commit_beacon": anchor.commit_beacon(epoch, commit_of(reveal)).gas_used,
        "post_weights": anchor.post_weights(epoch, trees["weights"], owners * 1_000).gas_used,
        "reveal_beacon": anchor.reveal_beacon(epoch, reveal).gas_used,
    }
    result = EpochResult(
        epoch=epoch,
        state_root=trees["state"],
        rewards_root=trees["rewards"],
        journal_head=keccak256(b"journal" + epoch.to_bytes(8, "big")),
        epoch_file_hash=keccak256(b"epoch file" + epoch.to_bytes(8, "big")),
        cum_mined=(epoch + 1) * 10**12,
        cum_activity=(epoch + 1) * 10**11,
        cum_burned=(epoch + 1) * 10**9,
        cum_dividends_fen=epoch * 10**6,
    )
    gas["finalize"] = anchor.finalize(result, [anchor.attest(result, anchor.operator)]).gas_used
    return {step: int(gas[step] or 0) for step in STEPS}


def _transfer_gas(
    chain: ChainConnection, operator: LocalAccount, transfers: int, seed: int
) -> tuple[int, int]:
    """Average gas of a transfer to a new holder: one per transaction, and within a batch."""
    token = load_contract("Token")
    sender = Sender(chain, operator)
    factory = chain.w3.eth.contract(abi=token.abi, bytecode=token.bytecode)
    receipt = sender.send(factory.constructor("Stone", "STONE", 8, 10**18))
    assert receipt is not None and receipt["contractAddress"] is not None
    contract = chain.w3.eth.contract(address=receipt["contractAddress"], abi=token.abi)
    holders = [chain.w3.to_checksum_address(a) for a, _ in make_owners(transfers + BATCH, seed)]
    single = []
    for holder in holders[:transfers]:
        sent = sender.send(contract.functions.transfer(holder, 10**8))
        assert sent is not None
        single.append(sent["gasUsed"])
    batch = sender.send(contract.functions.transfer_many(holders[transfers:], [10**8] * BATCH))
    assert batch is not None
    return round(sum(single) / len(single)), round(batch["gasUsed"] / BATCH)
