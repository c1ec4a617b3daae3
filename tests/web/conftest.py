"""Browser tests: Debian's Chromium, driven by Playwright, against `milestone serve` on loopback.

The server runs in its own process on a free port over a data directory holding a settled
program (`scenario.build_scenario`), and serves the web app built by `make web`. Every page is
opened at phone and desktop size; each one's screenshot goes to `test-artifacts/screens/`,
and any console error or uncaught exception on it fails the test.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from milestone.api.app import WEB_DIST

from .scenario import PASSWORD, Scenario, build_scenario

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update",
]
SCREENS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screens"
AXE = Path(__file__).resolve().parents[2] / "web" / "node_modules" / "axe-core" / "axe.min.js"
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
LOCALES = {"en": "en-US", "zh": "zh-CN"}
SERVER_STARTUP_SECONDS = 90
PAGE_TIMEOUT_MS = 20_000



@pytest.fixture(scope="session")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    if not (WEB_DIST / "index.html").is_file():
        pytest.fail("the web app is not built: run `make web` (make test does)")
    return build_scenario(tmp_path_factory.mktemp("web") / "data", int(time.time()))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def server(scenario: Scenario, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`milestone serve` on a free loopback port; its base URL."""
    port = free_port()
    log = (tmp_path_factory.mktemp("server") / "serve.log").open("w")
    env = {
        **os.environ,
        "MILESTONE_API_LOGIN_PER_MINUTE": "1000",
        "MILESTONE_API_WRITES_PER_MINUTE": "1000",
    }
    env.pop("MILESTONE_CHAIN_URL", None)
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "milestone"), "serve", "--port", str(port),
         "--data-dir", str(scenario.data_dir), "--database-url", scenario.database_url,
         "--no-access-log"],
        stdout=log, stderr=subprocess.STDOUT, env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(base, process, Path(log.name))
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def wait_for_health(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + SERVER_STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"milestone serve exited {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    pytest.fail(f"milestone serve did not become healthy:\n{log.read_text()}")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: run `make browser` (make test does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@dataclass
class Visitor:
    """One person at one screen size: a browser context, its page, and what its console said."""

    base: str
    size: str
    page: object
    errors: list[str] = field(default_factory=list)
    allowed: list[re.Pattern[str]] = field(default_factory=list)
    lang: str = "en"

    def open(self, path: str) -> object:
        """Open the app at `#path` (afresh, if it is there already) and wait until it is ready."""
        page = self.page
        url = f"{self.base}/#{path}"
        if page.url == url:  # type: ignore[attr-defined]
            page.reload()  # type: ignore[attr-defined]
        else:
            page.goto(url)  # type: ignore[attr-defined]
        return self.ready(path.split("?")[0])

    def ready(self, path: str | None = None) -> object:
        """Wait until the page at `path` (or whichever is showing) has rendered its data."""
        page = self.page
        selector = "#page[data-ready]" if path is None else f"#page[data-ready][data-path='{path}']"
        page.wait_for_selector(selector, timeout=PAGE_TIMEOUT_MS)  # type: ignore[attr-defined]
        page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
        return page

    def shoot(self, name: str) -> Path:
        """A full-page screenshot, and no console error so far."""
        SCREENS.mkdir(parents=True, exist_ok=True)
        suffix = "" if self.lang == "en" else f"-{self.lang}"
        path = SCREENS / f"{name}-{self.size}{suffix}.png"
        self.page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
        self.assert_clean(name)
        return path

    def assert_fits(self, where: str) -> None:
        """Nothing on the page is wider than the viewport: no sideways scrolling."""
        overflow = self.page.evaluate(  # type: ignore[attr-defined]
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{where} ({self.size}, {self.lang}) scrolls sideways by {overflow}px"

    def assert_accessible(self, where: str) -> None:
        """axe-core, injected into the page, finds no serious or critical violation."""
        page = self.page
        if not page.evaluate("typeof window.axe !== 'undefined'"):  # type: ignore[attr-defined]
            page.add_script_tag(path=str(AXE))  # type: ignore[attr-defined]
        violations = page.evaluate(  # type: ignore[attr-defined]
            """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
                .filter((v) => v.impact === 'serious' || v.impact === 'critical')
                .map((v) => `${v.id}: ${v.help} `
                    + `(${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ')})`)"""
        )
        assert violations == [], f"{where} ({self.size}, {self.lang}): {violations}"

    def expect_refusals(self, *patterns: str) -> None:
        """Console lines the test provokes on purpose (a refused request logs one)."""
        self.allowed.extend(re.compile(pattern) for pattern in patterns)

    def assert_clean(self, where: str) -> None:
        unexpected = [e for e in self.errors if not any(p.search(e) for p in self.allowed)]
        assert unexpected == [], f"console errors on {where} ({self.size}): {unexpected}"

    def log_in(self, username: str) -> None:
        page = self.open("/login")
        page.fill("#login-form input[name=username]", username)  # type: ignore[attr-defined]
        page.fill("#login-form input[name=password]", PASSWORD)  # type: ignore[attr-defined]
        page.click("#login-form button[type=submit]")  # type: ignore[attr-defined]
        page.wait_for_function("!location.hash.startsWith('#/login')")  # type: ignore[attr-defined]
        self.ready()


@pytest.fixture
def visit(browser: object, server: str) -> Iterator[object]:
    """`visit(size)`: a fresh visitor (own storage) at phone or desktop size."""
    contexts = []

    def make(size: str, lang: str = "en") -> Visitor:
        # The browser's language picks the app's (until the visitor switches it).
        context = browser.new_context(  # type: ignore[attr-defined]
            viewport=SIZES[size], device_scale_factor=1, locale=LOCALES[lang],
        )
        context.set_default_timeout(PAGE_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        visitor = Visitor(server, size, page, lang=lang)
        page.on("console", lambda m: m.type == "error" and visitor.errors.append(m.text))
        page.on("pageerror", lambda e: visitor.errors.append(f"uncaught: {e}"))
        return visitor

    yield make
    for context in contexts:
        context.close()
