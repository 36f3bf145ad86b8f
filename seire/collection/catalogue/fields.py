"""The keys each entry of the `datasets` file may have (with their types and help), and the
patterns of its codes."""

from seire.catalogue.loader import Field

SLUG = r"[a-z0-9]+([_-][a-z0-9]+)*"
DATASET_CODE = r"[A-Z][A-Z0-9_]*"
OPTION_CODE = r"[a-z0-9]+([_+-][a-z0-9]*)*\+?"
TOTAL = "total"
TOTAL_NAMES = ("Kokku", "Total")

FILE_FIELDS = {
    "description": Field(str, help="What the file defines (documentation; not stored)."),
    "reference": Field(str, help="Where the tables come from (documentation; not stored)."),
    "categories": Field(list, help="Dataset-only categories with their options."),
    "disaggregations": Field(list, True, "The breakdowns (categories crossed)."),
    "datasets": Field(list, True, "The statistics tables."),
}
CATEGORY_FIELDS = {
    "code": Field(str, True, "Lowercase code (counselling_type).", pattern=SLUG, max_length=40),
    "name_et": Field(str, True, "Name in Estonian.", max_length=200),
    "name_en": Field(str, True, "Name in English.", max_length=200),
    "options": Field(list, True, "The options: code, name_et, name_en."),
}
OPTION_FIELDS = {
    "code": Field(str, True, "Lowercase code (phone, 0-17).", max_length=40),
    "name_et": Field(str, True, "Name in Estonian.", max_length=200),
    "name_en": Field(str, True, "Name in English.", max_length=200),
}
DISAGGREGATION_FIELDS = {
    "code": Field(str, True, "Lowercase code (age_group).", pattern=SLUG, max_length=40),
    "version": Field(
        int, help="The version at export (a change of columns makes a new one).", minimum=1
    ),
    "name_et": Field(str, True, "Name in Estonian.", max_length=200),
    "name_en": Field(str, True, "Name in English.", max_length=200),
    "categories": Field(list, True, "Category codes crossed (empty: one total column)."),
    "total": Field(bool, help="true to add a `total` column (default false)."),
}
DATASET_FIELDS = {
    "code": Field(str, True, "Uppercase code (WSC_MONTHLY).", pattern=DATASET_CODE, max_length=40),
    "service": Field(str, True, "Code of the service (WSC)."),
    "period_type": Field(str, True, "M, Q or Y.", choices=("M", "Q", "Y")),
    "deadline_days": Field(int, True, "Due this many days after the period ends.", minimum=0),
    "lock_days": Field(int, True, "Locks this many days after the deadline.", minimum=0),
    "name_et": Field(str, True, "Name in Estonian.", max_length=200),
    "name_en": Field(str, True, "Name in English.", max_length=200),
    "description_et": Field(str, help="Description in Estonian."),
    "description_en": Field(str, help="Description in English."),
    "elements": Field(list, True, "The data elements."),
    "rules": Field(list, help="The validation rules."),
}
ELEMENT_FIELDS = {
    "code": Field(str, True, "Uppercase code (CLIENTS).", pattern=DATASET_CODE, max_length=60),
    "name_et": Field(str, True, "Name in Estonian.", max_length=300),
    "name_en": Field(str, True, "Name in English.", max_length=300),
    "counting_rule_et": Field(str, True, "What is counted, in Estonian."),
    "counting_rule_en": Field(str, True, "What is counted, in English."),
    "value_type": Field(
        str, True, "count, decimal or percent.", choices=("count", "decimal", "percent")
    ),
    "disaggregation": Field(str, True, "Code of a disaggregation of this file."),
}
RULE_FIELDS = {
    "code": Field(str, True, "Lowercase code (clients_total).", pattern=SLUG, max_length=60),
    "kind": Field(str, help="expression (default) or outlier.", choices=("expression", "outlier")),
    "left": Field(str, True, "Left expression.", max_length=500),
    "operator": Field(
        str, True, "==, !=, <, <=, >, >=.", choices=("==", "!=", "<", "<=", ">", ">=")
    ),
    "right": Field(str, True, "Right expression (outlier: the modified z limit).", max_length=500),
    "importance": Field(str, True, "hard or soft.", choices=("hard", "soft")),
    "message_et": Field(str, True, "Message in Estonian.", max_length=300),
    "message_en": Field(str, True, "Message in English.", max_length=300),
}
