"""From a stored response to an inbox item: coding, sentiment, severity, routing, alerts.

`item_for_response` runs inside the transaction that stores the response, so an accepted
response and its item are stored together. It is cheap: a few regular expressions over the
redacted text and two small queries (the routing rules and the service's owner).

* A response becomes an item when it has free text or a low rating (`is_low`).
* Themes come from the codebook (`seire.textscan.themes`) over the redacted text.
* Sentiment comes from the ratings (satisfaction, recommend, effort scaled to 0–1; their
  mean ≥ 0.7 positive, ≤ 0.4 negative, else neutral), refined by the text's tone: a text
  of the other tone makes it "mixed"; without ratings the text's tone decides.
* Severity: critical when the text mentions immediate danger (the item is then urgent),
  high for a safety theme with negative sentiment, "less safe", the lowest satisfaction or a
  request to be contacted, medium for other negative or mixed feedback, else low.
"""

import logging
import time
from datetime import date
from statistics import fmean

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse

from seire.feedback.items import FeedbackItem, RoutingRule, Sentiment, Severity
from seire.organisation.models import Responsibility
from seire.textscan import mentions_danger, text_tone, themes

logger = logging.getLogger(__name__)

# Scale answers at or below these are low ratings (satisfaction 1–2, recommend 0–4, effort 1–2).
LOW = {"satisfaction5": 2, "nps10": 4, "effort7": 2}
SCALE = {"satisfaction5": (1, 5), "nps10": (0, 10), "effort7": (1, 7)}
NEGATIVE_CHOICES = {"respected": {"no"}, "safer": {"less_safe"}}


def is_low(question_type: str, value: int | None) -> bool:
    return value is not None and question_type in LOW and value <= LOW[question_type]


def rating_sentiment(ratings: list[tuple[str, int]]) -> str:
    """Sentiment from (question type, value) scale answers; "" without any."""
    scores = [
        (value - SCALE[kind][0]) / (SCALE[kind][1] - SCALE[kind][0])
        for kind, value in ratings
        if kind in SCALE
    ]
    if not scores:
        return ""
    mean = fmean(scores)
    return Sentiment.POSITIVE if mean >= 0.7 else Sentiment.NEGATIVE if mean <= 0.4 else ""


def sentiment(ratings: list[tuple[str, int]], text: str) -> str:
    """The item's sentiment: ratings first, refined by the text (see the module's doc)."""
    by_rating, tone = rating_sentiment(ratings), text_tone(text)
    if not by_rating:
        return tone or Sentiment.NEUTRAL
    if tone and tone != by_rating and tone != "":
        return Sentiment.MIXED
    return by_rating


def severity(
    *, danger: bool, item_themes: set[str], mood: str, less_safe: bool, lowest: bool, contact: bool
) -> str:
    if danger:
        return Severity.CRITICAL
    if (
        ("safety" in item_themes and mood in (Sentiment.NEGATIVE, Sentiment.MIXED))
        or less_safe
        or lowest
        or contact
    ):
        return Severity.HIGH
    if mood in (Sentiment.NEGATIVE, Sentiment.MIXED):
        return Severity.MEDIUM
    return Severity.LOW


ROUTING_TTL = 30.0  # seconds a process reuses the routing rules and service owners
_routing: dict = {}


def routing_snapshot() -> tuple[list, dict]:
    """(active rules, {service id: default owner}) as this process last read them: reused
    for ROUTING_TTL seconds and dropped at once when a rule or a responsibility is saved
    here (see `forget_routing`), so the write path does not query them per response."""
    now = time.monotonic()
    if not _routing or now - _routing["at"] > ROUTING_TTL:
        _routing.update(
            at=now,
            rules=list(RoutingRule.objects.filter(active=True).select_related("unit", "owner")),
            owners={},
        )
    return _routing["rules"], _routing["owners"]


def forget_routing(**_kwargs) -> None:
    _routing.clear()


def route(service, unit, item_themes, level: str, rules=None, owners: dict | None = None):
    """(owner, rule) for an item: the best matching active rule, else the service's owner
    (the first current service-owner responsibility), else (None, None). `owners` caches
    the default owner per service id across calls (the demo routes hundreds at once)."""
    if rules is None:
        rules = RoutingRule.objects.filter(active=True).select_related("unit")
    path = unit.path if unit is not None else None
    matching = [r for r in rules if r.matches(service.pk, path, item_themes, level)]
    if matching:
        best = min(matching, key=lambda r: (r.priority, -r.specificity, r.pk))
        return best.owner, best
    if owners is not None and service.pk in owners:
        return owners[service.pk], None
    owner = (
        Responsibility.objects.current()
        .filter(role=Responsibility.Role.SERVICE_OWNER, service=service)
        .order_by("pk")
        .select_related("person")
        .first()
    )
    person = owner.person if owner else None
    if owners is not None:
        owners[service.pk] = person
    return person, None


def item_for_response(response, answers, questions, today: date, rules=None, owners=None):
    """The `FeedbackItem` (unsaved) for a response, or None when it needs none.

    `answers` are the response's `Answer` objects, `questions` maps their question ids to the
    questions.
    """
    text, needs_review, ratings, low, less_safe, lowest = "", False, [], False, False, False
    for answer in answers:
        question = questions[answer.question_id]
        if question.type == "text":
            text = "\n\n".join(t for t in (text, answer.text_redacted) if t)
            needs_review = needs_review or answer.needs_review
        elif question.scale and answer.value is not None:
            ratings.append((question.type, answer.value))
            low = low or is_low(question.type, answer.value)
            lowest = lowest or (question.type == "satisfaction5" and answer.value == 1)
        elif set(answer.choices) & NEGATIVE_CHOICES.get(question.code, set()):
            low = True
            less_safe = less_safe or question.code == "safer"
    if not (text or needs_review or low):
        return None
    item_themes = sorted(themes(text)) if text else []
    mood = sentiment(ratings, text)
    danger = bool(text) and mentions_danger(text)
    level = severity(
        danger=danger,
        item_themes=set(item_themes),
        mood=mood,
        less_safe=less_safe,
        lowest=lowest,
        contact=response.wants_contact,
    )
    if rules is None:
        rules, owners = routing_snapshot()
    owner, rule = route(response.service, response.unit, item_themes, level, rules, owners)
    return FeedbackItem(
        response=response,
        service=response.service,
        unit=response.unit,
        period=response.period,
        received_on=today,
        language=response.language,
        text=text,
        needs_review=needs_review,
        low_rating=low,
        coded_themes=item_themes,
        themes=item_themes,
        sentiment=mood,
        severity=level,
        urgent=danger,
        routed_to=owner,
        rule=rule,
        due_on=FeedbackItem.due_for(today, level),
    )


def notify_urgent(item_id: int) -> None:
    """E-mail the owner and the analysts at once about an urgent item (no feedback text in
    the message: only the link). Marks the item notified; a second call sends nothing."""
    item = FeedbackItem.objects.select_related("service", "routed_to").get(pk=item_id)
    if item.notified:
        return
    analysts = get_user_model().objects.filter(
        responsibilities__role=Responsibility.Role.ANALYST, is_active=True
    )
    recipients = {u.email for u in analysts if u.email}
    if item.routed_to and item.routed_to.email:
        recipients.add(item.routed_to.email)
    link = f"{settings.SEIRE_BASE_URL}{reverse('feedback:item', args=[item.pk])}"
    if recipients:
        send_mail(
            f"Seire: urgent feedback #{item.pk} ({item.service.code})",
            "Feedback that may speak of immediate danger has arrived. Read it now and act:\n"
            f"{link}\n\nTagasiside võib viidata vahetule ohule. Lugege seda kohe:\n{link}\n",
            settings.DEFAULT_FROM_EMAIL,
            sorted(recipients),
        )
    FeedbackItem.objects.filter(pk=item.pk).update(notified=True)


def after_commit_notify(item: FeedbackItem) -> None:
    if item.urgent:
        transaction.on_commit(lambda: _safe_notify(item.pk))


def _safe_notify(item_id: int) -> None:
    try:
        notify_urgent(item_id)
    except Exception as exc:  # the response is stored; the reminder command retries
        logger.error("urgent feedback notification failed: %s", type(exc).__name__)
