"""The feedback inbox: items to act on, who they are routed to, and what was done.

A `FeedbackItem` is made from a response that has free text or a low rating (see
`seire.feedback.loop`). It carries only the redacted text; the original stays encrypted on
the `Answer`. A `RoutingRule` sends items to an owner; without a matching rule the owner of
the service (organisation `Responsibility`) gets them. Owners record an `Action` or a
reasoned "no action", may forward an item to a partner, and close it. `ThemeCorrection`
keeps the analyst's corrections of the coder's themes (for its precision and recall);
`YouSaidWeDid` is the public summary the analyst writes from closed items.
"""

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from seire.organisation.models import OrgUnit, Partner, Service


class Severity(models.TextChoices):
    LOW = "low", _("low")
    MEDIUM = "medium", _("medium")
    HIGH = "high", _("high")
    CRITICAL = "critical", _("critical")


# Days from receipt to the due date, per severity (calendar days).
SLA_DAYS = {Severity.CRITICAL: 1, Severity.HIGH: 5, Severity.MEDIUM: 14, Severity.LOW: 30}
SEVERITY_RANK = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 2, Severity.CRITICAL: 3}


class Sentiment(models.TextChoices):
    POSITIVE = "positive", _("positive")
    NEUTRAL = "neutral", _("neutral")
    MIXED = "mixed", _("mixed")
    NEGATIVE = "negative", _("negative")


class RoutingRule(models.Model):
    """Send matching items to `owner`. Empty conditions match anything; among the rules that
    match, the lowest `priority` wins, then the most specific (most conditions set)."""

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("service")
    )
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("unit")
    )
    theme = models.SlugField(_("theme"), max_length=40, blank=True)
    min_severity = models.CharField(
        _("lowest severity"), max_length=10, choices=Severity.choices, blank=True
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("owner"),
    )
    priority = models.PositiveSmallIntegerField(_("priority"), default=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["priority", "pk"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        parts = [self.service_id and f"service {self.service_id}", self.unit_id and "unit",
                 self.theme, self.min_severity]  # fmt: skip
        return " · ".join(str(p) for p in parts if p) + f" → {self.owner_id}"

    @property
    def specificity(self) -> int:
        return sum(bool(x) for x in (self.service_id, self.unit_id, self.theme, self.min_severity))

    def matches(self, service_id, unit_path: str | None, themes, severity: str) -> bool:
        if self.service_id and self.service_id != service_id:
            return False
        if self.unit_id and not (unit_path and unit_path.startswith(self.unit.path)):
            return False
        if self.theme and self.theme not in themes:
            return False
        return not self.min_severity or SEVERITY_RANK[severity] >= SEVERITY_RANK[self.min_severity]


class FeedbackItem(models.Model):
    """One piece of feedback to act on: redacted text, themes, sentiment and its workflow."""

    class Status(models.TextChoices):
        NEW = "new", _("new")
        TRIAGED = "triaged", _("triaged")
        FORWARDED = "forwarded", _("forwarded")
        IN_PROGRESS = "in_progress", _("in progress")
        CLOSED = "closed", _("closed")

    response = models.OneToOneField(
        "feedback.Response", on_delete=models.CASCADE, related_name="item"
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    period = models.CharField(_("period"), max_length=7)
    received_on = models.DateField(_("received on"), db_index=True)
    language = models.CharField(_("language"), max_length=2, blank=True)
    text = models.TextField(_("text (redacted)"), blank=True)
    needs_review = models.BooleanField(_("redaction failed"), default=False)
    low_rating = models.BooleanField(_("low rating"), default=False)
    coded_themes = models.JSONField(_("themes from the coder"), default=list, blank=True)
    themes = models.JSONField(_("themes"), default=list, blank=True)
    themes_checked = models.BooleanField(_("themes checked"), default=False)
    quoted = models.BooleanField(
        _("quote in reports"),
        default=False,
        help_text=_("The analyst chose the redacted text as a verbatim of the UX report."),
    )
    sentiment = models.CharField(_("sentiment"), max_length=10, choices=Sentiment.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    urgent = models.BooleanField(_("urgent"), default=False)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NEW, db_index=True
    )
    routed_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("routed to"),
    )
    rule = models.ForeignKey(RoutingRule, on_delete=models.SET_NULL, null=True, blank=True)
    due_on = models.DateField(_("due"))
    forwarded_to = models.ForeignKey(
        Partner, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("forwarded to")
    )
    forward_note = models.TextField(_("note to the partner"), blank=True)
    no_action_reason = models.TextField(_("reason for no action"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    notified = models.BooleanField(default=False)
    reminded_for = models.DateField(null=True, blank=True)  # the due date last reminded of

    class Meta:
        ordering = ["-urgent", "due_on", "pk"]
        indexes = [models.Index(fields=["service", "status"])]
        verbose_name = _("feedback item")
        verbose_name_plural = _("feedback items")

    def __str__(self) -> str:
        return f"#{self.pk} {self.service_id} {self.status}"

    @staticmethod
    def due_for(received: date, severity: str) -> date:
        return received + timedelta(days=SLA_DAYS[severity])

    def is_overdue(self, today: date) -> bool:
        """Open past its due date (a closed item is never overdue)."""
        return self.status != self.Status.CLOSED and self.due_on < today

    def first_action_day(self) -> date | None:
        days = [a.done_on for a in self.actions.all() if a.done_on]
        return min(days) if days else None


class Action(models.Model):
    """What the owner did (or plans to do) about an item."""

    item = models.ForeignKey(FeedbackItem, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField(_("what was done"))
    planned_on = models.DateField(_("planned date"), null=True, blank=True)
    done_on = models.DateField(_("done date"), null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["item", "pk"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")

    def __str__(self) -> str:
        return f"{self.item_id}: {self.description[:40]}"


class ThemeCorrection(models.Model):
    """The analyst's check of an item's themes: what the coder said and what is right."""

    item = models.ForeignKey(FeedbackItem, on_delete=models.CASCADE, related_name="corrections")
    coded = models.JSONField(default=list)
    corrected = models.JSONField(default=list)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    on = models.DateField()

    class Meta:
        ordering = ["item", "pk"]
        verbose_name = _("theme correction")
        verbose_name_plural = _("theme corrections")

    def __str__(self) -> str:
        return f"{self.item_id}: {self.coded} → {self.corrected}"


class YouSaidWeDid(models.Model):
    """A public "you said, we did" entry of a service, written by the analyst from closed
    items. Only these texts are public; the items behind it never are."""

    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    items = models.ManyToManyField(FeedbackItem, blank=True, related_name="+")
    you_said_et = models.TextField(_("you said (Estonian)"))
    you_said_en = models.TextField(_("you said (English)"), blank=True)
    you_said_ru = models.TextField(_("you said (Russian)"), blank=True)
    we_did_et = models.TextField(_("we did (Estonian)"))
    we_did_en = models.TextField(_("we did (English)"), blank=True)
    we_did_ru = models.TextField(_("we did (Russian)"), blank=True)
    published_on = models.DateField(_("published on"))
    published = models.BooleanField(_("published"), default=True)

    class Meta:
        ordering = ["-published_on", "-pk"]
        verbose_name = _("you said, we did")
        verbose_name_plural = _("you said, we did")

    def __str__(self) -> str:
        return f"{self.service_id} {self.published_on}"
