"""Append-only JSON Lines logs in a bank's `log/` folder (prints, exports, erasures).

A record is one line, written whole under a lock and flushed to disk. A line cut short by a crash never
swallows the next record (each record starts on a new line), and a damaged or non-UTF-8 line is reported
and skipped, never a reason to stop: a withdrawal must always be able to read the log for its recall list.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storybank.locking import locked

LOG_DIR = "log"
LOCK_TIMEOUT_SECONDS = 30.0


@dataclass
class LogRead:
    """The records of a log that could be read, each with its line number, and the numbers of the lines
    that could not."""

    records: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    damaged: list[int] = field(default_factory=list)


def log_file(bank_root: Path, name: str) -> Path:
    return bank_root / LOG_DIR / name


def append(path: Path, record: dict[str, Any]) -> None:
    """Add one record as one line, whole, before the caller goes on."""
    path.parent.mkdir(exist_ok=True)
    line = (json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
    lock = locked(path.with_name(f".{path.name}.lock"), LOCK_TIMEOUT_SECONDS)
    with lock, open(path, "a+b") as handle:  # appending; reading only to look at the last byte
        if handle.seek(0, os.SEEK_END):
            handle.seek(-1, os.SEEK_END)
            if handle.read(1) != b"\n":
                line = b"\n" + line  # the last write was cut short: its remains stay a line of their own
        handle.write(line)
        handle.flush()
        os.fsync(handle.fileno())


def read(path: Path) -> LogRead:
    """Every record of the log; lines that are not UTF-8 JSON objects are counted as damaged."""
    result = LogRead()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return result
    for number, raw in enumerate(data.split(b"\n"), 1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            result.damaged.append(number)
            continue
        if isinstance(record, dict):
            result.records.append((number, record))
        else:
            result.damaged.append(number)
    return result
