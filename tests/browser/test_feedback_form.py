"""A respondent on a phone gives feedback, in Estonian, Russian and English, with and without
JavaScript, and can leave at once: by the quick exit button or by pressing Shift three times,
after which Back does not bring the form back.

The neutral site of the quick exit is answered by a stub (the tests reach no other site).
Every page looked at must have no serious or critical axe-core violation and leaves a
screenshot in tests/browser/screenshots/.
"""

import pytest
from django.urls import reverse

from seire.catalogue.loader import DEFAULT_DIRECTORY, read_yaml
from seire.feedback import catalogue
from seire.feedback.models import Answer, Response
from tests.browser.conftest import axe, describe, screenshot

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
NEUTRAL_SITE = "https://www.ilm.ee/"
TEXT = {
    "et": {
        "heading": "Tagasiside ohvriabile",
        "yes": "Jah",
        "satisfied": "Pigem rahul",
        "comment": "Töötaja kuulas mind ära. Minu number on 5123 4567.",
        "send": "Saada tagasiside",
        "thanks": "Aitäh tagasiside eest",
        "exit": "Lahku kiiresti",
        "two_more": "Shift, vajutage veel 2 korda, et lahkuda.",
    },
    "ru": {
        "heading": "Отзыв о помощи пострадавшим",
        "yes": "Да",
        "satisfied": "Скорее удовлетворены",
        "comment": "Сотрудник меня выслушал. Мой номер 5123 4567.",
        "send": "Отправить отзыв",
        "thanks": "Спасибо за ваш отзыв",
        "exit": "Быстрый выход",
        "two_more": "Shift: нажмите ещё 2 раза, чтобы выйти.",
    },
    "en": {
        "heading": "Feedback on victim support",
        "yes": "Yes",
        "satisfied": "Satisfied",
        "comment": "The worker listened to me. My number is 5123 4567.",
        "send": "Send feedback",
        "thanks": "Thank you for your feedback",
        "exit": "Exit this page",
        "two_more": "Shift, press 2 more times to exit.",
    },
}


@pytest.fixture
def surveys(cast):
    catalogue.load(read_yaml(DEFAULT_DIRECTORY / "surveys.yaml"))


@pytest.fixture
def phone(new_page, surveys):
    """A phone-sized page factory whose quick exit lands on a stub of the neutral site."""

    def make(javascript: bool = True):
        page = new_page(javascript=javascript, viewport=PHONE)
        page.context.route(
            f"{NEUTRAL_SITE}**",
            lambda route: route.fulfill(
                content_type="text/html", body="<title>Ilm</title><h1>Ilmateade</h1>"
            ),
        )
        return page

    return make


def form_url(lang: str, unit: str = "HARJU-VS", survey: str = "vs-client") -> str:
    return f"{reverse('feedback:unit_survey', args=[survey, unit])}?lang={lang}"


def question(page, code: str):
    return page.locator(f".question:has([name=q_{code}])")


def fill_client_survey(page, lang: str) -> None:
    text = TEXT[lang]
    question(page, "satisfaction").get_by_label(text["satisfied"], exact=True).check()
    question(page, "respected").get_by_label(text["yes"], exact=True).check()
    question(page, "effort").get_by_label("6", exact=True).check()
    question(page, "recommend").get_by_label("9", exact=True).check()
    page.fill("#id_q_comment", text["comment"])


def shoot(page, name: str) -> None:
    """A full-page screenshot from the top (where the sticky quick exit sits)."""
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, name)


def assert_accessible(page) -> None:
    violations = axe(page)
    assert not violations, describe(violations)


def assert_not_the_form(page) -> None:
    assert "/feedback/" not in page.url, page.url
    assert page.locator("form[data-survey-form]").count() == 0


@pytest.mark.parametrize("lang", ["et", "ru", "en"])
def test_a_respondent_gives_feedback_on_a_phone(phone, cast, lang):
    text = TEXT[lang]
    page = phone()
    page.goto(form_url(lang))
    assert page.get_attribute("html", "lang") == lang
    assert page.inner_text("h1") == text["heading"]
    assert page.locator(".quick-exit__button").is_visible()
    assert text["exit"] in page.inner_text(".quick-exit__button")
    contact = page.locator("#id_contact")
    assert not contact.is_visible()  # until "yes, contact me" is chosen
    fill_client_survey(page, lang)
    question(page, "contact").get_by_label(text["yes"], exact=True).check()
    assert contact.is_visible()
    contact.fill("mari@example.ee, pärast kella 17")
    shoot(page, f"feedback-form-{lang}")
    assert_accessible(page)

    page.get_by_role("button", name=text["send"]).click()
    page.wait_for_url("**/feedback/thanks/**")
    assert page.inner_text("h1") == text["thanks"]
    assert text["exit"] in page.inner_text(".quick-exit__button")
    shoot(page, f"feedback-thanks-{lang}")
    assert_accessible(page)

    response = Response.objects.get()
    assert (response.language, response.unit, response.wants_contact) == (lang, cast.harju_vs, True)
    comment = Answer.objects.get(question__code="comment")
    assert "5123 4567" not in comment.text_redacted
    assert "[telefon]" in comment.text_redacted
    # The thank-you page took the form's place in the history.
    page.go_back()
    assert_not_the_form(page)


def test_a_respondent_without_javascript_gives_feedback(phone, cast):
    page = phone(javascript=False)
    page.goto(form_url("et"))
    contact = page.locator("#id_contact")
    assert contact.is_visible()  # always shown, with a hint when to fill it in
    assert "Täitke ainult siis, kui valisite „Jah”." in page.inner_text(".contact")
    with page.expect_navigation():
        page.get_by_role("button", name=TEXT["et"]["send"]).click()
    summary = page.locator(".error-summary")
    assert "Valige vastus." in summary.inner_text()
    shoot(page, "feedback-form-error-nojs-et")
    fill_client_survey(page, "et")
    with page.expect_navigation():
        page.get_by_role("button", name=TEXT["et"]["send"]).click()
    assert page.inner_text("h1") == TEXT["et"]["thanks"]
    shoot(page, "feedback-thanks-nojs-et")  # axe needs JavaScript: the others run it
    assert Response.objects.get().language == "et"


def test_without_javascript_every_question_is_shown_and_the_server_skips(phone, cast):
    page = phone(javascript=False)
    page.goto(form_url("en", survey="vs-partner-exit"))
    assert question(page, "refer_why").is_visible()
    assert "Answer only if you answered" in question(page, "refer_why").inner_text()
    shoot(page, "feedback-partner-nojs-en")


def test_with_javascript_a_conditional_question_appears_when_it_applies(phone, cast):
    page = phone()
    page.goto(form_url("en", survey="vs-partner-exit"))
    why = question(page, "refer_why")
    assert not why.is_visible()
    question(page, "refer_again").get_by_label("Maybe", exact=True).check()
    assert why.is_visible()
    assert "Answer only if" not in why.inner_text()
    question(page, "refer_again").get_by_label("Yes", exact=True).check()
    assert not why.is_visible()


def test_with_javascript_errors_replace_the_page_and_take_the_focus(phone, cast):
    page = phone()
    page.goto(form_url("en"))
    page.get_by_role("button", name=TEXT["en"]["send"]).click()
    summary = page.locator(".error-summary")
    summary.wait_for()
    assert "Choose an answer." in summary.inner_text()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    shoot(page, "feedback-form-error-en")
    assert_accessible(page)
    # The page still works: the quick exit and the contact field.
    question(page, "contact").get_by_label("Yes", exact=True).check()
    assert page.locator("#id_contact").is_visible()
    page.click(".quick-exit__button")
    page.wait_for_url(NEUTRAL_SITE)


@pytest.mark.parametrize("lang", ["et", "ru"])
def test_the_quick_exit_button_leaves_and_back_does_not_return(phone, cast, lang):
    page = phone()
    page.goto(form_url(lang))
    page.fill("#id_q_comment", TEXT[lang]["comment"])
    page.click(".quick-exit__button")
    page.wait_for_url(NEUTRAL_SITE)
    assert page.inner_text("h1") == "Ilmateade"
    page.go_back()
    assert_not_the_form(page)


def test_shift_pressed_three_times_leaves_and_back_does_not_return(phone, cast):
    page = phone()
    page.goto(form_url("ru"))
    page.keyboard.press("Shift")
    status = page.locator("[data-quick-exit-status]")
    assert status.inner_text() == TEXT["ru"]["two_more"]
    assert page.locator("[data-quick-exit-lights]").is_visible()
    shoot(page, "feedback-quick-exit-counting-ru")
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    page.wait_for_url(NEUTRAL_SITE)
    page.go_back()
    assert_not_the_form(page)


def test_another_key_or_a_modified_shift_starts_the_count_again(phone, cast):
    page = phone()
    page.goto(form_url("en"))
    page.click("#id_q_comment")
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    page.keyboard.type("a")  # another key: start again
    page.keyboard.press("Shift+A")  # Shift as a modifier is not a press of Shift alone
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    assert "/feedback/" in page.url
    assert page.input_value("#id_q_comment") == "aA"
    page.keyboard.press("Shift")
    page.wait_for_url(NEUTRAL_SITE)


def test_the_language_links_leave_no_other_language_in_the_history(phone, cast):
    page = phone()
    page.goto(form_url("et"))
    page.get_by_role("link", name="Русский").click()
    page.wait_for_url("**lang=ru")
    assert page.inner_text("h1") == TEXT["ru"]["heading"]
    page.click(".quick-exit__button")
    page.wait_for_url(NEUTRAL_SITE)
    page.go_back()
    assert_not_the_form(page)


def test_a_used_invitation_gets_a_polite_page(phone, cast):
    from seire.feedback.channels import issue_invitation
    from seire.feedback.models import Survey
    from tests.feedback.conftest import closed_episode

    _invitation, token = issue_invitation(
        closed_episode(cast), Survey.objects.get(code="vs-client"), "sms"
    )
    page = phone()
    page.goto(f"{reverse('feedback:invitation', args=[token])}?lang=en")
    fill_client_survey(page, "en")
    page.get_by_role("button", name=TEXT["en"]["send"]).click()
    page.wait_for_url("**/feedback/thanks/**")
    response = page.goto(f"{reverse('feedback:invitation', args=[token])}?lang=en")
    assert response.status == 410
    assert page.inner_text("h1") == "This link has already been used"
    shoot(page, "feedback-already-answered-en")
    assert_accessible(page)


def test_the_form_also_fits_a_desktop(new_page, surveys, cast):
    page = new_page()
    page.goto(form_url("en"))
    button = page.locator(".quick-exit__button").bounding_box()
    languages = page.locator(".languages").bounding_box()
    assert button["y"] + button["height"] <= languages["y"]  # the exit never covers them
    shoot(page, "feedback-form-desktop-en")
    assert_accessible(page)


def test_staff_see_the_links_and_print_a_qr_poster(new_page, surveys, cast):
    from tests.browser.conftest import login

    page = new_page("en")
    login(page, cast.paul)
    page.goto(reverse("feedback:links"))
    assert page.inner_text("h1") == "Feedback links"
    page.click("summary")
    shoot(page, "feedback-links-en")
    assert_accessible(page)
    page.get_by_role(
        "link", name="Poster: Feedback on victim support, Harju victim support"
    ).click()
    assert page.locator(".poster__qr svg").is_visible()
    shoot(page, "feedback-poster")
    assert_accessible(page)
