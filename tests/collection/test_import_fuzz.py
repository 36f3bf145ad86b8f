"""Whatever file arrives, the importers either save all of it or refuse it with `Refused` —
never another exception, never part of a file."""

import io
from datetime import date

import openpyxl
import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from seire.collection.csv_format import import_csv
from seire.collection.excel import build_template, import_workbook
from seire.collection.models import DataValue
from seire.collection.services import Refused, parse_value
from tests.collection.importing import CLIENTS, PERIOD, SATISFIED, SESSIONS, SHEET, TODAY
from tests.collection.importing import fingerprint as stored_fingerprint
from tests.fuzzing import fuzz_settings

FUZZ = fuzz_settings(50)  # SEIRE_FUZZ_EXAMPLES in `make fuzz`
pytestmark = pytest.mark.fuzz
INPUTS = {**{("CLIENTS_NEW", c): a for c, a in CLIENTS.items()}}
INPUTS |= {("SESSIONS", "total"): SESSIONS, ("SATISFIED_PCT", "total"): SATISFIED}
TYPES = {"CLIENTS_NEW": "count", "SESSIONS": "count", "SATISFIED_PCT": "percent"}

# What a provider (or a broken export) might leave in a cell.
cell_contents = st.one_of(
    st.none(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.integers(min_value=0, max_value=40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(min_value=date(1900, 1, 1)),
    st.sampled_from(["na", "NA", "-", "=1+2", "=C6*2", "1,5", " 7 ", "1e400", "NaN", "", "0"]),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12),
)


@pytest.fixture(autouse=True)
def _on_a_fixed_day():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def template(cast, vs_monthly):
    return build_template(vs_monthly, [cast.harju_vs], [PERIOD])


def attempt(importer, user, dataset, data) -> bool:
    """Import `data`; True when it was saved, False when refused with nothing written."""
    before = stored_fingerprint()
    try:
        importer(user, dataset, data)
    except Refused as refused:
        assert refused.problems, "a refusal names at least one problem"
        assert stored_fingerprint() == before, "a refused file changed the database"
        return False
    return True


@FUZZ
@given(data=st.binary(max_size=2000))
def test_it_refuses_random_bytes(cast, vs_monthly, data):
    assert not attempt(import_workbook, cast.paul, vs_monthly, data)
    attempt(import_csv, cast.paul, vs_monthly, data)


@FUZZ
@given(cut=st.floats(min_value=0, max_value=1), flips=st.lists(st.integers(0, 10**6), max_size=4))
def test_it_refuses_damaged_workbooks(cast, vs_monthly, template, cut, flips):
    damaged = bytearray(template[: max(1, int(len(template) * cut))])
    for position in flips:
        damaged[position % len(damaged)] ^= 0x55
    attempt(import_workbook, cast.paul, vs_monthly, bytes(damaged))


@FUZZ
@given(values=st.dictionaries(st.sampled_from(sorted(INPUTS)), cell_contents, min_size=1))
def test_it_saves_a_workbook_whole_or_not_at_all(cast, vs_monthly, template, values):
    book = openpyxl.load_workbook(io.BytesIO(template))
    for key, value in values.items():
        book[SHEET][INPUTS[key]] = value
    output = io.BytesIO()
    book.save(output)

    if attempt(import_workbook, cast.paul, vs_monthly, output.getvalue()):
        for (element, combo), value in values.items():
            status, number = parse_value(value, TYPES[element])
            row = DataValue.objects.filter(element__code=element, combo__code=combo).first()
            if status == "blank":
                assert row is None
            else:
                assert (row.status, row.value) == (status, number), (element, combo, value)


csv_fields = st.one_of(
    st.sampled_from(["VS_MONTHLY", "HARJU-VS", "TARTU-VS", PERIOD, "2026M04", "2031M01"]),
    st.sampled_from(["CLIENTS_NEW", "SESSIONS", "female", "total", "na", "'=1", '"', ";"]),
    st.integers(min_value=-5, max_value=10**11).map(str),
    st.text(max_size=8),
)


@FUZZ
@given(
    rows=st.lists(st.lists(csv_fields, min_size=5, max_size=7), max_size=8),
    separator=st.sampled_from([",", ";"]),
    bom=st.booleans(),
)
def test_it_saves_a_csv_file_whole_or_not_at_all(cast, vs_monthly, rows, separator, bom):
    lines = [separator.join(["dataset", "unit", "period", "element", "combo", "value"])]
    lines += [separator.join(row) for row in rows]
    data = ("\ufeff" if bom else "") + "\n".join(lines) + "\n"
    attempt(import_csv, cast.paul, vs_monthly, data.encode("utf-8", "surrogatepass"))
