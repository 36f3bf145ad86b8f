"""A provider fills last month's table in the browser: htmx saves, a rule error, submission.

Last month (relative to today, so the period is over, not locked and the browser's cookies
are not from another time) is the report Paul fills. Each page leaves a screenshot for a
person to look at, and must have no serious or critical axe-core violation.
"""

from datetime import datetime, time, timedelta

import pytest
from django.db import OperationalError, transaction
from django.utils import timezone

from seire import periods
from seire.collection.models import DataValue, Submission
from seire.collection.views import entry
from seire.organisation.models import Provider
from tests.browser.conftest import axe, describe, login, screenshot
from tests.collection import conftest as collection

pytestmark = pytest.mark.browser

vs_monthly = collection.vs_monthly  # the statistics table of tests/collection, as a fixture here


@pytest.fixture
def month():
    return str(periods.period_of(timezone.localdate(), "M").previous())


def cell_id(dataset, element, combo):
    e = dataset.elements.get(code=element)
    return f"#c-{e.pk}-{e.disaggregation.combos.get(code=combo).pk}"


def type_into(page, selector, value):
    """Type a value and leave the cell with Tab, waiting for htmx to save it."""
    with page.expect_response(lambda r: r.url.endswith("/cell/") and r.status == 200):
        page.fill(selector, value)
        page.press(selector, "Tab")
    page.wait_for_selector(f"{selector}:not(.htmx-request)")


def assert_accessible(page):
    violations = axe(page)
    assert not violations, describe(violations)


def test_a_provider_fills_checks_and_submits_a_month(page, cast, vs_monthly, month):
    login(page, cast.paul)
    page.goto(f"/collection/VS_MONTHLY/{cast.harju_vs.pk}/{month}/")
    assert page.inner_text("h1") == "Ohvriabi kuutabel"

    for combo, value in [("female", "5"), ("male", "2"), ("unknown", "0"), ("total", "9")]:
        type_into(page, cell_id(vs_monthly, "CLIENTS_NEW", combo), value)
    type_into(page, cell_id(vs_monthly, "SESSIONS", "total"), "15")
    clients = vs_monthly.elements.get(code="CLIENTS_NEW")
    row_checks = page.locator(f"#checks-{clients.pk}")
    assert "Kokku peab võrduma naised + mehed + teadmata." in row_checks.inner_text()
    assert "Kokku peab võrduma" in page.inner_text("#report-checks")
    assert "≠" in page.inner_text(f"#sum-{clients.pk}")
    assert DataValue.objects.filter(unit=cast.harju_vs, period=month).count() == 5
    screenshot(page, "grid-error-et")
    assert_accessible(page)

    type_into(page, cell_id(vs_monthly, "CLIENTS_NEW", "total"), "7")
    assert row_checks.inner_text().strip() == ""
    assert page.locator("#report-checks .checks__ok").is_visible()

    with page.expect_navigation():
        page.click("#report-actions form[action$='submit/'] button")
    assert page.locator(".tag--submitted").is_visible()
    assert page.locator(".message--success").is_visible()
    assert page.locator(".grid__input").count() == 0  # read-only once submitted
    assert Submission.objects.get(unit=cast.harju_vs, period=month).status == "submitted"
    screenshot(page, "grid-submitted-et")
    assert_accessible(page)


def test_a_provider_is_told_when_the_database_was_too_busy_to_save_a_cell(
    page, cast, vs_monthly, month, monkeypatch
):
    login(page, cast.paul)
    page.goto(f"/collection/VS_MONTHLY/{cast.harju_vs.pk}/{month}/")
    save = entry.save_values

    def locked(*args, **kwargs):  # writes, then finds the database locked: rolled back
        with transaction.atomic():
            save(*args, **kwargs)
            raise OperationalError("database is locked")

    monkeypatch.setattr(entry, "save_values", locked)
    sessions = cell_id(vs_monthly, "SESSIONS", "total")
    with page.expect_response(lambda r: r.url.endswith("/cell/") and r.status == 503):
        page.fill(sessions, "15")
        page.press(sessions, "Tab")
    page.wait_for_selector("#busy .busy__message")
    assert "äsja sisestatut ei salvestatud" in page.inner_text("#busy")
    assert not DataValue.objects.exists()
    screenshot(page, "grid-busy-et")
    assert_accessible(page)

    monkeypatch.setattr(entry, "save_values", save)  # the moment has passed: enter it again
    type_into(page, sessions, "16")
    assert DataValue.objects.get().value == 16
    assert page.inner_text("#busy").strip() == ""  # saved: the warning is gone


def test_a_provider_saves_the_whole_table_without_javascript(new_page, cast, vs_monthly, month):
    page = new_page("en", javascript=False)
    login(page, cast.paul)
    page.goto(f"/collection/VS_MONTHLY/{cast.harju_vs.pk}/{month}/")
    page.fill(cell_id(vs_monthly, "SESSIONS", "total"), "-3")
    page.fill(cell_id(vs_monthly, "CLIENTS_NEW", "female"), "4")
    with page.expect_navigation():
        page.click("form.grid-form button[type=submit]")
    assert "negative value -3" in page.inner_text(".error-summary")
    assert not DataValue.objects.exists()
    screenshot(page, "grid-refused-en")
    page.fill(cell_id(vs_monthly, "SESSIONS", "total"), "12")
    with page.expect_navigation():
        page.click("form.grid-form button[type=submit]")
    assert "2 values saved." in page.inner_text(".messages")
    assert DataValue.objects.filter(unit=cast.harju_vs, period=month).count() == 2


def test_the_analyst_sees_the_status_board(page, cast, vs_monthly, month):
    # Harju: on time, late, and an approved month; Tartu opened in the third month shown.
    shown = [periods.parse(month)]
    for _step in range(4):
        shown.insert(0, shown[0].previous())
    first_day = shown[2].start
    Provider.objects.filter(unit=cast.tartu_vs).update(start=first_day)
    for period, days, status in [
        (shown[0], 5, "approved"),
        (shown[1], 20, "submitted"),
        (shown[3], 9, "submitted"),
        (shown[2], 40, "submitted"),
    ]:
        when = timezone.make_aware(datetime.combine(period.end + timedelta(days=days), time(9)))
        Submission.objects.create(
            dataset=vs_monthly,
            unit=cast.harju_vs,
            period=str(period),
            status=status,
            first_submitted_at=when,
            submitted_at=when,
        )
    login(page, cast.ann)
    current = periods.parse(month).next()
    page.goto(f"/collection/status/?dataset=VS_MONTHLY&end={current}")
    assert page.inner_text("h1") == "Aruanded"
    table = page.inner_text("table.board")
    assert cast.harju_vs.name_et in table and cast.tartu_vs.name_et in table
    for label in [
        "Esitatud õigel ajal",
        "Esitatud hilinemisega",
        "Puudub, tähtaeg on möödas",
        "Tähtaeg pole veel käes",
        "Ei ole oodatud",
    ]:
        assert label in table, label
    screenshot(page, "status-board-et")
    assert_accessible(page)


def test_the_provider_home_lists_my_reports(page, cast, vs_monthly, month):
    login(page, cast.paul)
    card = page.locator("#card-reports").locator("..")
    assert periods.parse(month).label("et") in card.inner_text().lower()
    screenshot(page, "home-provider-reports-et")
    assert_accessible(page)
