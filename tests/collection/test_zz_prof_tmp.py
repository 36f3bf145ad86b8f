import cProfile, pstats, random, time
from tests.collection.test_episodes import episode, csv_bytes
from seire.collection.episodes import import_episodes
from django.db import connection

def test_prof(cast):
    rnd = random.Random(1)
    for size in (10000, 20000, 40000):
        rows = [episode(f"S{size}-{n}", opened=f"2023-{rnd.randint(1,12):02}-{rnd.randint(1,28):02}", closed="", first_contact="") for n in range(size)]
        import_episodes(cast.ann, csv_bytes(rows), "x.csv")
        for row in rows[::2]:
            row["closure_reason"] = "moved"
        data = csv_bytes(rows)
        pr = cProfile.Profile(); pr.enable(); import_episodes(cast.ann, data, "x.csv"); pr.disable()
        pstats.Stats(pr).sort_stats("tottime").print_stats(2)
