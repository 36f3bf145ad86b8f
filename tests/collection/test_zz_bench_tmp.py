import time
import random
from tests.collection.test_episodes import episode, csv_bytes, HEADER, xlsx_bytes, assessment, ASSESSMENT_HEADER
from seire.collection.episodes import import_episodes, read_episodes
from seire.collection.assessments import import_assessments
from seire.collection.models import Episode, Assessment
from python_calamine import CalamineWorkbook
import io

def test_bench(cast):
    rnd = random.Random(1)
    rows = []
    for n in range(40000):
        unit = rnd.choice(["HARJU-VS", "TARTU-VS"])
        rows.append(episode(f"S{n}", unit=unit, county=unit.split("-")[0],
                            crime_type=rnd.choice(["domestic_violence", "sexual_violence", ""]),
                            opened=f"2023-{rnd.randint(1,12):02}-{rnd.randint(1,28):02}",
                            closed="", first_contact=""))
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
    t = time.perf_counter(); CalamineWorkbook.from_filelike(io.BytesIO(xdata)).get_sheet_by_index(0).to_python(); x0 = time.perf_counter() - t
    t = time.perf_counter(); res4 = import_episodes(cast.ann, xdata, "x.xlsx"); x = time.perf_counter() - t
    arows = [assessment(f"A{n}", episode_source_id=f"S{n}", assessed_on="2024-06-01") for n in range(40000)]
    adata = csv_bytes(arows, header=ASSESSMENT_HEADER)
    t = time.perf_counter(); res5 = import_assessments(cast.ann, adata, "a.csv"); y = time.perf_counter() - t
    print(f"\nCSV {len(data)/1e6:.1f} MB read+check {r:.2f}s; import {a:.2f}s {res}; reimport {b:.2f}s {res2}; half changed {c:.2f}s {res3}; xlsx calamine alone {x0:.2f}s, import {x:.2f}s {res4}; assessments 40k {y:.2f}s {res5}")
    assert Episode.objects.count() == 40000
