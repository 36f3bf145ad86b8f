"""Writing the checked `metrics` file to the database.

Loading is idempotent. A metric's own fields are updated in place; its definition is
versioned: an unchanged block changes nothing, a changed block updates the current version
while no values were computed from it and otherwise creates the next version (the old one,
with its values, stays). Every change is recorded in the audit log.
"""

from seire.access.audit import changes_between, record
from seire.catalogue.loader import Counts, Problems, YamlMap
from seire.metrics.catalogue.checking import _check, _version_values
from seire.metrics.catalogue.fields import METRIC_KEYS, VERSION_KEYS
from seire.metrics.models import Metric, MetricVersion
from seire.organisation.models import Service


def load(data: YamlMap) -> dict[str, Counts]:
    """Check `data` whole, then create or update metrics and their current versions."""
    problems = Problems()
    entries = _check(data, problems)
    problems.raise_if_any()
    counts = {"metrics": Counts(), "metric versions": Counts()}
    services = {s.code: s for s in Service.objects.all()}
    rows: dict[str, Metric] = {}
    for entry in entries:
        values = {key: entry.get(key, "") for key in METRIC_KEYS}
        values["service"] = services.get(entry.get("service"))
        rows[entry["code"]] = metric = _sync_metric(entry["code"], values, counts["metrics"])
        if "version" in entry:
            _sync_version(metric, _version_values(entry["version"]), counts["metric versions"])
    pairs = {frozenset((e["code"], other)) for e in entries for other in e.get("related") or []}
    for code, metric in rows.items():
        wanted = {rows[o] for pair in pairs if code in pair for o in pair if o != code}
        if set(metric.related.all()) != wanted:
            metric.related.set(wanted)
    return counts


def _sync_metric(code: str, values: dict, counts: Counts) -> Metric:
    metric = Metric.objects.filter(code=code).first()
    if metric is None:
        metric = Metric.objects.create(code=code, **values)
        counts.created += 1
        record(None, "create", metric, channel="catalogue")
        return metric
    before = {k: getattr(metric, k) for k in values}
    if before == values:
        counts.unchanged += 1
        return metric
    for key, value in values.items():
        setattr(metric, key, value)
    metric.save()
    counts.updated += 1
    code_of = {k: getattr(v, "code", v) for k, v in before.items()}
    after = {k: getattr(v, "code", v) for k, v in values.items()}
    record(None, "update", metric, channel="catalogue", changes=changes_between(code_of, after))
    return metric


def _sync_version(metric: Metric, values: dict, counts: Counts) -> MetricVersion:
    """The current version equal to `values`: unchanged, updated while it has no values, or
    a new version when values were computed from the current one."""
    current = metric.current_version()
    if current is not None:
        before = {key: getattr(current, key) for key in VERSION_KEYS}
        if before == values:
            counts.unchanged += 1
            return current
        if not current.values.exists():
            for key, value in values.items():
                setattr(current, key, value)
            current.save()
            counts.updated += 1
            record(
                None,
                "update",
                current,
                channel="catalogue",
                changes=changes_between(before, values),
            )
            return current
    number = current.version + 1 if current else 1
    version = MetricVersion.objects.create(metric=metric, version=number, **values)
    counts.created += 1
    why = f": the file changed v{current.version}, which has values" if current else ""
    record(None, "create", version, channel="catalogue", summary=f"{version}{why}")
    return version
