import time
import random
from tests.collection.test_episodes import episode, csv_bytes, HEADER, xlsx_bytes
from seire.collection.episodes import import_episodes, read_episodes
from seire.collection.models import Episode
from datetime import date

def test_bench(cast):
    rnd = random.Random(1)
    rows = []
    for n in range(40000):
        unit = rnd.choice(["HARJU-VS", "TARTU-VS"])
        rows.append(episode(f"S{n}", unit=unit, county=unit.split("-")[0],
                            crime_type=rnd.choice(["domestic_violence", "sexual_violence", ""]),
                            closed=rnd.choice(["", "2024-02-01"])))
    data = csv_bytes(rows)
    t = time.perf_counter(); read_episodes(data, "x.csv"); r = time.perf_counter() - t
    t = time.perf_counter(); res = import_episodes(cast.ann, data, "x.csv"); a = time.perf_counter() - t
    t = time.perf_counter(); res2 = import_episodes(cast.ann, data, "x.csv"); b = time.perf_counter() - t
    for row in rows[::2]:
        row["closure_reason"] = "moved"
    data3 = csv_bytes(rows)
    t = time.perf_counter(); res3 = import_episodes(cast.ann, data3, "x.csv"); c = time.perf_counter() - t
    xrows = [[r[col] for col in HEADER] for r in rows]
    xdata = xlsx_bytes(xrows, HEADER)
    t = time.perf_counter(); read_episodes(xdata, "x.xlsx"); x = time.perf_counter() - t
    print(f"\nCSV {len(data)/1e6:.1f} MB read+check {r:.2f}s; import {a:.2f}s {res}; reimport {b:.2f}s {res2}; half changed {c:.2f}s {res3}; xlsx read+check {x:.2f}s")
    assert Episode.objects.count() == 40000
