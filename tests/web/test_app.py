"""The web app in Debian's Chromium against `milestone serve` over a settled program.

An owner logs in, grants consent, sees the drops settlement paid, checks in, orders from the
store (and is told plainly when an order is refused), a merchant fulfils the order, and the
owner verifies a balance proof in the browser against the root on the chain. Operators see
the console; anyone sees the explorer. Every page is shot at phone and desktop size, and none
may log a console error it did not provoke.
"""

from __future__ import annotations

import json

import httpx
import pytest

from .conftest import SIZES, Visitor
from .scenario import PASSWORD, Scenario

# One worker runs them all under `pytest -n 2 --dist loadgroup`: one scenario, one server.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group(name="browser")]

REFUSED_REQUEST = r"Failed to load resource: the server responded with a status of 4\d\d"
WALLET_PAGES = ["/wallet", "/wallet/drops", "/wallet/trips", "/wallet/consent", "/wallet/store",
                "/wallet/dividends"]
CONSOLE_PAGES = ["/console", "/console/epochs", "/console/rejections", "/console/campaigns",
                 "/console/merchants", "/console/dividends"]


def api(server: str, path: str, username: str | None = None) -> object:
    headers = {}
    if username:
        login = httpx.post(f"{server}/api/v1/auth/login",
                           json={"username": username, "password": PASSWORD})
        headers["Authorization"] = f"Bearer {login.json()['access_token']}"
    response = httpx.get(f"{server}/api/v1{path}", headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def shot_name(path: str) -> str:
    return path.strip("/").replace("/", "-") or "home"


@pytest.mark.parametrize("size", list(SIZES))
def test_explorer_shows_the_settled_program(visit, server: str, scenario: Scenario,
                                            size: str) -> None:
    visitor: Visitor = visit(size)
    page = visitor.open("/explorer")
    program = api(server, "/program")
    assert program["totals"]["reconciles"]  # type: ignore[index]
    text = page.inner_text("#page")
    assert "1,500" in text and "The parts add up to the supply exactly." in text
    assert "embedded EVM" in text
    visitor.shoot("explorer")

    page = visitor.open("/explorer/epochs")
    assert page.locator("tbody tr").count() == len(scenario.settled)
    visitor.shoot("explorer-epochs")

    epoch = api(server, f"/epochs/{scenario.settled[-1]}")
    page = visitor.open(f"/explorer/epochs/{scenario.settled[-1]}")
    assert page.locator(f"code[title='{epoch['state_root']}']").count() == 1  # type: ignore[index]
    visitor.shoot("explorer-epoch")

    page = visitor.open("/explorer/verify")
    assert page.locator("#verify-epoch option").count() == len(scenario.settled)
    visitor.shoot("explorer-verify")


def test_owner_consents_sees_drops_checks_in_orders_and_verifies(
    visit, server: str, scenario: Scenario
) -> None:
    ann: Visitor = visit("desktop")
    ann.log_in("ann")
    page = ann.page
    assert page.url.endswith("#/wallet")
    wallet = api(server, "/wallet", "ann")
    assert page.get_attribute("#balance .amount", "data-pebbles") == wallet["balance"]["pebbles"]  # type: ignore[index]

    # Consent: the behaviour switch grants the scope and a receipt appears.
    vehicle = scenario.vehicle_ids["ann"]
    page = ann.open("/wallet/consent")
    switch = page.locator(f"#consent-{vehicle}-driving_behavior")
    assert not switch.is_checked()
    page.click(f"label:has(#consent-{vehicle}-driving_behavior)")
    page.wait_for_selector("#consent-out .notice-good")
    assert "Granted driving behaviour" in page.inner_text("#consent-out")
    page.wait_for_function("document.querySelectorAll('#receipts tbody tr').length === 2")
    scopes = api(server, "/consent", "ann")[0]["scopes"]  # type: ignore[index]
    assert scopes == {"mileage": True, "driving_behavior": True}
    ann.shoot("wallet-consent-granted")

    # Drops: every settled epoch Ann drove in, round by round, as the API has them.
    drops = api(server, "/wallet/drops", "ann")
    page = ann.open("/wallet/drops")
    assert len(drops) == len(scenario.settled)  # type: ignore[arg-type]
    text = page.inner_text("#page")
    for epoch in drops[-5:]:  # type: ignore[index]  # the newest five show before "Load more"
        assert f"Epoch {epoch['epoch']}" in text
        shown = page.get_attribute(f"[data-epoch='{epoch['epoch']}'] h2 .amount", "data-pebbles")
        assert shown == epoch["total"]["pebbles"]
    assert page.locator("#drops-chart canvas").count() == 1

    # Check-in: once a day; the balance grows by the reward.
    before = int(api(server, "/wallet", "ann")["balance"]["pebbles"])  # type: ignore[index]
    page = ann.open("/wallet")
    page.click("#checkin")
    page.wait_for_selector(".action-out .notice-good")
    assert "Checked in: +" in page.inner_text(".action-out")
    after = int(api(server, "/wallet", "ann")["balance"]["pebbles"])  # type: ignore[index]
    assert after > before
    page.wait_for_function(
        f"document.querySelector('#balance .amount').dataset.pebbles === '{after}'")
    assert page.inner_text("#streak") == "1-day streak"
    ann.shoot("wallet-checked-in")

    # Store: an order that costs more than Ann holds is refused, plainly.
    page = ann.open("/wallet/store")
    ann.expect_refusals(REFUSED_REQUEST)
    costly, cheap = scenario.item_ids[2], scenario.item_ids[0]
    page.click(f"[data-order-item='{costly}']")
    problem = page.wait_for_selector(f"[data-item='{costly}'] .problem")
    assert problem.get_attribute("data-code") in {"insufficient_balance", "insufficient_spendable",
                                                  "spend_locked"}
    assert "code" in problem.inner_text()
    ann.shoot("wallet-store-refused")
    page.click(f"[data-order-item='{cheap}']")
    page.wait_for_selector(f"[data-item='{cheap}'] .notice-good")
    [order] = api(server, "/store/orders", "ann")  # type: ignore[misc]
    assert order["status"] == "placed"
    # The pickup code is Ann's secret: told when she orders and kept in her list of orders.
    code = order["pickup_code"]
    spoken = f"{code[:4]}-{code[4:]}"
    assert spoken in page.inner_text(f"[data-item='{cheap}'] .notice-good")
    page.wait_for_selector(f"[data-pickup='{order['id']}']")
    assert page.inner_text(f"[data-pickup='{order['id']}']") == spoken

    # The merchant fulfils it at the merchant desk, with its API key and Ann's pickup code.
    shop: Visitor = visit("desktop")
    page = shop.open("/login?merchant=1")
    page.fill("#merchant-form input[name=key]", scenario.merchant_key)
    page.click("#merchant-form button[type=submit]")
    page.wait_for_function("location.hash === '#/merchant'")
    shop.ready()
    assert code not in page.inner_text("#page") and spoken not in page.inner_text("#page")
    page.click(f"[data-fulfil='{order['id']}'] summary")
    box = f"[data-fulfil='{order['id']}']"
    page.fill(f"{box} input", "ABC")  # not a code: refused in the page, nothing sent
    page.click(f"{box} button[type=submit]")
    assert page.wait_for_selector(f"{box} .problem").get_attribute("data-code") == "refused_here"
    shop.expect_refusals(REFUSED_REQUEST)
    wrong = "".join("2" if c != "2" else "3" for c in code)
    page.fill(f"{box} input", wrong)  # a code, but not Ann's: the server refuses it
    page.click(f"{box} button[type=submit]")
    page.wait_for_selector(f"{box} .problem[data-code='wrong_pickup_code']")
    assert api(server, f"/store/orders/{order['id']}", "ann")["status"] == "placed"  # type: ignore[index]
    page.fill(f"{box} input", spoken.lower())  # as Ann says it: case and dash do not matter
    page.click(f"{box} button[type=submit]")
    # Done, it leaves the orders to do, and is among those done.
    page.wait_for_selector(f"[data-order-status='{order['id']}']", state="detached")
    page.click("[data-filter='done']")
    assert page.inner_text(f"[data-order-status='{order['id']}']") == "Fulfilled"
    shop.shoot("merchant-desk")
    page = ann.open("/wallet/store")
    assert page.inner_text(f"[data-order-status='{order['id']}']") == "Fulfilled"
    ann.shoot("wallet-store-fulfilled")

    # Verify my balance: the proof from the API, the root from the chain, the check here.
    page = ann.open("/explorer/verify")
    page.click("#verify-mine")
    verdict = page.wait_for_selector("#verify-result .verdict")
    assert verdict.get_attribute("data-valid") == "true", page.inner_text("#verify-result")
    ann.shoot("explorer-verify-valid")
    proof = json.loads(page.input_value("#verify-proof"))
    proof["balance"] = str(int(proof["balance"]) + 1)
    page.fill("#verify-proof", json.dumps(proof))
    page.click("#verify-pasted")
    page.wait_for_selector("#verify-result .verdict[data-valid='false']")
    ann.assert_clean("the owner's journey")


@pytest.mark.parametrize("size", list(SIZES))
def test_every_wallet_page_renders(visit, size: str) -> None:
    ann: Visitor = visit(size)
    ann.log_in("ann")
    for path in WALLET_PAGES:
        page = ann.open(path)
        assert page.locator("#page .problem").count() == 0, page.inner_text("#page")
        ann.shoot(shot_name(path))


@pytest.mark.parametrize("size", list(SIZES))
def test_console_shows_emission_epochs_on_chain_and_refusals(
    visit, server: str, scenario: Scenario, size: str
) -> None:
    olga: Visitor = visit(size)
    olga.log_in("olga")
    assert olga.page.url.endswith("#/console")
    for path in CONSOLE_PAGES:
        page = olga.open(path)
        assert page.locator("#page .problem").count() == 0, page.inner_text("#page")
        if path == "/console":
            assert page.locator("#emission-chart canvas").count() == 1
        if path == "/console/epochs":
            page.wait_for_function(
                f"document.querySelectorAll('.badge-good').length >= {2 * len(scenario.settled)}"
            )
            assert "Matches" in page.inner_text("#page") or "matches" in page.inner_text("#page")
            assert page.locator(".badge-bad").count() == 0
        if path == "/console/rejections":
            assert scenario.refused_code.replace("_", " ").capitalize() in page.inner_text("#page")
        olga.shoot(shot_name(path))


def test_operator_declares_a_dividend_the_owners_then_see(
    visit, server: str, scenario: Scenario
) -> None:
    olga: Visitor = visit("desktop")
    olga.log_in("olga")
    page = olga.open("/console/dividends")
    page.fill("#dividend-form input[name=amount]", "1000.00")
    page.fill("#dividend-form input[name=payment_date]", "2027-03-31")
    page.fill("#dividend-form input[name=note]", "Interim dividend")
    page.click("#dividend-form button[type=submit]")
    # Nothing is declared until the operator confirms what will happen.
    page.wait_for_selector("#dividend-confirm .confirm")
    assert "cannot be withdrawn" in page.inner_text("#dividend-confirm")
    assert api(server, "/dividends") == []
    page.click("#dividend-confirm-yes")
    page.wait_for_selector("#dividend-confirm .notice-good, #dividend-confirm .problem")
    assert page.locator("#dividend-confirm .notice-good").count() == 1, page.inner_text("#page")
    [dividend] = api(server, "/dividends")  # type: ignore[misc]
    assert dividend["amount_fen"] == "100000" and dividend["holders"] == 2
    olga.shoot("console-dividends-declared")

    ann: Visitor = visit("desktop")
    ann.log_in("ann")
    page = ann.open("/wallet/dividends")
    wallet = api(server, "/wallet", "ann")
    due = int(wallet["dividends_fen"])  # type: ignore[index]
    assert due > 0
    assert f"¥{due // 100:,}.{due % 100:02d}" in page.inner_text("#page")
    ann.shoot("wallet-dividends-declared")

