"""Retention: how long each kind of personal data is kept, and the rights of a client.

`SEIRE_RETENTION_DAYS` (settings, from `SEIRE_RETAIN_*_DAYS`) gives the days each kind is
kept; 0 keeps it for ever. `run()` removes what is older, and is idempotent: a second run
finds nothing. Kinds:

* feedback_text — the encrypted originals of free-text feedback answers (the redacted text
  in clear stays), by the day the response came in;
* contact — the encrypted contact details of clients who asked to be contacted;
* episodes — pseudonymised episodes closed that many days ago, with their assessments,
  outcomes and feedback invitations (open episodes are kept);
* audit — audit events.

`client_export()` / `client_erase()` answer a client's request for their data by client key
(episodes and assessments). Feedback is not linked to clients, by design, so none can be
found for a client key.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from seire.access.audit import record
from seire.access.models import AuditEvent
from seire.collection.models import Assessment, Episode
from seire.feedback.models import Answer, Invitation, Response

KINDS = {
    "feedback_text": "feedback originals (encrypted free text)",
    "contact": "contact details in feedback",
    "episodes": "episodes (with assessments)",
    "audit": "audit events",
}
FEEDBACK_NOTE = (
    "Feedback responses are not linked to clients by design (no client key, episode or "
    "invitation is stored with a response), so none can be found for a client key."
)


@dataclass
class Line:
    kind: str
    days: int  # 0 = kept for ever
    before: date | None
    count: int

    @property
    def label(self) -> str:
        return KINDS[self.kind]


def _cutoff(days: int, today: date) -> date | None:
    return today - timedelta(days=days) if days else None


def _querysets(kind: str, before: date):
    """The rows of `kind` older than `before`."""
    if kind == "feedback_text":
        return Answer.objects.filter(response__submitted_on__lt=before).exclude(text_encrypted="")
    if kind == "contact":
        return Response.objects.filter(submitted_on__lt=before).exclude(contact_encrypted="")
    if kind == "episodes":
        return Episode.objects.filter(closed__lt=before)
    start = timezone.make_aware(datetime.combine(before, time.min))
    return AuditEvent.objects.filter(at__lt=start)


def run(*, dry_run: bool = False, today: date | None = None) -> list[Line]:
    """Apply (or with `dry_run` only count) the retention of every kind; one audit event per
    kind that lost rows."""
    today = today or timezone.localdate()
    lines = []
    for kind in KINDS:
        days = settings.SEIRE_RETENTION_DAYS[kind]
        before = _cutoff(days, today)
        if before is None:
            lines.append(Line(kind, days, None, 0))
            continue
        with transaction.atomic():
            rows = _querysets(kind, before)
            count = rows.count()
            if count and not dry_run:
                _remove(kind, rows)
                record(
                    None,
                    "delete",
                    object_type=kind,
                    summary=f"retention: {count} {KINDS[kind]} before {before}",
                    channel="command",
                    reason=f"kept {days} days (SEIRE_RETENTION_DAYS)",
                )
        lines.append(Line(kind, days, before, count))
    return lines


def _remove(kind: str, rows) -> None:
    if kind == "feedback_text":
        Answer.objects.filter(pk__in=list(rows.values_list("pk", flat=True))).update(
            text_encrypted=""
        )
    elif kind == "contact":
        rows.update(contact_encrypted="")
    elif kind == "episodes":
        _delete_episodes(rows)
    else:
        rows.expire()


def _delete_episodes(episodes) -> int:
    """Delete episodes with what hangs on them (assessments and outcomes cascade; the
    invitation, which only holds a token hash, is protected and goes first)."""
    ids = list(episodes.values_list("pk", flat=True))
    Invitation.objects.filter(episode_id__in=ids).delete()
    Episode.objects.filter(pk__in=ids).delete()
    return len(ids)


# -- a client's rights --------------------------------------------------------------------
def client_episodes(client_key: str):
    return Episode.objects.filter(client_key=client_key).order_by("opened", "pk")


def client_export(client_key: str, *, actor=None, reason: str = "") -> dict:
    """Everything Seire holds under `client_key`: episodes with their assessments."""
    episodes = []
    for episode in client_episodes(client_key).select_related("service", "unit", "county"):
        assessments = [
            {
                "source_id": a.source_id,
                "instrument": a.instrument,
                "timepoint": a.timepoint,
                "assessed_on": a.assessed_on.isoformat(),
                "items": a.items,
            }
            for a in Assessment.objects.filter(episode=episode).order_by("assessed_on", "pk")
        ]
        episodes.append(
            {
                "source_id": episode.source_id,
                "service": episode.service.code,
                "unit": episode.unit.code,
                "county": episode.county.code if episode.county else None,
                "opened": episode.opened.isoformat(),
                "closed": episode.closed.isoformat() if episode.closed else None,
                "first_contact": _iso(episode.first_contact),
                "referral_source": episode.referral_source,
                "crime_type": episode.crime_type,
                "gender": episode.gender,
                "age_group": episode.age_group,
                "services_given": episode.services_given,
                "proactive_contact": episode.proactive_contact,
                "needs_assessed": episode.needs_assessed,
                "safety_plan": episode.safety_plan,
                "closure_reason": episode.closure_reason,
                "assessments": assessments,
            }
        )
    record(
        actor,
        "export",
        object_type="collection.episode",
        object_id=client_key[:100],
        summary=f"client export: {len(episodes)} episodes",
        channel="command",
        reason=reason,
    )
    return {"client_key": client_key, "episodes": episodes, "feedback": FEEDBACK_NOTE}


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


@transaction.atomic
def client_erase(client_key: str, *, dry_run: bool = False, actor=None, reason: str = ""):
    """Delete the client's episodes and assessments; returns (episodes, assessments)."""
    episodes = client_episodes(client_key)
    counts = (episodes.count(), Assessment.objects.filter(episode__in=episodes).count())
    if dry_run or not counts[0]:
        return counts
    _delete_episodes(episodes)
    record(
        actor,
        "delete",
        object_type="collection.episode",
        object_id=client_key[:100],
        summary=f"client erasure: {counts[0]} episodes, {counts[1]} assessments",
        channel="command",
        reason=reason,
    )
    return counts
