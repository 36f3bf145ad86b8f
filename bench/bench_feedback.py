"""Feedback submissions per second vs. the same server's trivial health endpoint.

The target (issue 5): under 32 concurrent clients on loopback, accepted submissions per
second to `POST /api/feedback/{survey}/responses` are at least 0.3× the throughput of
`GET /health/` on the same server, and every accepted submission is stored (accepted =
stored, counted in the database afterwards). The server is the real one — `seire runserver`
(threaded, no autoreload) with production settings (SEIRE_DEBUG=0, throwaway secrets) on a
throwaway SQLite database (WAL) that holds only the migrated schema and the shipped
catalogue. The per-address API limit is lifted for the run: every client is 127.0.0.1; every
request says it came through a TLS proxy (`X-Forwarded-Proto: https`), as in production.

Half of the submissions carry free text with a phone number, so the write path redacts,
encrypts, codes, routes and stores an inbox item. Phases run health → feedback → health →
feedback; each phase sends REQUESTS requests from CLIENTS threads (http.client, one
connection per request for both endpoints). The ratio uses the totals of both phases.
"""

import http.client
import json
import os
import secrets
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 32
REQUESTS = int(os.environ.get("SEIRE_BENCH_FEEDBACK_REQUESTS", "1600"))  # per phase
TARGET = 0.3
SURVEY = "vs-client"
# Production settings redirect plain HTTP to HTTPS; the server sits behind a TLS proxy.
PROXY = {"X-Forwarded-Proto": "https"}
TEXTS = [
    "Töötaja oli väga abivalmis, aga ootasin kaua. Helistage 5123 4567.",
    "Спасибо, очень помогли с документами для суда.",
    "",
    "",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(database: Path) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "SEIRE_DEBUG": "0",
        "SEIRE_SECRET_KEY": secrets.token_urlsafe(40),
        "SEIRE_PSEUDONYM_KEY": secrets.token_urlsafe(40),
        "SEIRE_FEEDBACK_KEY": secrets.token_urlsafe(40),
        "SEIRE_ALLOWED_HOSTS": "127.0.0.1",
        "SEIRE_FEEDBACK_API_LIMIT": "1000000000",
        "PYTHONUNBUFFERED": "1",
    }


def _seire(env: dict, *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "seire", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _wait_until_up(port: int, server: subprocess.Popen) -> None:
    for _ in range(300):
        if server.poll() is not None:
            raise RuntimeError("the server exited at start-up")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/health/", headers=PROXY)
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the server did not start")


def _body(n: int) -> bytes:
    answers = {"satisfaction": 1 + n % 5, "respected": "yes", "recommend": n % 11}
    text = TEXTS[n % len(TEXTS)]
    if text:
        answers["comment"] = text
    return json.dumps({"language": "et", "channel": "kiosk", "answers": answers}).encode()


def _phase(port: int, kind: str) -> tuple[float, list[float], dict[int, int]]:
    """(requests per second, latencies in seconds, {status: count}) of one phase."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    counter = iter(range(REQUESTS))

    def work():
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            started = time.perf_counter()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            try:
                if kind == "health":
                    connection.request("GET", "/health/", headers=PROXY)
                else:
                    connection.request(
                        "POST",
                        f"/api/feedback/{SURVEY}/responses",
                        body=_body(n),
                        headers={**PROXY, "Content-Type": "application/json"},
                    )
                response = connection.getresponse()
                response.read()
                status = response.status
            except OSError:  # refused or reset: the server's listen queue was full
                status = 0
            finally:
                connection.close()
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1

    threads = [threading.Thread(target=work) for _ in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    ok = statuses.get(201 if kind == "feedback" else 200, 0)
    return ok / wall, latencies, statuses


def _p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98] if len(values) > 1 else values[0]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        database = Path(tmp) / "bench.sqlite3"
        env = _env(database)
        _seire(env, "migrate", "--verbosity", "0")
        _seire(env, "catalogue", "load")
        port = _free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "seire", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_until_up(port, server)
            results = {"health": [], "feedback": []}
            for kind in ("health", "feedback", "health", "feedback"):
                results[kind].append(_phase(port, kind))
        finally:
            server.terminate()
            server.wait(timeout=30)
        with sqlite3.connect(database) as db:
            stored = db.execute("SELECT COUNT(*) FROM feedback_response").fetchone()[0]
            items = db.execute("SELECT COUNT(*) FROM feedback_feedbackitem").fetchone()[0]
    summary = {}
    for kind, phases in results.items():
        latencies = [x for _rate, lats, _s in phases for x in lats]
        statuses: dict[int, int] = {}
        for _rate, _lats, s in phases:
            for code, count in s.items():
                statuses[code] = statuses.get(code, 0) + count
        summary[kind] = {
            "rate": statistics.fmean(rate for rate, _l, _s in phases),
            "p99": _p99(latencies),
            "statuses": statuses,
        }
    accepted = summary["feedback"]["statuses"].get(201, 0)
    ratio = summary["feedback"]["rate"] / summary["health"]["rate"]
    print(f"clients: {CLIENTS}, requests per phase: {REQUESTS}, phases: 2 × health, 2 × feedback")
    print("(status 0: the connection was refused or reset before a response: not accepted)")
    for kind in ("health", "feedback"):
        s = summary[kind]
        print(
            f"{kind:9s} {s['rate']:8.1f} req/s  p99 {1000 * s['p99']:7.1f} ms  "
            f"statuses {dict(sorted(s['statuses'].items()))}"
        )
    verdict = "meets" if ratio >= TARGET else "MISSES"
    print(f"accepted submissions/s ÷ health req/s = {ratio:.2f} ({verdict} target ≥ {TARGET})")
    same = "yes" if accepted == stored else "NO"
    print(f"accepted = {accepted}, stored = {stored}: accepted = stored: {same}")
    print(f"inbox items made: {items}")


if __name__ == "__main__":
    main()
