"""Crash injection: an indexer killed (SIGKILL, like `kill -9`) at many moments never leads to wrong results.

The indexer runs in a forked child process that kills itself right after its Nth file operation in the
index folder (a file created, closed, renamed or deleted — counted by wrapping Whoosh's file storage;
storybank runs unchanged). After each kill the test looks at what was left on disk, then searches
through a new StoryBank and compares with a bank that never had an index.
"""

from __future__ import annotations

import datetime as dt
import gc
import multiprocessing
import os
import shutil
import signal
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from whoosh import index
from whoosh.filedb import filestore, structfile

from helpers import SAMPLE_BANK
from storybank import StoryBank

TODAY = dt.date(2025, 6, 1)
STORIES = 10
QUERIES: list[dict[str, Any]] = [
    {"text": ""},
    {"text": "family"},
    {"text": "drinking again", "exclude_warnings": ["death"]},
    {"text": "work", "themes": ["employment"]},
]


def _kill_self_at(kill_at: int) -> None:
    operations = 0

    def counted(operation: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            nonlocal operations
            result = operation(*args, **kwargs)
            operations += 1
            if operations == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)
            return result

        return run

    storage = filestore.FileStorage
    storage.create_file = counted(storage.create_file)  # type: ignore[method-assign]
    storage.rename_file = counted(storage.rename_file)  # type: ignore[method-assign]
    storage.delete_file = counted(storage.delete_file)  # type: ignore[method-assign]
    structfile.StructFile.close = counted(structfile.StructFile.close)  # type: ignore[method-assign]


def _indexer(bank_dir: Path, rebuild: bool, kill_at: int) -> None:
    _kill_self_at(kill_at)
    StoryBank.open(bank_dir, as_of=TODAY).index(rebuild=rebuild)


def index_killed_at(bank_dir: Path, *, rebuild: bool, kill_at: int) -> bool:
    """Run an indexer that kills itself at its `kill_at`th file operation; True if it was killed."""
    child = multiprocessing.get_context("fork").Process(target=_indexer, args=(bank_dir, rebuild, kill_at))
    child.start()
    child.join(60)
    assert child.exitcode in (0, -signal.SIGKILL), f"the indexer failed otherwise: {child.exitcode}"
    return child.exitcode == -signal.SIGKILL


def left_on_disk(bank_dir: Path) -> str:
    """What a kill left, read with Whoosh directly: whole, behind (an older whole index), or damaged."""
    path = str(bank_dir / ".storybank" / "index")
    files = {p.stem for p in bank_dir.glob("*.md")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a damaged segment leaves its files open
        try:
            if not index.exists_in(path):
                return "damaged: missing"
            with index.open_dir(path).reader() as reader:
                ids = {fields["id"] for fields in reader.all_stored_fields()}
        except Exception:
            return "damaged: unreadable"
        finally:
            gc.collect()
    if not ids and files:
        return "damaged: empty"
    return "whole" if ids == files else "behind"


def results(bank: StoryBank) -> list[tuple[list[str], int, dict[str, int]]]:
    found = [bank.search(limit=50, **options) for options in QUERIES]
    return [([hit.story.id for hit in result.hits], result.total, result.facets) for result in found]


def expected(bank_dir: Path, tmp_path: Path) -> list[tuple[list[str], int, dict[str, int]]]:
    fresh = tmp_path / "fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(bank_dir, fresh, ignore=shutil.ignore_patterns(".storybank"))
    with StoryBank.open(fresh, as_of=TODAY) as bank:
        return results(bank)


@pytest.fixture
def bank_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "bank"
    folder.mkdir()
    for path in sorted(SAMPLE_BANK.glob("*.md"))[: STORIES + 1]:
        if path.name != "README.md":
            shutil.copy2(path, folder)
    StoryBank.open(folder, as_of=TODAY).index()
    return folder


def change_files(bank_dir: Path, round_: int, spare: Path) -> None:
    """Edit one story, withdraw or restore another, and remove or bring back a third."""
    first, second, *_ = sorted(p for p in bank_dir.glob("*.md") if p != spare)
    first.write_text(first.read_text() + f"\nRound {round_}.\n")
    text = second.read_text()
    withdrawn, kept = "withdrawn_on: 2025-01-01", "withdrawn_on: null"
    second.write_text(text.replace(kept, withdrawn) if kept in text else text.replace(withdrawn, kept))
    if spare.exists():
        spare.rename(spare.with_suffix(".away"))
    else:
        spare.with_suffix(".away").rename(spare)


def test_killed_rebuilds_leave_damage_that_the_next_search_repairs(bank_dir: Path, tmp_path: Path) -> None:
    right = expected(bank_dir, tmp_path)
    seen = []
    for kill_at in range(1, 400, 4):
        if not index_killed_at(bank_dir, rebuild=True, kill_at=kill_at):
            break  # the rebuild finished before this point: every moment was covered
        seen.append(left_on_disk(bank_dir))
        with StoryBank.open(bank_dir, as_of=TODAY) as bank:
            assert results(bank) == right, f"wrong results after a kill at {kill_at}"
    assert len(seen) >= 10
    assert any(state.startswith("damaged") for state in seen), seen


def test_killed_updates_never_serve_a_withdrawn_or_removed_story(bank_dir: Path, tmp_path: Path) -> None:
    spare = sorted(bank_dir.glob("*.md"))[-1]
    seen = []
    for kill_at in range(1, 16):  # an update takes 15-30 file operations here
        change_files(bank_dir, kill_at, spare)
        if not index_killed_at(bank_dir, rebuild=False, kill_at=kill_at):
            break
        seen.append(left_on_disk(bank_dir))
        with StoryBank.open(bank_dir, as_of=TODAY) as bank:
            assert results(bank) == expected(bank_dir, tmp_path), f"wrong results after a kill at {kill_at}"
    assert len(seen) >= 10
    assert "behind" in seen, seen
