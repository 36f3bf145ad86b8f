"""The strict catalogue loader: idempotent sync, round trip, and one broken file per error."""

import shutil
from pathlib import Path

import pytest

from seire.access.models import AuditEvent
from seire.catalogue import loader
from seire.catalogue.loader import (
    DEFAULT_DIRECTORY,
    CatalogueError,
    Counts,
    Section,
    export_catalogue,
    load_catalogue,
)
from seire.demo.checksum import database_checksum
from seire.demo.seed import flush_project_data
from seire.organisation.models import OrgUnit, Service

BROKEN = Path(__file__).parent / "broken"

# (fixture directory, line of the problem, what the message says) — one row per message.
BROKEN_CASES = [
    ("duplicate_key", 7, "duplicate key 'name_et' (first at line 5)"),
    ("unknown_key", 11, "unknown key 'nimi' in unit entry: expected one of code, kind"),
    ("missing_required", 3, "service entry is missing the required key 'name_en'"),
    ("wrong_type", 12, "population must be a whole number, not text"),
    ("unknown_parent", 9, "unknown parent 'NOWHERE': expected the code of a unit"),
    ("bad_syntax", 8, "invalid YAML: expected ',' or '}'"),
]


def snapshot() -> tuple[list, list]:
    """The catalogue's rows by natural key (ids differ between databases)."""
    units = [
        (
            u.code,
            u.kind,
            u.parent.code if u.parent else None,
            u.path,
            u.name_et,
            u.name_en,
            u.population,
            u.active,
        )
        for u in OrgUnit.objects.select_related("parent")
    ]
    services = list(
        Service.objects.values_list(
            "code", "name_et", "name_en", "description_et", "description_en", "reference", "active"
        )
    )
    return units, services


def edited_copy(tmp_path: Path, old: str, new: str) -> Path:
    target = tmp_path / "organisation.yaml"
    text = (DEFAULT_DIRECTORY / "organisation.yaml").read_text(encoding="utf-8")
    assert old in text
    target.write_text(text.replace(old, new), encoding="utf-8")
    return tmp_path


def test_it_loads_the_shipped_tree_and_services(db):
    counts = load_catalogue()
    assert (counts["units"].created, counts["services"].created) == (20, 11)
    harju = OrgUnit.objects.get(code="HARJU")
    assert (harju.path, harju.population, harju.kind) == ("EE/POHJA/HARJU/", 620_000, "county")
    assert OrgUnit.objects.filter(kind="county").count() == 15
    assert sum(OrgUnit.objects.values_list("population", flat=True).exclude(population=None)) == (
        1_336_500
    )
    assert set(OrgUnit.objects.get(code="LOUNA").children.values_list("code", flat=True)) == {
        "TARTU",
        "JOGEVA",
        "POLVA",
        "VALGA",
        "VILJANDI",
        "VORU",
    }
    codes = ["VS", "PSY", "COMP", "CONC", "MARAC", "WSC", "SAK", "CH", "HELP", "VLT", "THB"]
    assert sorted(Service.objects.values_list("code", flat=True)) == sorted(codes)
    for service in Service.objects.all():
        assert service.description_et and service.description_en and service.reference


def test_loading_twice_changes_nothing(db):
    load_catalogue()
    before = database_checksum()
    counts = load_catalogue()
    assert all(c.created == c.updated == 0 for c in counts.values())
    assert database_checksum() == before


def test_it_updates_a_name_edited_in_the_yaml(db, tmp_path):
    load_catalogue()
    counts = load_catalogue(edited_copy(tmp_path, "name_en: Harju County", "name_en: Harjumaa"))
    assert (counts["units"].updated, counts["units"].unchanged) == (1, 19)
    assert OrgUnit.objects.get(code="HARJU").name_en == "Harjumaa"
    event = AuditEvent.objects.filter(channel="catalogue", action="update").get()
    assert event.changes == {"name_en": ["Harju County", "Harjumaa"]}


def test_it_moves_a_unit_and_its_path_when_the_parent_changes(db, tmp_path):
    load_catalogue()
    load_catalogue(
        edited_copy(
            tmp_path,
            "code: HIIU, kind: county, parent: LAANE",
            "code: HIIU, kind: county, parent: IDA",
        )
    )
    assert OrgUnit.objects.get(code="HIIU").path == "EE/IDA/HIIU/"


def test_export_then_load_changes_nothing(db, tmp_path):
    load_catalogue()
    before = database_checksum()
    export_catalogue(tmp_path / "one")
    counts = load_catalogue(tmp_path / "one")
    assert all(c.created == c.updated == 0 for c in counts.values())
    assert database_checksum() == before
    export_catalogue(tmp_path / "two")
    assert (tmp_path / "one/organisation.yaml").read_bytes() == (
        tmp_path / "two/organisation.yaml"
    ).read_bytes()


def test_an_export_rebuilds_the_same_catalogue_in_an_empty_database(db, tmp_path):
    load_catalogue()
    Service.objects.filter(code="THB").update(active=False)
    expected = snapshot()
    export_catalogue(tmp_path)
    flush_project_data()  # every seire table and the users: an empty database
    load_catalogue(tmp_path)
    assert snapshot() == expected


@pytest.mark.parametrize(("case", "line", "message"), BROKEN_CASES)
def test_a_broken_file_is_refused_naming_file_and_line(db, case, line, message):
    load_catalogue()
    before = database_checksum()
    path = BROKEN / case / "organisation.yaml"
    with pytest.raises(CatalogueError) as error:
        load_catalogue(path.parent)
    assert f"{path}:{line}: " in str(error.value)
    assert any(
        p.file == str(path) and p.line == line and message in p.message
        for p in error.value.problems
    ), error.value.problems
    assert database_checksum() == before


def test_every_broken_fixture_has_a_case():
    assert {p.name for p in BROKEN.iterdir() if p.is_dir()} == {c[0] for c in BROKEN_CASES}


def test_it_reports_every_problem_of_a_file_at_once(db, tmp_path):
    (tmp_path / "organisation.yaml").write_text(
        "units:\n  - {code: EE, kind: country, name_et: Eesti}\n"
        "services:\n  - {code: vs, name_et: x, name_en: y, colour: red}\n",
        encoding="utf-8",
    )
    with pytest.raises(CatalogueError) as error:
        load_catalogue(tmp_path)
    assert [(p.line, p.message.split(" ")[0]) for p in error.value.problems] == [
        (2, "unit"),
        (4, "unknown"),
        (4, "code"),
    ]
    assert not OrgUnit.objects.exists()


def test_it_refuses_a_parent_cycle(db, tmp_path):
    (tmp_path / "organisation.yaml").write_text(
        "units:\n  - {code: A, kind: region, parent: B, name_et: a, name_en: a}\n"
        "  - {code: B, kind: region, parent: A, name_et: b, name_en: b}\n",
        encoding="utf-8",
    )
    with pytest.raises(CatalogueError, match="is its own ancestor"):
        load_catalogue(tmp_path)


def test_it_refuses_a_file_of_no_known_section(db, tmp_path):
    shutil.copy(DEFAULT_DIRECTORY / "organisation.yaml", tmp_path / "organisation.yaml")
    (tmp_path / "metrix.yaml").write_text("metrics: []\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="no catalogue section is named 'metrix'"):
        load_catalogue(tmp_path)
    assert not OrgUnit.objects.exists()


def test_a_norway_style_boolean_code_is_a_type_error(db, tmp_path):
    (tmp_path / "organisation.yaml").write_text(
        "services:\n  - {code: NO, name_et: x, name_en: y}\n", encoding="utf-8"
    )
    with pytest.raises(CatalogueError, match=r"code must be text, not true or false \(False\)"):
        load_catalogue(tmp_path)


def test_a_section_loads_after_the_sections_it_names(db, tmp_path, monkeypatch):
    seen = []

    def load_zeta(data):
        seen.append(Service.objects.filter(code="VS").exists())
        return {"zeta": Counts()}

    zeta = Section(load=load_zeta, export=dict, after=("organisation",))
    monkeypatch.setattr(loader, "SECTIONS", {"zeta": zeta, **loader.SECTIONS})
    shutil.copy(DEFAULT_DIRECTORY / "organisation.yaml", tmp_path / "organisation.yaml")
    (tmp_path / "zeta.yaml").write_text("{}\n", encoding="utf-8")
    counts = load_catalogue(tmp_path)
    assert seen == [True]
    assert set(counts) == {"units", "services", "zeta"}
