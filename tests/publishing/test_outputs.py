"""Every public output of a published release, read back as a reader would, shows no value
for a withheld cell and the right value for every other cell."""

import csv
import io
import json

import openpyxl
import pandas as pd
import pytest
from pyaxis import pyaxis

from seire.publishing import services
from seire.publishing.cubes import build_cube
from seire.publishing.outputs import SYMBOL, table_data
from seire.publishing.protection import all_cells
from tests.publishing.conftest import AFTER

SUPPRESSED = ("primary", "secondary")


@pytest.fixture
def published(release, time_machine):
    time_machine.move_to(AFTER, tick=False)
    version = services.publish(release, now=AFTER).version
    return release, version


def truth(table) -> dict[tuple, float]:
    """The true value of every cell (with totals), computed from the data here."""
    frame = all_cells(build_cube(table.spec()), list(table.dims))
    return {tuple(str(r[d]) for d in table.dims): float(r["value"]) for _, r in frame.iterrows()}


def expected(table, version) -> dict[tuple, str]:
    """{coordinates: status} as stored for the version."""
    return {
        tuple(c.coordinates[d] for d in table.dims): c.status
        for c in version.cells.filter(table=table)
    }


def suppress_tables(release):
    return [t for t in release.tables.order_by("sort") if t.method == "suppress"]


def test_the_demo_like_release_has_withheld_cells_in_every_suppressed_table(published):
    release, version = published
    for table in suppress_tables(release):
        statuses = set(expected(table, version).values())
        assert statuses & set(SUPPRESSED), table.code


def test_the_csv_has_no_value_for_a_withheld_cell(client, published):
    release, version = published
    for table in suppress_tables(release):
        url = f"/statistics/{release.code}/tables/{table.code}.csv"
        response = client.get(url)
        assert response.status_code == 200
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
        want, true = expected(table, version), truth(table)
        assert len(rows) == len(want)
        for row in rows:
            key = tuple(row[d] for d in table.dims)
            assert row["status"] == want[key]
            if row["status"] in SUPPRESSED:
                assert row["value"] == "" and row["symbol"] == SYMBOL
            else:
                assert float(row["value"]) == true[key]


def test_the_xlsx_has_the_symbol_for_a_withheld_cell(client, published):
    release, version = published
    for table in suppress_tables(release):
        response = client.get(f"/statistics/{release.code}/tables/{table.code}.xlsx")
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        sheet = book["Table"]
        data = table_data(table, version)
        codes = {d: {data.label(d, c, "en"): c for c in data.axes[d]} for d in data.dims}
        header = [c.value for c in sheet[3]]
        *row_dims, across = data.dims
        columns = [codes[across][h] for h in header[len(row_dims) :]]
        want, true = expected(table, version), truth(table)
        seen = 0
        for row in sheet.iter_rows(min_row=4, values_only=True):
            stub = tuple(codes[d][label] for d, label in zip(row_dims, row, strict=False))
            for code, value in zip(columns, row[len(row_dims) :], strict=True):
                key = (*stub, code)
                seen += 1
                if want[key] in SUPPRESSED:
                    assert value == SYMBOL, key
                else:
                    assert value == true[key], key
        assert seen == len(want)
        assert "Notes" in book.sheetnames
        notes = {r[0]: r[1] for r in book["Notes"].iter_rows(values_only=True)}
        assert "Cell suppression" in notes["Disclosure control"]


@pytest.mark.parametrize("lang", ["et", "en"])
def test_the_px_file_read_by_pyaxis_has_no_value_for_a_withheld_cell(
    client, published, tmp_path, lang
):
    release, version = published
    for table in suppress_tables(release):
        response = client.get(f"/statistics/{release.code}/tables/{table.code}.px")
        path = tmp_path / f"{table.code}.px"
        path.write_bytes(response.content)
        parsed = pyaxis.parse(str(path), encoding="utf-8", lang=lang)
        frame: pd.DataFrame = parsed["DATA"]
        data = table_data(table, version)
        names = [data.dim_label(d, lang) for d in data.dims]
        assert list(frame.columns) == [*names, "DATA"]
        codes = {d: {data.label(d, c, lang): c for c in data.axes[d]} for d in data.dims}
        want, true = expected(table, version), truth(table)
        assert len(frame) == len(want)
        for _, row in frame.iterrows():
            key = tuple(codes[d][row[n]] for d, n in zip(data.dims, names, strict=True))
            if want[key] in SUPPRESSED:
                assert pd.isna(row["DATA"]), key
            else:
                assert float(row["DATA"]) == true[key], key
        assert parsed["METADATA"]["DATASYMBOL2"] == [SYMBOL]


def test_the_json_api_has_no_value_for_a_withheld_cell(client, published):
    release, version = published
    for table in suppress_tables(release):
        response = client.get(f"/api/public/releases/{release.code}/tables/{table.code}")
        assert response.status_code == 200
        body = json.loads(response.content)
        want, true = expected(table, version), truth(table)
        assert len(body["cells"]) == len(want)
        for cell in body["cells"]:
            key = tuple(cell["coordinates"][d] for d in table.dims)
            assert cell["status"] == want[key]
            if cell["status"] in SUPPRESSED:
                assert cell["value"] is None and cell["suppressed"]
            else:
                assert cell["value"] == true[key]


def test_the_page_shows_the_symbol_and_the_legend(client, published):
    release, version = published
    table = release.tables.get(code="crime-county")
    html = client.get(f"/statistics/{release.code}/tables/{table.code}/").content.decode()
    withheld = version.cells.filter(table=table, status__in=SUPPRESSED).count()
    assert html.count('<span class="stat-table__symbol" aria-hidden="true">x</span>') == withheld
    assert "not published, to protect confidentiality" in html or "konfidentsiaalsuse" in html


def test_the_csv_neutralises_a_label_that_starts_like_a_formula(client, cast, published):
    release, _ = published
    cast.harju.name_en = '=HYPERLINK("http://evil")'
    cast.harju.save()
    text = client.get(f"/statistics/{release.code}/tables/county-gender.csv").content.decode()
    assert "'=HYPERLINK" in text
    assert ",=HYPERLINK" not in text


@pytest.mark.parametrize("code", ["gender-rounded", "month-gender"])
def test_every_format_reads_back_for_one_and_two_dimensions(client, published, tmp_path, code):
    release, version = published
    table = release.tables.get(code=code)
    cells = version.cells.filter(table=table)
    base = f"/statistics/{release.code}/tables/{code}"
    path = tmp_path / "t.px"
    path.write_bytes(client.get(f"{base}.px").content)
    frame = pyaxis.parse(str(path), encoding="utf-8", lang="et")["DATA"]
    assert len(frame) == cells.count()
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"{base}.xlsx").content))
    assert book.worksheets[0].max_row >= 4
    rows = list(csv.DictReader(io.StringIO(client.get(f"{base}.csv").content.decode("utf-8-sig"))))
    assert len(rows) == cells.count()
    if table.method == "round5":
        assert all(float(r["value"]) % 5 == 0 for r in rows)
        assert all(r["status"] == "rounded" for r in rows)
