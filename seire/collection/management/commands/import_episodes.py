"""`seire import-episodes FILE --user U [--hash-personal-codes]`: import an episode extract.

The file (CSV or XLSX, columns in DOMAIN.md) is checked whole; when it is refused every
problem is printed on its own line (`row N, column X: message`) and the command exits with
code 1 having written nothing. On success it prints the counts.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from seire.collection.episodes import ImportResult, import_episodes
from seire.collection.services import Refused


class ImportCommand(BaseCommand):
    """What the episode and assessment imports share: the file, the user, the report."""

    what = "episodes"

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .csv or .xlsx file to import")
        parser.add_argument(
            "--user",
            required=True,
            help="username of the importer: the analyst or a provider of every unit in the file",
        )

    def run_import(self, user, data: bytes, filename: str, **options) -> ImportResult:
        raise NotImplementedError

    def handle(self, *args, file: str, user: str, **options):
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror}") from None
        importer = get_user_model().objects.filter(username=user, is_active=True).first()
        if importer is None:
            raise CommandError(f"no active user {user!r}: name the importer with --user")
        try:
            result = self.run_import(importer, data, path.name, **options)
        except Refused as refused:
            for problem in refused.problems:
                self.stderr.write(str(problem))
            count = len(refused.problems)
            raise CommandError(
                f"{path.name} was refused ({count} problem{'s' if count != 1 else ''}); "
                f"no {self.what} were imported"
            ) from None
        self.stdout.write(f"{path.name}: {result}")


class Command(ImportCommand):
    help = "Import a pseudonymised episode extract (CSV or XLSX); idempotent on source_id."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--hash-personal-codes",
            action="store_true",
            help="replace client keys that are personal codes by their keyed hash "
            "(without it such rows are refused)",
        )

    def run_import(self, user, data, filename, hash_personal_codes=False, **options):
        return import_episodes(user, data, filename, hash_personal_codes=hash_personal_codes)
