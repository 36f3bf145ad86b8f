"""`seire disclosure protect …` and `seire disclosure audit …` on CSV files.

protect: `--input T.csv --dims a,b[,c…] --value count [--threshold 5] [--protection 5]
[--publish "a,b;a,month:quarter;b"] [--method suppression|round3|round5|cell_key]
--output OUT.csv`. The input holds inner (base) cells; the output every published cell,
totals labelled TOTAL, suppressed values empty, and a `status` column (with `--publish`, also
a `table` column; with rounding or cell-key, a `method` column too). A `--publish` entry
`dim:quarter` or `dim:year` publishes a time dimension (month codes such as 2026M03)
aggregated to quarters or years. `--method cell_key` reads one row per record with
`--record-id COLUMN` (the secret for the record keys from the environment variable named by
`--secret-env`, default SEIRE_CELL_KEY_SECRET), or inner cells with a `cell_key` column.

audit: `--input OUT.csv --original T.csv --dims … --value count [--threshold 5]
[--protection 5]`: the feasible interval of each suppressed cell; exit code 1 if a sensitive
cell is published or under-protected. A `table` column in OUT.csv means linked tables. An
OUT.csv with a `method` column (rounding, cell-key) is audited for exact recovery instead:
each small cell's range over all whole tables consistent with the published values; exit
code 1 if one is pinned. Each audit prints what its method guarantees and what it does not.
"""

from __future__ import annotations

import math
import os
import time

import pandas as pd
from django.core.management.base import BaseCommand, CommandError

from seire.disclosure import (
    DEFAULT_THRESHOLD,
    GUARANTEES,
    DisclosureError,
    PTable,
    audit_linked,
    audit_ranges,
    cell_key_range,
    cells_from_records,
    perturb,
    protect,
    protect_linked,
    round_table,
    rounding_range,
)
from seire.disclosure.protect import DERIVED, PUBLISHED
from seire.disclosure.tables import check_frame, parse_entry


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
    """`"a,b;a,month:quarter"` → [("a", "b"), ("a", "month:quarter")]."""
    tables = [tuple(split_dims(part)) for part in text.split(";") if part.strip()]
    for table in tables:
        unknown = [d for d in table if d.partition("@")[0].partition(":")[0] not in dims]
        if unknown:
            raise CommandError(f"--publish names {', '.join(unknown)}, not among --dims")
        for entry in table:
            try:
                parse_entry(entry, dims)  # a level, a span (`month:total@2026M01..2026M03`)
            except DisclosureError as exc:
                raise CommandError(f"--publish: {exc.message}") from None
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
            "--method",
            choices=["suppression", "round3", "round5", "cell_key"],
            default="suppression",
        )
        protect_parser.add_argument("--time-limit", type=float, default=60.0)
        protect_parser.add_argument(
            "--record-id", default=None, help="cell_key: the input has one row per record"
        )
        protect_parser.add_argument("--secret-env", default="SEIRE_CELL_KEY_SECRET")
        for sub in (protect_parser, audit_parser):
            sub.add_argument("--max-noise", type=int, default=2, help="cell_key")
            sub.add_argument("--variance", type=float, default=1.0, help="cell_key")
            sub.add_argument("--small", type=int, default=2, help="cell_key: never published")
        audit_parser.add_argument("--original", required=True, help="the inner cells")

    def handle(self, *args, action: str, **options):
        dims = split_dims(options.pop("dims"))
        if action == "protect":
            self.run_protect(dims, **options)
        else:
            self.run_audit(dims, **options)

    def run_protect(
        self, dims, *, input, value, threshold, protection, output, publish, method, time_limit,
        **options,
    ):  # noqa: A002 (the option's name)  # fmt: skip
        frame = read_csv(input)
        started = time.monotonic()
        try:
            if method == "cell_key":
                out = self.cell_key(frame, dims, value, publish, **options)
            elif method.startswith("round"):
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
        if "status" in out.columns and "method" not in out.columns:
            out[value] = out[value].astype("Int64").where(out["status"] == "published")
        out.to_csv(output, index=False)
        elapsed = time.monotonic() - started
        if "status" in out.columns and "method" not in out.columns:
            counts = out["status"].value_counts()
            self.stdout.write(
                f"{len(out)} cells: {counts.get('primary', 0)} primary, "
                f"{counts.get('secondary', 0)} secondary suppressions; "
                f"wrote {output} in {elapsed:.1f} s"
            )
        else:
            self.stdout.write(f"{len(out)} cells, {out['method'].iloc[0]}; wrote {output}")

    def cell_key(self, frame, dims, value, publish, *, record_id, secret_env, **options):
        ptable = PTable(options["max_noise"], options["variance"], options["small"])
        if record_id:
            secret = os.environ.get(secret_env, "")
            if not secret:
                raise CommandError(f"--method cell_key: set the secret in ${secret_env}")
            cells = cells_from_records(frame, dims, record_id, secret)
            cells = cells.rename(columns={"count": value})
        elif "cell_key" in frame.columns:
            cells = frame
        else:
            raise CommandError(
                "--method cell_key needs --record-id (one row per record) or a cell_key column"
            )
        tables = split_publish(publish, dims) if publish else None
        return perturb(cells, dims, value, "cell_key", tables, ptable)

    def run_audit(self, dims, *, input, original, value, threshold, protection, **options):  # noqa: A002
        published = read_csv(input)
        base = read_csv(original)
        try:
            check_frame(base, dims, value)
        except DisclosureError as exc:
            raise located(original, exc) from None
        if "table" not in published.columns:  # one table: every cell belongs to it
            published.insert(0, "table", ",".join(dims))
        if "method" in published.columns:
            return self.audit_perturbed(published, base, dims, value, threshold, protection,
                                        **options)  # fmt: skip
        try:
            result = audit_linked(published, base, dims, value, protection, threshold)
        except DisclosureError as exc:
            raise located(input, exc) from None
        bad = result[~result["ok"]]
        derived = int((result["status"] == DERIVED).sum())
        suppressed = int((~result["status"].isin([PUBLISHED, DERIVED])).sum())
        self.stdout.write(
            f"{suppressed} suppressed cells audited"
            + (
                f", and {derived} cells of periods no table shows, given by difference"
                if derived
                else ""
            )
        )
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

    def audit_perturbed(self, published, base, dims, value, threshold, protection, **options):
        method = str(published["method"].iloc[0])
        try:
            if method.startswith("rounded to base"):
                name, counts_of = "rounding", rounding_range(int(method.split()[3].rstrip(";")))
            elif method.startswith("cell-key"):
                ptable = PTable(options["max_noise"], options["variance"], options["small"])
                name, counts_of = "cell_key", cell_key_range(ptable)
            else:
                raise CommandError(f"unknown method {method!r} in the method column")
            result = audit_ranges(published, base, dims, value, counts_of, threshold, protection)
        except DisclosureError as exc:
            raise CommandError(f"{exc.message}") from None
        self.stdout.write(f"{method}: {len(result)} small cells audited")
        self.stdout.write(GUARANTEES[name])
        pinned = result[result["exact"]]
        for row in result.itertuples(index=False):
            cell = ", ".join(f"{d}={getattr(row, d)}" for d in dims)
            flag = "RECOVERABLE" if row.exact else "range"
            self.stdout.write(f"{flag} {cell}: value {getattr(row, value)}, "
                              f"[{row.low}, {row.high}]")  # fmt: skip
        if len(pinned):
            raise CommandError(f"{len(pinned)} small cell(s) recoverable exactly")
        self.stdout.write("audit clean: no small cell can be recovered exactly")
