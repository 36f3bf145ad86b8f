"""The browser harness: Debian's Chromium driven by Playwright against pytest-django's live server.

One browser for the whole session, a fresh context (cookies, language) per test. Helpers:
`login(page, user)` signs in through the real form, `axe(page)` returns the serious and
critical accessibility violations axe-core finds, `screenshot(page, name)` saves a PNG to
tests/browser/screenshots/ (gitignored) for a person to look at.
"""

import os
from pathlib import Path

import pytest

from tests.conftest import PASSWORD

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run in a
# thread with a running loop unless told that this is safe (it is: the loop never awaits ORM).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HERE = Path(__file__).resolve().parent
AXE_JS = HERE / "vendor" / "axe.min.js"
SCREENSHOTS = HERE / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's chromium package "
            "(`make` installs it; by hand: apt-get install chromium).",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """A factory of pages in fresh contexts: `new_page(language="en", javascript=False)`."""
    contexts = []

    def make(language: str = "et", javascript: bool = True, viewport: dict = DESKTOP):
        context = browser.new_context(
            base_url=live_server.url,
            locale="et-EE",
            viewport=viewport,
            java_script_enabled=javascript,
        )
        # The language cookie is what the language switch sets (LocaleMiddleware reads it).
        context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """A page in Estonian (the default language) with JavaScript on."""
    return new_page()


def login(page, user, password: str = PASSWORD) -> None:
    """Sign `user` in through the login form and wait for the home page."""
    page.goto("/login/")
    page.fill("#id_username", user.get_username())
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("form.form button[type=submit]")


def axe(page) -> list[dict]:
    """The serious and critical violations axe-core finds on the page as it is now."""
    # Evaluated through the DevTools protocol: the page's Content-Security-Policy (no inline
    # script) would refuse an injected <script> tag, and it stays on for these tests.
    page.evaluate(AXE_JS.read_text() + "\n;undefined")
    violations = page.evaluate("async () => (await axe.run(document)).violations")
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def describe(violations: list[dict]) -> str:
    """Violations as readable lines for an assertion message."""
    lines = []
    for v in violations:
        targets = ", ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        lines.append(f"{v['impact']}: {v['id']} — {v['help']} ({targets})")
    return "\n".join(lines)


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
