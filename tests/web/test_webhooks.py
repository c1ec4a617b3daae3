"""The console's webhooks page: dead letters shown and replayed, a subscription added with its
secret shown once, removed; an auditor sees it all without the levers; both languages fit."""

from __future__ import annotations

import pytest

from .conftest import SIZES, Visitor
from .scenario import DEAD_RECEIVER, Scenario
from .test_app import api

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group(name="browser")]

HOOK = "https://crm.example.com/milestone/hooks"


def test_an_operator_sees_dead_letters_replays_them_and_manages_a_subscription(
    visit, server: str, scenario: Scenario
) -> None:
    dead = api(server, f"/webhooks/{scenario.dead_webhook}/dead-letters", "olga")
    assert len(dead) == len(scenario.settled) > 0  # one epoch.finalized per settled epoch
    olga: Visitor = visit("desktop")
    olga.log_in("olga")
    page = olga.open("/console/webhooks")
    text = page.inner_text("#page")
    assert DEAD_RECEIVER in text and "epoch.finalized" in text
    letters = page.locator(f".dead-letters[data-subscription='{scenario.dead_webhook}'] tbody tr")
    assert letters.count() == len(dead)
    assert f"evt_{dead[0]['event_id']}" in letters.first.inner_text()
    olga.shoot("console-webhooks")

    page.click(f"[data-replay='{scenario.dead_webhook}']")
    page.click("[data-confirm=yes]")
    page.wait_for_selector(f"#webhooks-out >> text={len(dead)} deliveries pending again")
    assert page.locator(f"[data-dead='{scenario.dead_webhook}']").inner_text() == "0"

    page.fill("#webhook-form input[name=url]", HOOK)
    page.check("#webhook-form input[value='order.placed']")
    page.click("#webhook-form button[type=submit]")
    secret = page.locator("#webhook-secret")
    secret.wait_for()
    assert secret.inner_text().startswith("whsec_")
    listed = {w["url"]: w for w in api(server, "/webhooks", "olga")}  # type: ignore[union-attr]
    assert listed[HOOK]["event_types"] == ["order.placed"] and "secret" not in listed[HOOK]
    assert HOOK in page.inner_text("#webhooks-list")

    page.click(f"[data-remove='{listed[HOOK]['id']}']")
    page.click("[data-confirm=yes]")
    page.wait_for_function(f"!document.querySelector('#webhooks-list').innerText.includes('{HOOK}')")
    assert HOOK not in {w["url"] for w in api(server, "/webhooks", "olga")}  # type: ignore[union-attr]
    olga.assert_clean("console-webhooks")


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("size", list(SIZES))
def test_an_auditor_reads_the_page_without_levers_in_both_languages(
    visit, server: str, scenario: Scenario, size: str, lang: str
) -> None:
    aldo: Visitor = visit(size, lang)
    aldo.log_in("aldo")
    page = aldo.open("/console/webhooks")
    assert page.locator("#page .problem").count() == 0, page.inner_text("#page")
    assert page.locator("#webhooks-list table").count() == 1
    assert page.locator("#webhook-form, [data-remove], [data-replay]").count() == 0
    heading = page.inner_text("#page h1")
    assert heading == ("Webhooks" if lang == "en" else "Webhooks 推送")
    aldo.assert_fits("console-webhooks")
    aldo.assert_accessible("console-webhooks")
    aldo.shoot("console-webhooks-auditor")
