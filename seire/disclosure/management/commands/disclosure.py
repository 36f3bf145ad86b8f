"""`seire disclosure protect …` and `seire disclosure audit …` on CSV files.

protect: `--input T.csv --dims a,b[,c…] --value count [--threshold 5] [--protection 5]
[--publish "a,b;a,c;b"] [--method suppression|round3|round5] --output OUT.csv`. The input
holds inner (base) cells; the output every published cell, totals labelled TOTAL, suppressed
values empty, and a `status` column (with `--publish`, also a `table` column; with rounding,
a `method` column instead).

audit: `--input OUT.csv --original T.csv --dims … --value count [--threshold 5]
[--protection 5]`: the feasible interval of each suppressed cell; exit code 1 if a sensitive
cell is published or under-protected. A `table` column in OUT.csv means linked tables.
"""

from __future__ import annotations

import math
import time

import pandas as pd
from django.core.management.base import BaseCommand, CommandError

from seire.disclosure import (
    DEFAULT_THRESHOLD,
    DisclosureError,
    audit_linked,
    protect,
    protect_linked,
    round_table,
)
from seire.disclosure.tables import check_frame


def read_csv(path: str) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise CommandError(f"{path}: no such file") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise CommandError(f"{path}: not a readable CSV file ({exc})") from None


def located(path: str, exc: DisclosureError) -> CommandError:
    """The error with the file, the CSV line (header is line 1) and the column."""
    where = [path]
    if exc.row is not None:
        where.append(f"row {exc.row + 2}")
    if exc.column is not None:
        where.append(f"column {exc.column}")
    return CommandError(f"{', '.join(where)}: {exc.message}")


def split_dims(text: str) -> list[str]:
    dims = [d.strip() for d in text.split(",") if d.strip()]
    if not dims:
        raise CommandError("--dims names no dimension")
    return dims


def split_publish(text: str, dims: list[str]) -> list[tuple[str, ...]]:
    tables = [tuple(split_dims(part)) for part in text.split(";") if part.strip()]
    for table in tables:
        unknown = [d for d in table if d not in dims]
        if unknown:
            raise CommandError(f"--publish names {', '.join(unknown)}, not among --dims")
    return tables


class Command(BaseCommand):
    help = "Protect a frequency table (cell suppression or rounding) or audit a protected one."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{protect,audit}")
        protect_parser = actions.add_parser("protect", help="suppress or round a table")
        audit_parser = actions.add_parser("audit", help="feasible intervals of suppressed cells")
        for sub in (protect_parser, audit_parser):
            sub.add_argument("--input", required=True)
            sub.add_argument("--dims", required=True, help="comma-separated dimension columns")
            sub.add_argument("--value", required=True, help="the count column")
            sub.add_argument("--threshold", type=int, default=DEFAULT_THRESHOLD)
            sub.add_argument("--protection", type=float, default=None)
        protect_parser.add_argument("--output", required=True)
        protect_parser.add_argument("--publish", default=None, help='e.g. "a,b;a,c;b"')
        protect_parser.add_argument(
            "--method", choices=["suppression", "round3", "round5"], default="suppression"
        )
        protect_parser.add_argument("--time-limit", type=float, default=60.0)
        audit_parser.add_argument("--original", required=True, help="the inner cells")

    def handle(self, *args, action: str, **options):
        dims = split_dims(options.pop("dims"))
        if action == "protect":
            self.run_protect(dims, **options)
        else:
            self.run_audit(dims, **options)

    def run_protect(
        self, dims, *, input, value, threshold, protection, output, publish, method, time_limit, **_
    ):  # noqa: A002 (the option's name)
        frame = read_csv(input)
        started = time.monotonic()
        try:
            if method.startswith("round"):
                if publish:
                    raise CommandError("--publish works with suppression only")
                out = round_table(frame, dims, value, base=int(method[-1]))
            elif publish:
                tables = split_publish(publish, dims)
                out = protect_linked(
                    frame, dims, value, tables, threshold, protection, time_limit=time_limit
                )
            else:
                out = protect(frame, dims, value, threshold, protection, time_limit=time_limit)
        except DisclosureError as exc:
            raise located(input, exc) from None
        if "status" in out.columns:
            out[value] = out[value].astype("Int64").where(out["status"] == "published")
        out.to_csv(output, index=False)
        elapsed = time.monotonic() - started
        if "status" in out.columns:
            counts = out["status"].value_counts()
            self.stdout.write(
                f"{len(out)} cells: {counts.get('primary', 0)} primary, "
                f"{counts.get('secondary', 0)} secondary suppressions; "
                f"wrote {output} in {elapsed:.1f} s"
            )
        else:
            self.stdout.write(f"{len(out)} cells, {out['method'].iloc[0]}; wrote {output}")

    def run_audit(self, dims, *, input, original, value, threshold, protection, **_):  # noqa: A002
        published = read_csv(input)
        base = read_csv(original)
        try:
            check_frame(base, dims, value)
        except DisclosureError as exc:
            raise located(original, exc) from None
        if "table" not in published.columns:  # one table: every cell belongs to it
            published.insert(0, "table", ",".join(dims))
        try:
            result = audit_linked(published, base, dims, value, protection, threshold)
        except DisclosureError as exc:
            raise located(input, exc) from None
        bad = result[~result["ok"]]
        suppressed = int((result["status"] != "published").sum())
        self.stdout.write(f"{suppressed} suppressed cells audited")
        for row in bad.itertuples(index=False):
            cell = ", ".join(f"{d}={getattr(row, d)}" for d in dims)
            high = "∞" if math.isinf(row.high) else f"{row.high:g}"
            self.stdout.write(
                f"UNDER-PROTECTED {cell}: value {getattr(row, value)} ({row.status}), "
                f"interval [{row.low:g}, {high}], "
                f"needed [≤{row.needed_low:g}, ≥{row.needed_high:g}]"
            )
        if len(bad):
            raise CommandError(f"{len(bad)} sensitive cell(s) under-protected")
        self.stdout.write("audit clean: every sensitive cell is protected")
