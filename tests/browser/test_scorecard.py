"""The scorecard in the browser: Ann filters it by service, opens a metric, sees its chart.

Ann, the analyst, opens the scorecard in Estonian (the default language), narrows it to
general victim support, and opens "contact within two working days" from it. The metric's
page draws its chart with the vendored vega-embed (an SVG inside the chart's container,
replacing the fallback) next to the table of the same numbers. Then the quarterly overview
of the service. Each page leaves a screenshot and must have no serious or critical
axe-core violation; without JavaScript, the overview still shows its server-drawn charts.
"""

import pytest

from tests.browser.conftest import PHONE, axe, describe, login, screenshot
from tests.metrics.scorecard_data import showcase

pytestmark = pytest.mark.browser


def assert_accessible(page):
    violations = axe(page)
    assert not violations, describe(violations)


def test_the_analyst_filters_the_scorecard_and_opens_a_metric_chart(new_page, cast):
    showcase(cast)
    page = new_page()
    login(page, cast.ann)
    page.goto("/")
    with page.expect_navigation():
        page.click("nav.site-nav >> text=Mõõdikud")
    assert page.inner_text("h1") == "Mõõdikute koondvaade"
    assert page.locator(".scorecard tbody th[scope=row]").count() == 4
    assert page.locator(".scorecard .rag").first.inner_text() != ""
    screenshot(page, "scorecard-et")
    assert_accessible(page)

    page.select_option("#id_service", "VS")
    with page.expect_navigation():
        page.click("form.board-filter button[type=submit]")
    names = page.locator(".scorecard tbody th[scope=row] a").all_inner_texts()
    assert names == [
        "Ohvriabiteenuse kliendid",
        "Kontakt kahe tööpäeva jooksul",
        "Ooteaja mediaan",
    ]
    contact = page.locator(".scorecard tbody tr", has_text="Kontakt kahe tööpäeva jooksul")
    assert "89,0\u00a0%" in contact.inner_text()
    assert "sihttaseme lähedal" in contact.inner_text()  # 89 is short of 90, above 80
    screenshot(page, "scorecard-vs-et")

    with page.expect_navigation():
        page.click("text=Kontakt kahe tööpäeva jooksul")
    assert page.inner_text("h1") == "Kontakt kahe tööpäeva jooksul"
    page.wait_for_selector("#metric-chart svg.marks", state="attached")
    assert page.locator("#metric-chart svg").count() >= 1
    assert page.locator("[data-chart-fallback='metric-chart']").is_hidden()
    page.locator("#metric-chart .mark-symbol path").last.hover()
    tooltip = page.locator("#vg-tooltip-element.visible")
    tooltip.wait_for()
    assert tooltip.inner_text().strip() == "2026 I kvartal: 89,0\u00a0%"
    assert page.locator("#series-table tbody tr").count() == 9
    assert page.locator("#areas-caption").count() == 1
    screenshot(page, "metric-et")
    assert_accessible(page)

    phone = new_page(viewport=PHONE)
    login(phone, cast.ann)
    phone.goto("/metrics/scorecard/")
    screenshot(phone, "scorecard-phone-et")
    assert_accessible(phone)


def test_the_overview_shows_its_charts_with_and_without_javascript(new_page, cast):
    showcase(cast)
    page = new_page()
    login(page, cast.ann)
    page.goto("/metrics/overview/VS/2026Q1/")
    page.fill("#id_commentary", "Kontakt kahe tööpäeva jooksul paranes teist kvartalit järjest.")
    with page.expect_navigation():
        page.click("text=Salvesta kommentaar")
    assert page.locator(".message--success").is_visible()
    page.wait_for_selector("#chart-1 svg.marks", state="attached")
    screenshot(page, "overview-et")
    assert_accessible(page)

    static = new_page(javascript=False)
    login(static, cast.mari)
    static.goto("/metrics/overview/VS/2026Q1/")
    assert "paranes teist kvartalit" in static.inner_text(".overview-commentary")
    assert static.locator(".chart__fallback svg.marks").count() == 3
    assert static.locator("textarea").count() == 0
