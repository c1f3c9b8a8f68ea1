"""Search over a real Whoosh index in a temporary bank: consent-safe, self-repairing, taxonomy-aware."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from helpers import Result
from storybank import StoryBank

TODAY = dt.date(2025, 6, 1)
WriteStory = Callable[..., Path]


@pytest.fixture
def bank(write_story: WriteStory, bank_dir: Path) -> StoryBank:
    write_story(
        "kitchen-story",
        themes=["relapse", "employment"],
        body="I picked up a knife again in a busy kitchen. Zucchini every night.\n",
    )
    write_story(
        "garden-story",
        themes=["hope", "meaning"],
        content_warnings=["death"],
        body="The garden taught me patience. Zucchini grew taller than the fence.\n",
    )
    write_story(
        "secret-story",
        themes=["relapse", "grief"],
        content_warnings=[],
        body="Quasimodoesque lanterns glowed while I kept counting the harbour boats.\n",
        **{"consent.withdrawn_on": "2025-01-01"},
    )
    write_story("draft-story", status="draft", themes=["relapse"], body="Zucchini drafts.\n")
    write_story(
        "private-story",
        themes=["relapse"],
        body="Zucchini private.\n",
        **{"consent.purposes": ["read", "handout"]},
    )
    return StoryBank.open(bank_dir, as_of=TODAY)


def ids(bank: StoryBank, text: str, **options: object) -> list[str]:
    return [hit.story.id for hit in bank.search(text, **options).hits]  # type: ignore[arg-type]


def test_word_search_returns_only_shareable_stories(bank: StoryBank) -> None:
    result = bank.search("zucchini")
    assert [hit.story.id for hit in result.hits] == ["garden-story", "kitchen-story"] or [
        hit.story.id for hit in result.hits
    ] == ["kitchen-story", "garden-story"]
    assert result.total == 2


def test_facets_count_only_shareable_matches(bank: StoryBank) -> None:
    assert bank.search("zucchini").facets == {"relapse": 1, "employment": 1, "hope": 1, "meaning": 1}


def test_everyday_phrase_finds_stories_tagged_with_its_theme(bank: StoryBank) -> None:
    hits = bank.search("he went back out last year").hits
    assert hits[0].story.id == "kitchen-story"
    assert hits[0].matched_themes == ["relapse"]


def test_warning_words_match_stories_with_that_warning(bank: StoryBank) -> None:
    assert ids(bank, "passed away") == ["garden-story"]


def test_excluded_warning_leaves_stories_out(bank: StoryBank) -> None:
    assert ids(bank, "zucchini", exclude_warnings=["death"]) == ["kitchen-story"]


def test_theme_filter_needs_all_themes(bank: StoryBank) -> None:
    assert ids(bank, "", themes=["relapse", "employment"]) == ["kitchen-story"]


def test_any_theme_filter_needs_one(bank: StoryBank) -> None:
    assert sorted(ids(bank, "", themes=["employment", "hope"], any_theme=True)) == [
        "garden-story",
        "kitchen-story",
    ]


def test_query_syntax_mistake_falls_back_to_words(bank: StoryBank) -> None:
    assert "garden-story" in ids(bank, 'garden ((( "unclosed')


def test_phrase_query_matches_the_phrase(bank: StoryBank) -> None:
    assert ids(bank, '"busy kitchen"') == ["kitchen-story"]


def test_withdrawal_by_an_edit_keeping_size_and_mtime_counts_at_once(bank: StoryBank, bank_dir: Path) -> None:
    assert "garden-story" in ids(bank, "garden")
    path = bank_dir / "garden-story.md"
    before = path.stat()
    text = path.read_text()
    edited = text.replace("withdrawn_on: null", "withdrawn_on: 2025-05-01")
    edited = edited.replace("Zucchini grew taller than the fence.", "Zucchini grew tall by a fence.")
    assert len(edited.encode()) == len(text.encode())
    path.write_text(edited)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert ids(bank, "garden") == []
    assert bank.search("zucchini").facets.get("hope") is None


def test_expired_consent_is_not_returned_after_the_expiry_day(bank_dir: Path, bank: StoryBank) -> None:
    later = StoryBank.open(bank_dir, as_of=dt.date(2027, 3, 2))
    result = later.search("zucchini")
    assert (result.total, result.hits, result.facets) == (0, [], {})


def test_index_copied_from_another_bank_cannot_leak(
    bank: StoryBank, bank_dir: Path, tmp_path: Path, write_story: WriteStory
) -> None:
    bank.index()
    other = tmp_path / "other"
    other.mkdir()
    shutil.copytree(bank_dir / ".storybank", other / ".storybank")
    (other / "lonely-story.md").write_text(
        (bank_dir / "kitchen-story.md").read_text().replace("id: kitchen-story", "id: lonely-story")
    )
    assert ids(StoryBank.open(other, as_of=TODAY), "zucchini") == ["lonely-story"]


def test_words_of_withdrawn_stories_are_never_suggested(bank: StoryBank) -> None:
    assert bank.search("quasimodoesqe").suggestion is None
    assert bank.search("quasimodoesque").total == 0


def test_misspelt_word_gets_a_suggestion_and_results(bank: StoryBank) -> None:
    result = bank.search("zuchini")
    assert result.suggestion == "zucchini"
    assert result.total == 2


def test_similar_returns_only_shareable_stories(bank: StoryBank) -> None:
    assert {hit.story.id for hit in bank.similar("kitchen-story")} <= {"garden-story"}


def test_search_json_follows_the_contract(
    bank: StoryBank, bank_dir: Path, run: Callable[..., Result]
) -> None:
    result = run("--bank", bank_dir, "--as-of", "2025-06-01", "search", "busy kitchen", "--json")
    data = json.loads(result.out)
    assert set(data) == {
        "query",
        "total",
        "results",
        "facets",
        "suggestion",
        "language",
        "more_in_other_languages",
    }
    assert set(data["results"][0]) == {
        "id",
        "title",
        "summary",
        "score",
        "themes",
        "matched_themes",
        "content_warnings",
        "snippet",
        "reading_minutes",
        "credit",
        "age_range",
        "pronouns",
        "language",
        "matched_teller",
    }
    assert "**busy**" in data["results"][0]["snippet"]


def test_unknown_theme_filter_is_one_line_and_exit_2(bank_dir: Path, run: Callable[..., Result]) -> None:
    result = run("--bank", bank_dir, "search", "x", "--theme", "relaps")
    assert result.code == 2
    assert "did you mean 'relapse'?" in result.err


def test_two_concurrent_rebuilds_both_finish(bank: StoryBank, bank_dir: Path) -> None:
    command = [sys.executable, "-m", "storybank", "--bank", str(bank_dir), "index", "--rebuild"]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    for process in runs:
        process.communicate(timeout=120)
    assert [process.returncode for process in runs] == [0, 0]
    assert sorted(ids(bank, "zucchini")) == ["garden-story", "kitchen-story"]


def test_damaged_index_is_rebuilt_with_a_note(
    bank: StoryBank, bank_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    bank.index()
    bank.close()
    for segment in (bank_dir / ".storybank" / "index").glob("*.seg"):
        segment.write_bytes(segment.read_bytes()[: segment.stat().st_size // 2])
    result = StoryBank.open(bank_dir, as_of=TODAY).search("zucchini")
    assert sorted(hit.story.id for hit in result.hits) == ["garden-story", "kitchen-story"]
    assert "could not be read" in caplog.text
    assert "rebuilding it" in caplog.text


def test_brand_name_finds_the_generic_word_a_story_uses(
    write_story: WriteStory, bank_dir: Path, bank: StoryBank
) -> None:
    write_story("clinic-story", body="The doctor started me on buprenorphine that spring.\n")
    assert ids(StoryBank.open(bank_dir, as_of=TODAY), "suboxone") == ["clinic-story"]


def test_spanish_titles_are_read_with_spanish_stemming(write_story: WriteStory, bank_dir: Path) -> None:
    write_story("recaidas", language="es", title="Mis recaídas", body="Hoy estoy bien.\n")
    assert ids(StoryBank.open(bank_dir, as_of=TODAY), "recaída") == ["recaidas"]


def test_snippet_is_the_sentence_around_the_match(write_story: WriteStory, bank_dir: Path) -> None:
    write_story(
        "bus-story",
        body="I missed the first bus. Then I walked to the harbour and sat down. It rained all day.\n",
    )
    [hit] = StoryBank.open(bank_dir, as_of=TODAY).search("harbour").hits
    assert hit.snippet == "Then I walked to the **harbour** and sat down."


def test_progress_counts_every_changed_story(bank: StoryBank) -> None:
    calls: list[tuple[int, int]] = []
    bank.index(rebuild=True, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(done, 5) for done in range(1, 6)]


def test_bulk_rebuild_with_two_processes_indexes_every_story(
    bank: StoryBank, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("storybank.search.whoosh.engine.BULK_STORIES", 2)
    assert len(bank.index(rebuild=True).indexed) == 5
    assert sorted(ids(bank, "zucchini")) == ["garden-story", "kitchen-story"]


def test_warm_bank_sees_what_another_process_indexed(
    bank: StoryBank, write_story: WriteStory, bank_dir: Path
) -> None:
    assert len(ids(bank, "zucchini")) == 2
    write_story("late-story", body="Zucchini came late this year.\n")
    StoryBank.open(bank_dir, as_of=TODAY).index()
    assert "late-story" in ids(bank, "zucchini")


def test_a_real_word_no_story_uses_is_never_corrected(bank: StoryBank) -> None:
    result = bank.search("fled")
    assert (result.suggestion, result.total) == (None, 0)


def test_misspelt_word_is_searched_corrected_even_when_other_words_match(bank: StoryBank) -> None:
    result = bank.search("zucchini relaspe")
    assert result.suggestion == "zucchini relapse"
    assert result.hits[0].story.id == "kitchen-story"
    assert result.hits[0].matched_themes == ["relapse"]


def test_a_segment_a_reindex_left_deleted_is_not_kept(write_story: WriteStory, bank_dir: Path) -> None:
    from whoosh import index

    for number in range(12):
        write_story(f"story-{number:02d}", body=f"Zucchini and story number {number}.\n")
    bank = StoryBank.open(bank_dir, as_of=TODAY)
    bank.index()
    for number in range(12):  # every story written again, as a branch checked out would
        write_story(f"story-{number:02d}", body=f"Zucchini again, and story number {number}.\n")
    assert len(bank.index().indexed) == 12
    bank.close()
    with index.open_dir(str(bank_dir / ".storybank" / "index")).searcher() as searcher:
        segments = [sub.reader().segment() for sub, _offset in searcher.leaf_searchers()]
    assert [(s.doc_count_all(), s.deleted_count()) for s in segments] == [(12, 0)]
    assert len(ids(bank, "zucchini again", limit=20)) == 12
