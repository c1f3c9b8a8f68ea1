"""Memory of `storybank serve`: the peak resident set size of one server process on synthetic banks.

    python benchmarks/serve_memory.py --sizes 10000,50000 [--workdir /tmp/storybank-speed] [--no-write]

For each size, makes the bank with benchmarks/speed.py's generator when it is missing, starts
`storybank serve --workers 1` on a free loopback port (words only, as the speed table's main rows),
waits for its first answer (a first search builds the index when there is none), then asks 200 searches
of every kind (single words, pairs, themes, long descriptions of a person) so its caches fill as in use,
and reads the process's peak RSS (VmHWM) from /proc. `serve` starts one such process per core by
default, each with its own index in memory. Writes the table into docs/performance.md between the
`serve-memory` markers unless --no-write.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import speed
from doc_block import write_block
from web_load import WORDS, free_port

from storybank.taxonomy import default_taxonomy

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "performance.md"
SEARCHES = 200
FIRST_ANSWER_SECONDS = 1800  # a 50,000-story bank's first search builds its index


def peak_rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="utf-8") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def ask(port: int, text: str, timeout: float) -> None:
    url = f"http://127.0.0.1:{port}/api/search?{urlencode({'q': text})}"
    with urllib.request.urlopen(url, timeout=timeout) as answer:
        answer.read()


def measure(folder: Path, queries: list[str]) -> tuple[float, float, float]:
    """(seconds to the first answer, peak RSS after it, peak RSS after the searches)."""
    port = free_port()
    env = {**os.environ, "STORYBANK_SEMANTIC": "off"}
    command = [sys.executable, "-m", "storybank", "--bank", str(folder), "serve", "--workers", "1"]
    server = subprocess.Popen([*command, "--port", str(port)], env=env, stderr=subprocess.DEVNULL)
    try:
        started = time.monotonic()
        while True:
            try:
                ask(port, "hope", timeout=FIRST_ANSWER_SECONDS)
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() - started > FIRST_ANSWER_SECONDS or server.poll() is not None:
                    raise SystemExit(f"storybank serve did not answer on {folder}") from None
                time.sleep(0.5)
        first = time.monotonic() - started
        after_first = peak_rss_mib(server.pid)
        for text in queries:
            ask(port, text, timeout=120)
        return first, after_first, peak_rss_mib(server.pid)
    finally:
        server.terminate()
        server.wait(30)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=speed.parse_sizes, default=[10_000, 50_000])
    parser.add_argument("--workdir", type=Path, default=speed.DEFAULT_WORKDIR)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    generator = speed.CorpusGenerator(speed.SEED, default_taxonomy())
    made = speed.make_queries(generator, speed.QUERY_SAMPLE, SEARCHES // 4)
    drawn = [q.text for (_kind, facets), chosen in made.by_kind.items() if facets for q in chosen]
    queries = [*WORDS, *drawn][:SEARCHES]
    rows: list[str] = []
    ready: list[int] = []
    for size in args.sizes:
        speed.ensure_corpus(args.workdir, size, generator, ready)
        ready.append(size)
        first, after_first, peak = measure(speed.bank_dir(args.workdir, size), queries)
        rows.append(f"| {size:,} | {first:.1f} s | {after_first:.0f} MiB | {peak:.0f} MiB |")
        print(rows[-1], flush=True)
    text = "\n".join(
        [
            f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC: `python benchmarks/serve_memory.py --sizes "
            f"{','.join(str(s) for s in args.sizes)}`; one `storybank serve` process (words only), "
            f"{len(queries)} searches of every kind after its first answer.",
            "",
            "| stories | first answer (index as found) | peak RSS after it | peak RSS after the searches |",
            "| ---: | ---: | ---: | ---: |",
            *rows,
        ]
    )
    print(text)
    if not args.no_write:
        write_block(DOC, "serve-memory", text, heading="## Memory of `storybank serve`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
