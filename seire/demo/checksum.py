"""A fingerprint of the project's data, to show that a seed is deterministic.

`database_checksum()` covers every table of the project's own apps (`seire.*`, including
many-to-many tables) and `auth_user`. Columns that legitimately differ between two otherwise
identical databases are left out: a user's `last_login` and every timestamp the clock sets
on save (`auto_now` / `auto_now_add` fields such as `AuditEvent.at` or
`MetricValue.computed_at`).
"""

import hashlib
import json

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models

EXCLUDED_FIELDS = {"auth.user": {"last_login"}}


def _clock_set(field) -> bool:
    return getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)


def checksum_models() -> list[type[models.Model]]:
    """The models whose tables the checksum covers, in a stable order."""
    project = [
        model
        for config in apps.get_app_configs()
        if config.name.startswith("seire.")
        for model in config.get_models(include_auto_created=True)
    ]
    return sorted([*project, get_user_model()], key=lambda m: m._meta.db_table)


def database_checksum() -> dict[str, tuple[int, str]]:
    """{table: (row count, sha256 hex of its rows ordered by primary key)}.

    Values are read through the ORM (so dates and JSON compare the same on SQLite and
    PostgreSQL) and each row is hashed as canonical JSON.
    """
    result = {}
    for model in checksum_models():
        excluded = EXCLUDED_FIELDS.get(model._meta.label_lower, set())
        names = [
            f.attname
            for f in model._meta.concrete_fields
            if f.name not in excluded and not _clock_set(f)
        ]
        digest = hashlib.sha256()
        count = 0
        for row in model._base_manager.order_by("pk").values_list(*names).iterator():
            digest.update(json.dumps(row, default=str, sort_keys=True).encode())
            digest.update(b"\n")
            count += 1
        result[model._meta.db_table] = (count, digest.hexdigest())
    return result
