"""The `organisation` catalogue section: the org-unit tree down to counties, and the services.

Only the country, regions and counties are catalogue units; service points and partner
units are data (entered in the admin or made by `seire seed`), so export leaves them out and
the loader refuses other kinds. Writes are audited (channel "catalogue").
"""

from django.db import models

from seire.access.audit import changes_between, record
from seire.catalogue.loader import (
    CODE_PATTERN,
    Counts,
    Field,
    Problems,
    Section,
    YamlMap,
    check_entries,
    check_mapping,
    register,
)
from seire.organisation.models import OrgUnit, Service

CATALOGUE_KINDS = (OrgUnit.Kind.COUNTRY, OrgUnit.Kind.REGION, OrgUnit.Kind.COUNTY)

FILE_FIELDS = {
    "description": Field(str, help="What the file defines (documentation; not stored)."),
    "reference": Field(str, help="Where the figures come from (documentation; not stored)."),
    "units": Field(list, help="The org-unit tree: the country, its regions and counties."),
    "services": Field(list, help="The victim-support services."),
}
UNIT_FIELDS = {
    "code": Field(
        str, True, "Stable code, uppercase ASCII (HARJU).", pattern=CODE_PATTERN, max_length=40
    ),
    "kind": Field(str, True, "country, region or county.", choices=tuple(CATALOGUE_KINDS)),
    "parent": Field(
        str,
        help="Code of the unit above; required for all but the country.",
        pattern=CODE_PATTERN,
        max_length=40,
    ),
    "name_et": Field(str, True, "Name in Estonian.", max_length=200),
    "name_en": Field(str, True, "Name in English.", max_length=200),
    "population": Field(int, help="Resident population (for rates per 100 000).", minimum=0),
    "active": Field(bool, help="false for a unit no longer in use (default true)."),
}
SERVICE_FIELDS = {
    "code": Field(
        str, True, "Stable code, uppercase ASCII (VS).", pattern=CODE_PATTERN, max_length=40
    ),
    "name_et": Field(str, True, "Name in Estonian.", max_length=200),
    "name_en": Field(str, True, "Name in English.", max_length=200),
    "description_et": Field(str, help="One-sentence description in Estonian."),
    "description_en": Field(str, help="One-sentence description in English."),
    "reference": Field(str, help="The legal or methodological source.", max_length=300),
    "active": Field(bool, help="false for a service no longer offered (default true)."),
}

DESCRIPTION = (
    "Estonia, its four regions (the police prefectures' split) and fifteen counties, and the "
    "services of victim support."
)
REFERENCE = (
    "County populations: Statistics Estonia, 1 January 2024, rounded (approx.). "
    "Services: Ohvriabi seadus (RT I, 2023) and the Social Insurance Board."
)


def load(data: YamlMap) -> dict[str, Counts]:
    """Check `data` whole, then create or update units and services by code."""
    problems = Problems()
    check_mapping(data, FILE_FIELDS, "the organisation file", problems)
    units = check_entries(data, "units", UNIT_FIELDS, "unit", problems)
    services = check_entries(data, "services", SERVICE_FIELDS, "service", problems)
    ordered = _tree_order(units, problems)
    problems.raise_if_any()
    counts = {"units": Counts(), "services": Counts()}
    for entry in ordered:
        parent = OrgUnit.objects.get(code=entry["parent"]) if entry.get("parent") else None
        values = {
            "kind": entry["kind"],
            "parent": parent,
            "name_et": entry["name_et"],
            "name_en": entry["name_en"],
            "population": entry.get("population"),
            "active": entry.get("active", True),
        }
        _sync(OrgUnit, entry["code"], values, counts["units"])
    for entry in services:
        values = {
            "name_et": entry["name_et"],
            "name_en": entry["name_en"],
            "description_et": entry.get("description_et", ""),
            "description_en": entry.get("description_en", ""),
            "reference": entry.get("reference", ""),
            "active": entry.get("active", True),
        }
        _sync(Service, entry["code"], values, counts["services"])
    return counts


def _tree_order(units: list[YamlMap], problems: Problems) -> list[YamlMap]:
    """The units with every parent before its children; problems for bad parents."""
    in_file = {u["code"]: u for u in units if isinstance(u.get("code"), str)}
    wanted = {p for u in units if isinstance(p := u.get("parent"), str) and p not in in_file}
    in_database = set(OrgUnit.objects.filter(code__in=wanted).values_list("code", flat=True))
    usable = []
    for unit in units:
        parent, kind = unit.get("parent"), unit.get("kind")
        if kind == OrgUnit.Kind.COUNTRY and parent is not None:
            problems.add(unit, "parent", "a country has no parent: expected no parent key")
        elif kind != OrgUnit.Kind.COUNTRY and parent is None and "kind" in unit:
            problems.add(
                unit,
                None,
                f"unit {unit.get('code')!r} is missing the required key "
                "'parent' (every unit but the country has one)",
            )
        elif isinstance(parent, str) and parent not in in_file and parent not in in_database:
            problems.add(
                unit,
                "parent",
                f"unknown parent {parent!r}: expected the code of a "
                "unit defined in this file or already in the database",
            )
        else:
            usable.append(unit)
    usable_codes = {u.get("code") for u in usable}
    ordered, placed, pending = [], set(), usable
    while pending:
        ready = [u for u in pending if u.get("parent") not in usable_codes or u["parent"] in placed]
        if not ready:
            for unit in pending:
                problems.add(
                    unit,
                    "parent",
                    f"unit {unit.get('code')!r} is its own ancestor: "
                    "expected the parents to form a tree",
                )
            break
        ordered += ready
        placed |= {u.get("code") for u in ready}
        pending = [u for u in pending if u not in ready]
    return ordered


def _sync(model: type[models.Model], code: str, values: dict, counts: Counts) -> None:
    """Create or update the row with `code` so that it has `values`; audit any change."""
    obj = model.objects.filter(code=code).first()
    if obj is None:
        obj = model.objects.create(code=code, **values)
        counts.created += 1
        after = {k: _plain(v) for k, v in values.items()}
        record(None, "create", obj, channel="catalogue", changes=changes_between({}, after))
        return
    before = {k: _plain(getattr(obj, k)) for k in values}
    after = {k: _plain(v) for k, v in values.items()}
    if before == after:
        counts.unchanged += 1
        return
    for key, value in values.items():
        setattr(obj, key, value)
    obj.save()
    counts.updated += 1
    record(None, "update", obj, channel="catalogue", changes=changes_between(before, after))


def _plain(value):
    return value.code if isinstance(value, OrgUnit) else value


def export() -> dict:
    """The organisation file from the database (catalogue kinds only, parents first)."""
    units = []
    for unit in OrgUnit.objects.filter(kind__in=CATALOGUE_KINDS).select_related("parent"):
        entry = {"code": unit.code, "kind": unit.kind}
        if unit.parent:
            entry["parent"] = unit.parent.code
        entry |= {"name_et": unit.name_et, "name_en": unit.name_en}
        if unit.population is not None:
            entry["population"] = unit.population
        if not unit.active:
            entry["active"] = False
        units.append(entry)
    services = []
    for service in Service.objects.order_by("code"):
        entry = {"code": service.code, "name_et": service.name_et, "name_en": service.name_en}
        for key in ("description_et", "description_en", "reference"):
            if getattr(service, key):
                entry[key] = getattr(service, key)
        if not service.active:
            entry["active"] = False
        services.append(entry)
    return {
        "description": DESCRIPTION,
        "reference": REFERENCE,
        "units": units,
        "services": services,
    }


SECTION = Section(
    load=load,
    export=export,
    header="Seire catalogue: the organisation tree and the services.\n"
    "Exported from the database by `seire catalogue export`.",
    fields={"file": FILE_FIELDS, "units": UNIT_FIELDS, "services": SERVICE_FIELDS},
)
register("organisation", SECTION)
