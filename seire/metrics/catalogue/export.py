"""Writing the `metrics` file back from the database: every metric with its current
version."""

from decimal import Decimal

from seire.metrics.catalogue.fields import VERSION_KEYS
from seire.metrics.models import Metric, MetricVersion

DESCRIPTION = (
    "The default metrics of victim support: definitions with their methodology, targets and "
    "limitations, computed by the metric engine from the sources."
)
REFERENCE = "DOMAIN.md, 'Default metrics'; each metric names its own methodological source."


def _number(value: Decimal):
    return int(value) if value == value.to_integral_value() else float(value)


def export() -> dict:
    """The metrics file from the database: every metric with its current version."""
    metrics = []
    for metric in Metric.objects.select_related("service").prefetch_related("related"):
        entry = {"code": metric.code, "name_et": metric.name_et, "name_en": metric.name_en}
        entry |= {"purpose_et": metric.purpose_et, "purpose_en": metric.purpose_en}
        if metric.service:
            entry["service"] = metric.service.code
        entry |= {"direction": metric.direction, "unit_et": metric.unit_et}
        entry["unit_en"] = metric.unit_en
        related = sorted(m.code for m in metric.related.all())
        if related:
            entry["related"] = related
        version = metric.current_version()
        if version is not None:
            entry["version"] = _export_version(version)
        metrics.append(entry)
    return {"description": DESCRIPTION, "reference": REFERENCE, "metrics": metrics}


def _export_version(version: MetricVersion) -> dict:
    block: dict = {"number": version.version}
    for key in VERSION_KEYS:
        value = getattr(version, key)
        if value in (None, "", []):
            continue
        block[key] = _number(value) if isinstance(value, Decimal) else value
    return block
