"""What the semantic layer costs: embedding the bank, the vectors' memory, and warm search with and without
it, on the same bank and queries in the same run.

    python benchmarks/semantic_cost.py [--sizes 1000,10000] [--repeats 2] [--no-write]

Uses benchmarks/speed.py's synthetic corpus and queries (its workdir, so banks built there are reused) and
the person descriptions of benchmarks/relatable_cost.py. Needs the extra (`pip install -e '.[semantic]'`).
Writes its table into docs/performance.md (between the `semantic-cost` markers). Target (issue 16): warm
search p95 adds at most 30 ms at 10,000 stories.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import speed
from doc_block import write_block
from relatable_cost import timings

from storybank import StoryBank
from storybank.search import semantic
from storybank.settings import SearchSettings
from storybank.taxonomy import default_taxonomy

DOC = Path(__file__).resolve().parent.parent / "docs" / "performance.md"
PEOPLE = [
    "man in his fifties, a veteran, started drinking again after years sober and feels like a failure",
    "teen girl anxious, vaping, parents fighting, does not want to go to school",
    "señor de 55 años que volvió a tomar después de años sin beber y se siente solo",
    "mom in her 30s used again after treatment and is scared she will lose her kids",
]


def bank_with(folder: Path, on: bool) -> StoryBank:
    bank = StoryBank.open(folder)
    settings = bank.settings.model_copy(update={"search": SearchSettings(semantic=on)})
    return StoryBank(folder, settings=settings, taxonomy=bank.taxonomy)


def p(values: list[float], share: float) -> float:
    return sorted(values)[min(len(values) - 1, int(share * len(values)))] * 1000


def measure(size: int, texts: list[str], repeats: int, generator: speed.CorpusGenerator) -> str:
    speed.ensure_corpus(speed.DEFAULT_WORKDIR, size, generator, [])
    folder = speed.bank_dir(speed.DEFAULT_WORKDIR, size)
    words, meaning = bank_with(folder, False), bank_with(folder, True)
    words.index()
    (folder / ".storybank" / semantic.FILE_NAME).unlink(missing_ok=True)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    embedded = len(meaning.index().embedded)
    build = time.perf_counter() - started
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    vectors = folder / ".storybank" / semantic.FILE_NAME
    for text in texts[:20]:  # warm: the searchers, their document sets, the model, the matrix
        words.search(text)
        meaning.search(text)
    off, on = [], []
    for _ in range(2):  # alternate, so a slow spell of the machine falls on both
        off += timings(words, texts, repeats)
        on += timings(meaning, texts, repeats)
    megabytes = vectors.stat().st_size / 2**20
    return (
        f"| {size:,} | {embedded / build:.0f} stories/s ({build:.0f} s) | {megabytes:.0f} MB "
        f"| {grown:.0f} MB "
        f"| {p(off, 0.5):.1f} / {p(off, 0.95):.1f} ms | {p(on, 0.5):.1f} / {p(on, 0.95):.1f} ms "
        f"| {p(on, 0.95) - p(off, 0.95):+.1f} ms |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    if not semantic.available():
        print("the semantic extra is not installed: pip install -e '.[semantic]'", file=sys.stderr)
        return 2
    sizes = [int(size) for size in args.sizes.split(",")]
    generator = speed.CorpusGenerator(speed.SEED, default_taxonomy())
    queries = speed.make_queries(generator, min(speed.QUERY_SAMPLE, min(sizes)), 20)
    texts = [q.text for kind_queries in queries.by_kind.values() for q in kind_queries] + PEOPLE * 5
    speed.DEFAULT_WORKDIR.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    semantic.Encoder().encode(["a first sentence"])
    load = time.perf_counter() - started
    rows = [measure(size, texts, args.repeats, generator) for size in sizes]
    table = "\n".join(
        [
            f"`python benchmarks/semantic_cost.py --sizes {args.sizes}`: {len(texts)} queries "
            f"x {args.repeats} x 2 rounds, warm, on speed.py's synthetic banks. Loading the model: "
            f"{load:.2f} s (once a process).",
            "",
            "| stories | embedding (all stories) | vectors file | memory grown | words only: median / p95 "
            "| with meaning: median / p95 | p95 added |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
            *rows,
        ]
    )
    print(table)
    if not args.no_write:
        write_block(
            DOC, "semantic-cost", table, heading="## The semantic layer (`benchmarks/semantic_cost.py`)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
