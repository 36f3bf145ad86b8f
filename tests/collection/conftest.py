"""A small monthly statistics table for the cast's general victim support (VS) units.

VS_MONTHLY has three elements: CLIENTS_NEW by gender (female, male, unknown) plus a
`total` column, SESSIONS with one `total` column, and SATISFIED_PCT (a percent). Rules:
the gender columns add up to the total (hard), new clients ≤ sessions (hard), and a soft
outlier rule on sessions.
"""

import pytest
from django.utils import translation

from seire.collection.models import (
    Category,
    CategoryOption,
    DataElement,
    Dataset,
    Disaggregation,
    OptionCombo,
    ValidationRule,
)


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English here; the UI default (Estonian) is tested in views."""
    with translation.override("en"):
        yield


def make_disaggregation(
    code: str,
    options: list[tuple[str, str, str]] | None,
    with_total: bool = True,
    names: tuple[str, str] | None = None,
) -> Disaggregation:
    """A disaggregation over one category (or none: a single `total` column), named by
    `names` (Estonian, English; the code by default)."""
    title_et, title_en = names or (code, code)
    disaggregation = Disaggregation.objects.create(code=code, name_et=title_et, name_en=title_en)
    sort = 0
    if options:
        category = Category.objects.create(code=code, name_et=title_et, name_en=title_en)
        disaggregation.categories.add(category)
        for sort, (option_code, name_et, name_en) in enumerate(options, start=1):
            option = CategoryOption.objects.create(
                category=category, code=option_code, name_et=name_et, name_en=name_en, sort=sort
            )
            combo = OptionCombo.objects.create(
                disaggregation=disaggregation,
                code=option_code,
                name_et=name_et,
                name_en=name_en,
                sort=sort,
            )
            combo.options.add(option)
    if with_total or not options:
        OptionCombo.objects.create(
            disaggregation=disaggregation,
            code="total",
            name_et="Kokku",
            name_en="Total",
            sort=sort + 1,
        )
    return disaggregation


@pytest.fixture
def vs_monthly(cast) -> Dataset:
    gender = make_disaggregation(
        "gender",
        [
            ("female", "Naised", "Women"),
            ("male", "Mehed", "Men"),
            ("unknown", "Teadmata", "Unknown"),
        ],
        names=("Sugu", "Gender"),
    )
    single = make_disaggregation("none", None, names=("Jaotuseta", "No breakdown"))
    dataset = Dataset.objects.create(
        code="VS_MONTHLY",
        name_et="Ohvriabi kuutabel",
        name_en="Victim support monthly table",
        service=cast.vs,
        period_type="M",
        deadline_days=10,
        lock_days=60,
    )
    DataElement.objects.create(
        dataset=dataset,
        code="CLIENTS_NEW",
        name_et="Uued kliendid",
        name_en="New clients",
        counting_rule_et="Klient, kellel algas aruandeaastal esimene juhtum.",
        counting_rule_en="A client whose first episode of the reporting year began.",
        disaggregation=gender,
        sort=1,
    )
    DataElement.objects.create(
        dataset=dataset,
        code="SESSIONS",
        name_et="Nõustamised",
        name_en="Counselling sessions",
        counting_rule_et="Iga nõustamiskord.",
        counting_rule_en="Every counselling session.",
        disaggregation=single,
        sort=2,
    )
    DataElement.objects.create(
        dataset=dataset,
        code="SATISFIED_PCT",
        name_et="Rahulolu %",
        name_en="Satisfied %",
        value_type="percent",
        disaggregation=single,
        sort=3,
    )
    ValidationRule.objects.create(
        dataset=dataset,
        code="gender_sum",
        left="CLIENTS_NEW[total]",
        operator="==",
        right="CLIENTS_NEW[female] + CLIENTS_NEW[male] + CLIENTS_NEW[unknown]",
        importance="hard",
        message_et="Kokku peab võrduma naised + mehed + teadmata.",
        message_en="Total must equal women + men + unknown.",
    )
    ValidationRule.objects.create(
        dataset=dataset,
        code="new_le_sessions",
        left="CLIENTS_NEW[total]",
        operator="<=",
        right="SESSIONS",
        importance="hard",
        message_et="Uusi kliente ei saa olla rohkem kui nõustamisi.",
        message_en="New clients cannot exceed counselling sessions.",
    )
    ValidationRule.objects.create(
        dataset=dataset,
        code="sessions_outlier",
        kind="outlier",
        left="SESSIONS",
        operator="<=",
        right="3.5",
        importance="soft",
        message_et="Nõustamiste arv erineb tugevalt varasematest kuudest.",
        message_en="Sessions differ strongly from the unit's previous months.",
    )
    return dataset
