"""A hostile or broken story file is that file's problem, never the bank's: every command and the web
page keep working, name the file, and serve its valid neighbour."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from helpers import LOCAL, Result, alias_bomb, broken_story, front_matter, story_text
from storybank import StoryBank
from storybank.web import create_app

TODAY = dt.date(2025, 6, 1)
WriteStory = Callable[..., Path]
Run = Callable[..., Result]


TRIGGERS = {
    "list-as-key": "? [a, b]\n: x\n",
    "map-as-key": "? {a: 1}\n: x\n",
    "huge-integer": "recovery: " + "7" * 4301 + "\n",
    "impossible-timestamp": "when: !!timestamp 2023-02-30\n",
    "bad-timestamp": "when: !!timestamp x\n",
    "bad-int": "count: !!int abc\n",
    "bad-float": "count: !!float abc\n",
    "bad-bool": "flag: !!bool maybe\n",
    "alias-bomb": alias_bomb(9),
}


@pytest.fixture
def bank_dir(write_story: WriteStory, bank_dir: Path) -> Path:
    write_story("good-story", body="Zucchini every night in a busy kitchen.\n")
    return bank_dir


@pytest.mark.parametrize("name", sorted(TRIGGERS))
def test_check_names_the_broken_file_and_exits_1(name: str, bank_dir: Path, run: Run) -> None:
    (bank_dir / "broken-story.md").write_text(broken_story(TRIGGERS[name]))
    started = time.monotonic()
    result = run("--bank", bank_dir, "--as-of", str(TODAY), "check")
    assert time.monotonic() - started < 30  # (the real bound, 5 s, is a benchmark's: machines are noisy)
    assert result.code == 1
    assert "broken-story.md" in result.out
    assert "internal error" not in result.err


@pytest.mark.parametrize("name", sorted(TRIGGERS))
def test_list_and_search_still_show_the_valid_neighbour(name: str, bank_dir: Path, run: Run) -> None:
    (bank_dir / "broken-story.md").write_text(broken_story(TRIGGERS[name]))
    listed = run("--bank", bank_dir, "--as-of", str(TODAY), "list")
    found = run("--bank", bank_dir, "--as-of", str(TODAY), "search", "zucchini")
    assert (listed.code, found.code) == (0, 0)
    assert "good-story" in listed.out
    assert "broken-story.md" in listed.err
    assert "good-story" in found.out


@pytest.mark.parametrize("name", sorted(TRIGGERS))
def test_the_web_search_page_answers(name: str, bank_dir: Path) -> None:
    (bank_dir / "broken-story.md").write_text(broken_story(TRIGGERS[name]))
    response = TestClient(create_app(bank_dir, as_of=TODAY), base_url=LOCAL).get(
        "/", params={"q": "zucchini"}
    )
    assert response.status_code == 200
    assert "good-story" in response.text


def test_a_broken_file_is_not_read_again_on_every_search(bank_dir: Path) -> None:
    (bank_dir / "broken-story.md").write_text(broken_story(TRIGGERS["bad-int"]))
    bank = StoryBank.open(bank_dir, as_of=TODAY)
    bank.search("zucchini")
    generation = (bank_dir / ".storybank" / "index").stat().st_mtime_ns
    other = StoryBank.open(bank_dir, as_of=TODAY)  # a fresh process's view of the same index
    assert other.index().indexed == []
    assert [hit.story.id for hit in other.search("zucchini").hits] == ["good-story"]
    assert (bank_dir / ".storybank" / "index").stat().st_mtime_ns == generation


def test_an_alias_bomb_is_refused_with_its_line(bank_dir: Path) -> None:
    (bank_dir / "broken-story.md").write_text(broken_story(TRIGGERS["alias-bomb"]))
    problems = [p for p in StoryBank.open(bank_dir, as_of=TODAY).check() if p.story == "broken-story"]
    assert [p.rule for p in problems] == ["front-matter.yaml"]
    assert "aliases" in problems[0].message
    assert len(str(problems[0])) < 300


def test_a_readme_with_front_matter_is_no_story_anywhere(bank_dir: Path, run: Run) -> None:
    (bank_dir / "readme.md").write_text(story_text(front_matter(id="readme"), "Zucchini notes.\n"))
    assert "readme" not in run("--bank", bank_dir, "--as-of", str(TODAY), "list").out
    assert "readme" not in run("--bank", bank_dir, "--as-of", str(TODAY), "search", "zucchini").out
    shown = run("--bank", bank_dir, "show", "readme")
    assert shown.code == 2
    assert "not a story id" in shown.err


def test_readme_is_refused_as_a_new_story_id(bank_dir: Path, run: Run) -> None:
    result = run("--bank", bank_dir, "new", "readme")
    assert result.code == 2
    assert not (bank_dir / "readme.md").exists()


def test_a_10000_character_query_is_refused_with_one_line(bank_dir: Path, run: Run) -> None:
    result = run("--bank", bank_dir, "search", "zucchini " * 1200)
    assert result.code == 2
    assert "at most 1,000" in result.err
    assert len(result.err.splitlines()) == 1


def test_a_long_unknown_word_is_searched_quickly(bank_dir: Path) -> None:
    bank = StoryBank.open(bank_dir, as_of=TODAY)
    started = time.monotonic()
    result = bank.search("zucchini " + "q" * 900)
    assert time.monotonic() - started < 30  # (see docs/performance.md for the measured time)
    assert [hit.story.id for hit in result.hits] == ["good-story"]
