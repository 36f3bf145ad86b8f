"""The `datasets` catalogue section: statistics tables, their breakdowns and rules.

`datasets.yaml` holds the dataset-only categories (counselling type, channel, …), the
disaggregations (categories crossed, optionally with a `total` column) and the datasets
with their elements and validation rules. A disaggregation may also cross the code lists
of `categories.yaml` (gender, age_group, …); those become `Category` rows when first used.

The section is in four parts: `fields` (the keys each entry of the file may have),
`checking` (the whole file checked before anything is written), `syncing` (the checked
file written to the database) and `export` (the file written back from the database).
"""

from seire.catalogue.loader import Section, register
from seire.collection.catalogue.export import export
from seire.collection.catalogue.fields import (
    CATEGORY_FIELDS,
    DATASET_FIELDS,
    DISAGGREGATION_FIELDS,
    ELEMENT_FIELDS,
    FILE_FIELDS,
    OPTION_FIELDS,
    RULE_FIELDS,
)
from seire.collection.catalogue.syncing import load

SECTION = Section(
    load=load,
    export=export,
    header="Seire catalogue: the statistics tables, their breakdowns and validation rules.\n"
    "Exported from the database by `seire catalogue export`.",
    fields={
        "file": FILE_FIELDS,
        "categories": CATEGORY_FIELDS,
        "options": OPTION_FIELDS,
        "disaggregations": DISAGGREGATION_FIELDS,
        "datasets": DATASET_FIELDS,
        "elements": ELEMENT_FIELDS,
        "rules": RULE_FIELDS,
    },
    after=("organisation", "categories"),
)
register("datasets", SECTION)
