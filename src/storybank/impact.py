"""Knowing a story helped, without watching anyone: anonymous counts in the bank's `log/impact.jsonl`.

A record is exactly `{"story": ID, "kind": KIND, "month": "YYYY-MM"}` — no person, no time of day, no
query, no free text, no address, no specialist: a count may say a story helped, never who it helped or
who said so. The log is kept with the bank (it is not a cache), appended like the print log.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from storybank import jsonlog
from storybank.locking import locked

IMPACT_LOG = "impact.jsonl"
FIELDS = ("kind", "month", "story")  # every field a record has: a test holds the log to exactly these


class Kind(StrEnum):
    """The three things a specialist may mark after sharing (NEON's feedback questions, in our words)."""

    HELPED = "helped"  # it helped
    RELATABLE = "relatable"  # it felt like their own
    LEARNED = "learned"  # they learned something


FIGURES = ("printed", "exported", *(str(kind) for kind in Kind))  # what a report and a letter show


@dataclass
class StoryImpact:
    """What is known of one story's use: prints and exports from their logs, and the marks."""

    printed: int = 0
    exported: int = 0
    marks: Counter[str] = field(default_factory=Counter)

    def to_dict(self) -> dict[str, int]:
        return {"printed": self.printed, "exported": self.exported, **{k: self.marks[k] for k in Kind}}


def record(bank_root: Path, story_id: str, kind: Kind, on: dt.date) -> dict[str, str]:
    """Append one mark: the story, the kind and the month, and nothing else."""
    entry = {"story": story_id, "kind": str(kind), "month": f"{on:%Y-%m}"}
    jsonlog.append(jsonlog.log_file(bank_root, IMPACT_LOG), entry)
    return entry


def marks(bank_root: Path, *, since: dt.date | None = None) -> dict[str, Counter[str]]:
    """Marks by story and kind (since the month of `since`); records of the wrong shape are skipped."""
    first = f"{since:%Y-%m}" if since else ""
    counts: dict[str, Counter[str]] = {}
    for _, entry in jsonlog.read(jsonlog.log_file(bank_root, IMPACT_LOG)).records:
        story, kind, month = entry.get("story"), entry.get("kind"), entry.get("month")
        if not (isinstance(story, str) and kind in set(Kind) and isinstance(month, str)) or month < first:
            continue
        counts.setdefault(story, Counter())[str(kind)] += 1
    return counts


def erase(bank_root: Path, story_id: str) -> int:
    """Remove every mark of a story (its erasure); how many there were. The log is rewritten whole,
    under the lock its appends take, so no mark of another story is lost."""
    path = jsonlog.log_file(bank_root, IMPACT_LOG)
    if not path.exists():
        return 0
    with locked(path.with_name(f".{path.name}.lock"), jsonlog.LOCK_TIMEOUT_SECONDS):
        kept, removed = [], 0
        for line in path.read_bytes().split(b"\n"):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                kept.append(line)  # a damaged line is not this story's to drop
                continue
            if isinstance(entry, dict) and entry.get("story") == story_id:
                removed += 1
            else:
                kept.append(line)
        if removed:
            temporary = path.with_name(f".{path.name}.rewrite")
            temporary.write_bytes(b"".join(line + b"\n" for line in kept))
            os.replace(temporary, path)
    return removed
