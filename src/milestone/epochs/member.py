"""An independent beacon member's step: commit ahead, reveal once the weights are posted.

A member other than the operator runs this from its own machine against the node (no database:
the chain is all it reads). Its reveals come from its own sealed secret
(`milestone.epochs.beacon_secret`), derived per epoch exactly as the operator's are, so a
commitment made before a restart opens after it. Every action is read back first, so running
the step twice does nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_account.signers.local import LocalAccount

from milestone.chain.anchor import Anchor
from milestone.epochs.errors import BeaconSecretMismatch, NotABeaconMember
from milestone.rules.beacon import commit_of


@dataclass(frozen=True)
class MemberAction:
    """One transaction the step sent: a `commit` or a `reveal` for `epoch`."""

    action: str
    epoch: int
    transaction_hash: str | None


def member_step(anchor: Anchor, member: LocalAccount, secret: bytes) -> list[MemberAction]:
    """Commit for every epoch the member belongs to and the contract takes a commitment for
    (`ProgramView.commit_targets`), and reveal where the weights are posted.

    Never reveals before the epoch's weights are on-chain (the contract refuses it anyway):
    revealing earlier would let whoever computes the weights steer the seed.
    """
    program = anchor.program
    functions = program.contract.functions
    next_epoch = program.next_epoch()
    targets = program.commit_targets()
    member_of = [
        epoch
        for epoch in sorted({next_epoch, *targets})
        if functions.is_member_at(epoch, member.address).call()
    ]
    if not member_of:
        raise NotABeaconMember(
            f"{member.address} is not a beacon member of {anchor.address} for epochs "
            f"{next_epoch} to {max(next_epoch, *targets)}"
        )
    actions: list[MemberAction] = []
    for epoch in member_of:
        # Once the weights are posted the epoch takes no commitment: it is past committing.
        if (
            epoch in targets
            and program.weights(epoch) is None
            and program.beacon_commit(epoch, member.address) is None
        ):
            commitment = commit_of(anchor.own_reveal(epoch, secret))
            outcome = anchor.commit_beacon(epoch, commitment, member)
            actions.append(MemberAction("commit", epoch, outcome.transaction_hash))
    # Only the next epoch can have its weights posted and no seed: finalizing needs every
    # reveal, and weights are posted for the next epoch alone.
    if _reveal_due(anchor, member, next_epoch):
        reveal = anchor.own_reveal(next_epoch, secret)
        if program.beacon_commit(next_epoch, member.address) != commit_of(reveal):
            raise BeaconSecretMismatch(
                f"epoch {next_epoch}: this secret does not open {member.address}'s commitment; "
                "restore the sealed secret (and its key) the commitment was made with"
            )
        outcome = anchor.reveal_beacon(next_epoch, reveal, member)
        actions.append(MemberAction("reveal", next_epoch, outcome.transaction_hash))
    return actions


def _reveal_due(anchor: Anchor, member: LocalAccount, epoch: int) -> bool:
    program = anchor.program
    return (
        program.weights(epoch) is not None
        and program.beacon_commit(epoch, member.address) is not None
        and program.beacon_reveal(epoch, member.address) is None
    )
