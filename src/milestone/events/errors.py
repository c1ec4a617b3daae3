"""Named refusals of the events feed and the webhook subscriptions."""

from __future__ import annotations

from milestone.errors import MilestoneError, NotFound


class UnknownSubscription(NotFound):
    code = "unknown_webhook"


class InvalidWebhookUrl(MilestoneError):
    code = "invalid_webhook_url"
    http_status = 422


class UnknownEventType(MilestoneError):
    code = "unknown_event_type"
    http_status = 422


class InvalidCursor(MilestoneError):
    code = "invalid_cursor"
    http_status = 422
