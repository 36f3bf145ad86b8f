"""Importing case-level episode extracts and outcome assessments (CSV and XLSX).

Ann (the analyst) imports the case system's extract for the cast's units; Paul provides
victim support in Harju and may import only Harju's episodes. A refused file says every
problem by row and column and leaves the database as it was; a personal code is refused
unless the importer asks for it to be hashed, and then only the hash is stored.
"""

import csv
import io
from datetime import date

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seire.access.models import AuditEvent
from seire.access.pseudonyms import pseudonymise
from seire.catalogue.loader import CatalogueError, load_catalogue
from seire.collection import vocabulary
from seire.collection.assessments import import_assessments
from seire.collection.episodes import COLUMNS, import_episodes, read_episodes
from seire.collection.management.commands.import_episodes import Command as EpisodesCommand
from seire.collection.models import Assessment, Episode
from seire.collection.services import Refused

HEADER = list(COLUMNS) + ["comparison_group"]
PERSONAL_CODE = "38001085718"  # a valid isikukood (checksum and birth date)
LOOK_ALIKE = "49001010006"  # eleven digits, wrong check digit
ASSESSMENT_HEADER = ["source_id", "episode_source_id", "instrument", "timepoint", "assessed_on"]
ASSESSMENT_HEADER += [f"item_{n}" for n in range(1, 9)]


def episode(source_id="E1", **changes) -> dict:
    row = {
        "source_id": source_id,
        "client_key": pseudonymise(f"client-{source_id}"),
        "service": "VS",
        "unit": "HARJU-VS",
        "opened": "2024-01-10",
        "closed": "2024-02-01",
        "first_contact": "2024-01-11",
        "referral_source": "police",
        "crime_type": "domestic_violence",
        "gender": "female",
        "age_group": "36-45",
        "county": "HARJU",
        "services_given": "rights_information;emotional_support",
        "proactive_contact": "true",
        "needs_assessed": "jah",
        "safety_plan": "0",
        "comparison_group": "",
        "closure_reason": "goals_met",
    }
    return row | changes


def three_episodes() -> list[dict]:
    return [
        episode("E1"),
        episode("E2", unit="TARTU-VS", county="TARTU", gender="male", closed=""),
        episode("E3", service="WSC", unit="TARTU-WSC", county="TARTU", crime_type=""),
    ]


def csv_bytes(rows: list[dict], header=None, delimiter=",", bom=False) -> bytes:
    header = header or HEADER
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    return ("\ufeff" if bom else "").encode() + out.getvalue().encode()


def xlsx_bytes(rows: list[list], header) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def assessment(
    source_id,
    episode_source_id="E1",
    instrument="WHO5",
    timepoint="intake",
    assessed_on="2024-01-12",
    items=(3, 2, 4, 1, 3),
) -> dict:
    row = {
        "source_id": source_id,
        "episode_source_id": episode_source_id,
        "instrument": instrument,
        "timepoint": timepoint,
        "assessed_on": assessed_on,
    }
    return row | {f"item_{n}": value for n, value in enumerate(items, start=1)}


def database() -> tuple[list, list, int]:
    """Everything an import could change: episodes, assessments and the audit count."""
    episodes = sorted(
        Episode.objects.values_list(
            "source_id",
            "client_key",
            "unit__code",
            "opened",
            "closed",
            "crime_type",
            "services_given",
            "closure_reason",
        )
    )
    assessments = sorted(
        Assessment.objects.values_list("source_id", "episode__source_id", "timepoint", "items")
    )
    return episodes, assessments, AuditEvent.objects.count()


def problems_of(call) -> list[str]:
    with pytest.raises(Refused) as refused:
        call()
    return [str(p) for p in refused.value.problems]


# -- the vocabulary ---------------------------------------------------------------------------
def test_the_vocabulary_has_the_lists_of_the_domain():
    assert vocabulary.codes("gender") == {"female", "male", "other_unknown"}
    assert len(vocabulary.codes("crime_type")) == 12
    assert vocabulary.name("crime_type", "domestic_violence", "et") == "lähisuhtevägivald"
    assert vocabulary.name("age_group", "66+", "en") == "66 and over"
    who5 = vocabulary.instrument("WHO5")
    assert (who5.item_count, who5.minimum, who5.maximum, who5.multiplier) == (5, 0, 5, 4)
    assert who5.reliability == 0.81 and "Schougaard" in who5.reliability_reference
    needs = vocabulary.instrument("NEEDS_MET")
    assert needs.item_count == 8 and [a.code for a in needs.answers] == [
        "met",
        "partly",
        "not_met",
        "na",
    ]


def test_the_categories_file_passes_the_strict_catalogue_check(db):
    assert load_catalogue(vocabulary.PATH) == {}


def test_a_broken_categories_file_is_refused_with_its_line(db, tmp_path):
    text = vocabulary.PATH.read_text(encoding="utf-8")
    broken = text.replace("    minimum: 0\n    maximum: 10\n", "    maximum: 10\n", 1)
    broken = broken.replace("answers_from: need_met", "answers_from: need_ok")
    (tmp_path / "categories.yaml").write_text(broken, encoding="utf-8")
    with pytest.raises(CatalogueError) as error:
        load_catalogue(tmp_path)
    messages = [p.message for p in error.value.problems]
    assert messages == [
        "instrument 'SAFETY' needs either minimum and maximum or answers_from",
        "answers_from 'need_ok' is not a code list of this file",
    ]
    assert all(p.line for p in error.value.problems)


# -- clean imports ----------------------------------------------------------------------------
def test_it_imports_a_clean_csv(cast):
    result = import_episodes(cast.ann, csv_bytes(three_episodes()), "extract.csv")
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    e1 = Episode.objects.get(source_id="E1")
    assert (e1.unit, e1.service, e1.county) == (cast.harju_vs, cast.vs, cast.harju)
    assert (e1.opened, e1.closed, e1.first_contact) == (
        date(2024, 1, 10),
        date(2024, 2, 1),
        date(2024, 1, 11),
    )
    assert e1.services_given == ["rights_information", "emotional_support"]
    assert (e1.proactive_contact, e1.needs_assessed, e1.safety_plan, e1.comparison_group) == (
        True,
        True,
        False,
        None,
    )
    e2 = Episode.objects.get(source_id="E2")
    assert (e2.closed, e2.gender) == (None, "male")
    assert Episode.objects.get(source_id="E3").crime_type == ""
    event = AuditEvent.objects.get(action="import")
    assert event.changes == {"rows": 3, "created": 3, "updated": 0, "unchanged": 0}
    assert event.actor == cast.ann and "extract.csv" in event.summary
    assert pseudonymise("client-E1") not in str(event.changes) + event.summary


def test_it_reads_a_semicolon_csv_with_a_bom_and_names_for_codes(cast):
    row = episode(
        gender="Naine",
        age_group="36–45",
        crime_type="Domestic violence",
        services_given="emotional support, teave õiguste kohta",
        proactive_contact="EI",
    )
    rows = read_episodes(csv_bytes([row], delimiter=";", bom=True), "extract.csv")
    assert (rows[0]["gender"], rows[0]["age_group"], rows[0]["crime_type"]) == (
        "female",
        "36-45",
        "domestic_violence",
    )
    assert rows[0]["services_given"] == ["rights_information", "emotional_support"]
    assert rows[0]["proactive_contact"] is False


def test_it_imports_a_clean_xlsx(cast):
    rows = [
        [
            1001,
            pseudonymise("a"),
            "VS",
            "HARJU-VS",
            date(2024, 3, 1),
            None,
            date(2024, 3, 2),
            "self",
            "sexual_violence",
            "female",
            "18-25",
            "HARJU",
            "emotional_support",
            True,
            False,
            None,
            "",
            1,
        ],
        [
            1002,
            "case-77-b",
            "VS",
            "TARTU-VS",
            date(2024, 3, 5),
            date(2024, 4, 5),
            None,
            "police",
            "other_violence",
            "male",
            "66+",
            "",
            "",
            1,
            0,
            1,
            "moved",
            None,
        ],
    ]
    result = import_episodes(cast.ann, xlsx_bytes(rows, HEADER), "extract.xlsx")
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    first, second = Episode.objects.order_by("source_id")
    assert (first.source_id, first.opened, first.closed) == ("1001", date(2024, 3, 1), None)
    assert (first.proactive_contact, first.needs_assessed, first.comparison_group) == (
        True,
        False,
        True,
    )
    assert (second.client_key, second.county, second.closure_reason) == ("case-77-b", None, "moved")


def test_reimporting_is_idempotent_and_changes_land(cast):
    data = csv_bytes(three_episodes())
    import_episodes(cast.ann, data, "extract.csv")
    again = import_episodes(cast.ann, data, "extract.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    rows = three_episodes()
    rows[1] |= {"closed": "2024-03-01", "closure_reason": "client_ended"}
    changed = import_episodes(cast.ann, csv_bytes(rows), "extract.csv")
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 2)
    e2 = Episode.objects.get(source_id="E2")
    assert (e2.closed, e2.closure_reason) == (date(2024, 3, 1), "client_ended")
    assert Episode.objects.count() == 3
    assert AuditEvent.objects.filter(action="import").count() == 3


# -- refused files ----------------------------------------------------------------------------
def with_row(**changes):
    return lambda: (csv_bytes([episode("E9", **changes)]), "extract.csv")


BAD_FILES = [
    (
        "missing column",
        lambda: (csv_bytes([episode("E9")], header=HEADER[:-2]), "x.csv"),
        "row 1, column closure_reason: missing column: expected the columns source_id",
    ),
    (
        "unknown column",
        lambda: (csv_bytes([episode("E9")], header=HEADER + ["notes"]), "x.csv"),
        "row 1, column notes: unknown column",
    ),
    (
        "unknown service",
        with_row(service="XX"),
        "row 2, column service: unknown service “XX”: expected one of VS, WSC",
    ),
    ("unknown unit", with_row(unit="NOWHERE"), "row 2, column unit: unknown unit “NOWHERE”"),
    (
        "unit not providing the service",
        with_row(unit="TARTU-WSC"),
        "row 2, column unit: TARTU-WSC does not provide VS",
    ),
    (
        "county that is not a county",
        with_row(county="HARJU-VS"),
        "row 2, column county: unknown county “HARJU-VS”: expected one of HARJU, TARTU",
    ),
    (
        "local date format",
        with_row(opened="10.01.2024"),
        "row 2, column opened: expected a date as YYYY-MM-DD (write 2024-01-10)",
    ),
    (
        "no such day",
        with_row(closed="2024-02-30"),
        "row 2, column closed: no such day “2024-02-30”",
    ),
    ("opened missing", with_row(opened=""), "row 2, column opened: a date is required"),
    (
        "future date",
        with_row(closed="2999-01-01"),
        "row 2, column closed: 2999-01-01 is in the future",
    ),
    (
        "closed before opened",
        with_row(closed="2024-01-01"),
        "row 2, column closed: closed 2024-01-01 is before opened 2024-01-10",
    ),
    (
        "first contact before opened",
        with_row(first_contact="2024-01-09"),
        "row 2, column first_contact: first contact 2024-01-09 is before opened 2024-01-10",
    ),
    (
        "unknown crime type",
        with_row(crime_type="burglary"),
        "row 2, column crime_type: unknown code “burglary”: expected one of domestic_violence",
    ),
    (
        "bad boolean",
        with_row(safety_plan="maybe"),
        "row 2, column safety_plan: expected true or false",
    ),
    (
        "unknown service given",
        with_row(services_given="emotional_support;massage"),
        "row 2, column services_given: unknown code massage",
    ),
    (
        "duplicate source id",
        lambda: (csv_bytes([episode("E9"), episode("E9")]), "x.csv"),
        "row 3, column source_id: duplicate source_id (first at row 2)",
    ),
    (
        "e-mail as client key",
        with_row(client_key="mari@example.ee"),
        "row 2, column client_key: contains an e-mail address",
    ),
    (
        "personal code inside a key",
        with_row(client_key=f"EE{PERSONAL_CODE}"),
        "row 2, column client_key: contains a personal code",
    ),
    (
        "not UTF-8",
        lambda: ("source_id,märkus\n".encode("cp1257"), "x.csv"),
        "not UTF-8 text (byte 12): save the file as “CSV UTF-8”",
    ),
    ("not a workbook", lambda: (b"PK\x03\x04 broken", "x.xlsx"), "not a readable Excel workbook"),
    ("empty file", lambda: (b"", "x.csv"), "the file is empty"),
    ("header only", lambda: (csv_bytes([]), "x.csv"), "no data rows under the header"),
    ("a PDF", lambda: (b"%PDF-1.4", "x.pdf"), "a .pdf file cannot be imported"),
    (
        "bad quoting",
        lambda: (csv_bytes([episode("E9")]) + b'"E10"x,', "x.csv"),
        "row 3: not readable as CSV",
    ),
]


@pytest.mark.parametrize(("case", "make", "expected"), BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_a_bad_file_is_refused_with_a_located_message_and_changes_nothing(
    cast, case, make, expected
):
    import_episodes(cast.ann, csv_bytes(three_episodes()), "extract.csv")
    before = database()
    data, filename = make()
    problems = problems_of(lambda: import_episodes(cast.ann, data, filename))
    assert any(p.startswith(expected) for p in problems), problems
    assert database() == before


def test_it_reports_every_problem_and_writes_nothing_of_a_partly_good_file(cast):
    rows = [episode("E1"), episode("E2", gender="x"), episode("E3", opened="x", unit="Y")]
    problems = problems_of(lambda: import_episodes(cast.ann, csv_bytes(rows), "x.csv"))
    assert problems == [
        "row 3, column gender: unknown code “x”: expected one of female, male, other_unknown",
        "row 4, column unit: unknown unit “Y”: expected a unit code such as HARJU-VS",
        "row 4, column opened: expected a date as YYYY-MM-DD, got “x”",
    ]
    assert not Episode.objects.exists() and not AuditEvent.objects.exists()


# -- personal codes ---------------------------------------------------------------------------
@pytest.mark.parametrize("code", [PERSONAL_CODE, LOOK_ALIKE, "380 0108 5718"])
def test_a_personal_code_is_refused_then_stored_only_as_its_hash(cast, code):
    data = csv_bytes([episode("E1", client_key=code)])
    problems = problems_of(lambda: import_episodes(cast.ann, data, "x.csv"))
    assert problems == [
        "row 2, column client_key: looks like a personal code (isikukood): pseudonymise the "
        "client keys before importing, or import with --hash-personal-codes to store only "
        "their keyed hash"
    ]
    result = import_episodes(cast.ann, data, "x.csv", hash_personal_codes=True)
    assert (result.created, result.hashed) == (1, 1)
    stored = Episode.objects.get()
    assert stored.client_key == pseudonymise(code.replace(" ", ""))
    clear = code.replace(" ", "")
    every_value = [str(v) for row in Episode.objects.values_list() for v in row]
    assert not any(clear in value for value in every_value)
    event = AuditEvent.objects.get(action="import")
    assert event.changes["personal_codes_hashed"] == 1
    assert clear not in event.summary + str(event.changes)


def test_a_personal_code_in_an_xlsx_number_cell_is_refused(cast):
    row = [episode("E1")[c] for c in HEADER]
    row[1] = int(PERSONAL_CODE)  # Excel keeps it as a number
    problems = problems_of(lambda: import_episodes(cast.ann, xlsx_bytes([row], HEADER), "x.xlsx"))
    assert problems[0].startswith("row 2, column client_key: looks like a personal code")
    assert PERSONAL_CODE not in " ".join(problems)


# -- who may import ---------------------------------------------------------------------------
def test_a_provider_cannot_import_another_units_episodes(cast):
    rows = [episode("E1"), episode("E2", unit="TARTU-VS", county="TARTU")]
    problems = problems_of(lambda: import_episodes(cast.paul, csv_bytes(rows), "x.csv"))
    assert problems == [
        "row 3, column unit: you may not import episodes of TARTU-VS (VS): only the analyst "
        "and the unit's providers may"
    ]
    assert not Episode.objects.exists()
    assert import_episodes(cast.paul, csv_bytes(rows[:1]), "x.csv").created == 1


def test_a_provider_cannot_take_over_another_units_episode_by_its_source_id(cast):
    import_episodes(cast.ann, csv_bytes([episode("T1", unit="TARTU-VS", county="TARTU")]), "x.csv")
    before = database()
    problems = problems_of(lambda: import_episodes(cast.paul, csv_bytes([episode("T1")]), "x.csv"))
    assert problems == [
        "row 2, column source_id: this episode belongs to TARTU-VS (VS), whose episodes you "
        "may not change"
    ]
    assert database() == before


@pytest.mark.parametrize("persona", ["owner_x", "manager", "no_role", "anonymous"])
def test_only_the_analyst_and_providers_may_import(cast, persona):
    user = cast.personas[persona]
    problems = problems_of(lambda: import_episodes(user, csv_bytes([episode("E1")]), "x.csv"))
    assert problems[0].startswith("row 2, column unit: you may not import episodes of HARJU-VS")


# -- assessments ------------------------------------------------------------------------------
@pytest.fixture
def episodes(cast):
    import_episodes(cast.ann, csv_bytes(three_episodes()), "extract.csv")


def assessment_csv(rows: list[dict]) -> bytes:
    return csv_bytes(rows, header=ASSESSMENT_HEADER)


def clean_assessments() -> list[dict]:
    return [
        assessment("A1"),
        assessment("A2", timepoint="exit", assessed_on="2024-02-01", items=(4, "", 4, 4, 5)),
        assessment("A3", instrument="SAFETY", items=(4,)),
        assessment(
            "A4",
            instrument="needs met",
            timepoint="exit",
            assessed_on="2024-02-01",
            items=("met", "partly met", "not_met", "na", "Met", "", "ei kohaldu", "met"),
        ),
        assessment(
            "A5", episode_source_id="E2", instrument="COPING", timepoint="follow-up", items=(7,)
        ),
    ]


def test_it_imports_assessments_idempotently(cast, episodes):
    result = import_assessments(cast.ann, assessment_csv(clean_assessments()), "outcomes.csv")
    assert (result.created, result.updated, result.unchanged, result.incomplete) == (5, 0, 0, 2)
    assert Assessment.objects.get(source_id="A2").items == [4, None, 4, 4, 5]
    needs = Assessment.objects.get(source_id="A4")
    assert (needs.instrument, needs.items) == (
        "NEEDS_MET",
        ["met", "partly", "not_met", "na", "met", None, "na", "met"],
    )
    assert Assessment.objects.get(source_id="A5").timepoint == "followup"
    again = import_assessments(cast.ann, assessment_csv(clean_assessments()), "outcomes.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    rows = clean_assessments()
    rows[0]["item_5"] = 5
    changed = import_assessments(cast.ann, assessment_csv(rows), "outcomes.csv")
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 4)
    assert Assessment.objects.get(source_id="A1").items == [3, 2, 4, 1, 5]
    assert Assessment.objects.count() == 5


def test_it_imports_assessments_from_xlsx(cast, episodes):
    rows = [["X1", "E1", "WHO5", "intake", date(2024, 1, 12), 5.0, 4, 3, 2, 1]]
    header = ASSESSMENT_HEADER[:10]
    assert import_assessments(cast.ann, xlsx_bytes(rows, header), "o.xlsx").created == 1
    assert Assessment.objects.get().items == [5, 4, 3, 2, 1]


BAD_ASSESSMENTS = [
    (
        "unknown episode",
        assessment("B1", episode_source_id="E404"),
        "row 2, column episode_source_id: no episode “E404”: import the episodes first",
    ),
    (
        "score out of range",
        assessment("B1", items=(3, 6, 1, 1, 1)),
        "row 2, column item_2: expected a whole number from 0 to 5, got 6",
    ),
    (
        "not a whole number",
        assessment("B1", instrument="SAFETY", items=("7.5",)),
        "row 2, column item_1: expected a whole number from 0 to 10, got 7.5",
    ),
    (
        "item past the scale",
        assessment("B1", instrument="SAFETY", items=(4, 5)),
        "row 2, column item_2: SAFETY has 1 item(s): expected this column blank",
    ),
    (
        "unknown instrument",
        assessment("B1", instrument="PHQ9"),
        "row 2, column instrument: unknown instrument “PHQ9”",
    ),
    (
        "bad timepoint",
        assessment("B1", timepoint="middle"),
        "row 2, column timepoint: expected intake, exit or followup, got “middle”",
    ),
    (
        "every item blank",
        assessment("B1", items=()),
        "row 2, column item_1: every item is blank: expected the scores in item_1 … item_5",
    ),
    (
        "before the episode",
        assessment("B1", assessed_on="2024-01-01"),
        "row 2, column assessed_on: 2024-01-01 is before the episode was opened (2024-01-10)",
    ),
    (
        "a second intake",
        assessment("B1", timepoint="intake"),
        "row 2, column timepoint: the episode already has a intake WHO5 assessment (source_id A1)",
    ),
    (
        "unknown answer",
        assessment("B1", instrument="NEEDS_MET", items=("yes",) * 8),
        "row 2, column item_1: expected one of met, partly, not_met, na, got “yes”",
    ),
]


@pytest.mark.parametrize(
    ("case", "row", "expected"), BAD_ASSESSMENTS, ids=[c[0] for c in BAD_ASSESSMENTS]
)
def test_a_bad_assessment_file_is_refused_and_changes_nothing(cast, episodes, case, row, expected):
    import_assessments(cast.ann, assessment_csv(clean_assessments()), "outcomes.csv")
    before = database()
    problems = problems_of(lambda: import_assessments(cast.ann, assessment_csv([row]), "b.csv"))
    assert any(p.startswith(expected) for p in problems), problems
    assert database() == before


def test_a_provider_cannot_import_assessments_of_another_units_episodes(cast, episodes):
    rows = [assessment("A1"), assessment("A9", episode_source_id="E2")]
    problems = problems_of(lambda: import_assessments(cast.pille, assessment_csv(rows), "b.csv"))
    assert problems == [
        "row 2, column episode_source_id: you may not import assessments of HARJU-VS (VS) "
        "episodes: only the analyst and its providers may"
    ]
    assert not Assessment.objects.exists()


# -- the commands -----------------------------------------------------------------------------
def test_the_command_imports_and_prints_the_counts(cast, tmp_path):
    path = tmp_path / "extract.csv"
    path.write_bytes(csv_bytes(three_episodes()))
    out = io.StringIO()
    call_command("import_episodes", str(path), "--user", "ann", stdout=out)
    assert out.getvalue() == "extract.csv: 3 created, 0 updated, 0 unchanged\n"
    outcomes = tmp_path / "outcomes.csv"
    outcomes.write_bytes(assessment_csv(clean_assessments()))
    call_command("import_assessments", str(outcomes), "--user", "ann", stdout=out)
    assert "outcomes.csv: 5 created, 0 updated, 0 unchanged, 2 incomplete" in out.getvalue()


def test_the_command_prints_every_problem_and_fails(cast, tmp_path):
    path = tmp_path / "extract.csv"
    path.write_bytes(csv_bytes([episode("E1", closed="2024-01-01", first_contact="", gender="x")]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="extract.csv was refused \\(2 problems\\)"):
        call_command("import_episodes", str(path), "--user", "ann", stderr=err)
    assert err.getvalue().splitlines() == [
        "row 2, column gender: unknown code “x”: expected one of female, male, other_unknown",
        "row 2, column closed: closed 2024-01-01 is before opened 2024-01-10",
    ]
    assert not Episode.objects.exists()


def test_the_command_exits_with_code_1(cast, tmp_path, capsys, monkeypatch):
    # run_from_argv closes the connections when it ends, which would end the test's
    # transaction on PostgreSQL.
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)
    path = tmp_path / "extract.csv"
    path.write_bytes(csv_bytes([episode("E1", client_key=PERSONAL_CODE)]))
    with pytest.raises(SystemExit) as exit_:
        EpisodesCommand().run_from_argv(["seire", "import_episodes", str(path), "--user", "ann"])
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert "row 2, column client_key: looks like a personal code" in err
    assert PERSONAL_CODE not in err
    call_command(
        "import_episodes", str(path), "--user", "ann", "--hash-personal-codes", stdout=io.StringIO()
    )
    assert Episode.objects.get().client_key == pseudonymise(PERSONAL_CODE)


def test_the_command_requires_a_known_user_and_a_readable_file(cast, tmp_path):
    path = tmp_path / "extract.csv"
    path.write_bytes(csv_bytes(three_episodes()))
    with pytest.raises(CommandError, match="--user"):
        call_command("import_episodes", str(path))
    with pytest.raises(CommandError, match="no active user 'nobody'"):
        call_command("import_episodes", str(path), "--user", "nobody")
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_assessments", str(tmp_path / "missing.csv"), "--user", "ann")


# -- random input -----------------------------------------------------------------------------
cells = st.one_of(
    st.sampled_from(["", "VS", "HARJU-VS", "2024-01-10", "true", "female", "E1", '"', ";"]),
    st.text(max_size=12),
)
random_csv = st.one_of(
    st.text(max_size=300),
    st.lists(st.lists(cells, max_size=20), max_size=6).map(
        lambda rows: "\n".join([",".join(HEADER)] + [",".join(r) for r in rows])
    ),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=random_csv)
def test_random_csv_gives_rows_or_refused_never_a_crash(cast, text):
    before = Episode.objects.count()
    try:
        rows = read_episodes(text.encode("utf-8", "surrogatepass"), "random.csv")
    except Refused as refused:
        assert refused.problems
        with pytest.raises(Refused):
            import_episodes(cast.ann, text.encode("utf-8", "surrogatepass"), "random.csv")
        assert Episode.objects.count() == before
    else:
        assert isinstance(rows, list)


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=200), name=st.sampled_from(["x.csv", "x.xlsx", "x"]))
def test_random_bytes_give_rows_or_refused(cast, data, name):
    try:
        read_episodes(data, name)
    except Refused as refused:
        assert refused.problems
