"""Surveys, invitations and the responses clients give, with nothing that identifies them.

A `Survey` belongs to a service; its questions live in numbered `SurveyVersion`s, and a
version that has been answered is frozen (a change of questions makes a new version, so every
stored answer keeps the wording it was given to). An `Invitation` is a one-time link sent
after an episode closed; only the SHA-256 hash of its token is stored. A `Response` keeps the
service, unit, period, channel and language, and the day it came in — never the time of day,
the address or the browser — and is not linked back to the invitation or the episode.
Free text is stored twice: encrypted as written (for the analyst only) and redacted in clear.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from seire.collection.models import Episode
from seire.organisation.models import OrgUnit, Service

LANGUAGES = ("et", "en", "ru")
MAX_TEXT = 2000  # characters of one free-text answer
YES_NO_NA = (("yes", _("Yes")), ("no", _("No")), ("na", _("Not applicable")))


def in_language(obj, field: str, language: str) -> str:
    """`<field>_<language>` of an object (or of a dict such as an option), falling back to
    English, then Estonian, when it is blank."""
    for code in (language, "en", "et"):
        key = f"{field}_{code}"
        value = obj.get(key, "") if isinstance(obj, dict) else getattr(obj, key, "")
        if code in LANGUAGES and value:
            return value
    return ""


class FrozenVersionError(Exception):
    """The survey version has been answered: its questions can no longer change."""


class Survey(models.Model):
    """A questionnaire of one service, for its clients or for partners."""

    class Kind(models.TextChoices):
        CLIENT = "client", _("client survey")
        PARTNER = "partner", _("partner survey")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="surveys", verbose_name=_("service")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CLIENT)
    name_et = models.CharField(_("name (Estonian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    intro_et = models.TextField(_("introduction (Estonian)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    intro_ru = models.TextField(_("introduction (Russian)"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return self.code

    def name_in(self, language: str) -> str:
        return in_language(self, "name", language)

    def intro_in(self, language: str) -> str:
        return in_language(self, "intro", language)

    def current_version(self) -> "SurveyVersion | None":
        """The newest published version (the one respondents get); None when there is none."""
        return self.versions.filter(published=True).order_by("-version").first()


class SurveyVersion(models.Model):
    """One numbered set of questions of a survey; frozen once a response refers to it."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    published = models.BooleanField(_("published"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["survey", "version"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "version"], name="survey_version_unique")
        ]
        verbose_name = _("survey version")
        verbose_name_plural = _("survey versions")

    def __str__(self) -> str:
        return f"{self.survey_id} v{self.version}"

    @property
    def is_answered(self) -> bool:
        return self.pk is not None and self.responses.exists()

    def ordered_questions(self) -> list["Question"]:
        return list(self.questions.order_by("sort", "pk"))


class Question(models.Model):
    """One question: its type decides the answers allowed (see `seire.feedback.answers`).

    Skip logic: with `show_if_question` set, the question is asked only when that (earlier)
    question was answered with one of `show_if_values`. `contact_if` names the option of a
    single-choice question that asks for contact details ("yes, contact me").
    """

    class Type(models.TextChoices):
        SATISFACTION5 = "satisfaction5", _("satisfaction 1–5")
        NPS10 = "nps10", _("likelihood to recommend 0–10")
        EFFORT7 = "effort7", _("effort 1–7")
        SINGLE = "single", _("single choice")
        MULTIPLE = "multiple", _("multiple choice")
        YES_NO_NA = "yes_no_na", _("yes / no / not applicable")
        TEXT = "text", _("free text")

    version = models.ForeignKey(SurveyVersion, on_delete=models.CASCADE, related_name="questions")
    code = models.SlugField(_("code"), max_length=40)
    sort = models.PositiveSmallIntegerField(default=0)
    type = models.CharField(_("type"), max_length=15, choices=Type.choices)
    text_et = models.CharField(_("question (Estonian)"), max_length=300)
    text_en = models.CharField(_("question (English)"), max_length=300)
    text_ru = models.CharField(_("question (Russian)"), max_length=300)
    help_et = models.CharField(_("hint (Estonian)"), max_length=300, blank=True)
    help_en = models.CharField(_("hint (English)"), max_length=300, blank=True)
    help_ru = models.CharField(_("hint (Russian)"), max_length=300, blank=True)
    # [{"code": "yes", "label_et": "Jah", "label_en": "Yes", "label_ru": "Да"}, …]
    options = models.JSONField(_("options"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    show_if_question = models.SlugField(max_length=40, blank=True)
    show_if_values = models.JSONField(default=list, blank=True)
    contact_if = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["version", "sort", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="question_unique_code")
        ]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return f"{self.version} {self.code}"

    def save(self, *args, **kwargs):
        if self.version.is_answered:
            raise FrozenVersionError(f"{self.version} has responses: make a new version")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.version.is_answered:
            raise FrozenVersionError(f"{self.version} has responses: make a new version")
        return super().delete(*args, **kwargs)

    def text_in(self, language: str) -> str:
        return in_language(self, "text", language)

    def help_in(self, language: str) -> str:
        return in_language(self, "help", language)

    # -- the answers allowed ----------------------------------------------------------------
    SCALES = {Type.SATISFACTION5: (1, 5), Type.NPS10: (0, 10), Type.EFFORT7: (1, 7)}

    @property
    def scale(self) -> tuple[int, int] | None:
        """(lowest, highest) point of a scale question; None for other types."""
        return self.SCALES.get(self.type)

    def codes(self) -> list[str]:
        """The answer codes allowed: scale points as text, option codes, or [] for text."""
        if self.scale:
            low, high = self.scale
            return [str(n) for n in range(low, high + 1)]
        if self.type == self.Type.YES_NO_NA:
            return [code for code, _label in YES_NO_NA]
        return [o["code"] for o in self.options]

    def choices_in(self, language: str) -> list[tuple[str, str]]:
        """(code, label) of every answer allowed; a scale point without a label has ""."""
        labels = {o["code"]: in_language(o, "label", language) for o in self.options}
        if self.type == self.Type.YES_NO_NA and not self.options:
            labels = {code: str(label) for code, label in YES_NO_NA}
        codes = self.codes()
        if self.scale and set(labels) == set(codes):
            codes = [o["code"] for o in self.options]  # a fully labelled scale: as written
        return [(code, labels.get(code, "")) for code in codes]

    def is_shown(self, answers: dict[str, Any]) -> bool:
        """Whether the question is asked, given the (clean) answers to earlier questions."""
        if not self.show_if_question:
            return True
        given = answers.get(self.show_if_question)
        given = given if isinstance(given, list) else [given]
        return any(str(v) in self.show_if_values for v in given if v is not None)

    def clean_answer(self, raw: Any) -> int | str | list[str] | None:
        """The answer as stored: int for a scale, a code, a list of codes, or stripped text;
        None when not answered. Raises ValidationError with a message for the respondent."""
        if raw is None or raw == "" or raw == []:
            return None
        if self.type == self.Type.TEXT:
            if not isinstance(raw, str):
                raise ValidationError(_("Write your answer as text."))
            text = raw.strip()
            if len(text) > MAX_TEXT:
                raise ValidationError(
                    _("Write at most %(max)s characters (you wrote %(count)s).")
                    % {"max": MAX_TEXT, "count": len(text)}
                )
            return text or None
        if self.type == self.Type.MULTIPLE:
            values = raw if isinstance(raw, list) else [raw]
            if not all(isinstance(v, str) and v in self.codes() for v in values):
                raise ValidationError(_("Choose among the options given."))
            return [code for code in self.codes() if code in values]
        if self.scale:
            low, high = self.scale
            if isinstance(raw, str) and raw.strip().lstrip("-").isdigit():
                raw = int(raw.strip())
            if not isinstance(raw, int) or isinstance(raw, bool) or not low <= raw <= high:
                raise ValidationError(
                    _("Choose a whole number from %(low)s to %(high)s.")
                    % {"low": low, "high": high}
                )
            return raw
        if not isinstance(raw, str) or raw not in self.codes():
            raise ValidationError(_("Choose one of the options given."))
        return raw


class Invitation(models.Model):
    """A one-time link to a survey, sent after an episode closed.

    The token itself is only ever in the message sent; `token_hash` is its SHA-256. Using the
    link sets `used_at`; the response it gave is deliberately not linked to the invitation.
    """

    class Channel(models.TextChoices):
        SMS = "sms", _("text message")
        EMAIL = "email", _("e-mail")
        PAPER = "paper", _("paper (QR code)")
        LINK = "link", _("link")

    token_hash = models.CharField(max_length=64, unique=True)
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="invitations")
    episode = models.OneToOneField(
        Episode, on_delete=models.PROTECT, related_name="feedback_invitation"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.survey_id} {self.channel} {self.pk}"


class Response(models.Model):
    """One filled questionnaire: where and when (by day) it belongs, not who gave it."""

    class Channel(models.TextChoices):
        LINK = "link", _("public link")
        SMS = "sms", _("text message")
        EMAIL = "email", _("e-mail")
        PAPER = "paper", _("paper (QR code)")
        KIOSK = "kiosk", _("kiosk")

    survey_version = models.ForeignKey(
        SurveyVersion, on_delete=models.PROTECT, related_name="responses"
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    period = models.CharField(_("period"), max_length=7, db_index=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    language = models.CharField(_("language"), max_length=2)
    submitted_on = models.DateField(_("submitted on"), db_index=True)
    wants_contact = models.BooleanField(_("wants to be contacted"), default=False)
    contact_encrypted = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["service", "period"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(wants_contact=True) | Q(contact_encrypted=""),
                name="response_contact_only_when_asked",
            ),
        ]
        verbose_name = _("response")
        verbose_name_plural = _("responses")

    def __str__(self) -> str:
        return f"{self.service_id} {self.period} #{self.pk}"


class Answer(models.Model):
    """The answer to one question: a scale `value`, option codes in `choices`, or text.

    Free text is kept encrypted as written (`text_encrypted`) and redacted in clear
    (`text_redacted`). When redaction failed, `text_redacted` is empty and `needs_review`
    tells the analyst to read the original: the answer is never lost.
    """

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    value = models.SmallIntegerField(null=True, blank=True)
    choices = models.JSONField(default=list, blank=True)
    text_redacted = models.TextField(blank=True)
    text_encrypted = models.TextField(blank=True)
    needs_review = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_unique")
        ]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self) -> str:
        return f"{self.response_id}:{self.question_id}"


class RateCounter(models.Model):
    """Attempts in one time window under a keyed hash of who made them (see `limits`)."""

    key = models.CharField(max_length=64, unique=True)
    window_start = models.DateTimeField(db_index=True)
    count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key[:8]}… {self.count}"


# The inbox models live in their own module; importing them here registers them.
from seire.feedback.items import (  # noqa: E402, F401
    Action,
    FeedbackItem,
    RoutingRule,
    ThemeCorrection,
    YouSaidWeDid,
)
