"""`seire send_reminders [--today YYYY-MM-DD] [--dry-run]`: reminder e-mails, for cron."""

from datetime import date

from django.core.management.base import CommandError

from seire.collection.reminders import DUE_SOON_DAYS, send_reminders
from seire.commands import DailyCommand


class Command(DailyCommand):
    help = (
        f"E-mail providers about their reports due within {DUE_SOON_DAYS} days and about "
        "overdue ones. Each reminder is sent once, however often this runs (run it daily)."
    )

    def handle(self, *args, today: date | None, dry_run: bool, **options):
        outcome = send_reminders(today, dry_run=dry_run)
        verb = "would be sent" if dry_run else "sent"
        for letter in outcome.letters:
            reports = ", ".join(
                f"{r.dataset.code} {r.unit.code} {r.period} ({r.kind})" for r in letter.reports
            )
            self.stdout.write(
                f"{'would send' if dry_run else 'sent'} to {letter.person.email}: {reports}"
            )
        for report in outcome.unaddressed:
            self.stdout.write(
                f"nobody to remind: {report.dataset.code} {report.unit.code} {report.period} "
                f"({report.kind}) has no provider with an e-mail address"
            )
        self.stdout.write(f"{len(outcome.letters)} e-mail(s) {verb}.")
        if outcome.failed:
            addresses = ", ".join(letter.person.email for letter in outcome.failed)
            raise CommandError(f"{len(outcome.failed)} e-mail(s) could not be sent: {addresses}")
