"""How long a 3-story handout packet takes to render, in each format.

    python benchmarks/handouts.py [--repeats N] [--no-write]

Renders a packet of three sample stories (`stories/`) as Markdown, HTML and PDF (WeasyPrint), in memory,
N times each (median and slowest), and writes the table into docs/performance.md between the
`handouts` markers unless --no-write.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import statistics
import sys
import time
from pathlib import Path

import pypdf

from storybank import StoryBank

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "performance.md"
PACKET = ["church-basement-chairs", "volver-a-empezar", "blackjack-and-the-bridge"]
AS_OF = dt.date(2026, 11, 22)


def timings(bank: StoryBank, format_: str, repeats: int) -> list[float]:
    bank.handout(PACKET, format=format_)  # warm: templates compiled, fonts loaded
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        bank.handout(PACKET, format=format_)
        times.append(time.perf_counter() - start)
    return times


def report(repeats: int) -> str:
    with StoryBank.open(REPO / "stories", as_of=AS_OF) as bank:
        rows = {fmt: timings(bank, fmt, repeats) for fmt in ("md", "html", "pdf")}
        pages = len(pypdf.PdfReader(io.BytesIO(bank.handout(PACKET, format="pdf").data)).pages)
    lines = [
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC with `python benchmarks/handouts.py "
        f"--repeats {repeats}`: a packet of {len(PACKET)} sample stories ({', '.join(PACKET)}), "
        "rendered in memory after one warm-up.",
        "",
        "| format | median | slowest |",
        "| --- | ---: | ---: |",
    ]
    for fmt, times in rows.items():
        lines.append(f"| {fmt} | {statistics.median(times) * 1000:.0f} ms | {max(times) * 1000:.0f} ms |")
    lines += ["", f"The PDF has {pages} pages (a cover, then each story from a new page)."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    text = report(args.repeats)
    print(text)
    if not args.no_write:
        from doc_block import write_block  # benchmarks/ is on the path when run as a script

        write_block(DOC, "handouts", text, heading="## Handouts")
    return 0


if __name__ == "__main__":
    sys.exit(main())
