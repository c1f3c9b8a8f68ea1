"""The search backend contract, run against every backend (today: Whoosh), on real story files.

A second engine plugged in behind `storybank.search.backend.SearchBackend` must pass the same tests; the
consent property is the one that matters most: a backend returns a story exactly when the consent policy
(`consent.may_use`) allows it, for every purpose and day.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import front_matter, story_text
from storybank import StoryBank, store
from storybank.consent import hold_reason, may_use
from storybank.models import Purpose, Story
from storybank.search.backend import EngineQuery, SearchBackend
from storybank.search.whoosh import WhooshBackend
from storybank.taxonomy import default_taxonomy

TAXONOMY = default_taxonomy()
TODAY = dt.date(2025, 6, 1)
WriteStory = Callable[..., Path]
BackendFactory = Callable[[Path], SearchBackend]
BACKENDS: dict[str, BackendFactory] = {
    "whoosh": lambda root: WhooshBackend(root, held=lambda story: hold_reason(story) is not None),
}


@pytest.fixture(params=sorted(BACKENDS))
def make_backend(request: pytest.FixtureRequest) -> BackendFactory:
    return BACKENDS[request.param]


def _load(path: Path) -> Story | None:
    try:
        return store.read_story(path, TAXONOMY)
    except store.StoryFileError:
        return None


def _indexed(backend: SearchBackend, root: Path) -> SearchBackend:
    backend.update(store.story_entries(root), _load)
    return backend


def _ask(
    text: str = "", purpose: Purpose = Purpose.SHARE, on: dt.date = TODAY, **filters: object
) -> EngineQuery:
    return EngineQuery(text=text, theme_boosts={}, warning_boosts={}, purpose=purpose, on=on, **filters)  # type: ignore[arg-type]


def _ids(backend: SearchBackend, request: EngineQuery, limit: int = 50) -> list[str]:
    return [hit.id for hit in backend.search(request, limit=limit, offset=0).hits]


def test_a_word_finds_the_stories_that_hold_it(
    make_backend: BackendFactory, write_story: WriteStory, bank_dir: Path
) -> None:
    write_story("kitchen-story", body="Zucchini every night in a busy kitchen.\n")
    write_story("garden-story", body="Tomatoes grew taller than the fence.\n")
    backend = _indexed(make_backend(bank_dir), bank_dir)
    assert _ids(backend, _ask("zucchini")) == ["kitchen-story"]
    assert backend.search(_ask("zucchini"), limit=10, offset=0).total == 1


def test_equal_scores_are_ordered_by_id(
    make_backend: BackendFactory, write_story: WriteStory, bank_dir: Path
) -> None:
    for story_id in ("c-story", "a-story", "b-story"):
        write_story(story_id, body="Zucchini.\n")
    backend = _indexed(make_backend(bank_dir), bank_dir)
    assert _ids(backend, _ask("zucchini")) == ["a-story", "b-story", "c-story"]
    assert [h.id for h in backend.search(_ask("zucchini"), limit=1, offset=1).hits] == ["b-story"]


def test_a_snippet_is_text_with_ranges_on_the_matched_words(
    make_backend: BackendFactory, write_story: WriteStory, bank_dir: Path
) -> None:
    write_story("kitchen-story", body="I came back. Zucchini every night in a busy kitchen.\n")
    hit = _indexed(make_backend(bank_dir), bank_dir).search(_ask("zucchini"), limit=1, offset=0).hits[0]
    assert "**" not in hit.snippet
    assert [hit.snippet[start:end] for start, end in hit.highlights] == ["Zucchini"]


def test_a_changed_file_is_seen_and_a_removed_one_leaves(
    make_backend: BackendFactory, write_story: WriteStory, bank_dir: Path
) -> None:
    write_story("kitchen-story", body="Zucchini.\n")
    gone = write_story("garden-story", body="Zucchini.\n")
    backend = _indexed(make_backend(bank_dir), bank_dir)
    write_story("kitchen-story", body="Pumpkins now.\n")
    gone.unlink()
    report = backend.ensure_current(lambda: store.story_entries(bank_dir), _load)
    assert report is not None
    assert (report.indexed, report.removed) == (["kitchen-story"], ["garden-story"])
    assert _ids(backend, _ask("zucchini")) == []
    assert _ids(backend, _ask("pumpkins")) == ["kitchen-story"]


def test_filters_narrow_by_theme_language_and_warning(
    make_backend: BackendFactory, write_story: WriteStory, bank_dir: Path
) -> None:
    write_story("kitchen-story", body="Zucchini.\n", themes=["employment"], content_warnings=[])
    write_story("cocina", body="Calabacín y zucchini.\n", language="es", themes=["hope"], content_warnings=[])
    write_story("hard-story", body="Zucchini.\n", themes=["hope"], content_warnings=["overdose"])
    backend = _indexed(make_backend(bank_dir), bank_dir)
    assert sorted(_ids(backend, _ask("zucchini", themes=("hope",)))) == ["cocina", "hard-story"]
    assert _ids(backend, _ask("zucchini", language="es")) == ["cocina"]
    assert sorted(_ids(backend, _ask("zucchini", exclude_warnings=("overdose",)))) == [
        "cocina",
        "kitchen-story",
    ]


def test_similar_and_suggest_keep_to_what_consent_allows(
    make_backend: BackendFactory, write_story: WriteStory, bank_dir: Path
) -> None:
    write_story("kitchen-story", body="Zucchini every night in a busy kitchen.\n")
    write_story("twin-story", body="Zucchini every night in a busy kitchen too.\n")
    write_story("secret-story", body="Zucchini every night, kitchens, quixotic.\n", status="draft")
    backend = _indexed(make_backend(bank_dir), bank_dir)
    assert [h.id for h in backend.similar("kitchen-story", _ask(), limit=5)] == ["twin-story"]
    assert backend.suggest("quixotik", _ask()) is None  # only the draft has the word


def test_the_engine_query_never_reaches_the_index_fields(
    make_backend: BackendFactory, write_story: WriteStory, bank_dir: Path
) -> None:
    write_story(
        "kitchen-story", body="Zucchini.\n", title="Peppers", summary="Peppers.", what_helped=[],
        **{"storyteller.age_range": "30-39"},
    )  # fmt: skip
    backend = _indexed(make_backend(bank_dir), bank_dir)
    for text in (
        "status:published",
        "fingerprint:*",
        "id:kitchen-story",
        "age_range:30-39",
        "purposes:share",
    ):
        assert _ids(backend, _ask(text)) == [], text


# -- consent, derived from the one policy ------------------------------------------------------------

STATUSES = ["draft", "in-review", "published", "retired"]
DAYS = st.dates(min_value=dt.date(2023, 1, 1), max_value=dt.date(2027, 12, 31))


@st.composite
def consent_stories(draw: st.DrawFn) -> dict[str, object]:
    given_on = draw(DAYS)
    expires = draw(st.none() | st.integers(1, 900).map(lambda n: given_on + dt.timedelta(days=n)))
    withdrawn = draw(st.none() | st.integers(0, 900).map(lambda n: given_on + dt.timedelta(days=n)))
    purposes = draw(st.lists(st.sampled_from([str(p) for p in Purpose]), min_size=1, unique=True))
    held = draw(st.booleans())
    return {
        "status": draw(st.sampled_from(STATUSES)),
        "consent.given_on": given_on.isoformat(),
        "consent.expires_on": expires.isoformat() if expires else None,
        "consent.withdrawn_on": withdrawn.isoformat() if withdrawn else None,
        "consent.purposes": purposes,
        "consent.history": [],
        "body": "Zucchini. " + ("Call me on 555-867-5309." if held else "A quiet night."),
    }


def write_stories(root: Path, stories: list[dict[str, object]]) -> None:
    """Story files story-0.md, story-1.md… from generated fields (each with its "body")."""
    for number, fields in enumerate(stories):
        changes = dict(fields)
        body = str(changes.pop("body"))
        (root / f"story-{number}.md").write_text(
            story_text(front_matter(id=f"story-{number}", **changes), body)
        )


@pytest.mark.parametrize("backend_name", sorted(BACKENDS))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stories=st.lists(consent_stories(), min_size=1, max_size=8), day=DAYS)
def test_a_backend_returns_a_story_exactly_when_the_policy_allows_it(
    backend_name: str, stories: list[dict[str, object]], day: dt.date
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_stories(root, stories)
        backend = BACKENDS[backend_name](root)
        _indexed(backend, root)
        loaded = {path.stem: _load(path) for path in store.story_files(root)}
        for purpose in Purpose:
            expected = sorted(sid for sid, story in loaded.items() if story and may_use(story, purpose, day))
            found = backend.search(_ask("", purpose=purpose, on=day), limit=50, offset=0)
            assert sorted(hit.id for hit in found.hits) == expected, purpose
            assert found.total == len(expected)
        backend.close()


def test_a_read_search_never_counts_a_retired_story_nor_rebuilds(
    write_story: WriteStory, bank_dir: Path
) -> None:
    write_story("kitchen-story", body="Zucchini.\n")
    write_story("retired-story", body="Zucchini.\n", status="retired")
    bank = StoryBank.open(bank_dir, as_of=TODAY)
    bank.search("zucchini", purpose=Purpose.READ)
    index = bank_dir / ".storybank" / "index"
    before = {path.name: path.stat().st_mtime_ns for path in index.iterdir()}
    for _ in range(10):
        result = bank.search("zucchini", purpose=Purpose.READ)
        assert (result.total, [hit.story.id for hit in result.hits]) == (1, ["kitchen-story"])
    assert {path.name: path.stat().st_mtime_ns for path in index.iterdir()} == before


def test_an_unfinished_range_is_read_as_plain_words(write_story: WriteStory, bank_dir: Path) -> None:
    write_story("kitchen-story", body="Given a second chance.\n")
    bank = StoryBank.open(bank_dir, as_of=TODAY)
    plain = [hit.story.id for hit in bank.search("given to").hits]
    assert plain == ["kitchen-story"]
    assert [hit.story.id for hit in bank.search("given:[2020 to").hits] == plain


def test_explain_says_how_the_text_was_read(write_story: WriteStory, bank_dir: Path) -> None:
    write_story("kitchen-story", body="Zucchini and buprenorphine.\n")
    result = StoryBank.open(bank_dir, as_of=TODAY).search("started drinking again on suboxone", explain=True)
    assert result.explanation is not None
    assert "relapse" in result.explanation["themes_named"]
    assert "buprenorphine" in result.explanation["expansions"]
    assert result.explanation["filters"]["purpose"] == "share"
    assert "explain" in result.to_dict()
    assert "explain" not in StoryBank.open(bank_dir, as_of=TODAY).search("zucchini").to_dict()


def test_importing_storybank_does_not_import_the_web_stack() -> None:
    import subprocess
    import sys

    code = "import storybank, sys; print(sorted({'fastapi', 'uvicorn', 'starlette'} & set(sys.modules)))"
    assert (
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
        == "[]\n"
    )


def test_serve_without_the_web_extra_says_how_to_install_it(
    bank_dir: Path, run: Callable[..., object], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "uvicorn", None)  # as if the extra were not installed
    result = run("--bank", bank_dir, "serve")
    assert result.code == 2  # type: ignore[attr-defined]
    assert "pip install 'storybank[web]'" in result.err  # type: ignore[attr-defined]
