"""The scorecard, a metric's page and the quarterly overview: numbers, access, query counts."""

import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from seire.access.models import AuditEvent
from seire.metrics.models import Metric, Overview
from seire.metrics.scorecard import AMBER, GREEN, GREY, RED, Point, Row, period_as_of, rag
from tests.metrics.scorecard_data import many, metric, put, series

SCORECARD = reverse("metrics:scorecard")


def as_user(client, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def codes(response) -> list[str]:
    return [row.metric.code for row in response.context["rows"]]


def text(response) -> str:
    """The page's text with tags dropped and whitespace squeezed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("\u00a0", " ")


# -- RAG ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("direction", "value", "target", "amber", "expected"),
    [
        ("higher", 95, 90, 80, GREEN),
        ("higher", 90, 90, 80, GREEN),  # on the target is on target
        ("higher", 85, 90, 80, AMBER),
        ("higher", 80, 90, 80, AMBER),  # the threshold itself is still amber
        ("higher", Decimal("79.99"), 90, 80, RED),
        ("higher", 85, 90, None, RED),  # no amber threshold: short of the target is red
        ("higher", 85, 90, 95, RED),  # a threshold on the wrong side makes no amber band
        ("lower", Decimal("0.5"), 1, 2, GREEN),
        ("lower", 1, 1, 2, GREEN),
        ("lower", Decimal("1.5"), 1, 2, AMBER),
        ("lower", 2, 1, 2, AMBER),
        ("lower", Decimal("2.01"), 1, 2, RED),
        ("lower", Decimal("0.5"), 1, None, GREEN),
        ("neutral", 50, 40, 30, GREY),  # no better direction: not rated
        ("higher", 50, None, None, GREY),  # no target
        ("higher", None, 90, 80, GREY),  # no value
    ],
)
def test_it_rates_a_value_against_its_target_in_the_better_direction(
    direction, value, target, amber, expected
):
    assert rag(value, target, amber, direction) == expected


@translation.override("en")
def test_it_does_not_rate_a_value_whose_n_is_too_small(cast):
    version = metric(cast, "SHARE", target=90, amber=80)
    point = Point("2026Q1", Decimal(95), None, None, 3, True)
    row = Row(version.metric, version, "2026Q1", point, None)
    assert (row.status, row.colour, row.status_label) == ("small_n", GREY, "n too small")
    assert row.value_text == ""  # a misleading 95 % is not shown


@pytest.mark.parametrize(
    ("frequency", "quarter", "expected"),
    [("M", "2025Q4", "2025M12"), ("Q", "2025Q4", "2025Q4"), ("Y", "2025Q4", "2025"),
     ("Y", "2026Q1", "2025")],
)  # fmt: skip
def test_it_shows_each_metric_in_its_own_period_as_of_a_quarter(frequency, quarter, expected):
    assert period_as_of(frequency, quarter) == expected


# -- the numbers --------------------------------------------------------------------------
@pytest.fixture
def scorecard_data(cast):
    """VS: a percent with a target (higher is better) with values for 9 quarters; a count
    with no target. WSC: a percent, lower is better. Harju has values of its own."""
    share = metric(
        cast,
        "VS_SHARE",
        target=90,
        amber=80,
        name_en="Share helped",
        breakdowns=["region", "county", "gender"],
    )
    series(share, cast.estonia, "2025Q4", [70, 71, 72, 73, 80, 81, 82, 83])
    put(share, "2026Q1", cast.estonia, "86.4000", low="84.1000", high="88.5000", n=400)
    put(share, "2026Q1", cast.harju, 95, n=120)
    put(share, "2025Q1", cast.harju, 91, n=100)
    clients = metric(cast, "VS_COUNT", type="count", frequency="Q")
    series(clients, cast.estonia, "2026Q1", [1200, 1300, 1250, 1400, 1350])
    waiting = metric(cast, "WSC_WAIT", service=cast.wsc, direction="lower", target=5, amber=8)
    series(waiting, cast.estonia, "2026Q1", [9, 9, 10, 7, 12])
    return share, clients, waiting


def test_it_shows_the_stored_values_with_target_status_and_change(client, cast, scorecard_data):
    share, clients, waiting = scorecard_data
    response = as_user(client, cast.ann).get(SCORECARD)
    assert response.status_code == 200
    rows = {row.metric.code: row for row in response.context["rows"]}
    row = rows["VS_SHARE"]
    assert row.period == "2026Q1"  # the latest with a value
    assert row.point.value == Decimal("86.4")
    assert (row.point.low, row.point.high) == (Decimal("84.1"), Decimal("88.5"))
    assert row.status == AMBER  # 86.4 is short of 90 but above 80
    assert row.year_ago.period == "2025Q1" and row.change == Decimal("86.4") - 80
    assert [p for p, _point in row.history] == [
        "2024Q2", "2024Q3", "2024Q4", "2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1"
    ]  # fmt: skip
    assert rows["VS_COUNT"].status == "no_target" and rows["VS_COUNT"].change == 150
    assert rows["WSC_WAIT"].status == RED  # 12 days, lower is better, amber up to 8
    page = text(response)
    assert "86,4 %" in page and "84,1–88,5 %" in page  # Estonian number format
    assert "+6,4 pp" in page and "1350" in page and "+150" in page
    for word in ("sihttaseme lähedal", "sihttasemest kaugel", "sihttase puudub"):
        assert word in page, word
    assert response.content.decode().count('<svg class="sparkline"') == 3


def test_it_shows_a_chosen_quarter_and_unit(client, cast, scorecard_data):
    response = as_user(client, cast.ann).get(SCORECARD, {"unit": "HARJU", "quarter": "2026Q1"})
    rows = {row.metric.code: row for row in response.context["rows"]}
    assert rows["VS_SHARE"].point.value == 95 and rows["VS_SHARE"].status == GREEN
    assert rows["VS_SHARE"].change == 4
    assert rows["VS_COUNT"].point is None and rows["VS_COUNT"].status == "no_target"
    earlier = as_user(client, cast.ann).get(SCORECARD, {"quarter": "2025Q3"})
    rows = {row.metric.code: row for row in earlier.context["rows"]}
    assert rows["VS_SHARE"].point.value == 82 and rows["VS_SHARE"].period == "2025Q3"


def test_it_filters_by_service(client, cast, scorecard_data):
    response = as_user(client, cast.ann).get(SCORECARD, {"service": "WSC"})
    assert codes(response) == ["WSC_WAIT"]


def test_it_says_n_too_small_instead_of_the_value(client, cast):
    version = metric(cast, "TINY", target=50, amber=40)
    put(version, "2026Q1", cast.estonia, "66.6667", n=3, small_n=True)
    page = text(as_user(client, cast.ann).get(SCORECARD))
    assert "n liiga väike" in page and "66,7" not in page


# -- who sees what ------------------------------------------------------------------------
def test_it_shows_a_service_owner_only_their_services_metrics(client, cast, scorecard_data):
    assert codes(as_user(client, cast.olev).get(SCORECARD)) == ["VS_COUNT", "VS_SHARE"]
    assert codes(as_user(client, cast.oksana).get(SCORECARD)) == ["WSC_WAIT"]
    # asking for another service's metrics shows none of them
    assert codes(as_user(client, cast.oksana).get(SCORECARD, {"service": "VS"})) == ["WSC_WAIT"]


def test_it_shows_a_provider_only_their_own_unit(client, cast, scorecard_data):
    share = scorecard_data[0]
    put(share, "2026Q1", cast.harju_vs, 88, n=60)
    response = as_user(client, cast.paul).get(SCORECARD, {"unit": "EE"})
    assert response.status_code == 200
    assert response.context["unit"] == cast.harju_vs  # never the country's total
    assert [c for c, _label in response.context["form"].fields["unit"].choices] == ["HARJU-VS"]
    assert codes(response) == ["VS_COUNT", "VS_SHARE"]  # the services Paul delivers
    rows = {row.metric.code: row for row in response.context["rows"]}
    assert rows["VS_SHARE"].point.value == 88
    page = as_user(client, cast.paul).get(
        reverse("metrics:metric", args=["VS_SHARE"]), {"unit": "EE"}
    )
    assert page.context["unit"] == cast.harju_vs and page.context["areas"] == []


def test_it_refuses_a_staff_account_without_a_role(client, cast, scorecard_data):
    assert as_user(client, cast.rein).get(SCORECARD).status_code == 403


def test_it_offers_the_manager_and_owner_the_overviews_they_may_read(client, cast, scorecard_data):
    manager = as_user(client, cast.mari).get(SCORECARD).context["overviews"]
    assert [url for _label, url in manager] == ["/metrics/overview/ALL/2026Q1/"]
    owner = as_user(client, cast.olev).get(SCORECARD).context["overviews"]
    assert [url for _label, url in owner] == ["/metrics/overview/VS/2026Q1/"]
    assert as_user(client, cast.paul).get(SCORECARD).context["overviews"] == []


# -- query count --------------------------------------------------------------------------
def queries_for(client, unit: str) -> int:
    client.get(SCORECARD, {"unit": unit})  # warm-up
    with CaptureQueriesContext(connection) as captured:
        response = client.get(SCORECARD, {"unit": unit})
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize(("user", "unit"), [("ann", "estonia"), ("olev", "harju"),
                                             ("paul", "harju_vs")])  # fmt: skip
def test_it_keeps_the_query_count_constant_as_metrics_and_periods_grow(client, cast, user, unit):
    as_user(client, getattr(cast, user))
    counts = {}
    for metrics, periods_each in [(2, 4), (10, 4), (2, 16), (10, 16)]:
        Metric.objects.all().delete()
        many(cast, metrics, periods_each, unit=getattr(cast, unit))
        response = client.get(SCORECARD, {"unit": getattr(cast, unit).code})
        rows = response.context["rows"]
        assert len(rows) == metrics
        assert all(r.point is not None and len(r.history) == 8 for r in rows)
        counts[(metrics, periods_each)] = queries_for(client, getattr(cast, unit).code)
    assert len(set(counts.values())) == 1, counts


# -- a metric's page ----------------------------------------------------------------------
def test_it_shows_a_metrics_series_chart_and_breakdowns(client, cast, scorecard_data):
    share = scorecard_data[0]
    put(share, "2026Q1", cast.estonia, 90, breakdown="gender=female", n=300)
    put(share, "2026Q1", cast.estonia, 70, breakdown="gender=male", n=4, small_n=True)
    put(share, "2026Q1", cast.pohja, 93, n=200)
    response = as_user(client, cast.ann).get(reverse("metrics:metric", args=["VS_SHARE"]))
    assert response.status_code == 200
    html = response.content.decode()
    spec = json.loads(re.search(r'id="metric-chart-spec"[^>]*>(.*?)</script>', html, re.S)[1])
    values = [d["value"] for d in spec["spec"]["layer"][1]["data"]["values"]]
    assert values == [70, 71, 72, 73, 80, 81, 82, 83, 86.4]
    assert spec["formatLocale"]["decimal"] == ","
    assert "<script>" not in html  # no inline script: only JSON and files
    page = text(response)
    assert "86,4 %" in page and "84,1–88,5 %" in page  # the table of the chart's numbers
    assert "Põhja 93,0 %" in page and "Harjumaa 95,0 %" in page  # by region and county
    assert "naine 90,0 %" in page.lower() and "n liiga väike" in page  # by gender
    assert reverse("metrics:passport", args=["VS_SHARE"]) in html


def test_it_refuses_a_metric_of_a_service_the_reader_may_not_see(client, cast, scorecard_data):
    url = reverse("metrics:metric", args=["VS_SHARE"])
    assert as_user(client, cast.oksana).get(url).status_code == 403


# -- the quarterly overview ---------------------------------------------------------------
def overview_url(subject="VS", quarter="2026Q1"):
    return reverse("metrics:overview", args=[subject, quarter])


def test_it_shows_the_overview_with_charts(client, cast, scorecard_data):
    response = as_user(client, cast.olev).get(overview_url())
    assert response.status_code == 200
    assert [r.metric.code for r in response.context["rows"]] == ["VS_COUNT", "VS_SHARE"]
    html = response.content.decode()
    assert html.count('class="marks"') == 2  # vl-convert's SVG as the no-JavaScript chart
    assert "<textarea" not in html  # the owner reads the commentary, the analyst writes it


def test_it_lets_only_the_analyst_save_the_commentary(client, cast, scorecard_data):
    for user in (cast.olev, cast.mari, cast.paul):
        response = as_user(client, user).post(overview_url(), {"commentary": "Mine"})
        assert response.status_code == 403
    assert not Overview.objects.exists()
    response = as_user(client, cast.ann).post(overview_url(), {"commentary": "Rose in Q1."})
    assert response.status_code == 302
    saved = Overview.objects.get(service=cast.vs, quarter="2026Q1")
    assert (saved.commentary, saved.author) == ("Rose in Q1.", cast.ann)
    as_user(client, cast.ann).post(overview_url(), {"commentary": "Rose again."})
    events = AuditEvent.objects.filter(object_type="metrics.overview", object_id=str(saved.pk))
    assert [(e.action, e.changes) for e in events.order_by("at", "id")] == [
        ("create", {"commentary": [None, "Rose in Q1."]}),
        ("update", {"commentary": ["Rose in Q1.", "Rose again."]}),
    ]
    assert "Rose again." in text(as_user(client, cast.olev).get(overview_url()))


def test_it_keeps_the_department_commentary_apart_from_a_services(client, cast, scorecard_data):
    as_user(client, cast.ann).post(overview_url("ALL"), {"commentary": "Department."})
    as_user(client, cast.ann).post(overview_url("VS"), {"commentary": "Victim support."})
    assert Overview.objects.get(service=None, quarter="2026Q1").commentary == "Department."
    assert Overview.objects.count() == 2


def test_it_gives_the_overview_as_a_pdf(client, cast, scorecard_data, caplog):
    Overview.objects.create(service=None, quarter="2026Q1", commentary="Steady.", author=cast.ann)
    response = as_user(client, cast.mari).get(overview_url("ALL"), {"format": "pdf"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    # the phone layout's @media rules are left out of print without a warning each
    assert not [r for r in caplog.records if "media" in r.getMessage()]


@pytest.mark.parametrize(
    ("user", "subject", "quarter", "status"),
    [("oksana", "VS", "2026Q1", 403), ("olev", "ALL", "2026Q1", 403),
     ("paul", "VS", "2026Q1", 403), ("ann", "VS", "2026M03", 404),
     ("ann", "NOPE", "2026Q1", 404), ("mari", "WSC", "2026Q1", 200)],
)  # fmt: skip
def test_it_checks_who_may_read_an_overview(client, cast, user, subject, quarter, status):
    response = as_user(client, getattr(cast, user)).get(overview_url(subject, quarter))
    assert response.status_code == status
