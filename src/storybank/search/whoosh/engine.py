"""The Whoosh backend: a bank's index in `.storybank/index`, its incremental updates, locking, self-repair
and the warm searcher. Whoosh is imported only in this package (`search/whoosh/`).

The index is a cache: it can be deleted at any time and is rebuilt from the story files.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import warnings
import weakref
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from whoosh import index, query, sorting, writing
from whoosh.filedb.filestore import FileStorage
from whoosh.reading import SegmentReader
from whoosh.searching import Hit, Results, Searcher

from storybank.errors import IndexBusyError
from storybank.locking import locked
from storybank.models import Story
from storybank.search.backend import EngineQuery, IndexUnavailable, Load, RawHit, RawResult, Report, StoryFile
from storybank.search.freshness import FolderWatch, Freshness
from storybank.search.fusion import fused, semantic_boosts, semantic_ranks
from storybank.search.semantic import Vectors
from storybank.search.whoosh import schema as documents
from storybank.search.whoosh.arrays import Flags, Floats, Scored
from storybank.search.whoosh.generation import Generation, docnums_of
from storybank.search.whoosh.query import consent_filter, split, teller_filter, unknown_words, user_query
from storybank.search.whoosh.segments import SegmentCache, stored_fingerprints
from storybank.search.whoosh.snippets import highlighting, snippet
from storybank.store import CACHE_DIR

log = logging.getLogger("storybank")

LOCK_TIMEOUT_SECONDS = 60.0
BULK_STORIES = 500  # from this many changed stories on, the writer uses two processes (2x faster)
TIE_MARGIN = 10  # extra hits asked of Whoosh, so ties at the page's end can be ordered by id
SHORT_WORD = 5  # letters; a word this short is corrected by one edit at most


def _stale_check(ref: weakref.ref[StoryIndex]) -> Callable[[], bool]:
    """For the watch's thread: do the files differ from what the warm searcher holds? (A weak reference,
    so the thread does not keep the index alive.)"""

    def stale() -> bool:
        index = ref()
        if index is None or index._listed is None:
            return False
        return documents.fingerprints_of(index._listed()) != index._known

    return stale


def _merge_policy(writer: writing.SegmentWriter, segments: list[Any]) -> list[Any]:
    """Whoosh's MERGE_SMALL, after dealing with the segments a re-index left mostly deleted (a branch
    checked out, a bank copied back: every story written again). Whoosh keeps a segment until it is
    small enough to merge, however many of its documents are deleted, and every search walks past the
    deleted postings one at a time; so a segment with none left is dropped, and one with half or more
    deleted has its live documents merged into the new segment."""
    keep = []
    for segment in segments:
        total, deleted = segment.doc_count_all(), segment.deleted_count()
        if deleted >= total:
            continue
        if deleted * 2 >= total:
            reader = SegmentReader(writer.storage, writer.schema, segment)
            writer.add_reader(reader)
            reader.close()
        else:
            keep.append(segment)
    merged: list[Any] = writing.MERGE_SMALL(writer, keep)
    return merged


def _close_all(searchers: list[Searcher]) -> None:
    for searcher in searchers:
        searcher.close()
    searchers.clear()


class StoryIndex:
    """The index of one bank folder, with one warm searcher per process."""

    def __init__(
        self,
        root: Path,
        *,
        held: Callable[[Story], bool] = lambda _: False,
        policy_key: str = "",
        semantic: bool = False,
    ) -> None:
        """`held` says whether a story is held back for privacy; `policy_key` names what that answer
        depends on beyond the story file (the bank's phone regions): a change rebuilds the index.
        With `semantic`, stories are also embedded (search/semantic.py) and meaning joins the ranking."""
        self.root = root
        self._held = held
        self._version = f"{documents.SCHEMA_VERSION} {policy_key}".strip()
        self.cache = root / CACHE_DIR
        self.path = self.cache / "index"
        self.vectors = Vectors(self.cache) if semantic else None
        self._open: list[Searcher] = []  # the warm searcher, if any; a list so the finalizer sees changes
        self._known: dict[str, str] = {}  # id → fingerprint, as the warm searcher's generation holds them
        self._listed: Callable[[], Mapping[str, StoryFile]] | None = None  # the files, as last asked
        self._freshness = Freshness(root, _stale_check(weakref.ref(self)))
        self._generation: Generation | None = None  # what the warm searcher keeps between searches
        self._segments = SegmentCache()  # what was read from each segment, kept while it lives
        weakref.finalize(self, _close_all, self._open)
        weakref.finalize(self, self._freshness.stop)

    def close(self) -> None:
        """Close the warm searcher's files and stop the watch (the next searches open them again)."""
        _close_all(self._open)
        self._freshness.stop()

    def expire(self) -> None:
        """Check the files on the next search, however recent the last check (after this process's own
        writes, so its counts agree with its hits at once)."""
        self._freshness.expire()

    def watch(self) -> FolderWatch | None:
        """Learn of other processes' changes from file-system events from now on (search/freshness.py);
        None where they cannot be had. A warm process starts this by itself at its second search."""
        return self._freshness.start_watching()

    # -- writing ---------------------------------------------------------------------------------

    def ensure_current(
        self,
        files: Callable[[], Mapping[str, StoryFile]],
        load: Load,
        *,
        max_age: float = 0.0,
    ) -> Report | None:
        """Update the index if any story file changed; skip the check if one ran within `max_age` s, or
        (with a running watch, and `max_age` > 0) if no story file changed since the last one.

        A check costs one directory listing and one stat a file. Nothing is locked or written when
        the files match what the warm searcher holds.
        """
        self._listed = files
        if not self._freshness.due(max_age):
            return None
        checked, named = self._freshness.begin()
        try:
            self._searcher()
        except IndexUnavailable:
            named = None
        if named is None:
            listed = files()
            current = documents.fingerprints_of(listed)
        else:  # the watch named the stories changed since the last check: only their files are read
            listed = {i: path for i in named if (path := self.root / f"{i}.md").is_file()}
            current = {i: fp for i, fp in self._known.items() if i not in named}
            current.update(documents.fingerprints_of(listed))
        vectors_current = self.vectors is None or self.vectors.known == current
        if self._open and self._known == current and vectors_current:
            checked()
            return None
        report = self._update(current, listed, load, rebuild=False, progress=None, only=named)
        checked()
        return report

    def update(
        self,
        files: Mapping[str, StoryFile],
        load: Load,
        *,
        rebuild: bool = False,
        progress: Callable[[int, int], None] | None = None,
        embedding_progress: Callable[[int, int], None] | None = None,
    ) -> Report:
        """Bring the index in line with `files` (id → path): only changed stories are re-indexed (and
        re-embedded, with the semantic layer)."""
        current = documents.fingerprints_of(files)
        return self._update(
            current, files, load, rebuild=rebuild, progress=progress, embedding_progress=embedding_progress
        )

    def _update(
        self,
        current: dict[str, str],
        files: Mapping[str, StoryFile],
        load: Load,
        *,
        rebuild: bool,
        progress: Callable[[int, int], None] | None,
        embedding_progress: Callable[[int, int], None] | None = None,
        only: set[str] | None = None,
    ) -> Report:
        """`only`: the stories whose files may have changed (the others' files were not read)."""
        with self._lock():  # another process may have written since we looked: read the disk again
            report = Report()
            ix = None if rebuild else self._open_or_none()
            if ix is None:
                _close_all(self._open)
                ix = self._create()
                report.rebuilt = True
            with ix.reader() as reader:
                known = stored_fingerprints(reader, self._segments)
            changed = [i for i, fp in current.items() if known.get(i) != fp and i in files]
            gone = [i for i in known if i not in current and (only is None or i in only)]
            if changed or gone:
                self._write(ix, changed, gone, files, current, load, report, progress)
            if self.vectors is not None:
                if rebuild:
                    self.vectors.drop()
                story_at = lambda story_id: load(  # noqa: E731
                    Path(files[story_id]) if story_id in files else self.root / f"{story_id}.md"
                )
                report.embedded = self.vectors.update(current, story_at, embedding_progress)
            self._freshness.expire()
            return report

    def _write(
        self,
        ix: index.Index,
        changed: list[str],
        gone: list[str],
        files: Mapping[str, StoryFile],
        current: dict[str, str],
        load: Load,
        report: Report,
        progress: Callable[[int, int], None] | None,
    ) -> None:
        # One commit for the whole batch (each costs a segment write); big batches use both cores.
        bulk = len(changed) >= BULK_STORIES
        writer = ix.writer(procs=2, multisegment=True) if bulk else ix.writer()
        try:
            for story_id in gone:
                writer.delete_by_term("id", story_id)
                report.removed.append(story_id)
            for done, story_id in enumerate(changed, 1):
                story = load(Path(files[story_id]))
                if story is None:  # the file is broken now: it leaves the searchable stories
                    writer.update_document(**documents.unreadable(story_id, current[story_id]))
                else:
                    writer.update_document(**documents.document(story, current[story_id], self._held(story)))
                    report.indexed.append(story_id)
                if progress:
                    progress(done, len(changed))
            # Merging all drops a removed story's text from the files; else Whoosh's own policy, with the
            # segments left mostly deleted by a re-index merged in (see _merge_policy).
            writer.commit(mergetype=writing.OPTIMIZE if gone else _merge_policy)
        except BaseException:
            writer.cancel()
            raise

    # -- reading ---------------------------------------------------------------------------------

    def search(self, request: EngineQuery, *, limit: int, offset: int, facets: bool = True) -> RawResult:
        with self._reading():
            return self._search(self._searcher(), request, limit=limit, offset=offset, facets=facets)

    def similar(self, story_id: str, request: EngineQuery, *, limit: int) -> list[RawHit]:
        with self._reading():
            searcher = self._searcher()
            docnum = searcher.document_number(id=story_id)
            if docnum is None:
                return []
            language = searcher.stored_fields(docnum).get("language")
            field_name = "body_es" if language == "es" else "body"
            hits = searcher.more_like(docnum, field_name, top=limit, filter=consent_filter(request))
            return [
                RawHit(hit["id"], float(hit.score or 0.0), "", tuple(split(hit.get("themes"))))
                for hit in hits
            ]

    def suggest(self, word: str, request: EngineQuery) -> str | None:
        """A known word close to `word` that appears in a story usable for the request's purpose."""
        with self._reading():
            self._searcher()
            state = self._state()
            allowed = state.flags(consent_filter(request))
            if request.language:  # a correction in the query's language, from its stories
                allowed = allowed & state.term("language", request.language)
            reach = 1 if len(word) <= SHORT_WORD else 2  # edits: a short word is easily another word
            for candidate in state.corrections(word, limit=5, maxdist=reach):
                if (allowed & state.matching(query.Term("words", candidate))).any():
                    return str(candidate)
        return None

    def unknown_words(self, text: str) -> list[str]:
        with self._reading():
            return unknown_words(self._searcher(), text)

    # -- internals -------------------------------------------------------------------------------

    def _searcher(self) -> Searcher:
        """The warm searcher, reopened when any process has committed since it was opened.

        Not `Searcher.refresh()`: it reuses a segment's reader even when that segment's deletions have
        changed, so a story re-indexed since shows up twice (whoosh-reloaded 2.7.5; found by the
        crash-injection tests). Opening a searcher costs a few file opens; reading stays warm between.
        """
        if self._open:
            searcher = self._open[0]
            if searcher.up_to_date():
                return searcher
            _close_all(self._open)
        ix = self._open_or_none()
        if ix is None:
            raise IndexUnavailable("the index is missing or damaged")
        self._open[:] = [ix.searcher()]
        self._generation = Generation(self._open[0], self._segments)
        self._known = self._generation.fingerprints()
        return self._open[0]

    @contextlib.contextmanager
    def _reading(self) -> Iterator[None]:
        try:
            yield
        except IndexUnavailable:
            _close_all(self._open)
            raise
        except Exception as error:  # a damaged segment shows up as any kind of read error
            reason = f"{type(error).__name__}: {error}"[:200]
            _close_all(self._open)
            _close_leftovers(error)
            raise IndexUnavailable(f"the index could not be read ({reason})") from None

    def _search(
        self, searcher: Searcher, request: EngineQuery, *, limit: int, offset: int, facets: bool
    ) -> RawResult:
        state = self._state()
        scored, clauses = user_query(request, searcher.schema)
        words = state.scores(scored) if clauses else None  # None: Whoosh's own matchers rank it
        eligible, matched, elsewhere = self._matched(state, request, scored, words)
        meaning = self._meaning(state, request.text, eligible) if clauses else _NO_MEANING
        found = matched.copy()
        found[list(meaning.boosts)] = True  # a story close in meaning joins the word matches
        if not found.any():
            return RawResult(0, [], {}, str(scored), elsewhere)
        counts = state.counts(found, "themes") if facets else {}
        tellers = {
            "teller_decades": state.counts(found, "teller_decades"),
            "teller_gender": state.counts(found, "teller_gender"),
        } if facets else {}  # fmt: skip
        page = _NO_PAGE
        if matched.any():
            page = self._page(state, scored, words, matched, clauses, limit=limit, offset=offset)
        if meaning.boosts:
            page = self._fused_page(state, scored, words, page, meaning, limit=limit, offset=offset)
        semantic_rank = semantic_ranks(meaning.similarities, meaning.of(page.hits))
        hits = []
        for hit in page.hits:  # snippets only for the hits shown: each costs a few milliseconds
            field_name = "body_es" if hit.get("language") == "es" else "body"
            text, ranges = snippet(hit, field_name)
            themes = tuple(split(hit["themes"]))
            lexical, semantic = page.lexical_ranks.get(hit.docnum), semantic_rank.get(hit["id"])
            hits.append(RawHit(hit["id"], page.scores[hit.docnum], text, themes, ranges, lexical, semantic))
        semantic_used = self.vectors is not None and bool(clauses)
        total = int(np.count_nonzero(found))
        return RawResult(total, hits, counts, str(scored), elsewhere, tellers, semantic_used)

    def _state(self) -> Generation:
        assert self._generation is not None  # set with the searcher (`_searcher`)
        return self._generation

    def _meaning(self, state: Generation, text: str, eligible: Flags) -> _Meaning:
        """The semantic part of the ranking: among the stories the search allows (consent and every
        filter), the closest few in meaning to the text, by document number."""
        if self.vectors is None or not eligible.any():
            return _NO_MEANING
        similarity = self.vectors.similarity(text)  # (first: it takes in vectors another process wrote)
        if similarity is None:
            return _NO_MEANING
        places = state.places_in(self.vectors)
        docnums = np.flatnonzero(eligible & (places >= 0))
        values = similarity[places[docnums]]
        ids = state.ids
        parts = semantic_boosts(values, lambda at: ids[docnums[at]])
        return _Meaning({int(docnums[at]): part for at, part in parts.items()}, values, docnums)

    def _fused_page(
        self,
        state: Generation,
        user_query: query.Query,
        words: Scored | None,
        lexical: _Page,
        meaning: _Meaning,
        *,
        limit: int,
        offset: int,
    ) -> _Page:
        """The page by fused score (search/fusion.py), over the word matches ranked for the page (its
        hits and TIE_MARGIN more) and the stories close in meaning; a story ranked further down counts
        no lexical score (ranking 20 or 50 word matches gave the same relevance, and cost more); ties are
        ordered by story id."""
        ids = state.ids
        best = max(lexical.scores.values(), default=0.0)
        candidates = lexical.scores.keys() | meaning.boosts.keys()
        lexical_scores = {ids[docnum]: lexical.scores.get(docnum, 0.0) for docnum in candidates}
        total = fused(lexical_scores, best, {ids[docnum]: part for docnum, part in meaning.boosts.items()})
        order = sorted(total, key=lambda story_id: (-total[story_id], story_id))
        docnum_of = {ids[docnum]: docnum for docnum in candidates}
        chosen = [docnum_of[story_id] for story_id in order[offset : offset + limit]]
        shown = {hit.docnum: hit for hit in lexical.hits}
        missing = [docnum for docnum in chosen if docnum not in shown]
        shown.update(self._hits_for(state, missing, user_query, words))
        scores = {docnum_of[story_id]: score for story_id, score in total.items()}
        return _Page([shown[docnum] for docnum in chosen], scores, lexical.lexical_ranks)

    def _hits_for(
        self, state: Generation, docnums: list[int], user_query: query.Query, words: Scored | None
    ) -> dict[int, Hit]:
        """Whoosh hits for these few documents, ready to highlight with the query's words each holds (a
        story close in meaning only holds none, so its snippet is the story's opening)."""
        found: dict[int, Hit] = {}
        if words is None and docnums:  # a query shape left to Whoosh: it tells the words, asked by id
            these = query.Or([query.Term("id", state.ids[docnum]) for docnum in docnums])
            asked = query.And([user_query, these])
            asked_hits = state.searcher.search(asked, limit=None, terms=True)
            found = {h.docnum: h for h in highlighting(asked_hits, self._segments)}
        rest = [docnum for docnum in docnums if docnum not in found]
        results = Results(state.searcher, user_query, [(0.0, docnum) for docnum in rest])
        results.docterms = {d: state.arrays.terms_at(words, d) if words else [] for d in rest}
        results.termdocs = {}
        for docnum, terms in results.docterms.items():
            for term in terms:
                results.termdocs.setdefault(term, set()).add(docnum)
        return found | {hit.docnum: hit for hit in highlighting(results, self._segments)}

    def _matched(
        self, state: Generation, request: EngineQuery, user_query: query.Query, words: Scored | None
    ) -> tuple[Flags, Flags, int]:
        """The documents consent and the filters allow (the semantic layer's candidates), those of them
        the query's words match, and how many more match in other languages (the language is the last
        filter, so this costs a count)."""
        allowed = state.flags(consent_filter(request)).copy()
        if request.themes:
            themes = [state.term("themes", theme) for theme in request.themes]
            allowed &= np.logical_or.reduce(themes) if request.any_theme else np.logical_and.reduce(themes)
        tellers = teller_filter(request)
        if tellers is not None:
            allowed &= state.flags(tellers)
        for warning in request.exclude_warnings:
            allowed &= ~state.term("warnings", warning)
        if words is not None:
            matched = allowed & words.matched
        elif isinstance(user_query, query.Every):
            matched = allowed.copy()
        else:  # a query shape the array scorer does not know: Whoosh's matchers, unscored
            matched = allowed & state.matching(user_query)  # (a user's query: not kept)
        if not request.language:
            return allowed, matched, 0
        in_language = state.term("language", request.language)
        everywhere = int(np.count_nonzero(matched))
        matched &= in_language
        return allowed & in_language, matched, everywhere - int(np.count_nonzero(matched))

    def _page(
        self,
        state: Generation,
        user_query: query.Query,
        words: Scored | None,
        matched: Flags,
        clauses: list[query.Query],
        *,
        limit: int,
        offset: int,
    ) -> _Page:
        """The hits from `offset` to `offset + limit`, best first; ties broken by story id. The page's
        hits and TIE_MARGIN more are ranked (and every document tied with the last of them)."""
        wanted = offset + limit
        if not wanted:
            return _NO_PAGE
        ids = state.ids
        searcher = state.searcher
        if not clauses:  # no words: every story scores the same, so the order is the id's
            ranked = searcher.search(
                query.Every(),
                filter=set(docnums_of(matched)),
                limit=wanted,
                sortedby=sorting.FieldFacet("id"),
                terms=True,
            )
            found = highlighting(ranked, self._segments)
            return _Page(found[offset:wanted], {hit.docnum: 0.0 for hit in found}, {})
        if words is None:
            scores = self._whoosh_scores(searcher, user_query, matched, wanted)
        else:
            scores = _best(words.scores, matched, wanted + TIE_MARGIN)
        order = sorted(scores, key=lambda docnum: (-scores[docnum], ids[docnum]))
        ranks = {docnum: rank for rank, docnum in enumerate(order, 1)}
        page = order[offset:wanted]
        hits = self._hits_for(state, page, user_query, words)
        return _Page([hits[docnum] for docnum in page], scores, ranks)

    @staticmethod
    def _whoosh_scores(
        searcher: Searcher, user_query: query.Query, matched: Flags, wanted: int
    ) -> dict[int, float]:
        """Scores by Whoosh's matchers (for query shapes the array scorer does not know): the top N,
        N growing until the scores at the page's end are all in, so a tie across the cut is kept."""
        allowed = set(docnums_of(matched))
        size = wanted + TIE_MARGIN
        while True:
            found = list(searcher.search(user_query, filter=allowed, limit=size))
            if len(found) < size or found[-1].score < found[wanted - 1].score:
                return {hit.docnum: float(hit.score or 0.0) for hit in found}
            size *= 2

    def _open_or_none(self) -> index.Index | None:
        """The index on disk, or None when it is missing, from another version, or unreadable."""
        try:
            if _version(self.path) != self._version or not index.exists_in(str(self.path)):
                return None
            ix = index.open_dir(str(self.path))
            if ix.schema.names() != documents.schema().names():
                return None
            with ix.reader() as reader:  # reading the fingerprint column touches every new segment
                stored_fingerprints(reader, self._segments)
            return ix
        except Exception as error:
            log.warning("the search index could not be read (%s); rebuilding it", type(error).__name__)
            _close_leftovers(error)
            return None

    def _create(self) -> index.Index:
        """An empty index in place of the old one (Whoosh deletes the old files one by one)."""
        self.path.mkdir(parents=True, exist_ok=True)
        version = self.path / "VERSION"
        version.unlink(missing_ok=True)  # until the new index exists, nothing here is trusted
        ix = FileStorage(str(self.path)).create_index(documents.schema())
        version.write_text(self._version)
        return ix

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        """One index writer per bank at a time; the next one waits up to LOCK_TIMEOUT_SECONDS."""
        self.cache.mkdir(exist_ok=True)
        ignore = self.cache / ".gitignore"
        if not ignore.exists():
            ignore.write_text("*\n")

        def busy() -> IndexBusy:
            return IndexBusy(
                f"another storybank process has been updating {self.path} for over "
                f"{LOCK_TIMEOUT_SECONDS:.0f} s; try again when it is done"
            )

        with locked(self.cache / "index.lock", LOCK_TIMEOUT_SECONDS, busy):
            yield


def _best(scores: Floats, matched: Flags, count: int) -> dict[int, float]:
    """The `count` best-scoring matched documents, and every one tied with the last: docnum → score."""
    candidates = np.flatnonzero(matched)
    values = scores[candidates]
    if len(candidates) > count:
        cut = np.partition(values, len(values) - count)[len(values) - count]
        keep = values >= cut
        candidates, values = candidates[keep], values[keep]
    return {int(docnum): float(value) for docnum, value in zip(candidates, values, strict=True)}


@dataclass
class _Page:
    """The hits of one page (ready to highlight), and every ranked document's score."""

    hits: list[Hit]
    scores: dict[int, float]
    lexical_ranks: dict[int, int]  # 1-based, by lexical score, for every document ranked


@dataclass(frozen=True)
class _Meaning:
    """The semantic part of a search: the fused score's part by document number, and the similarity of
    every allowed story that has vectors (`docnums`, in order)."""

    boosts: dict[int, float]
    similarities: Floats
    docnums: NDArray[np.int64]

    def of(self, hits: list[Hit]) -> dict[str, float]:
        """id → similarity, for the hits that have one."""
        at = np.searchsorted(self.docnums, [hit.docnum for hit in hits])
        return {
            hit["id"]: float(self.similarities[place])
            for hit, place in zip(hits, at.tolist(), strict=True)
            if place < len(self.docnums) and self.docnums[place] == hit.docnum
        }


_NO_PAGE = _Page([], {}, {})
_NO_MEANING = _Meaning({}, np.zeros(0), np.zeros(0, dtype=np.int64))


class IndexBusy(IndexBusyError):
    """Another process holds the index lock for too long."""


def _close_leftovers(error: BaseException) -> None:
    """Close, quietly, the files Whoosh left open when reading a damaged segment failed.

    They are held by the error's traceback (its frames' locals): drop the tracebacks, then collect.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        seen: BaseException | None = error
        while seen is not None:
            seen.__traceback__ = None
            seen = seen.__cause__ or seen.__context__
        gc.collect()


def _version(path: Path) -> str | None:
    try:
        return (path / "VERSION").read_text().strip()
    except OSError:
        return None


__all__ = ["IndexBusy", "StoryIndex"]
