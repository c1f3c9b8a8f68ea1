"""The bundled sample stories: valid, varied, respectful, and labelled as fictional composites."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from helpers import SAMPLE_BANK, Result
from storybank import Purpose, Status, StoryBank
from storybank.consent import ConsentState, consent_state

BANK = StoryBank.open(SAMPLE_BANK, as_of=dt.date(2026, 11, 21))
STORIES = BANK.stories()
STIGMATISING = re.compile(
    r"\b(addicts?|junkies?|alcoholics?|abusers?|crazy|schizo|committed suicide|drogadict\w*|adict[oa]s?)\b",
    re.IGNORECASE,
)


def test_every_sample_file_loads() -> None:
    assert BANK.scan().problems == []


def test_sample_corpus_has_at_least_36_stories() -> None:
    assert len(STORIES) >= 36


def test_at_least_five_stories_are_in_spanish() -> None:
    assert sum(story.language == "es" for story in STORIES) >= 5


def test_every_theme_is_used_at_least_twice() -> None:
    used = Counter(theme for story in STORIES for theme in story.themes)
    assert [theme for theme in BANK.taxonomy.theme_ids if used[theme] < 2] == []


def test_every_story_is_200_to_600_words() -> None:
    assert {s.id: len(s.body.split()) for s in STORIES if not 200 <= len(s.body.split()) <= 600} == {}


def test_ages_run_from_under_18_to_over_70() -> None:
    ages = {story.storyteller.age_range for story in STORIES}
    assert {"under-18", "70-79"} <= ages


def test_consent_records_vary() -> None:
    states = Counter(consent_state(story.consent, BANK.today) for story in STORIES)
    assert states[ConsentState.EXPIRED] >= 2
    assert states[ConsentState.WITHDRAWN] >= 2
    assert sum(Purpose.SHARE not in story.consent.purposes for story in STORIES) >= 1
    assert {Status.DRAFT, Status.IN_REVIEW, Status.RETIRED} <= {story.status for story in STORIES}


def test_stories_use_person_first_language() -> None:
    found = {
        story.id: match[0]
        for story in STORIES
        if (match := STIGMATISING.search(" ".join([story.title, story.summary, story.body])))
    }
    assert found == {}


def test_relapse_is_often_told_without_the_word() -> None:
    relapse = [story for story in STORIES if "relapse" in story.themes]
    assert sum("relaps" not in story.body.lower() for story in relapse) >= 4


def test_no_two_stories_share_a_passage() -> None:
    seen: dict[tuple[str, ...], str] = {}
    shared = set()
    for story in STORIES:
        words = re.findall(r"\w+", story.body.lower())
        for i in range(len(words) - 11):
            window = tuple(words[i : i + 12])
            if seen.setdefault(window, story.id) != story.id:
                shared.add((seen[window], story.id))
    assert shared == set()


def test_readme_labels_the_stories_as_fictional_composites() -> None:
    assert "fictional composite" in (SAMPLE_BANK / "README.md").read_text().lower()


def test_approved_text_matches_its_recorded_hash() -> None:
    changed = [s.id for s in STORIES if s.consent.text_approved_sha256 not in (None, s.body_sha256)]
    assert changed == []


@pytest.fixture
def broken_copy(tmp_path: Path) -> Path:
    """The sample bank plus five broken files, one per kind of mistake a curator can make."""
    bank = tmp_path / "bank"
    shutil.copytree(SAMPLE_BANK, bank)
    good = (bank / "back-to-the-kitchen.md").read_text()
    (bank / "bad-yaml.md").write_text(good.replace("id: back-to-the-kitchen", "id: bad-yaml\ntitle: [oops"))
    (bank / "unknown-theme.md").write_text(
        good.replace("id: back-to-the-kitchen", "id: unknown-theme").replace("[employment,", "[relaps,")
    )
    (bank / "anonymous-named.md").write_text(
        good.replace("id: back-to-the-kitchen", "id: anonymous-named").replace(
            "attribution: first-name", "attribution: anonymous"
        )
    )
    (bank / "unsafe-tag.md").write_text(
        good.replace("id: back-to-the-kitchen", "id: unsafe-tag").replace(
            "title: Back to the kitchen", "title: !!python/object/apply:os.system ['touch /tmp/pwned-sb']"
        )
    )
    (bank / "two-megabytes.md").write_text(
        good.replace("id: back-to-the-kitchen", "id: two-megabytes") + "word " * 420_000
    )
    return bank


def test_check_names_each_broken_file_and_field(broken_copy: Path, run: Callable[..., Result]) -> None:
    result = run("--bank", broken_copy, "check")
    assert result.code == 1
    errors = [line for line in result.out.splitlines() if ": error:" in line]
    named = {Path(line.split(":")[0]).name: line for line in errors}
    assert sorted(named) == [
        "anonymous-named.md",
        "bad-yaml.md",
        "two-megabytes.md",
        "unknown-theme.md",
        "unsafe-tag.md",
    ]
    assert "storyteller.display_name" in named["anonymous-named.md"]
    assert "themes[0]: unknown theme 'relaps'" in named["unknown-theme.md"]
    assert not Path("/tmp/pwned-sb").exists()


def test_list_still_lists_every_good_story_beside_broken_ones(
    broken_copy: Path, run: Callable[..., Result]
) -> None:
    result = run("--bank", broken_copy, "list", "--json")
    assert result.code == 0
    rows = json.loads(result.out)
    assert len([row for row in rows if row["problem"] is None]) == len(STORIES)
    assert [row for row in rows if row["problem"]]  # and the broken ones, by name
