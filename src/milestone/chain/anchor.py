"""The anchoring client settlement uses: deploy or attach a Program, then submit epoch steps.

Every step is idempotent. Before sending, the step's on-chain state is read: a step already
there with the same values is reported as done and not sent again; one there with other values
raises `ChainConflict`, which must stop settlement (the chain and the database disagree about
history). Transactions go through a `Sender`: nonces, gas, fees, confirmations and retries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from eth_account.signers.local import LocalAccount
from web3.types import TxReceipt

from milestone.chain.attestation import attestation_digest, order_signatures, sign_epoch_result
from milestone.chain.backends import ChainConnection
from milestone.chain.compile import load_contract
from milestone.chain.errors import ChainConflict, ProgramNotFound
from milestone.chain.keys import derive_reveal
from milestone.chain.program import EpochResult, ProgramParameters, ProgramView
from milestone.chain.transactions import EtherTransfer, RetryPolicy, Sender


@dataclass(frozen=True)
class StepOutcome:
    """What a step did: `sent` is False when it was already on-chain with the same values."""

    sent: bool
    transaction_hash: str | None = None
    block_number: int | None = None
    gas_used: int | None = None

    @classmethod
    def from_receipt(cls, receipt: TxReceipt | None) -> StepOutcome:
        if receipt is None:
            return cls(sent=False)
        return cls(
            sent=True,
            transaction_hash="0x" + bytes(receipt["transactionHash"]).hex(),
            block_number=receipt["blockNumber"],
            gas_used=receipt["gasUsed"],
        )


class Anchor:
    """A Program contract and the operator who drives it."""

    def __init__(
        self,
        connection: ChainConnection,
        address: str,
        operator: LocalAccount,
        *,
        confirmations: int = 1,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.connection = connection
        self.program = ProgramView(connection.w3, address)
        self.operator = operator
        self._confirmations = confirmations
        self._retry = retry
        self._senders: dict[str, Sender] = {}

    @property
    def address(self) -> str:
        return self.program.address

    @classmethod
    def attach(
        cls,
        connection: ChainConnection,
        address: str,
        operator: LocalAccount,
        *,
        confirmations: int = 1,
        retry: RetryPolicy | None = None,
    ) -> Anchor:
        """The Program at `address`; `ProgramNotFound` if no contract lives there."""
        anchor = cls(connection, address, operator, confirmations=confirmations, retry=retry)
        if not anchor.program.is_deployed():
            raise ProgramNotFound(f"no contract at {address} on {connection.location}")
        return anchor

    @classmethod
    def deploy(
        cls,
        connection: ChainConnection,
        operator: LocalAccount,
        parameters: ProgramParameters,
        *,
        beacon_members: Sequence[str] | None = None,
        attestors: Sequence[str] | None = None,
        threshold: int = 1,
        confirmations: int = 1,
        retry: RetryPolicy | None = None,
    ) -> Anchor:
        """Deploy a new Program; by default the operator is its one beacon member and attestor."""
        compiled = load_contract("Program")
        factory = connection.w3.eth.contract(abi=compiled.abi, bytecode=compiled.bytecode)
        constructor = factory.constructor(
            operator.address,
            *parameters.constructor_args(),
            list(beacon_members if beacon_members is not None else [operator.address]),
            list(attestors if attestors is not None else [operator.address]),
            threshold,
        )
        sender = Sender(connection, operator, confirmations=confirmations, retry=retry)
        receipt = sender.send(constructor)
        # No `done` check: a deployment is always sent, and it has an address.
        assert receipt is not None and receipt["contractAddress"] is not None
        return cls(
            connection,
            receipt["contractAddress"],
            operator,
            confirmations=confirmations,
            retry=retry,
        )

    def sender(self, account: LocalAccount) -> Sender:
        """The `Sender` of `account` on this chain (one per account, reused)."""
        if account.address not in self._senders:
            self._senders[account.address] = Sender(
                self.connection, account, confirmations=self._confirmations, retry=self._retry
            )
        return self._senders[account.address]

    def fund(self, address: str, wei: int) -> StepOutcome:
        """Send `wei` from the operator to `address` (gas money for members on a private chain)."""
        receipt = self.sender(self.operator).send(
            EtherTransfer(self.connection.w3, address), value=wei
        )
        return StepOutcome.from_receipt(receipt)

    def commit_beacon(
        self, epoch: int, commitment: bytes, member: LocalAccount | None = None
    ) -> StepOutcome:
        """`member` (default: the operator) commits to `keccak256(reveal)` for `epoch`."""
        account = member or self.operator

        def done() -> bool:
            on_chain = self.program.beacon_commit(epoch, account.address)
            if on_chain is None:
                return False
            _require_equal(
                f"beacon commitment of {account.address} for epoch {epoch}", on_chain, commitment
            )
            return True

        call = self.program.contract.functions.commit_beacon(epoch, commitment)
        return StepOutcome.from_receipt(self.sender(account).send(call, done=done))

    def post_weights(self, epoch: int, weights_root: bytes, total_weight: int) -> StepOutcome:
        """Post the root and total of `epoch`'s weights tree."""

        def done() -> bool:
            on_chain = self.program.weights(epoch)
            if on_chain is None:
                return False
            _require_equal(f"weights of epoch {epoch}", on_chain, (weights_root, total_weight))
            return True

        call = self.program.contract.functions.post_weights(epoch, weights_root, total_weight)
        return StepOutcome.from_receipt(self.sender(self.operator).send(call, done=done))

    def reveal_beacon(
        self, epoch: int, reveal: bytes, member: LocalAccount | None = None
    ) -> StepOutcome:
        """`member` (default: the operator) reveals its secret for `epoch`."""
        account = member or self.operator

        def done() -> bool:
            on_chain = self.program.beacon_reveal(epoch, account.address)
            if on_chain is None:
                return False
            _require_equal(
                f"beacon reveal of {account.address} for epoch {epoch}", on_chain, reveal
            )
            return True

        call = self.program.contract.functions.reveal_beacon(epoch, reveal)
        return StepOutcome.from_receipt(self.sender(account).send(call, done=done))

    def own_reveal(self, epoch: int, secret: bytes) -> bytes:
        """The reveal of `epoch` derived from a member's `secret` (see `epochs.beacon_secret`)."""
        return derive_reveal(secret, self.connection.chain_id, self.address, epoch)

    def attest(self, result: EpochResult, attestor: LocalAccount) -> bytes:
        """`attestor`'s signature over `result`, bound to the epoch's posted weights and seed."""
        weights_root, seed = self.epoch_inputs(result.epoch)
        return sign_epoch_result(
            attestor, self.connection.chain_id, self.address, result, weights_root, seed
        )

    def finalize(self, result: EpochResult, signatures: Sequence[bytes]) -> StepOutcome:
        """Commit `result` with attestor `signatures` (in any order: sorted here by signer)."""

        def done() -> bool:
            on_chain = self.program.commitment(result.epoch)
            if on_chain is None:
                return False
            _require_equal(f"result of epoch {result.epoch}", on_chain, result)
            return True

        if done():
            return StepOutcome(sent=False)
        weights_root, seed = self.epoch_inputs(result.epoch)
        digest = attestation_digest(
            self.connection.chain_id, self.address, result, weights_root, seed
        )
        call = self.program.contract.functions.finalize(
            *result.finalize_args(), order_signatures(digest, list(signatures))
        )
        return StepOutcome.from_receipt(self.sender(self.operator).send(call, done=done))

    def epoch_inputs(self, epoch: int) -> tuple[bytes, bytes]:
        """The weights root and seed of `epoch` as on-chain (zeros until they are there).

        Zeros make a signature the contract will refuse when finalize is tried, with its own
        reason (weights not posted, reveals missing).
        """
        functions = self.program.contract.functions
        return bytes(functions.weights_roots(epoch).call()), bytes(functions.seeds(epoch).call())


def _require_equal(what: str, on_chain: object, ours: object) -> None:
    if on_chain != ours:
        raise ChainConflict(
            f"the {what} on-chain differs from ours: settlement must stop",
            on_chain=repr(on_chain),
            ours=repr(ours),
        )
