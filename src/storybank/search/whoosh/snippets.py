"""Snippets: the sentence or two around the matched words, as plain text with highlight ranges."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from whoosh import analysis, highlight
from whoosh.searching import Hit, Results

from storybank.search.backend import Highlight
from storybank.search.whoosh.arrays import posting_values
from storybank.search.whoosh.segments import SegmentCache, segment_id

SNIPPET_CHARS = 300
_START, _END = "\x02", "\x03"  # marks around a matched word while Whoosh builds the fragment
_SENTENCE_END = re.compile(r"[.!?…][\"\u201d\u2019')]*(?:\s|$)|\n")  # closing quotes may follow


def highlighting(results: Results, cache: SegmentCache | None = None) -> list[Hit]:
    """The hits, set to make snippets of whole sentences with the matched words marked."""
    results.highlighter = _Highlighter(cache or SegmentCache())
    results.fragmenter = _SentencesAround(maxchars=SNIPPET_CHARS)
    results.formatter = _MarkFormatter()
    # Not list(results): that asks len(results), which runs the whole query again to count.
    return [results[number] for number in range(results.scored_length())]


def snippet(hit: Hit, field_name: str) -> tuple[str, tuple[Highlight, ...]]:
    """The hit's snippet as plain text and where its matched words are; the story's opening when no
    word of the query is in its body."""
    marked = hit.highlights(field_name, top=2)
    if not marked:
        return opening(hit.get(field_name, "")), ()
    text, ranges = "", []
    for part in re.split(f"({_START}[^{_END}]*{_END})", marked):
        if part.startswith(_START):
            word = part[1:-1]
            ranges.append((len(text), len(text) + len(word)))
            text += word
        else:
            text += part.replace(_START, "").replace(_END, "")  # (a stray mark in the story's own text)
    return text, tuple(ranges)


def opening(text: str, limit: int = 240) -> str:
    text = " ".join(text.replace(_START, "").replace(_END, "").split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


class _Highlighter(highlight.Highlighter):  # type: ignore[misc]
    """Whoosh's highlighter, finding a matched word's characters in a shown story without walking its
    postings from the start: Whoosh skips to each story block by block, reading every block's header
    on the way (most of a long description's snippets), where here each term's block table is read
    once while its segment lives, and the story's block is read directly."""

    def __init__(self, cache: SegmentCache) -> None:
        super().__init__()
        self._cache = cache

    def _load_chars(self, results: Results, fieldname: str, texts: list[str], to_bytes: Any) -> None:
        docnums = sorted(docnum for _, docnum in results.top_n)
        chars: dict[int, dict[str, Any]] = {docnum: {} for docnum in docnums}
        results._char_cache[fieldname] = chars
        for text in texts:
            btext = to_bytes(text)
            holding = results.termdocs[(fieldname, btext)]
            for sub, offset in results.searcher.leaf_searchers():
                end = offset + sub.reader().doc_count_all()
                local = [
                    docnum - offset for docnum in docnums if docnum in holding and offset <= docnum < end
                ]
                if local:
                    named = segment_id(sub.reader())
                    found = posting_values(self._cache, sub, named, fieldname, btext, local, "characters")
                    for docnum, value in found.items():
                        chars[docnum + offset][text] = value


class _MarkFormatter(highlight.Formatter):  # type: ignore[misc]
    """Matched words between two marks (turned into ranges by `snippet`), the rest as it is."""

    between = " … "

    def format_token(self, text: str, token: analysis.Token, replace: bool = False) -> str:
        word = highlight.get_text(text, token, replace).replace(_START, "").replace(_END, "")
        return f"{_START}{word}{_END}"


class _SentencesAround(highlight.PinpointFragmenter):  # type: ignore[misc]
    """Fragments built from where the matched words are, widened to the sentences around them."""

    def __init__(self, maxchars: int) -> None:
        super().__init__(maxchars=maxchars // 2, surround=maxchars // 4)
        self.reach = maxchars // 2

    def fragment_matches(self, text: str, tokens: list[analysis.Token]) -> Iterator[highlight.Fragment]:
        for fragment in super().fragment_matches(text, tokens):
            first, last = fragment.matches[0].startchar, fragment.matches[-1].endchar
            before = text[max(0, first - self.reach) : first]
            ends = list(_SENTENCE_END.finditer(before))
            fragment.startchar = first - len(before) + (ends[-1].end() if ends else before.find(" ") + 1)
            after = text[last : last + self.reach]
            end = _SENTENCE_END.search(after)
            fragment.endchar = last + (end.start() + 1 if end else max(after.rfind(" "), 0))
            yield fragment
