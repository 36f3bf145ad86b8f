"""The `inquiries` metrics source: replies to statistics requests, by the day they were sent.

Inquiries belong to no delivering unit — the analyst answers for the whole country — so each
counts at the root of the org tree (Estonia). `on_time` is worked out in SQL: the reply was
sent no later than the due date (an extension's new date counts). Only replied inquiries
(answered or refused) have a `closed` date, so open ones are in no period.
"""

from django.db.models import BooleanField, ExpressionWrapper, F, Q, Subquery

from seire.metrics.sources import Field, Source, register


def _inquiries():
    from seire.inquiries.models import CLOSED, Inquiry
    from seire.organisation.models import OrgUnit

    root = OrgUnit.objects.filter(parent__isnull=True).order_by("path").values("pk")[:1]
    return (
        Inquiry.objects.filter(status__in=CLOSED)
        .annotate(_unit=Subquery(root))
        .alias(
            on_time=ExpressionWrapper(Q(closed_on__lte=F("due_date")), output_field=BooleanField())
        )
    )


def _days_to_answer(row):
    received, closed = row.get("received_on"), row.get("closed_on")
    return (closed - received).days if received and closed else None


register(
    Source(
        name="inquiries",
        queryset=_inquiries,
        unit="_unit",
        dates={"closed": "closed_on", "received": "received_on"},
        fields={
            f.name: f
            for f in (
                Field("requester_type", "str", "requester_type"),
                Field("legal_basis", "str", "legal_basis"),
                Field("channel", "str", "channel"),
                Field("status", "str", "status"),
                Field("on_time", "bool", "on_time"),
                Field("received_on", "date", "received_on"),
                Field("closed_on", "date", "closed_on"),
                Field("due_date", "date", "due_date"),
                Field(
                    "days_to_answer",
                    "number",
                    derive=_days_to_answer,
                    needs=("received_on", "closed_on"),
                ),
            )
        },
        breakdowns=("requester_type", "legal_basis"),
    )
)
