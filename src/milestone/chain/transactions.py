"""Sending transactions that arrive exactly once, whatever the connection does.

One `Sender` per signing account. Each send estimates gas (a revert is reported with the
contract's reason, nothing sent), prices the transaction from the latest block, signs it
locally (the same code for the embedded chain and any node) and waits for its receipt and the
configured confirmations. A dropped connection is retried until a deadline; on every retry
the caller's `done` check runs first, so a step that landed before the connection dropped is
never sent twice, and a transaction already signed is re-broadcast unchanged (same nonce,
same hash) rather than replaced.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eth_account.datastructures import SignedTransaction
from eth_account.signers.local import LocalAccount
from eth_tester.exceptions import TransactionFailed
from web3.exceptions import ContractLogicError, TransactionNotFound, Web3RPCError
from web3.types import TxReceipt

from milestone.chain.backends import ChainConnection
from milestone.chain.errors import ChainReverted, ChainUnavailable, ConfirmationTimeout

# requests' connection errors and timeouts are OSErrors; so are refused sockets.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (OSError,)
# What a node answers when a re-broadcast transaction is already known or already mined.
ALREADY_SENT_MESSAGES = ("already known", "nonce too low", "already imported", "known transaction")
REVERT_PREFIX = "execution reverted: "
# How a revert surfaces: web3's error from a node, eth-tester's own from the embedded chain.
REVERT_ERRORS: tuple[type[BaseException], ...] = (ContractLogicError, TransactionFailed)


@dataclass(frozen=True)
class _Signed:
    transaction: SignedTransaction
    nonce: int


@dataclass(frozen=True)
class RetryPolicy:
    """How long to keep trying through a dropped connection, and how fast."""

    deadline_seconds: float = 60.0
    first_delay_seconds: float = 0.2
    max_delay_seconds: float = 5.0


class Sender:
    """Signs and sends one account's transactions, exactly once each."""

    def __init__(
        self,
        connection: ChainConnection,
        account: LocalAccount,
        *,
        confirmations: int = 1,
        receipt_timeout_seconds: float = 120.0,
        poll_seconds: float = 0.1,
        retry: RetryPolicy | None = None,
    ) -> None:
        if confirmations < 1:
            raise ValueError("confirmations counts the including block: at least 1")
        self.connection = connection
        self.w3 = connection.w3
        self.account = account
        self.confirmations = confirmations
        self.receipt_timeout_seconds = receipt_timeout_seconds
        self.poll_seconds = poll_seconds
        self.retry = retry or RetryPolicy()

    def send(
        self, call: Any, *, done: Callable[[], bool] | None = None, value: int = 0
    ) -> TxReceipt | None:
        """Send `call` (a contract function or constructor) once; None if `done()` already holds.

        Raises `ChainReverted` if the contract refuses, `ChainUnavailable` if the node stays
        unreachable past the retry deadline, `ConfirmationTimeout` if confirmations never come.
        """
        deadline = time.monotonic() + self.retry.deadline_seconds
        delay = self.retry.first_delay_seconds
        pending: _Signed | None = None
        while True:
            try:
                if done is not None and done():
                    return None
                if pending is None:
                    pending = self._sign(call, value)
                self._broadcast(pending)
                receipt = self._wait_for_receipt(pending)
                if receipt is None:
                    # Our nonce went to another transaction: start over from the `done` check.
                    pending = None
                    continue
                if receipt["status"] == 0:
                    if done is not None and done():
                        return None
                    raise ChainReverted(
                        "the transaction reverted", reason=self._replay_reason(call, receipt)
                    )
                if self._confirm(receipt):
                    return receipt
            except TRANSIENT_ERRORS as exc:
                if time.monotonic() + delay > deadline:
                    raise ChainUnavailable(
                        f"the chain at {self.connection.location} did not answer: {exc}"
                    ) from exc
                time.sleep(delay)
                delay = min(delay * 2, self.retry.max_delay_seconds)

    def _sign(self, call: Any, value: int) -> _Signed:
        sender = self.account.address
        try:
            estimate = call.estimate_gas({"from": sender, "value": value})
        except REVERT_ERRORS as exc:
            raise ChainReverted(
                f"the contract refused: {revert_reason(exc)}", reason=revert_reason(exc)
            ) from exc
        nonce = self.w3.eth.get_transaction_count(sender, "pending")
        transaction = call.build_transaction(
            {
                "from": sender,
                "value": value,
                "nonce": nonce,
                # A quarter more than estimated: state may move between estimate and inclusion.
                "gas": estimate + estimate // 4,
                "chainId": self.w3.eth.chain_id,
                **self._fees(),
            }
        )
        return _Signed(self.account.sign_transaction(transaction), nonce)

    def _fees(self) -> dict[str, int]:
        base_fee = self.w3.eth.get_block("latest").get("baseFeePerGas")
        if base_fee is None:
            # A chain without EIP-1559 (some consortium networks): legacy pricing.
            return {"gasPrice": self.w3.eth.gas_price}
        tip = self.w3.eth.max_priority_fee
        # Twice the base fee survives six full blocks of increases before the next retry.
        return {"maxFeePerGas": 2 * base_fee + tip, "maxPriorityFeePerGas": tip}

    def _broadcast(self, signed: _Signed) -> None:
        try:
            self.w3.eth.send_raw_transaction(signed.transaction.raw_transaction)
        except Web3RPCError as exc:
            if not any(text in str(exc).lower() for text in ALREADY_SENT_MESSAGES):
                raise

    def _wait_for_receipt(self, signed: _Signed) -> TxReceipt | None:
        tx_hash = signed.transaction.hash
        give_up = time.monotonic() + self.receipt_timeout_seconds
        while True:
            try:
                return self.w3.eth.get_transaction_receipt(tx_hash)
            except TransactionNotFound:
                pass
            if self.w3.eth.get_transaction_count(self.account.address, "latest") > signed.nonce:
                # The nonce is used but not by us: look once more (a race with mining), then
                # report the transaction dropped.
                try:
                    return self.w3.eth.get_transaction_receipt(tx_hash)
                except TransactionNotFound:
                    return None
            if time.monotonic() > give_up:
                raise ConfirmationTimeout(
                    f"transaction {tx_hash.hex()} not mined in {self.receipt_timeout_seconds:.0f} s"
                )
            time.sleep(self.poll_seconds)

    def _confirm(self, receipt: TxReceipt) -> bool:
        """Wait for the confirmations; False if the block was reorganised away meanwhile."""
        if self.connection.instant_finality or self.confirmations == 1:
            return True
        target = receipt["blockNumber"] + self.confirmations - 1
        give_up = time.monotonic() + self.receipt_timeout_seconds
        while self.w3.eth.block_number < target:
            if time.monotonic() > give_up:
                raise ConfirmationTimeout(
                    f"transaction {receipt['transactionHash'].hex()} not confirmed "
                    f"{self.confirmations} blocks deep in {self.receipt_timeout_seconds:.0f} s"
                )
            time.sleep(self.poll_seconds)
        try:
            again = self.w3.eth.get_transaction_receipt(receipt["transactionHash"])
        except TransactionNotFound:
            return False
        return bool(again["blockHash"] == receipt["blockHash"])

    def _replay_reason(self, call: Any, receipt: TxReceipt) -> str:
        # A mined revert carries no reason: replay the call on the state it ran against.
        try:
            call.call({"from": self.account.address}, block_identifier=receipt["blockNumber"] - 1)
        except REVERT_ERRORS as exc:
            return revert_reason(exc)
        return "unknown (the call succeeds when replayed)"


def revert_reason(exc: BaseException) -> str:
    """The contract's `"module: reason"` message out of web3's or eth-tester's error."""
    message = str(getattr(exc, "message", None) or exc)
    return message.split(REVERT_PREFIX, 1)[-1].strip()


class EtherTransfer:
    """A plain value transfer, shaped like a contract call so `Sender.send` can take it."""

    def __init__(self, w3: Any, to: str) -> None:
        self.w3 = w3
        self.to = to

    def estimate_gas(self, transaction: dict[str, Any]) -> int:
        gas: int = self.w3.eth.estimate_gas({**transaction, "to": self.to})
        return gas

    def build_transaction(self, transaction: dict[str, Any]) -> dict[str, Any]:
        return {**transaction, "to": self.to, "data": b""}

    def call(self, *args: Any, **kwargs: Any) -> None:
        return None
