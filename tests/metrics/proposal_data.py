"""A metric and episodes for the change-proposal tests (unit, views, browser, access).

"VS_NEW" counts the episodes opened per month (version 1). Episodes are spread over the
ten months up to a given one, in Harju and Tartu, some of them domestic violence: the
proposal the tests make counts only those. `RECORDS` lists what was created, so a test
can count the expected values itself.
"""

from dataclasses import dataclass
from datetime import date

from seire import periods
from seire.collection.models import Episode
from seire.metrics.models import ChangeProposal, Metric, MetricVersion

OPENED = {"source": "episodes", "measure": "count", "field": None, "date": "opened", "filter": []}
DV = {"field": "crime_type", "op": "eq", "value": "domestic_violence"}


@dataclass(frozen=True)
class Record:
    month: str  # "2026M03"
    county: str  # "HARJU" | "TARTU"
    crime_type: str


def new_clients_metric(cast, **fields) -> Metric:
    metric = Metric.objects.create(
        code="VS_NEW",
        name_et="Uued juhtumid",
        name_en="New cases",
        service=cast.vs,
        purpose_en="How many cases general victim support opens.",
    )
    MetricVersion.objects.create(
        metric=metric,
        type="count",
        numerator=OPENED,
        frequency="M",
        min_n=1,
        methodology_en="Every episode opened in the month.",
        **fields,
    )
    return metric


def make_episodes(cast, last_month: str, months: int = 10) -> list[Record]:
    """Episodes in the `months` months up to `last_month`: Harju (i % 3) + 1 domestic
    violence and 2 others, Tartu i % 2 domestic violence and 1 other, in month i."""
    last = periods.parse(last_month)
    codes = [last]
    while len(codes) < months:
        codes.insert(0, codes[0].previous())
    records = []
    for i, month in enumerate(codes):
        for county, dv, other in (("HARJU", i % 3 + 1, 2), ("TARTU", i % 2, 1)):
            records += [Record(str(month), county, "domestic_violence")] * dv
            records += [Record(str(month), county, "other_violence")] * other
    units = {"HARJU": cast.harju_vs, "TARTU": cast.tartu_vs}
    start = periods.parse(last_month)
    for n, record in enumerate(records):
        month = periods.parse(record.month)
        Episode.objects.create(
            source_id=f"P{start}-{n}",
            client_key=f"pk-{n}",
            service=cast.vs,
            unit=units[record.county],
            opened=date(month.year, month.number, 10),
            crime_type=record.crime_type,
            gender="female",
            age_group="26-35",
        )
    return records


def dv_definition(metric: Metric) -> dict:
    """The current definition of `metric`, counting domestic violence only."""
    from seire.metrics.proposals import definition_of

    definition = definition_of(metric.current_version())
    definition["numerator"] = {**definition["numerator"], "filter": [DV]}
    return definition


def open_proposal(cast) -> ChangeProposal:
    """Olev's proposal on a fresh VS_NEW (for the role × route table)."""
    from seire.metrics.proposals import propose

    metric = Metric.objects.filter(code="VS_NEW").first() or new_clients_metric(cast)
    return propose(cast.olev, metric, dv_definition(metric), "Count domestic violence only.")
