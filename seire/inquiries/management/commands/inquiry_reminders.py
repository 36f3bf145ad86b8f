"""`seire inquiry-reminders [--today YYYY-MM-DD] [--dry-run]`: reminders about inquiries."""

from datetime import date

from django.core.management.base import CommandError

from seire.commands import DailyCommand
from seire.inquiries.reminders import DUE_SOON_DAYS, send_inquiry_reminders


class Command(DailyCommand):
    help = (
        f"E-mail the assignee (or the analysts) about inquiries due within {DUE_SOON_DAYS} "
        "days and overdue ones. Each reminder is sent once per due date (run it daily)."
    )

    def handle(self, *args, today: date | None, dry_run: bool, **options):
        outcome = send_inquiry_reminders(today, dry_run=dry_run)
        for letter in outcome.letters:
            items = ", ".join(f"{i.reference} ({kind})" for i, kind in letter.inquiries)
            verb = "would send" if dry_run else "sent"
            self.stdout.write(f"{verb} to {letter.person.email}: {items}")
        self.stdout.write(
            f"{len(outcome.letters)} e-mail(s) {'would be sent' if dry_run else 'sent'}."
        )
        if outcome.failed:
            addresses = ", ".join(x.person.email for x in outcome.failed)
            raise CommandError(f"{len(outcome.failed)} e-mail(s) could not be sent: {addresses}")
