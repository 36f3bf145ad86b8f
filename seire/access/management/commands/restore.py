"""`seire restore PATH [--replace]`: load a backup made by `seire backup`, all or nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from seire.access.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Load a backup made by `seire backup` into a migrated database. A database that "
        "already holds data is refused unless --replace, which empties it first. All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the backup file")
        parser.add_argument(
            "--replace", action="store_true", help="delete the data in the database first"
        )

    def handle(self, *args, path: str, replace: bool, **options):
        if not Path(path).is_file():
            raise CommandError(f"{path}: no such file")
        try:
            count = restore(Path(path), replace=replace)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"{count} rows restored from {path}")
