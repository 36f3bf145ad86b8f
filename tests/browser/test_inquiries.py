"""The query builder in the browser: Ann answers a journalist with a protected table.

A journalist (an external requester) asks how many episodes were opened in 2025 by county
and gender. Ann opens the inquiry's answer table, chooses the measure, the breakdowns and
the year, and previews the table (htmx swaps the preview in): the three men in Harju are a
small count, shown as ".." with a legend. She downloads the CSV: no value in it is below
the threshold of 5 unless it is zero. The page has no serious or critical axe-core
violation, and without JavaScript the same form shows the same preview.
"""

import csv
import io

import pytest

from tests.browser.conftest import AXE_JS, CHROMIUM, DESKTOP, describe, login, screenshot
from tests.inquiries.builders import episodes_2025, make_inquiry

pytestmark = pytest.mark.browser
THRESHOLD = 5


@pytest.fixture
def new_page(browser, live_server):
    """Pages in fresh Estonian contexts; the Content-Security-Policy is bypassed only so
    that axe-core can be injected (the site itself runs no inline script)."""
    assert CHROMIUM.exists()
    contexts = []

    def make(javascript: bool = True):
        context = browser.new_context(
            base_url=live_server.url,
            locale="et-EE",
            viewport=DESKTOP,
            java_script_enabled=javascript,
            bypass_csp=True,
            accept_downloads=True,
        )
        context.add_cookies([{"name": "django_language", "value": "et", "url": live_server.url}])
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def axe_main(page) -> list[dict]:
    """axe-core's serious and critical violations in the page's own content (`main`): the
    shared header is checked by the shell's tests."""
    page.add_script_tag(path=str(AXE_JS))
    violations = page.evaluate("async () => (await axe.run('main')).violations")
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def build_query(page) -> None:
    page.select_option("#id_measure", "episodes")
    for box in page.locator("input[name=dims]").all():
        if box.is_checked():
            box.uncheck()
    page.check("input[name=dims][value=county]")
    page.check("input[name=dims][value=gender]")
    page.fill("#id_period_from", "2025")
    page.fill("#id_period_to", "2025")
    page.select_option("#id_granularity", "year")


def test_the_analyst_builds_previews_and_exports_a_protected_answer(new_page, cast):
    episodes_2025(cast)
    inquiry = make_inquiry(requester_type="media", organisation="ERR")
    page = new_page()
    login(page, cast.ann)
    page.goto(f"/inquiries/{inquiry.pk}/query/")
    build_query(page)
    page.click("form.query-form button[type=submit]")
    page.wait_for_selector("#preview table.cube")
    assert "/inquiries/" in page.url and "measure=episodes" in page.url  # htmx pushed the URL
    harju = page.locator("#preview table.cube tbody tr", has_text="Harju")
    assert ".." in harju.inner_text()
    assert page.locator("#preview .legend").is_visible()
    screenshot(page, "inquiry-query-et")
    violations = axe_main(page)
    assert not violations, describe(violations)

    with page.expect_download() as download:
        page.click("#preview a[href*='format=csv']")
    data = download.value.path().read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(data)))
    assert len(rows) == 12  # (2 counties + total) × (3 genders + total)
    values = [int(r["value"]) for r in rows if r["value"] != ""]
    assert values, "nothing published"
    sensitive = [v for v in values if 0 < v < THRESHOLD]
    assert not sensitive, f"small counts in the export: {sensitive}"
    assert any(r["flag"] == "confidential" for r in rows)

    # Attached to the answer, the files are listed on the inquiry; the register marks it.
    with page.expect_navigation():
        page.click("#preview form button[type=submit]")
    assert page.locator("a[href*='/files/']").count() == 2
    screenshot(page, "inquiry-detail-et")
    violations = axe_main(page)
    assert not violations, describe(violations)
    page.goto("/inquiries/")
    assert page.locator("table.inquiries tbody tr").count() == 1
    screenshot(page, "inquiry-register-et")
    violations = axe_main(page)
    assert not violations, describe(violations)
    page.goto("/inquiries/new/")
    screenshot(page, "inquiry-form-et")
    violations = axe_main(page)
    assert not violations, describe(violations)


def test_without_javascript_the_form_shows_the_same_preview(new_page, cast):
    episodes_2025(cast)
    inquiry = make_inquiry(requester_type="public", organisation="")
    page = new_page(javascript=False)
    login(page, cast.ann)
    page.goto(f"/inquiries/{inquiry.pk}/query/")
    build_query(page)
    with page.expect_navigation():
        page.click("form.query-form button[type=submit]")
    assert page.locator("#preview table.cube").count() == 1
    assert page.locator("h1").count() == 1  # the whole page, not a fragment
