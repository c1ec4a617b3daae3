"""Page weight and time to interactive of the web app on a phone, in Debian's Chromium.

Run against a served program (`milestone serve`), e.g. over the demo's data directory:

    .venv/bin/python scripts/web_weight.py http://127.0.0.1:8000 --owner owner1 --operator operator

Each page is opened in a fresh tab at 390x844 over an emulated 4G link (9 Mbit/s down,
1.5 up, 60 ms round trip, cache cold for the first page, warm after); it prints the bytes on the
wire (compressed, as sent) and the time from navigation until the page has rendered its data
(`#page[data-ready]`, when its buttons work), and each page's time as a ratio to the first.
"""

from __future__ import annotations

import argparse
import time

from playwright.sync_api import sync_playwright

PHONE = {"width": 390, "height": 844}
FOUR_G = {"offline": False, "latency": 60, "downloadThroughput": 9_000_000 / 8,
          "uploadThroughput": 1_500_000 / 8}
PAGES = {
    None: ["/explorer", "/explorer/epochs", "/explorer/verify"],
    "owner": ["/wallet", "/wallet/drops", "/wallet/store", "/wallet/consent"],
    "operator": ["/console", "/console/epochs", "/console/rejections", "/console/dividends"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base")
    parser.add_argument("--owner", default="owner1")
    parser.add_argument("--operator", default="operator")
    parser.add_argument("--password", default="milestone-demo")
    args = parser.parse_args()
    users = {"owner": args.owner, "operator": args.operator}
    rows: list[tuple[str, str, int, float]] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=["--headless", "--no-sandbox"])
        for role, paths in PAGES.items():
            context = browser.new_context(viewport=PHONE, locale="zh-CN")
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", FOUR_G)
            wire: list[int] = []
            cdp.on("Network.loadingFinished", lambda e: wire.append(int(e["encodedDataLength"])))
            if role is not None:
                page.goto(f"{args.base}/#/login")
                page.wait_for_selector("#login-form")
                page.fill("#login-form input[name=username]", users[role])
                page.fill("#login-form input[name=password]", args.password)
                page.click("#login-form button[type=submit]")
                page.wait_for_selector("#page[data-ready]")
            for number, path in enumerate(paths):
                wire.clear()
                start = time.perf_counter()
                if number == 0 and role is None:
                    page.goto(f"{args.base}/#{path}")
                else:
                    page.evaluate(f"location.hash = '{path}'")
                page.wait_for_selector(f"#page[data-ready][data-path='{path}']", timeout=60_000)
                ready = time.perf_counter() - start
                page.wait_for_load_state("networkidle")  # the lazy chart and chain reads count too
                rows.append((role or "public", path, sum(wire), ready))
            context.close()
        browser.close()
    first = rows[0][3]
    print(f"{'role':<9} {'page':<22} {'kB on wire':>10} {'ready (s)':>9} {'x first':>8}")
    for role, path, size, ready in rows:
        print(f"{role:<9} {path:<22} {size / 1000:>10.1f} {ready:>9.2f} {ready / first:>8.2f}")


if __name__ == "__main__":
    main()
