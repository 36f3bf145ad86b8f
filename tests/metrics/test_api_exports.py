"""Metric values through the API and as CSV/XLSX downloads: who sees what, small-n values
kept from everyone but the analyst, period ranges, clear 422s, neutralised formulas and the
audit trail."""

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from seire.access.models import AuditEvent
from seire.metrics.models import Metric, MetricValue, MetricVersion

API = "/api/metrics"
COUNT = {"source": "episodes", "measure": "count", "date": "opened"}
NOW = datetime(2026, 4, 1, tzinfo=UTC)


@pytest.fixture
def as_user(client):
    def sign_in(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        client.cookies["django_language"] = "en"
        return client

    return sign_in


def metric(code, service, breakdowns=("region", "county", "gender"), **version):
    made = Metric.objects.create(code=code, name_et=code, name_en=f"{code} (en)", service=service)
    fields = {"type": "percent", "numerator": COUNT, "denominator": COUNT, "frequency": "M",
              "breakdowns": list(breakdowns), "min_n": 10, **version}  # fmt: skip
    return MetricVersion.objects.create(metric=made, **fields)


def value(version, period, unit, num, den, breakdown=""):
    """A stored percent value, as the engine would store it (small n below min_n)."""
    share = Decimal(100 * num) / den if den else None
    return MetricValue.objects.create(
        version=version, period=period, unit=unit, breakdown=breakdown,
        numerator=num, denominator=den, value=share, low=share and share - 5,
        high=share and share + 5, n=den, small_n=den < version.min_n, computed_at=NOW,
    )  # fmt: skip


@pytest.fixture
def share(cast):
    """VS_SHARE by month: the country, its counties and Harju's service point, by gender."""
    version = metric("VS_SHARE", cast.vs)
    for month, (num, den) in {"2025M12": (5, 20), "2026M01": (30, 40), "2026M02": (9, 12),
                              "2026M03": (10, 50), "2026M04": (1, 2)}.items():  # fmt: skip
        value(version, month, cast.estonia, num, den)
    value(version, "2026M01", cast.harju, 27, 30)
    value(version, "2026M01", cast.tartu, 3, 4)  # small n: 4 < 10
    value(version, "2026M01", cast.harju_vs, 27, 30)
    value(version, "2026M01", cast.estonia, 28, 36, "gender=female")
    value(version, "2026M01", cast.estonia, 2, 4, "gender=male")  # small n
    return version


def rows(response):
    assert response.status_code == 200, response.content
    return [(r["period"], r["unit"], r["breakdown"], r["value"], r["n"]) for r in response.json()]


# -- the list ------------------------------------------------------------------------------------


def test_it_lists_the_metrics_each_user_may_see(as_user, cast, share):
    metric("WSC_SHARE", cast.wsc)
    metric("SHARED", None)

    def codes(user):
        response = as_user(user).get(API)
        assert response.status_code == 200
        return [m["code"] for m in response.json()]

    assert codes(cast.ann) == ["SHARED", "VS_SHARE", "WSC_SHARE"]
    assert codes(cast.mari) == ["SHARED", "VS_SHARE", "WSC_SHARE"]
    assert codes(cast.olev) == ["SHARED", "VS_SHARE"]
    assert codes(cast.oksana) == ["SHARED", "WSC_SHARE"]
    assert codes(cast.paul) == ["SHARED", "VS_SHARE"]  # a VS provider
    described = as_user(cast.ann).get(API).json()[1]
    assert described["type"] == "percent" and described["frequency"] == "M"
    assert described["breakdowns"] == ["region", "county", "gender"]


# -- values --------------------------------------------------------------------------------------


def test_it_returns_the_countrys_values_of_a_period_range(as_user, cast, share):
    response = as_user(cast.ann).get(f"{API}/VS_SHARE/values", {"period": "2026M01..2026M03"})

    assert rows(response) == [
        ("2026M01", "EE", "", 75.0, 40),
        ("2026M02", "EE", "", 75.0, 12),
        ("2026M03", "EE", "", 20.0, 50),
    ]
    first = response.json()[0]
    assert (first["numerator"], first["denominator"], first["low"], first["high"]) == (
        30.0, 40.0, 70.0, 80.0,
    )  # fmt: skip
    assert first["small_n"] is False and first["version"] == 1


@pytest.mark.parametrize(("period", "months"), [
    ("2026Q1", ["2026M01", "2026M02", "2026M03"]),  # a quarter gives its months
    ("2026", ["2026M01", "2026M02", "2026M03", "2026M04"]),
    ("2025M12..2026Q1", ["2025M12", "2026M01", "2026M02", "2026M03"]),  # mixed kinds
    (" 2026m02 ", ["2026M02"]),
    ("", ["2025M12", "2026M01", "2026M02", "2026M03", "2026M04"]),  # every period
])  # fmt: skip
def test_it_reads_one_period_or_a_range(as_user, cast, share, period, months):
    response = as_user(cast.ann).get(f"{API}/VS_SHARE/values", {"period": period})

    assert [r[0] for r in rows(response)] == months


def test_it_lists_the_counties_or_a_breakdown_of_a_unit(as_user, cast, share):
    client = as_user(cast.ann)
    url = f"{API}/VS_SHARE/values"

    by_county = client.get(url, {"period": "2026M01", "by": "county"})
    by_gender = client.get(url, {"period": "2026M01", "by": "gender"})
    one_unit = client.get(url, {"period": "2026M01", "unit": "HARJU-VS"})

    # in tree order: Lõuna (Tartu) before Põhja (Harju)
    assert rows(by_county) == [
        ("2026M01", "TARTU", "", 75.0, 4),
        ("2026M01", "HARJU", "", 90.0, 30),
    ]
    assert rows(by_gender) == [
        ("2026M01", "EE", "gender=female", 77.7778, 36),
        ("2026M01", "EE", "gender=male", 50.0, 4),
    ]
    assert rows(one_unit) == [("2026M01", "HARJU-VS", "", 90.0, 30)]
    assert by_county.json()[1]["unit_name"] == "Harju county"


def test_it_keeps_small_n_values_from_everyone_but_the_analyst(as_user, cast, share):
    query = {"period": "2026M01", "by": "county"}

    analyst = as_user(cast.ann).get(f"{API}/VS_SHARE/values", query).json()
    manager = as_user(cast.mari).get(f"{API}/VS_SHARE/values", query).json()

    assert analyst[0]["value"] == 75.0 and analyst[0]["small_n"] is True
    tartu = manager[0]
    assert tartu["small_n"] is True
    assert [tartu[k] for k in ("numerator", "denominator", "value", "low", "high", "n")] == [
        None, None, None, None, None, None,
    ]  # fmt: skip
    assert manager[1]["value"] == 90.0  # Harju: n = 30, shown


def test_it_serves_each_period_from_the_version_in_effect(as_user, cast, share):
    newer = MetricVersion.objects.create(
        metric=share.metric, version=2, effective_from="2026M03", type="percent",
        numerator=COUNT, denominator=COUNT, frequency="M", breakdowns=["county"], min_n=10,
    )  # fmt: skip
    value(newer, "2026M02", cast.estonia, 1, 100)  # computed, but v1 is in effect then
    value(newer, "2026M03", cast.estonia, 11, 50)

    found = as_user(cast.ann).get(f"{API}/VS_SHARE/values", {"period": "2026M02..2026M03"})

    assert [(r["period"], r["version"], r["value"]) for r in found.json()] == [
        ("2026M02", 1, 75.0),
        ("2026M03", 2, 22.0),
    ]


@pytest.mark.parametrize(("user", "query", "status"), [
    ("ann", {}, 200),
    ("mari", {}, 200),
    ("olev", {}, 200),  # owner of VS: the units delivering it and the units above them
    ("oksana", {}, 403),  # owner of another service
    ("paul", {}, 403),  # a provider does not see the country ...
    ("paul", {"unit": "HARJU-VS"}, 200),  # ... but his own unit
    ("pille", {"unit": "HARJU-VS"}, 403),  # not another county's
])  # fmt: skip
def test_it_gives_values_only_of_what_the_user_may_see(as_user, cast, share, user, query, status):
    response = as_user(getattr(cast, user)).get(f"{API}/VS_SHARE/values", query)

    assert response.status_code == status, response.content


def test_it_lists_only_the_counties_an_owner_may_see(as_user, cast):
    version = metric("WSC_SHARE", cast.wsc)
    for unit in (cast.harju, cast.tartu):
        value(version, "2026M01", unit, 5, 20)

    found = as_user(cast.oksana).get(f"{API}/WSC_SHARE/values", {"by": "county"})

    assert [r[1] for r in rows(found)] == ["TARTU"]  # the women's centre is in Tartu


def test_it_needs_a_staff_member_and_a_known_metric(client, as_user, cast, share):
    assert client.get(f"{API}/VS_SHARE/values").status_code == 401
    assert as_user(cast.rein).get(f"{API}/VS_SHARE/values").status_code == 401
    assert as_user(cast.ann).get(f"{API}/NO_SUCH/values").status_code == 404


@pytest.mark.parametrize(("query", "says"), [
    ({"period": "2026M13"}, "month must be 01–12"),
    ({"period": "soon"}, "'soon' is not a period"),
    ({"period": "2026M03..2026M01"}, "the range runs backwards"),
    ({"period": "2026M01.."}, "a range needs both ends"),
    ({"period": "2026M01" * 10}, "period: at most 40 characters"),
    ({"unit": "NOWHERE"}, "unknown unit “NOWHERE”"),
    ({"by": "shoe_size"},
     "cannot be shown by “shoe_size” (it may be shown by: region, county, gender)"),
    ({"by": "crime_type"}, "cannot be shown by “crime_type”"),
])  # fmt: skip
def test_it_refuses_a_bad_query_with_422_saying_why(as_user, cast, share, query, says):
    response = as_user(cast.ann).get(f"{API}/VS_SHARE/values", query)

    assert response.status_code == 422, response.content
    assert says in response.json()["detail"]


# -- downloads -----------------------------------------------------------------------------------


def download(client, kind, code="VS_SHARE", **query):
    return client.get(f"/metrics/{code}/values.{kind}", query)


def test_it_downloads_the_same_rows_as_csv_and_audits_the_export(as_user, cast, share):
    response = download(as_user(cast.mari), "csv", period="2026M01", by="county")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="VS_SHARE-values.csv"' in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    assert text.lstrip("\ufeff").splitlines() == [
        "metric,period,unit,unit_name,breakdown,numerator,denominator,value,low,high,n,"
        "small_n,version",
        "VS_SHARE,2026M01,TARTU,Tartu county,,,,,,,,true,1",  # small n: nothing shown
        "VS_SHARE,2026M01,HARJU,Harju county,,27,30,90,85,95,30,false,1",
    ]
    event = AuditEvent.objects.get(action="export")
    assert (event.action, event.actor, event.object_type) == ("export", cast.mari, "metrics.metric")
    assert event.object_id == str(share.metric.pk)
    assert "VS_SHARE values (period=2026M01, unit=country, by=county) as CSV: 2 rows" in (
        event.summary
    )
    assert event.changes == {"period": "2026M01", "unit": "", "by": "county", "format": "csv"}


def test_it_downloads_a_workbook_with_numbers_as_numbers(as_user, cast, share):
    response = download(as_user(cast.ann), "xlsx", period="2026M01", by="gender")

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))["VS_SHARE"]
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    assert cells[0][:5] == ["metric", "period", "unit", "unit_name", "breakdown"]
    assert cells[1][:8] == ["VS_SHARE", "2026M01", "EE", "Estonia", "gender=female", 28, 36,
                            pytest.approx(77.7778)]  # fmt: skip
    assert cells[2][-2:] == [True, 1]  # the analyst sees small-n values, flagged
    assert AuditEvent.objects.filter(action="export", summary__contains="as XLSX").count() == 1


def test_it_neutralises_formulas_in_downloaded_text(as_user, cast, share):
    cast.harju.name_en = cast.harju.name_et = '=HYPERLINK("http://evil.example","Harju")'
    cast.harju.save()
    client = as_user(cast.ann)

    text = download(client, "csv", period="2026M01", by="county").content.decode()
    book = load_workbook(
        io.BytesIO(download(client, "xlsx", period="2026M01", by="county").content)
    )

    names = [row[3] for row in csv.reader(io.StringIO(text.lstrip("\ufeff")))]
    assert names[2] == '\'=HYPERLINK("http://evil.example","Harju")'
    harju = book["VS_SHARE"]["D3"]
    assert harju.value.startswith("'=HYPERLINK(") and harju.data_type == "s"


def test_it_refuses_a_bad_or_forbidden_download_without_auditing(as_user, cast, share):
    bad = download(as_user(cast.ann), "csv", period="2026M13")
    forbidden = download(as_user(cast.oksana), "xlsx")
    unknown = download(as_user(cast.ann), "csv", code="NO_SUCH")

    assert bad.status_code == 422 and "month must be 01–12" in bad.content.decode()
    assert forbidden.status_code == 403
    assert unknown.status_code == 404
    assert not AuditEvent.objects.filter(action="export").exists()
