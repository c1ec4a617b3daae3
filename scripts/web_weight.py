"""Page weight and time to interactive of the web app on a phone, in Debian's Chromium.

Run against a served program (`milestone serve`), e.g. over the demo's data directory:

    .venv/bin/python scripts/web_weight.py http://127.0.0.1:8000 --owner owner1 --operator operator \
        --merchant-key-file DATA_DIR/merchant-desk.key

Each role gets a fresh tab at 390x844 in Chinese over an emulated 4G link (9 Mbit/s down,
1.5 up, 60 ms round trip). Its first page is loaded cold (the browser's cache disabled, so the
app's script, styles and the page's data all come over the wire: what a person opening a link
waits for); the role's other pages are then opened from within the app, as a person taps a tab
(only their data and any code loaded on demand). For each it prints the bytes on the wire
(compressed, as sent) and the time from navigation until the page has rendered its data
(`#page[data-ready]`: its buttons work, which is its time to interactive), with each time as a
ratio to the first page's, and the machine's load average (the times depend on it).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

PHONE = {"width": 390, "height": 844}
FOUR_G = {"offline": False, "latency": 60, "downloadThroughput": 9_000_000 / 8,
          "uploadThroughput": 1_500_000 / 8}
PAGES = {
    None: ["/explorer", "/explorer/epochs", "/explorer/verify"],
    "owner": ["/wallet", "/wallet/drops", "/wallet/store", "/wallet/consent"],
    "operator": ["/console", "/console/epochs", "/console/rejections", "/console/campaigns",
                 "/console/dividends"],
    "merchant": ["/merchant"],
}
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base")
    parser.add_argument("--owner", default="owner1")
    parser.add_argument("--operator", default="operator")
    parser.add_argument("--password", default="milestone-demo")
    parser.add_argument("--merchant-key-file", type=Path, help="the merchant desk's API key")
    args = parser.parse_args()
    users = {"owner": args.owner, "operator": args.operator}
    if args.merchant_key_file is None:
        del PAGES["merchant"]
    rows: list[tuple[str, str, int, float]] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=CHROMIUM_FLAGS)
        for role, paths in PAGES.items():
            context = browser.new_context(viewport=PHONE, locale="zh-CN")
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", FOUR_G)
            wire: list[int] = []
            cdp.on("Network.loadingFinished", lambda e: wire.append(int(e["encodedDataLength"])))
            if role == "merchant":
                page.goto(f"{args.base}/#/login?merchant=1")
                page.fill("#merchant-form input[name=key]", args.merchant_key_file.read_text().strip())
                page.click("#merchant-form button[type=submit]")
                page.wait_for_selector("#page[data-ready][data-path='/merchant']")
            elif role is not None:
                page.goto(f"{args.base}/#/login")
                page.wait_for_selector("#login-form")
                page.fill("#login-form input[name=username]", users[role])
                page.fill("#login-form input[name=password]", args.password)
                page.click("#login-form button[type=submit]")
                page.wait_for_function("!location.hash.startsWith('#/login')")
            for number, path in enumerate(paths):
                cold = number == 0
                cdp.send("Network.setCacheDisabled", {"cacheDisabled": cold})
                wire.clear()
                start = time.perf_counter()
                if cold:  # the whole app again, as from a link (the session stays in the tab)
                    page.goto(f"{args.base}/#{path}")
                    if role is not None:
                        page.reload()
                else:
                    page.evaluate(f"location.hash = '{path}'")
                page.wait_for_selector(f"#page[data-ready][data-path='{path}']", timeout=60_000)
                ready = time.perf_counter() - start
                page.wait_for_load_state("networkidle")  # the lazy chart and chain reads count too
                rows.append((role or "public", path + (" (cold)" if cold else ""), sum(wire), ready))
            context.close()
        browser.close()
    first = rows[0][3]
    print(f"load average {' '.join(f'{load:.1f}' for load in os.getloadavg())}")
    print(f"{'role':<9} {'page':<27} {'kB on wire':>10} {'ready (s)':>9} {'x first':>8}")
    for role, path, size, ready in rows:
        print(f"{role:<9} {path:<27} {size / 1000:>10.1f} {ready:>9.2f} {ready / first:>8.2f}")


if __name__ == "__main__":
    main()
