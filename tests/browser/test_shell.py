"""The shell in a real browser: sign-in, each role's home page, languages, errors, access.

Every page looked at here must have no serious or critical axe-core violation, and leaves a
screenshot in tests/browser/screenshots/ for a person to check.
"""

import pytest

from tests.browser.conftest import PHONE, axe, describe, login, screenshot

pytestmark = pytest.mark.browser

HEADINGS = {
    "login": {"et": "Logi sisse", "en": "Sign in"},
    "analyst": {"et": "Analüütiku töölaud", "en": "Analyst workspace"},
    "service_owner": {"et": "Teenuseomaniku töölaud", "en": "Service owner workspace"},
    "manager": {"et": "Juhi ülevaade", "en": "Manager overview"},
    "provider": {"et": "Teenuseosutaja töölaud", "en": "Provider workspace"},
    "no_role": {"et": "Teie kontol pole veel rolli", "en": "Your account has no role yet"},
}
PERSONA = {
    "analyst": "ann",
    "service_owner": "olev",
    "manager": "mari",
    "provider": "paul",
    "no_role": "rein",
}
LANGUAGES = ["et", "en"]


def assert_page(page, heading: str, language: str, name: str) -> None:
    """The page is in `language`, its h1 is `heading`, axe is clean; a screenshot is saved."""
    assert page.get_attribute("html", "lang") == language
    assert page.inner_text("h1").strip() == heading
    violations = axe(page)
    screenshot(page, name)
    assert not violations, describe(violations)


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_shows_the_login_page(new_page, language):
    page = new_page(language)
    page.goto("/")
    assert "/login/" in page.url
    assert_page(page, HEADINGS["login"][language], language, f"login-{language}")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", list(PERSONA))
def test_it_shows_each_role_its_home_page(new_page, live_server, cast, role, language):
    page = new_page(language)
    user = getattr(cast, PERSONA[role])
    login(page, user)
    assert page.url == f"{live_server.url}/"
    assert_page(page, HEADINGS[role][language], language, f"home-{role}-{language}")
    assert user.first_name in page.inner_text("header")


def test_it_lists_the_providers_units_and_services(page, cast):
    login(page, cast.paul)
    units = page.locator("#card-units + ul").inner_text()
    assert cast.harju_vs.name_et in units
    assert cast.tartu_vs.name_et not in units
    assert cast.vs.name_et in page.locator("#card-services + ul").inner_text()


def test_it_shows_an_error_for_a_wrong_password(new_page, cast):
    page = new_page("en")
    login(page, cast.paul, password="not-the-password")
    assert "/login/" in page.url
    summary = page.locator(".error-summary")
    assert summary.get_attribute("role") == "alert"
    assert "Please enter a correct username and password" in summary.inner_text()
    assert page.input_value("#id_username") == "paul"
    assert_page(page, HEADINGS["login"]["en"], "en", "login-error-en")


def test_it_pauses_sign_in_after_repeated_failures(new_page, cast, settings):
    settings.AXES_FAILURE_LIMIT = 2
    page = new_page("en")
    login(page, cast.paul, password="wrong-1")
    page.fill("#id_username", "paul")
    page.fill("#id_password", "wrong-2")
    with page.expect_navigation() as navigation:
        page.click("form.form button[type=submit]")
    assert navigation.value.status == 429
    assert_page(page, "Sign-in is paused for now", "en", "locked-out-en")


def test_the_language_switch_works_without_javascript(new_page, cast):
    page = new_page("et", javascript=False)
    login(page, cast.paul)
    assert page.inner_text("h1") == HEADINGS["provider"]["et"]

    with page.expect_navigation():
        page.click("button[name=language][value=en]")
    assert page.get_attribute("html", "lang") == "en"
    assert page.inner_text("h1") == HEADINGS["provider"]["en"]

    with page.expect_navigation():
        page.click("button[name=language][value=ru]")
    assert page.get_attribute("html", "lang") == "ru"
    assert page.inner_text("h1") == "Рабочее место поставщика услуг"
    screenshot(page, "home-provider-ru")  # axe needs JavaScript: the other tests run it


def test_it_signs_out_with_a_post(page, cast):
    login(page, cast.ann)
    with page.expect_navigation():
        page.click("form.account__logout button")
    assert "/login/" in page.url
    page.goto("/")
    assert "/login/" in page.url
    assert page.inner_text("h1") == HEADINGS["login"]["et"]


def test_it_shows_a_provider_the_403_page_for_another_unit(new_page, cast):
    page = new_page("en")
    login(page, cast.paul)
    response = page.goto(f"/organisation/units/{cast.tartu_vs.pk}/")
    assert response.status == 403
    assert_page(page, "You do not have access to this page", "en", "403-en")


def test_it_shows_the_404_page(new_page, cast):
    page = new_page("en")
    login(page, cast.paul)
    response = page.goto("/no-such-page/")
    assert response.status == 404
    assert_page(page, "Page not found", "en", "404-en")


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_shows_the_analyst_the_organisation_pages(new_page, cast, language):
    page = new_page(language)
    login(page, cast.ann)
    pages = {
        "units": "/organisation/",
        "unit": f"/organisation/units/{cast.harju_vs.pk}/",
        "services": "/organisation/services/",
        "service": f"/organisation/services/{cast.vs.code}/",
    }
    for name, url in pages.items():
        response = page.goto(url)
        assert response.status == 200, url
        violations = axe(page)
        screenshot(page, f"organisation-{name}-{language}")
        assert not violations, f"{url}\n{describe(violations)}"
    page.goto("/organisation/")
    assert page.locator(".tree__item").count() == 8


@pytest.mark.parametrize("name", ["login", "provider"])
def test_it_fits_a_phone_screen(new_page, cast, name):
    page = new_page("et", viewport=PHONE)
    if name == "login":
        page.goto("/login/")
    else:
        login(page, cast.paul)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    violations = axe(page)
    screenshot(page, f"phone-{name}-et")
    assert not violations, describe(violations)


def test_it_renders_the_500_page_without_a_context(rf):
    from django.utils import translation
    from django.views.defaults import server_error

    with translation.override("en"):
        response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_the_skip_link_comes_first_and_shows_on_focus(page, cast):
    login(page, cast.paul)
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert skip.bounding_box()["y"] >= 0
    screenshot(page, "skip-link-focused-et")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
