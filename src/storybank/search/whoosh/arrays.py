"""Whoosh's scores for every document at once, with numpy: the same numbers Whoosh's matchers compute
one document at a time in Python, for the query shapes storybank's searches make.

Whoosh builds a tree of matchers for a query in each segment (terms, their boosts, unions, intersections,
"and maybe", "and not", the coordination bonus of an OR group) and walks it posting by posting, which is
most of a search's time. Here the same tree is built — so every choice Whoosh makes (which terms a
segment has, the tree's shape, the coordination's term count) stays Whoosh's — and evaluated a node at a
time over arrays of document numbers: a term's postings are read once per searcher, in blocks, and
scored with Whoosh's own BM25F function. A matcher this module does not know (NOT on its own,
wildcards, other span queries) raises `Unsupported`, and the caller lets Whoosh search as before.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from whoosh import matching, query, scoring
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import binary, wrappers
from whoosh.query.spans import Span, SpanNear2, bisect_spans
from whoosh.searching import Searcher

from storybank.search.whoosh import columns
from storybank.search.whoosh.columns import field_lengths
from storybank.search.whoosh.segments import SegmentCache, segment_id

Floats = NDArray[np.float64]
Flags = NDArray[np.bool_]
Counts = NDArray[np.int32]


class Unsupported(Exception):
    """A matcher this module cannot evaluate: search with Whoosh itself."""


@dataclass
class Scored:
    """Every document's score (0 where it does not match) and which documents match, by document
    number of the whole index; deleted documents never match."""

    scores: Floats
    matched: Flags
    leaves: list[tuple[int, str, bytes]]  # every term in the query's trees: (segment offset, field, text)


@dataclass
class _Node:
    """One matcher's result over a segment: zero score and count wherever it does not match."""

    scores: Floats
    matched: Flags
    terms: Counts  # how many term matchers in the subtree match each document (for coordination)


class ArrayScorer:
    """Array scoring over one searcher (one index generation); postings and field lengths are read once
    a segment and kept while it lives (segments.py)."""

    def __init__(self, searcher: Searcher, cache: SegmentCache | None = None) -> None:
        self._searcher = searcher
        self._context = searcher.context(needs_current=True, weighting=searcher.weighting)
        self._size = searcher.reader().doc_count_all()
        self.cache = cache if cache is not None else SegmentCache()
        # Each segment's searcher and id, by its first document number in the whole index.
        self.segments = {offset: (sub, segment_id(sub.reader())) for sub, offset in searcher.leaf_searchers()}
        live = np.zeros(self._size, dtype=bool)
        live[columns.live(searcher.reader())] = True
        self.live = live

    def score(self, user_query: query.Query) -> Scored:
        scores = np.zeros(self._size)
        matched = np.zeros(self._size, dtype=bool)
        leaves: list[tuple[int, str, bytes]] = []
        for sub, offset in self._searcher.leaf_searchers():
            size = sub.reader().doc_count_all()
            evaluation = _Evaluation(self, sub, offset, size, leaves)
            node = evaluation.node(user_query.matcher(sub, self._context))
            scores[offset : offset + size] = node.scores
            matched[offset : offset + size] = node.matched
        matched &= self.live
        scores[~matched] = 0.0
        return Scored(scores, matched, leaves)

    def terms_at(self, scored: Scored, docnum: int) -> list[tuple[str, bytes]]:
        """The query's terms in one document, as Whoosh's `terms=True` records them for highlighting."""
        terms = []
        for offset, fieldname, text in scored.leaves:
            ids = self._read(offset, fieldname, text)[0]
            local = docnum - offset
            at = int(np.searchsorted(ids, local))
            if at < len(ids) and ids[at] == local:
                terms.append((fieldname, text))
        return terms

    def postings(self, offset: int, leaf: matching.Matcher) -> tuple[NDArray[np.int64], Floats]:
        """A term's document numbers (in its segment) and weights, read in blocks the first time (from a
        matcher of its own: the tree's may have moved on, as a phrase's does to its first match)."""
        fieldname, text = leaf.term()
        return self._read(offset, fieldname, text)

    def _read(self, offset: int, fieldname: str, text: bytes) -> tuple[NDArray[np.int64], Floats]:
        sub, segment = self.segments[offset]
        return segment_postings(self.cache, sub, segment, fieldname, text)

    def lengths(self, offset: int, fieldname: str) -> Floats:
        """Each document's length in a field as Whoosh stores it (one byte, approximate)."""
        sub, segment = self.segments[offset]
        read = lambda: field_lengths(sub.reader(), fieldname)  # noqa: E731
        return self.cache.get(segment, ("lengths", fieldname), read)


@dataclass
class _Evaluation:
    """The evaluation of one segment's matcher tree."""

    arrays: ArrayScorer
    sub: Searcher
    offset: int
    size: int
    leaves: list[tuple[int, str, bytes]]

    def node(self, m: matching.Matcher) -> _Node:
        kind = type(m)
        handler = _HANDLERS.get(kind)
        if handler is not None:
            return handler(self, m)
        if m.is_leaf() and m.term() is not None:
            return self._leaf(m)
        raise Unsupported(kind.__name__)

    def phrase_matches(self, m: SpanNear2.SpanNear2Matcher, candidates: list[int]) -> list[int]:
        """The candidates where the phrase's words stand as Whoosh's span rule asks."""
        terms = []
        for word in m.ms:
            leaf = leaf_of(word)
            if not leaf.supports("positions"):
                return [int(d) for d in m.all_ids()]  # Whoosh's own walk, and its own error
            terms.append(leaf.term())
        segment = self.arrays.segments[self.offset][1]
        positions = [
            posting_values(self.arrays.cache, self.sub, segment, fieldname, text, candidates, "positions")
            for fieldname, text in terms
        ]
        return [
            doc
            for doc in candidates
            if _near([[Span(p) for p in found[doc]] for found in positions], m.slop, m.ordered, m.mindist)
        ]

    def empty(self) -> _Node:
        return _Node(np.zeros(self.size), np.zeros(self.size, dtype=bool), np.zeros(self.size, np.int32))

    def _leaf(self, m: matching.Matcher) -> _Node:
        ids, weights = self.arrays.postings(self.offset, m)
        self.leaves.append((self.offset, *m.term()))
        scorer = getattr(m, "scorer", None)
        if isinstance(scorer, scoring.BM25FScorer):
            fieldname = m.term()[0]
            lengths = self.arrays.lengths(self.offset, fieldname)[ids]
            values = scoring.bm25(scorer.idf, weights, lengths, scorer.avgfl, scorer.B, scorer.K1)
        elif isinstance(scorer, scoring.WeightScorer):
            values = weights
        else:
            raise Unsupported(f"scorer {type(scorer).__name__}")
        node = self.empty()
        node.scores[ids] = values
        node.matched[ids] = True
        node.terms[ids] = 1
        return node


def segment_postings(
    cache: SegmentCache, sub: Searcher, segment: str | None, fieldname: str, text: bytes
) -> tuple[NDArray[np.int64], Floats]:
    """A term's document numbers and weights in one segment (deleted documents too: every result
    leaves them out at the end), read once while the segment lives. The term must be in the segment."""

    read = lambda: _read_postings(leaf_of(sub.reader().postings(fieldname, text)))  # noqa: E731
    return cache.get(segment, ("postings", fieldname, text), read)


def posting_values(
    cache: SegmentCache,
    sub: Searcher,
    segment: str | None,
    fieldname: str,
    text: bytes,
    docs: list[int],
    astype: str,
) -> dict[int, Any]:
    """What a term's postings hold for these documents of one segment (ascending; each holds the
    term), as `astype` ("positions", "characters"). In Whoosh's own format each document's block is
    read directly, from the term's block table kept while the segment lives: Whoosh's `skip_to` reads
    the header of every block on the way (most of a long query's snippets and phrases)."""
    leaf = leaf_of(sub.reader().postings(fieldname, text))
    found: dict[int, Any] = {}
    if type(leaf) is not W3LeafMatcher:
        for doc in docs:
            leaf.skip_to(doc)
            found[doc] = leaf.value_as(astype)
        return found
    read = lambda: block_table(sub, fieldname, text)  # noqa: E731
    last, starts = cache.get(segment, ("blocks", fieldname, text), read)
    block = -1
    for doc in docs:
        at = bisect.bisect_left(last, doc)
        if at != block:
            leaf._goto(starts[at])
            _read_block_ids(leaf)
            leaf._read_values()
            block = at
        leaf._i = bisect.bisect_left(leaf._ids, doc)
        found[doc] = leaf.value_as(astype)
    return found


def _read_block_ids(leaf: W3LeafMatcher) -> None:
    """Whoosh's `_read_ids`, with the stored differences summed by `itertools.accumulate` (in C) rather
    than Whoosh's generator (a third of reading a phrase's positions)."""
    if leaf._data is None:
        leaf._read_data()
    stored = leaf._data[0]
    leaf._ids = stored if leaf._byteids else tuple(itertools.accumulate(stored))


def _read_postings(leaf: matching.Matcher) -> tuple[NDArray[np.int64], Floats]:
    """A fresh leaf matcher's postings. Whoosh's own file format is read a block (128 postings) at a
    time; any other leaf one posting at a time through the public matcher API."""
    if type(leaf) is W3LeafMatcher:
        return _read_blocks(leaf)
    ids: list[int] = []
    weights: list[float] = []
    while leaf.is_active():
        ids.append(leaf.id())
        weights.append(leaf.weight())
        leaf.next()
    return np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float64)


def _read_blocks(leaf: W3LeafMatcher) -> tuple[NDArray[np.int64], Floats]:
    """Whoosh's own format, a block at a time: its (ids, weights, values) tuple decoded with numpy, as
    `_read_ids` and `_read_weights` do posting by posting (ids stored as differences unless bytes;
    weights stored as None for all 1.0, one float for all the same, else one each)."""
    id_blocks: list[NDArray[np.int64]] = []
    weight_blocks: list[Floats] = []
    while leaf.is_active():
        if leaf._data is None:
            leaf._read_data()
        stored_ids, stored_weights, _values = leaf._data
        ids = np.array(stored_ids, dtype=np.int64)
        if not leaf._byteids:
            np.cumsum(ids, out=ids)
        if stored_weights is None or isinstance(stored_weights, float):
            weights = np.full(len(ids), 1.0 if stored_weights is None else stored_weights)
        else:
            weights = np.array(stored_weights, dtype=np.float64)
        id_blocks.append(ids[leaf._i :])
        weight_blocks.append(weights[leaf._i :])
        leaf._next_block()
    if not id_blocks:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    return np.concatenate(id_blocks), np.concatenate(weight_blocks)


def _boosted(evaluation: _Evaluation, m: wrappers.WrappingMatcher) -> _Node:
    child = evaluation.node(m.child)
    if m.boost != 1.0:
        child.scores *= m.boost
    return child


def _filtered(evaluation: _Evaluation, m: wrappers.FilterMatcher) -> _Node:
    """Whoosh's wrapper that leaves out a segment's deleted documents: `ArrayScorer.score` leaves them
    out of the whole result at the end, so the child's arrays stand (a list to keep is not ours)."""
    if not m._exclude:
        raise Unsupported("FilterMatcher keeping a list")
    return evaluation.node(m.child)


def _phrase(evaluation: _Evaluation, m: SpanNear2.SpanNear2Matcher) -> _Node:
    """A phrase: its words' intersection, scored as Whoosh does (the words' scores), kept where the
    words stand next to each other by Whoosh's own rule (SpanNear2: slop, order, distance), checked on
    the positions of the intersection's documents only."""
    child = evaluation.node(m.child)  # (reads postings with matchers of its own: `m` is untouched)
    flags = np.zeros(evaluation.size, dtype=bool)
    flags[evaluation.phrase_matches(m, [int(d) for d in np.flatnonzero(child.matched)])] = True
    _keep(child, flags)
    if m.boost != 1.0:
        child.scores *= m.boost
    return child


def _near(spans: list[list[Span]], slop: int, ordered: bool, mindist: int) -> bool:
    """Whoosh's SpanNear2Matcher._get_spans, on each word's spans in one document: any left?"""
    aspans = spans[0]
    for bspans in spans[1:]:
        if not aspans:
            return False
        found = set()
        for aspan in aspans:
            j = bisect_spans(bspans, aspan.start if ordered else max(0, aspan.start - slop))
            while j < len(bspans):
                bspan = bspans[j]
                j += 1
                if bspan.end < aspan.start - slop or (ordered and aspan.start > bspan.start):
                    continue
                if bspan.start > aspan.end + slop:
                    break
                if mindist <= aspan.distance_to(bspan) <= slop:
                    found.add(aspan.to(bspan))
        aspans = sorted(found)
    return bool(aspans)


def block_table(sub: Searcher, fieldname: str, text: bytes) -> tuple[list[int], list[int]]:
    """Each block of a term's postings in one segment: the last document in it, and where it starts
    (so a document's block is read directly, not by walking the blocks before it)."""
    leaf = leaf_of(sub.reader().postings(fieldname, text))
    last, starts = [leaf._maxid], [leaf._baseoffset]
    while not leaf._lastblock:
        starts.append(leaf._nextoffset)
        leaf._goto(leaf._nextoffset)
        last.append(leaf._maxid)
    return last, starts


def leaf_of(m: matching.Matcher) -> matching.Matcher:
    """A term's matcher without Whoosh's wrapper that skips deleted documents (results leave them out
    at the end, and a shown story is never deleted)."""
    while isinstance(m, wrappers.FilterMatcher):
        m = m.child
    return m


def _coordinated(evaluation: _Evaluation, m: wrappers.CoordMatcher) -> _Node:
    """An OR group's coordination bonus: Whoosh's CoordMatcher._sqr, over every document at once."""
    child = evaluation.node(m.child)
    termcount, scale = m._termcount, m._scale
    if termcount == 0 or termcount == scale:
        child.scores[:] = 0.0
        return child
    bonus = (child.scores + ((child.terms - 1) / (termcount - scale) ** 2)) * ((termcount - 1) / termcount)
    child.scores = np.where(child.matched, bonus, 0.0)
    return child


def _union(evaluation: _Evaluation, m: binary.UnionMatcher) -> _Node:
    a, b = evaluation.node(m.a), evaluation.node(m.b)
    return _Node(a.scores + b.scores, a.matched | b.matched, a.terms + b.terms)


def _intersection(evaluation: _Evaluation, m: binary.IntersectionMatcher) -> _Node:
    a, b = evaluation.node(m.a), evaluation.node(m.b)
    node = _Node(a.scores + b.scores, a.matched & b.matched, a.terms + b.terms)
    _keep(node, node.matched)
    return node


def _and_maybe(evaluation: _Evaluation, m: binary.AndMaybeMatcher) -> _Node:
    a, b = evaluation.node(m.a), evaluation.node(m.b)
    node = _Node(a.scores + b.scores, a.matched.copy(), a.terms + b.terms)
    _keep(node, node.matched)
    return node


def _and_not(evaluation: _Evaluation, m: binary.AndNotMatcher) -> _Node:
    a, b = evaluation.node(m.a), evaluation.node(m.b)
    _keep(a, ~b.matched)
    return a


def _nothing(evaluation: _Evaluation, m: matching.Matcher) -> _Node:
    return evaluation.empty()


def _keep(node: _Node, flags: Flags) -> None:
    """Only these documents match: the others' score and count become zero."""
    node.matched &= flags
    node.scores[~node.matched] = 0.0
    node.terms[~node.matched] = 0


_HANDLERS: dict[type, Callable[[_Evaluation, matching.Matcher], _Node]] = {
    wrappers.WrappingMatcher: _boosted,
    wrappers.FilterMatcher: _filtered,
    wrappers.CoordMatcher: _coordinated,
    binary.UnionMatcher: _union,
    binary.IntersectionMatcher: _intersection,
    binary.AndMaybeMatcher: _and_maybe,
    binary.AndNotMatcher: _and_not,
    matching.NullMatcherClass: _nothing,
    SpanNear2.SpanNear2Matcher: _phrase,
}

__all__ = ["ArrayScorer", "Scored", "Unsupported"]
