"""The public form: anyone may answer, in et/en/ru, and nothing about them is kept.

The respondent is not signed in. Their feedback must be stored whole (answers, redacted and
encrypted text), and nothing else about them: no cookie but the CSRF one, no address, no
browser, no time of day.
"""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from seire.feedback.models import Answer, Response
from tests.conftest import database_text
from tests.feedback.conftest import answers

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _march_2026():
    with time_machine.travel("2026-03-25 14:37 +02:00", tick=False):
        yield


def form_url(survey, unit=None, lang=None):
    if unit is None:
        url = reverse("feedback:survey", args=[survey.code])
    else:
        url = reverse("feedback:unit_survey", args=[survey.code, unit.code])
    return f"{url}?lang={lang}" if lang else url


@pytest.mark.parametrize(
    ("lang", "heading", "exit_text"),
    [
        ("et", "Tagasiside ohvriabile", "Lahku kiiresti"),
        ("en", "Feedback on victim support", "Exit this page"),
        ("ru", "Отзыв о помощи пострадавшим", "Быстрый выход"),
    ],
)
def test_it_shows_the_form_in_the_language_asked_for(client, surveys, lang, heading, exit_text):
    response = client.get(form_url(surveys.client, lang=lang))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    assert heading in html
    assert exit_text in html
    assert response["Content-Language"] == lang
    assert surveys.client.current_version().questions.get(code="satisfaction").text_in(lang) in html


def test_the_quick_exit_is_a_neutral_link_that_sends_no_referrer(client, surveys):
    html = client.get(form_url(surveys.client, lang="en")).content.decode()
    assert 'href="https://www.ilm.ee/" rel="nofollow noreferrer"' in html
    assert '<span class="visually-hidden">Emergency</span> Exit this page' in html
    assert 'data-two-more="Shift, press 2 more times to exit."' in html


def test_it_loads_nothing_from_other_sites(client, surveys):
    html = client.get(form_url(surveys.client)).content.decode()
    for attribute in ("src=", "href="):
        for part in html.split(attribute)[1:]:
            target = part[1:].split(part[0])[0]
            assert not target.startswith(("http", "//")) or target == "https://www.ilm.ee/", target


@pytest.mark.parametrize("method", ["get", "post"])
def test_it_sets_no_cookie_but_the_csrf_one(client, surveys, cast, method):
    url = form_url(surveys.client, unit=cast.harju_vs)
    response = getattr(client, method)(url, answers() if method == "post" else None)
    assert set(response.cookies) <= {"csrftoken"}
    if method == "post":
        thanks = client.get(response["Location"])
        assert set(thanks.cookies) <= {"csrftoken"}


def test_the_pages_are_not_cached_indexed_or_referred(client, surveys):
    response = client.get(form_url(surveys.client))
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_it_stores_a_response_of_the_unit_and_month_without_the_time_or_the_address(
    client, surveys, cast
):
    response = client.post(
        form_url(surveys.client, unit=cast.harju_vs, lang="ru"),
        answers(lang="ru"),
        REMOTE_ADDR="203.0.113.77",
        HTTP_USER_AGENT="Mozilla/5.0 (Respondent phone)",
    )
    assert response.status_code == 303
    assert response["Location"] == reverse("feedback:thanks") + "?lang=ru"
    stored = Response.objects.get()
    assert (stored.service, stored.unit, stored.period) == (cast.vs, cast.harju_vs, "2026M03")
    assert (stored.channel, stored.language, stored.submitted_on) == (
        "link",
        "ru",
        date(2026, 3, 25),
    )
    values = {a.question.code: (a.value, a.choices) for a in Answer.objects.all()}
    assert values["satisfaction"] == (4, [])
    assert values["recommend"] == (9, [])
    assert values["safer"] == (None, ["no_change"])
    row = str(Response.objects.values().get()) + str(list(Answer.objects.values()))
    for trace in ("203.0.113", "Mozilla", "14:37", "12:37"):
        assert trace not in row


def test_the_service_link_stores_no_unit(client, surveys, cast):
    client.post(form_url(surveys.client), answers())
    assert Response.objects.get().unit is None


def test_a_unit_that_does_not_deliver_the_service_has_no_link(client, surveys, cast):
    assert client.get(form_url(surveys.client, unit=cast.tartu_wsc)).status_code == 404
    response = client.get(reverse("feedback:unit_survey", args=["vs-client", "NOWHERE"]))
    assert response.status_code == 404
    assert "Lahku kiiresti" in response.content.decode()


def test_an_unknown_survey_gets_a_polite_page(client, db):
    response = client.get("/feedback/s/no-such-survey/?lang=en")
    assert response.status_code == 404
    assert "This feedback link does not work" in response.content.decode()


def test_it_shows_every_problem_and_keeps_the_answers(client, surveys):
    data = answers(lang="en", q_satisfaction=None, q_recommend="11", q_contact="yes")
    response = client.post(form_url(surveys.client, lang="en"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Choose an answer." in html
    assert "Choose a whole number from 0 to 10." in html
    assert "Tell us how to reach you, or choose not to be contacted." in html
    assert "Töötaja oli väga abivalmis." in html  # what was typed stays
    assert not Response.objects.exists()


def test_it_shows_errors_in_the_language_of_the_page(client, surveys):
    html = client.post(form_url(surveys.client), answers(q_satisfaction=None)).content.decode()
    assert "Valige vastus." in html


def test_the_contact_details_are_kept_encrypted_only_when_asked_for(client, surveys):
    client.post(form_url(surveys.client), answers(q_contact="yes", contact="5123 4567, pärast 17"))
    client.post(form_url(surveys.client), answers(q_contact="no", contact="ignored@example.ee"))
    asked, not_asked = Response.objects.order_by("pk")
    assert asked.wants_contact and asked.contact_encrypted
    assert "5123" not in asked.contact_encrypted
    assert not not_asked.wants_contact and not_asked.contact_encrypted == ""


def test_a_skipped_question_is_not_stored(client, surveys):
    data = {
        "lang": "en",
        "q_partner_type": "police",
        "q_cooperation": "4",
        "q_refer_again": "yes",
        "q_refer_why": "Should not be kept: the question was not asked.",
    }
    assert client.post(form_url(surveys.partner), data).status_code == 303
    assert not Answer.objects.filter(question__code="refer_why").exists()
    data["q_refer_again"] = "maybe"
    client.post(form_url(surveys.partner), data)
    assert Answer.objects.filter(question__code="refer_why").count() == 1


def test_without_javascript_a_conditional_question_says_when_to_answer(client, surveys):
    html = client.get(form_url(surveys.partner, lang="en")).content.decode()
    assert (
        "Answer only if you answered “Maybe” or “No” to “Would you refer a client to us again?”."
        in html
    )
    assert 'data-show-if="q_refer_again" data-show-if-values="maybe no"' in html


def test_a_filled_honeypot_is_thanked_and_forgotten(client, surveys):
    response = client.post(form_url(surveys.client), answers(website="http://spam.example"))
    assert response.status_code == 303
    assert not Response.objects.exists()


def test_a_flood_from_one_address_gets_a_polite_429(client, surveys, settings):
    settings.SEIRE_FEEDBACK_ADDRESS_LIMIT = 3
    for _ in range(3):
        assert client.post(form_url(surveys.client), answers()).status_code == 303
    response = client.post(form_url(surveys.client, lang="en"), answers(lang="en"))
    assert response.status_code == 429
    assert "Please try again later" in response.content.decode()
    assert int(response["Retry-After"]) > 0
    assert Response.objects.count() == 3
    other = client.post(form_url(surveys.client), answers(), REMOTE_ADDR="198.51.100.1")
    assert other.status_code == 303


def test_the_rate_counters_do_not_keep_the_address(client, surveys):

    client.post(form_url(surveys.client), answers(), REMOTE_ADDR="203.0.113.77")
    dump = database_text()
    assert "203.0.113.77" not in dump


def test_the_thank_you_page_is_public(client, db):
    response = client.get(reverse("feedback:thanks") + "?lang=ru")
    assert response.status_code == 200
    assert "Спасибо за ваш отзыв" in response.content.decode()
