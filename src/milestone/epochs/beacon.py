"""Steps `commit`, `post_weights`, `reveal` and `commit_ahead`: the epoch's randomness on-chain.

The operator's reveal for an epoch is derived from its sealed secret, so commitments made ahead
(as far ahead as the contract allows: `ProgramView.commit_targets`) open after any restart.
Each epoch has its own member set (the set scheduled for it on-chain). Other beacon members
commit and reveal with their own keys; settlement waits for them by stopping with
`beacon_commit_missing` or `beacon_reveal_missing` and picks up where it stopped when run again.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from milestone.chain.keys import derive_reveal
from milestone.epochs.errors import ChainDisagrees, CommitMissing, RevealMissing
from milestone.epochs.steps import Settlement, done_steps, from_hex, hex_of, load_epoch, record_step
from milestone.rules.beacon import commit_of, derive_seed


def reveal_of(ctx: Settlement, epoch: int) -> bytes:
    """The operator's reveal for `epoch`."""
    return derive_reveal(ctx.beacon_secret, ctx.chain_id, ctx.anchor.address, epoch)


def beacon_members(ctx: Settlement, epoch: int) -> list[str]:
    """The beacon members of `epoch`, in ascending address order (the order of the seed)."""
    members = ctx.anchor.program.beacon_members(epoch)
    return sorted(members, key=lambda member: bytes.fromhex(member[2:]))


def _operator_is_member(ctx: Settlement, members: list[str]) -> bool:
    return ctx.anchor.operator.address.lower() in {member.lower() for member in members}


def commit_operator(ctx: Settlement) -> list[str]:
    """The operator's commitments for every epoch it can commit to now and is a member of;
    the transactions sent."""
    sent = []
    for target in ctx.anchor.program.commit_targets():
        if _operator_is_member(ctx, beacon_members(ctx, target)):
            outcome = ctx.anchor.commit_beacon(target, commit_of(reveal_of(ctx, target)))
            if outcome.transaction_hash is not None:
                sent.append(outcome.transaction_hash)
    return sent


def commit(ctx: Settlement, epoch: int) -> None:
    """The operator's commitments as far ahead as allowed; every member of this epoch's must
    be in."""
    members = beacon_members(ctx, epoch)
    if commit_operator(ctx):
        ctx.hook(epoch, "commit", "sent")
    commits = {member: ctx.anchor.program.beacon_commit(epoch, member) for member in members}
    missing = [member for member, value in commits.items() if value is None]
    if missing:
        raise CommitMissing(
            f"epoch {epoch}: beacon member(s) {', '.join(missing)} have not committed yet",
            epoch=epoch,
            members=missing,
        )
    detail = {"members": members, "commits": [hex_of(commits[m] or b"") for m in members]}
    ctx.database.run(lambda session: record_step(session, ctx.clock, epoch, "commit", detail))


def post_weights(ctx: Settlement, epoch: int) -> None:
    """The epoch's weights root and total weight, on-chain."""
    with ctx.database.session() as session:
        row = load_epoch(session, epoch)
        root, total = bytes(row.weights_root), row.total_weight
    outcome = ctx.anchor.post_weights(epoch, root, total)
    ctx.hook(epoch, "post_weights", "sent")
    detail = {"transaction": outcome.transaction_hash}
    ctx.database.run(lambda session: record_step(session, ctx.clock, epoch, "post_weights", detail))


def reveal(ctx: Settlement, epoch: int) -> None:
    """The operator's reveal; with every member's in, the seed, checked against our own."""
    members = beacon_members(ctx, epoch)
    if _operator_is_member(ctx, members):
        ctx.anchor.reveal_beacon(epoch, reveal_of(ctx, epoch))
        ctx.hook(epoch, "reveal", "sent")
    reveals = {member: ctx.anchor.program.beacon_reveal(epoch, member) for member in members}
    missing = [member for member, value in reveals.items() if value is None]
    if missing:
        raise RevealMissing(
            f"epoch {epoch}: beacon member(s) {', '.join(missing)} have not revealed yet",
            epoch=epoch,
            members=missing,
        )
    ordered = [reveals[member] or b"" for member in members]
    seed = ctx.anchor.program.seed(epoch)

    def work(session: Session) -> None:
        row = load_epoch(session, epoch, lock=True)
        derived = derive_seed(bytes(row.weights_root), ordered)
        if seed != derived:
            raise ChainDisagrees(f"epoch {epoch}: the chain's seed is not the one the reveals give")
        row.seed = derived
        detail = {"reveals": [hex_of(value) for value in ordered]}
        record_step(session, ctx.clock, epoch, "reveal", detail)

    ctx.database.run(work)


def commit_ahead(ctx: Settlement, epoch: int) -> None:
    """With `epoch` final, commit ahead again: to epochs that have not even begun."""
    sent = commit_operator(ctx)
    if sent:
        ctx.hook(epoch, "commit_ahead", "sent")
    detail = {"transactions": sent}
    ctx.database.run(lambda session: record_step(session, ctx.clock, epoch, "commit_ahead", detail))


def beacon_record(session: Session, epoch: int) -> tuple[list[bytes], list[bytes], list[bytes]]:
    """Members, commits and reveals of `epoch` as its steps recorded them."""
    steps = done_steps(session, epoch)
    members = [from_hex(member) for member in steps["commit"]["members"]]
    commits = [from_hex(value) for value in steps["commit"]["commits"]]
    reveals = [from_hex(value) for value in steps["reveal"]["reveals"]]
    return members, commits, reveals
