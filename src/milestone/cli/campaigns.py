"""`milestone campaign`: the operator's campaigns, paid from the released activity budget."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.orm import Session

from milestone.activities.budget import released_budget
from milestone.activities.campaigns import (
    PROOF_METHODS,
    campaign_remaining,
    close_campaign,
    close_ended_campaigns,
    confirm_participation,
    create_campaign,
    get_campaign,
    issue_campaign_codes,
    list_campaigns,
    upload_participants,
)
from milestone.activities.models import Campaign
from milestone.cli.common import DatabaseUrlOption, DataDirOption, JsonOption, reported_errors
from milestone.cli.operator import (
    InvalidInput,
    emit,
    in_snapshot,
    in_unit_of_work,
    parse_instant,
    parse_stones,
    show_instant,
)
from milestone.clock import SystemClock
from milestone.rules.units import format_pebbles

app = typer.Typer(
    help="Campaigns: budgets reserved from the released activity budget.", no_args_is_help=True
)
CampaignId = Annotated[int, typer.Argument(help="Campaign id.")]


def describe(session: Session, campaign: Campaign) -> dict[str, Any]:
    return {
        "id": campaign.id, "name": campaign.name, "proof": campaign.proof,
        "budget": format_pebbles(campaign.budget), "reward": format_pebbles(campaign.reward),
        "per_owner_cap": campaign.per_owner_cap,
        "remaining": format_pebbles(campaign_remaining(session, campaign.id)),
        "starts_at": show_instant(campaign.starts_at), "ends_at": show_instant(campaign.ends_at),
        "closed_at": show_instant(campaign.closed_at),
        "returned": None if campaign.returned is None else format_pebbles(campaign.returned),
    }


def one_line(c: dict[str, Any]) -> str:
    state = f"closed {c['closed_at']}" if c["closed_at"] else f"until {c['ends_at']}"
    return (
        f"campaign {c['id']} {c['name']!r}: {c['remaining']} of {c['budget']} stones left, "
        f"{c['reward']} per participation (at most {c['per_owner_cap']} per owner, "
        f"proof by {c['proof']}), {state}"
    )


@app.command("create")
def create(
    name: Annotated[str, typer.Option(help="Name shown to owners.")],
    budget: Annotated[str, typer.Option(help="Stones reserved from the released budget.")],
    reward: Annotated[str, typer.Option(help="Stones paid per participation.")],
    ends: Annotated[str, typer.Option(help="End, YYYY-MM-DD or ...THH:MM:SSZ (exclusive).")],
    starts: Annotated[str | None, typer.Option(help="Start; default now.")] = None,
    per_owner_cap: Annotated[int, typer.Option(help="Participations paid per owner.")] = 1,
    proof: Annotated[
        str, typer.Option(help=f"How participation is proven: {', '.join(PROOF_METHODS)}.")
    ] = "operator",
    json_output: JsonOption = False,
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Create a campaign, reserving its budget."""
    clock = SystemClock()
    with reported_errors():
        starts_at = clock.now() if starts is None else parse_instant(starts)
        budget_pebbles, reward_pebbles = parse_stones(budget), parse_stones(reward)
        ends_at = parse_instant(ends)

        def work(session: Session) -> dict[str, Any]:
            campaign = create_campaign(
                session, clock, name=name, budget=budget_pebbles, reward=reward_pebbles,
                per_owner_cap=per_owner_cap, proof=proof, starts_at=starts_at, ends_at=ends_at,
            )
            return describe(session, campaign)

        shown = in_unit_of_work(data_dir, database_url, work)
    emit(shown, json_output, one_line(shown))


@app.command("list")
def list_(json_output: JsonOption = False, data_dir: DataDirOption = None,
          database_url: DatabaseUrlOption = None) -> None:
    """Every campaign, with what it has left, and the released budget not yet reserved."""
    with reported_errors():

        def work(session: Session) -> dict[str, Any]:
            return {
                "released_unreserved": format_pebbles(released_budget(session)),
                "campaigns": [describe(session, c) for c in list_campaigns(session)],
            }

        shown = in_snapshot(data_dir, database_url, work)
    lines = [f"released and unreserved: {shown['released_unreserved']} stones"]
    emit(shown, json_output, "\n".join(lines + [one_line(c) for c in shown["campaigns"]]))


@app.command("show")
def show(campaign_id: CampaignId, json_output: JsonOption = False,
         data_dir: DataDirOption = None, database_url: DatabaseUrlOption = None) -> None:
    """One campaign."""
    with reported_errors():
        shown = in_snapshot(data_dir, database_url,
                            lambda s: describe(s, get_campaign(s, campaign_id)))
    emit(shown, json_output, one_line(shown))


@app.command("codes")
def codes(
    campaign_id: CampaignId,
    count: Annotated[int, typer.Option(help="How many one-time codes.")] = 1,
    json_output: JsonOption = False,
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Issue one-time participation codes (printed once; only their hashes are kept)."""
    clock = SystemClock()
    with reported_errors():
        issued = in_unit_of_work(data_dir, database_url,
                                 lambda s: issue_campaign_codes(s, clock, campaign_id, count))
    emit(issued, json_output, "\n".join(issued))


@app.command("confirm")
def confirm(
    campaign_id: CampaignId,
    owner: Annotated[int, typer.Option(help="Owner id who took part.")],
    reference: Annotated[str, typer.Option(help="Your reference: the same one pays once.")],
    json_output: JsonOption = False,
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Confirm an owner's participation and pay the reward."""
    clock = SystemClock()
    with reported_errors():
        paid = in_unit_of_work(
            data_dir, database_url,
            lambda s: confirm_participation(s, clock, campaign_id, owner, reference).reward,
        )
    emit({"owner_id": owner, "reward": format_pebbles(paid)}, json_output,
         f"owner {owner} rewarded {format_pebbles(paid)} stones")


@app.command("upload")
def upload(
    campaign_id: CampaignId,
    owners_file: Annotated[Path, typer.Argument(help="Owner ids, one per line.")],
    key: Annotated[str, typer.Option(help="The list's key: uploading it again pays nobody twice.")],
    json_output: JsonOption = False,
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Pay every owner of a participation list."""
    clock = SystemClock()
    with reported_errors():
        owner_ids = read_owner_ids(owners_file)
        result = in_unit_of_work(
            data_dir, database_url,
            lambda s: upload_participants(s, clock, campaign_id, owner_ids, key),
        )
    refused = [{"owner_id": o, "code": c} for o, c in result.refused]
    payload = {"paid": result.paid, "refused": refused}
    lines = [f"paid {len(result.paid)} participations"]
    lines += [f"owner {o} not paid [{c}]" for o, c in result.refused]
    emit(payload, json_output, "\n".join(lines))


@app.command("close")
def close(
    campaign_id: Annotated[
        int | None, typer.Argument(help="Campaign id; none: every ended one.")
    ] = None,
    json_output: JsonOption = False,
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Close a campaign (or every one whose window is over); the unspent budget returns."""
    clock = SystemClock()
    with reported_errors():

        def work(session: Session) -> list[dict[str, Any]]:
            if campaign_id is None:
                closed = close_ended_campaigns(session, clock)
            else:
                closed = [close_campaign(session, clock, campaign_id)]
            return [describe(session, c) for c in closed]

        shown = in_unit_of_work(data_dir, database_url, work)
    lines = [f"campaign {c['id']} closed: {c['returned']} stones returned" for c in shown]
    emit(shown, json_output, "\n".join(lines) or "no campaign to close")


def read_owner_ids(path: Path) -> list[int]:
    try:
        text = path.read_text()
    except OSError as error:
        raise InvalidInput(f"cannot read {path}: {error.strerror}") from None
    ids = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            if not line.strip().isdigit():
                raise InvalidInput(f"{path}:{number}: not an owner id: {line.strip()!r}")
            ids.append(int(line.strip()))
    return ids
