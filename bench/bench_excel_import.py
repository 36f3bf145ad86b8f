"""Importing a national year of monthly tables from Excel vs. python-calamine reading it.

The target (issue 3): the whole import — reading, checking every cell and rule, writing and
auditing — takes at most 3× the time python-calamine alone needs to read the same workbook's
values. Both are timed side by side in one run on a throwaway SQLite database: 30 units ×
12 months of a table with 8 elements × 10 columns (28,800 values), median of several runs.
"""

import statistics
import sys
import time
from datetime import date
from decimal import Decimal
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UNITS = 30
YEAR = 2025
ELEMENTS = 8
REPEAT = 5
TARGET = 3.0


def main() -> None:
    from bench import on_throwaway_sqlite

    on_throwaway_sqlite(__file__, lambda _database: run())


def run() -> None:
    from django.core.management import call_command
    from django.db import connection, transaction
    from python_calamine import CalamineWorkbook

    from seire.access.roles import scope_for
    from seire.collection.checking import DatasetIndex, check_reports
    from seire.collection.excel import build_template, import_workbook, read_workbook
    from seire.collection.excel.upload import _read
    from seire.collection.models import DataValue
    from seire.collection.writing import write

    call_command("migrate", verbosity=0)
    dataset, units, analyst = _national_table()
    months = [f"{YEAR}M{m:02d}" for m in range(1, 13)]
    _fill(dataset, units, months)
    data = build_template(dataset, units, months)
    values = DataValue.objects.filter(element__dataset=dataset)
    count = values.count()
    index = DatasetIndex(dataset)
    # The import's own reports, read and checked (not timed), for the write alone.
    reports = _read(data, dataset, index)[0]
    checked = check_reports(dataset, reports, scope_for(analyst), index, None)
    print(
        f"workbook: {len(units)} units × {len(months)} months, {count} values, "
        f"{len(data) / 1024:.0f} KiB"
    )

    def calamine_read():
        book = CalamineWorkbook.from_filelike(BytesIO(data))
        for name in book.sheet_names:
            book.get_sheet_by_name(name).to_python(skip_empty_area=False)

    def full_import():
        result = import_workbook(analyst, dataset, data)
        assert result.created == count, result.created

    def write_alone():
        with transaction.atomic():  # the import's writer and audit trail, and the commit
            result = write(analyst, dataset, scope_for(analyst), checked, "bench", index)
        assert result.created == count, result.created

    def empty():
        """No values stored, and the WAL copied into the database (not timed): each write
        is charged with copying its own pages at its commit, not those of the delete."""
        values.delete()
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.fetchall()

    times: dict[str, list[float]] = {"read": [], "check": [], "import": [], "again": [], "db": []}
    for _ in range(REPEAT):
        times["read"].append(_timed(calamine_read))
        times["check"].append(_timed(lambda: read_workbook(data, dataset)))
        empty()
        times["db"].append(_timed(write_alone))
        empty()
        times["import"].append(_timed(full_import))
        times["again"].append(_timed(lambda: import_workbook(analyst, dataset, data)))
    median = {name: statistics.median(t) for name, t in times.items()}
    ms = {name: f"{t * 1000:.0f} ms" for name, t in median.items()}
    print(
        f"calamine read: {ms['read']}; reading and checking the workbook: {ms['check']}; "
        f"full import: {ms['import']}; re-import, nothing changes: {ms['again']}"
    )
    print(
        f"of the import, writing the {count} checked values alone (rows, audit trail, commit) "
        f"takes {ms['db']} = {median['db'] / median['read']:.2f} × the calamine read"
    )
    print(
        f"excel import / calamine read = {median['import'] / median['read']:.2f} "
        f"(target ≤ {TARGET:.2f})"
    )


def _timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def _national_table():
    """A dataset like the tests' VS_MONTHLY, 8 elements × (gender × age + total)."""
    from django.contrib.auth import get_user_model

    from seire.collection.models import (
        Category,
        CategoryOption,
        DataElement,
        Dataset,
        Disaggregation,
        OptionCombo,
        ValidationRule,
    )
    from seire.organisation.models import OrgUnit, Provider, Responsibility, Service

    service = Service.objects.create(code="VS", name_et="Ohvriabi", name_en="Victim support")
    country = OrgUnit.objects.create(code="EE", name_et="Eesti", name_en="Estonia", kind="country")
    units = []
    for n in range(1, UNITS + 1):
        unit = OrgUnit.objects.create(
            code=f"VS-{n:02d}",
            name_et=f"Ohvriabi {n}",
            name_en=f"Victim support {n}",
            kind="service_point",
            parent=country,
        )
        Provider.objects.create(unit=unit, service=service, start=date(2020, 1, 1))
        units.append(unit)
    breakdown = Disaggregation.objects.create(
        code="gender_age", name_et="sugu × vanus", name_en="gender × age"
    )
    categories = {}
    for code, options in (
        ("gender", ("female", "male", "unknown")),
        ("age", ("child", "adult", "senior")),
    ):
        category = Category.objects.create(code=code, name_et=code, name_en=code)
        breakdown.categories.add(category)
        categories[code] = [
            CategoryOption.objects.create(category=category, code=o, name_et=o, name_en=o, sort=i)
            for i, o in enumerate(options)
        ]
    sort = 0
    for gender in categories["gender"]:
        for age in categories["age"]:
            sort += 1
            combo = OptionCombo.objects.create(
                disaggregation=breakdown,
                code=f"{gender.code}.{age.code}",
                name_et=f"{gender.code} {age.code}",
                name_en=f"{gender.code} {age.code}",
                sort=sort,
            )
            combo.options.add(gender, age)
    OptionCombo.objects.create(
        disaggregation=breakdown, code="total", name_et="Kokku", name_en="Total", sort=sort + 1
    )
    dataset = Dataset.objects.create(
        code="VS_NATIONAL",
        name_et="Ohvriabi kuutabel",
        name_en="Victim support monthly",
        service=service,
        period_type="M",
    )
    for n in range(1, ELEMENTS + 1):
        DataElement.objects.create(
            dataset=dataset,
            code=f"E{n}",
            name_et=f"Näitaja {n}",
            name_en=f"Item {n}",
            counting_rule_et="Iga juhtum.",
            counting_rule_en="Every case.",
            disaggregation=breakdown,
            sort=n,
        )
        ValidationRule.objects.create(
            dataset=dataset,
            code=f"sum{n}",
            left=f"E{n}[total]",
            right=f"E{n}",
            message_et="Kokku = summa",
            message_en="Total = sum",
        )
    ValidationRule.objects.create(
        dataset=dataset,
        code="e2_le_e1",
        left="E2[total]",
        operator="<=",
        right="E1[total]",
        message_et="E2 ≤ E1",
        message_en="E2 ≤ E1",
    )
    analyst = get_user_model().objects.create_user("analyst")
    Responsibility.objects.create(person=analyst, role=Responsibility.Role.ANALYST)
    return dataset, units, analyst


def _fill(dataset, units, months) -> None:
    """Values that keep every rule (stored, so the template is pre-filled with them)."""
    import random

    from seire.collection.models import DataValue, OptionCombo

    rng = random.Random(1)
    elements = list(dataset.elements.order_by("sort"))
    combos = list(OptionCombo.objects.filter(disaggregation=elements[0].disaggregation))
    rows = []
    for unit in units:
        for month in months:
            for element in elements:
                parts = {
                    c: rng.randint(0, 30 if element.code != "E2" else 3)
                    for c in combos
                    if c.code != "total"
                }
                parts.update({c: sum(parts.values()) for c in combos if c.code == "total"})
                rows += [
                    DataValue(element=element, combo=c, unit=unit, period=month, value=Decimal(v))
                    for c, v in parts.items()
                ]
    DataValue.objects.bulk_create(rows, batch_size=2000)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
