"""Machine submission: the CSV format and the JSON API take the same all-or-nothing path as
the Excel template, and say where every problem is (row and field, or values[i])."""

import codecs

import pytest
import time_machine
from django.utils import translation

from seire.collection.csv_format import export_csv, import_csv, read_csv
from seire.collection.models import DataElement, DataValue, OptionCombo
from seire.collection.services import Cell, Refused, save_values
from tests.collection.conftest import make_disaggregation
from tests.collection.importing import PERIOD, TODAY, fingerprint

HEADER = "dataset,unit,period,element,combo,value\n"
URL = "/api/collection/values"


@pytest.fixture(autouse=True)
def _in_english_on_a_fixed_day():
    with translation.override("en"), time_machine.travel(TODAY, tick=False):
        yield


def month_csv(unit="HARJU-VS", period=PERIOD, new=(3, 4, 1), sessions=20, sep=","):
    female, male, unknown = new
    rows = [
        ("CLIENTS_NEW", "female", female),
        ("CLIENTS_NEW", "male", male),
        ("CLIENTS_NEW", "unknown", unknown),
        ("CLIENTS_NEW", "total", female + male + unknown),
        ("SESSIONS", "total", sessions),
        ("SATISFIED_PCT", "total", "na"),
    ]
    lines = [HEADER.replace(",", sep)]
    lines += [sep.join(["VS_MONTHLY", unit, period, e, c, str(v)]) + "\n" for e, c, v in rows]
    return "".join(lines)


def stored() -> dict[tuple[str, str], str]:
    return {
        (e, c): ("na" if s == "na" else str(v.normalize()))
        for e, c, v, s in DataValue.objects.values_list(
            "element__code", "combo__code", "value", "status"
        )
    }


# -- CSV ---------------------------------------------------------------------------------------


def test_it_imports_a_csv_file_and_exports_the_same_rows(cast, vs_monthly):
    result = import_csv(cast.paul, vs_monthly, month_csv().encode())

    assert result.created == 6
    assert stored()[("CLIENTS_NEW", "total")] == "8"
    assert stored()[("SATISFIED_PCT", "total")] == "na"
    assert set(DataValue.objects.values_list("channel", flat=True)) == {"csv"}
    exported = export_csv(vs_monthly, ["HARJU-VS"], [PERIOD])
    assert sorted(exported.splitlines()) == sorted(month_csv().splitlines())
    before = fingerprint()
    assert import_csv(cast.paul, vs_monthly, exported.encode()).unchanged == 6
    assert fingerprint() == before


def test_it_reads_semicolons_a_byte_order_mark_and_windows_line_ends(cast, vs_monthly):
    data = codecs.BOM_UTF8 + month_csv(sep=";").replace("\n", "\r\n").encode()
    cells = read_csv(data, vs_monthly)
    assert [c.where for c in cells[:2]] == ["row 2", "row 3"]
    assert cells[0] == Cell("CLIENTS_NEW", "female", "HARJU-VS", PERIOD, "3", None, "row 2")


def test_it_neutralises_formulas_in_exported_text_and_reads_them_back(cast, vs_monthly):
    odd = make_disaggregation("odd", [("=2+5", "=2+5", "=2+5")], with_total=False)
    DataElement.objects.create(
        dataset=vs_monthly, code="ODD", name_et="x", name_en="x", disaggregation=odd, sort=9
    )
    combo = OptionCombo.objects.get(disaggregation=odd)
    assert combo.code == "=2+5"
    save_values(cast.paul, vs_monthly, [Cell("ODD", "=2+5", "HARJU-VS", PERIOD, 3)], "web")

    exported = export_csv(vs_monthly, ["HARJU-VS"], [PERIOD])

    assert "VS_MONTHLY,HARJU-VS,2026M03,ODD,'=2+5,3" in exported.splitlines()
    assert import_csv(cast.paul, vs_monthly, exported.encode()).unchanged == 1


def _rows(*lines):
    return (HEADER + "".join(f"{line}\n" for line in lines)).encode()


GOOD = "VS_MONTHLY,HARJU-VS,2026M03,SESSIONS,total,20"
BAD_CSV = [
    (
        "not UTF-8",
        HEADER.encode() + "VS_MONTHLY,HARJU-VS,2026M03,SESSIONS,total,õ\n".encode("latin-1"),
        "row 2",
        "not UTF-8",
    ),
    ("empty", b"", "row 1", "empty"),
    (
        "wrong header",
        b"data,unit,period,element,combo,value\n" + GOOD.encode(),
        "row 1, data",
        "unknown column",
    ),
    ("a column missing", b"dataset,unit,period,element,value\n", "row 1", "“combo” is missing"),
    ("a field too many", _rows(GOOD, GOOD + ",7"), "row 3", "expected 6 fields, found 7"),
    (
        "another table",
        _rows("VS_OTHER,HARJU-VS,2026M03,SESSIONS,total,2"),
        "row 2, dataset",
        "VS_MONTHLY",
    ),
    (
        "unknown unit",
        _rows("VS_MONTHLY,HARJU-XX,2026M03,SESSIONS,total,2"),
        "row 2, unit",
        "unknown unit",
    ),
    (
        "not a period",
        _rows("VS_MONTHLY,HARJU-VS,March,SESSIONS,total,2"),
        "row 2, period",
        "2026M03",
    ),
    (
        "unknown element",
        _rows("VS_MONTHLY,HARJU-VS,2026M03,SESSION,total,2"),
        "row 2, element",
        "unknown data element",
    ),
    (
        "unknown column",
        _rows("VS_MONTHLY,HARJU-VS,2026M03,SESSIONS,women,2"),
        "row 2, combo",
        "unknown column",
    ),
    (
        "text value",
        _rows("VS_MONTHLY,HARJU-VS,2026M03,SESSIONS,total,twenty"),
        "row 2, value",
        "expected a number",
    ),
    (
        "negative value",
        _rows("VS_MONTHLY,HARJU-VS,2026M03,SESSIONS,total,-3"),
        "row 2, value",
        "negative",
    ),
    (
        "a formula",
        _rows("VS_MONTHLY,HARJU-VS,2026M03,SESSIONS,total,=A1"),
        "row 2, value",
        "formula",
    ),
    ("the same cell twice", _rows(GOOD, GOOD), "row 3", "given twice; the first is at row 2"),
    (
        "another county",
        _rows("VS_MONTHLY,TARTU-VS,2026M03,SESSIONS,total,2"),
        "row 2",
        "may not enter data for TARTU-VS",
    ),
    (
        "broken quoting",
        _rows('VS_MONTHLY,HARJU-VS,2026M03,SESSIONS,total,"2"x'),
        "row 2",
        "not valid CSV",
    ),
    ("no values", HEADER.encode(), "row 2", "no values"),
    (
        "total not the sum",
        month_csv(new=(1, 1, 1)).replace("total,3", "total,4").encode(),
        "rows 2–7 (HARJU-VS 2026M03)",
        "Total must equal",
    ),
]


@pytest.mark.parametrize(
    ("data", "where", "says"), [c[1:] for c in BAD_CSV], ids=[c[0] for c in BAD_CSV]
)
def test_it_refuses_a_bad_csv_file_whole_saying_row_and_field(cast, vs_monthly, data, where, says):
    import_csv(cast.paul, vs_monthly, month_csv(new=(5, 5, 5)).encode())
    before = fingerprint()

    with pytest.raises(Refused) as refused:
        import_csv(cast.paul, vs_monthly, data)

    assert any(p.where == where and says in p.message for p in refused.value.problems), [
        str(p) for p in refused.value.problems
    ]
    assert fingerprint() == before


# -- API ---------------------------------------------------------------------------------------


def values_payload(**override):
    value = {"unit": "HARJU-VS", "period": PERIOD, "element": "SESSIONS", "combo": "total"}
    return {"dataset": "VS_MONTHLY", "values": [{**value, "value": 12, **override}]}


@pytest.fixture
def as_user(client, cast):
    def sign_in(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return sign_in


def test_it_saves_values_posted_to_the_api(as_user, cast, vs_monthly):
    response = as_user(cast.paul).post(URL, values_payload(), content_type="application/json")

    assert response.status_code == 200, response.content
    assert response.json() == {
        "created": 1,
        "updated": 0,
        "cleared": 0,
        "unchanged": 0,
        "values": [
            {
                "unit": "HARJU-VS",
                "period": PERIOD,
                "element": "SESSIONS",
                "combo": "total",
                "version": 1,
            }
        ],
    }
    value = DataValue.objects.get()
    assert (value.value, value.channel, value.updated_by) == (12, "api", cast.paul)


def test_it_returns_a_units_values_to_those_who_may_read_them(as_user, cast, vs_monthly):
    save_values(
        cast.paul,
        vs_monthly,
        [
            Cell("SESSIONS", "total", "HARJU-VS", PERIOD, "12"),
            Cell("SATISFIED_PCT", "total", "HARJU-VS", PERIOD, "na"),
            Cell("CLIENTS_NEW", "female", "HARJU-VS", PERIOD, "2.0"),
        ],
        "web",
    )
    query = {"dataset": "VS_MONTHLY", "unit": "HARJU-VS", "period": "2026m03"}

    response = as_user(cast.olev).get(URL, query)

    assert response.status_code == 200
    assert [(v["element"], v["combo"], v["value"], v["version"]) for v in response.json()] == [
        ("CLIENTS_NEW", "female", 2, 1),
        ("SESSIONS", "total", 12, 1),
        ("SATISFIED_PCT", "total", "na", 1),
    ]
    assert as_user(cast.pille).get(URL, query).status_code == 403
    assert as_user(cast.paul).get(URL, {**query, "dataset": "NOPE"}).status_code == 404
    assert as_user(cast.paul).get(URL, {**query, "period": "2026M13"}).status_code == 422


def test_it_refuses_a_bad_value_with_422_and_writes_nothing(as_user, cast, vs_monthly):
    payload = values_payload(value="-4")
    payload["values"].append({**payload["values"][0], "element": "CLIENTS_NEW", "value": 1})
    client = as_user(cast.paul)
    before = fingerprint()

    response = client.post(URL, payload, content_type="application/json")

    assert response.status_code == 422
    assert response.json()["detail"] == "refused"
    assert response.json()["problems"][0]["where"] == "values[0]"
    assert "negative" in response.json()["problems"][0]["message"]
    assert fingerprint() == before


def test_it_answers_409_when_someone_changed_the_value_meanwhile(as_user, cast, vs_monthly):
    client = as_user(cast.paul)
    client.post(URL, values_payload(), content_type="application/json")
    client.post(URL, values_payload(value=13, version=1), content_type="application/json")
    before = fingerprint()

    stale = client.post(URL, values_payload(value=14, version=1), content_type="application/json")
    mixed = client.post(URL, values_payload(value=-1, version=1), content_type="application/json")

    assert stale.status_code == 409 and stale.json()["detail"] == "conflict"
    assert "changed by someone else meanwhile (now 13)" in stale.json()["problems"][0]["message"]
    assert mixed.status_code == 422  # a bad value is not a conflict to retry
    assert fingerprint() == before


def test_it_forbids_writing_another_countys_unit(as_user, cast, vs_monthly):
    client = as_user(cast.pille)
    before = fingerprint()
    response = client.post(URL, values_payload(), content_type="application/json")
    assert response.status_code == 403
    assert response.json()["problems"] == [
        {"where": "values[0]", "message": "you may not enter data for HARJU-VS"}
    ]
    assert fingerprint() == before


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 401),
        ("no_role", 401),
        ("provider_a", 200),
        ("provider_b", 403),
        ("owner_x", 403),
        ("owner_y", 403),
        ("manager", 403),
        ("analyst", 200),
    ],
)
def test_it_lets_only_the_units_providers_and_the_analyst_post(
    client, cast, vs_monthly, persona, status
):
    user = cast.personas[persona]
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(URL, values_payload(), content_type="application/json")
    assert response.status_code == status


@pytest.mark.parametrize(
    "payload",
    [
        values_payload(value=True),  # strict: a boolean is not a number
        values_payload(colour="red"),  # unknown fields are refused
        values_payload(version="1"),
        {"dataset": "VS_MONTHLY", "values": []},
        {"values": [values_payload()["values"][0]]},
    ],
    ids=["boolean", "extra field", "version as text", "no values", "no dataset"],
)
def test_it_validates_the_request_strictly(as_user, cast, vs_monthly, payload):
    response = as_user(cast.paul).post(URL, payload, content_type="application/json")
    assert response.status_code == 422
    assert not DataValue.objects.exists()
