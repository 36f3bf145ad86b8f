"""Many providers saving their grids at once: every save that is accepted is stored.

30 providers (one per unit) save a month of their table each — 8 elements × 10 columns,
consistent totals — for 6 months, all at the same time from threads, through the same
write path as the web grid, Excel, CSV and the API (`import_cells`: check, write, hard
rules, audit, in one transaction) on a SQLite file in WAL mode. Then each of them corrects
every month once more, sending the versions it read (the grid's optimistic check). Printed:
saves made, accepted, refused (with why), and cells expected vs stored with the values
last accepted; lost must be 0.
"""

import random
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MONTHS = 6


def main() -> None:
    from bench import on_throwaway_sqlite

    on_throwaway_sqlite(__file__, lambda _database: run())


def run() -> None:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from bench.bench_excel_import import YEAR, _national_table
    from seire.collection.models import DataValue
    from seire.organisation.models import Responsibility

    call_command("migrate", verbosity=0)
    dataset, units, _analyst = _national_table()
    dataset.lock_days = 30_000  # every month of the year stays open to its provider
    dataset.save(update_fields=["lock_days"])
    providers = []
    for unit in units:
        user = get_user_model().objects.create_user(f"p-{unit.code}", password=None)
        Responsibility.objects.create(person=user, role="provider", unit=unit)
        providers.append((user, unit))
    elements = list(dataset.elements.order_by("sort").values_list("code", flat=True))
    combos = list(
        dataset.elements.first()
        .disaggregation.combos.exclude(code="total")
        .values_list("code", flat=True)
    )
    months = [f"{YEAR}M{m:02d}" for m in range(1, MONTHS + 1)]
    connection.close()  # each thread opens its own

    outcomes: Counter = Counter()
    accepted: dict = {}  # (unit, period) → the grid last accepted
    lock = threading.Lock()
    start = threading.Barrier(len(providers))

    def provider(user, unit, seed: int, round_: int) -> None:
        from seire.collection.services import Refused

        rng = random.Random(seed)
        start.wait()
        try:
            for period in months:
                grid = _grid(rng, elements, combos)
                versions = _versions(dataset, unit, period) if round_ else {}
                cells = _cells(grid, unit.code, period, versions)
                try:
                    _save(user, dataset, cells)
                except Refused as refused:
                    with lock:
                        outcomes[f"refused: {refused.problems[0].message[:60]}"] += 1
                except Exception as error:  # a lock timeout, …: not accepted, so not lost
                    with lock:
                        outcomes[f"failed: {type(error).__name__}: {str(error)[:60]}"] += 1
                else:
                    with lock:
                        outcomes["accepted"] += 1
                        accepted[(unit.code, period)] = grid
                finally:
                    with lock:
                        outcomes["made"] += 1
        finally:
            connection.close()

    for round_ in (0, 1):
        threads = [
            threading.Thread(target=provider, args=(user, unit, n + 100 * round_, round_))
            for n, (user, unit) in enumerate(providers)
        ]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
        print(
            f"round {round_ + 1} ({'first entry' if round_ == 0 else 'corrections'}): "
            f"{len(providers)} providers × {MONTHS} saves of {len(elements) * (len(combos) + 1)}"
            f" cells in {elapsed:.1f} s = {len(providers) * MONTHS / elapsed:.1f} saves/s"
        )

    stored = {
        (u, p, e, c): v
        for u, p, e, c, v in DataValue.objects.filter(element__dataset=dataset).values_list(
            "unit__code", "period", "element__code", "combo__code", "value"
        )
    }
    expected = {
        (u, p, e, c): v
        for (u, p), grid in accepted.items()
        for (e, c), v in grid.items()
    }  # fmt: skip
    lost = sum(1 for key, value in expected.items() if stored.get(key) != value)
    refused = {k: n for k, n in outcomes.items() if k not in ("made", "accepted")}
    # A save that fails (e.g. SQLite's busy timeout passing) is not accepted: the provider
    # sees an error and keeps the grid; it is counted here, never as lost.
    print(f"saves made: {outcomes['made']}, accepted: {outcomes['accepted']}, other: {refused}")
    print(
        f"cells of accepted saves: {len(expected)}, stored with the accepted value: "
        f"{len(expected) - lost}; lost = {lost} (target 0)"
    )


def _grid(rng: random.Random, elements: list[str], combos: list[str]) -> dict:
    """One month of a unit: every element's columns and their total."""
    from decimal import Decimal

    grid = {}
    for element in elements:
        # E2 ≤ E1 is a hard rule of the table: E2's columns stay small.
        parts = {combo: rng.randint(0, 20 if element != "E2" else 2) for combo in combos}
        grid |= {(element, combo): Decimal(n) for combo, n in parts.items()}
        grid[(element, "total")] = Decimal(sum(parts.values()))
    return grid


def _versions(dataset, unit, period) -> dict:
    from seire.collection.models import DataValue

    rows = DataValue.objects.filter(element__dataset=dataset, unit=unit, period=period)
    return {(e, c): v for e, c, v in rows.values_list("element__code", "combo__code", "version")}


def _cells(grid: dict, unit: str, period: str, versions: dict) -> list:
    from seire.collection.services import Cell

    return [
        Cell(e, c, unit, period, int(value), versions.get((e, c)), where=f"{e}[{c}]")
        for (e, c), value in grid.items()
    ]


def _save(user, dataset, cells) -> None:
    from seire.collection.value_import import import_cells

    import_cells(user, dataset, cells, "web")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
