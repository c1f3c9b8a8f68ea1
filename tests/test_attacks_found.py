"""What an attacker (a helper testing blind) found, kept as tests: each one failed before its fix."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from helpers import LOCAL, Result
from storybank import Purpose, StoryBank
from storybank.checks.attribution import display_name
from storybank.checks.passages import Context
from storybank.checks.privacy import names
from storybank.errors import ConsentRefusedError
from storybank.models import Attribution
from storybank.web import create_app

WriteStory = Callable[..., Path]
Run = Callable[..., Result]
PAST = dt.date(2025, 6, 1)


def test_a_past_as_of_never_prints_or_exports_a_withdrawn_story(
    write_story: WriteStory, bank_dir: Path, tmp_path: Path
) -> None:
    write_story(
        "kitchen-story", body="Zucchini.\n", **{"consent.purposes": ["read", "share", "handout", "public"]}
    )
    StoryBank.open(bank_dir).withdraw("kitchen-story")  # today, for real
    asked_about_the_past = StoryBank.open(bank_dir, as_of=PAST)
    with pytest.raises(ConsentRefusedError, match="withdrawn"):
        asked_about_the_past.handout(["kitchen-story"])
    assert asked_about_the_past.export(Purpose.PUBLIC, tmp_path / "b.jsonl") == []
    assert asked_about_the_past.search("zucchini").total == 0
    assert (
        TestClient(create_app(bank_dir, as_of=PAST), base_url=LOCAL)
        .get("/api/stories/kitchen-story")
        .status_code
        == 404
    )


@pytest.mark.parametrize(
    "line",
    [
        "Hi, I'm Karen, and I'm an alcoholic.",
        "I am Karen and this is my story.",
        "My name\u2019s Karen.",
        "Everyone calls me Karen.",
        "Thank you for reading.\n— Karen W.",
        "I'm Karen Müller.",
    ],
)
def test_an_anonymous_teller_naming_themself_is_found(line: str) -> None:
    assert names(line, Context(attribution=Attribution.ANONYMOUS))


@pytest.mark.parametrize("line", ["I'm Catholic and grateful.", "I am Mexican.", "I'm Sober today."])
def test_i_am_with_no_given_name_is_no_name(line: str) -> None:
    assert names(line, Context(attribution=Attribution.ANONYMOUS)) == []


@pytest.mark.parametrize(
    "credit",
    [
        "Karen WHITFIELD",
        "Karen whitfield",
        "Karen Smith-Jones",
        "Karen Müller",
        "Karen Nguyễn",
        "Whitfield, Karen",
    ],
)
def test_a_full_name_as_a_first_name_credit_is_found(credit: str) -> None:
    assert display_name(Context(attribution=Attribution.FIRST_NAME, display_name=credit))


@pytest.mark.parametrize("credit", ["Mary Ann", "José María", "Rosa"])
def test_two_given_names_are_still_a_first_name(credit: str) -> None:
    assert display_name(Context(attribution=Attribution.FIRST_NAME, display_name=credit)) == []


def test_a_looping_link_is_that_files_problem(write_story: WriteStory, bank_dir: Path, run: Run) -> None:
    write_story("kitchen-story", body="Zucchini.\n")
    os.symlink("loop-story.md", bank_dir / "loop-story.md")
    found = run("--bank", bank_dir, "search", "zucchini")
    checked = run("--bank", bank_dir, "check")
    assert found.code == 0
    assert "kitchen-story" in found.out
    assert checked.code == 1
    assert "loop-story.md" in checked.out
    assert (
        TestClient(create_app(bank_dir), base_url=LOCAL).get("/", params={"q": "zucchini"}).status_code == 200
    )


def test_a_fifo_named_like_a_story_never_hangs_a_command(
    write_story: WriteStory, bank_dir: Path, run: Run
) -> None:
    write_story("kitchen-story", body="Zucchini.\n")
    os.mkfifo(bank_dir / "pipe-story.md")
    checked = run("--bank", bank_dir, "check")
    listed = run("--bank", bank_dir, "list")
    assert checked.code == 1
    assert "pipe-story.md" in checked.out
    assert "is not a regular file" in checked.out
    assert "kitchen-story" in listed.out


def test_control_characters_never_reach_the_terminal(
    write_story: WriteStory, bank_dir: Path, run: Run
) -> None:
    write_story("kitchen-story", body="Zucchini \x1b[31mred\x1b[0m and a bell \x07.\n")
    shown = run("--bank", bank_dir, "show", "kitchen-story")
    assert "\x1b" not in shown.out
    assert "\x07" not in shown.out


def test_a_non_ascii_token_works_in_the_header(bank_dir: Path) -> None:
    client = TestClient(create_app(bank_dir, token="té-secret"), base_url=LOCAL)
    assert (
        client.get("/api/themes", headers={"Authorization": "Bearer té-secret".encode()}).status_code == 200
    )
    assert client.get("/api/themes", headers={"Authorization": "Bearer te-secret"}).status_code == 401


def test_a_host_with_two_ports_is_refused(bank_dir: Path) -> None:
    client = TestClient(create_app(bank_dir, port=8000), base_url="http://127.0.0.1:8000")
    assert client.get("/api/themes", headers={"Host": "127.0.0.1:8000:1"}).status_code == 400


def test_a_log_record_of_the_wrong_shape_is_named_not_recalled(
    write_story: WriteStory, bank_dir: Path
) -> None:
    write_story("kitchen-story", body="Zucchini.\n")
    (bank_dir / "log").mkdir()
    (bank_dir / "log" / "exports.jsonl").write_text('{"bundle_id": {}, "stories": ["kitchen-story"]}\n')
    (bank_dir / "log" / "prints.jsonl").write_text('{"handout_id": 5}\n')
    _, recall = StoryBank.open(bank_dir).withdraw("kitchen-story")
    assert recall.bundles == []
    assert recall.damaged == ["log/exports.jsonl line 1", "log/prints.jsonl line 1"]
