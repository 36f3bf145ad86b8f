"""`seire backup PATH`: every row of the project's data as JSON (gzipped when PATH ends .gz)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from seire.access.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Write a backup of the database (all project apps, accounts, 2FA devices, audit "
        "trail) as JSON; PATH ending .gz/.xz/.bz2 is compressed. Restore with `seire restore`."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the file to write (refused if it exists)")

    def handle(self, *args, path: str, **options):
        target = Path(path)
        if target.exists():
            raise CommandError(f"{path} exists: choose a new file name")
        if not target.parent.is_dir():
            raise CommandError(f"{target.parent} is not a directory")
        try:
            count = backup(target)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"{count} rows written to {path}")
