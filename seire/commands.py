"""What the cron commands share: a `--today` date argument and `--dry-run`."""

from argparse import ArgumentTypeError
from datetime import date

from django.core.management.base import BaseCommand


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ArgumentTypeError(f"{text!r} is not a date written YYYY-MM-DD") from None


class DailyCommand(BaseCommand):
    """A command run daily from cron: `--today` acts as if it were that day, `--dry-run`
    lists what would be done and does nothing."""

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", type=iso_date, help="act as if it were this day (default: today)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="list what would be done; do nothing"
        )
