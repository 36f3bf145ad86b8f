"""The feedback inbox in the browser: Olev triages two items at once with htmx.

Olev, the owner of general victim support, opens the inbox from the main menu: the
waiting-time complaint is there (redacted), the women's support centre item is not. He ticks
two items and sets them to "triaged": the table is replaced in place (no page load) and
says so. The page has no serious or critical axe-core violation.
"""

from types import SimpleNamespace

import pytest

from seire.catalogue.loader import DEFAULT_DIRECTORY, read_yaml
from seire.feedback import catalogue
from seire.feedback.models import FeedbackItem, Survey
from tests.browser.conftest import axe, describe, login, screenshot
from tests.feedback.test_items import submit

pytestmark = pytest.mark.browser


@pytest.fixture
def surveys(cast):
    catalogue.load(read_yaml(DEFAULT_DIRECTORY / "surveys.yaml"))
    return SimpleNamespace(client=Survey.objects.get(code="vs-client"))


def test_the_owner_triages_items_in_the_inbox(new_page, cast, surveys):
    wait = submit(surveys, cast, satisfaction=2, comment="Ootasin kaua. Helistage 5123 4567.")
    kind = submit(surveys, cast, satisfaction=5, comment="Töötaja oli väga abivalmis, aitäh!")
    wsc = submit(surveys, cast, satisfaction=2, comment="Varjupaigas oli külm.")
    FeedbackItem.objects.filter(response=wsc).update(service=cast.wsc, unit=cast.tartu_wsc)
    ids = [FeedbackItem.objects.get(response=r).pk for r in (wait, kind)]

    page = new_page(language="en")
    login(page, cast.olev)
    page.goto("/")
    with page.expect_navigation():
        page.click("nav.site-nav >> text=Feedback")
    assert page.inner_text("h1") == "Feedback inbox"
    table = page.locator("#inbox-table")
    assert "Ootasin kaua. Helistage [telefon]." in table.inner_text()
    assert "5123" not in table.inner_text() and "Varjupaigas" not in table.inner_text()
    violations = axe(page)
    assert not violations, describe(violations)

    for pk in ids:
        page.check(f"#tick-{pk}")
    page.select_option("#bulk-status", "triaged")
    page.click("text=Apply")
    page.wait_for_selector("#inbox-table >> text=2 items updated.")
    assert page.url.endswith("/feedback/inbox/")  # swapped in place, not reloaded
    assert table.locator("td", has_text="triaged").count() == 2
    screenshot(page, "feedback-inbox-en")
    assert set(FeedbackItem.objects.filter(pk__in=ids).values_list("status", flat=True)) == {
        "triaged"
    }
