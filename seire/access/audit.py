"""Recording audit events: `record()` for one event, `changes_between()` for a diff."""

from django.db import models

from seire.access.models import AuditEvent


def record(
    actor,
    action: str,
    obj: models.Model | None = None,
    *,
    summary: str = "",
    changes: dict | None = None,
    channel: str = "web",
    reason: str = "",
    object_type: str = "",
    object_id: str = "",
) -> AuditEvent:
    """Store one audit event. `actor` may be anonymous/None (public channels, commands)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        summary = summary or str(obj)[:300]
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        actor=actor if authenticated else None,
        actor_name=actor.get_username() if authenticated else "",
        action=action,
        object_type=object_type,
        object_id=object_id,
        summary=summary[:300],
        changes=changes or {},
        channel=channel,
        reason=reason,
    )


def record_many(actor, action: str, events: list[dict], *, channel: str = "web") -> None:
    """Store many events in one insert, as `record` would one by one: an import touches
    hundreds of reports. Each dict holds `object_type`, `object_id`, `summary`, `changes`."""
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor=actor if authenticated else None,
                actor_name=actor.get_username() if authenticated else "",
                action=action,
                object_type=event.get("object_type", ""),
                object_id=event.get("object_id", ""),
                summary=event.get("summary", "")[:300],
                changes=event.get("changes") or {},
                channel=channel,
                reason=event.get("reason", ""),
            )
            for event in events
        ],
        batch_size=500,
    )


def changes_between(before: dict, after: dict) -> dict:
    """{field: [old, new]} for the fields whose value differs (values as JSON-safe strings)."""
    return {
        key: [_plain(before.get(key)), _plain(after.get(key))]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def _plain(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
