"""Load on the web API: requests a second and p50/p95 of /api/search at 1 and 8 concurrent clients.

    python benchmarks/web_load.py --bank /tmp/storybank-speed/bank-10000 [--seconds 20] [--workers N]

Starts `uvicorn storybank.web:app_from_environment --factory` on a free loopback port with the given
bank (made by benchmarks/speed.py) and as many workers as `storybank serve` starts by default (one per
core, at most 4), warms it, then runs each level of concurrency for a fixed time (bounded runs, never
open-ended) with clients asking different queries. Writes the table into docs/performance.md
between the `web-load` markers unless --no-write.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

from storybank.cli import default_workers

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "performance.md"
WORDS = [
    "kitchen",
    "mother",
    "money",
    "work",
    "sleep",
    "night",
    "hope",
    "garden",
    "drink",
    "friend",
    "school",
    "church",
    "car",
    "phone",
    "doctor",
    "sister",
    "job",
    "rent",
    "court",
    "meeting",
    "family",
    "relapse",
    "anxiety",
    "group",
    "father",
    "winter",
    "morning",
    "letter",
    "music",
    "house",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(bank: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "STORYBANK_HOME": str(bank)}
    command = [
        *(sys.executable, "-m", "uvicorn", "storybank.web:app_from_environment", "--factory"),
        *("--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)),
        *("--log-level", "warning", "--no-access-log"),
    ]
    server = subprocess.Popen(command, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/themes", timeout=5).close()
            return server
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start within 60 s")


def run_level(port: int, clients: int, seconds: float) -> tuple[list[float], int]:
    """Each client asks queries back to back until time is up; return latencies and the error count."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    queries = itertools.cycle(
        f"{a} {b}" if i % 3 == 0 else a for i, (a, b) in enumerate(itertools.pairwise(WORDS))
    )

    def client() -> None:
        nonlocal errors
        while time.monotonic() < stop:
            with lock:
                text = next(queries)
            url = f"http://127.0.0.1:{port}/api/search?{urlencode({'q': text})}"
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(url, timeout=30) as answer:
                    answer.read()
                    ok = answer.status == 200
            except (urllib.error.URLError, ConnectionError):
                ok = False
            took = time.perf_counter() - started
            with lock:
                latencies.append(took)
                errors += not ok

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bank", type=Path, required=True)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    stories = sum(1 for name in os.listdir(args.bank) if name.endswith(".md"))
    port = free_port()
    server = start_server(args.bank, port, args.workers)
    try:
        run_level(port, args.workers, 5.0)  # warm every worker's index and caches
        rows = []
        p95 = {}
        for clients in (1, 8):
            latencies, errors = run_level(port, clients, args.seconds)
            p95[clients] = percentile(latencies, 0.95)
            rate, p50 = len(latencies) / args.seconds, statistics.median(latencies) * 1000
            tail = p95[clients] * 1000
            rows.append(f"| {clients} | {rate:.1f} | {p50:.0f} ms | {tail:.0f} ms | {errors} |")
            print(rows[-1], flush=True)
    finally:
        server.terminate()
        server.wait(30)
    ratio = p95[8] / p95[1]
    text = "\n".join(
        [
            f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC: `python benchmarks/web_load.py --bank … "
            f"--seconds {args.seconds:g} --workers {args.workers}` on {stories:,} stories, "
            f"{args.workers} uvicorn worker(s), loopback; `/api/search` with one- and two-word queries.",
            "",
            "| concurrent clients | requests/s | p50 | p95 | errors |",
            "| ---: | ---: | ---: | ---: | ---: |",
            *rows,
            "",
            f"p95 at 8 clients is {ratio:.1f}x the single-client p95 (issue 19's target: within 2x, "
            f"no errors) {'✓' if ratio <= 2 else '✗'}.",
        ]
    )
    print(text)
    if not args.no_write:
        from doc_block import write_block  # benchmarks/ is on the path when run as a script

        write_block(DOC, "web-load", text, heading="## Web API under load")
    return 0


if __name__ == "__main__":
    sys.exit(main())
