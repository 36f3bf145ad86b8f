"""Outcome instruments as evaluation definitions, and analysis plans stored before analysis.

An `Instrument` is synced from `catalogue/instruments.yaml` (see `seire.evaluation.catalogue`):
how an assessment's items become a score, the cut-offs that give a score meaning, and the
reliability and reference SD that the reliable-change criterion needs, each with its source.

An `AnalysisPlan` says what an impact evaluation will look at — population (service, the
periods in which episodes opened), instrument and timepoints, the primary outcome, the
subgroups and the minimum n below which a subgroup is not shown — and is locked before its
report is run, so the report can state what was planned and when it was fixed.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from seire import periods
from seire.organisation.models import Service


def _lang() -> str:
    return "et" if (get_language() or "et").startswith("et") else "en"


class Instrument(models.Model):
    """An outcome instrument of assessments (code as in `Assessment.instrument`)."""

    class Kind(models.TextChoices):
        SCORE = "score", _("score")
        CHECKLIST = "checklist", _("checklist")

    code = models.CharField(_("code"), max_length=30, unique=True)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    name_et = models.CharField(_("name (Estonian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True)
    timepoints = models.JSONField(_("timepoints"), default=list)
    # scoring of a score instrument: every item present, sum × multiplier
    item_count = models.PositiveSmallIntegerField(_("number of items"), default=1)
    item_minimum = models.IntegerField(null=True, blank=True)
    item_maximum = models.IntegerField(null=True, blank=True)
    multiplier = models.FloatField(default=1)
    higher_is_better = models.BooleanField(default=True)
    scoring = models.TextField(_("scoring"), blank=True)
    # [{"code": "poor", "at_or_below": 50, "name_et": …, "name_en": …}]
    cutoffs = models.JSONField(_("cut-offs"), default=list, blank=True)
    cutoff_reference = models.TextField(blank=True)
    reliability = models.FloatField(_("reliability"), null=True, blank=True)
    reliability_reference = models.TextField(blank=True)
    reference_sd = models.FloatField(_("reference SD"), null=True, blank=True)
    sd_reference = models.TextField(blank=True)
    # checklist: the code list of its items (outcome areas) and of its answers
    items_from = models.CharField(max_length=40, blank=True)
    answers_from = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")

    def __str__(self) -> str:
        return self.code

    @property
    def name(self) -> str:
        return self.name_et if _lang() == "et" else self.name_en

    @property
    def scored(self) -> bool:
        return self.kind == self.Kind.SCORE

    @property
    def score_range(self) -> tuple[float, float] | None:
        if not self.scored or self.item_minimum is None or self.item_maximum is None:
            return None
        return (
            self.item_minimum * self.item_count * self.multiplier,
            self.item_maximum * self.item_count * self.multiplier,
        )

    def score(self, items) -> float | None:
        """The score of one assessment's items; None when an item is missing or out of range
        (a partly filled form is not scored, never guessed)."""
        if not self.scored or not isinstance(items, list) or len(items) != self.item_count:
            return None
        total = 0.0
        for item in items:
            if isinstance(item, bool) or not isinstance(item, int | float):
                return None
            if not self.item_minimum <= item <= self.item_maximum:
                return None
            total += item
        return total * self.multiplier


class AnalysisPlan(models.Model):
    """What one impact evaluation looks at, fixed (locked) before its report is run."""

    class Timepoints(models.TextChoices):
        EXIT = "intake-exit", _("intake → exit")
        FOLLOWUP = "intake-followup", _("intake → follow-up")

    class Primary(models.TextChoices):
        MEAN_CHANGE = "mean_change", _("mean change")
        RELIABLE_IMPROVEMENT = "reliable_improvement", _("share reliably improved")
        CUTOFF_CROSSING = "cutoff_crossing", _("share crossing the cut-off")

    SUBGROUPS = (
        ("gender", _("gender")),
        ("age_group", _("age group")),
        ("crime_type", _("crime type")),
        ("service", _("service")),
    )

    title = models.CharField(_("title"), max_length=200)
    service = models.ForeignKey(
        Service,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="analysis_plans",
        verbose_name=_("service"),
        help_text=_("Empty: episodes of every service."),
    )
    first_period = models.CharField(
        _("first period"), max_length=7, help_text=_("Episodes opened from (2025M01, 2025Q1).")
    )
    last_period = models.CharField(
        _("last period"), max_length=7, help_text=_("Episodes opened until (2025M12, 2025).")
    )
    instrument = models.ForeignKey(
        Instrument, on_delete=models.PROTECT, related_name="plans", verbose_name=_("instrument")
    )
    instrument_version = models.PositiveSmallIntegerField(default=1)
    timepoints = models.CharField(
        _("timepoints"), max_length=20, choices=Timepoints.choices, default=Timepoints.EXIT
    )
    primary_outcome = models.CharField(
        _("primary outcome"), max_length=30, choices=Primary.choices, default=Primary.MEAN_CHANGE
    )
    subgroups = models.JSONField(_("subgroups"), default=list, blank=True)
    minimum_n = models.PositiveSmallIntegerField(
        _("minimum n"),
        default=10,
        help_text=_("A subgroup with fewer clients is not shown (only as “fewer than n”)."),
    )
    rationale = models.TextField(_("rationale"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("analysis plan")
        verbose_name_plural = _("analysis plans")

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if self.pk is not None and self.locked:
            stored = AnalysisPlan.objects.filter(pk=self.pk).values().first()
            if stored and stored["locked_at"] is not None:
                changed = [
                    f.attname
                    for f in self._meta.concrete_fields
                    if stored.get(f.attname) != getattr(self, f.attname)
                ]
                if changed:
                    raise LockedPlanError(f"plan {self.pk} is locked: {', '.join(changed)}")
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors = {}
        for name in ("first_period", "last_period"):
            try:
                setattr(self, name, str(periods.parse(getattr(self, name))))
            except (periods.PeriodError, TypeError) as exc:
                errors[name] = str(exc)
        if (
            not errors
            and periods.parse(self.first_period).start > periods.parse(self.last_period).end
        ):
            errors["last_period"] = _("The last period must not come before the first.")
        allowed = {code for code, _label in self.SUBGROUPS}
        if not isinstance(self.subgroups, list) or not set(self.subgroups) <= allowed:
            errors["subgroups"] = _("Choose subgroups among: %(codes)s.") % {
                "codes": ", ".join(sorted(allowed))
            }
        if self.minimum_n is not None and self.minimum_n < 5:
            errors["minimum_n"] = _("The minimum n must be at least 5.")
        if self.instrument_id and not self.instrument.scored:
            errors["instrument"] = _("An impact plan needs a scored instrument (intake vs exit).")
        if (
            self.instrument_id
            and self.primary_outcome == self.Primary.CUTOFF_CROSSING
            and not self.instrument.cutoffs
        ):
            errors["primary_outcome"] = _("This instrument has no cut-off.")
        if errors:
            raise ValidationError(errors)

    @property
    def locked(self) -> bool:
        return self.locked_at is not None

    @property
    def subgroup_labels(self) -> list[str]:
        """The names of the plan's subgroups, in the order of SUBGROUPS."""
        return [str(label) for code, label in self.SUBGROUPS if code in self.subgroups]

    @property
    def second_timepoint(self) -> str:
        """ "exit" or "followup": the timepoint compared with intake."""
        return self.timepoints.split("-", 1)[1]

    def period_bounds(self):
        """(first day, last day) of the periods in which the population's episodes opened."""
        return periods.parse(self.first_period).start, periods.parse(self.last_period).end

    def lock(self, user) -> None:
        """Fix the plan (with the instrument's current version); a locked plan never changes."""
        if self.locked:
            return
        self.instrument_version = self.instrument.version
        self.locked_at = timezone.now()
        self.locked_by = user if getattr(user, "is_authenticated", False) else None
        super().save(update_fields=["instrument_version", "locked_at", "locked_by"])


class LockedPlanError(Exception):
    """A locked analysis plan cannot be changed: make a new plan."""
