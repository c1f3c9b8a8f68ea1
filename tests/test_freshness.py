"""A warm bank learns of other processes' changes from file-system events (search/freshness.py): its
totals follow a withdrawal within a second without a stat of every file on each search, and a withdrawn
story is never served while they catch up."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from helpers import front_matter, story_text
from storybank import StoryBank
from storybank.search import freshness, service
from storybank.search.freshness import FolderWatch, Freshness

TODAY = dt.date(2025, 6, 1)
WriteStory = Callable[..., Path]


def eventually(condition: Callable[[], bool], seconds: float = 1.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def running(watch: FolderWatch) -> FolderWatch:
    assert watch.wait_ready(), "the watch did not start"
    return watch


@pytest.fixture
def warm_bank(write_story: WriteStory, bank_dir: Path, monkeypatch: pytest.MonkeyPatch) -> StoryBank:
    monkeypatch.setattr(service, "TIMED_SECONDS", 3600.0)  # only the watch can bring a change in
    for story_id in ("garden-story", "kitchen-story", "harbour-story"):
        write_story(story_id, themes=["hope"], body=f"Zucchini in the {story_id.split('-')[0]}.\n")
    bank = StoryBank.open(bank_dir, as_of=TODAY)
    assert bank.watch(wait=5.0)
    assert bank.search("zucchini").total == 3  # the first check, with the watch running
    return bank


def test_a_story_file_written_by_another_process_is_counted(bank_dir: Path) -> None:
    watch = running(FolderWatch(bank_dir, stale=lambda: False))
    text = story_text(front_matter(id="new-story"))
    write = f"import pathlib; pathlib.Path({str(bank_dir / 'new-story.md')!r}).write_text({text!r})"
    subprocess.run([sys.executable, "-c", write], check=True)
    assert eventually(lambda: watch.changes == 1)
    watch.stop()


def test_the_index_folder_and_files_that_are_not_stories_are_not_changes(bank_dir: Path) -> None:
    watch = running(FolderWatch(bank_dir, stale=lambda: False))
    (bank_dir / ".storybank").mkdir()
    (bank_dir / ".storybank" / "index-segment.md").write_text("x")
    (bank_dir / "README.md").write_text("About this bank.")
    (bank_dir / ".new-story.md.tmp").write_text("half")
    (bank_dir / "notes.txt").write_text("x")
    time.sleep(0.5)
    assert watch.changes == 0
    watch.stop()


def test_a_removed_story_file_is_a_change(write_story: WriteStory, bank_dir: Path) -> None:
    path = write_story("gone-story")
    watch = running(FolderWatch(bank_dir, stale=lambda: False))
    path.unlink()
    assert eventually(lambda: watch.changes == 1)
    watch.stop()


def test_with_a_running_watch_no_check_is_due_until_a_change(bank_dir: Path) -> None:
    due = Freshness(bank_dir, stale=lambda: False)
    watch = running(due.start_watching())  # type: ignore[arg-type]
    due.begin()[0]()
    time.sleep(0.05)
    assert not due.due(max_age=0.01)  # older than max_age, but nothing changed
    (bank_dir / "new-story.md").write_text(story_text(front_matter(id="new-story")))
    assert eventually(lambda: due.due(max_age=0.01))
    assert watch.changes == 1
    due.stop()


def test_without_a_watch_a_check_is_due_after_max_age(bank_dir: Path) -> None:
    due = Freshness(bank_dir, stale=lambda: False, watch=False)
    due.begin()[0]()
    assert not due.due(max_age=60.0)
    time.sleep(0.05)
    assert due.due(max_age=0.01)


def test_a_watch_that_cannot_run_leaves_the_timed_check(tmp_path: Path) -> None:
    due = Freshness(tmp_path / "no-such-folder", stale=lambda: False)
    watch = due.start_watching()
    assert watch is not None
    assert not watch.wait_ready(timeout=2.0)
    due.begin()[0]()
    time.sleep(0.05)
    assert due.due(max_age=0.01)


def test_the_expired_check_is_due_at_once_even_with_a_watch(bank_dir: Path) -> None:
    due = Freshness(bank_dir, stale=lambda: False)
    running(due.start_watching())  # type: ignore[arg-type]
    due.begin()[0]()
    due.expire()  # this process wrote
    assert due.due(max_age=1.0)
    due.stop()


def test_the_watch_starts_at_the_second_check_not_the_first(bank_dir: Path) -> None:
    due = Freshness(bank_dir, stale=lambda: False)
    due.begin()[0]()
    assert due.watch is None  # a one-shot command never starts a thread
    due.begin()[0]()
    assert due.watch is not None
    due.stop()


def test_the_safety_comparison_counts_what_no_event_told(
    bank_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(freshness, "SAFETY_SECONDS", 0.0)
    stale = {"answer": False}
    watch = running(FolderWatch(bank_dir, stale=lambda: stale["answer"]))
    time.sleep(0.3)
    assert watch.changes == 0
    stale["answer"] = True  # as if another machine wrote to a network share
    assert eventually(lambda: watch.changes > 0)
    watch.stop()


def test_a_withdrawal_by_another_process_reaches_the_totals_within_a_second(
    warm_bank: StoryBank, bank_dir: Path
) -> None:
    command = [sys.executable, "-m", "storybank", "--bank", str(bank_dir), "withdraw", "garden-story"]
    subprocess.run(command, check=True, capture_output=True)
    assert eventually(lambda: warm_bank.search("zucchini", limit=0).total == 2)  # no hit to re-check


def test_a_withdrawn_story_is_never_served_while_the_totals_catch_up(
    warm_bank: StoryBank, bank_dir: Path
) -> None:
    command = [sys.executable, "-m", "storybank", "--bank", str(bank_dir), "withdraw", "garden-story"]
    subprocess.run(command, check=True, capture_output=True)
    for _ in range(20):  # at once, and while the watch's event is on its way
        assert "garden-story" not in [hit.story.id for hit in warm_bank.search("zucchini").hits]
        time.sleep(0.02)


def test_an_edit_in_place_reaches_the_totals(warm_bank: StoryBank, bank_dir: Path) -> None:
    path = bank_dir / "kitchen-story.md"
    text = path.read_text(encoding="utf-8").replace("withdrawn_on: null", "withdrawn_on: '2025-05-01'")
    with path.open("r+", encoding="utf-8") as same_file:  # as an editor that writes in place
        same_file.write(text)
        same_file.truncate()
    assert eventually(lambda: warm_bank.search("zucchini", limit=0).total == 2)  # no hit to re-check


def test_close_stops_the_watch(warm_bank: StoryBank) -> None:
    watch = warm_bank._index._freshness.watch
    assert watch is not None
    warm_bank.close()
    assert eventually(lambda: not watch.trusted)


def test_a_warm_server_follows_another_process_withdrawal_within_a_second(
    write_story: WriteStory, bank_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastapi.testclient import TestClient

    from helpers import LOCAL
    from storybank.web import create_app

    monkeypatch.setattr(service, "TIMED_SECONDS", 3600.0)
    for story_id in ("garden-story", "kitchen-story"):
        write_story(story_id, body="Zucchini every night.\n")
    client = TestClient(create_app(bank_dir, as_of=TODAY), base_url=LOCAL)
    assert client.app.state.web.bank._index._freshness.watch.wait_ready()  # type: ignore[attr-defined]
    first = client.get("/api/search", params={"q": "zucchini", "limit": 1}).json()
    assert first["total"] == 2
    other = ({"garden-story", "kitchen-story"} - {first["results"][0]["id"]}).pop()
    command = [sys.executable, "-m", "storybank", "--bank", str(bank_dir), "withdraw", other]
    subprocess.run(command, check=True, capture_output=True)

    def total() -> int:
        return int(client.get("/api/search", params={"q": "zucchini", "limit": 1}).json()["total"])

    assert eventually(lambda: total() == 1)


def test_the_watch_names_the_stories_changed_since_the_last_check(bank_dir: Path) -> None:
    due = Freshness(bank_dir, stale=lambda: False)
    running(due.start_watching())  # type: ignore[arg-type]
    done, named = due.begin()
    assert named is None  # the first check looks at every file
    done()
    (bank_dir / "new-story.md").write_text(story_text(front_matter(id="new-story")))
    assert eventually(lambda: due.due(max_age=1.0))
    done, named = due.begin()
    assert named == {"new-story"}
    done()
    due.stop()


def test_after_this_process_writes_every_file_is_looked_at(bank_dir: Path) -> None:
    due = Freshness(bank_dir, stale=lambda: False)
    running(due.start_watching())  # type: ignore[arg-type]
    due.begin()[0]()
    due.expire()
    assert due.begin()[1] is None
    due.stop()


def test_a_check_that_failed_leaves_the_next_to_look_at_every_file(bank_dir: Path) -> None:
    due = Freshness(bank_dir, stale=lambda: False)
    running(due.start_watching())  # type: ignore[arg-type]
    due.begin()[0]()
    (bank_dir / "new-story.md").write_text(story_text(front_matter(id="new-story")))
    assert eventually(lambda: due.due(max_age=1.0))
    due.begin()  # and never done: the index could not be read
    assert due.begin()[1] is None
    due.stop()


def test_a_story_added_by_another_process_reaches_a_warm_banks_totals(
    warm_bank: StoryBank, bank_dir: Path, write_story: WriteStory
) -> None:
    warm_bank.search("zucchini")  # a second check: the next ones read only the files the watch names
    text = story_text(front_matter(id="pier-story", themes=["hope"]), "Zucchini on the pier.\n")
    write = f"import pathlib; pathlib.Path({str(bank_dir / 'pier-story.md')!r}).write_text({text!r})"
    subprocess.run([sys.executable, "-c", write], check=True)
    assert eventually(lambda: warm_bank.search("zucchini", limit=0).total == 4)


def test_a_story_file_removed_leaves_a_warm_banks_totals(warm_bank: StoryBank, bank_dir: Path) -> None:
    warm_bank.search("zucchini")
    (bank_dir / "harbour-story.md").unlink()
    assert eventually(lambda: warm_bank.search("zucchini", limit=0).total == 2)
    assert warm_bank.search("zucchini", limit=0).total == 2  # and stays so


def test_a_change_the_safety_comparison_found_cannot_be_named(bank_dir: Path) -> None:
    watch = running(FolderWatch(bank_dir, stale=lambda: False))
    watch._changed({"one-story"})
    watch._changed(None)  # the files differ from the index, and no event said which
    assert watch.take() == (2, None)
    assert watch.take() == (2, set())
    watch.stop()
