"""The wallet after an owner acts: a code redeemed on its own, figures and history read again
from the API, every refusal in the page's language, and a history short enough for a phone.

Each test signs up an owner of its own (the public sign-up route), so what it does to a balance
touches no other test's owner.
"""

from __future__ import annotations

import itertools
import time

import httpx
import pytest

from .conftest import Visitor
from .scenario import PASSWORD
from .test_app import REFUSED_REQUEST, api
from .test_day_work import as_operator

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group(name="browser")]

HISTORY_PAGE = 20
TWO_LINES_PX = 64
"""A posting's row at most this tall on a phone: two lines of text and the padding."""
UNKNOWN_CODE = {
    "en": "This code is not a campaign code. Check it and type it again.",
    "zh": "这不是有效的活动兑换码，请核对后重新输入。",
}
serial = itertools.count()


def sign_up(server: str, prefix: str) -> tuple[str, dict[str, str]]:
    """A new owner with the scenario's password: username and bearer header."""
    username = f"{prefix}{int(time.time())}{next(serial)}"
    answer = httpx.post(f"{server}/api/v1/owners",
                        json={"username": username, "password": PASSWORD}, timeout=30)
    assert answer.status_code == 201, answer.text
    return username, {"Authorization": f"Bearer {answer.json()['token']['access_token']}"}


def code_campaign(server: str, name: str, count: int) -> tuple[dict[str, object], list[str]]:
    """An open campaign proven by codes, paying 0.01 stone up to `count` times an owner."""
    now = int(time.time())
    campaign = as_operator(server, "/activities/campaigns", {
        "name": f"{name} {now}{next(serial)}", "budget": str(count * 1_000_000),
        "reward": "1000000", "per_owner_cap": count, "proof": "code",
        "starts_at": now - 60, "ends_at": now + 86_400,
    }, f"{name}-{now}-{next(serial)}")
    codes = as_operator(server, f"/activities/campaigns/{campaign['id']}/codes", {"count": count},
                        f"{name}-codes-{now}-{next(serial)}")["codes"]
    return campaign, codes  # type: ignore[return-value]


def shown_lines(page: object) -> list[tuple[str, str, str]]:
    """(kind, amount, balance after) of each history line the page shows, in pebbles."""
    return [tuple(row) for row in page.evaluate(  # type: ignore[attr-defined]
        """() => [...document.querySelectorAll('#history li')].map((li) => [li.dataset.lineKind,
            li.querySelector('.h-amount .amount').dataset.pebbles,
            li.querySelector('.h-after .amount').dataset.pebbles])""")]


def api_lines(server: str, username: str, limit: int = HISTORY_PAGE) -> list[tuple[str, str, str]]:
    page = api(server, f"/wallet/history?limit={limit}", username)
    return [(line["kind"], line["amount"]["pebbles"], line["balance_after"]["pebbles"])
            for line in page["lines"]]  # type: ignore[index]


def assert_figures_are_the_apis(page: object, server: str, username: str) -> None:
    wallet = api(server, "/wallet", username)
    for field in ("balance", "spendable", "earned"):
        shown = page.get_attribute(f"#{field} .amount", "data-pebbles")  # type: ignore[attr-defined]
        assert shown == wallet[field]["pebbles"], field  # type: ignore[index]
    assert shown_lines(page) == api_lines(server, username)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_code_alone_redeems_and_the_wallet_reads_itself_again(
    visit, server: str, lang: str
) -> None:
    username, _ = sign_up(server, f"fresh{lang}")
    campaign, [code] = code_campaign(server, "Store opening", 1)
    owner: Visitor = visit("phone", lang)
    owner.log_in(username)
    page = owner.open("/wallet")
    assert shown_lines(page) == []
    # The number support looks an owner up by is there to read out.
    owner_id = api(server, "/wallet", username)["owner_id"]  # type: ignore[index]
    assert f" {owner_id}" in page.inner_text("#owner-number")  # type: ignore[attr-defined]
    # The owner holds a code, not a campaign: the form asks for the code only.
    assert page.locator("#redeem-form select").count() == 0  # type: ignore[attr-defined]
    page.fill("#redeem-form input[name=code]", f" {code.lower()} ")  # type: ignore[attr-defined]
    page.click("#redeem-form button[type=submit]")  # type: ignore[attr-defined]
    told = page.wait_for_selector("#redeem-form .notice-good").inner_text()  # type: ignore[attr-defined]
    assert str(campaign["name"]) in told
    # The page did not add the reward to what it showed: it read the wallet and history again.
    page.wait_for_function("document.querySelectorAll('#history li').length === 1")  # type: ignore[attr-defined]
    assert shown_lines(page)[0][:2] == ("activity.campaign", "1000000")
    assert_figures_are_the_apis(page, server, username)

    page.click("#checkin")  # type: ignore[attr-defined]
    page.wait_for_selector("#checked-in")  # type: ignore[attr-defined]
    assert page.locator("#checkin").count() == 0  # type: ignore[attr-defined]
    page.wait_for_function("document.querySelectorAll('#history li').length === 2")  # type: ignore[attr-defined]
    assert shown_lines(page)[0][0] == "activity.checkin"
    assert_figures_are_the_apis(page, server, username)

    # A code nobody issued: the code's own message in the page's language, not the API's detail.
    owner.expect_refusals(REFUSED_REQUEST)
    page.fill("#redeem-form input[name=code]", "NOSUCHCODE22")  # type: ignore[attr-defined]
    page.click("#redeem-form button[type=submit]")  # type: ignore[attr-defined]
    refusal = page.wait_for_selector(  # type: ignore[attr-defined]
        "#redeem-form .problem[data-code='unknown_campaign_code']").inner_text()
    assert UNKNOWN_CODE[lang] in refusal
    assert "not a code of any campaign" not in refusal
    owner.assert_fits("/wallet")
    owner.shoot("wallet-redeemed-by-code")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_history_is_two_short_lines_a_posting_and_pages_on(
    visit, server: str, lang: str
) -> None:
    username, headers = sign_up(server, f"history{lang}")
    extra = 3
    _, codes = code_campaign(server, "Club night", HISTORY_PAGE + extra)
    for code in codes:
        answer = httpx.post(f"{server}/api/v1/activities/redemptions", json={"code": code},
                            headers=headers, timeout=30)
        assert answer.status_code == 201, answer.text
    owner: Visitor = visit("phone", lang)
    owner.log_in(username)
    page = owner.open("/wallet")
    assert shown_lines(page) == api_lines(server, username)
    heights = page.evaluate(  # type: ignore[attr-defined]
        "[...document.querySelectorAll('#history li')]"
        ".map((li) => li.getBoundingClientRect().height)")
    assert len(heights) == HISTORY_PAGE
    assert max(heights) <= TWO_LINES_PX, heights
    listed = page.evaluate("document.querySelector('#history').getBoundingClientRect().height")  # type: ignore[attr-defined]
    assert listed <= HISTORY_PAGE * TWO_LINES_PX
    owner.assert_fits("/wallet")
    owner.shoot("wallet-history-compact")
    # The rest, a page further on; then no more to load.
    page.click("#history-more")  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        f"document.querySelectorAll('#history li').length === {HISTORY_PAGE + extra}")
    assert shown_lines(page) == api_lines(server, username, limit=100)
    page.wait_for_selector("#history-more", state="detached")  # type: ignore[attr-defined]
