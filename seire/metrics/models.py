"""Metrics: definitions with methodology (`Metric` → `MetricVersion`) and computed values.

A definition is structured data, not code: a type, a numerator and (where the type needs
one) a denominator, each naming a source, a filter (AND of field-operator-value
conditions) and the date that puts a record in a period. `seire.metrics.definitions`
checks a definition against the sources' real fields; `seire.metrics.engine` computes it.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from seire.organisation.models import Named, OrgUnit, Service


def _localised(obj, field: str) -> str:
    lang = (get_language() or "et")[:2]
    return getattr(obj, f"{field}_{'et' if lang == 'et' else 'en'}")


class Metric(Named):
    class Direction(models.TextChoices):
        HIGHER = "higher", _("higher is better")
        LOWER = "lower", _("lower is better")
        NEUTRAL = "neutral", _("no better direction")

    service = models.ForeignKey(
        Service,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="metrics",
        verbose_name=_("owner service"),
    )
    purpose_et = models.TextField(_("purpose (Estonian)"), blank=True)
    purpose_en = models.TextField(_("purpose (English)"), blank=True)
    direction = models.CharField(
        _("direction"), max_length=8, choices=Direction.choices, default=Direction.HIGHER
    )
    unit_et = models.CharField(_("unit (Estonian)"), max_length=40, blank=True)
    unit_en = models.CharField(_("unit (English)"), max_length=40, blank=True)
    related = models.ManyToManyField("self", blank=True, verbose_name=_("related metrics"))

    class Meta(Named.Meta):
        verbose_name = _("metric")
        verbose_name_plural = _("metrics")

    @property
    def purpose(self) -> str:
        return _localised(self, "purpose")

    def current_version(self) -> "MetricVersion | None":
        return self.versions.order_by("-version").first()


class MetricVersion(models.Model):
    """One version of a metric's definition; immutable once values were computed from it."""

    class Type(models.TextChoices):
        COUNT = "count", _("count")
        SUM = "sum", _("sum")
        PERCENT = "percent", _("percent")
        RATIO = "ratio", _("ratio")
        MEAN = "mean", _("mean")
        MEDIAN = "median", _("median")
        RATE_PER_100K = "rate_per_100k", _("rate per 100 000 population")

    class Frequency(models.TextChoices):
        MONTHLY = "M", _("monthly")
        QUARTERLY = "Q", _("quarterly")
        YEARLY = "Y", _("yearly")

    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    effective_from = models.CharField(_("effective from period"), max_length=7, blank=True)
    type = models.CharField(_("type"), max_length=16, choices=Type.choices)
    numerator = models.JSONField(_("numerator"))
    denominator = models.JSONField(_("denominator"), null=True, blank=True)
    frequency = models.CharField(
        _("frequency"), max_length=1, choices=Frequency.choices, default=Frequency.QUARTERLY
    )
    breakdowns = models.JSONField(_("breakdowns"), default=list, blank=True)
    target = models.DecimalField(
        _("target"), max_digits=12, decimal_places=3, null=True, blank=True
    )
    amber = models.DecimalField(
        _("amber threshold"),
        max_digits=12,
        decimal_places=3,
        null=True,
        blank=True,
        help_text=_("Values between this and the target are amber; beyond it red."),
    )
    min_n = models.PositiveIntegerField(
        _("smallest n shown"),
        default=10,
        help_text=_("Below this denominator the value is flagged 'n too small'."),
    )
    methodology_et = models.TextField(_("methodology (Estonian)"), blank=True)
    methodology_en = models.TextField(_("methodology (English)"), blank=True)
    limitations_et = models.TextField(_("limitations (Estonian)"), blank=True)
    limitations_en = models.TextField(_("limitations (English)"), blank=True)
    data_quality_et = models.TextField(_("data quality (Estonian)"), blank=True)
    data_quality_en = models.TextField(_("data quality (English)"), blank=True)
    reference = models.CharField(_("reference"), max_length=300, blank=True)
    rationale = models.TextField(_("rationale for this version"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["metric", "version"]
        constraints = [
            models.UniqueConstraint(fields=["metric", "version"], name="metricversion_unique")
        ]
        verbose_name = _("metric version")
        verbose_name_plural = _("metric versions")

    def __str__(self) -> str:
        return f"{self.metric.code} v{self.version}"

    def save(self, *args, **kwargs):
        if self.pk and self.values.exists():
            original = MetricVersion.objects.get(pk=self.pk)
            frozen = ("type", "numerator", "denominator", "frequency", "breakdowns")
            if any(getattr(original, f) != getattr(self, f) for f in frozen):
                raise ValidationError(
                    _("values were computed from this version: propose a new version instead")
                )
        super().save(*args, **kwargs)

    def clean(self):
        from seire.metrics.definitions import DefinitionError, check_definition

        try:
            check_definition(self.type, self.numerator, self.denominator, self.breakdowns)
        except DefinitionError as error:
            raise ValidationError(error.messages) from None

    @property
    def methodology(self) -> str:
        return _localised(self, "methodology")

    @property
    def limitations(self) -> str:
        return _localised(self, "limitations")


class MetricValue(models.Model):
    """A computed value: version × period × unit (aggregated up the tree) × breakdown."""

    # Looked up by version (and period) through the unique constraint's index, which starts
    # with them: an index of their own would only slow the engine's writes down.
    version = models.ForeignKey(
        MetricVersion, on_delete=models.CASCADE, related_name="values", db_index=False
    )
    period = models.CharField(max_length=7)
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    breakdown = models.CharField(max_length=60, blank=True)  # "" or "gender=female"
    numerator = models.DecimalField(max_digits=16, decimal_places=4, null=True)
    denominator = models.DecimalField(max_digits=16, decimal_places=4, null=True)
    value = models.DecimalField(max_digits=16, decimal_places=4, null=True)
    low = models.DecimalField(max_digits=16, decimal_places=4, null=True)
    high = models.DecimalField(max_digits=16, decimal_places=4, null=True)
    n = models.PositiveIntegerField(default=0)
    small_n = models.BooleanField(default=False)
    computed_at = models.DateTimeField()  # when the value was computed as it is

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["version", "period", "unit", "breakdown"], name="metricvalue_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.version} {self.period} {self.unit_id} {self.breakdown}: {self.value}"


class Population(models.Model):
    """County population by year, gender and age group (for rates per 100 000)."""

    county = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="population_rows")
    year = models.PositiveSmallIntegerField()
    gender = models.CharField(max_length=16, blank=True)
    age_group = models.CharField(max_length=10, blank=True)
    count = models.PositiveIntegerField()
    reference = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["county", "year", "gender", "age_group"], name="population_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.county.code} {self.year} {self.gender} {self.age_group}: {self.count}"


class Outcome(models.Model):
    """An episode's intake and exit scores on one instrument, kept in step with the
    assessments (`seire.metrics.outcomes.refresh_outcomes`) so outcome metrics are one
    SQL query. `reliable` is the Jacobson–Truax class of the change."""

    class Reliable(models.TextChoices):
        IMPROVED = "improved", _("reliably improved")
        UNCHANGED = "unchanged", _("no reliable change")
        DETERIORATED = "deteriorated", _("reliably deteriorated")

    episode = models.ForeignKey(
        "collection.Episode", on_delete=models.CASCADE, related_name="outcomes"
    )
    instrument = models.CharField(max_length=30)
    intake = models.DecimalField(max_digits=8, decimal_places=2, null=True)
    exit = models.DecimalField(max_digits=8, decimal_places=2, null=True)
    change = models.DecimalField(max_digits=8, decimal_places=2, null=True)
    reliable = models.CharField(max_length=12, choices=Reliable.choices, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["episode", "instrument"], name="outcome_unique")
        ]

    def __str__(self) -> str:
        return f"{self.episode_id} {self.instrument}: {self.intake} → {self.exit}"


class ChangeProposal(models.Model):
    """A changed definition of a metric, with its rationale, waiting for the analyst.

    `definition` holds the proposed version's fields (see `seire.metrics.proposals.FIELDS`);
    accepting it creates `created_version`, effective from `effective_from`. `base_version`
    is the version the proposal was made against: once a newer one exists, the proposal is
    stale and can only be rejected. The workflow is in `seire.metrics.proposals`.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="proposals")
    base_version = models.ForeignKey(
        MetricVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    definition = models.JSONField(_("proposed definition"))
    rationale = models.TextField(_("rationale"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    decision_comment = models.TextField(_("decision comment"), blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    effective_from = models.CharField(_("effective from period"), max_length=7, blank=True)
    created_version = models.OneToOneField(
        MetricVersion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposal",
        verbose_name=_("created version"),
    )

    class Meta:
        ordering = ["-proposed_at", "-id"]
        indexes = [models.Index(fields=["status", "metric"])]
        verbose_name = _("change proposal")
        verbose_name_plural = _("change proposals")

    def __str__(self) -> str:
        return f"{self.metric.code} proposal {self.pk} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.PROPOSED


class Overview(models.Model):
    """The analyst's commentary on one quarter's metrics of a service, or of the whole
    department when `service` is empty. The numbers and charts of the overview are computed
    from `MetricValue` each time it is shown (`seire.metrics.scorecard`); only the words are
    stored here, and every save is audited."""

    service = models.ForeignKey(
        Service,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="overviews",
        verbose_name=_("service"),
        help_text=_("Empty for the overview of the whole department."),
    )
    quarter = models.CharField(_("quarter"), max_length=6)  # "2026Q1"
    commentary = models.TextField(_("commentary"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-quarter", "service__code"]
        constraints = [
            # Two partial constraints: a plain unique (service, quarter) lets the NULL
            # service (the whole department) repeat on SQLite and PostgreSQL alike.
            models.UniqueConstraint(
                fields=["service", "quarter"],
                condition=models.Q(service__isnull=False),
                name="overview_unique_service_quarter",
            ),
            models.UniqueConstraint(
                fields=["quarter"],
                condition=models.Q(service__isnull=True),
                name="overview_unique_department_quarter",
            ),
        ]
        verbose_name = _("metrics overview")
        verbose_name_plural = _("metrics overviews")

    def __str__(self) -> str:
        return f"{self.service.code if self.service_id else 'ALL'} {self.quarter}"
