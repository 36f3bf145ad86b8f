"""`seire import-values FILE --dataset CODE --user USERNAME`: import statistics values.

The file is a filled Excel template (.xlsx) or a CSV file in the machine format, told apart
by its content. It is checked whole: when refused, every problem is printed on its own line
(`'HARJU-VS 2026M03'!D7: …` or `row 5, value: …`) and the command exits with code 1 having
written nothing. On success it prints the counts.
"""

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from seire.collection.csv_format import import_csv
from seire.collection.excel import ZIP_SIGNATURE, import_workbook
from seire.collection.models import Dataset
from seire.collection.services import Refused
from seire.collection.value_import import megabytes


class Command(BaseCommand):
    help = (
        "Import statistics values from a filled Excel template or a CSV file, all or nothing "
        "(exit code 1 and the list of problems when the file is refused)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx template or .csv file to import")
        parser.add_argument("--dataset", required=True, help="code of the statistics table")
        parser.add_argument(
            "--user",
            required=True,
            help="username of the importer: the analyst or a provider of every unit in the file",
        )

    def handle(self, *args, file: str, dataset: str, user: str, **options):
        path = Path(file)
        table = Dataset.objects.filter(code=dataset).first()
        if table is None:
            raise CommandError(f"no statistics table {dataset!r}: give its code with --dataset")
        importer = get_user_model().objects.filter(username=user, is_active=True).first()
        if importer is None:
            raise CommandError(f"no active user {user!r}: name the importer with --user")
        try:
            if path.stat().st_size > settings.SEIRE_MAX_UPLOAD_BYTES:
                raise CommandError(
                    f"{path.name} is {megabytes(path.stat().st_size)}; the largest accepted "
                    f"is {megabytes(settings.SEIRE_MAX_UPLOAD_BYTES)} (SEIRE_MAX_UPLOAD_BYTES)"
                )
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror}") from None
        importer_of = import_workbook if data.startswith(ZIP_SIGNATURE) else import_csv
        try:
            result = importer_of(importer, table, data)
        except Refused as refused:
            for problem in refused.problems:
                self.stderr.write(str(problem))
            count = len(refused.problems)
            raise CommandError(
                f"{path.name} was refused ({count} problem{'s' if count != 1 else ''}); "
                "no values were written"
            ) from None
        self.stdout.write(
            f"{path.name}: {result.created} created, {result.updated} updated, "
            f"{result.cleared} cleared, {result.unchanged} unchanged"
        )
