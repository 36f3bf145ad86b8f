"""The `datasets` catalogue section: the shipped tables, idempotent loads, versioned
disaggregations, the export round trip and broken files refused with a located message."""

import shutil
from pathlib import Path

import pytest

from seire.catalogue.loader import (
    DEFAULT_DIRECTORY,
    CatalogueError,
    export_catalogue,
    load_catalogue,
)
from seire.collection.expressions import parse
from seire.collection.models import (
    Category,
    DataElement,
    Dataset,
    Disaggregation,
    OptionCombo,
    ValidationRule,
)
from seire.demo.checksum import database_checksum

SHIPPED = DEFAULT_DIRECTORY / "datasets.yaml"
TABLES = {
    "WSC_MONTHLY",
    "SAK_MONTHLY",
    "CH_QUARTERLY",
    "HELP_MONTHLY",
    "CONC_QUARTERLY",
    "MARAC_QUARTERLY",
    "VS_MONTHLY",
}


@pytest.fixture
def organisation(db):
    load_catalogue(DEFAULT_DIRECTORY / "organisation.yaml")


def copy_with(tmp_path: Path, old: str, new: str) -> Path:
    """datasets.yaml with the first `old` replaced by `new` (which must be there)."""
    text = SHIPPED.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "datasets.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(needle)


def snapshot() -> dict:
    return {
        table: value
        for table, value in database_checksum().items()
        if table.startswith("collection_") or table.startswith("organisation_")
    }


def test_the_shipped_tables_load_and_every_rule_parses(organisation):
    counts = load_catalogue(SHIPPED)
    assert counts["datasets"].created == len(TABLES)
    assert set(Dataset.objects.values_list("code", flat=True)) == TABLES
    for rule in ValidationRule.objects.all():
        parse(rule.left)
        if rule.kind == "expression":
            parse(rule.right)
    assert (
        set(ValidationRule.objects.filter(kind="outlier").values_list("dataset__code", flat=True))
        == TABLES
    )
    wsc = Dataset.objects.get(code="WSC_MONTHLY")
    hours = wsc.elements.get(code="HOURS")
    assert hours.value_type == "decimal"
    assert list(hours.disaggregation.combos.values_list("code", flat=True)) == [
        "case",
        "psychological",
        "crisis",
        "legal",
        "network",
        "total",
    ]
    ch = DataElement.objects.get(dataset__code="CH_QUARTERLY", code="REFERRALS")
    codes = set(ch.disaggregation.combos.values_list("code", flat=True))
    assert {"female.0-6", "other_unknown.15-17", "total"} <= codes
    assert len(codes) == 3 * 4 + 1
    assert Category.objects.get(code="age_group").options.count() == 8


def test_loading_twice_changes_nothing(organisation):
    load_catalogue(SHIPPED)
    before = snapshot()
    counts = load_catalogue(SHIPPED)
    assert all(c.created == c.updated == 0 for c in counts.values()), counts
    assert snapshot() == before


def test_export_then_load_gives_the_same_database(organisation, tmp_path):
    load_catalogue(SHIPPED)
    before = snapshot()
    export_catalogue(tmp_path)
    counts = load_catalogue(tmp_path / "datasets.yaml")
    assert all(c.created == c.updated == 0 for c in counts.values()), counts
    assert snapshot() == before


def test_changed_columns_make_a_new_version(organisation, tmp_path):
    load_catalogue(SHIPPED)
    old = Disaggregation.objects.get(code="channel")
    old_combos = set(old.combos.values_list("pk", flat=True))
    path = copy_with(
        tmp_path,
        "      - {code: email, name_et: e-kiri, name_en: e-mail}\n",
        "      - {code: email, name_et: e-kiri, name_en: e-mail}\n"
        "      - {code: sms, name_et: SMS, name_en: text message}\n",
    )
    load_catalogue(path)
    new = Disaggregation.objects.get(code="channel", version=2)
    assert "sms" in set(new.combos.values_list("code", flat=True))
    assert set(old.combos.values_list("pk", flat=True)) == old_combos  # old version kept
    element = DataElement.objects.get(dataset__code="HELP_MONTHLY", code="CONTACTS_IN")
    assert element.disaggregation == new
    load_catalogue(path)
    assert Disaggregation.objects.filter(code="channel").count() == 2


BROKEN = [
    (
        "{code: agreements_le_held, left: AGREEMENTS,",
        "{code: agreements_le_held, left: AGREEMENT,",
        "code: agreements_le_held",
        "unknown element 'AGREEMENT' in left expression",
    ),
    (
        "     categories: [age_group], total: true}",
        "     categories: [age_groups], total: true}",
        "categories: [age_groups]",
        "unknown category 'age_groups'",
    ),
    (
        "        value_type: decimal\n",
        "        value_type: hours\n",
        "value_type: hours",
        "value_type must be one of count, decimal, percent, not 'hours'",
    ),
    (
        '      - {code: girls_le_total, left: "REFERRALS[female]"',
        '      - {code: girls_le_total, left: "REFERRALS[girl]"',
        "code: girls_le_total",
        "REFERRALS[girl] matches no column of REFERRALS",
    ),
    (
        "        right: SHELTER_CLIENTS * 31\n",
        "        right: SHELTER_CLIENTS * (31\n",
        "right: SHELTER_CLIENTS * (31",
        "does not parse",
    ),
    (
        "    service: MARAC\n",
        "    service: NOPE\n",
        "service: NOPE",
        "unknown service 'NOPE'",
    ),
    (
        "    lock_days: 60\n",
        "    lock_days: 60\n    colour: red\n",
        "colour: red",
        "unknown key 'colour' in dataset entry",
    ),
]


@pytest.mark.parametrize(("old", "new", "at", "message"), BROKEN, ids=[b[3][:30] for b in BROKEN])
def test_a_broken_file_is_refused_with_a_located_message_and_nothing_written(
    organisation, tmp_path, old, new, at, message
):
    path = copy_with(tmp_path, old, new)
    before = snapshot()
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(path)
    located = [str(p) for p in caught.value.problems]
    expected = f"{path}:{line_of(path, at)}: "
    assert any(p.startswith(expected) and message in p for p in located), located
    assert snapshot() == before
    assert not Dataset.objects.exists() and not OptionCombo.objects.exists()


def test_the_whole_default_catalogue_loads(db, tmp_path):
    shutil.copy(SHIPPED, tmp_path / "datasets.yaml")
    shutil.copy(DEFAULT_DIRECTORY / "organisation.yaml", tmp_path / "organisation.yaml")
    load_catalogue(tmp_path)
    assert Dataset.objects.count() == len(TABLES)
