"""Anonymous impact counts: a mark is the story, the kind and the month — nothing about anyone."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from helpers import LOCAL, Result, needs_weasyprint
from storybank import StoryBank
from storybank.errors import StorybankError
from storybank.impact import FIELDS
from storybank.web import create_app

TODAY = dt.date(2025, 6, 1)
WriteStory = Callable[..., Path]
Run = Callable[..., Result]


@pytest.fixture
def bank(write_story: WriteStory, bank_dir: Path) -> StoryBank:
    write_story("kitchen-story", themes=["employment", "hope"])
    write_story("gone-story", **{"consent.withdrawn_on": "2025-05-01"})
    write_story("private-story", **{"consent.purposes": ["read"]})
    return StoryBank.open(bank_dir, as_of=TODAY)


def _log(bank_dir: Path) -> list[dict[str, str]]:
    path = bank_dir / "log" / "impact.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_three_marks_and_a_handout_show_in_the_impact_report(
    bank: StoryBank, bank_dir: Path, run: Run
) -> None:
    for _ in range(3):
        assert run("--bank", bank_dir, "--as-of", "2025-06-01", "helped", "kitchen-story").code == 0
    run("--bank", bank_dir, "--as-of", "2025-06-01", "handout", "kitchen-story", "-o", bank_dir / "h.md")
    report = json.loads(run("--bank", bank_dir, "--as-of", "2025-06-01", "impact", "--json").out)
    assert report["stories"]["kitchen-story"] == {
        "printed": 1, "exported": 0, "helped": 3, "relatable": 0, "learned": 0
    }  # fmt: skip
    assert report["themes"]["hope"]["helped"] == 3


def test_the_log_holds_only_the_story_the_kind_and_the_month(bank: StoryBank, bank_dir: Path) -> None:
    bank.record_impact("kitchen-story", how="relatable")
    assert _log(bank_dir) == [{"story": "kitchen-story", "kind": "relatable", "month": "2025-06"}]
    assert all(tuple(sorted(entry)) == FIELDS for entry in _log(bank_dir))


def test_a_withdrawn_story_cannot_be_marked_but_keeps_its_counts(bank: StoryBank, bank_dir: Path) -> None:
    with pytest.raises(StorybankError, match="cannot be marked again"):
        bank.record_impact("gone-story")
    assert _log(bank_dir) == []


def test_a_story_not_shareable_cannot_be_marked(bank: StoryBank, bank_dir: Path) -> None:
    with pytest.raises(StorybankError, match="may not be used"):
        bank.record_impact("private-story")
    assert _log(bank_dir) == []


def test_since_counts_only_from_that_month(bank: StoryBank, bank_dir: Path) -> None:
    (bank_dir / "log").mkdir()
    (bank_dir / "log" / "impact.jsonl").write_text(
        '{"story": "kitchen-story", "kind": "helped", "month": "2024-01"}\n'
        '{"story": "kitchen-story", "kind": "helped", "month": "2025-06"}\n'
        "not json at all\n"
    )
    assert bank.impact(since=dt.date(2025, 1, 1))["kitchen-story"]["helped"] == 1
    assert bank.impact()["kitchen-story"]["helped"] == 2


def test_purge_removes_the_storys_marks_and_says_so(bank: StoryBank, bank_dir: Path, run: Run) -> None:
    bank.record_impact("kitchen-story")
    result = run("--bank", bank_dir, "purge", "kitchen-story", "--yes", "--reason", "asked by phone")
    assert result.code == 0, result.err
    assert "removed its 1 anonymous mark(s)" in result.out
    assert _log(bank_dir) == []


def test_a_cross_site_post_adds_nothing(bank: StoryBank, bank_dir: Path) -> None:
    client = TestClient(create_app(bank_dir, as_of=TODAY), base_url=LOCAL)
    refused = client.post(
        "/stories/kitchen-story/helped", data={"how": "helped"}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert refused.status_code == 403
    assert _log(bank_dir) == []
    counted = client.post(
        "/stories/kitchen-story/helped", data={"how": "learned"}, headers={"Sec-Fetch-Site": "same-origin"},
        follow_redirects=False,
    )  # fmt: skip
    assert counted.status_code == 303
    assert _log(bank_dir) == [{"story": "kitchen-story", "kind": "learned", "month": "2025-06"}]
    assert "Thank you: counted." in client.get(counted.headers["location"]).text


def test_the_web_form_cannot_mark_a_withdrawn_story(bank: StoryBank, bank_dir: Path) -> None:
    client = TestClient(create_app(bank_dir, as_of=TODAY), base_url=LOCAL)
    response = client.post(
        "/stories/gone-story/helped", data={"how": "helped"}, headers={"Sec-Fetch-Site": "same-origin"}
    )
    assert response.status_code == 404
    assert _log(bank_dir) == []


@pytest.mark.parametrize(("language", "words"), [("en", "marked 2 time(s)"), ("es", "2 vez/veces")])
def test_the_letter_shows_the_counts_in_the_storys_language(
    write_story: WriteStory, bank_dir: Path, tmp_path: Path, language: str, words: str
) -> None:
    write_story("kitchen-story", language=language)
    bank = StoryBank.open(bank_dir, as_of=TODAY)
    bank.record_impact("kitchen-story")
    bank.record_impact("kitchen-story")
    letter = tmp_path / "letter.md"
    bank.teller_paper("kitchen-story", "impact-letter", letter)
    assert words in letter.read_text()


def test_the_letter_pdf_says_nothing_about_anyone(
    bank: StoryBank, bank_dir: Path, run: Run, tmp_path: Path
) -> None:
    needs_weasyprint()
    from pypdf import PdfReader

    bank.record_impact("kitchen-story")
    result = run(
        "--bank",
        bank_dir,
        "--as-of",
        "2025-06-01",
        "impact-letter",
        "kitchen-story",
        "-o",
        tmp_path / "l.pdf",
    )
    assert result.code == 0, result.err
    text = " ".join(page.extract_text() for page in PdfReader(tmp_path / "l.pdf").pages)
    assert "marked 1 time(s) by a peer specialist as having helped" in " ".join(text.split())
    assert "We keep nothing about the people" in " ".join(text.split())
