"""The array scorer (search/whoosh/arrays.py) gives the numbers Whoosh's own matchers give, over a real
index of the sample stories with several segments and deleted documents."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh import index, query
from whoosh.searching import Searcher

from helpers import REPO
from storybank import StoryBank
from storybank.search.backend import EngineQuery
from storybank.search.whoosh import columns
from storybank.search.whoosh.arrays import ArrayScorer, Unsupported
from storybank.search.whoosh.query import user_query

SAMPLES = sorted((REPO / "stories").glob("*.md"))
TODAY = dt.date(2026, 11, 22)


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Searcher]:
    """The sample bank indexed, then two stories edited: three segments, and deletions in the first."""
    folder = tmp_path_factory.mktemp("arrays") / "bank"
    folder.mkdir()
    for path in SAMPLES:
        shutil.copy(path, folder / path.name)
    shutil.copy(REPO / "stories" / "storybank.toml", folder / "storybank.toml")
    bank = StoryBank.open(folder, as_of=TODAY)
    bank.index()
    for path in sorted(folder.glob("*.md"))[:2]:
        path.write_text(
            path.read_text(encoding="utf-8") + "\nA closing line, added later.\n", encoding="utf-8"
        )
        bank.index()
    ix = index.open_dir(str(folder / ".storybank" / "index"))
    with ix.searcher() as opened:
        assert len(opened.leaf_searchers()) >= 2
        assert opened.reader().has_deletions()
        yield opened


def whoosh_scores(searcher: Searcher, wanted: query.Query) -> dict[int, float]:
    """The documents Whoosh finds for a query (`docs_for_query`), each scored by a fresh Whoosh matcher
    tree moved straight to it.

    Not a whole scored search: as it goes, Whoosh drops a term from an OR group's coordination count once
    the term's postings run out (so a story's score depended on where in the index it sits), and on an
    OR of several fields and themes its scored walk skips some matching documents that its unscored walk
    finds (seen here: 23 of 30). The array scorer counts every term the segment has, and finds them all.
    """
    matches = sorted(searcher.docs_for_query(wanted))
    context = searcher.context(needs_current=True, weighting=searcher.weighting)
    scores = {}
    for sub, offset in searcher.leaf_searchers():
        size = sub.reader().doc_count_all()
        for docnum in (d for d in matches if offset <= d < offset + size):
            matcher = wanted.matcher(sub, context)
            matcher.skip_to(docnum - offset)
            assert matcher.is_active()
            assert matcher.id() == docnum - offset
            scores[docnum] = float(matcher.score())
    return scores


def array_scores(searcher: Searcher, wanted: query.Query) -> dict[int, float]:
    scored = ArrayScorer(searcher).score(wanted)
    return {int(d): float(scored.scores[d]) for d in scored.matched.nonzero()[0]}


def engine_query(text: str, *, person: bool = False) -> EngineQuery:
    return EngineQuery(
        text=text,
        theme_boosts={"relapse": 2.0, "family": 1.0} if person else {},
        warning_boosts={"suicide": 1.0} if person else {},
        expansions=("alcohol",) if person else (),
        on=TODAY,
        now=TODAY,
        person_decades=(50,) if person else (),
        person_gender="he" if person else None,
    )


def assert_same(searcher: Searcher, wanted: query.Query) -> None:
    mine, theirs = array_scores(searcher, wanted), whoosh_scores(searcher, wanted)
    assert mine.keys() == theirs.keys()
    for docnum, score in theirs.items():
        assert mine[docnum] == pytest.approx(score, rel=1e-9, abs=1e-12)


WORDS = sorted(
    {
        w
        for path in SAMPLES[:12]
        for w in re.findall(r"[a-záéíóúñ]{3,}", path.read_text(encoding="utf-8").lower())
    }
)


@pytest.mark.parametrize(
    "text",
    [
        "relapse",
        "started drinking again after years sober",
        "kitchen job",
        '"back to work"',
        "family AND hope",
        "sober OR clean",
        "(mother OR father) AND kids",
        "me siento muy solo",
        "recaída después de años",
    ],
)
def test_array_scores_equal_whoosh_scores(searcher: Searcher, text: str) -> None:
    wanted, _ = user_query(engine_query(text, person=True), searcher.schema)
    assert_same(searcher, wanted)


def test_plain_words_and_phrases_are_scored_by_arrays(searcher: Searcher) -> None:
    for text in ("started drinking again", '"back to work" kitchen'):
        wanted, _ = user_query(engine_query(text, person=True), searcher.schema)
        assert ArrayScorer(searcher).score(wanted).matched.any()


def test_a_lone_not_is_left_to_whoosh(searcher: Searcher) -> None:
    with pytest.raises(Unsupported):
        ArrayScorer(searcher).score(query.Not(query.Term("body", "drink")))


texts = st.lists(
    st.one_of(st.sampled_from(WORDS), st.sampled_from(["AND", "OR", "NOT", '"', "(", ")"])),
    min_size=1,
    max_size=8,
).map(" ".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=texts, person=st.booleans())
def test_any_query_scores_as_whoosh_or_is_left_to_it(searcher: Searcher, text: str, person: bool) -> None:
    wanted, _ = user_query(engine_query(text, person=person), searcher.schema)
    try:
        ArrayScorer(searcher).score(wanted)
    except Unsupported:
        return  # the engine searches this one with Whoosh's matchers
    assert_same(searcher, wanted)


@pytest.mark.parametrize("field_name", ["id", "fingerprint"])
def test_a_whole_column_reads_as_whooshs_reader_gives_it(searcher: Searcher, field_name: str) -> None:
    reader = searcher.reader()
    column = reader.column_reader(field_name, translate=True)
    assert columns.strings(reader, field_name) == [column[d] for d in range(reader.doc_count_all())]


@pytest.mark.parametrize("field_name", ["title", "summary", "body", "body_es", "what_helped", "words"])
def test_field_lengths_read_at_once_equal_whooshs_one_at_a_time(searcher: Searcher, field_name: str) -> None:
    for sub, _offset in searcher.leaf_searchers():
        segment = sub.reader()
        slow = [segment.doc_field_length(d, field_name, 0) or 0 for d in range(segment.doc_count_all())]
        assert columns.field_lengths(segment, field_name).tolist() == slow


def test_a_part_of_a_segment_is_copied_only_when_read_as_a_file(searcher: Searcher) -> None:
    from storybank.search.whoosh.patches import LazyBufferFile

    segment = searcher.leaf_searchers()[0][0].reader()
    compound = segment._storage.a  # the segment's compound file, under Whoosh's OverlayStorage
    name = next(n for n in compound.list() if n.endswith(".col"))
    part = compound.open_file(name)
    assert isinstance(part, LazyBufferFile)
    start = part.get(0, 16)
    assert part._bytes is None  # a `get` reads the mapped segment, with no copy
    part.seek(0)
    assert part.read(16) == start
    assert part.tell() == 16
    assert part._bytes is None  # nor do `seek`, `read` and `tell`
    part.seek(-4, 2)
    assert part.read() == bytes(part._buf[-4:])
    assert part.read(8) == b""  # at the end, as a file
    part.close()


def test_a_part_read_in_place_reads_as_a_file_would() -> None:
    import io
    import pickle

    from storybank.search.whoosh.patches import PICKLE_WINDOW, LazyBufferFile

    longer = pickle.dumps(list(range(PICKLE_WINDOW)), protocol=2)  # more than the window read at once
    assert len(longer) > PICKLE_WINDOW
    data = b"first line\nsecond\n" + pickle.dumps({"terms": [1, 2, 3]}, protocol=2) + longer + b"tail"
    part, real = LazyBufferFile(memoryview(data)), io.BytesIO(data)
    for step in ("line", "line", "pickle", "pickle", "rest"):
        if step == "line":
            assert part.readline() == real.readline()
        elif step == "pickle":
            assert part.read_pickle() == pickle.load(real)
        else:
            assert part.read() == real.read()
        assert part.tell() == real.tell()
    assert part._bytes is None


def test_the_live_documents_are_whooshs_own(searcher: Searcher) -> None:
    assert columns.live(searcher.reader()) == list(searcher.reader().all_doc_ids())


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    word=st.one_of(
        st.sampled_from(
            ["lonley", "drinkng", "recovry", "famly", "hospitl", "trabjo", "esperansa", "kichen"]
        ),
        st.text(alphabet="abcdeilmnorstuy", min_size=3, max_size=9),
    ),
    maxdist=st.sampled_from([1, 2]),
)
def test_corrections_are_whooshs_corrector_suggestions(searcher: Searcher, word: str, maxdist: int) -> None:
    from storybank.search.whoosh.generation import Generation

    expected = searcher.corrector("words").suggest(word, limit=5, maxdist=maxdist)
    assert Generation(searcher).corrections(word, limit=5, maxdist=maxdist) == expected


def test_a_misspelt_word_gets_whooshs_corrections(searcher: Searcher) -> None:
    from storybank.search.whoosh.generation import Generation

    expected = searcher.corrector("words").suggest("lonley", limit=5, maxdist=2)
    assert expected  # the sample bank knows "lonely"
    assert Generation(searcher).corrections("lonley", limit=5, maxdist=2) == expected


def test_a_terms_documents_read_from_postings_are_whooshs(searcher: Searcher) -> None:
    from storybank.search.whoosh.generation import Generation

    generation = Generation(searcher)
    reader = searcher.reader()
    for field_name in ("themes", "warnings", "teller_decades", "teller_gender", "language", "purposes"):
        for value in [*(v.decode() for v in reader.lexicon(field_name)), "no-such-value"]:
            wanted = query.Term(field_name, value)
            expected = sorted(searcher.docs_for_query(wanted))
            assert [int(d) for d in np.flatnonzero(generation.flags(wanted))] == expected, wanted


def postings_one_at_a_time(searcher: Searcher, field_name: str, text: bytes) -> list[tuple[int, float]]:
    """A term's postings in every segment (deleted documents too, as the array scorer reads them) through
    the matcher API, by whole-index number."""
    from storybank.search.whoosh.arrays import leaf_of

    found = []
    for sub, offset in searcher.leaf_searchers():
        reader = sub.reader()
        if (field_name, text) not in reader:
            continue
        matcher = leaf_of(reader.postings(field_name, text))
        while matcher.is_active():
            found.append((offset + matcher.id(), matcher.weight()))
            matcher.next()
    return found


def postings_by_block(searcher: Searcher, field_name: str, text: bytes) -> list[tuple[int, float]]:
    from storybank.search.whoosh.arrays import _read_postings, leaf_of

    found = []
    for sub, offset in searcher.leaf_searchers():
        reader = sub.reader()
        if (field_name, text) not in reader:
            continue
        ids, weights = _read_postings(leaf_of(reader.postings(field_name, text)))
        found.extend((offset + int(i), float(w)) for i, w in zip(ids, weights, strict=True))
    return found


def test_postings_read_a_block_at_a_time_are_whooshs(searcher: Searcher) -> None:
    reader = searcher.reader()
    for field_name in ("body", "title", "words", "themes", "given"):
        for text in list(reader.lexicon(field_name))[:300]:
            expected = postings_one_at_a_time(searcher, field_name, text)
            assert postings_by_block(searcher, field_name, text) == expected, (field_name, text)


def test_postings_of_many_blocks_are_whooshs(tmp_path: Path) -> None:
    """Terms in hundreds of documents (Whoosh writes 128 postings a block) with weights all one, all
    the same and all different: each stored in its own way."""
    from whoosh import fields

    ix = index.create_in(str(tmp_path), fields.Schema(text=fields.TEXT(), tag=fields.KEYWORD))
    with ix.writer() as writer:
        for number in range(700):
            words = ["every", "twice twice"] + ["some " * (1 + number % 5)] * (number % 3 == 0)
            writer.add_document(text=" ".join(words), tag="all")
    with ix.searcher() as opened:
        for field_name, text in (("text", b"every"), ("text", b"twice"), ("text", b"some"), ("tag", b"all")):
            expected = postings_one_at_a_time(opened, field_name, text)
            assert len(expected) > 200
            assert postings_by_block(opened, field_name, text) == expected, text


def block_lengths(ix: index.Index) -> list[tuple[str, bytes, int, int, int]]:
    """Every posting with the shortest and longest field length its block records."""
    seen = []
    with ix.searcher() as opened:
        reader = opened.reader()
        for field_name, text in reader.all_terms():
            if not reader.schema[field_name].scorable:
                continue
            matcher = reader.postings(field_name, text)
            while matcher.is_active():
                seen.append(
                    (field_name, text, matcher.id(), matcher.block_min_length(), matcher.block_max_length())
                )
                matcher.next()
    return seen


def test_a_segment_written_with_remembered_lengths_is_whooshs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """patches.add_postings asks for each field length once: the blocks it writes record the same lengths."""
    from whoosh import fields
    from whoosh.codec import base

    from storybank.search.whoosh import patches

    def build(folder: Path) -> index.Index:
        folder.mkdir()
        ix = index.create_in(str(folder), fields.Schema(text=fields.TEXT(), title=fields.TEXT()))
        with ix.writer() as writer:
            for number in range(300):
                writer.add_document(
                    text="word " * (1 + number % 7) + f"n{number % 11}", title="a title " * (number % 3)
                )
        return ix

    assert base.FieldWriter.add_postings is patches.add_postings
    remembered = block_lengths(build(tmp_path / "remembered"))
    monkeypatch.setattr(base.FieldWriter, "add_postings", patches._add_postings)
    assert remembered == block_lengths(build(tmp_path / "whoosh"))
    assert {low for *_, low, _high in remembered} != {0}
