"""Fuzzing the importers that test_import_fuzz.py (Excel and CSV values) and test_episodes.py
(reading random episode files) do not: episodes and assessments stored whole or not at all,
batches of cells through `import_cells` (the API's path), and the CSV reader of
`seire disclosure`. Each input is a mostly good file with a few fields broken, so that
generation reaches the checks behind the parser; the outcome is all of it stored, or a
`Refused` (a `CommandError` for the CLI) naming a problem with nothing written.
"""

from datetime import date

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from seire.collection.assessments import import_assessments
from seire.collection.episodes import import_episodes
from seire.collection.models import Assessment, Episode
from seire.collection.services import Cell, Refused
from seire.collection.value_import import import_cells
from tests.collection.importing import PERIOD, TODAY, fingerprint
from tests.collection.test_episodes import (
    ASSESSMENT_HEADER,
    HEADER,
    assessment,
    csv_bytes,
    database,
    episode,
    xlsx_bytes,
)
from tests.fuzzing import fuzz_settings

pytestmark = pytest.mark.fuzz

# What a case-system export might hold in any field.
field_values = st.one_of(
    st.sampled_from(["", "VS", "WSC", "HARJU-VS", "TARTU-VS", "HARJU", "E1", "E2", "na"]),
    st.sampled_from(["2024-01-10", "2023-12-31", "2024-02-30", "10.01.2024", "45300", "true"]),
    st.sampled_from(["female", "police", "goals_met", "38001085718", "=1+2", '"', ";", "\n"]),
    st.integers(min_value=-(10**6), max_value=10**12).map(str),
    st.text(max_size=15),
)


def broken_rows(make, columns, ids):
    """Rows made by `make(source_id)` for some of `ids`, with random fields replaced."""
    # About half the rows are left as they were, so that some files are good throughout.
    changes = st.one_of(st.just({}), st.dictionaries(st.sampled_from(columns), field_values,
                                                     min_size=1, max_size=3))  # fmt: skip
    rows = st.tuples(st.sampled_from(ids), changes)
    return st.lists(rows, min_size=1, max_size=len(ids), unique_by=lambda row: row[0]).map(
        lambda rows: [make(source_id) | change for source_id, change in rows]
    )


def store(importer, *args) -> bool:
    """Import; True when stored, False when refused with nothing written."""
    before = database()
    try:
        importer(*args)
    except Refused as refused:
        assert refused.problems, "a refusal names at least one problem"
        assert database() == before, "a refused file changed the database"
        return False
    return True


@fuzz_settings(60)
@given(
    rows=broken_rows(episode, HEADER, ["E1", "E2", "E3", "E4"]),
    as_xlsx=st.booleans(),
    hash_codes=st.booleans(),
)
def test_an_episode_extract_is_stored_whole_or_not_at_all(cast, fuzzed, rows, as_xlsx, hash_codes):
    if as_xlsx:
        # Characters a worksheet cannot hold (openpyxl refuses them) are left out.
        cells = [[ILLEGAL_CHARACTERS_RE.sub("", r.get(c, "")) for c in HEADER] for r in rows]
        data, name = xlsx_bytes(cells, HEADER), "e.xlsx"
    else:
        data, name = csv_bytes(rows), "e.csv"
    fuzzed()
    if store(import_episodes, cast.paul, data, name, hash_codes):
        # Every source id of the file is stored (its last row wins, or the file is refused).
        assert set(Episode.objects.values_list("source_id", flat=True)) >= {
            str(r["source_id"]).strip() for r in rows
        }


@pytest.fixture
def stored_episodes(cast):
    with time_machine.travel(TODAY, tick=False):
        rows = [
            episode("E1"),
            episode("E2", unit="TARTU-VS", county="TARTU", gender="male", closed=""),
        ]
        import_episodes(cast.ann, csv_bytes(rows), "extract.csv")


ASSESSMENTS = {  # one per episode, instrument and timepoint, as the importer requires
    "A1": {},
    "A2": {"timepoint": "exit", "assessed_on": "2024-02-01"},
    "A3": {"episode_source_id": "E2"},
    "A4": {"instrument": "SAFETY", "items": (4,)},
}


def an_assessment(source_id: str) -> dict:
    return assessment(source_id, **ASSESSMENTS[source_id])


@fuzz_settings(60)
@given(
    rows=broken_rows(an_assessment, ASSESSMENT_HEADER, sorted(ASSESSMENTS)),
    persona=st.sampled_from(["ann", "paul"]),
)
def test_an_assessment_file_is_stored_whole_or_not_at_all(
    cast, stored_episodes, fuzzed, rows, persona
):
    fuzzed()
    data = csv_bytes(rows, header=ASSESSMENT_HEADER)
    if store(import_assessments, getattr(cast, persona), data, "a.csv"):
        stored = set(Assessment.objects.values_list("source_id", flat=True))
        assert stored >= {str(r["source_id"]).strip() for r in rows}


# A cell of vs_monthly with a random value; now and then one naming anything at all.
good_cell = st.fixed_dictionaries(
    {
        "element_combo": st.sampled_from(
            [("CLIENTS_NEW", c) for c in ("female", "male", "unknown", "total")]
            + [("SESSIONS", "total"), ("SATISFIED_PCT", "total")]
        ),
        "unit": st.sampled_from(["HARJU-VS", "HARJU-VS", "TARTU-VS"]),
        "period": st.sampled_from([PERIOD, "2026M02"]),
        "raw": st.one_of(st.integers(0, 40), st.sampled_from(["", "na", " 7 ", "12"])),
    }
).map(lambda c: {"element": c["element_combo"][0], "combo": c["element_combo"][1],
                 "unit": c["unit"], "period": c["period"], "raw": c["raw"]})  # fmt: skip
any_cell_fields = {
    "element": st.sampled_from(["CLIENTS_NEW", "SESSIONS", "SATISFIED_PCT", "NOPE", ""]),
    "combo": st.sampled_from(["female", "male", "unknown", "total", "x", ""]),
    "unit": st.sampled_from(["HARJU-VS", "TARTU-VS", "TARTU-WSC", "EE", "NOPE", ""]),
    "period": st.sampled_from([PERIOD, "2026M02", "2026M04", "2031M01", "2026Q1", "26M3", ""]),
    "raw": st.one_of(
        st.none(),
        st.integers(min_value=-(10**15), max_value=10**15),
        st.floats(),
        st.booleans(),
        st.dates(min_value=date(1900, 1, 1)),
        st.sampled_from(["na", "", " 7 ", "1,5", "1e400", "NaN", "-0", "=1+2"]),
        st.text(max_size=10),
    ),
    "version": st.one_of(st.none(), st.integers(min_value=-2, max_value=3)),
}


@fuzz_settings(80)
@given(
    cells=st.lists(
        st.integers(0, 5).flatmap(
            lambda i: good_cell if i else st.fixed_dictionaries(any_cell_fields)
        ),
        min_size=1,
        max_size=12,
        unique_by=lambda c: (c["element"], c["combo"], c["unit"], c["period"]),
    ),
    persona=st.sampled_from(["paul", "paul", "paul", "ann", "pille", "olev"]),
    channel=st.sampled_from(["api", "csv", "excel"]),
)
def test_a_batch_of_cells_is_saved_whole_or_not_at_all(
    cast, vs_monthly, fuzzed, cells, persona, channel
):
    batch = [Cell(**c, where=f"values[{i}]") for i, c in enumerate(cells)]
    before = fingerprint()
    fuzzed()
    with time_machine.travel(TODAY, tick=False):
        try:
            result = import_cells(getattr(cast, persona), vs_monthly, batch, channel)
        except Refused as refused:
            assert refused.problems
            assert all(p.where and p.message for p in refused.problems)
            assert fingerprint() == before, "a refused batch changed the database"
            return
    keys = {(c.element, c.combo, c.unit, c.period) for c in batch}
    assert len(result.versions) == len(keys)
    assert result.created + result.updated + result.cleared + result.unchanged == len(keys)


csv_cells = st.one_of(
    st.sampled_from(["p", "q", "x", "y", "", "TOTAL", "3", "0", "-2", "2.5", "1e9", '"', "NaN"]),
    st.integers(min_value=-5, max_value=10**9).map(str),
    st.text(max_size=6),
)
disclosure_files = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.lists(st.lists(csv_cells, min_size=1, max_size=4), max_size=12).map(
        lambda rows: "\n".join(["a,b,count"] + [",".join(r) for r in rows]).encode()
    ),
)


@fuzz_settings(40)
@given(
    data=disclosure_files,
    method=st.sampled_from(["suppression", "round5"]),
    publish=st.booleans(),
)
def test_the_disclosure_cli_reads_any_file_or_says_what_is_wrong(
    tmp_path_factory, fuzzed, data, method, publish
):
    folder = tmp_path_factory.mktemp("disclosure")
    source, output = folder / "T.csv", folder / "OUT.csv"
    source.write_bytes(data)
    extra = ["--method", method] + (["--publish", "a;b"] if publish else [])
    fuzzed()
    try:
        call_command("disclosure", "protect", "--input", str(source), "--dims", "a,b",
                     "--value", "count", "--output", str(output), "--time-limit", "5",
                     *extra)  # fmt: skip
    except CommandError as error:
        assert str(error).strip()
        assert not output.exists(), "a refused table left an output file"
    else:
        assert output.exists()
