"""Feedback records for the catalogue metrics' worked examples (tests/metrics/cases/).

`build_feedback(data, units, services, episodes)` reads three input kinds of a case:

* `responses`: ``{period: 2026M01, unit: HARJU-VS, service: VS, answers: {satisfaction: 5,
  respected: "yes"}}`` — a response to the shipped client survey (unit optional: a
  service-wide link);
* `invitations`: ``{episode: E1, answered: true}`` — an invitation sent after an episode;
* `feedback_items`: ``{unit: HARJU-VS, received: 2026-01-05, closed: 2026-01-20,
  actions: [2026-01-10], planned: 1}`` — an inbox item, closed when `closed` is given, with
  actions done on the listed days (and `planned` actions without a done date); due 14 days
  after receipt unless `due` says otherwise.
"""

import hashlib
from datetime import UTC, date, datetime, timedelta

from seire.feedback.models import (
    Action,
    Answer,
    FeedbackItem,
    Invitation,
    Response,
    Survey,
)


def _response(version, services, units, row, period: str, day: date) -> Response:
    return Response.objects.create(
        survey_version=version,
        service=services[row.get("service", "VS")],
        unit=units[row["unit"]] if row.get("unit") else None,
        period=period,
        channel="link",
        language="et",
        submitted_on=day,
    )


def build_feedback(data: dict, units: dict, services: dict, episodes: dict) -> None:
    if not any(k in data for k in ("responses", "invitations", "feedback_items")):
        return
    survey = Survey.objects.get(code="vs-client")
    version = survey.current_version()
    questions = {q.code: q for q in version.questions.all()}
    for row in data.get("responses", []):
        period = str(row["period"])
        day = date(int(period[:4]), int(period[5:]), 15)
        response = _response(version, services, units, row, period, day)
        for code, value in row["answers"].items():
            question = questions[code]
            answer = Answer(response=response, question=question)
            if question.scale:
                answer.value = value
            else:
                answer.choices = value if isinstance(value, list) else [value]
            answer.save()
    for row in data.get("invitations", []):
        episode = episodes[row["episode"]]
        Invitation.objects.create(
            token_hash=hashlib.sha256(episode.source_id.encode()).hexdigest(),
            survey=survey,
            episode=episode,
            channel=row.get("channel", "sms"),
            used_at=datetime(2026, 1, 1, tzinfo=UTC) if row.get("answered") else None,
        )
    for row in data.get("feedback_items", []):
        received = row["received"]
        period = f"{received.year}M{received.month:02d}"
        response = _response(version, services, units, row, period, received)
        item = FeedbackItem.objects.create(
            response=response,
            service=response.service,
            unit=response.unit,
            period=period,
            received_on=received,
            sentiment="negative",
            severity="medium",
            status="closed" if row.get("closed") else "triaged",
            closed_on=row.get("closed"),
            due_on=row.get("due", received + timedelta(days=14)),
        )
        for done in row.get("actions", []):
            Action.objects.create(item=item, description="done", done_on=done)
        for _ in range(row.get("planned", 0)):
            Action.objects.create(item=item, description="planned", planned_on=received)
