"""The public statistics pages in the browser: a reader, not signed in, opens the statistics
home, a published release and one of its tables (chart drawn, withheld cells shown with the
symbol and explained in the legend), in Estonian and in English. Every page is axe-clean."""

import pytest

from seire.publishing import services
from tests.browser.conftest import axe, describe, screenshot
from tests.publishing.conftest import AFTER, make_episodes, make_release

pytestmark = pytest.mark.browser


def test_a_reader_opens_a_release_and_its_table(new_page, cast):
    make_episodes(cast)
    release = make_release()
    services.publish(release, now=AFTER)
    for language, heading in (("et", "Ohvriabi statistika"), ("en", "Victim support statistics")):
        page = new_page(language=language)
        page.goto("/statistics/")
        assert page.inner_text("h1") == heading
        assert not axe(page), describe(axe(page))
        screenshot(page, f"statistics-home-{language}")
        with page.expect_navigation():
            page.click(f"a[href='/statistics/{release.code}/']")
        assert not axe(page), describe(axe(page))
        with page.expect_navigation():
            page.click(f"a[href='/statistics/{release.code}/tables/crime-county/']")
        page.wait_for_selector(".chart__canvas--drawn svg")
        screenshot(page, f"statistics-chart-{language}")
        assert not axe(page), describe(axe(page))
        page.go_back()
        with page.expect_navigation():
            page.click(f"a[href='/statistics/{release.code}/tables/month-gender/']")
        assert page.locator(".stat-table__symbol").count() > 0
        assert page.locator(".legend li").first.inner_text().startswith("x —")
        screenshot(page, f"statistics-table-{language}")
        violations = axe(page)
        assert not violations, describe(violations)
