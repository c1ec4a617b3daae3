"""The event types of the outbox, each a change someone outside Milestone would act on.

docs/webhooks.md shows each payload. Owners appear only as their pseudonymous address, vehicles
as the hash of their VIN (what the explorer publishes); amounts are strings of integers
(pebbles, or fen for dividends).
"""

from __future__ import annotations

from typing import Final

EVENT_TYPES: Final[dict[str, str]] = {
    "epoch.finalized": "an epoch's result was committed on-chain: it never changes again",
    "drops.credited": "an owner's mining drops of an epoch, credited when the epoch finalized",
    "stones.unlocked": "an owner's earned stones became spendable (certified, or the lock ran out)",
    "checkin.recorded": "an owner checked in and was paid the day's reward",
    "referral.paid": "a referred buyer's delivery was confirmed and the rewards paid",
    "campaign.rewarded": "an owner took part in a campaign and was paid its reward",
    "order.placed": "an owner ordered from a merchant; the stones are held",
    "order.fulfilled": "the merchant delivered; the held stones are burned or go to the treasury",
    "order.cancelled": "the order was cancelled before confirmation; the stones went back",
    "order.refunded": "the merchant refunded the order; the stones went back",
    "transfer.completed": "stones moved from one owner to another",
    "dividend.declared": "a dividend was declared and every holder's entitlement fixed",
    "dividend.committed": "a dividend's entitlement root was committed on-chain",
    "dividend.paid": "the fiat rails paid owners their entitlements",
    "consent.granted": "an owner granted a data scope on a vehicle",
    "consent.revoked": "an owner revoked a data scope; its raw data was erased",
    "telemetry.report_rejected": "a vehicle's signed trip report was refused, with the reason",
}
