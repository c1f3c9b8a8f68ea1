"""Precision and recall of each curation check on the labelled passages in tests/data/checks/.

    python benchmarks/checks.py [--no-write] [--show-misses]

A positive passage counts as found when a finding covers its expected term (for `warnings.undeclared`,
names its warning id; for `readability.grade`, any finding). Every other finding — on a negative passage,
or on a positive one away from the expected term — is a false alarm. Writes the table into docs/checks.md
between the `precision` markers unless --no-write.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from storybank.checks import TEXT_RULES, Context, Finding, check_passage
from storybank.models import Attribution

REPO = Path(__file__).resolve().parent.parent
LABELLED = REPO / "tests" / "data" / "checks" / "labelled.yaml"
HELDOUT = REPO / "tests" / "data" / "checks" / "heldout.yaml"
DOC = REPO / "docs" / "checks.md"


@dataclass
class Score:
    found: int = 0  # positives whose expected finding was made
    missed: int = 0
    false_alarms: int = 0
    positives: int = 0
    negatives: int = 0

    @property
    def precision(self) -> float:
        made = self.found + self.false_alarms
        return self.found / made if made else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.positives if self.positives else 1.0


def load(path: Path = LABELLED) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return items


def context_of(item: dict[str, Any]) -> Context:
    given = item.get("context") or {}
    return Context(
        attribution=Attribution(given.get("attribution", "anonymous")),
        display_name=given.get("display_name"),
        content_warnings=frozenset(given.get("content_warnings", [])),
        language=given.get("language", "en"),
    )


def covers(finding: Finding, item: dict[str, Any]) -> bool:
    expect = item.get("expect")
    if item["rule"] == "readability.grade" or expect is None:
        return True
    if item["rule"] == "warnings.undeclared":
        return finding.text == expect
    start = item["text"].find(expect)
    return start >= 0 and finding.start < start + len(expect) and start < finding.end


def evaluate(items: list[dict[str, Any]]) -> tuple[dict[str, Score], list[str]]:
    scores = {rule.id: Score() for rule in TEXT_RULES}
    misses: list[str] = []
    for item in items:
        score = scores[item["rule"]]
        findings = check_passage(item["rule"], item["text"], context_of(item))
        if item["label"] == "positive":
            score.positives += 1
            hit = [f for f in findings if covers(f, item)]
            score.found += bool(hit)
            score.missed += not hit
            score.false_alarms += len(findings) - len(hit)
            if not hit:
                misses.append(f"missed {item['rule']}: {item['text'][:90]!r}")
        else:
            score.negatives += 1
            score.false_alarms += len(findings)
            misses.extend(
                f"false alarm {item['rule']}: {f.text!r} in {item['text'][:80]!r}" for f in findings
            )
    return scores, misses


def report(scores: dict[str, Score], path: Path) -> str:
    lines = [
        f"`{path.relative_to(REPO)}`:",
        "",
        "| rule | positives | negatives | found | missed | false alarms | precision | recall |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for rule, s in scores.items():
        lines.append(
            f"| `{rule}` | {s.positives} | {s.negatives} | {s.found} | {s.missed} | {s.false_alarms} | "
            f"{s.precision:.2f} | {s.recall:.2f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args(argv)
    parts = [
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC with `python benchmarks/checks.py` "
        "(targets: precision >= 0.9, recall >= 0.8)."
    ]
    for path in (LABELLED, HELDOUT):
        if not path.is_file():
            continue
        scores, misses = evaluate(load(path))
        parts.append(report(scores, path))
        if args.show_misses:
            print("\n".join([f"{path.name}:", *misses, ""]))
    text = "\n\n".join(parts)
    print(text)
    if not args.no_write:
        from doc_block import write_block  # benchmarks/ is on the path when run as a script

        write_block(DOC, "precision", text, heading="## Measured")
    return 0


if __name__ == "__main__":
    sys.exit(main())
