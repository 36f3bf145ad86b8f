"""`seire compute [--metric CODE ...] [--from PERIOD]`: recompute metric values on demand."""

import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from seire import periods
from seire.metrics.engine import compute
from seire.metrics.models import Metric
from seire.metrics.outcomes import refresh_outcomes


class Command(BaseCommand):
    help = (
        "Pair the assessments into outcomes, then recompute the current version of every "
        "metric (or the named ones) for every period (or from --from on), with a progress bar."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--metric",
            dest="metrics",
            nargs="+",
            action="extend",
            metavar="CODE",
            help="only these metrics (default: all)",
        )
        parser.add_argument(
            "--from",
            dest="first_period",
            metavar="PERIOD",
            help="recompute from this period on (2026M03, 2026Q1 or 2026); earlier values stay",
        )

    def handle(self, *args, metrics: list[str] | None, first_period: str | None, **options):
        verbosity = options["verbosity"]
        known = set(Metric.objects.values_list("code", flat=True))
        if not known:
            raise CommandError("there are no metrics: load the catalogue (seire catalogue load)")
        unknown = sorted(set(metrics or []) - known)
        if unknown:
            raise CommandError(
                f"unknown metric{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}: "
                f"expected codes such as {', '.join(sorted(known)[:5])}"
            )
        if first_period:
            try:
                first_period = str(periods.parse(first_period))
            except periods.PeriodError as error:
                raise CommandError(f"--from: {error}") from None
        started = time.perf_counter()
        outcomes = refresh_outcomes()

        def progress(items):
            bar = tqdm(items, desc="compute", unit="metric", disable=verbosity < 1)
            for code, version in bar:
                bar.set_postfix_str(code)
                yield code, version

        rows = compute(metrics, first_period, progress=progress)
        if verbosity >= 1:
            self.stdout.write(f"outcomes: {outcomes} rows")
            width = max(len(code) for code in rows) if rows else 0
            for code, count in rows.items():
                self.stdout.write(f"{code.ljust(width)}  {count:>7} rows")
        total = time.perf_counter() - started
        since = f" from {first_period}" if first_period else ""
        self.stdout.write(
            f"computed {len(rows)} metric{'s' if len(rows) != 1 else ''}{since}: "
            f"{sum(rows.values())} values in {total:.1f} s"
        )
