"""Webhook subscriptions, managed by the operator: add, list, remove, replay."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from milestone.api.deps import (
    ClockDep,
    CurrentOperator,
    CurrentStaff,
    DatabaseDep,
    SessionDep,
    WriteLimit,
)
from milestone.api.problems import problem_responses
from milestone.api.schemas.events import (
    DeadLetterPublic,
    ReplayCreate,
    ReplayPublic,
    WebhookCreate,
    WebhookPublic,
    WebhookSecretPublic,
)
from milestone.api.schemas.requests import MAX_JSON_INTEGER
from milestone.events import subscriptions

router = APIRouter(
    prefix="/webhooks", tags=["webhooks"], responses=problem_responses(401, 403)
)
WebhookId = Annotated[int, Path(ge=1, le=MAX_JSON_INTEGER)]


@router.get("", summary="Webhook subscriptions")
def read_webhooks(staff: CurrentStaff, session: SessionDep) -> list[WebhookPublic]:
    return [WebhookPublic.of(s) for s in subscriptions.list_subscriptions(session)]


@router.post(
    "", status_code=status.HTTP_201_CREATED, summary="Subscribe a URL to events",
    dependencies=[WriteLimit], responses=problem_responses(429),
)
def add_webhook(
    body: WebhookCreate, operator: CurrentOperator, database: DatabaseDep, clock: ClockDep
) -> WebhookSecretPublic:
    """Deliveries start with the next event; the secret is shown this once."""
    subscription, secret = database.run(
        lambda s: subscriptions.add_subscription(s, clock, body.url, body.event_types)
    )
    return WebhookSecretPublic(**WebhookPublic.of(subscription).model_dump(), secret=secret)


@router.delete(
    "/{webhook_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Remove a subscription",
    dependencies=[WriteLimit], responses=problem_responses(404, 429),
)
def remove_webhook(
    webhook_id: WebhookId, operator: CurrentOperator, database: DatabaseDep
) -> Response:
    database.run(lambda s: subscriptions.remove_subscription(s, webhook_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/{webhook_id}/dead-letters", summary="Deliveries that failed too often",
    responses=problem_responses(404),
)
def read_dead_letters(
    webhook_id: WebhookId, staff: CurrentStaff, session: SessionDep
) -> list[DeadLetterPublic]:
    """Oldest event first, at most 500: what `replay` without `from_event` sends again."""
    return [DeadLetterPublic.of(d) for d in subscriptions.dead_letters(session, webhook_id)]


@router.post(
    "/{webhook_id}/replay", summary="Send dead deliveries (or all from an event) again",
    dependencies=[WriteLimit], responses=problem_responses(404, 429),
)
def replay_webhook(
    webhook_id: WebhookId, body: ReplayCreate, operator: CurrentOperator,
    database: DatabaseDep, clock: ClockDep,
) -> ReplayPublic:
    replayed = database.run(
        lambda s: subscriptions.replay_subscription(
            s, clock, webhook_id, from_event=body.from_event
        )
    )
    return ReplayPublic(replayed=replayed)
