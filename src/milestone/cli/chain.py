"""`milestone chain`: deploy the Program, read its state, verify an epoch, manage its roles.

Every command resolves `Settings` from its options over the environment: the data directory,
the chain (`--chain-url` / `MILESTONE_CHAIN_URL`, else the data directory's embedded chain) and
the operator key (`--operator-key` / `MILESTONE_OPERATOR_KEY`, else the data directory's).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from milestone.chain.anchor import Anchor
from milestone.chain.backends import ChainConnection, connect
from milestone.chain.deployment import deploy_or_attach, open_program
from milestone.chain.keys import load_operator, parse_address
from milestone.chain.program import EpochResult, ProgramParameters
from milestone.chain.verify import EpochReport, verify_epoch
from milestone.cli.common import (
    DataDirOption,
    JsonOption,
    existing_program,
    reported_chain_errors,
    require_data_directory,
)
from milestone.cli.init import parse_genesis
from milestone.clock import SystemClock
from milestone.epochs.setup import program_parameters
from milestone.errors import MilestoneError
from milestone.rules.params import get_preset
from milestone.rules.time import SECONDS_PER_DAY
from milestone.rules.units import format_pebbles
from milestone.settings import load_settings, operator_key_of

app = typer.Typer(
    help="The Program contract: deploy it, read its state, verify epochs, manage roles.",
    no_args_is_help=True,
)

DataDir = DataDirOption
ChainUrl = Annotated[
    str | None,
    typer.Option(
        "--chain-url",
        help="JSON-RPC URL of an EVM node "
        "\\[env MILESTONE_CHAIN_URL; default the data directory's embedded chain].",
        show_default=False,
    ),
]
OperatorKey = Annotated[
    str | None,
    typer.Option(
        help="The operator's private key, hex "
        "\\[env MILESTONE_OPERATOR_KEY; default keys/operator.key in the data directory].",
        show_default=False,
    ),
]
Confirmations = Annotated[
    int, typer.Option(min=1, help="Blocks, the including one counted, before a step is done.")
]
JsonOutput = JsonOption


class ProgramParametersGiven(MilestoneError):
    """`--preset` or `--genesis` for a data directory whose program has its own."""

    code = "program_parameters_given"


def _parameters_to_deploy(
    database_url: str, preset: str | None, genesis: str | None, *, enforce_epoch_end: bool
) -> ProgramParameters:
    """The data directory's program's own parameters, or a preset's where there is none yet.

    Deploying a preset over a program with other parameters would make its first settlement
    fail with `chain_conflict`; so a program's own are used, and a preset named for it refused.
    """
    program = existing_program(database_url)
    if program is None:
        genesis_time = parse_genesis(genesis) if genesis else _today()
        return ProgramParameters.from_rules(
            get_preset(preset or "im-csop"), genesis_time, enforce_epoch_end=enforce_epoch_end
        )
    if preset is not None or genesis is not None:
        raise ProgramParametersGiven(
            "the data directory has a program: it is deployed with its own parameters and "
            "genesis; drop --preset and --genesis"
        )
    return program_parameters(program, enforce_epoch_end=enforce_epoch_end)


class Role(StrEnum):
    """Roles the operator grants and revokes."""

    attestor = "attestor"
    beacon_member = "beacon-member"


@app.command()
def deploy(
    preset: Annotated[
        str | None,
        typer.Option(
            help="Parameter preset, im-csop or minimal, for a data directory without a program "
            "\\[default: im-csop]; one with a program deploys its own parameters.",
            show_default=False,
        ),
    ] = None,
    genesis: Annotated[
        str | None,
        typer.Option(
            help="Genesis date, YYYY-MM-DD (UTC), without a program \\[default: today].",
            show_default=False,
        ),
    ] = None,
    enforce_epoch_end: Annotated[
        bool,
        typer.Option(
            help="Refuse to finalize an epoch before it has ended on the chain's clock; turn "
            "off only for simulations that run ahead of time."
        ),
    ] = True,
    beacon_members: Annotated[
        list[str] | None,
        typer.Option(
            "--beacon-member",
            help="Another beacon member besides the operator (repeatable).",
            show_default=False,
        ),
    ] = None,
    attestors: Annotated[
        list[str] | None,
        typer.Option(
            "--attestor",
            help="Another attestor besides the operator (repeatable).",
            show_default=False,
        ),
    ] = None,
    threshold: Annotated[
        int, typer.Option(min=1, help="Distinct attestor signatures each epoch needs.")
    ] = 1,
    data_dir: DataDir = None,
    chain_url: ChainUrl = None,
    operator_key: OperatorKey = None,
    confirmations: Confirmations = 1,
    json_output: JsonOutput = False,
) -> None:
    """Deploy the data directory's Program on the chain, or find the one already there.

    The operator is always a beacon member and an attestor of a new Program; `--beacon-member`
    and `--attestor` add others. Later changes (`chain grant`, `chain revoke`,
    `chain set-threshold`) apply from a later epoch on. Roles are ignored when the Program
    already exists.
    """
    with reported_chain_errors():
        settings = load_settings(data_dir=data_dir, chain_url=chain_url, operator_key=operator_key)
        require_data_directory(settings.data_dir)
        operator = load_operator(settings.data_dir, operator_key_of(settings))
        parameters = _parameters_to_deploy(
            settings.database_url, preset, genesis, enforce_epoch_end=enforce_epoch_end
        )
        with connect(settings.data_dir, settings.chain_url, funded=[operator.address]) as chain:
            anchor, deployed = deploy_or_attach(
                chain,
                settings.data_dir,
                operator,
                parameters,
                beacon_members=_with_operator(operator.address, beacon_members),
                attestors=_with_operator(operator.address, attestors),
                threshold=threshold,
                confirmations=confirmations,
            )
            roles = anchor.program.roles()
            summary = {
                "address": anchor.address,
                "chain_id": chain.chain_id,
                "chain": chain.location,
                "deployed": deployed,
                "operator": operator.address,
                "beacon_members": list(roles.beacon_members),
                "attestors": list(roles.attestors),
                "threshold": roles.threshold,
            }
    if json_output:
        typer.echo(json.dumps(summary))
        return
    verb = "deployed" if deployed else "already deployed"
    typer.echo(f"Program {verb} at {anchor.address} on chain {summary['chain_id']}")
    typer.echo(f"beacon members: {', '.join(roles.beacon_members)}")
    typer.echo(f"attestors: {', '.join(roles.attestors)} (threshold {roles.threshold})")
    if not deployed and (beacon_members or attestors or threshold != 1):
        typer.echo("roles unchanged: the Program existed (use `milestone chain grant/revoke`)")


def _with_operator(operator: str, others: list[str] | None) -> list[str]:
    """The operator and `others`, each once, as checksummed addresses."""
    addresses = [operator]
    for address in others or []:
        checksummed = parse_address(address)
        if checksummed not in addresses:
            addresses.append(checksummed)
    return addresses


@app.command()
def status(
    data_dir: DataDir = None,
    chain_url: ChainUrl = None,
    operator_key: OperatorKey = None,
    json_output: JsonOutput = False,
) -> None:
    """Parameters, roles, the last finalized epoch and its totals against the schedule."""
    with reported_chain_errors(), _attached(data_dir, chain_url, operator_key) as (chain, anchor):
        data = _status(chain, anchor)
    if json_output:
        typer.echo(json.dumps(data))
        return
    _print_status(data)


@app.command("verify-epoch")
def verify_epoch_command(
    epoch: Annotated[int, typer.Argument(min=0, help="The epoch to read back.")],
    data_dir: DataDir = None,
    chain_url: ChainUrl = None,
    operator_key: OperatorKey = None,
    json_output: JsonOutput = False,
) -> None:
    """Read an epoch's commitments back and check them; exit 1 unless everything holds."""
    with reported_chain_errors(), _attached(data_dir, chain_url, operator_key) as (_, anchor):
        report = verify_epoch(anchor.program, epoch)
    if json_output:
        typer.echo(json.dumps(_report_json(report)))
    else:
        _print_report(report)
    if not report.passed:
        raise typer.Exit(1)


@app.command()
def grant(
    role: Annotated[Role, typer.Argument(help="attestor or beacon-member.")],
    address: Annotated[str, typer.Argument(help="The account to admit.")],
    data_dir: DataDir = None,
    chain_url: ChainUrl = None,
    operator_key: OperatorKey = None,
    confirmations: Confirmations = 1,
) -> None:
    """Admit an attestor or a beacon member from the earliest epoch allowed (the operator only;
    logged on-chain): attestors from the next epoch to finalize, beacon members from the first
    epoch nobody has committed to yet."""
    function = "add_attestor" if role is Role.attestor else "add_beacon_member"
    start = _send_role_change(
        function, [address], _earliest(role), data_dir, chain_url, operator_key, confirmations
    )
    article = "an" if role is Role.attestor else "a"
    typer.echo(f"{address} is {article} {role.value} from epoch {start} on")


@app.command()
def revoke(
    role: Annotated[Role, typer.Argument(help="attestor or beacon-member.")],
    address: Annotated[str, typer.Argument(help="The account to remove.")],
    data_dir: DataDir = None,
    chain_url: ChainUrl = None,
    operator_key: OperatorKey = None,
    confirmations: Confirmations = 1,
) -> None:
    """Remove an attestor or a beacon member from the earliest epoch allowed (the operator only;
    logged on-chain)."""
    function = "remove_attestor" if role is Role.attestor else "remove_beacon_member"
    start = _send_role_change(
        function, [address], _earliest(role), data_dir, chain_url, operator_key, confirmations
    )
    article = "an" if role is Role.attestor else "a"
    typer.echo(f"{address} is no longer {article} {role.value} from epoch {start} on")


@app.command("set-threshold")
def set_threshold(
    threshold: Annotated[int, typer.Argument(min=1, help="Distinct attestor signatures needed.")],
    data_dir: DataDir = None,
    chain_url: ChainUrl = None,
    operator_key: OperatorKey = None,
    confirmations: Confirmations = 1,
) -> None:
    """Set how many distinct attestors must sign each epoch, from the next one to finalize."""
    start = _send_role_change(
        "set_threshold", [threshold], "earliest_attestor_change", data_dir, chain_url,
        operator_key, confirmations,
    )
    typer.echo(f"finalize needs {threshold} attestor signature(s) from epoch {start} on")


@app.command("transfer-operator")
def transfer_operator(
    address: Annotated[str, typer.Argument(help="The account to hand the operator role to.")],
    data_dir: DataDir = None,
    chain_url: ChainUrl = None,
    operator_key: OperatorKey = None,
    confirmations: Confirmations = 1,
) -> None:
    """Offer the operator role to ADDRESS; it moves once ADDRESS runs `chain accept-operator`."""
    new_operator = parse_address(address)
    _send_role_change(
        "transfer_operator", [new_operator], None, data_dir, chain_url, operator_key,
        confirmations,
    )
    typer.echo(f"the operator role is offered to {new_operator}: it must accept")


@app.command("accept-operator")
def accept_operator(
    data_dir: DataDir = None,
    chain_url: ChainUrl = None,
    operator_key: OperatorKey = None,
    confirmations: Confirmations = 1,
) -> None:
    """Take the operator role offered to `--operator-key`'s account."""
    _send_role_change(
        "accept_operator", [], None, data_dir, chain_url, operator_key, confirmations
    )
    typer.echo("the operator role is yours")


def _earliest(role: Role) -> str:
    """The view naming the first epoch a change of `role` applies to."""
    return "earliest_attestor_change" if role is Role.attestor else "earliest_member_change"


def _send_role_change(
    function: str,
    args: list[Any],
    earliest: str | None,
    data_dir: Path | None,
    chain_url: str | None,
    operator_key: str | None,
    confirmations: int,
) -> int | None:
    """Send `function(*args)` as the key's account; the first epoch it applies to (read from
    the `earliest` view just before sending) or None."""
    with (
        reported_chain_errors(),
        _attached(data_dir, chain_url, operator_key, confirmations) as (_, anchor),
    ):
        functions = anchor.program.contract.functions
        start = None if earliest is None else int(getattr(functions, earliest)().call())
        call = getattr(functions, function)(*args)
        anchor.sender(anchor.operator).send(call)
        return start


@contextmanager
def _attached(
    data_dir: Path | None,
    chain_url: str | None,
    operator_key: str | None,
    confirmations: int = 1,
) -> Iterator[tuple[ChainConnection, Anchor]]:
    settings = load_settings(data_dir=data_dir, chain_url=chain_url, operator_key=operator_key)
    require_data_directory(settings.data_dir)
    with open_program(
        settings.data_dir,
        settings.chain_url,
        operator_key_of(settings),
        confirmations=confirmations,
    ) as anchor:
        yield anchor.connection, anchor


def _today() -> int:
    now = SystemClock().now()
    return now - now % SECONDS_PER_DAY


def _status(chain: ChainConnection, anchor: Anchor) -> dict[str, Any]:
    view = anchor.program
    parameters = view.parameters()
    roles = view.roles()
    schedule = view.role_schedule()
    next_epoch = view.next_epoch()
    last = view.commitment(next_epoch - 1) if next_epoch > 0 else None
    data: dict[str, Any] = {
        "address": anchor.address,
        "chain_id": chain.chain_id,
        "chain": chain.location,
        "parameters": parameters.__dict__,
        "roles": {
            "operator": roles.operator,
            "attestors": list(roles.attestors),
            "threshold": roles.threshold,
            "beacon_members": list(roles.beacon_members),
            "pending_operator": roles.pending_operator,
        },
        "role_schedule": {
            "beacon": [
                {"from_epoch": start, "members": list(members)}
                for start, members in schedule.beacon
            ],
            "attestors": [
                {"from_epoch": start, "attestors": list(attestors), "threshold": threshold}
                for start, attestors, threshold in schedule.attestors
            ],
        },
        "next_epoch": next_epoch,
        "last_finalized_epoch": None if last is None else last.epoch,
    }
    if last is not None:
        data["totals"] = _totals_json(last)
        data["allowed"] = {
            "cum_mined": view.mining_release(last.epoch),
            "cum_activity": view.activity_release(last.epoch),
            "cap": parameters.cap,
        }
    return data


def _totals_json(result: EpochResult) -> dict[str, Any]:
    return {
        "cum_mined": result.cum_mined,
        "cum_activity": result.cum_activity,
        "cum_burned": result.cum_burned,
        "cum_dividends_fen": result.cum_dividends_fen,
    }


def _print_status(data: dict[str, Any]) -> None:
    console = Console(width=max(Console().width, 110))
    table = Table(title=f"Program {data['address']} on chain {data['chain_id']}")
    table.add_column("")
    table.add_column("value", overflow="fold")
    for name, value in data["parameters"].items():
        table.add_row(name, str(value))
    roles = data["roles"]
    table.add_row("operator", roles["operator"])
    table.add_row("attestors", ", ".join(roles["attestors"]))
    table.add_row("threshold", str(roles["threshold"]))
    table.add_row("beacon members", ", ".join(roles["beacon_members"]))
    if roles["pending_operator"]:
        table.add_row("operator offered to", roles["pending_operator"])
    for entry in data["role_schedule"]["beacon"]:
        table.add_row(f"beacon from epoch {entry['from_epoch']}", ", ".join(entry["members"]))
    for entry in data["role_schedule"]["attestors"]:
        table.add_row(
            f"attestors from epoch {entry['from_epoch']}",
            f"{', '.join(entry['attestors'])} (threshold {entry['threshold']})",
        )
    last = data["last_finalized_epoch"]
    table.add_row("last finalized epoch", "none yet" if last is None else str(last))
    if last is not None:
        totals, allowed = data["totals"], data["allowed"]
        table.add_row(
            "mined / schedule",
            f"{format_pebbles(totals['cum_mined'])} / {format_pebbles(allowed['cum_mined'])}",
        )
        table.add_row(
            "activity / release",
            f"{format_pebbles(totals['cum_activity'])} / {format_pebbles(allowed['cum_activity'])}",
        )
        table.add_row("burned", format_pebbles(totals["cum_burned"]))
        table.add_row("dividends (fen)", str(totals["cum_dividends_fen"]))
    console.print(table)


def _hex(value: bytes | None) -> str | None:
    return None if value is None else "0x" + value.hex()


def _report_json(report: EpochReport) -> dict[str, Any]:
    result = report.result
    return {
        "epoch": report.epoch,
        "finalized": report.finalized,
        "passed": report.passed,
        "weights_root": _hex(report.weights_root),
        "total_weight": report.total_weight,
        "seed": _hex(report.seed),
        "reveals": {member: _hex(reveal) for member, reveal in report.reveals.items()},
        "commitment": None
        if result is None
        else {
            "state_root": _hex(result.state_root),
            "rewards_root": _hex(result.rewards_root),
            "journal_head": _hex(result.journal_head),
            "epoch_file_hash": _hex(result.epoch_file_hash),
            "dividends_root": _hex(result.dividends_root),
            "dividend_record_epoch": result.dividend_record_epoch,
            **_totals_json(result),
        },
        "attestors": report.attestors,
        "transaction_hash": report.transaction_hash,
        "checks": [check.__dict__ for check in report.checks],
    }


def _print_report(report: EpochReport) -> None:
    data = _report_json(report)
    console = Console(width=max(Console().width, 110))
    if not report.finalized:
        console.print(f"epoch {report.epoch} is not finalized")
        return
    table = Table(title=f"Epoch {report.epoch}")
    table.add_column("")
    table.add_column("value", overflow="fold")
    table.add_row("weights root", data["weights_root"])
    table.add_row("total weight", str(data["total_weight"]))
    table.add_row("seed", data["seed"])
    for name, value in data["commitment"].items():
        table.add_row(name, str(value))
    table.add_row("attested by", ", ".join(report.attestors))
    table.add_row("transaction", str(report.transaction_hash))
    for check in report.checks:
        table.add_row(("ok   " if check.passed else "FAIL ") + check.name, check.detail)
    console.print(table)
    console.print("all checks hold" if report.passed else "SOME CHECKS FAIL")
