"""`seire disclosure protect` / `audit`: a round trip, tampering, and located errors."""

import pandas as pd
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

ROWS = "a,b,count\np,x,2\np,y,9\np,z,14\nq,x,7\nq,y,8\nq,z,30\nr,x,11\nr,y,12\nr,z,6\n"


@pytest.fixture
def original(tmp_path):
    path = tmp_path / "T.csv"
    path.write_text(ROWS)
    return path


def protect(original, output, *extra):
    call_command(
        "disclosure",
        "protect",
        "--input",
        str(original),
        "--dims",
        "a,b",
        "--value",
        "count",
        "--output",
        str(output),
        *extra,
    )


def audit(out, original):
    call_command(
        "disclosure",
        "audit",
        "--input",
        str(out),
        "--original",
        str(original),
        "--dims",
        "a,b",
        "--value",
        "count",
    )


def test_a_protected_table_round_trips_through_the_audit(original, tmp_path, capsys):
    out = tmp_path / "OUT.csv"
    protect(original, out)
    published = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert len(published) == 16 and "TOTAL" in set(published.a)
    withheld = published[published.status != "published"]
    assert (withheld["count"] == "").all() and len(withheld) >= 4
    assert published.set_index(["a", "b"]).loc[("p", "x"), "status"] == "primary"
    audit(out, original)
    assert "audit clean" in capsys.readouterr().out


def test_the_audit_fails_when_a_suppressed_cell_is_published(original, tmp_path):
    out = tmp_path / "OUT.csv"
    protect(original, out)
    published = pd.read_csv(out, dtype=str, keep_default_na=False)
    truth = {("q", "x"): "7", ("p", "y"): "9", ("p", "z"): "14", ("r", "x"): "11"}
    for (a, b), value in truth.items():
        row = (published.a == a) & (published.b == b)
        if published.loc[row, "status"].item() == "secondary":
            published.loc[row, ["count", "status"]] = [value, "published"]
    published.to_csv(out, index=False)
    with pytest.raises(CommandError, match="under-protected"):
        audit(out, original)


def test_linked_tables_are_written_with_their_table(tmp_path):
    base = tmp_path / "B.csv"
    base.write_text(
        "a,b,c,count\n"
        + "".join(
            f"{a},{b},{c},{(i * 7) % 13}\n"
            for i, (a, b, c) in enumerate((a, b, c) for a in "pq" for b in "xyz" for c in "mf")
        )
    )
    out = tmp_path / "OUT.csv"
    call_command(
        "disclosure",
        "protect",
        "--input",
        str(base),
        "--dims",
        "a,b,c",
        "--value",
        "count",
        "--publish",
        "a,b;a,c",
        "--output",
        str(out),
    )
    published = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert set(published.table) == {"a,b", "a,c"}
    call_command(
        "disclosure",
        "audit",
        "--input",
        str(out),
        "--original",
        str(base),
        "--dims",
        "a,b,c",
        "--value",
        "count",
    )


def test_rounding_states_its_method(original, tmp_path):
    out = tmp_path / "OUT.csv"
    protect(original, out, "--method", "round5")
    published = pd.read_csv(out)
    assert set(published.method) == {"rounded to base 5; totals rounded independently"}


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("a,b,n\np,x,3\n", "column count: column 'count' is missing"),
        ("a,b,count\np,x,3\np,y,three\n", "row 3, column count: 'three' is not"),
        ("a,b,count\np,x,3\np,y,-2\n", "row 3, column count: '-2' is not"),
        ("a,b,count\np,x,3\np,x,4\n", "row 3, column a,b: duplicate coordinates"),
    ],
)
def test_bad_input_is_refused_with_file_row_and_column(tmp_path, text, where):
    path = tmp_path / "T.csv"
    path.write_text(text)
    with pytest.raises(CommandError) as error:
        protect(path, tmp_path / "OUT.csv")
    assert str(error.value).startswith(f"{path}, ") and where in str(error.value)
    assert not (tmp_path / "OUT.csv").exists()
