"""Benchmarks for `make bench` (bench/run.py runs every `bench_*` module's `main`)."""

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def on_throwaway_sqlite(script: str, run: Callable[[Path], None], copy: str | None = None) -> None:
    """Set Django up on a new SQLite file (a copy of `copy`, if given) and call `run(path)`.

    When another benchmark has set Django up already in this process, `script` runs again in
    a process of its own instead, so every benchmark has its own database."""
    from django.conf import settings

    if settings.configured:
        subprocess.run([sys.executable, script], check=True, cwd=ROOT)
        return
    with tempfile.TemporaryDirectory() as tmp:
        database = Path(tmp) / "bench.sqlite3"
        if copy:
            shutil.copyfile(copy, database)
        os.environ["DATABASE_URL"] = f"sqlite:///{database}"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seire.settings")
        import django

        django.setup()
        run(database)
