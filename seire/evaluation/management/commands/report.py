"""`seire report ux|impact …`: write an evaluation report as a PDF (and its numbers as JSON).

    seire report ux --service VS --period 2026Q1 [--unit HARJU-VS] [--lang en] -o ux.pdf
    seire report impact --plan 3 [--lang en] -o impact.pdf [--numbers impact.json]

The PDF is the same template as the page. `--numbers` writes the report's numbers as
sorted JSON: a rerun on unchanged data writes the same bytes.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from seire import periods
from seire.access.audit import record
from seire.evaluation import impact, reports, ux
from seire.evaluation.models import AnalysisPlan
from seire.organisation.models import OrgUnit, Service


class Command(BaseCommand):
    help = "Write a user-experience (ux) or impact report as a PDF, in Estonian or English."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=("ux", "impact"), help="which report")
        parser.add_argument("--service", help="ux: service code (VS)")
        parser.add_argument("--unit", help="ux: unit code (optional)")
        parser.add_argument("--period", help="ux: 2026M03, 2026Q1 or 2026")
        parser.add_argument("--plan", type=int, help="impact: the analysis plan's number")
        parser.add_argument("--lang", choices=("et", "en"), default="et", help="default et")
        parser.add_argument("-o", "--output", required=True, help="the PDF file to write")
        parser.add_argument("--numbers", help="also write the numbers as JSON to this file")

    def handle(self, *args, kind: str, **options):
        lang = options["lang"]
        with translation.override(lang):
            if kind == "ux":
                numbers, context, subject = self._ux(options, lang)
            else:
                numbers, context, subject = self._impact(options, lang)
            from seire.pdf import render_pdf  # WeasyPrint loads Pango: only PDFs need it

            template = f"evaluation/{'ux' if kind == 'ux' else 'impact'}.html"
            pdf = render_pdf(template, context)
        output = Path(options["output"])
        try:
            output.write_bytes(pdf)
            if options["numbers"]:
                Path(options["numbers"]).write_text(dumps(numbers), encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"cannot write {exc.filename}: {exc.strerror}") from None
        record(None, "export", subject, channel="cli", summary=f"{kind} report → {output.name}")
        self.stdout.write(f"wrote {output} ({len(pdf)} bytes)")

    def _ux(self, options, lang):
        if not options["service"] or not options["period"]:
            raise CommandError(
                "ux needs --service and --period (e.g. --service VS --period 2026Q1)"
            )
        service = Service.objects.filter(code=options["service"]).first()
        if service is None:
            known = ", ".join(Service.objects.order_by("code").values_list("code", flat=True))
            raise CommandError(
                f"--service: no service {options['service']!r}: expected one of {known}"
            )
        unit = None
        if options["unit"]:
            unit = OrgUnit.objects.filter(code=options["unit"]).first()
            if unit is None:
                raise CommandError(f"--unit: no unit {options['unit']!r}")
        try:
            period = str(periods.parse(options["period"]))
        except periods.PeriodError as exc:
            raise CommandError(f"--period: {exc}") from None
        numbers = ux.ux_numbers(service, unit, period)
        return numbers, reports.ux_context(service, unit, period, lang, numbers), service

    def _impact(self, options, lang):
        if options["plan"] is None:
            raise CommandError("impact needs --plan N (see the plans at /evaluation/)")
        plan = (
            AnalysisPlan.objects.select_related("instrument", "service")
            .filter(pk=options["plan"])
            .first()
        )
        if plan is None:
            raise CommandError(f"--plan: no analysis plan {options['plan']}")
        if not plan.locked:
            raise CommandError(f"plan {plan.pk} is not locked: lock it before running its report")
        numbers = impact.impact_numbers(plan)
        return numbers, reports.impact_context(plan, lang, numbers), plan


def dumps(numbers: dict) -> str:
    """The numbers as JSON with sorted keys (the same numbers give the same text)."""
    return json.dumps(numbers, sort_keys=True, ensure_ascii=False, indent=1) + "\n"
