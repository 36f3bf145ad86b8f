"""The `metrics` and `population` catalogue sections.

`metrics.yaml` holds each metric (code, names, purpose, owner service, direction, unit) with
its current definition in a `version` block: type, numerator and denominator (source,
measure, field, date, filter), frequency, breakdowns, target and amber threshold, smallest
n, methodology, limitations, data-quality notes and reference. `population.yaml` holds the
county population by year, gender and age group.

The `metrics` section is in four parts: `fields` (the keys each entry of the file may have
and the model fields they become), `checking` (the whole file checked before anything is
written), `syncing` (the checked file written to the database, versioning definitions) and
`export` (the file written back from the database). `population` is the whole
`population` section.
"""

from seire.catalogue.loader import Section, register
from seire.metrics.catalogue.export import export
from seire.metrics.catalogue.fields import (
    CONDITION_FIELDS,
    FILE_FIELDS,
    METRIC_FIELDS,
    SIDE_FIELDS,
    VERSION_FIELDS,
)
from seire.metrics.catalogue.population import (
    COUNTY_FIELDS,
    POPULATION_FILE_FIELDS,
    YEAR_FIELDS,
    export_population,
    load_population,
)
from seire.metrics.catalogue.syncing import load

register(
    "metrics",
    Section(
        load=load,
        export=export,
        header="Seire catalogue: the metrics with their methodology (current versions).\n"
        "Exported from the database by `seire catalogue export`.",
        fields={
            "file": FILE_FIELDS,
            "metrics": METRIC_FIELDS,
            "version": VERSION_FIELDS,
            "numerator / denominator": SIDE_FIELDS,
            "filter": CONDITION_FIELDS,
        },
        after=("organisation", "categories", "datasets"),
    ),
)
register(
    "population",
    Section(
        load=load_population,
        export=export_population,
        header="Seire catalogue: county population by year, gender and age group.\n"
        "Exported from the database by `seire catalogue export`.",
        fields={"file": POPULATION_FILE_FIELDS, "years": YEAR_FIELDS, "counties": COUNTY_FIELDS},
        after=("organisation", "categories"),
    ),
)
