"""The print log, `log/prints.jsonl` in the bank: one line per handout made, so that a later withdrawal
can tell curators which printed copies to recall.

A line holds the handout id, when it was printed, and each story's id and how long its consent was valid
— never the output file's name, and nothing about the person it was printed for.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

LOG_DIR = "log"
PRINT_LOG = "prints.jsonl"


@dataclass(frozen=True)
class PrintRecord:
    handout_id: str
    printed_at: dt.datetime
    printed_on: dt.date
    stories: list[tuple[str, dt.date | None]]  # (story id, consent valid until)

    def to_dict(self) -> dict[str, object]:
        return {
            "handout_id": self.handout_id,
            "printed_at": self.printed_at.isoformat(timespec="seconds"),
            "printed_on": self.printed_on.isoformat(),
            "stories": [
                {"id": story_id, "consent_valid_until": until.isoformat() if until else None}
                for story_id, until in self.stories
            ],
        }


def log_path(bank_root: Path) -> Path:
    return bank_root / LOG_DIR / PRINT_LOG


def append(bank_root: Path, record: PrintRecord) -> None:
    """Add one line, whole: one write under a lock, flushed to disk before the handout is written."""
    path = log_path(bank_root)
    path.parent.mkdir(exist_ok=True)
    line = (json.dumps(record.to_dict(), ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
    with open(path, "ab") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def records(bank_root: Path) -> Iterator[dict[str, object]]:
    """Every line of the log (a line cut short by a crash is skipped)."""
    path = log_path(bank_root)
    if not path.is_file():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            yield json.loads(line)
        except json.JSONDecodeError:
            continue
