"""What walking each role's day in Chromium found, kept fixed: calendar days typed in ISO
order and refused in the page when they are not days, a campaign list that shows the campaign
just created and closed, a code redeemed twice said to count once, refused reports counted by
the server, chart legends without empty values."""

from __future__ import annotations

import datetime
import time
from zoneinfo import ZoneInfo

import httpx
import pytest

from .conftest import Visitor
from .scenario import PASSWORD
from .test_app import api

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group(name="browser")]


def today_in_beijing() -> datetime.date:
    return datetime.datetime.now(ZoneInfo("Asia/Shanghai")).date()


def test_campaign_days_are_typed_in_iso_order_and_the_list_shows_what_was_done(
    visit, server: str
) -> None:
    olga: Visitor = visit("phone", "en")
    olga.log_in("olga")
    page = olga.open("/console/campaigns")
    sent: list[str] = []
    page.on("request", lambda r: r.method == "POST" and sent.append(r.url))  # type: ignore[attr-defined]
    starts = page.locator("#campaign-form input[name=starts]")  # type: ignore[attr-defined]
    # Not a native date input: Chromium writes those mm/dd/yyyy in an English browser.
    assert starts.get_attribute("type") == "text"
    assert "YYYY-MM-DD" in page.inner_text("#campaign-form")  # type: ignore[attr-defined]
    page.fill("#campaign-form input[name=name]", "Test drive day")  # type: ignore[attr-defined]
    page.fill("#campaign-form input[name=budget]", "1")  # type: ignore[attr-defined]
    page.fill("#campaign-form input[name=reward]", "0.5")  # type: ignore[attr-defined]
    refusals = {
        "2026-02-31": "YYYY-MM-DD",  # no such day (Date.parse would roll it to March)
        "05/12/2026": "YYYY-MM-DD",
        (today_in_beijing() - datetime.timedelta(days=1)).isoformat(): "has passed",
    }
    for typed, reason in refusals.items():
        starts.fill(typed)
        page.click("#campaign-form button[type=submit]")  # type: ignore[attr-defined]
        page.wait_for_function(  # type: ignore[attr-defined]
            "reason => document.querySelector('#campaign-form .problem')?.textContent"
            ".includes(reason)", arg=reason)
        assert page.get_attribute("#campaign-form .problem", "data-code") == "refused_here"  # type: ignore[attr-defined]
    assert sent == []
    # A phone's digit pad has no dash: 8 digits are a day too.
    starts.fill(today_in_beijing().strftime("%Y%m%d"))
    page.fill("#campaign-form input[name=ends]", today_in_beijing().isoformat())  # type: ignore[attr-defined]
    page.click("#campaign-form button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_selector("#campaign-form .notice-good")  # type: ignore[attr-defined]
    [made] = [c for c in api(server, "/activities/campaigns", "olga")  # type: ignore[union-attr]
              if c["name"] == "Test drive day"]
    assert made["starts_at"]["iso"].startswith((today_in_beijing() - datetime.timedelta(days=1))
                                               .isoformat())  # midnight Beijing is 16:00 UTC
    # The list shows it at once, and closing it (after asking) shows it closed.
    status = f"[data-campaign-status='{made['id']}']"
    page.wait_for_selector(status)  # type: ignore[attr-defined]
    page.click(f"[data-close='{made['id']}']")  # type: ignore[attr-defined]
    page.click("[data-confirm='yes']")  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        f"document.querySelector(\"{status}\")?.textContent.trim() === 'closed'")
    assert "closed" in page.inner_text("#codes-out")  # type: ignore[attr-defined]
    olga.assert_fits("/console/campaigns")
    olga.shoot("day-campaign-created-and-closed")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_refused_reports_are_grouped_by_the_server_over_every_row(
    visit, server: str, lang: str
) -> None:
    olga: Visitor = visit("desktop", lang)
    olga.log_in("olga")
    page = olga.open("/console/rejections")
    summary = api(server, "/telemetry/rejections/summary", "olga")
    for kind in ("integrity", "consent", "limit"):
        shown = page.inner_text(f"#refused-{kind} .stat-value").replace(",", "")  # type: ignore[attr-defined]
        assert shown == str(summary["by_kind"][kind]), kind  # type: ignore[index]
    note = page.inner_text("#by-vehicle-note")  # type: ignore[attr-defined]
    assert str(summary["total"]) in note and str(summary["vehicles"]) in note  # type: ignore[index]
    for row in summary["by_code"]:  # type: ignore[index]
        assert page.locator(f"a[href='#/console/rejections?code={row['code']}']").count() == 1  # type: ignore[attr-defined]
    olga.shoot("day-rejections")


def test_chart_legends_name_their_lines_without_empty_values(visit) -> None:
    olga: Visitor = visit("phone", "zh")
    olga.log_in("olga")
    page = olga.open("/console")
    legend = page.inner_text("#emission-chart .u-legend")  # type: ignore[attr-defined]
    assert "挖矿计划" in legend and "—" not in legend and "--" not in legend


def as_operator(server: str, path: str, body: dict[str, object], key: str) -> dict[str, object]:
    token = httpx.post(f"{server}/api/v1/auth/login",
                       json={"username": "olga", "password": PASSWORD}).json()["access_token"]
    answer = httpx.post(f"{server}/api/v1{path}", json=body, timeout=30,
                        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key})
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


def test_a_code_redeemed_again_is_said_to_count_once(visit, server: str) -> None:
    now = int(time.time())
    campaign = as_operator(server, "/activities/campaigns", {
        "name": "Showroom visit", "budget": "100000000", "reward": "50000000",
        "per_owner_cap": 1, "proof": "code", "starts_at": now - 60, "ends_at": now + 86_400,
    }, f"showroom-{now}")
    [code] = as_operator(server, f"/activities/campaigns/{campaign['id']}/codes", {"count": 1},
                         f"showroom-codes-{now}")["codes"]  # type: ignore[index]
    ann: Visitor = visit("phone", "zh")
    ann.log_in("ann")
    before = int(api(server, "/wallet", "ann")["balance"]["pebbles"])  # type: ignore[index]
    for attempt in range(2):
        page = ann.open("/wallet")  # afresh: the page remembers nothing of the first time
        page.fill("#redeem-form input[name=code]", code)  # type: ignore[attr-defined]
        page.click("#redeem-form button[type=submit]")  # type: ignore[attr-defined]
        told = page.wait_for_selector("#redeem-form .notice-good").inner_text()  # type: ignore[attr-defined]
        assert ("只计一次" in told) == (attempt == 1), told
    after = int(api(server, "/wallet", "ann")["balance"]["pebbles"])  # type: ignore[index]
    assert after - before == 50_000_000  # paid once
    ann.shoot("day-code-redeemed-twice")


def test_the_desk_says_what_an_item_change_did(visit, server: str, scenario) -> None:
    shop: Visitor = visit("phone", "en")
    page = shop.open("/login?merchant=1")
    page.fill("#merchant-form input[name=key]", scenario.merchant_key)  # type: ignore[attr-defined]
    page.click("#merchant-form button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_function("location.hash === '#/merchant'")  # type: ignore[attr-defined]
    shop.ready()
    page.fill("#item-form input[name=sku]", "MUG-DAY")  # type: ignore[attr-defined]
    page.fill("#item-form input[name=title]", "Day mug")  # type: ignore[attr-defined]
    page.fill("#item-form input[name=price]", "12.345678901")  # type: ignore[attr-defined]
    page.click("#item-form button[type=submit]")  # type: ignore[attr-defined]
    refused = page.wait_for_selector("#item-form .problem")  # type: ignore[attr-defined]
    assert refused.get_attribute("data-code") == "refused_here"
    page.fill("#item-form input[name=price]", "12.5")  # type: ignore[attr-defined]
    page.click("#item-form button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_selector("#item-form .notice-good")  # type: ignore[attr-defined]
    [mug] = [i for i in httpx.get(f"{server}/api/v1/store/merchants/me/items",
                                  headers={"X-API-Key": scenario.merchant_key}).json()
             if i["sku"] == "MUG-DAY"]
    edit = f"[data-edit-item='{mug['id']}']"
    page.click(f"{edit} summary")  # type: ignore[attr-defined]
    page.fill(f"{edit} input[name=price]", "9")  # type: ignore[attr-defined]
    page.click(f"{edit} button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        "document.querySelector('#items-told')?.textContent.includes('Day mug now costs 9 stones')")
    page.click(f"{edit} summary")  # type: ignore[attr-defined]
    page.click(f"[data-toggle-item='{mug['id']}']")  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        "document.querySelector('#items-told')?.textContent.includes('withdrawn from sale')")
    assert "withdrawn" in page.inner_text("#merchant-items")  # type: ignore[attr-defined]
    listed = httpx.get(f"{server}/api/v1/store/items").json()
    assert mug["id"] not in [i["id"] for i in listed]  # off the owners' catalogue
    shop.shoot("day-item-changed")
