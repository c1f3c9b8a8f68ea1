"""What the teller and language signals cost warm search: the same bank, the same queries, in the same
run, once as storybank searches now (the person read from the words, the query's language first, and the
other languages counted) and once with those signals off (every language, no person read).

    python benchmarks/relatable_cost.py [--size 10000] [--repeats 3]

Uses benchmarks/speed.py's synthetic corpus and queries (its workdir, so a bank built there is reused).
Writes its table into docs/performance.md (between the `relatable-cost` markers). Target (issue 15): no
more than 10 % slower.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import speed
from doc_block import write_block

from storybank import StoryBank
from storybank.search import service
from storybank.search.teller import TellerCues
from storybank.taxonomy import default_taxonomy

DOC = Path(__file__).resolve().parent.parent / "docs" / "performance.md"


@contextlib.contextmanager
def signals_off() -> Iterator[None]:
    """Search as before the signals: no person read, no language detected (so every language)."""
    read, detect = service.read_person, service.detect
    service.read_person = lambda text: TellerCues()  # type: ignore[assignment]
    service.detect = lambda text, words=None: None  # type: ignore[assignment]
    try:
        yield
    finally:
        service.read_person, service.detect = read, detect  # type: ignore[assignment]


def timings(bank: StoryBank, texts: list[str], repeats: int) -> list[float]:
    seconds = []
    for _ in range(repeats):
        for text in texts:
            started = time.perf_counter()
            bank.search(text, limit=10)
            seconds.append(time.perf_counter() - started)
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    generator = speed.CorpusGenerator(speed.SEED, default_taxonomy())
    queries = speed.make_queries(generator, min(speed.QUERY_SAMPLE, args.size), 20)
    texts = [q.text for kind_queries in queries.by_kind.values() for q in kind_queries]
    texts += [  # descriptions of a person, as specialists type them
        "man in his fifties, a veteran, started drinking again after years sober",
        "teen girl anxious, vaping, parents fighting",
        "señor de 55 años que volvió a tomar después de años sin beber",
        "mom in her 30s used again after treatment",
    ] * 5
    speed.DEFAULT_WORKDIR.mkdir(parents=True, exist_ok=True)
    speed.ensure_corpus(speed.DEFAULT_WORKDIR, args.size, generator, [])
    with StoryBank.open(speed.bank_dir(speed.DEFAULT_WORKDIR, args.size)) as bank:
        bank.index()
        for text in texts[:20]:
            bank.search(text)  # warm: the searcher, its document sets, the dictionaries
        rows = []
        for _ in range(2):  # alternate, so a slow spell of the machine falls on both
            with signals_off():
                off = timings(bank, texts, args.repeats)
            on = timings(bank, texts, args.repeats)
            rows.append((off, on))
    off = [s for pair in rows for s in pair[0]]
    on = [s for pair in rows for s in pair[1]]

    def p(values: list[float], share: float) -> float:
        return sorted(values)[min(len(values) - 1, int(share * len(values)))] * 1000

    table = "\n".join(
        [
            f"`python benchmarks/relatable_cost.py --size {args.size}`: {len(texts)} queries "
            f"x {args.repeats} x 2 rounds, warm, {args.size:,} stories.",
            "",
            "| | median | p95 | mean |",
            "| --- | ---: | ---: | ---: |",
            f"| signals off | {p(off, 0.5):.1f} ms | {p(off, 0.95):.1f} ms | "
            f"{statistics.fmean(off) * 1000:.1f} ms |",
            f"| signals on (as storybank searches) | {p(on, 0.5):.1f} ms | {p(on, 0.95):.1f} ms | "
            f"{statistics.fmean(on) * 1000:.1f} ms |",
            f"| change | {p(on, 0.5) / p(off, 0.5) - 1:+.0%} | {p(on, 0.95) / p(off, 0.95) - 1:+.0%} | "
            f"{statistics.fmean(on) / statistics.fmean(off) - 1:+.0%} |",
        ]
    )
    print(table)
    if not args.no_write:
        write_block(
            DOC,
            "relatable-cost",
            table,
            heading="## The teller and language signals (`benchmarks/relatable_cost.py`)",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
