"""`seire client-erase KEY [--identifier] (--yes | --dry-run)`: delete a client's data."""

from django.core.management.base import BaseCommand

from seire.access.management.commands._client import add_key_arguments, client_key
from seire.access.retention import FEEDBACK_NOTE, client_erase


class Command(BaseCommand):
    help = (
        "Delete the episodes and assessments held under a client key (a client's request "
        "to be forgotten). Metric values already computed stay until `seire compute` runs."
    )

    def add_arguments(self, parser):
        add_key_arguments(parser)
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--yes", action="store_true", help="really delete")
        group.add_argument("--dry-run", action="store_true", help="count only; delete nothing")

    def handle(self, *args, **options):
        key = client_key(options)
        episodes, assessments = client_erase(
            key, dry_run=options["dry_run"], reason=options["reason"]
        )
        verb = "would be deleted" if options["dry_run"] else "deleted"
        if not episodes:
            self.stdout.write(f"no episodes under {key}: nothing {verb}")
        else:
            self.stdout.write(f"{episodes} episodes and {assessments} assessments {verb} ({key})")
        self.stdout.write(FEEDBACK_NOTE)
        if not options["dry_run"]:
            self.stdout.write("Run `seire compute` to recompute the metrics without them.")
