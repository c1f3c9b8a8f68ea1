"""What a warm searcher keeps between searches, for as long as its index generation lives: story ids by
document number, document sets (consent, themes, warnings, languages, tellers) as numpy flags, and the
array scorer. A commit by any process opens a new searcher and so a new `Generation`; what was read
from the segments it shares with the last one is kept in the index's `SegmentCache` (segments.py).
"""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray
from whoosh import query
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from storybank.search.whoosh import columns
from storybank.search.whoosh.arrays import ArrayScorer, Flags, Scored, Unsupported, segment_postings
from storybank.search.whoosh.segments import SegmentCache, column, stored_fingerprints

if TYPE_CHECKING:
    from storybank.search.semantic import Vectors


class Generation:
    def __init__(self, searcher: Searcher, cache: SegmentCache | None = None) -> None:
        self.searcher = searcher
        self.size = searcher.reader().doc_count_all()
        self.arrays = ArrayScorer(searcher, cache)
        self._cache = self.arrays.cache
        self._leaves = list(self.arrays.segments.values())  # each segment's searcher and id, in order
        self._cache.keep({segment for _sub, segment in self._leaves})
        self._flags: dict[str, Flags] = {}
        self._ids: list[str] | None = None
        self._values: dict[str, list[str]] = {}
        self._words: list[str] | None = None
        self._places: tuple[int, NDArray[np.int64]] | None = None

    @property
    def ids(self) -> list[str]:
        """Story id by document number."""
        if self._ids is None:
            self._ids = [
                i for sub, named in self._leaves for i in column(sub.reader(), named, "id", self._cache)
            ]
        return self._ids

    def places_in(self, vectors: Vectors) -> NDArray[np.int64]:
        """Each document's place among the semantic vectors' stories (-1: none), kept while this
        generation and those vectors last."""
        if self._places is None or self._places[0] != vectors.version:
            self._places = (vectors.version, vectors.places(self.ids))
        return self._places[1]

    def fingerprints(self) -> dict[str, str]:
        """Each indexed story's fingerprint, by id (deleted documents left out)."""
        return stored_fingerprints(self.searcher.reader(), self._cache)

    def flags(self, wanted: query.Query) -> Flags:
        """The documents a filter query matches, unscored, computed once per generation (a filter is
        a term, a consent rule set or a teller's decades: few distinct ones) from each segment's,
        which are kept while the segment lives."""
        key = repr(wanted)
        if key not in self._flags:
            parts = [self._segment_flags(sub, segment, key, wanted) for sub, segment in self._leaves]
            found = np.concatenate(parts) if parts else np.zeros(0, dtype=bool)
            self._flags[key] = found & self.arrays.live
        return self._flags[key]

    def corrections(self, word: str, *, limit: int, maxdist: int) -> list[str]:
        """Whoosh's `searcher.corrector("words").suggest(word, limit, maxdist)`, with the same answer:
        every known word within `maxdist` edits (optimal string alignment, as Whoosh counts them),
        ranked by how often it occurs (ties by the word). Whoosh's own walks every word of a
        multi-segment index through a pure-Python edit distance (0.3 s a correction at 10,000
        stories); rapidfuzz compares them in C."""
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        found = process.extract(word, self._lexicon(), scorer=OSA.distance, score_cutoff=maxdist, limit=None)
        frequency = self.searcher.reader().frequency
        heap: list[tuple[float, str]] = []
        for candidate in sorted(text for text, _distance, _at in found):  # Whoosh's order: the lexicon's
            item = (0 - (maxdist + (1.0 / (frequency("words", candidate) or 1) * 0.5)), candidate)
            if len(heap) < limit:
                heapq.heappush(heap, item)
            elif item > heap[0]:
                heapq.heapreplace(heap, item)
        return [text for _score, text in sorted(heap, key=lambda item: (0 - item[0], item[1]))]

    def _lexicon(self) -> list[str]:
        """Every word of the `words` field in any segment, in order (each segment's read once)."""
        if self._words is None:
            known: set[str] = set()
            for sub, segment in self._leaves:
                known.update(self._segment_words(sub, segment))
            self._words = sorted(known)
        return self._words

    def _segment_words(self, sub: Searcher, segment: str | None) -> frozenset[str]:
        return self._cache.get(segment, ("lexicon", "words"), lambda: _words_of(sub))

    def _segment_flags(self, sub: Searcher, segment: str | None, key: str, wanted: query.Query) -> Flags:
        return self._cache.get(segment, ("flags", key), lambda: self._match_segment(sub, segment, wanted))

    def _match_segment(self, sub: Searcher, segment: str | None, wanted: query.Query) -> Flags:
        """A filter's documents in one segment, from what the segment holds: a term's postings (read a
        block at a time: the themes, warnings and tellers the facets count), a number range from the
        field's column (the consent rules' days: Whoosh walks a range's many terms, 0.1 s at 10,000
        stories), and And / Or of those; anything else by Whoosh's matchers."""
        reader = sub.reader()
        kind = type(wanted)
        parts = getattr(wanted, "subqueries", ())
        if parts and (kind is query.And or (kind is query.Or and not wanted.minmatch)):
            found = [self._match_segment(sub, segment, part) for part in parts]
            combined: Flags = (
                np.logical_and.reduce(found) if kind is query.And else np.logical_or.reduce(found)
            )
            return combined
        if kind is query.NumericRange:
            in_range = _range_flags(reader, wanted)
            return _whoosh_flags(sub, wanted) if in_range is None else in_range
        if kind is not query.Term or wanted.fieldname not in reader.schema:
            return _whoosh_flags(sub, wanted)
        flags = np.zeros(reader.doc_count_all(), dtype=bool)
        try:
            text = reader.schema[wanted.fieldname].to_bytes(wanted.text)
        except ValueError:  # as Whoosh's Term: a value the field cannot hold matches nothing
            return flags
        if (wanted.fieldname, text) in reader:
            flags[segment_postings(self._cache, sub, segment, wanted.fieldname, text)[0]] = True
        return flags

    def matching(self, wanted: query.Query) -> Flags:
        """The documents any query matches, by Whoosh's matchers, unscored (not kept)."""
        flags = np.zeros(self.size, dtype=bool)
        flags[np.fromiter(self.searcher.docs_for_query(wanted), dtype=np.int64)] = True
        return flags

    def term(self, field_name: str, value: str) -> Flags:
        return self.flags(query.Term(field_name, value))

    def scores(self, user_query: query.Query) -> Scored | None:
        """Every document's score for the user's query, or None when its shape needs Whoosh's own
        matchers (search/whoosh/arrays.py)."""
        try:
            return self.arrays.score(user_query)
        except Unsupported:
            return None

    def counts(self, found: Flags, field_name: str) -> dict[str, int]:
        """How many of the found documents carry each value of a field."""
        if field_name not in self._values:
            self._values[field_name] = [str(v) for v in self.searcher.reader().field_terms(field_name) if v]
        counts = {}
        for value in self._values[field_name]:
            count = int(np.count_nonzero(found & self.term(field_name, value)))
            if count:
                counts[value] = count
        return counts


def _words_of(sub: Searcher) -> frozenset[str]:
    return frozenset(text.decode("utf-8") for text in sub.reader().lexicon("words"))


def _range_flags(reader: IndexReader, wanted: query.NumericRange) -> Flags | None:
    """The documents of one segment whose value is in the range, as Whoosh's NumericRange matches them
    (a document with no value is never in it), or None when the field has no column to read."""
    column = columns.numbers(reader, wanted.fieldname)
    if column is None:
        return None
    values, found = column
    field = reader.schema[wanted.fieldname]
    if wanted.start is not None:
        low = field.to_column_value(wanted.start)
        found = found & (values > low if wanted.startexcl else values >= low)
    if wanted.end is not None:
        high = field.to_column_value(wanted.end)
        found = found & (values < high if wanted.endexcl else values <= high)
    return found


def _whoosh_flags(sub: Searcher, wanted: query.Query) -> Flags:
    """The documents of one segment a query matches, by Whoosh's matchers."""
    flags = np.zeros(sub.reader().doc_count_all(), dtype=bool)
    flags[np.fromiter(sub.docs_for_query(wanted), dtype=np.int64)] = True
    return flags


def docnums_of(flags: Flags) -> list[int]:
    """The document numbers set in `flags`, as Python ints."""
    return [int(docnum) for docnum in np.flatnonzero(flags)]


__all__ = ["Generation", "docnums_of"]
