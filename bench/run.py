"""`make bench`: run every benchmark in bench/ and print its ratios (measured in one run)."""

import importlib
import pkgutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    names = [
        m.name
        for m in pkgutil.iter_modules([str(Path(__file__).parent)])
        if m.name.startswith("bench_")
    ]
    if not names:
        print("no benchmarks yet")
        return
    for name in sorted(names):
        module = importlib.import_module(f"bench.{name}")
        print(f"== {name}")
        module.main()


if __name__ == "__main__":
    main()
