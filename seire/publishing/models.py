"""Releases of official-style statistics: the calendar, the tables, versions and cells.

A `Release` is an entry of the release calendar (planned date and time, content, status
planned → prepared → published). Its `ReleaseTable`s are definitions — a cube spec with
labels, footnotes and disclosure settings. Preparing a release computes every table, protects
it and stores the result as a `ReleaseVersion` with one `PublishedCell` per cell; publishing
makes that version public at the release's time. A correction is a new version with a note;
the version it replaces stays readable, marked superseded.

**Embargo**: nothing of a release — page, file or API — is reachable before its planned
time and its version's publication (`Release.objects.public(now)` and `public_version`).

The stored cells are the memory of everything published: a suppressed cell is stored
without its value, so the database never holds more than the public has been shown plus the
definitions to recompute it.
"""

from datetime import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from seire.publishing.cubes import CubeSpec


def _lang() -> str:
    return "et" if (get_language() or "et").startswith("et") else "en"


class ReleaseQuerySet(models.QuerySet):
    def public(self, now: datetime | None = None) -> "ReleaseQuerySet":
        """Releases the public may read at `now`: published and past their planned time."""
        now = now or timezone.now()
        return self.filter(
            status=Release.Status.PUBLISHED,
            planned_at__lte=now,
            versions__published_at__lte=now,
        ).distinct()

    def upcoming(self, now: datetime | None = None) -> "ReleaseQuerySet":
        """The calendar ahead: releases not yet public (their content is not shown)."""
        now = now or timezone.now()
        return self.exclude(status=Release.Status.CANCELLED).filter(
            Q(planned_at__gt=now) | ~Q(status=Release.Status.PUBLISHED)
        )


class Release(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        PREPARED = "prepared", _("prepared")
        PUBLISHED = "published", _("published")
        CANCELLED = "cancelled", _("cancelled")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    title_et = models.CharField(_("title (Estonian)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    summary_et = models.TextField(_("content (Estonian)"), blank=True)
    summary_en = models.TextField(_("content (English)"), blank=True)
    planned_at = models.DateTimeField(
        _("publication time"),
        help_text=_("Nothing of the release is public before this time (embargo)."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    distribution = models.ManyToManyField(
        "organisation.Partner",
        blank=True,
        related_name="releases",
        verbose_name=_("distribution list"),
        help_text=_("Partner organisations whose contacts are e-mailed when it is published."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReleaseQuerySet.as_manager()

    class Meta:
        ordering = ["-planned_at", "code"]
        verbose_name = _("release")
        verbose_name_plural = _("releases")

    def __str__(self) -> str:
        return self.code

    @property
    def title(self) -> str:
        return self.title_et if _lang() == "et" else self.title_en

    @property
    def summary(self) -> str:
        return self.summary_et if _lang() == "et" else self.summary_en

    def is_public(self, now: datetime | None = None) -> bool:
        return self.public_version(now) is not None

    def public_version(self, now: datetime | None = None) -> "ReleaseVersion | None":
        """The newest version the public may read at `now`; None under embargo."""
        now = now or timezone.now()
        if self.status != self.Status.PUBLISHED or self.planned_at > now:
            return None
        return self.versions.filter(published_at__lte=now).order_by("-number").first()

    def public_versions(self, now: datetime | None = None):
        now = now or timezone.now()
        if self.public_version(now) is None:
            return self.versions.none()
        return self.versions.filter(published_at__lte=now).order_by("-number")


class ReleaseTable(models.Model):
    """One table of a release: a cube (measure × dimensions over a period range) with its
    labels, footnotes and disclosure settings."""

    class Method(models.TextChoices):
        SUPPRESS = "suppress", _("cell suppression")
        ROUND3 = "round3", _("rounding to base 3")
        ROUND5 = "round5", _("rounding to base 5")
        CELL_KEY = "cell_key", _("cell-key perturbation")

    class Granularity(models.TextChoices):
        MONTH = "month", _("month")
        QUARTER = "quarter", _("quarter")
        YEAR = "year", _("year")

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="tables")
    code = models.SlugField(_("code"), max_length=60)
    sort = models.PositiveSmallIntegerField(default=0)
    title_et = models.CharField(_("title (Estonian)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300)
    measure = models.CharField(_("measure"), max_length=120)
    dims = models.JSONField(_("dimensions"), default=list)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    period_from = models.CharField(_("first period"), max_length=7)
    period_to = models.CharField(_("last period"), max_length=7)
    granularity = models.CharField(
        _("granularity"), max_length=8, choices=Granularity.choices, default=Granularity.MONTH
    )
    footnotes_et = models.TextField(_("footnotes (Estonian)"), blank=True)
    footnotes_en = models.TextField(_("footnotes (English)"), blank=True)
    method = models.CharField(
        _("disclosure method"), max_length=10, choices=Method.choices, default=Method.SUPPRESS
    )
    threshold = models.PositiveSmallIntegerField(_("threshold"), default=5)
    protection = models.PositiveSmallIntegerField(
        _("protection interval"), null=True, blank=True, help_text=_("Blank: the threshold.")
    )
    chart = models.BooleanField(_("show a chart"), default=True)
    metrics = models.ManyToManyField(
        "metrics.Metric", blank=True, related_name="release_tables", verbose_name=_("metrics")
    )

    class Meta:
        ordering = ["release", "sort", "code"]
        constraints = [
            models.UniqueConstraint(fields=["release", "code"], name="release_table_unique")
        ]
        verbose_name = _("release table")
        verbose_name_plural = _("release tables")

    def __str__(self) -> str:
        return f"{self.release_id}:{self.code}"

    @property
    def title(self) -> str:
        return self.title_et if _lang() == "et" else self.title_en

    @property
    def footnotes(self) -> str:
        return self.footnotes_et if _lang() == "et" else self.footnotes_en

    def clean(self) -> None:
        """Refuse a definition whose cube cannot be built, naming the field at fault."""
        from django.core.exceptions import ValidationError

        from seire.publishing.cubes import CubeError

        try:
            measure = self.spec().check()
        except CubeError as exc:
            fields = {"measure", "dims", "filters", "period_from", "period_to", "granularity"}
            errors: dict[str, list[str]] = {}
            for problem in exc.problems:
                name = problem.split(":", 1)[0]
                errors.setdefault(name if name in fields else "measure", []).append(problem)
            raise ValidationError(errors) from None
        if not measure.whole:
            raise ValidationError({"measure": _("Only counts can be published.")})

    def spec(self) -> CubeSpec:
        """The cube of this table (raises `CubeError` for a broken definition)."""
        return CubeSpec(
            measure=self.measure,
            dims=tuple(self.dims or ()),
            filters=self.filters or {},
            period_from=self.period_from,
            period_to=self.period_to,
            granularity=self.granularity,
        )


class ReleaseVersion(models.Model):
    """What one preparation of a release computed. Number 1 is the release; later numbers are
    corrections, each with a note. `published_at` is set when it goes public;
    `superseded_at` when a correction replaces it."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    prepared_at = models.DateTimeField(_("prepared"))
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    superseded_at = models.DateTimeField(_("superseded"), null=True, blank=True)
    notified_at = models.DateTimeField(_("partners notified"), null=True, blank=True)
    note_et = models.TextField(_("correction note (Estonian)"), blank=True)
    note_en = models.TextField(_("correction note (English)"), blank=True)
    audit = models.JSONField(default=dict, blank=True)  # method, cells, suppressed, audit result

    class Meta:
        ordering = ["release", "number"]
        constraints = [
            models.UniqueConstraint(fields=["release", "number"], name="release_version_unique")
        ]
        verbose_name = _("release version")
        verbose_name_plural = _("release versions")

    def __str__(self) -> str:
        return f"{self.release_id} v{self.number}"

    @property
    def note(self) -> str:
        return self.note_et if _lang() == "et" else self.note_en

    def is_superseded(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.superseded_at is not None and self.superseded_at <= now


class PublishedCell(models.Model):
    """One cell of one table of one version, as published: its coordinates (`TOTAL` where
    summed), its value, or no value when it is suppressed."""

    class Status(models.TextChoices):
        PUBLISHED = "published", _("published")
        PRIMARY = "primary", _("suppressed (small count)")
        SECONDARY = "secondary", _("suppressed (protects another cell)")
        ROUNDED = "rounded", _("rounded")
        PERTURBED = "perturbed", _("perturbed (cell key)")

    version = models.ForeignKey(ReleaseVersion, on_delete=models.CASCADE, related_name="cells")
    table = models.ForeignKey(ReleaseTable, on_delete=models.CASCADE, related_name="cells")
    position = models.PositiveIntegerField()  # order in the table
    coordinates = models.JSONField()  # {dimension: category code or "TOTAL"}
    value = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices)

    class Meta:
        ordering = ["version", "table", "position"]
        indexes = [models.Index(fields=["version", "table", "position"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["primary", "secondary"], value__isnull=True)
                | Q(status__in=["published", "rounded", "perturbed"], value__isnull=False),
                name="published_cell_value_or_suppressed",
            )
        ]

    def __str__(self) -> str:
        return f"{self.version} {self.table.code} {self.coordinates}"

    @property
    def suppressed(self) -> bool:
        return self.value is None
