"""A passport, the handbook and a data-collection guide in a real browser, in Estonian and English.

Mari (a manager) reads them; every page must have no serious or critical axe-core violation
and leaves a screenshot in tests/browser/screenshots/ for a person to look at (the PDFs of
the same templates are checked as PNGs by hand: see tests/metrics/test_docs_views.py).
"""

import pytest

from tests.browser.conftest import PHONE, axe, describe, login, screenshot
from tests.collection import conftest as collection
from tests.metrics.docs_data import DEFINITION, dv_share_metric

pytestmark = pytest.mark.browser

vs_monthly = collection.vs_monthly  # the statistics table of tests/collection, as a fixture here

LANGUAGES = ["et", "en"]
RULE = {
    "et": "Uued kliendid (Kokku) peab võrduma Uued kliendid (Naised) + Uued kliendid (Mehed) "
    "+ Uued kliendid (Teadmata)",
    "en": "New clients (Total) must equal New clients (Women) + New clients (Men) + "
    "New clients (Unknown)",
}


@pytest.fixture
def dv_share(cast):
    return dv_share_metric(cast)


def assert_clean(page, language: str, heading: str, name: str) -> None:
    assert page.get_attribute("html", "lang") == language
    assert page.inner_text("h1").strip() == heading
    violations = axe(page)
    screenshot(page, name)
    assert not violations, describe(violations)


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_shows_a_passport(new_page, cast, dv_share, language):
    page = new_page(language)
    login(page, cast.mari)
    page.goto("/metrics/VS_DV_SHARE/passport/")
    name = {"et": dv_share.name_et, "en": dv_share.name_en}[language]
    assert DEFINITION[language] in page.inner_text(".docs-definition")
    assert_clean(page, language, name, f"docs-passport-{language}")
    with page.expect_response(lambda r: r.url.endswith("/passport/pdf/")) as pdf:
        page.evaluate("url => fetch(url)", page.get_attribute(".docs-actions a", "href"))
    assert pdf.value.headers["content-type"] == "application/pdf"


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_shows_a_guide(new_page, cast, vs_monthly, language):
    page = new_page(language)
    login(page, cast.paul)
    heading = {"et": "Ohvriabi kuutabel", "en": "Victim support monthly table"}[language]
    page.goto("/metrics/guides/")
    page.click(f"text={heading}")
    assert RULE[language] in page.inner_text("#rules ~ .table-wrap")
    assert_clean(page, language, heading, f"docs-guide-{language}")


def test_it_shows_the_handbook_on_a_phone(new_page, cast, dv_share):
    page = new_page("et", viewport=PHONE)
    login(page, cast.olev)
    page.goto("/metrics/handbook/")
    page.click("text=Lähisuhtevägivalla juhtumite osakaal")
    assert page.url.endswith("#passport-VS_DV_SHARE")
    assert_clean(page, "et", "Mõõdikute käsiraamat", "docs-handbook-phone-et")
