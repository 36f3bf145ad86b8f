"""`seire publish RELEASE`, `--correct` and `--due` (the scheduled task)."""

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from seire.publishing.models import ReleaseTable


def run(*args) -> str:
    out = StringIO()
    call_command("publish", *args, stdout=out)
    return out.getvalue()


def test_it_prepares_before_the_time_and_publishes_when_due(release):
    assert "embargoed until" in run("vs-2026q1", "--now", "2026-04-15T09:00+03:00")
    assert "vs-2026q1 v1: published (1 address(es) e-mailed)" in run(
        "--due", "--now", "2026-04-15T10:05+03:00"
    )
    assert run("--due", "--now", "2026-04-15T10:10+03:00").strip() == "0 release(s) handled."


def test_it_publishes_a_correction_with_its_notes(release):
    run("vs-2026q1", "--now", "2026-04-16T10:00+03:00")
    text = run("vs-2026q1", "--correct", "--note-et", "Parandus", "--note-en", "Fix",
               "--now", "2026-04-17T10:00+03:00")  # fmt: skip
    assert "vs-2026q1 v2: correction published" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "name one release, or give --due"),
        (("nope",), "no release 'nope'"),
        (("vs-2026q1", "--now", "tomorrow"), "is not a time"),
        (("vs-2026q1", "--correct", "--note-et", "x"), "not published yet"),
    ],
)
def test_it_refuses_bad_input_clearly(release, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not release.versions.filter(published_at__isnull=False).exists()


def test_a_table_definition_that_cannot_be_built_is_refused_on_the_field(release):
    table = release.tables.get(code="county-gender")
    table.dims = ["county", "colour"]
    table.granularity = "week"
    with pytest.raises(ValidationError) as caught:
        table.full_clean()
    assert set(caught.value.message_dict) == {"dims", "granularity"}
    assert isinstance(table, ReleaseTable)
