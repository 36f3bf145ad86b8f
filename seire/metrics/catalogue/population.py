"""The `population` catalogue section: `population.yaml` becomes `Population` rows.

The file gives, for each year, the county population on 1 January by gender and age group.
Loading checks the whole file (counties of the tree, age groups of the code list, whole
numbers, each year and county once), then makes the rows of every year it names equal to
it; export writes the rows back a year and a county at a time.
"""

from seire.catalogue.loader import (
    Counts,
    Field,
    Problems,
    YamlMap,
    check_entries,
    check_mapping,
)
from seire.collection import vocabulary
from seire.metrics.models import Population
from seire.organisation.models import OrgUnit

POPULATION_FILE_FIELDS = {
    "description": Field(str, help="What the file holds (documentation; not stored)."),
    "reference": Field(str, help="Where the figures come from (documentation; not stored)."),
    "years": Field(list, True, "One entry per year."),
}
YEAR_FIELDS = {
    "year": Field(int, True, "The year (population on 1 January).", minimum=1900),
    "reference": Field(str, help="Source of the year's figures (stored).", max_length=300),
    "counties": Field(list, True, "One entry per county."),
}
GENDERS = ("female", "male", "other_unknown")
COUNTY_FIELDS = {
    "county": Field(str, True, "County code (HARJU)."),
    **{g: Field(dict, help=f"{g}: {{age group: count}}.") for g in GENDERS},
}


def load_population(data: YamlMap) -> dict[str, Counts]:
    """Check `data` whole, then make the Population rows of every year it names equal to it."""
    problems = Problems()
    wanted = _check_population(data, problems)
    problems.raise_if_any()
    counts = Counts()
    counties = {u.code: u for u in OrgUnit.objects.filter(kind="county")}
    years = {key[1] for key in wanted}
    existing = {
        (p.county.code, p.year, p.gender, p.age_group): p
        for p in Population.objects.filter(year__in=years).select_related("county")
    }
    for key, (count, reference) in wanted.items():
        row = existing.pop(key, None)
        if row is None:
            county, year, gender, age_group = key
            Population.objects.create(
                county=counties[county],
                year=year,
                gender=gender,
                age_group=age_group,
                count=count,
                reference=reference,
            )
            counts.created += 1
        elif (row.count, row.reference) != (count, reference):
            row.count, row.reference = count, reference
            row.save(update_fields=("count", "reference"))
            counts.updated += 1
        else:
            counts.unchanged += 1
    # rows of a year the file gives but no longer lists
    Population.objects.filter(pk__in=[row.pk for row in existing.values()]).delete()
    return {"population rows": counts}


def _check_population(data: YamlMap, problems: Problems) -> dict[tuple, tuple[int, str]]:
    check_mapping(data, POPULATION_FILE_FIELDS, "the population file", problems)
    counties = set(OrgUnit.objects.filter(kind="county").values_list("code", flat=True))
    ages = vocabulary.codes("age_group")
    wanted: dict[tuple, tuple[int, str]] = {}
    seen_years: set[int] = set()
    for entry in check_entries(data, "years", YEAR_FIELDS, "year", problems):
        year = entry.get("year")
        if year in seen_years:
            problems.add(entry, "year", f"year {year} is given twice: expected each year once")
        seen_years.add(year)
        seen: set[str] = set()
        for item in check_entries(entry, "counties", COUNTY_FIELDS, "county", problems):
            county = item.get("county")
            if county not in counties:
                problems.add(
                    item, "county", f"unknown county {county!r}: expected a county of the tree"
                )
            elif county in seen:
                problems.add(item, "county", f"county {county} is given twice in {year}")
            seen.add(county)
            for gender in GENDERS:
                bands = item.get(gender)
                if not isinstance(bands, YamlMap):
                    continue
                for age, count in bands.items():
                    if str(age) not in ages:
                        problems.add(
                            bands,
                            age,
                            f"unknown age group {age!r}: expected one of {', '.join(sorted(ages))}",
                        )
                    elif not isinstance(count, int) or isinstance(count, bool) or count < 0:
                        problems.add(bands, age, f"{age} must be a whole number ≥ 0, not {count!r}")
                    else:
                        key = (county, year, gender, str(age))
                        wanted[key] = (count, entry.get("reference", ""))
    return wanted


def export_population() -> dict:
    """The population file from the database, a year and a county at a time."""
    years: dict[int, dict] = {}
    rows = Population.objects.select_related("county").order_by("year", "county__path", "pk")
    for row in rows:
        year = years.setdefault(row.year, {"year": row.year, "counties": {}})
        if row.reference:
            year["reference"] = row.reference
        county = year["counties"].setdefault(row.county.code, {"county": row.county.code})
        county.setdefault(row.gender, {})[row.age_group] = row.count
    result = []
    for year in years.values():
        entry = {"year": year["year"]}
        if "reference" in year:
            entry["reference"] = year["reference"]
        entry["counties"] = list(year["counties"].values())
        result.append(entry)
    return {
        "description": "County population on 1 January by gender and age group, for rates "
        "per 100 000 population.",
        "reference": "Statistics Estonia, table RV021 (see each year's reference).",
        "years": result,
    }
