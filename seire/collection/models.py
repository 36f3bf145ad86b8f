"""Statistics tables as definitions, the values providers enter, submissions, episodes.

A `Dataset` is a statistics table a provider fills per period; its `DataElement`s are the
things counted, each broken down by one `Disaggregation` (a versioned set of `OptionCombo`s
such as female × 18–25). A `DataValue` is one cell: element × combo × unit × period. A zero
is a value, a blank is no row, and "not applicable" is explicit.
"""

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from seire import periods
from seire.organisation.models import Named, OrgUnit, Service


class Category(Named):
    """A dimension of breakdowns: gender, age group, crime type, counselling type…"""

    class Meta(Named.Meta):
        verbose_name = _("category")
        verbose_name_plural = _("categories")


class CategoryOption(models.Model):
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="options")
    code = models.SlugField(_("code"), max_length=40)
    name_et = models.CharField(_("name (Estonian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["category", "sort", "code"]
        constraints = [models.UniqueConstraint(fields=["category", "code"], name="option_unique")]
        verbose_name = _("category option")
        verbose_name_plural = _("category options")

    def __str__(self) -> str:
        return f"{self.category.code}:{self.code}"


class Disaggregation(models.Model):
    """A versioned breakdown (the categories crossed). Changing one makes a new version;
    values keep the combos of the version they were entered with."""

    code = models.SlugField(_("code"), max_length=40)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    name_et = models.CharField(_("name (Estonian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    categories = models.ManyToManyField(Category, blank=True, verbose_name=_("categories"))

    class Meta:
        ordering = ["code", "version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="disaggregation_unique")
        ]
        verbose_name = _("disaggregation")
        verbose_name_plural = _("disaggregations")

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"


class OptionCombo(models.Model):
    """One column of a disaggregation: one option of each category ("total" when none)."""

    disaggregation = models.ForeignKey(
        Disaggregation, on_delete=models.CASCADE, related_name="combos"
    )
    code = models.CharField(_("code"), max_length=120)  # "female.18-25" or "total"
    name_et = models.CharField(_("name (Estonian)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300)
    options = models.ManyToManyField(CategoryOption, blank=True)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["disaggregation", "sort"]
        constraints = [
            models.UniqueConstraint(fields=["disaggregation", "code"], name="combo_unique")
        ]

    def __str__(self) -> str:
        return self.code


class Dataset(Named):
    """A statistics table: which service, how often, when it is due, when it locks."""

    class PeriodType(models.TextChoices):
        MONTHLY = "M", _("monthly")
        QUARTERLY = "Q", _("quarterly")
        YEARLY = "Y", _("yearly")

    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="datasets")
    period_type = models.CharField(_("period type"), max_length=1, choices=PeriodType.choices)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    deadline_days = models.PositiveSmallIntegerField(
        _("due on day"),
        default=10,
        help_text=_("The report is due on this day after the period ends (10 = the 10th)."),
    )
    lock_days = models.PositiveSmallIntegerField(
        _("locks after days"),
        default=60,
        help_text=_("Days after the deadline after which only the analyst can change values."),
    )
    description_et = models.TextField(_("description (Estonian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)

    class Meta(Named.Meta):
        verbose_name = _("statistics table")
        verbose_name_plural = _("statistics tables")

    def deadline(self, period: str | periods.Period) -> date:
        """The due date: `deadline_days` days after the last day of the period."""
        return periods.parse(str(period)).end + timedelta(days=self.deadline_days)

    def locks_on(self, period: str | periods.Period) -> date:
        return self.deadline(period) + timedelta(days=self.lock_days)


class DataElement(models.Model):
    class ValueType(models.TextChoices):
        COUNT = "count", _("non-negative whole number")
        DECIMAL = "decimal", _("non-negative decimal")
        PERCENT = "percent", _("percent 0–100")

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="elements")
    code = models.SlugField(_("code"), max_length=60)
    name_et = models.CharField(_("name (Estonian)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300)
    counting_rule_et = models.TextField(_("counting rule (Estonian)"), blank=True)
    counting_rule_en = models.TextField(_("counting rule (English)"), blank=True)
    value_type = models.CharField(
        _("value type"), max_length=10, choices=ValueType.choices, default=ValueType.COUNT
    )
    disaggregation = models.ForeignKey(Disaggregation, on_delete=models.PROTECT)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["dataset", "sort", "code"]
        constraints = [models.UniqueConstraint(fields=["dataset", "code"], name="element_unique")]
        verbose_name = _("data element")
        verbose_name_plural = _("data elements")

    def __str__(self) -> str:
        return self.code


class DataValue(models.Model):
    """One cell. `version` grows on every change: a save naming an older version is a
    concurrent edit and is refused (see collection.services.save_values)."""

    class Status(models.TextChoices):
        VALUE = "value", _("value")
        NOT_APPLICABLE = "na", _("not applicable")

    # One index: the unique cell (unit, period, element, combo). Every query names a unit
    # or scans a dataset's values whole, and each further index on this, the largest table,
    # slowed an import of a national year by a fifth or more. (Deleting a data element, an
    # option combo or a user — rare catalogue or admin work — scans the table instead.)
    element = models.ForeignKey(
        DataElement, on_delete=models.PROTECT, related_name="values", db_index=False
    )
    combo = models.ForeignKey(OptionCombo, on_delete=models.PROTECT, db_index=False)
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="data_values", db_index=False
    )
    period = models.CharField(_("period"), max_length=7)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4, null=True, blank=True)
    status = models.CharField(max_length=5, choices=Status.choices, default=Status.VALUE)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    channel = models.CharField(max_length=10, blank=True)  # web, excel, csv, api, seed

    class Meta:
        constraints = [
            # Unit and period first: a report's cells lie together, which is how they are
            # read (a grid, a workbook sheet) and written (an import appends whole reports).
            models.UniqueConstraint(
                fields=["unit", "period", "element", "combo"], name="datavalue_unique_cell"
            ),
            models.CheckConstraint(
                condition=Q(status="na", value__isnull=True)
                | Q(status="value", value__isnull=False, value__gte=0),
                name="datavalue_value_or_na",
            ),
        ]
        verbose_name = _("data value")
        verbose_name_plural = _("data values")

    def __str__(self) -> str:
        return f"{self.element_id}/{self.combo_id} {self.unit_id} {self.period}"


class ValueComment(models.Model):
    element = models.ForeignKey(DataElement, on_delete=models.CASCADE)
    combo = models.ForeignKey(OptionCombo, on_delete=models.CASCADE)
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE)
    period = models.CharField(max_length=7)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    text = models.TextField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at"]

    def __str__(self) -> str:
        return f"{self.author}: {self.text[:40]}"


class Submission(models.Model):
    """A unit's report for one dataset and period: draft → submitted → approved, or
    returned with a comment → resubmitted. Approved periods are locked until reopened."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        RETURNED = "returned", _("returned")
        APPROVED = "approved", _("approved")

    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="submissions")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="submissions")
    period = models.CharField(_("period"), max_length=7)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    first_submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    comment = models.TextField(_("comment"), blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dataset", "unit", "period"], name="submission_unique")
        ]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")

    def __str__(self) -> str:
        return f"{self.dataset.code} {self.unit.code} {self.period}"

    @property
    def on_time(self) -> bool | None:
        """True/False once first submitted; None while nothing has been submitted."""
        if self.first_submitted_at is None:
            return None
        local = timezone.localtime(self.first_submitted_at).date()
        return local <= self.dataset.deadline(self.period)


class ValidationRule(models.Model):
    class Operator(models.TextChoices):
        EQ = "==", "="
        LE = "<=", "≤"
        LT = "<", "<"
        GE = ">=", "≥"
        GT = ">", ">"
        NE = "!=", "≠"

    class Importance(models.TextChoices):
        HARD = "hard", _("hard: blocks submission")
        SOFT = "soft", _("soft: a warning to explain")

    class Kind(models.TextChoices):
        EXPRESSION = "expression", _("left operator right")
        OUTLIER = "outlier", _("outlier against the unit's history")

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="rules")
    code = models.SlugField(max_length=60)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.EXPRESSION)
    left = models.CharField(_("left side"), max_length=500)
    operator = models.CharField(max_length=2, choices=Operator.choices, default=Operator.EQ)
    right = models.CharField(_("right side"), max_length=500, blank=True)
    importance = models.CharField(max_length=4, choices=Importance.choices, default=Importance.HARD)
    message_et = models.CharField(_("message (Estonian)"), max_length=300)
    message_en = models.CharField(_("message (English)"), max_length=300)

    class Meta:
        ordering = ["dataset", "code"]
        constraints = [models.UniqueConstraint(fields=["dataset", "code"], name="rule_unique")]

    def __str__(self) -> str:
        return f"{self.dataset_id}:{self.code}"

    @property
    def message(self) -> str:
        """The message in the active language (Estonian, else English)."""
        return self.message_et if (get_language() or "et").startswith("et") else self.message_en


class Violation(models.Model):
    """A broken rule for a unit and period: a work item (open → explained / fixed)."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        EXPLAINED = "explained", _("explained")
        FIXED = "fixed", _("fixed")

    rule = models.ForeignKey(ValidationRule, on_delete=models.CASCADE, related_name="violations")
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE)
    period = models.CharField(max_length=7)
    left_value = models.DecimalField(max_digits=16, decimal_places=4, null=True)
    right_value = models.DecimalField(max_digits=16, decimal_places=4, null=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    comment = models.TextField(blank=True)
    found_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rule", "unit", "period"], name="violation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.unit_id} {self.period}"


class Episode(models.Model):
    """One pseudonymised case of one client in one service (columns of DOMAIN.md)."""

    source_id = models.CharField(max_length=64, unique=True)
    client_key = models.CharField(max_length=68, db_index=True)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="episodes")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="episodes")
    county = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    opened = models.DateField(db_index=True)
    closed = models.DateField(null=True, blank=True, db_index=True)
    first_contact = models.DateField(null=True, blank=True)
    referral_source = models.CharField(max_length=30, blank=True)
    crime_type = models.CharField(max_length=30, blank=True)
    gender = models.CharField(max_length=20, blank=True)
    age_group = models.CharField(max_length=10, blank=True)
    services_given = models.JSONField(default=list, blank=True)
    proactive_contact = models.BooleanField(null=True)
    needs_assessed = models.BooleanField(null=True)
    safety_plan = models.BooleanField(null=True)
    comparison_group = models.BooleanField(null=True)
    closure_reason = models.CharField(max_length=40, blank=True)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(closed__isnull=True) | Q(closed__gte=models.F("opened")),
                name="episode_closed_after_opened",
            ),
        ]

    def __str__(self) -> str:
        return self.source_id


class Assessment(models.Model):
    class Timepoint(models.TextChoices):
        INTAKE = "intake", _("intake")
        EXIT = "exit", _("exit")
        FOLLOWUP = "followup", _("follow-up")

    source_id = models.CharField(max_length=64, unique=True)
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="assessments")
    instrument = models.CharField(max_length=30)
    timepoint = models.CharField(max_length=10, choices=Timepoint.choices)
    assessed_on = models.DateField()
    items = models.JSONField(default=list)  # item scores in order, null for a missing item

    def __str__(self) -> str:
        return f"{self.instrument} {self.timepoint} {self.episode_id}"


class Reminder(models.Model):
    """A reminder e-mail sent about one report, remembered so that it is sent only once
    (see collection.reminders): `due_soon` before the deadline, `overdue` after it."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("due soon")
        OVERDUE = "overdue", _("overdue")

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="reminders")
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(_("period"), max_length=7)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    recipients = models.TextField(blank=True)  # the addresses written to, one a line
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "unit", "period", "kind"], name="reminder_once_per_report"
            )
        ]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")

    def __str__(self) -> str:
        return f"{self.kind} {self.dataset_id} {self.unit_id} {self.period}"
