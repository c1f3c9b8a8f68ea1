"""Every write to a story file holds that story's lock: no lost update, no lost withdrawal, nothing left.

Real processes race on a real file; a write killed halfway is simulated by the temporary copy it leaves.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from storybank import StoryBank
from storybank.errors import StorybankError

TODAY = dt.date(2025, 6, 1)
ROUNDS = 40
WriteStory = Callable[..., Path]


@pytest.fixture
def bank(write_story: WriteStory, bank_dir: Path) -> StoryBank:
    write_story("kitchen-story", body="Zucchini every night in a busy kitchen.\n")
    write_story("garden-story", body="Zucchini grew taller than the fence.\n")
    return StoryBank.open(bank_dir, as_of=TODAY)


def _race_worker(action: str, bank_dir: str, barrier: object, results: object) -> None:
    bank = StoryBank.open(bank_dir, as_of=TODAY)
    barrier.wait()  # type: ignore[attr-defined]
    try:
        if action == "withdraw":
            bank.withdraw("kitchen-story", by="race")
        else:
            bank.renew("kitchen-story", until=dt.date(2028, 1, 1), by="race")
        results.put((action, "ok"))  # type: ignore[attr-defined]
    except StorybankError as error:
        results.put((action, str(error)))  # type: ignore[attr-defined]


def test_withdraw_and_renew_at_the_same_moment_lose_nothing(write_story: WriteStory, bank_dir: Path) -> None:
    forked = multiprocessing.get_context("fork")
    lost = []
    for round_number in range(ROUNDS):
        path = write_story("kitchen-story")
        barrier, results = forked.Barrier(2), forked.Queue()
        workers = [
            forked.Process(target=_race_worker, args=(action, str(bank_dir), barrier, results))
            for action in ("withdraw", "renew")
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(30)
        outcome = dict(results.get(timeout=5) for _ in workers)
        story = StoryBank.open(bank_dir, as_of=TODAY).get("kitchen-story")
        events = [event.event for event in story.consent.history]
        # The withdrawal always returns OK and always stands; a renewal either came first (and is in the
        # file too) or was refused, saying so — never reported done and then lost.
        assert outcome["withdraw"] == "ok", outcome
        if story.consent.withdrawn_on is None or events[-1] != "withdrawn":
            lost.append((round_number, "withdrawal", events))
        if outcome["renew"] == "ok" and (
            "renewed" not in events or story.consent.expires_on != dt.date(2028, 1, 1)
        ):
            lost.append((round_number, "renewal", events))
        if outcome["renew"] != "ok":
            assert "a renewal does not undo a withdrawal" in outcome["renew"]
        path.unlink()
    assert lost == []


def test_a_rewrite_keeps_the_files_mode(bank: StoryBank, bank_dir: Path) -> None:
    path = bank_dir / "kitchen-story.md"
    path.chmod(0o600)
    bank.withdraw("kitchen-story")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_new_file_follows_the_umask(bank: StoryBank, bank_dir: Path) -> None:
    old = os.umask(0o027)
    try:
        path = bank.new_story("fresh-story")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_the_next_write_removes_a_killed_writes_copy(bank: StoryBank, bank_dir: Path) -> None:
    leftover = bank_dir / ".kitchen-story.md.k1ll3d__.tmp"
    leftover.write_text("the whole story, as a killed write left it\n")
    bank.withdraw("kitchen-story")
    assert not leftover.exists()


def test_check_removes_a_killed_writes_copy_and_says_so(bank: StoryBank, bank_dir: Path) -> None:
    leftover = bank_dir / ".garden-story.md.k1ll3d__.tmp"
    leftover.write_text("the whole story\n")
    notes = [p for p in bank.check() if p.rule == "file.leftover"]
    assert not leftover.exists()
    assert [note.story for note in notes] == ["garden-story"]


def test_purge_removes_a_killed_writes_copy_and_says_so(
    bank_dir: Path, run: Callable[..., object], bank: StoryBank
) -> None:
    leftover = bank_dir / ".kitchen-story.md.k1ll3d__.tmp"
    leftover.write_text("the whole story\n")
    result = run("--bank", bank_dir, "--as-of", str(TODAY), "purge", "kitchen-story", "--yes")
    assert not leftover.exists()
    assert "also removed 1 temporary copy(ies)" in result.out  # type: ignore[attr-defined]


def test_an_edit_refuses_when_the_file_changes_underneath(bank: StoryBank, bank_dir: Path) -> None:
    from storybank import edit

    path = bank_dir / "kitchen-story.md"

    def change(story: object, data: dict[str, object]) -> None:
        path.write_text(path.read_text().replace("Zucchini", "Squash"))  # an editor outside storybank

    with pytest.raises(StorybankError, match="changed while it was being edited"):
        edit.edit_story(path, change, bank.taxonomy)
    assert "Squash" in path.read_text()


def test_a_refused_change_writes_nothing(bank: StoryBank, bank_dir: Path) -> None:
    bank.withdraw("kitchen-story")
    before = (bank_dir / "kitchen-story.md").read_bytes()
    with pytest.raises(StorybankError, match="already withdrawn"):
        bank.withdraw("kitchen-story")
    assert (bank_dir / "kitchen-story.md").read_bytes() == before


def _renew_forever(bank_dir: str) -> None:
    bank = StoryBank.open(bank_dir, as_of=TODAY)
    day = dt.date(2027, 1, 1)
    while True:
        day += dt.timedelta(days=1)
        bank.renew("kitchen-story", until=day, by="loop")


def test_a_write_killed_at_any_moment_leaves_a_whole_story(bank: StoryBank, bank_dir: Path) -> None:
    forked = multiprocessing.get_context("fork")
    path = bank_dir / "kitchen-story.md"
    for delay in (0.05, 0.11, 0.17, 0.23, 0.29, 0.31, 0.37, 0.41):
        worker = forked.Process(target=_renew_forever, args=(str(bank_dir),))
        worker.start()
        worker.join(delay)
        os.kill(worker.pid or 0, 9)  # SIGKILL: no clean-up runs
        worker.join(5)
        story = StoryBank.open(bank_dir, as_of=TODAY).get("kitchen-story")  # loads: the file is whole
        assert story.body.startswith("Zucchini")
    bank.withdraw("kitchen-story")
    assert list(bank_dir.glob(".kitchen-story.md.*")) == []
    assert "withdrawn_on: 2025-06-01" in path.read_text()
