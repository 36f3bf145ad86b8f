"""`seire publish RELEASE [--correct --note-et … --note-en …]` and `seire publish --due`."""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from seire.publishing import services
from seire.publishing.models import Release


def moment(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--now {text!r} is not a time written YYYY-MM-DDTHH:MM") from None
    return timezone.make_aware(value) if timezone.is_naive(value) else value


class Command(BaseCommand):
    help = (
        "Publish a release: compute and protect its tables, store the version, and make it "
        "public at its planned time (before that it is only prepared). --due publishes every "
        "release whose time has come and e-mails the partners; run it from cron every few "
        "minutes (it is idempotent). --correct recomputes a published release as a new "
        "version with a note; the previous version stays readable, marked superseded."
    )

    def add_arguments(self, parser):
        parser.add_argument("release", nargs="?", help="the release code")
        parser.add_argument("--due", action="store_true", help="publish every due release")
        parser.add_argument("--correct", action="store_true", help="publish a correction")
        parser.add_argument("--note-et", default="", help="the correction note in Estonian")
        parser.add_argument("--note-en", default="", help="the correction note in English")
        parser.add_argument("--now", type=str, help="act as if it were this time (ISO)")

    def handle(self, *args, release=None, due=False, correct=False, **options):
        now = moment(options["now"]) if options.get("now") else timezone.now()
        if due == bool(release):
            raise CommandError("name one release, or give --due (not both)")
        if due:
            outcomes = services.publish_due(now)
            for outcome in outcomes:
                self._report(outcome)
            self.stdout.write(f"{len(outcomes)} release(s) handled.")
            return
        try:
            found = Release.objects.get(code=release)
        except Release.DoesNotExist:
            raise CommandError(f"no release {release!r}") from None
        try:
            if correct:
                outcome = services.correct(
                    found, note_et=options["note_et"], note_en=options["note_en"], now=now
                )
            else:
                outcome = services.publish(found, now=now)
        except services.PublishingError as exc:
            raise CommandError("refused:\n  " + "\n  ".join(exc.problems)) from None
        self._report(outcome)

    def _report(self, outcome: services.Outcome) -> None:
        release, version = outcome.release, outcome.version
        number = f" v{version.number}" if version else ""
        text = {
            "embargoed": f"prepared; embargoed until {release.planned_at:%Y-%m-%d %H:%M}",
            "published": "published",
            "corrected": "correction published",
            "unchanged": "already published; nothing changed",
            "notified": "partners notified",
        }.get(outcome.action, outcome.action)
        notified = f" ({outcome.notified} address(es) e-mailed)" if outcome.notified else ""
        self.stdout.write(f"{release.code}{number}: {text}{notified}")
