"""Every role's pages in Chromium, in Chinese and English, on a phone and a desktop.

Each page must show the API's own figures (compared as pebbles, never as formatted text), fit
the viewport without sideways scrolling, log no console error, and pass axe-core with no
serious or critical violation. Then the unsafe actions: nothing irreversible happens on one
tap, and impossible input is refused in the page with the real reason, before it is sent.
"""

from __future__ import annotations

import httpx
import pytest

from .conftest import SIZES, Visitor
from .scenario import PASSWORD, Scenario
from .test_app import api

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group(name="browser")]

LANGS = ["en", "zh"]
PUBLIC = ["/explorer", "/explorer/epochs", "/explorer/verify"]
OWNER = ["/wallet", "/wallet/drops", "/wallet/trips", "/wallet/consent", "/wallet/store",
         "/wallet/dividends"]
STAFF = ["/console", "/console/epochs", "/console/rejections", "/console/campaigns",
         "/console/owners", "/console/merchants", "/console/dividends"]
CHINESE = {"/explorer": "项目概况", "/wallet": "我的钱包", "/console": "运营",
           "/merchant": "商户工作台"}


def check(visitor: Visitor, path: str) -> object:
    page = visitor.open(path)
    assert page.locator("#page .problem").count() == 0, page.inner_text("#page")  # type: ignore[attr-defined]
    visitor.assert_fits(path)
    visitor.assert_accessible(path)
    name = path.strip("/").replace("/", "-")
    visitor.shoot(f"role-{name}")
    if visitor.lang == "zh" and path in CHINESE:
        assert CHINESE[path] in page.inner_text("#page")  # type: ignore[attr-defined]
    return page


def pebbles_at(page: object, selector: str) -> str | None:
    return page.get_attribute(f"{selector} .amount, {selector}.amount", "data-pebbles")  # type: ignore[attr-defined]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("size", list(SIZES))
def test_the_public_pages(visit, server: str, size: str, lang: str) -> None:
    visitor: Visitor = visit(size, lang)
    page = check(visitor, "/explorer")
    program = api(server, "/program")
    assert pebbles_at(page, "#total-supply") == program["totals"]["issued"]["pebbles"]  # type: ignore[index]
    assert pebbles_at(page, "#circulating") == program["totals"]["circulating"]["pebbles"]  # type: ignore[index]
    assert ("北京时间" if lang == "zh" else "Beijing time") in page.inner_text("#page")  # type: ignore[attr-defined]
    for path in PUBLIC[1:]:
        check(visitor, path)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("size", list(SIZES))
def test_the_owner_pages(visit, server: str, size: str, lang: str) -> None:
    ann: Visitor = visit(size, lang)
    ann.log_in("ann")
    page = check(ann, "/wallet")
    wallet = api(server, "/wallet", "ann")
    for field in ("balance", "spendable", "locked", "earned"):
        assert pebbles_at(page, f"#{field}") == wallet[field]["pebbles"], field  # type: ignore[index]
    for flow in wallet["flows"]:  # type: ignore[index]
        if flow["credited"]["pebbles"] != "0":
            shown = pebbles_at(page, f"[data-kind='{flow['kind']}'] strong")
            assert shown == flow["credited"]["pebbles"]
    # The day's turn is said in the program's time zone, and every epoch label is the drops'.
    assert "08:00" in page.inner_text("#day-turns")  # type: ignore[attr-defined]
    for path in OWNER[1:]:
        page = check(ann, path)
        if path == "/wallet/dividends":
            due = page.get_attribute("#dividends-due", "data-fen")  # type: ignore[attr-defined]
            assert due == api(server, "/wallet", "ann")["dividends_fen"]  # type: ignore[index]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("size", list(SIZES))
def test_the_staff_pages(visit, server: str, scenario: Scenario, size: str, lang: str) -> None:
    olga: Visitor = visit(size, lang)
    olga.log_in("olga")
    for path in STAFF:
        check(olga, path)
    page = olga.open(f"/console/owners?id={scenario.owner_ids['ann']}")
    owner = api(server, f"/owners/{scenario.owner_ids['ann']}", "olga")
    assert owner["address"] in page.inner_html("#owner-found")  # type: ignore[index, attr-defined]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("size", list(SIZES))
def test_the_merchant_desk(visit, server: str, scenario: Scenario, size: str, lang: str) -> None:
    shop: Visitor = visit(size, lang)
    page = shop.open("/login?merchant=1")
    page.fill("#merchant-form input[name=key]", scenario.merchant_key)  # type: ignore[attr-defined]
    page.click("#merchant-form button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_function("location.hash === '#/merchant'")  # type: ignore[attr-defined]
    page = check(shop, "/merchant")
    # The catalogue shows whether or not an order came in.
    for item_id in scenario.item_ids:
        assert page.locator(f"[data-edit-item='{item_id}']").count() == 1  # type: ignore[attr-defined]


def test_the_language_switch_is_remembered(visit) -> None:
    visitor: Visitor = visit("phone", "en")
    page = visitor.open("/explorer")
    assert page.evaluate("document.documentElement.lang") == "en"  # type: ignore[attr-defined]
    page.click("#lang-switch")  # type: ignore[attr-defined]
    page.wait_for_function("document.documentElement.lang === 'zh-CN'")  # type: ignore[attr-defined]
    visitor.ready()
    assert "项目概况" in page.inner_text("#page")  # type: ignore[attr-defined]
    page = visitor.open("/explorer/epochs")
    assert "周期" in page.inner_text("#page")  # type: ignore[attr-defined]
    page.reload()  # type: ignore[attr-defined]
    visitor.ready()
    assert page.evaluate("document.documentElement.lang") == "zh-CN"  # type: ignore[attr-defined]


def test_a_dividend_above_the_ceiling_or_paid_in_the_past_is_refused_before_sending(
    visit, server: str
) -> None:
    # The one rule: the program's ceiling, as the API publishes it and refuses above it.
    cap = int(httpx.get(f"{server}/api/v1/dividends/limits").json()["max_amount_fen"])
    olga: Visitor = visit("phone", "en")
    olga.log_in("olga")
    page = olga.open("/console/dividends")
    sent: list[str] = []
    page.on("request", lambda r: r.method == "POST" and sent.append(r.url))  # type: ignore[attr-defined]
    page.fill("#dividend-form input[name=amount]", "9999999999999.99")  # type: ignore[attr-defined]
    page.fill("#dividend-form input[name=payment_date]", "2027-03-31")  # type: ignore[attr-defined]
    page.click("#dividend-form button[type=submit]")  # type: ignore[attr-defined]
    refusal = page.wait_for_selector("#dividend-form .problem")  # type: ignore[attr-defined]
    assert f"¥{cap // 100:,}.{cap % 100:02d}" in refusal.inner_text()
    assert "dividend_ceiling_fen" in refusal.inner_text()
    page.fill("#dividend-form input[name=amount]", "1000.00")  # type: ignore[attr-defined]
    page.fill("#dividend-form input[name=payment_date]", "2001-01-01")  # type: ignore[attr-defined]
    page.click("#dividend-form button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        "document.querySelector('#dividend-form .problem')?.textContent.includes('2001-01-01')")
    assert "has passed" in page.inner_text("#dividend-form .problem")  # type: ignore[attr-defined]
    assert sent == [] and page.locator("#dividend-confirm .confirm").count() == 0  # type: ignore[attr-defined]
    olga.shoot("console-dividends-refused")


def test_revoking_consent_asks_first_and_says_what_is_erased(
    visit, server: str, scenario: Scenario
) -> None:
    bob: Visitor = visit("phone", "zh")
    bob.log_in("bob")
    page = bob.open("/wallet/consent")
    vehicle = scenario.vehicle_ids["bob"]
    revoke = f"#consent-{vehicle}-mileage"
    page.click(revoke)  # type: ignore[attr-defined]
    question = page.wait_for_selector(".confirm")  # type: ignore[attr-defined]
    assert "无法恢复" in question.inner_text()  # says it cannot be brought back
    bob.assert_accessible("the revocation question")
    bob.shoot("wallet-consent-confirm")
    page.click("[data-confirm='no']")  # type: ignore[attr-defined]
    assert api(server, "/consent", "bob")[0]["scopes"]["mileage"] is True  # type: ignore[index]
    page.click(revoke)  # type: ignore[attr-defined]
    page.click("[data-confirm='yes']")  # type: ignore[attr-defined]
    page.wait_for_selector("#consent-out .notice-good")  # type: ignore[attr-defined]
    assert api(server, "/consent", "bob")[0]["scopes"]["mileage"] is False  # type: ignore[index]


def merchant_desk(visit, scenario: Scenario, size: str = "phone", lang: str = "en") -> Visitor:
    shop: Visitor = visit(size, lang)
    page = shop.open("/login?merchant=1")
    page.fill("#merchant-form input[name=key]", scenario.merchant_key)  # type: ignore[attr-defined]
    page.click("#merchant-form button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_function("location.hash === '#/merchant'")  # type: ignore[attr-defined]
    shop.ready()
    return shop


def test_a_refund_asks_first_and_an_item_is_edited_and_withdrawn(
    visit, server: str, scenario: Scenario
) -> None:
    login = httpx.post(f"{server}/api/v1/auth/login",
                       json={"username": "ann", "password": PASSWORD})
    token = {"Authorization": f"Bearer {login.json()['access_token']}"}

    def status() -> str:
        answer = httpx.get(f"{server}/api/v1/store/orders/{order['id']}", headers=token)
        return str(answer.json()["status"])

    cheap = scenario.item_ids[0]
    placed = httpx.post(f"{server}/api/v1/store/orders", json={"item_id": cheap, "quantity": 1},
                        headers={**token, "Idempotency-Key": "roles-refund-1"})
    assert placed.status_code == 201, placed.text
    order = placed.json()
    shop = merchant_desk(visit, scenario)
    page = shop.page
    page.click(f"[data-refund='{order['id']}']")  # type: ignore[attr-defined]
    question = page.wait_for_selector(".confirm")  # type: ignore[attr-defined]
    assert "gives" in question.inner_text() and "back to the buyer" in question.inner_text()
    assert status() == "placed"
    page.click("[data-confirm='yes']")  # type: ignore[attr-defined]
    page.wait_for_selector(  # type: ignore[attr-defined]
        f"[data-order-status='{order['id']}']", state="detached")
    assert status() == "refunded"

    # Edit the price, then withdraw the item: the catalogue the owners see follows.
    page.click(f"[data-edit-item='{cheap}'] summary")  # type: ignore[attr-defined]
    page.fill(f"[data-edit-item='{cheap}'] input[name=price]", "2.5")  # type: ignore[attr-defined]
    page.click(f"[data-edit-item='{cheap}'] button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        f"!document.querySelector(\"[data-edit-item='{cheap}']\")?.open")
    items = {i["id"]: i for i in httpx.get(f"{server}/api/v1/store/items").json()}
    assert items[cheap]["price"]["pebbles"] == "250000000"
    page.click(f"[data-edit-item='{cheap}'] summary")  # type: ignore[attr-defined]
    page.click(f"[data-toggle-item='{cheap}']")  # type: ignore[attr-defined]
    toggle = f"document.querySelector(\"[data-toggle-item='{cheap}']\")?.textContent"
    page.wait_for_function(f"{toggle} === 'Put back on sale'")  # type: ignore[attr-defined]
    # Withdrawn: gone from the owners' catalogue, still on the desk to put back.
    assert cheap not in {i["id"] for i in httpx.get(f"{server}/api/v1/store/items").json()}
    page.click(f"[data-edit-item='{cheap}'] summary")  # type: ignore[attr-defined]
    page.click(f"[data-toggle-item='{cheap}']")  # type: ignore[attr-defined]
    page.wait_for_function(f"{toggle} === 'Withdraw from sale'")  # type: ignore[attr-defined]
    shop.assert_clean("the merchant's refund and edits")
