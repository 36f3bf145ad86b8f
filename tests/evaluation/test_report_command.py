"""`seire report ux|impact`: writes the PDF (and the numbers, the same on a rerun)."""

import re
import zlib

import pytest
from django.core.management import CommandError, call_command

from tests.evaluation.data import ux_data, vs_plan

pytestmark = pytest.mark.django_db


def _pages(pdf: bytes) -> int:
    """The page count of the PDF's page tree (its objects may sit in compressed streams)."""
    text = pdf
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            text += zlib.decompress(stream)
        except zlib.error:
            continue
    counts = [int(c) for c in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", text)]
    counts += [int(c) for c in re.findall(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", text)]
    return max(counts, default=0)


def test_it_writes_the_impact_report_as_a_pdf(tmp_path, cast, plan):
    out, numbers = tmp_path / "impact.pdf", tmp_path / "impact.json"
    call_command(
        "report",
        "impact",
        "--plan",
        str(plan.pk),
        "--lang",
        "en",
        "-o",
        str(out),
        "--numbers",
        str(numbers),
    )
    pdf = out.read_bytes()
    assert pdf.startswith(b"%PDF")
    assert _pages(pdf) >= 2
    first = numbers.read_bytes()
    call_command(
        "report", "impact", "--plan", str(plan.pk), "-o", str(out), "--numbers", str(numbers)
    )
    assert numbers.read_bytes() == first  # the same numbers, byte for byte (et or en)


def test_it_writes_the_ux_report_as_a_pdf(tmp_path, cast):
    ux_data(cast)
    out = tmp_path / "ux.pdf"
    call_command("report", "ux", "--service", "VS", "--period", "2025Q1", "-o", str(out))
    pdf = out.read_bytes()
    assert pdf.startswith(b"%PDF") and _pages(pdf) >= 1


def test_it_refuses_an_unlocked_plan(tmp_path, cast):
    from tests.evaluation.data import instruments

    instruments()
    plan = vs_plan(cast, locked=False)
    with pytest.raises(CommandError, match="not locked"):
        call_command("report", "impact", "--plan", str(plan.pk), "-o", str(tmp_path / "x.pdf"))
    assert not (tmp_path / "x.pdf").exists()


def test_it_names_an_unknown_service(tmp_path, cast):
    with pytest.raises(CommandError, match="no service 'NOPE'"):
        call_command(
            "report", "ux", "--service", "NOPE", "--period", "2025Q1", "-o", str(tmp_path / "x.pdf")
        )
