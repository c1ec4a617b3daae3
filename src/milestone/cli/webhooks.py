"""`milestone webhooks`: the operator's subscriptions, and the dispatcher as its own worker."""

from __future__ import annotations

import signal
import threading
from dataclasses import asdict
from typing import Annotated, Any

import typer

from milestone.cli.common import (
    DatabaseUrlOption,
    DataDirOption,
    JsonOption,
    opened_from_options,
    reported_errors,
)
from milestone.cli.operator import emit, in_snapshot, in_unit_of_work, show_instant
from milestone.clock import SystemClock
from milestone.events import EVENT_TYPES
from milestone.events.subscriptions import (
    Subscription,
    add_subscription,
    list_subscriptions,
    remove_subscription,
    replay_subscription,
)

app = typer.Typer(help="Webhooks: subscriptions and the dispatcher.", no_args_is_help=True)
WebhookId = Annotated[int, typer.Argument(help="Subscription id (from `webhooks list`).")]


def describe(subscription: Subscription) -> dict[str, Any]:
    shown = asdict(subscription)
    shown["event_types"] = list(subscription.event_types)
    shown["created_at"] = show_instant(subscription.created_at)
    return shown


@app.command("add")
def add(
    url: Annotated[str, typer.Argument(help="Where to POST events (http:// or https://).")],
    events: Annotated[
        list[str] | None,
        typer.Option("--events", help=f"An event type to deliver (repeat; default every type): "
                     f"{', '.join(EVENT_TYPES)}."),
    ] = None,
    json_output: JsonOption = False,
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Subscribe URL to events from now on; prints its id and signing secret (shown once)."""
    clock = SystemClock()
    with reported_errors():
        subscription, secret = in_unit_of_work(
            data_dir, database_url, lambda s: add_subscription(s, clock, url, events or ())
        )
    emit(describe(subscription) | {"secret": secret}, json_output,
         f"webhook {subscription.id} delivers to {url}\nsigning secret (shown once): {secret}")


@app.command("list")
def list_(json_output: JsonOption = False, data_dir: DataDirOption = None,
          database_url: DatabaseUrlOption = None) -> None:
    """Every subscription and its deliveries: pending, delivered, dead."""
    with reported_errors():
        shown = in_snapshot(data_dir, database_url,
                            lambda s: [describe(w) for w in list_subscriptions(s)])
    lines = [
        f"webhook {w['id']} {w['url']} [{', '.join(w['event_types']) or 'every type'}]: "
        f"{w['pending']:,} pending, {w['delivered']:,} delivered, {w['dead']:,} dead"
        for w in shown
    ]
    emit(shown, json_output, "\n".join(lines) or "no webhooks")


@app.command("remove")
def remove(webhook_id: WebhookId, data_dir: DataDirOption = None,
           database_url: DatabaseUrlOption = None) -> None:
    """Stop delivering to a subscription and forget its deliveries."""
    with reported_errors():
        in_unit_of_work(data_dir, database_url, lambda s: remove_subscription(s, webhook_id))
    typer.echo(f"webhook {webhook_id} removed")


@app.command("replay")
def replay(
    webhook_id: WebhookId,
    from_event: Annotated[
        int | None,
        typer.Option("--from-event", min=1, help="Send every event from this id on again."),
    ] = None,
    json_output: JsonOption = False,
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Send a subscription's dead deliveries again (or all from an event), same webhook-id."""
    clock = SystemClock()
    with reported_errors():
        count = in_unit_of_work(
            data_dir, database_url,
            lambda s: replay_subscription(s, clock, webhook_id, from_event=from_event),
        )
    emit({"id": webhook_id, "replayed": count}, json_output,
         f"webhook {webhook_id}: {count:,} deliveries pending again")


@app.command("run")
def run(
    once: Annotated[bool, typer.Option("--once", help="Deliver what is due, then exit.")] = False,
    json_output: JsonOption = False,
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """The dispatcher as a worker of its own; as many may run as you like, beside `serve`."""
    from milestone.events.dispatcher import Dispatcher, config_of

    with opened_from_options(data_dir, database_url) as (database, settings):
        with reported_errors():
            dispatcher = Dispatcher(database, SystemClock(), config_of(settings))
        try:
            if once:
                tally = dispatcher.run_once()
                emit(asdict(tally), json_output,
                     f"delivered {tally.delivered:,}, failed {tally.failed:,} "
                     f"(dead {tally.dead:,})")
                return
            stop = threading.Event()
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, lambda *_: stop.set())
            typer.echo("milestone: delivering webhooks (Ctrl-C stops)", err=True)
            dispatcher.run(stop, settings.webhooks_poll_seconds)
        finally:
            dispatcher.close()
