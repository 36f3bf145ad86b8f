"""The `instruments` catalogue section: loads, syncs idempotently, round-trips, and refuses
a bad file with file:line and what was expected — one case per message."""

import pytest
import yaml

from seire.catalogue.loader import DEFAULT_DIRECTORY, CatalogueError, read_yaml
from seire.evaluation import catalogue
from seire.evaluation.models import Instrument

pytestmark = pytest.mark.django_db

GOOD = """\
instruments:
  - code: SAFETY
    version: 1
    kind: score
    name_et: Turvatunne
    name_en: Sense of safety
    timepoints: [intake, exit]
    items: 1
    item_minimum: 0
    item_maximum: 10
    scoring: The answer.
"""


def load_text(tmp_path, text: str):
    path = tmp_path / "instruments.yaml"
    path.write_text(text, encoding="utf-8")
    return catalogue.load(read_yaml(path))


def test_it_loads_the_shipped_instruments_with_their_sources():
    counts = catalogue.load(read_yaml(DEFAULT_DIRECTORY / "instruments.yaml"))
    assert str(counts["instruments"]) == "4 created, 0 updated, 0 unchanged"
    who5 = Instrument.objects.get(code="WHO5")
    assert who5.score([5, 5, 5, 5, 5]) == 100 and who5.score([2, 3, 0, 1, 4]) == 40
    assert who5.score([5, 5, 5, 5, None]) is None and who5.score([6, 0, 0, 0, 0]) is None
    assert [c["at_or_below"] for c in who5.cutoffs] == [50, 28]
    assert who5.reliability == 0.81 and "Schougaard" in who5.reliability_reference
    assert "MDC" in who5.sd_reference
    needs = Instrument.objects.get(code="NEEDS_MET")
    assert not needs.scored and needs.item_count == 8
    again = catalogue.load(read_yaml(DEFAULT_DIRECTORY / "instruments.yaml"))
    assert str(again["instruments"]) == "0 created, 0 updated, 4 unchanged"


def test_it_round_trips_through_export(tmp_path):
    catalogue.load(read_yaml(DEFAULT_DIRECTORY / "instruments.yaml"))
    before = list(Instrument.objects.order_by("code").values())
    path = tmp_path / "instruments.yaml"
    path.write_text(yaml.safe_dump(catalogue.export(), allow_unicode=True), encoding="utf-8")
    Instrument.objects.all().delete()
    catalogue.load(read_yaml(path))
    after = list(Instrument.objects.order_by("code").values())
    strip = [{k: v for k, v in row.items() if k != "id"} for row in before]
    assert strip == [{k: v for k, v in row.items() if k != "id"} for row in after]


BROKEN = [
    ("code: SAFETY", "code: CALM", 2, "no instrument 'CALM'"),
    ("items: 1", "items: 2", 8, "SAFETY has 1 items of 0–10 in categories.yaml"),
    ("timepoints: [intake, exit]", "timepoints: [intake, later]", 7, "'later' is not a timepoint"),
    ("    scoring: The answer.\n", "    scoring: The answer.\n    reliability: 1.5\n", 12,
     "reliability must lie between 0 and 1"),
    ("kind: score", "kind: scale", 4, "kind must be one of score, checklist"),
    ("    item_maximum: 10\n", "", 2, "a score instrument needs item_maximum"),
    ("    scoring: The answer.\n",
     "    scoring: The answer.\n    cutoffs:\n"
     "      - {code: low, at_or_below: 50, name_et: madal, name_en: low}\n",
     13, "50 lies outside the score range 0–10"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "line", "message"), BROKEN)
def test_it_refuses_a_bad_file_saying_where(tmp_path, old, new, line, message):
    with pytest.raises(CatalogueError) as caught:
        load_text(tmp_path, GOOD.replace(old, new))
    problem = caught.value.problems[0]
    assert message in problem.message
    assert problem.line == line
    assert not Instrument.objects.exists()
