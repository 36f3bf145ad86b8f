"""The data-entry grid, its htmx cell saves, the submission steps and the status board.

Paul reports for Harju; Pille for Tartu and must not touch Harju's report; Olev owns VS
and reviews; Mari (manager) only reads; Ann (analyst) may do everything. The pages are
asked for in English so that assertions read the English messages.
"""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from seire.collection.models import DataValue, Submission, ValueComment, Violation
from seire.collection.services import Cell, save_values
from seire.collection.workflow import get_submission

PERIOD = "2026M03"


@pytest.fixture(autouse=True)
def _april_2026():
    with time_machine.travel("2026-04-05 12:00 +03:00", tick=False):
        yield


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        client.cookies["django_language"] = "en"
        return client

    return login


def url(name, unit, period=PERIOD, dataset="VS_MONTHLY"):
    return reverse(f"collection:{name}", args=[dataset, unit.pk, period])


def key(dataset, element, combo):
    e = dataset.elements.get(code=element)
    return f"{e.pk}-{e.disaggregation.combos.get(code=combo).pk}"


def fields(dataset, values: dict, versions: dict | None = None) -> dict:
    """POST data for the whole grid: every cell, with the values given, others blank."""
    data = {}
    for element in dataset.elements.all():
        for combo in element.disaggregation.combos.all():
            k = f"{element.pk}-{combo.pk}"
            data[f"v-{k}"] = values.get((element.code, combo.code), "")
            data[f"ver-{k}"] = (versions or {}).get((element.code, combo.code), 0)
    return data


def stored(unit):
    return {
        (v.element.code, v.combo.code): v.value
        for v in DataValue.objects.filter(unit=unit, period=PERIOD)
    }


def htmx_cell(client, dataset, unit, element, combo, raw, version=0):
    k = key(dataset, element, combo)
    return client.post(
        url("cell", unit), {f"v-{k}": raw, f"ver-{k}": version}, HTTP_HX_REQUEST="true"
    )


CONSISTENT = {
    ("CLIENTS_NEW", "female"): "5",
    ("CLIENTS_NEW", "male"): "2",
    ("CLIENTS_NEW", "unknown"): "0",
    ("CLIENTS_NEW", "total"): "7",
    ("SESSIONS", "total"): "15",
}


# -- the grid ---------------------------------------------------------------------------


def test_it_shows_the_provider_an_input_per_cell_and_a_sum_column(as_user, cast, vs_monthly):
    response = as_user(cast.paul).get(url("grid", cast.harju_vs))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'name="v-{key(vs_monthly, "CLIENTS_NEW", "female")}"' in html
    assert 'inputmode="numeric"' in html and 'inputmode="decimal"' in html  # count, percent
    assert html.count("<table") == 2  # gender block, single-column block
    assert ">Σ</abbr>" in html
    assert "A client whose first episode of the reporting year began." in html


def test_it_saves_one_cell_through_htmx_and_returns_it(as_user, cast, vs_monthly):
    response = htmx_cell(
        as_user(cast.paul), vs_monthly, cast.harju_vs, "CLIENTS_NEW", "female", "05"
    )
    assert response.status_code == 200
    html = response.content.decode()
    k = key(vs_monthly, "CLIENTS_NEW", "female")
    assert html.startswith(f'<div class="grid__cell" id="cell-{k}">')
    assert 'value="5"' in html and f'name="ver-{k}" value="1"' in html
    assert 'id="report-checks" hx-swap-oob="innerHTML"' in html
    assert stored(cast.harju_vs) == {("CLIENTS_NEW", "female"): Decimal(5)}
    assert DataValue.objects.get().channel == "web"


def test_it_saves_the_whole_form_without_javascript(as_user, cast, vs_monthly):
    client = as_user(cast.paul)
    response = client.post(url("grid", cast.harju_vs), fields(vs_monthly, CONSISTENT))
    assert response.status_code == 302 and response["Location"] == url("grid", cast.harju_vs)
    assert stored(cast.harju_vs)[("CLIENTS_NEW", "total")] == Decimal(7)
    assert len(stored(cast.harju_vs)) == 5
    page = client.get(response["Location"]).content.decode()
    assert "5 values saved." in page and "All checks pass" in page


def test_it_shows_a_bad_value_next_to_its_cell_and_writes_nothing(as_user, cast, vs_monthly):
    values = {**CONSISTENT, ("SESSIONS", "total"): "abc", ("CLIENTS_NEW", "male"): "-2"}
    response = as_user(cast.paul).post(url("grid", cast.harju_vs), fields(vs_monthly, values))
    assert response.status_code == 200
    html = response.content.decode()
    k = key(vs_monthly, "SESSIONS", "total")
    assert f'<p class="grid__error" id="err-{k}">' in html
    assert "expected a number" in html and "negative value -2" in html
    assert 'value="abc"' in html  # shown back as typed
    assert "Nothing was saved" in html
    assert not DataValue.objects.exists()


def test_it_refuses_a_bad_value_through_htmx_without_writing(as_user, cast, vs_monthly):
    response = htmx_cell(as_user(cast.paul), vs_monthly, cast.harju_vs, "SESSIONS", "total", "1,5")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'aria-invalid="true"' in html and "expected a whole number" in html
    assert not DataValue.objects.exists()


def test_it_places_a_broken_rule_next_to_the_rows_it_concerns(as_user, cast, vs_monthly):
    client = as_user(cast.paul)
    client.post(url("grid", cast.harju_vs), fields(vs_monthly, CONSISTENT))
    response = htmx_cell(client, vs_monthly, cast.harju_vs, "CLIENTS_NEW", "total", "9", 1)
    html = response.content.decode()
    clients = vs_monthly.elements.get(code="CLIENTS_NEW")
    row = html.split(f'id="checks-{clients.pk}" hx-swap-oob="true">')[1].split("</div>")[0]
    assert "Error:" in row and "Total must equal women + men + unknown." in row
    assert "Total must equal" in html.split('id="report-checks"')[1].split("</div>")[0]
    assert "≠ total" in html  # the Σ column (7) disagrees with the entered total (9)
    assert Violation.objects.get(rule__code="gender_sum").status == "open"


def test_it_tells_of_a_concurrent_edit_and_overwrites_nothing(as_user, cast, vs_monthly):
    client = as_user(cast.paul)
    # Paul's page shows the cell empty (version 0); meanwhile Ann enters 9.
    save_values(cast.ann, vs_monthly, [Cell("SESSIONS", "total", "HARJU-VS", PERIOD, 9)], "web")
    response = htmx_cell(client, vs_monthly, cast.harju_vs, "SESSIONS", "total", "12", 0)
    html = response.content.decode()
    assert "changed by someone else meanwhile (now 9)" in html
    assert stored(cast.harju_vs) == {("SESSIONS", "total"): Decimal(9)}
    # Told, Paul saves again from the updated cell: now it goes through.
    k = key(vs_monthly, "SESSIONS", "total")
    assert f'name="ver-{k}" value="1"' in html
    htmx_cell(client, vs_monthly, cast.harju_vs, "SESSIONS", "total", "12", 1)
    assert stored(cast.harju_vs) == {("SESSIONS", "total"): Decimal(12)}


def test_it_does_not_count_an_untouched_stale_cell_as_a_conflict(as_user, cast, vs_monthly):
    save_values(cast.ann, vs_monthly, [Cell("SESSIONS", "total", "HARJU-VS", PERIOD, 9)], "web")
    stale = fields(vs_monthly, {("SESSIONS", "total"): "9", ("CLIENTS_NEW", "male"): "1"})
    response = as_user(cast.paul).post(url("grid", cast.harju_vs), stale)
    assert response.status_code == 302
    assert stored(cast.harju_vs) == {("SESSIONS", "total"): 9, ("CLIENTS_NEW", "male"): 1}


@pytest.mark.parametrize(
    ("persona", "method", "name", "status"),
    [
        ("pille", "get", "grid", 403),
        ("pille", "post", "grid", 403),
        ("pille", "post", "cell", 403),
        ("pille", "post", "submit", 403),
        ("oksana", "get", "grid", 403),
        ("rein", "get", "grid", 403),
        ("mari", "post", "grid", 403),
        ("mari", "post", "cell", 403),
        ("mari", "post", "comment", 403),
        ("olev", "post", "cell", 403),
        ("paul", "post", "approve", 403),
        ("mari", "post", "approve", 403),
        ("olev", "post", "reopen", 403),
        ("paul", "get", "grid", 200),
        ("olev", "get", "grid", 200),
        ("mari", "get", "grid", 200),
        ("ann", "get", "grid", 200),
    ],
)
def test_it_requires_access_to_the_unit(as_user, cast, vs_monthly, persona, method, name, status):
    get_submission(vs_monthly, cast.harju_vs, PERIOD)
    client = as_user(getattr(cast, persona))
    response = getattr(client, method)(url(name, cast.harju_vs), HTTP_HX_REQUEST="true")
    assert response.status_code == status
    assert not DataValue.objects.exists()


def test_it_shows_readers_the_values_without_inputs(as_user, cast, vs_monthly):
    save_values(cast.paul, vs_monthly, [Cell("SESSIONS", "total", "HARJU-VS", PERIOD, 15)], "web")
    html = as_user(cast.mari).get(url("grid", cast.harju_vs)).content.decode()
    assert '<span class="grid__value">15</span>' in html
    assert '<input class="grid__input"' not in html and "Submit the report" not in html


@pytest.mark.parametrize(
    ("unit", "period", "status"),
    [
        ("harju_vs", "2026M05", 404),
        ("harju_vs", "2026Q1", 404),
        ("harju_vs", "garbage", 404),
        ("tartu_wsc", PERIOD, 404),
    ],
)
def test_it_answers_404_for_periods_and_units_without_a_report(
    as_user, cast, vs_monthly, unit, period, status
):
    response = as_user(cast.ann).get(url("grid", getattr(cast, unit), period))
    assert response.status_code == status


def test_it_shows_a_locked_period_read_only_to_the_provider(as_user, cast, vs_monthly):
    html = as_user(cast.paul).get(url("grid", cast.harju_vs, "2025M12")).content.decode()
    assert "The period locked on 2026-03-11" in html
    assert 'class="grid__input"' not in html


# -- submission steps -------------------------------------------------------------------


def test_it_walks_a_report_through_the_steps_on_the_page(as_user, cast, vs_monthly):
    client = as_user(cast.paul)
    client.post(url("grid", cast.harju_vs), fields(vs_monthly, CONSISTENT))
    response = client.post(url("submit", cast.harju_vs), {"version": 1})
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert submission.status == "submitted" and submission.submitted_by == cast.paul
    page = client.get(url("grid", cast.harju_vs)).content.decode()
    assert "The report was submitted." in page and 'class="grid__input"' not in page

    as_user(cast.olev).post(url("return", cast.harju_vs), {"version": 2, "comment": "Men?"})
    submission.refresh_from_db()
    assert (submission.status, submission.comment) == ("returned", "Men?")
    page = as_user(cast.paul).get(url("grid", cast.harju_vs)).content.decode()
    assert "Returned for changes:" in page and "Men?" in page

    as_user(cast.paul).post(url("submit", cast.harju_vs), {"version": 3})
    as_user(cast.ann).post(url("approve", cast.harju_vs), {"version": 4})
    submission.refresh_from_db()
    assert submission.status == "approved" and submission.decided_by == cast.ann

    response = as_user(cast.ann).post(url("reopen", cast.harju_vs), {"version": 5, "reason": ""})
    assert (
        response.status_code == 200 and "give the reason for reopening" in response.content.decode()
    )
    as_user(cast.ann).post(url("reopen", cast.harju_vs), {"version": 5, "reason": "Police fix"})
    submission.refresh_from_db()
    assert submission.status == "returned"


def test_it_refuses_a_submission_while_a_hard_rule_is_broken(as_user, cast, vs_monthly):
    client = as_user(cast.paul)
    client.post(
        url("grid", cast.harju_vs),
        fields(vs_monthly, {**CONSISTENT, ("CLIENTS_NEW", "total"): "8"}),
    )
    response = client.post(url("submit", cast.harju_vs), {"version": 1})
    html = response.content.decode()
    assert response.status_code == 200 and 'class="error-summary"' in html
    assert "Total must equal women + men + unknown." in html
    assert Submission.objects.get().status == "draft"


def test_it_asks_for_an_explanation_of_a_soft_warning(as_user, cast, vs_monthly):
    sessions = vs_monthly.elements.get(code="SESSIONS")
    total = sessions.disaggregation.combos.get()
    for month in range(3, 13):
        DataValue.objects.create(
            element=sessions,
            combo=total,
            unit=cast.harju_vs,
            period=f"2025M{month:02d}",
            value=20 + month % 3,
        )
    client = as_user(cast.paul)
    client.post(
        url("grid", cast.harju_vs), fields(vs_monthly, {**CONSISTENT, ("SESSIONS", "total"): "200"})
    )
    page = client.get(url("grid", cast.harju_vs)).content.decode()
    assert 'name="explain-sessions_outlier"' in page and "Warning:" in page
    response = client.post(url("submit", cast.harju_vs), {"version": 1})
    assert "Explain it to submit." in response.content.decode()
    assert 'name="explain-sessions_outlier"' in response.content.decode()
    client.post(
        url("submit", cast.harju_vs),
        {"version": 1, "explain-sessions_outlier": "A school campaign in March."},
    )
    assert Submission.objects.get().status == "submitted"
    violation = Violation.objects.get(rule__code="sessions_outlier")
    assert (violation.status, violation.comment) == ("explained", "A school campaign in March.")


def test_it_refuses_a_step_from_a_stale_page(as_user, cast, vs_monthly):
    client = as_user(cast.paul)
    client.post(url("grid", cast.harju_vs), fields(vs_monthly, CONSISTENT))
    client.post(url("submit", cast.harju_vs), {"version": 1})
    response = as_user(cast.olev).post(url("approve", cast.harju_vs), {"version": 1})
    assert "changed meanwhile" in response.content.decode()
    assert Submission.objects.get().status == "submitted"


def test_it_refuses_a_return_without_a_comment(as_user, cast, vs_monthly):
    client = as_user(cast.paul)
    client.post(url("grid", cast.harju_vs), fields(vs_monthly, CONSISTENT))
    client.post(url("submit", cast.harju_vs), {"version": 1})
    response = as_user(cast.olev).post(url("return", cast.harju_vs), {"version": 2, "comment": " "})
    assert "say what should be changed" in response.content.decode()
    assert Submission.objects.get().status == "submitted"


# -- comments ---------------------------------------------------------------------------


def test_it_adds_a_comment_to_a_value_and_lists_it(as_user, cast, vs_monthly):
    client = as_user(cast.paul)
    k = key(vs_monthly, "SESSIONS", "total")
    response = client.post(url("comment", cast.harju_vs), {"cell": k, "text": "Two groups."})
    assert response.status_code == 302
    comment = ValueComment.objects.get()
    assert (comment.element.code, comment.combo.code, comment.author) == (
        "SESSIONS",
        "total",
        cast.paul,
    )
    page = client.get(url("grid", cast.harju_vs)).content.decode()
    assert "Two groups." in page and "1 comment" in page


def test_it_refuses_an_empty_comment(as_user, cast, vs_monthly):
    k = key(vs_monthly, "SESSIONS", "total")
    response = as_user(cast.paul).post(url("comment", cast.harju_vs), {"cell": k, "text": ""})
    assert response.status_code == 200 and "field--error" in response.content.decode()
    assert not ValueComment.objects.exists()


# -- the status board and "my reports" ------------------------------------------------------


def _submit_harju_march(cast, vs_monthly):
    save_values(
        cast.paul,
        vs_monthly,
        [Cell(e, c, "HARJU-VS", PERIOD, v) for (e, c), v in CONSISTENT.items()],
        "web",
    )
    from seire.collection import workflow

    workflow.submit(cast.paul, get_submission(vs_monthly, cast.harju_vs, PERIOD))


def test_it_shows_the_analyst_every_unit_with_colour_and_text(as_user, cast, vs_monthly):
    _submit_harju_march(cast, vs_monthly)
    response = as_user(cast.ann).get(reverse("collection:status"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Harju victim support" in html and "Tartu victim support" in html
    assert "state--on_time" in html and "Submitted on time" in html
    assert "state--overdue" in html and "Missing, overdue" in html
    assert ">March 2026</th>" in html and ">October 2025</th>" in html
    assert url("grid", cast.harju_vs) in html


def test_it_shows_a_provider_only_their_own_units(as_user, cast, vs_monthly):
    html = as_user(cast.paul).get(reverse("collection:status")).content.decode()
    assert "Harju victim support" in html and "Tartu victim support" not in html


def test_it_filters_the_board_by_region_and_period_range(as_user, cast, vs_monthly):
    query = {"dataset": "VS_MONTHLY", "region": "LOUNA", "start": "2026M01", "end": "2026M02"}
    html = as_user(cast.ann).get(reverse("collection:status"), query).content.decode()
    assert "Tartu victim support" in html and "Harju victim support" not in html
    assert ">January 2026</th>" in html and ">March 2026</th>" not in html


def test_it_keeps_the_board_from_people_without_a_role(as_user, cast, vs_monthly):
    assert as_user(cast.rein).get(reverse("collection:status")).status_code == 403


def test_it_counts_the_rates_on_the_board(as_user, cast, vs_monthly):
    _submit_harju_march(cast, vs_monthly)
    # February: both overdue; March: Harju on time, Tartu not yet due (deadline 10 April).
    query = {"dataset": "VS_MONTHLY", "start": "2026M02", "end": "2026M03"}
    response = as_user(cast.ann).get(reverse("collection:status"), query)
    stats = response.context["stats"]
    assert (stats["expected"], stats["overdue"], stats["due"]) == (4, 2, 1)
    assert stats["reporting_rate"] == stats["on_time_rate"] == 33.3
    assert "33.3 %" in response.content.decode()


def test_it_lists_my_reports_on_the_provider_home(as_user, cast, vs_monthly):
    _submit_harju_march(cast, vs_monthly)
    html = as_user(cast.paul).get(reverse("home")).content.decode()
    assert "My reports" in html
    assert url("grid", cast.harju_vs, "2026M01") in html
    assert url("grid", cast.harju_vs) in html and "Submitted on time" in html
    assert url("grid", cast.tartu_vs) not in html
    assert date(2026, 4, 10).strftime("%-d.%-m.%Y") in html
