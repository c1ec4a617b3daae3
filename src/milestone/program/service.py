"""Creating the program (once) and reading it back.

`create_program` writes the program row, opens the system accounts and posts the genesis
journal entry that creates the whole supply into the mining and activity reserves: after it,
nothing can ever create a stone again.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from milestone.clock import Clock
from milestone.ledger.accounts import (
    ACTIVITY_RESERVE,
    MINING_RESERVE,
    SUPPLY,
    SYSTEM_ACCOUNTS,
    Asset,
)
from milestone.ledger.journal import JournalEntry, lock_head, open_accounts, post_transaction
from milestone.ledger.postings import Posting
from milestone.program.errors import (
    InvalidPseudonymSalt,
    ProgramAlreadyInitialized,
    ProgramNotInitialized,
)
from milestone.program.models import PROGRAM_ID, ProgramRecord
from milestone.rules.params import (
    Parameters,
    calculate_parameters_hash,
    parameters_from_dict,
    parameters_to_json,
    validate_parameters,
)
from milestone.rules.time import validate_genesis

GENESIS_KIND = "genesis"
GENESIS_KEY = "genesis"
SALT_BYTES = 32


@dataclass(frozen=True)
class Program:
    preset: str
    parameters: Parameters
    parameters_hash: bytes
    genesis: int
    created_at: int
    pseudonym_salt: bytes


def create_program(
    session: Session,
    clock: Clock,
    parameters: Parameters,
    *,
    genesis: int,
    pseudonym_salt: bytes | None = None,
) -> Program:
    """Record the program and post the genesis entry; refuses if a program exists. No commit."""
    validate_parameters(parameters)
    validate_genesis(genesis)
    salt = secrets.token_bytes(SALT_BYTES) if pseudonym_salt is None else pseudonym_salt
    if len(salt) != SALT_BYTES:
        raise InvalidPseudonymSalt(f"the pseudonym salt must be {SALT_BYTES} bytes")
    lock_head(session)  # two concurrent inits: the second waits here, then finds the first
    if _find(session) is not None:
        raise ProgramAlreadyInitialized("this database already holds a program")
    parameters_hash = calculate_parameters_hash(parameters)
    created_at = clock.now()
    session.execute(
        insert(ProgramRecord),
        [
            {
                "id": PROGRAM_ID,
                "preset": parameters.name,
                "parameters": parameters_to_json(parameters),
                "parameters_hash": parameters_hash,
                "genesis": genesis,
                "epoch_seconds": parameters.epoch_seconds,
                "total_supply": parameters.total_supply,
                "created_at": created_at,
                "pseudonym_salt": salt,
            }
        ],
    )
    open_accounts(session, clock, SYSTEM_ACCOUNTS)
    post_genesis(session, clock, parameters, parameters_hash, genesis)
    return Program(parameters.name, parameters, parameters_hash, genesis, created_at, salt)


def post_genesis(
    session: Session, clock: Clock, parameters: Parameters, parameters_hash: bytes, genesis: int
) -> JournalEntry:
    """The one entry that creates stones: the whole supply, into the two reserves."""
    return post_transaction(
        session,
        clock,
        GENESIS_KIND,
        GENESIS_KEY,
        [
            Posting(SUPPLY, Asset.STONE, -parameters.total_supply),
            Posting(MINING_RESERVE, Asset.STONE, parameters.mining.pool),
            Posting(ACTIVITY_RESERVE, Asset.STONE, parameters.activity.pool),
        ],
        metadata={
            "preset": parameters.name,
            "parameters_hash": "0x" + parameters_hash.hex(),
            "genesis": genesis,
            "backing_fen": parameters.backing_fen,
        },
    )


def load_program(session: Session) -> Program:
    """The program of this database; `ProgramNotInitialized` before `milestone init`."""
    row = _find(session)
    if row is None:
        raise ProgramNotInitialized("no program here yet: run `milestone init` first")
    return Program(
        preset=row.preset,
        parameters=parameters_from_dict(json.loads(row.parameters)),
        parameters_hash=bytes(row.parameters_hash),
        genesis=row.genesis,
        created_at=row.created_at,
        pseudonym_salt=bytes(row.pseudonym_salt),
    )


def _find(session: Session) -> ProgramRecord | None:
    return session.execute(
        select(ProgramRecord).where(ProgramRecord.id == PROGRAM_ID)
    ).scalar_one_or_none()
