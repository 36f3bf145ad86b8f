"""`seire catalogue load [--dir D]` and `seire catalogue export --dir D`."""

from django.core.management.base import BaseCommand, CommandError

from seire.catalogue.loader import (
    DEFAULT_DIRECTORY,
    CatalogueError,
    export_catalogue,
    load_catalogue,
)


class Command(BaseCommand):
    help = "Sync the catalogue YAML into the database (load), or write it back (export)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{load,export}")
        load = actions.add_parser("load", help="load every <section>.yaml of a directory")
        load.add_argument(
            "--dir",
            default=str(DEFAULT_DIRECTORY),
            help="catalogue directory or one file (default: the shipped catalogue)",
        )
        export = actions.add_parser("export", help="write the database's definitions as YAML")
        export.add_argument("--dir", required=True, help="directory to write <section>.yaml to")

    def handle(self, *args, action: str, dir: str, **options):  # noqa: A002 (the option's name)
        if action == "export":
            for path in export_catalogue(dir):
                self.stdout.write(f"wrote {path}")
            return
        try:
            counts = load_catalogue(dir)
        except CatalogueError as exc:
            problems = exc.problems
            lines = "\n".join(f"  {p}" for p in problems)
            raise CommandError(
                f"the catalogue was not loaded ({len(problems)} problem"
                f"{'s' if len(problems) != 1 else ''}); nothing changed:\n{lines}"
            ) from None
        for what, count in counts.items():
            self.stdout.write(f"{what}: {count}")
