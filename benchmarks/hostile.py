"""What a hostile story file or query costs: fresh `storybank check`, `list` and `search` processes on a
bank holding the sample stories and one broken file, and warm library searches of bounded long queries.

    python benchmarks/hostile.py [--repeats 3]

Writes its table into docs/performance.md (between the `hostile` markers). Targets (issue 12): `check`
exits 1 within 5 s for each broken file; a 10,000-character query returns within 2 s.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from doc_block import write_block

from helpers import SAMPLE_BANK, alias_bomb, broken_story
from storybank import StoryBank

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "performance.md"


TRIGGERS = {
    "`? [a, b]` (a list as a key)": "? [a, b]\n: x\n",
    "an integer of 4,301 digits": "n: " + "7" * 4301 + "\n",
    "`!!timestamp 2023-02-30`": "d: !!timestamp 2023-02-30\n",
    "`!!bool maybe`": "f: !!bool maybe\n",
    "nine-level alias bomb (4 KB)": alias_bomb(9),
}


def _seconds(command: list[str], repeats: int) -> tuple[float, int]:
    best, code = float("inf"), 0
    for _ in range(repeats):
        started = time.perf_counter()
        code = subprocess.run(command, capture_output=True, check=False).returncode
        best = min(best, time.perf_counter() - started)
    return best, code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rows = ["| case | command | best of runs | exit code |", "|---|---|---:|---:|"]
    with tempfile.TemporaryDirectory() as folder:
        bank = Path(folder) / "bank"
        shutil.copytree(SAMPLE_BANK, bank)
        cli = [sys.executable, "-m", "storybank", "--bank", str(bank)]
        for name, trigger in TRIGGERS.items():
            (bank / "broken-story.md").write_text(broken_story(trigger))
            for command in (["check"], ["list"], ["search", "relapse"]):
                seconds, code = _seconds(cli + command, args.repeats)
                rows.append(f"| {name} | `{' '.join(command)}` | {seconds:.2f} s | {code} |")
        (bank / "broken-story.md").unlink()
        seconds, code = _seconds([*cli, "search", "relapse " * 1250], args.repeats)
        rows.append(f"| a 10,000-character query | `search` (refused, one line) | {seconds:.2f} s | {code} |")
        with StoryBank.open(bank) as warm:
            warm.search("warm up")
            for name, text in (
                ("1,000 characters of story words", " ".join(["kitchen", "relapse", "family", "hope"] * 50)),
                ("a 990-letter unknown word", "relapse " + "q" * 990),
                ("60 unknown words", " ".join(f"zq{'x' * (n % 20)}w" for n in range(60))),
            ):
                started = time.perf_counter()
                warm.search(text[:1000])
                rows.append(f"| {name} | warm library search | {time.perf_counter() - started:.2f} s | - |")
    table = "\n".join(rows)
    print(table)
    write_block(DOC, "hostile", table, heading="## Hostile files and queries (`benchmarks/hostile.py`)")


if __name__ == "__main__":
    main()
