"""Answers that never change, kept ready to send: the proofs of finalized epochs.

Once an epoch is finalized its balances, rewards and trees are fixed (the epoch file is checked
against the hash the chain committed before any proof is built from it), so the answer for an
(epoch, owner) pair is the same forever. Each worker keeps the most recently asked ones, as
the serialized JSON, up to a bound; a proof that was refused is never kept.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable


class AnswerCache:
    """A bounded least-recently-used map from a key to response bytes (0 entries: disabled)."""

    def __init__(self, entries: int) -> None:
        self.entries = entries
        self._answers: OrderedDict[Hashable, bytes] = OrderedDict()

    def get(self, key: Hashable) -> bytes | None:
        answer = self._answers.get(key)
        if answer is not None:
            self._answers.move_to_end(key)
        return answer

    def put(self, key: Hashable, answer: bytes) -> None:
        if self.entries == 0:
            return
        self._answers[key] = answer
        self._answers.move_to_end(key)
        if len(self._answers) > self.entries:
            self._answers.popitem(last=False)

    def __len__(self) -> int:
        return len(self._answers)
