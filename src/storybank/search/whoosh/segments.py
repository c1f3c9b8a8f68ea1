"""What is read from each index segment, kept while the segment lives.

A Whoosh segment never changes once written (only which of its documents are deleted, which every
result masks at the end), so what is read from it — a filter's documents, a term's postings, a
field's lengths, its ids and fingerprints — stays right for every searcher that holds the segment.
After a one-story commit a new searcher has the old segments and one new one: only the new one is
read (the first search after a commit at 10,000 stories: 0.3 s before, when every searcher started
empty).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from whoosh.reading import IndexReader

from storybank.search.whoosh import columns

T = TypeVar("T")
MAX_ENTRIES = 20_000  # about 1,000 searches' worth of postings; past this, start again (memory stays bounded)


class SegmentCache:
    """Values keyed by (segment id, what was read), for the segments of the index as it is now."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, Hashable], Any] = {}

    def get(self, segment: str | None, key: Hashable, make: Callable[[], T]) -> T:
        if segment is None:  # a reader with no segment of its own (an empty index): nothing to keep
            return make()
        entry = (segment, key)
        if entry not in self._entries:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[entry] = make()
        value: T = self._entries[entry]
        return value

    def keep(self, segments: set[str | None]) -> None:
        """Forget the segments merged away or deleted since."""
        for entry in [entry for entry in self._entries if entry[0] not in segments]:
            del self._entries[entry]


def segment_id(segment: IndexReader) -> str | None:
    """A segment reader's segment, as named in the index (unique for the segment's life); None for a
    reader that has none."""
    named = segment.segment()
    return None if named is None else str(named.segment_id())


def stored_fingerprints(reader: IndexReader, cache: SegmentCache) -> dict[str, str]:
    """Each indexed story's fingerprint, by id (deleted documents left out), each segment's columns read
    once while it lives."""
    prints: dict[str, str] = {}
    for segment, _offset in reader.leaf_readers():
        if not segment.doc_count_all():
            continue  # an empty segment (or index) has no columns
        named = segment_id(segment)
        ids, stored = (column(segment, named, name, cache) for name in ("id", "fingerprint"))
        prints.update((ids[d], stored[d]) for d in columns.live(segment))
    return prints


def column(segment: IndexReader, named: str | None, field_name: str, cache: SegmentCache) -> list[str]:
    """A text column of one segment, read once while the segment lives."""
    return cache.get(named, ("column", field_name), lambda: columns.strings(segment, field_name))
