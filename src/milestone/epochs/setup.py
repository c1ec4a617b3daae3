"""Assembling a `Settlement` from the settings: database, program, chain, keys, beacon secret."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from eth_account.signers.local import LocalAccount

from milestone.chain.backends import connect
from milestone.chain.deployment import deploy_or_attach
from milestone.chain.keys import load_operator
from milestone.chain.program import ProgramParameters, Roles
from milestone.clock import Clock
from milestone.epochs.beacon_secret import load_beacon_secret
from milestone.epochs.steps import DividendsSource, Settlement, StepHook
from milestone.program.service import Program, load_program
from milestone.settings import Settings, operator_key_of
from milestone.storage import Database, open_database


def program_parameters(program: Program, *, enforce_epoch_end: bool = True) -> ProgramParameters:
    """The Program contract's immutable parameters for `program`."""
    params = program.parameters
    return ProgramParameters(
        mining_pool=params.mining.pool,
        mining_initial=params.mining.initial_per_epoch,
        mining_era_epochs=params.mining.era_epochs,
        activity_pool=params.activity.pool,
        activity_initial=params.activity.initial_per_epoch,
        activity_era_epochs=params.activity.era_epochs,
        cap=params.total_supply,
        genesis_time=program.genesis,
        epoch_seconds=params.epoch_seconds,
        enforce_epoch_end=enforce_epoch_end,
    )


@contextmanager
def open_settlement(
    settings: Settings,
    clock: Clock,
    *,
    dividends: DividendsSource,
    database: Database | None = None,
    attestors: Sequence[LocalAccount] = (),
    on_step: StepHook | None = None,
    roles: Roles | None = None,
) -> Iterator[Settlement]:
    """A settlement on the configured database and chain; the Program is deployed if new, with
    `roles` (default: the operator alone as beacon member and attestor, threshold 1).

    The interfaces pass `milestone.dividends.commitments.dividends_commitment` as `dividends`.
    """
    owned = database is None
    db = open_database(settings.database_url) if database is None else database
    connection = None
    try:
        with db.session() as session:
            program = load_program(session)
        operator = load_operator(settings.data_dir, operator_key_of(settings))
        connection = connect(settings.data_dir, settings.chain_url, funded=[operator.address])
        anchor, _ = deploy_or_attach(
            connection,
            settings.data_dir,
            operator,
            program_parameters(program),
            beacon_members=None if roles is None else roles.beacon_members,
            attestors=None if roles is None else roles.attestors,
            threshold=1 if roles is None else roles.threshold,
        )
        yield Settlement(
            database=db,
            clock=clock,
            anchor=anchor,
            data_dir=settings.data_dir,
            beacon_secret=load_beacon_secret(settings.data_dir, settings.beacon_key),
            program=program,
            dividends=dividends,
            grace_seconds=settings.settle_grace_seconds,
            attestors=tuple(attestors),
            on_step=on_step,
            dispute_window_seconds=settings.dispute_window_seconds,
        )
    finally:
        if connection is not None:
            connection.close()
        if owned:
            db.dispose()
