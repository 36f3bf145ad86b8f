"""`seire feedback-reminders [--today YYYY-MM-DD] [--dry-run]`: overdue feedback items."""

from datetime import date

from django.core.management.base import CommandError

from seire.commands import DailyCommand
from seire.feedback.reminders import send_feedback_reminders


class Command(DailyCommand):
    help = (
        "E-mail each owner the open feedback items past their due date (once per due date: "
        "run it daily) and resend urgent alerts that failed."
    )

    def handle(self, *args, today: date | None, dry_run: bool, **options):
        outcome = send_feedback_reminders(today, dry_run=dry_run)
        verb = "would send" if dry_run else "sent"
        for address, items in outcome.letters:
            self.stdout.write(f"{verb} to {address}: " + ", ".join(f"#{i.pk}" for i in items))
        self.stdout.write(
            f"{len(outcome.letters)} reminder(s) and {outcome.alerts} urgent alert(s) "
            f"{'would be sent' if dry_run else 'sent'}."
        )
        if outcome.failed:
            raise CommandError(f"{len(outcome.failed)} e-mail(s) could not be sent")
