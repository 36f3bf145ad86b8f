"""The metrics engine's feedback sources: answers, invitations and inbox items.

* `feedback` — one row per answer to a question: `question` (its code), `value` (a scale
  point), `choices` (option codes), the response's service, channel and language, and
  `nps_points` (+100 for a 9–10 on the 0–10 scale, −100 for 0–6, 0 for 7–8: their mean is
  the net promoter score). A response counts in its `period` (the month its episode closed,
  for an invitation; else the month it came in) and at its unit — or, given through a
  service-wide link without a unit, at the root of the org tree only.
* `feedback_invitations` — one row per invitation, in the period its episode closed, at
  the episode's unit; `answered` once its link was used.
* `feedback_items` — one row per inbox item, received or closed in a period;
  `actioned` (an action with a done date), `days_to_action` (receipt to the first done
  action), `overdue` (open past its due date, today), `late` (closed after its due date, or
  still open past it today).
"""

from datetime import date

from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import Coalesce

from seire.metrics.sources import Field, Source, register


def _root():
    from seire.organisation.models import OrgUnit

    return Subquery(OrgUnit.objects.filter(parent__isnull=True).order_by("path").values("pk")[:1])


def _nps_points(row) -> int | None:
    value = row.get("value")
    if value is None:
        return None
    return 100 if value >= 9 else -100 if value <= 6 else 0


def _answers():
    from seire.feedback.models import Answer

    return Answer.objects.annotate(
        _unit=Coalesce("response__unit_id", _root()), period=F("response__period")
    )


register(
    Source(
        name="feedback",
        queryset=_answers,
        unit="_unit",
        dates={"period": "period", "submitted": "response__submitted_on"},
        fields={
            f.name: f
            for f in (
                Field("question", "str", "question__code"),
                Field("question_type", "str", "question__type"),
                Field("survey", "str", "response__survey_version__survey__code"),
                Field("service", "str", "response__service__code"),
                Field("channel", "str", "response__channel"),
                Field("language", "str", "response__language"),
                Field("value", "number", "value"),
                Field("choices", "list", "choices"),
                Field("nps_points", "number", derive=_nps_points, needs=("value",)),
            )
        },
        breakdowns=("service", "channel", "language"),
    )
)


def _invitations():
    from seire.feedback.models import Invitation

    return Invitation.objects.annotate(
        answered=ExpressionWrapper(Q(used_at__isnull=False), output_field=BooleanField())
    )


register(
    Source(
        name="feedback_invitations",
        queryset=_invitations,
        unit="episode__unit_id",
        dates={"closed": "episode__closed"},
        fields={
            f.name: f
            for f in (
                Field("service", "str", "survey__service__code"),
                Field("survey", "str", "survey__code"),
                Field("channel", "str", "channel"),
                Field("answered", "bool", "answered"),
            )
        },
        breakdowns=("service", "channel"),
    )
)


def _items():
    from seire.feedback.items import Action, FeedbackItem

    done = Action.objects.filter(item=OuterRef("pk"), done_on__isnull=False)
    return FeedbackItem.objects.annotate(
        _unit=Coalesce("unit_id", _root()),
        actioned=Exists(done),
        first_action=Subquery(done.order_by("done_on").values("done_on")[:1]),
    )


def _days_to_action(row) -> int | None:
    received, first = row.get("received_on"), row.get("first_action")
    first = _as_date(first)
    return (first - received).days if received and first else None


def _overdue(row) -> bool:
    from django.utils import timezone

    return row.get("status") != "closed" and _as_date(row.get("due_on")) < timezone.localdate()


def _late(row) -> bool:
    from django.utils import timezone

    due, closed = _as_date(row.get("due_on")), _as_date(row.get("closed_on"))
    return (closed or timezone.localdate()) > due


def _as_date(value) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


register(
    Source(
        name="feedback_items",
        queryset=_items,
        unit="_unit",
        dates={"received": "received_on", "closed": "closed_on"},
        fields={
            f.name: f
            for f in (
                Field("service", "str", "service__code"),
                Field("status", "str", "status"),
                Field("severity", "str", "severity"),
                Field("sentiment", "str", "sentiment"),
                Field("urgent", "bool", "urgent"),
                Field("low_rating", "bool", "low_rating"),
                Field("themes", "list", "themes"),
                Field("actioned", "bool", "actioned"),
                Field("received_on", "date", "received_on"),
                Field("due_on", "date", "due_on"),
                Field("first_action", "date", "first_action"),
                Field(
                    "days_to_action",
                    "number",
                    derive=_days_to_action,
                    needs=("received_on", "first_action"),
                ),
                Field("overdue", "bool", derive=_overdue, needs=("status", "due_on")),
                Field("closed_on", "date", "closed_on"),
                Field("late", "bool", derive=_late, needs=("due_on", "closed_on")),
            )
        },
        breakdowns=("service", "severity", "sentiment"),
    )
)
