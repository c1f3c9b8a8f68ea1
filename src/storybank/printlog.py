"""The print log, `log/prints.jsonl` in the bank: one line per handout made, so that a later withdrawal
can tell curators which printed copies to recall.

A line holds the handout id, when it was printed, and each story's id and how long its consent was valid
— never the output file's name, and nothing about the person it was printed for.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from storybank import jsonlog
from storybank.jsonlog import LOG_DIR, LogRead

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
    return jsonlog.log_file(bank_root, PRINT_LOG)


def append(bank_root: Path, record: PrintRecord) -> None:
    """Add one line, whole, flushed to disk before the handout is written."""
    jsonlog.append(log_path(bank_root), record.to_dict())


def read(bank_root: Path) -> LogRead:
    """Every record of the log, and the line numbers of damaged lines (skipped)."""
    return jsonlog.read(log_path(bank_root))


__all__ = ["LOG_DIR", "PRINT_LOG", "PrintRecord", "append", "log_path", "read"]
