"""Rate limits for the public form and the JSON endpoint, without storing who asked.

An attempt is counted under a key that is an HMAC (with the pseudonym key) of the limit's
name, the hour and the client address or invitation token; the address itself is never
stored, and the keys of one address in two hours cannot be linked. Counters live in the
database, so every worker process sees the same counts; old hours are deleted as new ones
start.
"""

import hashlib
import hmac
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone

from seire.feedback.models import RateCounter

WINDOW = timedelta(hours=1)
TOKEN_LIMIT = 10  # attempts per hour with one invitation (it gives one response)


def _window_start(now: datetime) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0)


def _key(scope: str, subject: str, start: datetime) -> str:
    message = f"feedback-limit|{scope}|{start.isoformat()}|{subject}".encode()
    return hmac.new(settings.PSEUDONYM_KEY.encode(), message, hashlib.sha256).hexdigest()


_cleaned: set[datetime] = set()  # windows whose older counters this process deleted


def hit(scope: str, subject: str, limit: int) -> bool:
    """Count one attempt of `subject` (an address, a token) under `scope`; True while the
    attempts this hour, this one included, are within `limit`.

    One statement counts and reads (an upsert with RETURNING, on SQLite ≥ 3.35 and
    PostgreSQL), so concurrent attempts never lose a count; the first attempt a process
    sees in a new hour deletes the counters of earlier hours.
    """
    start = _window_start(timezone.now())
    key = _key(scope, subject, start)
    q = connection.ops.quote_name
    table, k, w, c = q(RateCounter._meta.db_table), q("key"), q("window_start"), q("count")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({k}, {w}, {c}) VALUES (%s, %s, 1) "  # noqa: S608
            f"ON CONFLICT ({k}) DO UPDATE SET {c} = {table}.{c} + 1 RETURNING {c}",
            [key, connection.ops.adapt_datetimefield_value(start)],
        )
        count = cursor.fetchone()[0]
    if start not in _cleaned:
        _cleaned.add(start)
        RateCounter.objects.filter(window_start__lt=start).delete()
    return count <= limit


def client_address(request: HttpRequest) -> str:
    """The address the request came from (as the web server saw it)."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def form_allowed(request: HttpRequest, token: str = "") -> bool:
    """Count a form submission; False when its address or its invitation is flooding."""
    address_ok = hit("form", client_address(request), settings.SEIRE_FEEDBACK_ADDRESS_LIMIT)
    token_ok = hit("token", token, TOKEN_LIMIT) if token else True
    return address_ok and token_ok


def api_allowed(request: HttpRequest, token: str = "") -> bool:
    """Count an API submission; False when its address or its invitation is flooding."""
    address_ok = hit("api", client_address(request), settings.SEIRE_FEEDBACK_API_LIMIT)
    token_ok = hit("token", token, TOKEN_LIMIT) if token else True
    return address_ok and token_ok
