"""The Excel round trip: Paul downloads this month's template for Harju, fills it in and
uploads it back. A file that is wrong in any way is refused whole, with the sheet and cell
of every problem, and the database stays exactly as it was."""

import io
import zipfile
from datetime import date

import openpyxl
import pytest
import time_machine
from django.utils import translation

from seire.access.models import AuditEvent
from seire.collection.excel import build_template, import_workbook, read_workbook
from seire.collection.excel.upload import _sheet_parts
from seire.collection.models import (
    DataElement,
    Dataset,
    DataValue,
    OptionCombo,
    Submission,
)
from seire.collection.services import Cell, Refused, save_values
from seire.organisation.models import OrgUnit
from tests.collection.importing import (
    CLIENTS,
    PERIOD,
    SATISFIED,
    SESSIONS,
    SHEET,
    TARTU_SHEET,
    TODAY,
    fill,
    fingerprint,
    good_month,
)


@pytest.fixture(autouse=True)
def _in_english_on_a_fixed_day():
    with translation.override("en"), time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def template(cast, vs_monthly):
    return build_template(vs_monthly, [cast.harju_vs], [PERIOD])


def stored() -> dict[tuple[str, str], object]:
    rows = DataValue.objects.filter(unit__code="HARJU-VS", period=PERIOD)
    return {
        (v.element.code, v.combo.code): ("na" if v.status == "na" else v.value.normalize())
        for v in rows.select_related("element", "combo")
    }


# -- the template ----------------------------------------------------------------------------


def test_it_builds_one_locked_sheet_per_unit_and_period_with_open_inputs(template):
    book = openpyxl.load_workbook(io.BytesIO(template))
    assert book.sheetnames == ["Juhend", SHEET, "_meta"]
    assert book["_meta"].sheet_state == "veryHidden"
    assert book.security.lockStructure
    sheet = book[SHEET]
    assert sheet.protection.sheet
    assert [sheet.cell(6, c).value for c in (1, 2)] == ["CLIENTS_NEW", "Uued kliendid"]
    assert [sheet.cell(5, c).value for c in range(3, 7)] == ["Naised", "Mehed", "Teadmata", "Kokku"]
    assert sheet["A9"].value == "SESSIONS" and sheet["C8"].value == "Kokku"
    for address in [*CLIENTS.values(), SESSIONS, SATISFIED]:
        assert sheet[address].protection.locked is False, address
    assert sheet["B6"].protection.locked and sheet["G6"].protection.locked


def test_it_checks_counts_and_percentages_while_the_provider_types(template):
    sheet = openpyxl.load_workbook(io.BytesIO(template))[SHEET]
    rules = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    assert set(rules) == {"C6:F6", "C9", "C10"}
    assert "INT(C6)" in rules["C6:F6"].formula1 and ">=0" in rules["C6:F6"].formula1
    assert "<=100" in rules["C10"].formula1
    assert all('="na"' in rule.formula1 for rule in rules.values())


def test_it_writes_instructions_from_the_counting_rules(cast, vs_monthly):
    for lang, title, rule in [
        ("et", "Juhend", "Klient, kellel algas aruandeaastal esimene juhtum."),
        ("en", "Instructions", "A client whose first episode of the reporting year began."),
    ]:
        book = openpyxl.load_workbook(
            io.BytesIO(build_template(vs_monthly, [cast.harju_vs], [PERIOD], lang=lang))
        )
        text = [c for row in book[title].iter_rows(values_only=True) for c in row if c]
        assert rule in text
        assert any("CLIENTS_NEW[total]" in str(t) for t in text)  # the hard rules, spelled out


def test_it_fills_in_stored_values_and_not_applicable(cast, vs_monthly):
    cells = [
        Cell("CLIENTS_NEW", "female", "HARJU-VS", PERIOD, "4"),
        Cell("SATISFIED_PCT", "total", "HARJU-VS", PERIOD, "na"),
        Cell("SESSIONS", "total", "HARJU-VS", PERIOD, "12.0"),
    ]
    save_values(cast.paul, vs_monthly, cells, "web")
    sheet = openpyxl.load_workbook(
        io.BytesIO(build_template(vs_monthly, [cast.harju_vs], [PERIOD]))
    )[SHEET]
    assert (sheet[CLIENTS["female"]].value, sheet[SATISFIED].value) == (4, "na")
    assert sheet[SESSIONS].value == 12 and sheet[CLIENTS["male"]].value is None


def test_it_names_sheets_in_31_characters_without_clashes(cast, vs_monthly):
    long_units = [
        OrgUnit.objects.create(
            code=f"HARJU-VICTIM-SUPPORT-CENTRE-{n}",
            name_et="x",
            name_en="x",
            kind="service_point",
            parent=cast.harju,
        )
        for n in (1, 2)
    ]
    book = openpyxl.load_workbook(
        io.BytesIO(build_template(vs_monthly, long_units, ["2026M02", PERIOD]))
    )
    names = book.sheetnames[1:-1]
    assert len(names) == len({n.lower() for n in names}) == 4
    assert all(len(n) <= 31 for n in names)


# -- the round trip --------------------------------------------------------------------------


def test_it_saves_a_filled_template_and_audits_every_change(cast, vs_monthly, template):
    filled = fill(template, good_month())
    result = import_workbook(cast.paul, vs_monthly, filled)

    assert (result.created, result.updated) == (6, 0)
    assert stored() == {
        ("CLIENTS_NEW", "female"): 3,
        ("CLIENTS_NEW", "male"): 4,
        ("CLIENTS_NEW", "unknown"): 1,
        ("CLIENTS_NEW", "total"): 8,
        ("SESSIONS", "total"): 20,
        ("SATISFIED_PCT", "total"): pytest.approx(90.5),
    }
    assert set(DataValue.objects.values_list("channel", flat=True)) == {"excel"}
    event = AuditEvent.objects.get(object_id=f"VS_MONTHLY/HARJU-VS/{PERIOD}")
    assert (event.actor, event.channel) == (cast.paul, "excel")
    assert event.changes["CLIENTS_NEW/total"] == [None, "8"]


def test_it_changes_nothing_when_the_same_file_comes_again(cast, vs_monthly, template):
    filled = fill(template, good_month())
    import_workbook(cast.paul, vs_monthly, filled)
    before = fingerprint()

    result = import_workbook(cast.paul, vs_monthly, filled)

    assert (result.created, result.updated, result.cleared, result.unchanged) == (0, 0, 0, 6)
    assert fingerprint() == before  # no value, version or audit event more


def test_it_records_old_and_new_values_of_a_correction(cast, vs_monthly, template):
    import_workbook(cast.paul, vs_monthly, fill(template, good_month()))
    corrected = build_template(vs_monthly, [cast.harju_vs], [PERIOD])
    corrected = fill(corrected, good_month(new=(5, 4, 1), sessions=25))
    corrected = fill(corrected, {SHEET: {SATISFIED: None}})

    result = import_workbook(cast.paul, vs_monthly, corrected)

    assert (result.updated, result.cleared) == (3, 1)  # female, total, sessions; satisfied
    event = AuditEvent.objects.filter(object_id=f"VS_MONTHLY/HARJU-VS/{PERIOD}").first()
    assert event.changes == {
        "CLIENTS_NEW/female": ["3", "5"],
        "CLIENTS_NEW/total": ["8", "10"],
        "SESSIONS/total": ["20", "25"],
        "SATISFIED_PCT/total": ["90.5", None],
    }
    assert DataValue.objects.get(element__code="SESSIONS").version == 2


def test_it_reads_every_unit_and_month_of_a_national_template(cast, vs_monthly):
    months = ["2026M02", PERIOD]
    template = build_template(vs_monthly, [cast.harju_vs, cast.tartu_vs], months)
    values = {}
    for unit in ("HARJU-VS", "TARTU-VS"):
        for month in months:
            values |= good_month(f"{unit} {month}", new=(1, 2, 3), sessions=len(unit))
    cells = read_workbook(fill(template, values), vs_monthly)
    assert len(cells) == 4 * 6
    assert cells[0].where == "'HARJU-VS 2026M02'!C6"

    result = import_workbook(cast.ann, vs_monthly, fill(template, values))

    assert result.created == 24
    assert AuditEvent.objects.filter(channel="excel").count() == 4  # one per unit × month


def test_it_checks_the_rules_of_reports_of_whole_numbers_and_saves_them_if_they_hold(
    cast, vs_monthly
):
    months = ["2026M02", PERIOD]
    template = build_template(vs_monthly, [cast.harju_vs, cast.tartu_vs], months)
    values = {}
    for unit in ("HARJU-VS", "TARTU-VS"):
        for month in months:
            values |= good_month(f"{unit} {month}", new=(1, 2, 3), sessions=10, satisfied=90)
    broken = {sheet: dict(cells) for sheet, cells in values.items()}
    broken[TARTU_SHEET][CLIENTS["total"]] = 7  # not 1 + 2 + 3
    broken["HARJU-VS 2026M02"][SESSIONS] = 5  # fewer sessions than the 6 new clients
    before = fingerprint()

    with pytest.raises(Refused) as refused:
        import_workbook(cast.ann, vs_monthly, fill(template, broken))

    assert [str(p) for p in refused.value.problems] == [
        "'HARJU-VS 2026M02': New clients cannot exceed counselling sessions. "
        "(CLIENTS_NEW[total] = 6, SESSIONS = 5)",
        f"'{TARTU_SHEET}': Total must equal women + men + unknown. (CLIENTS_NEW[total] = 7, "
        "CLIENTS_NEW[female] + CLIENTS_NEW[male] + CLIENTS_NEW[unknown] = 6)",
    ]
    assert fingerprint() == before

    result = import_workbook(cast.ann, vs_monthly, fill(template, values))

    assert result.created == 4 * 6
    assert DataValue.objects.filter(element__code="SATISFIED_PCT").first().value == 90


# -- bad files: refused whole, located, nothing written ----------------------------------------


def _zip_of_text(*__):
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("notes.txt", "not a workbook")
    return output.getvalue()


def _plain_workbook(*__):
    output = io.BytesIO()
    openpyxl.Workbook().save(output)
    return output.getvalue()


def _with_meta(cell, value):
    def change(cast, dataset, template):
        return fill(template, {"_meta": {cell: value}})

    return change


def _other_dataset(cast, dataset, template):
    other = Dataset.objects.create(
        code="VS_EXTRA", name_et="Lisa", name_en="Extra", service=cast.vs, period_type="M"
    )
    element = DataElement.objects.get(dataset=dataset, code="SESSIONS")
    DataElement.objects.create(
        dataset=other,
        code="SESSIONS",
        name_et="x",
        name_en="x",
        disaggregation=element.disaggregation,
    )
    return build_template(other, [cast.harju_vs], [PERIOD])


def _newer_dataset_version(cast, dataset, template):
    Dataset.objects.filter(pk=dataset.pk).update(version=2)
    dataset.refresh_from_db()
    return template


def _period(period):
    return lambda cast, dataset, template: build_template(dataset, [cast.harju_vs], [period])


def _renamed(cast, dataset, template):
    book = openpyxl.load_workbook(io.BytesIO(template))
    book[SHEET].title = "Harju märts"
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def _typed(address, value):
    return lambda cast, dataset, template: fill(template, {SHEET: {address: value}})


def _stored(make):
    """The file `make` gives, zipped again without compression (as some tools write it)."""

    def change(cast, dataset, template):
        source = zipfile.ZipFile(io.BytesIO(make(cast, dataset, template)))
        output = io.BytesIO()
        with zipfile.ZipFile(output, "w", zipfile.ZIP_STORED) as archive:
            for info in source.infolist():
                archive.writestr(info.filename, source.read(info))
        return output.getvalue()

    return change


def _sheet_bytes_changed(cast, dataset, template):
    """A byte in the middle of the month's sheet, as compressed, changed (a damaged copy)."""
    archive = zipfile.ZipFile(io.BytesIO(template))
    info = archive.getinfo(_sheet_parts(archive)[SHEET])
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    middle = start + info.compress_size // 2
    return template[:middle] + bytes([template[middle] ^ 0xFF]) + template[middle + 1 :]


def _tartu(cast, dataset, template):
    return fill(build_template(dataset, [cast.tartu_vs], [PERIOD]), good_month(TARTU_SHEET))


def _submitted(cast, dataset, template):
    Submission.objects.create(
        dataset=dataset, unit=cast.harju_vs, period=PERIOD, status=Submission.Status.SUBMITTED
    )
    return fill(template, good_month(new=(6, 6, 6), sessions=30))


BAD_FILES = [
    # (case, make the file, where, what the message says)
    ("not a workbook", lambda *__: b"dataset,unit\nVS,HARJU", "file", "not an Excel workbook"),
    ("half a workbook", lambda c, d, t: t[: len(t) // 2], "file", "damaged"),
    ("a zip of something else", _zip_of_text, "file", "not an Excel workbook"),
    ("an empty file", lambda *__: b"", "file", "not an Excel workbook"),
    ("a workbook that is no template", _plain_workbook, "'_meta'", "not a Seire template"),
    ("hidden description edited", _with_meta("D8", "Z99"), "'_meta'", "was changed"),
    ("a future template format", _with_meta("B1", "9"), "'_meta'!B1", "format 9"),
    ("another table's template", _other_dataset, "'_meta'!B3", "not VS_MONTHLY"),
    ("the table has changed since", _newer_dataset_version, "'_meta'!B4", "now version 2"),
    ("a month not yet begun", _period("2026M05"), "'HARJU-VS 2026M05'!A2", "not started"),
    ("a quarter in a monthly table", _period("2026Q1"), "'HARJU-VS 2026Q1'!A2", "monthly"),
    ("a renamed sheet", _renamed, f"'{SHEET}'", "missing or was renamed"),
    ("text in a number cell", _typed("C6", "seven"), f"'{SHEET}'!C6", "expected a number"),
    ("a negative count", _typed("D6", -2), f"'{SHEET}'!D6", "negative value -2"),
    ("a fraction of a client", _typed("E6", 1.5), f"'{SHEET}'!E6", "whole number"),
    ("a percentage over 100", _typed(SATISFIED, 120), f"'{SHEET}'!C10", "exceed 100"),
    ("a formula", _typed("F6", "=C6+D6+E6"), f"'{SHEET}'!F6", "formula"),
    (
        "a formula, zipped uncompressed",
        _stored(_typed("F6", "=C6+D6+E6")),
        f"'{SHEET}'!F6",
        "formula",
    ),
    ("a sheet's bytes changed", _sheet_bytes_changed, "file", "damaged"),
    ("TRUE in a count", _typed(SESSIONS, True), f"'{SHEET}'!C9", "TRUE/FALSE"),
    ("a date in a count", _typed(SESSIONS, date(2026, 3, 1)), f"'{SHEET}'!C9", "a number"),
    ("an absurd number", _typed(SESSIONS, 10**12), f"'{SHEET}'!C9", "too large"),
    ("total is not the sum", _typed(CLIENTS["total"], 9), f"'{SHEET}'", "Total must equal"),
    ("another county's sheet", _tartu, f"'{TARTU_SHEET}'", "may not enter data for TARTU-VS"),
    ("a submitted report", _submitted, f"'{SHEET}'!C6", "submitted"),
    ("a period long locked", _period("2025M06"), "'HARJU-VS 2025M06'!C6", "locked on"),
]


@pytest.mark.parametrize(
    ("make", "where", "says"), [c[1:] for c in BAD_FILES], ids=[c[0] for c in BAD_FILES]
)
def test_it_refuses_a_bad_file_whole_saying_where(cast, vs_monthly, template, make, where, says):
    import_workbook(cast.paul, vs_monthly, fill(template, good_month()))  # a month stored
    data = make(cast, vs_monthly, fill(template, good_month(new=(2, 2, 2), sessions=9)))
    before = fingerprint()

    with pytest.raises(Refused) as refused:
        import_workbook(cast.paul, vs_monthly, data)

    assert any(p.where == where and says in p.message for p in refused.value.problems), [
        str(p) for p in refused.value.problems
    ]
    assert fingerprint() == before


def test_it_refuses_a_file_over_the_size_limit(cast, vs_monthly, template, settings):
    settings.SEIRE_MAX_UPLOAD_BYTES = 1000
    before = fingerprint()
    with pytest.raises(Refused) as refused:
        import_workbook(cast.paul, vs_monthly, template)
    assert refused.value.problems[0].where == "file"
    assert "largest accepted is 0.0 MB" in refused.value.problems[0].message
    assert fingerprint() == before


def test_it_lists_every_problem_of_a_file_at_once(cast, vs_monthly, template):
    bad = fill(template, {SHEET: {"C6": "x", "D6": -1, SESSIONS: "=1"}})
    with pytest.raises(Refused) as refused:
        read_workbook(bad, vs_monthly)
    assert [p.where for p in refused.value.problems] == [
        f"'{SHEET}'!C6",
        f"'{SHEET}'!D6",
        f"'{SHEET}'!C9",
    ]


def test_it_refuses_a_template_naming_a_column_the_table_no_longer_has(cast, vs_monthly, template):
    OptionCombo.objects.filter(code="unknown").update(code="not_reported")
    with pytest.raises(Refused) as refused:
        read_workbook(template, vs_monthly)
    assert refused.value.problems[0].where == "'_meta'"
    assert "CLIENTS_NEW/unknown" in refused.value.problems[0].message
