"""`seire seed --seed N --years Y --scale S [--flush]`: the synthetic country."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from seire.demo.seed import flush_project_data, has_demo_data
from seire.demo.seed import seed as build_country


class Command(BaseCommand):
    help = (
        "Fill an empty database with a deterministic synthetic country (demo and tests). "
        "Refuses a database that already holds organisation data unless --flush is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--years", type=int, default=3, help="full calendar years of data (default 3)"
        )
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="multiplies episodes, responses and values (default 1)",
        )
        parser.add_argument(
            "--flush",
            action="store_true",
            help="first delete every row of Seire's apps, the users and the "
            "audit trail (demo databases only)",
        )

    def handle(self, *args, seed: int, years: int, scale: float, flush: bool, **options):
        if years < 1 or scale <= 0:
            raise CommandError("--years must be at least 1 and --scale greater than 0")
        with transaction.atomic():  # a failed seed after --flush leaves the old data
            if flush:
                flush_project_data()
            elif has_demo_data():
                raise CommandError(
                    "the database already holds providers, partners or demo users; "
                    "run `seire seed --flush` to delete Seire's data and seed again"
                )
            country = build_country(seed, years, scale, progress=options["verbosity"] >= 1)
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"Seeded seed {seed}: {len(country.units)} units, {len(country.providers)} "
                f"provisions, {len(country.partners)} partners, "
                f"{country.first_day:%Y-%m-%d} … {country.last_day:%Y-%m-%d}."
            )
