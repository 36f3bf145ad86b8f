"""`seire client-export KEY [--identifier] [--output FILE]`: a client's data as JSON."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from seire.access.management.commands._client import add_key_arguments, client_key
from seire.access.retention import client_export


class Command(BaseCommand):
    help = (
        "Write everything Seire holds under a client key (episodes and their assessments) "
        "as JSON, for a client's request to see their data. Feedback is not linked to clients."
    )

    def add_arguments(self, parser):
        add_key_arguments(parser)
        parser.add_argument("--output", "-o", help="write to this file (default: the screen)")

    def handle(self, *args, **options):
        key = client_key(options)
        data = client_export(key, reason=options["reason"])
        text = json.dumps(data, ensure_ascii=False, indent=2)
        if options["output"]:
            try:
                Path(options["output"]).write_text(text + "\n", encoding="utf-8")
            except OSError as error:
                raise CommandError(f"{options['output']}: {error.strerror}") from None
            self.stderr.write(f"{len(data['episodes'])} episodes written to {options['output']}")
        else:
            self.stdout.write(text)
        self.stderr.write(data["feedback"])
