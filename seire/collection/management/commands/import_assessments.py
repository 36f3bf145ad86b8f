"""`seire import-assessments FILE --user U`: import outcome assessments of stored episodes.

Like `import-episodes`: a refused file prints every problem, one per line, and exits with
code 1 having written nothing; on success the counts (with how many rows are incomplete).
"""

from seire.collection.assessments import import_assessments
from seire.collection.management.commands.import_episodes import ImportCommand


class Command(ImportCommand):
    help = "Import outcome assessments (CSV or XLSX) of imported episodes; idempotent on source_id."
    what = "assessments"

    def run_import(self, user, data, filename, **options):
        return import_assessments(user, data, filename)
