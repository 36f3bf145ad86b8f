"""The register of statistics requests (inquiries) and what was sent in answer.

An `Inquiry` keeps who asked (a name, an organisation, one optional contact — personal data
kept to what the answer needs), what, when and under which legal basis, the due date that
basis implies (editable), who answers, its status and the answer: text, files and the query
spec the answer tables were built from (so they can be rerun on newer data). `version`
goes up with every save: an edit made from an older version is refused, not merged.
"""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from seire.inquiries import deadlines


class RequesterType(models.TextChoices):
    MINISTRY = "ministry", _("ministry")
    PARTNER = "partner", _("partner (police, prosecutor, local government)")
    MEDIA = "media", _("media")
    RESEARCH = "research", _("research")
    PUBLIC = "public", _("member of the public")
    INTERNAL = "internal", _("internal")


EXTERNAL_TYPES = frozenset(RequesterType.values) - {RequesterType.INTERNAL}


class Channel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    LETTER = "letter", _("letter")
    PHONE = "phone", _("phone")
    WEB = "web", _("web form")
    IN_PERSON = "in_person", _("in person")


class LegalBasis(models.TextChoices):
    INFORMATION_REQUEST = "information_request", _("request for information (5 working days)")
    EXPLANATION_REQUEST = "explanation_request", _("request for explanation (30 days)")
    OTHER = "other", _("other request (30 days)")


class Status(models.TextChoices):
    RECEIVED = "received", _("received")
    IN_PROGRESS = "in_progress", _("in progress")
    ANSWERED = "answered", _("answered")
    REFUSED = "refused", _("refused")
    EXTENDED = "extended", _("extended")


CLOSED = frozenset({Status.ANSWERED, Status.REFUSED})


class InquiryQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status__in=CLOSED)

    def overdue(self, today: date):
        return self.open().filter(due_date__lt=today)


class Inquiry(models.Model):
    """One request for statistics, from receipt to answer."""

    requester_name = models.CharField(_("requester"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    contact = models.CharField(
        _("contact (e-mail or phone)"),
        max_length=200,
        blank=True,
        help_text=_("Only what the answer needs: an address or a number to reply to."),
    )
    requester_type = models.CharField(
        _("requester type"), max_length=10, choices=RequesterType.choices
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    received_on = models.DateField(_("received"))
    legal_basis = models.CharField(
        _("legal basis"),
        max_length=20,
        choices=LegalBasis.choices,
        default=LegalBasis.INFORMATION_REQUEST,
    )
    first_due = models.DateField(_("due date first set"))
    due_date = models.DateField(_("due date"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inquiries",
        verbose_name=_("assignee"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED
    )
    status_reason = models.TextField(_("reason"), blank=True)
    question = models.TextField(_("question"))
    answer = models.TextField(_("answer"), blank=True)
    closed_on = models.DateField(_("answered or refused on"), null=True, blank=True)
    query_spec = models.JSONField(_("query"), null=True, blank=True)
    related = models.ManyToManyField("self", blank=True, verbose_name=_("related inquiries"))
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InquiryQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-pk"]
        indexes = [models.Index(fields=["status", "due_date"])]
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")

    def __str__(self) -> str:
        return f"{self.reference} {self.get_requester_type_display()}"

    @property
    def reference(self) -> str:
        return f"P-{self.received_on.year}-{self.pk or 0:04d}"

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED

    @property
    def is_external(self) -> bool:
        return self.requester_type in EXTERNAL_TYPES

    def is_overdue(self, today: date) -> bool:
        """Open and past its due date on `today`."""
        return not self.is_closed and self.due_date < today

    def on_time(self) -> bool | None:
        """Answered or refused by the due date (an extension's date counts); None while open."""
        if not self.is_closed or self.closed_on is None:
            return None
        return self.closed_on <= self.due_date

    def days_to_answer(self) -> int | None:
        """Calendar days from receipt to answer; None while open."""
        if not self.is_closed or self.closed_on is None:
            return None
        return (self.closed_on - self.received_on).days

    def implied_due(self) -> date:
        return deadlines.due_date(self.legal_basis, self.received_on)

    def clean(self):
        errors = {}
        if self.status in (Status.REFUSED, Status.EXTENDED) and not self.status_reason.strip():
            errors["status_reason"] = _("Give the reason for a refusal or an extension.")
        if self.is_closed and self.closed_on is None:
            errors["closed_on"] = _("Give the day the answer or refusal was sent.")
        if self.closed_on and self.received_on and self.closed_on < self.received_on:
            errors["closed_on"] = _("The answer cannot be sent before the request came in.")
        if self.due_date and self.received_on and self.due_date < self.received_on:
            errors["due_date"] = _("The due date cannot be before the request came in.")
        if errors:
            raise ValidationError(errors)


class AnswerFile(models.Model):
    """A file sent with the answer: an exported table (with the query it came from) or an
    upload. Stored in the database: answers are few and small."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    content = models.BinaryField()
    query_spec = models.JSONField(null=True, blank=True)
    protected = models.BooleanField(_("disclosure control applied"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("answer file")
        verbose_name_plural = _("answer files")

    def __str__(self) -> str:
        return self.name


class InquiryReminder(models.Model):
    """A reminder sent about one inquiry and due date, remembered so it goes out once."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("due soon")
        OVERDUE = "overdue", _("overdue")

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    due_date = models.DateField()
    recipients = models.TextField(blank=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["inquiry", "kind", "due_date"], name="inquiry_reminder_once"
            )
        ]
        verbose_name = _("inquiry reminder")
        verbose_name_plural = _("inquiry reminders")

    def __str__(self) -> str:
        return f"{self.kind} {self.inquiry_id} {self.due_date}"
