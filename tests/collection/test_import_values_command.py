"""`seire import-values FILE --dataset CODE --user USERNAME`."""

from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import translation

from seire.__main__ import main, resolve_aliases
from seire.collection.excel import build_template
from seire.collection.models import DataValue
from tests.collection.importing import PERIOD, SHEET, TODAY, fill, fingerprint, good_month


@pytest.fixture(autouse=True)
def _in_english_on_a_fixed_day():
    with translation.override("en"), time_machine.travel(TODAY, tick=False):
        yield


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("import_values", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_imports_a_filled_template_and_prints_the_counts(cast, vs_monthly, tmp_path):
    path = tmp_path / "harju.xlsx"
    template = build_template(vs_monthly, [cast.harju_vs], [PERIOD])
    path.write_bytes(fill(template, good_month()))

    out, __ = run(str(path), "--dataset", "VS_MONTHLY", "--user", "paul")

    assert out.strip() == "harju.xlsx: 6 created, 0 updated, 0 cleared, 0 unchanged"
    assert set(DataValue.objects.values_list("channel", flat=True)) == {"excel"}


def test_it_imports_a_csv_file(cast, vs_monthly, tmp_path):
    path = tmp_path / "values.csv"
    path.write_text(
        "dataset;unit;period;element;combo;value\nVS_MONTHLY;HARJU-VS;2026M03;SESSIONS;total;4\n"
    )
    out, __ = run(str(path), "--dataset", "VS_MONTHLY", "--user", "paul")
    assert "1 created" in out
    assert DataValue.objects.get().channel == "csv"


def test_it_prints_every_problem_and_writes_nothing(cast, vs_monthly, tmp_path):
    path = tmp_path / "bad.xlsx"
    template = build_template(vs_monthly, [cast.harju_vs], [PERIOD])
    path.write_bytes(fill(template, {SHEET: {"C6": "many", "D6": -1}}))
    before = fingerprint()

    with pytest.raises(CommandError) as error:
        run(str(path), "--dataset", "VS_MONTHLY", "--user", "paul")

    assert "bad.xlsx was refused (2 problems); no values were written" in str(error.value)
    assert error.value.returncode == 1
    assert fingerprint() == before


def test_it_exits_with_code_1_and_the_problems_on_stderr(cast, vs_monthly, tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("dataset,unit,period,element,combo,value\nVS_MONTHLY,TARTU-VS,2026M03,X,y,1\n")

    with pytest.raises(SystemExit) as exit_:
        main(["seire", "import-values", str(path), "--dataset", "VS_MONTHLY", "--user", "paul"])

    assert exit_.value.code == 1
    assert "row 2, element: unknown data element “X” in VS_MONTHLY" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--dataset", "NOPE", "--user", "paul"], "no statistics table 'NOPE'"),
        (["--dataset", "VS_MONTHLY", "--user", "nobody"], "no active user 'nobody'"),
    ],
)
def test_it_names_an_unknown_table_or_user(cast, vs_monthly, tmp_path, args, says):
    path = tmp_path / "values.csv"
    path.write_text("dataset,unit,period,element,combo,value\n")
    with pytest.raises(CommandError, match=says):
        run(str(path), *args)


def test_it_refuses_a_file_over_the_size_limit_before_reading_it(
    cast, vs_monthly, tmp_path, settings
):
    settings.SEIRE_MAX_UPLOAD_BYTES = 10
    path = tmp_path / "values.csv"
    path.write_text("dataset,unit,period,element,combo,value\n")
    with pytest.raises(CommandError, match="SEIRE_MAX_UPLOAD_BYTES"):
        run(str(path), "--dataset", "VS_MONTHLY", "--user", "paul")


def test_it_knows_the_hyphenated_command_names():
    assert resolve_aliases(["seire", "import-values", "f.xlsx"])[1] == "import_values"
    assert resolve_aliases(["seire", "import-episodes"])[1] == "import_episodes"
    assert resolve_aliases(["seire", "help", "import-assessments"])[2] == "import_assessments"
    assert resolve_aliases(["seire", "migrate"]) == ["seire", "migrate"]
    assert resolve_aliases(["seire"]) == ["seire"]
