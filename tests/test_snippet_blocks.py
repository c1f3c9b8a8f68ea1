"""Snippets of stories deep in long postings lists (search/whoosh/snippets.py reads a term's block
directly): the same as Whoosh's own highlighter, which walks the postings from the start."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import numpy as np
import pytest
from whoosh import highlight, index, query
from whoosh.searching import Searcher

from helpers import SUPPORT_TOML, front_matter, story_text
from storybank import StoryBank
from storybank.search.whoosh.snippets import _MarkFormatter, _SentencesAround, highlighting, snippet

STORIES = 320  # a common word's postings run to three blocks (Whoosh writes 128 postings a block)


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Searcher]:
    folder = tmp_path_factory.mktemp("blocks") / "bank"
    folder.mkdir()
    (folder / "storybank.toml").write_text(SUPPORT_TOML, encoding="utf-8")
    for number in range(STORIES):
        body = (
            f"Story {number} begins on a quiet street.\n\nThe kitchen was warm and the garden was "
            f"{'green' if number % 3 else 'bare'} that year.\n\nA friend came by with soup, and the kitchen "
            f"light stayed on.\n"
        )
        story_id = f"story-{number:03d}"
        text = story_text(front_matter(id=story_id), body)
        (folder / f"{story_id}.md").write_text(text, encoding="utf-8")
    bank = StoryBank.open(folder, as_of=dt.date(2025, 6, 1))
    bank.index()
    for number in range(0, STORIES, 7):  # a second segment, and deletions in the first
        path = folder / f"story-{number:03d}.md"
        path.write_text(path.read_text(encoding="utf-8") + "\nThe kitchen, again.\n", encoding="utf-8")
    bank.index()
    bank.close()
    with index.open_dir(str(folder / ".storybank" / "index")).searcher() as opened:
        assert len(opened.leaf_searchers()) >= 2
        yield opened


def whooshs_own(searcher: Searcher, wanted: query.Query) -> dict[int, str]:
    results = searcher.search(wanted, limit=None, terms=True)
    results.highlighter = highlight.Highlighter(
        fragmenter=_SentencesAround(maxchars=300), formatter=_MarkFormatter()
    )
    return {hit.docnum: hit.highlights("body", top=2) for hit in results}


@pytest.mark.parametrize("words", ["kitchen", "garden green", "soup light", "quiet street kitchen"])
def test_snippets_deep_in_the_postings_equal_whooshs(searcher: Searcher, words: str) -> None:
    wanted = query.Or([query.Term("body", word) for word in words.split()])
    expected = whooshs_own(searcher, wanted)
    hits = highlighting(searcher.search(wanted, limit=None, terms=True))
    assert len(hits) > 128
    assert {hit.docnum: hit.highlights("body", top=2) for hit in hits} == expected
    assert all(snippet(hit, "body")[1] for hit in hits)  # every snippet has its matched words marked


@pytest.mark.parametrize("words", ["kitchen light", "quiet street", "friend came"])
def test_phrases_deep_in_the_postings_match_as_whooshs(searcher: Searcher, words: str) -> None:
    from storybank.search.whoosh.arrays import ArrayScorer

    wanted = query.Phrase("body", words.split())
    expected = sorted(searcher.docs_for_query(wanted))
    found = [int(d) for d in np.flatnonzero(ArrayScorer(searcher).score(wanted).matched)]
    assert found == expected
    assert len(expected) > 128  # deep in the postings: past the first block
