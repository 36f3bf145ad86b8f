"""`seire demo [--addr 127.0.0.1:8000] [--no-serve]`: a working demo in one command."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from seire.catalogue.loader import load_catalogue
from seire.demo.seed import DEMO_PASSWORD, demo_accounts, has_demo_data, seed


class Command(BaseCommand):
    help = (
        "Migrate the database, load the catalogue, seed the synthetic country (seed 1) if the "
        "database has no demo data yet, print the demo accounts and run the development server."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--addr",
            default="127.0.0.1:8000",
            help="address and port to serve on (default 127.0.0.1:8000)",
        )
        parser.add_argument(
            "--no-serve", action="store_true", help="stop after printing the accounts (for tests)"
        )
        parser.add_argument("--years", type=int, default=3, help="years of demo data (default 3)")
        parser.add_argument(
            "--scale", type=float, default=1.0, help="volume relative to DOMAIN.md (default 1)"
        )

    def handle(self, *args, addr: str, no_serve: bool, years: int, scale: float, **options):
        verbosity = options["verbosity"]
        call_command("migrate", interactive=False, verbosity=max(0, verbosity - 1))
        load_catalogue()
        if has_demo_data():
            self.stdout.write("The database already holds demo data; not seeding again.")
        else:
            country = seed(seed=1, years=years, scale=scale, progress=verbosity >= 1)
            self.stdout.write(f"Seeded the synthetic country ({len(country.units)} units).")
        self.print_accounts()
        if not no_serve:
            call_command("runserver", addr, use_reloader=False)

    def print_accounts(self) -> None:
        rows = [("username", "password", "role", "scope")]
        rows += [(name, DEMO_PASSWORD, role, scope) for name, role, scope in demo_accounts()]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        self.stdout.write(f"\nDemo accounts (every password is {DEMO_PASSWORD!r}):")
        for index, row in enumerate(rows):
            cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
            self.stdout.write("  " + "  ".join([*cells, row[3]]).rstrip())
            if index == 0:
                self.stdout.write("  " + "  ".join("-" * w for w in [*widths, 5]))
        self.stdout.write("")
