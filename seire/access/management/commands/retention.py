"""`seire retention [--dry-run] [--today YYYY-MM-DD]`: apply the retention schedule (cron)."""

from datetime import date

from seire.access.retention import run
from seire.commands import DailyCommand


class Command(DailyCommand):
    help = (
        "Remove personal data older than its retention (SEIRE_RETAIN_*_DAYS): feedback "
        "originals, contact details, closed episodes, audit events. Idempotent; run it daily."
    )

    def handle(self, *args, dry_run: bool, today: date | None, **options):
        lines = run(dry_run=dry_run, today=today)
        verb = "would go" if dry_run else "went"
        self.stdout.write(f"{'kind':<14} {'kept':>10}  {'older than':<10}  {verb}")
        for line in lines:
            kept = f"{line.days} days" if line.days else "for ever"
            before = line.before.isoformat() if line.before else "—"
            self.stdout.write(f"{line.kind:<14} {kept:>10}  {before:<10}  {line.count}")
        total = sum(line.count for line in lines)
        self.stdout.write(
            f"{'dry run: ' if dry_run else ''}{total} rows {verb} in all"
            f" ({', '.join(f'{line.kind} = {line.label}' for line in lines)})"
        )
