"""The demo's consortium: a beacon member and an attestor beside the operator, each with its own
key and data directory, taking part through the functions their commands run.

docs/parties.md describes the parties on their own machines: a member runs `milestone beacon
step` (`epochs.member.member_step`), an attestor `milestone attest` (`audit.attest.
attest_epoch`, which audits the published epoch file before it signs), and the operator keeps
the signature with `milestone settle attestation` (`epochs.finalize.accept_attestation`). The
demo runs the same functions in its own process, on the same chain, each party with the key and
the sealed beacon secret of its own directory under `DATA_DIR/parties/`; settlement stops for a
missing party exactly as it does in production, and the party's step lets it go on.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from eth_account.signers.local import LocalAccount

from milestone.audit.attest import attest_epoch
from milestone.chain.anchor import Anchor
from milestone.chain.keys import load_party_key
from milestone.epochs import epochfile
from milestone.epochs.beacon_secret import load_beacon_secret
from milestone.epochs.errors import AttestationsMissing, CommitMissing, RevealMissing
from milestone.epochs.finalize import accept_attestation
from milestone.epochs.member import member_step
from milestone.epochs.settle import settle
from milestone.epochs.steps import Settlement
from milestone.errors import MilestoneError

PARTIES_DIR: Final[str] = "parties"
MEMBER: Final[str] = "beacon-member"
ATTESTOR: Final[str] = "attestor"
THRESHOLD: Final[int] = 2
"""Signatures each epoch needs: the operator's and the independent attestor's."""
GAS_WEI: Final[int] = 10**18
"""Gas money the operator gives the member on the demo's private chain."""
MAX_ROUNDS: Final[int] = 4
"""Settlement stops at most three times an epoch (commit, reveal, attestations)."""


class PartyDidNotHelp(MilestoneError):
    """Settlement still waits for a party after the party took its step: a bug, not a wait."""

    code = "party_did_not_help"
    http_status = 500


@dataclass(frozen=True)
class Party:
    """One consortium party: its role, account and data directory."""

    role: str
    account: LocalAccount
    data_dir: Path

    @property
    def address(self) -> str:
        return self.account.address


@dataclass(frozen=True)
class Consortium:
    """The operator with an independent beacon member and an independent attestor."""

    operator: str
    member: Party
    attestor: Party

    @property
    def beacon_members(self) -> list[str]:
        return [self.operator, self.member.address]

    @property
    def attestors(self) -> list[str]:
        return [self.operator, self.attestor.address]

    def roles(self) -> dict[str, object]:
        """Who is who, for the demo's summary."""
        return {
            "operator": self.operator,
            "beacon_members": {"operator": self.operator, MEMBER: self.member.address},
            "attestors": {"operator": self.operator, ATTESTOR: self.attestor.address},
            "threshold": THRESHOLD,
            "data_dirs": {
                MEMBER: str(self.member.data_dir),
                ATTESTOR: str(self.attestor.data_dir),
            },
        }


def enroll_consortium(data_dir: Path, operator: str) -> Consortium:
    """The member's and the attestor's directories and keys (made on first use)."""
    root = Path(data_dir) / PARTIES_DIR
    member_dir, attestor_dir = root / MEMBER, root / ATTESTOR
    return Consortium(
        operator=operator,
        member=Party(MEMBER, load_party_key(member_dir, "member"), member_dir),
        attestor=Party(ATTESTOR, load_party_key(attestor_dir, ATTESTOR), attestor_dir),
    )


def settle_with_consortium(
    ctx: Settlement, consortium: Consortium, through_epoch: int
) -> list[int]:
    """Settle through `through_epoch`, letting the member and the attestor take their step
    whenever settlement stops for them; the epochs settled."""
    settled: list[int] = []
    member = Anchor.attach(ctx.anchor.connection, ctx.anchor.address, consortium.member.account)
    secret = load_beacon_secret(consortium.member.data_dir)
    waited: dict[tuple[int, str], int] = {}
    while True:
        try:
            settled.extend(done.epoch for done in settle(ctx, through_epoch=through_epoch))
            return settled
        except (CommitMissing, RevealMissing, AttestationsMissing) as waiting:
            epoch = waiting.details.get("epoch")
            assert isinstance(epoch, int)
            waited[(epoch, waiting.code)] = waited.get((epoch, waiting.code), 0) + 1
            if waited[(epoch, waiting.code)] >= MAX_ROUNDS:
                raise PartyDidNotHelp(f"settlement still stops with {waiting.code}") from waiting
            if isinstance(waiting, AttestationsMissing):
                _attest(ctx, consortium.attestor, epoch)
            else:
                if ctx.anchor.connection.w3.eth.get_balance(member.operator.address) < GAS_WEI // 2:
                    ctx.anchor.fund(member.operator.address, GAS_WEI)
                member_step(member, consortium.member.account, secret)


def _attest(ctx: Settlement, attestor: Party, epoch: int) -> None:
    """The attestor mirrors the published files into its own directory, audits the epoch and
    signs it; the operator keeps the signature."""
    mirror = attestor.data_dir / "epochs"
    mirror.mkdir(parents=True, exist_ok=True)
    for earlier in range(epoch + 1):
        name = epochfile.file_name(earlier)
        if not (mirror / name).exists() and (ctx.epochs_dir / name).exists():
            shutil.copy2(ctx.epochs_dir / name, mirror / name)
    attestation = attest_epoch(ctx.anchor.program, epoch, attestor.account, mirror)
    if attestation.signature is None:
        failures = "; ".join(f.message for f in attestation.verdict.failures)
        raise PartyDidNotHelp(f"the attestor refused epoch {epoch}: {failures}")
    accept_attestation(ctx, epoch, attestation.signature)
