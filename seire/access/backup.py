"""Backups as JSON of every project row (Django's serialisation, primary keys kept so the
ids the audit trail names stay right), so one format restores on SQLite and PostgreSQL.

Left out: content types and permissions (re-created by `migrate`, referred to by natural
key), sessions (everyone signs in again) and django-axes' lockout records. In: the project's
apps, accounts and groups, the admin's log, 2FA devices and the whole audit trail. A backup
holds the encrypted feedback and the 2FA secrets, so store it as carefully as the database;
the keys (SEIRE_*_KEY) are not in it.
"""

from pathlib import Path

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError, IntegrityError, connection, transaction

EXCLUDE = ["contenttypes", "auth.permission", "sessions", "axes"]
SUFFIXES = (".json", ".json.gz", ".json.xz", ".json.bz2")


class BackupError(Exception):
    """A backup could not be made or restored; nothing was changed."""


def _check_name(path: Path) -> None:
    if not path.name.endswith(SUFFIXES):
        raise BackupError(f"{path}: the file name must end with one of {', '.join(SUFFIXES)}")


def backed_up_models() -> list:
    excluded_apps = {e for e in EXCLUDE if "." not in e}
    excluded_models = {e for e in EXCLUDE if "." in e}
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label not in excluded_apps
        and model._meta.label_lower not in excluded_models
        and model._meta.managed
        and not model._meta.proxy
    ]


def row_count() -> int:
    return sum(model._base_manager.count() for model in backed_up_models())


def backup(path: Path) -> int:
    """Write the backup to `path`; returns the number of rows written."""
    _check_name(path)
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:  # one snapshot for every table
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        call_command(
            "dumpdata",
            exclude=EXCLUDE,
            natural_foreign=True,  # content types and permissions by name
            output=str(path),
            verbosity=0,
        )
        return row_count()


def restore(path: Path, *, replace: bool = False) -> int:
    """Load the backup at `path`, all or nothing; returns the number of rows now held."""
    _check_name(path)
    try:
        with transaction.atomic():
            if row_count():
                if not replace:
                    raise BackupError(
                        "the database already holds data: restore into an empty (migrated)"
                        " database, or give --replace to delete its data first"
                    )
                call_command("flush", interactive=False, verbosity=0)
            call_command("loaddata", str(path), verbosity=0)
            count = row_count()
            if not count:
                raise BackupError(f"{path} holds no rows: nothing restored")
            return count
    except (CommandError, DeserializationError, IntegrityError, DatabaseError) as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        raise BackupError(
            f"{path} could not be restored, nothing was changed: {first_line}"
        ) from error
