"""The Whoosh full-text index of a bank: schema, incremental updates, locking and self-repair.

Whoosh stays inside this module (the rest of storybank sees ids, scores, snippets and counts), so another
engine could replace it here. The index is a cache in `.storybank/index`: it can be deleted at any time and
is rebuilt from the story files. Each document keeps the file's fingerprint (size, mtime, ctime, inode):
ctime changes on every write and cannot be set back, so even an edit that keeps size and mtime is seen.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import logging
import os
import re
import time
import warnings
import weakref
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import filelock
from whoosh import analysis, fields, highlight, index, qparser, query, sorting
from whoosh.filedb.filestore import FileStorage
from whoosh.reading import IndexReader
from whoosh.searching import Hit, Results, Searcher

from storybank.consent import requirements
from storybank.errors import IndexBusyError
from storybank.models import Language, Purpose, Story
from storybank.store import CACHE_DIR

log = logging.getLogger("storybank")

SCHEMA_VERSION = "5"
LOCK_TIMEOUT_SECONDS = 60.0
ENGLISH_FIELDS = ("title", "summary", "body", "what_helped")
TEXT_FIELDS = ENGLISH_FIELDS + tuple(f"{name}_es" for name in ENGLISH_FIELDS)
BULK_STORIES = 500  # from this many changed stories on, the writer uses two processes (2x faster)
SNIPPET_CHARS = 300
TIE_MARGIN = 10  # extra hits asked of Whoosh, so ties at the page's end can be ordered by id
# Ranking (tuned with benchmarks/relevance.py): a word in the title or summary counts more than in the body.
FIELD_BOOSTS = {"title": 3.0, "summary": 1.5}
ALL_WORDS_BONUS = 0.9  # Whoosh's OrGroup factor: stories with more of the query's words rank higher
TEXT_LENGTH_DAMPING = 0.5
SHORT_WORD = 5  # letters; a word this short is corrected by one edit at most
SYNONYM_WEIGHT = 0.8  # a brand or street name's generic word counts a little less than the word typed
_NEVER = 99991231
StoryFile = Path | os.DirEntry[str]  # a story file, as a path or as a folder listing's entry


def _schema() -> fields.Schema:
    english = analysis.StemmingAnalyzer()
    spanish = analysis.LanguageAnalyzer("es")
    text: dict[str, fields.FieldType] = {}
    for suffix, analyzer in (("", english), ("_es", spanish)):
        text[f"title{suffix}"] = fields.TEXT(analyzer=analyzer)
        text[f"summary{suffix}"] = fields.TEXT(analyzer=analyzer)
        # Stored, with each word's characters, so snippets need no second analysis of the text.
        text[f"body{suffix}"] = fields.TEXT(analyzer=analyzer, stored=True, chars=True)
        text[f"what_helped{suffix}"] = fields.TEXT(analyzer=analyzer)
    return fields.Schema(
        id=fields.ID(stored=True, unique=True, sortable=True),
        fingerprint=fields.ID(sortable=True),  # a column: cheap to read for every story at once
        # Every word once, as written (not stemmed): for "did you mean" and for telling unknown words.
        words=fields.TEXT(analyzer=analysis.StandardAnalyzer(stoplist=None), phrase=False, spelling=True),
        themes=fields.KEYWORD(stored=True, commas=True, scorable=True),
        warnings=fields.KEYWORD(stored=True, commas=True),
        language=fields.ID(stored=True),
        age_range=fields.ID(stored=True),
        status=fields.ID,
        held=fields.ID,  # "yes" while a privacy error stands in the story (consent.hold_reason)
        purposes=fields.KEYWORD(commas=True),
        given=fields.NUMERIC(int, bits=32),
        expires=fields.NUMERIC(int, bits=32),
        withdrawn=fields.NUMERIC(int, bits=32),
        **text,
    )


def fingerprint(path: StoryFile) -> str:
    st = path.stat()
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}"


def _day(value: dt.date | None) -> int:
    return _NEVER if value is None else value.year * 10000 + value.month * 100 + value.day


def _unreadable(story_id: str, print_: str) -> dict[str, object]:
    """A file that does not load, remembered by its fingerprint so that it is not read again on every
    search; it has no consent, so no filter lets it through."""
    return {"id": story_id, "fingerprint": print_, "status": "unreadable", "held": "yes", "given": _NEVER}


def _document(story: Story, print_: str, held: bool) -> dict[str, object]:
    suffix = "_es" if story.language == Language.ES else ""  # each language gets its own analyzer
    return {
        "id": story.id,
        "fingerprint": print_,
        f"title{suffix}": story.title,
        f"summary{suffix}": story.summary,
        f"body{suffix}": story.body,
        f"what_helped{suffix}": "\n".join(story.what_helped),
        "words": " ".join(
            dict.fromkeys(_WORD.findall(f"{story.title} {story.summary} {story.body}".lower()))
        ),
        "themes": ",".join(story.themes),
        "warnings": ",".join(story.content_warnings),
        "language": str(story.language),
        "age_range": story.storyteller.age_range or "",
        "status": str(story.status),
        "held": "yes" if held else "no",
        "purposes": ",".join(story.consent.purposes),
        "given": _day(story.consent.given_on),
        "expires": _day(story.consent.expires_on),
        "withdrawn": _day(story.consent.withdrawn_on),
    }


def _distinct_words(story: Story) -> str:
    return " ".join(dict.fromkeys(_WORD.findall(f"{story.title} {story.summary} {story.body}".lower())))


def _fingerprints_of(files: Mapping[str, StoryFile]) -> dict[str, str]:
    prints = {}
    for story_id, path in files.items():
        with contextlib.suppress(FileNotFoundError):  # deleted since the folder was listed
            prints[story_id] = fingerprint(path)
    return prints


def _stored_fingerprints(reader: IndexReader) -> dict[str, str]:
    if not reader.doc_count_all():
        return {}  # an empty index has no columns
    ids = reader.column_reader("id", translate=True)
    prints = reader.column_reader("fingerprint", translate=True)
    return {ids[docnum]: prints[docnum] for docnum in reader.all_doc_ids()}


def _highlighting(results: Results) -> list[Hit]:
    """The hits, set to make snippets of whole sentences with the matched words in **bold**."""
    results.fragmenter = _SentencesAround(maxchars=SNIPPET_CHARS)
    results.formatter = _MarkFormatter()
    # Not list(results): that asks len(results), which runs the whole query again to count.
    return [results[number] for number in range(results.scored_length())]


def _close_all(searchers: list[Searcher]) -> None:
    for searcher in searchers:
        searcher.close()
    searchers.clear()


@dataclass
class Report:
    """What an index update did."""

    indexed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    rebuilt: bool = False


@dataclass(frozen=True)
class Query:
    """A search, in storybank's terms (no Whoosh types)."""

    text: str
    theme_boosts: dict[str, float]
    warning_boosts: dict[str, float]
    expansions: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    any_theme: bool = False
    exclude_warnings: tuple[str, ...] = ()
    language: str | None = None
    purpose: Purpose = Purpose.SHARE
    on: dt.date = dt.date.min


@dataclass(frozen=True)
class RawHit:
    id: str
    score: float
    snippet: str
    themes: tuple[str, ...]


@dataclass(frozen=True)
class RawResult:
    total: int
    hits: list[RawHit]
    facets: dict[str, int]
    unknown_words: list[str]


class StoryIndex:
    """The index of one bank folder, with one warm searcher per process."""

    def __init__(
        self, root: Path, *, held: Callable[[Story], bool] = lambda _: False, policy_key: str = ""
    ) -> None:
        """`held` says whether a story is held back for privacy; `policy_key` names what that answer
        depends on beyond the story file (the bank's phone regions): a change rebuilds the index."""
        self.root = root
        self._held = held
        self._version = f"{SCHEMA_VERSION} {policy_key}".strip()
        self.cache = root / CACHE_DIR
        self.path = self.cache / "index"
        self._open: list[Searcher] = []  # the warm searcher, if any; a list so the finalizer sees changes
        self._known: dict[str, str] = {}  # id → fingerprint, as the warm searcher's generation holds them
        self._checked_at: float | None = None
        # Document sets kept for the warm searcher: consent per (day, purpose), and per theme or warning.
        self._allowed_docs: dict[tuple[dt.date, Purpose], frozenset[int]] = {}
        self._term_docs: dict[tuple[str, str], frozenset[int]] = {}
        weakref.finalize(self, _close_all, self._open)

    def close(self) -> None:
        """Close the warm searcher's files (the next search opens them again)."""
        _close_all(self._open)

    def expire(self) -> None:
        """Check the files on the next search, however recent the last check (after this process's own
        writes, so its counts agree with its hits at once)."""
        self._checked_at = None

    # -- writing ---------------------------------------------------------------------------------

    def ensure_current(
        self,
        files: Callable[[], Mapping[str, StoryFile]],
        load: Callable[[Path], Story | None],
        *,
        max_age: float = 0.0,
    ) -> Report | None:
        """Update the index if any story file changed; skip the check if one ran within `max_age` s.

        A check costs one directory listing and one stat a file. Nothing is locked or written when
        the files match what the warm searcher holds.
        """
        now = time.monotonic()
        if self._checked_at is not None and now - self._checked_at < max_age:
            return None
        listed = files()
        current = _fingerprints_of(listed)
        try:
            self._searcher()
        except IndexUnavailable:
            pass
        else:
            if self._known == current:
                self._checked_at = now
                return None
        report = self._update(current, listed, load, rebuild=False, progress=None)
        self._checked_at = now
        return report

    def update(
        self,
        files: Mapping[str, StoryFile],
        load: Callable[[Path], Story | None],
        *,
        rebuild: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> Report:
        """Bring the index in line with `files` (id → path): only changed stories are re-indexed."""
        return self._update(_fingerprints_of(files), files, load, rebuild=rebuild, progress=progress)

    def _update(
        self,
        current: dict[str, str],
        files: Mapping[str, StoryFile],
        load: Callable[[Path], Story | None],
        *,
        rebuild: bool,
        progress: Callable[[int, int], None] | None,
    ) -> Report:
        with self._lock():  # another process may have written since we looked: read the disk again
            report = Report()
            ix = None if rebuild else self._open_or_none()
            if ix is None:
                self.close()
                ix = self._create()
                report.rebuilt = True
            with ix.reader() as reader:
                known = _stored_fingerprints(reader)
            changed = [i for i, fp in current.items() if known.get(i) != fp and i in files]
            gone = [i for i in known if i not in current]
            if changed or gone:
                self._write(ix, changed, gone, files, current, load, report, progress)
            self._checked_at = None
            return report

    def _write(
        self,
        ix: index.Index,
        changed: list[str],
        gone: list[str],
        files: Mapping[str, StoryFile],
        current: dict[str, str],
        load: Callable[[Path], Story | None],
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
                    writer.update_document(**_unreadable(story_id, current[story_id]))
                else:
                    writer.update_document(**_document(story, current[story_id], self._held(story)))
                    report.indexed.append(story_id)
                if progress:
                    progress(done, len(changed))
            writer.commit(optimize=bool(gone))  # merging drops deleted text from the files
        except BaseException:
            writer.cancel()
            raise

    # -- reading ---------------------------------------------------------------------------------

    def search(self, request: Query, *, limit: int, offset: int, facets: bool = True) -> RawResult:
        with self._reading():
            return self._search(self._searcher(), request, limit=limit, offset=offset, facets=facets)

    def similar(self, story_id: str, request: Query, *, limit: int) -> list[RawHit]:
        with self._reading():
            searcher = self._searcher()
            docnum = searcher.document_number(id=story_id)
            if docnum is None:
                return []
            language = searcher.stored_fields(docnum).get("language")
            field_name = "body_es" if language == "es" else "body"
            hits = searcher.more_like(docnum, field_name, top=limit, filter=self._consent_filter(request))
            return [
                RawHit(hit["id"], float(hit.score or 0.0), "", tuple(_split(hit.get("themes"))))
                for hit in hits
            ]

    def suggest(self, word: str, request: Query) -> str | None:
        """A known word close to `word` that appears in a story usable for the request's purpose."""
        with self._reading():
            searcher = self._searcher()
            allowed = self._consent_filter(request)
            reach = 1 if len(word) <= SHORT_WORD else 2  # edits: a short word is easily another word
            for candidate in searcher.corrector("words").suggest(word, limit=5, maxdist=reach):
                if len(searcher.search(query.Term("words", candidate), filter=allowed, limit=1)):
                    return str(candidate)
        return None

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
            self.close()
        ix = self._open_or_none()
        if ix is None:
            raise IndexUnavailable("the index is missing or damaged")
        self._open[:] = [ix.searcher()]
        self._known = _stored_fingerprints(self._open[0].reader())
        self._allowed_docs.clear()
        self._term_docs.clear()
        return self._open[0]

    @contextlib.contextmanager
    def _reading(self) -> Iterator[None]:
        try:
            yield
        except IndexUnavailable:
            self.close()
            raise
        except Exception as error:  # a damaged segment shows up as any kind of read error
            reason = f"{type(error).__name__}: {error}"[:200]
            self.close()
            _close_leftovers(error)
            raise IndexUnavailable(f"the index could not be read ({reason})") from None

    def _search(
        self, searcher: Searcher, request: Query, *, limit: int, offset: int, facets: bool
    ) -> RawResult:
        schema = searcher.schema
        text_query = _parse(request.text, schema)
        clauses: list[query.Query] = []
        if text_query is not None:
            # A long query sums many words' scores; scaled down, the themes it names keep their weight.
            words = max(1, len(_plain_words(request.text)))
            text_query.boost = words**-TEXT_LENGTH_DAMPING
            clauses.append(text_query)
        if request.expansions:
            expanded = _parse(" ".join(request.expansions), schema)
            if expanded is not None:
                expanded.boost = SYNONYM_WEIGHT
                clauses.append(expanded)
        clauses += [query.Term("themes", t, boost=b) for t, b in request.theme_boosts.items()]
        clauses += [query.Term("warnings", w, boost=b) for w, b in request.warning_boosts.items()]
        user_query: query.Query = query.Or(clauses) if clauses else query.Every()
        unknown = _unknown_words(searcher, request.text)
        matched = self._matched(searcher, request, user_query)
        if not matched:  # (and Whoosh would read an empty filter set as "no filter")
            return RawResult(0, [], {}, unknown)
        counts = self._theme_counts(searcher, matched) if facets else {}
        page = self._page(searcher, user_query, matched, clauses, limit=limit, offset=offset)
        hits = []
        for hit in page.hits:  # snippets only for the hits shown: each costs a few milliseconds
            field_name = "body_es" if hit.get("language") == "es" else "body"
            snippet = hit.highlights(field_name, top=2) or _opening(hit.get(field_name, ""))
            hits.append(RawHit(hit["id"], page.scores[hit.docnum], snippet, tuple(_split(hit["themes"]))))
        return RawResult(len(matched), hits, counts, unknown)

    def _matched(self, searcher: Searcher, request: Query, user_query: query.Query) -> set[int]:
        """Every document the query matches that consent and the filters allow (unscored: cheap)."""
        matched = set(self._allowed(searcher, request))
        if request.themes:
            terms = [query.Term("themes", theme) for theme in request.themes]
            matched.intersection_update(
                searcher.docs_for_query(query.Or(terms) if request.any_theme else query.And(terms))
            )
        if request.language:
            matched.intersection_update(searcher.docs_for_query(query.Term("language", request.language)))
        if request.exclude_warnings:
            for warning in request.exclude_warnings:
                matched.difference_update(self._docs_with(searcher, "warnings", warning))
        if not isinstance(user_query, query.Every):
            matched.intersection_update(searcher.docs_for_query(user_query))
        return matched

    def _page(
        self,
        searcher: Searcher,
        user_query: query.Query,
        matched: set[int],
        clauses: list[query.Query],
        *,
        limit: int,
        offset: int,
    ) -> _Page:
        """The hits from `offset` to `offset + limit`, best first; ties broken by story id.

        Whoosh keeps the top N by score; N grows until the scores at the page's end are all in, so a
        tie across the cut is still ordered by id.
        """
        wanted = offset + limit
        if not wanted:
            return _Page([], {})
        if not clauses:  # no words: every story scores the same, so the order is the id's
            ranked = searcher.search(
                query.Every(), filter=matched, limit=wanted, sortedby=sorting.FieldFacet("id"), terms=True
            )
            found = _highlighting(ranked)
            return _Page(found[offset:wanted], {hit.docnum: 0.0 for hit in found})
        size = wanted + TIE_MARGIN
        while True:
            found = _highlighting(searcher.search(user_query, filter=matched, limit=size, terms=True))
            if len(found) < size or found[-1].score < found[wanted - 1].score:
                break
            size *= 2
        ids = searcher.reader().column_reader("id", translate=True)
        found.sort(key=lambda hit: (-hit.score, ids[hit.docnum]))
        return _Page(found[offset:wanted], {hit.docnum: float(hit.score) for hit in found})

    def _theme_counts(self, searcher: Searcher, matched: set[int]) -> dict[str, int]:
        """How many matches carry each theme (the theme's documents are kept per searcher)."""
        counts = {}
        for theme in searcher.reader().field_terms("themes"):
            count = len(matched.intersection(self._docs_with(searcher, "themes", theme)))
            if count:
                counts[str(theme)] = count
        return counts

    def _docs_with(self, searcher: Searcher, field_name: str, value: str) -> frozenset[int]:
        key = (field_name, value)
        if key not in self._term_docs:
            self._term_docs[key] = frozenset(searcher.docs_for_query(query.Term(field_name, value)))
        return self._term_docs[key]

    def _allowed(self, searcher: Searcher, request: Query) -> frozenset[int]:
        """The documents the consent filter lets through, computed once per searcher, day and purpose."""
        key = (request.on, request.purpose)
        if key not in self._allowed_docs:
            self._allowed_docs[key] = frozenset(searcher.docs_for_query(self._consent_filter(request)))
        return self._allowed_docs[key]

    @staticmethod
    def _consent_filter(request: Query) -> query.Query:
        """The consent policy's rules (`consent.requirements`) as an index query. It narrows the search;
        every hit is still checked against its file by the policy itself before it is served."""
        rules = requirements(request.purpose, request.on)
        day = _day(rules.on)
        parts: list[query.Query] = [
            query.Term("purposes", str(rules.purpose)),
            query.NumericRange("given", None, day),
            query.NumericRange("expires", day + 1, None),
            query.NumericRange("withdrawn", day + 1, None),
            query.Or([query.Term("status", str(status)) for status in sorted(rules.statuses)]),
        ]
        if rules.not_held:
            parts.append(query.Term("held", "no"))
        return query.And(parts)

    def _open_or_none(self) -> index.Index | None:
        """The index on disk, or None when it is missing, from another version, or unreadable."""
        try:
            if _version(self.path) != self._version or not index.exists_in(str(self.path)):
                return None
            ix = index.open_dir(str(self.path))
            if ix.schema.names() != _schema().names():
                return None
            with ix.reader() as reader:  # reading the fingerprint column touches every segment
                _stored_fingerprints(reader)
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
        ix = FileStorage(str(self.path)).create_index(_schema())
        version.write_text(self._version)
        return ix

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        """One index writer per bank at a time; the next one waits up to LOCK_TIMEOUT_SECONDS."""
        self.cache.mkdir(exist_ok=True)
        ignore = self.cache / ".gitignore"
        if not ignore.exists():
            ignore.write_text("*\n")
        try:
            with filelock.FileLock(self.cache / "index.lock", timeout=LOCK_TIMEOUT_SECONDS):
                yield
        except filelock.Timeout:
            raise IndexBusy(
                f"another storybank process has been updating {self.path} for over "
                f"{LOCK_TIMEOUT_SECONDS:.0f} s; try again when it is done"
            ) from None


@dataclass
class _Page:
    """The hits of one page (ready to highlight), and every ranked hit's score by document."""

    hits: list[Hit]
    scores: dict[int, float]


class IndexUnavailable(Exception):
    """The index is missing or damaged: the caller rebuilds it from the files."""


class IndexBusy(IndexBusyError):
    """Another process holds the index lock for too long."""


class _MarkFormatter(highlight.Formatter):  # type: ignore[misc]
    """Matched words as **word** (Markdown bold), the rest as plain text."""

    between = " … "

    def format_token(self, text: str, token: analysis.Token, replace: bool = False) -> str:
        return f"**{highlight.get_text(text, token, replace)}**"


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


_WORD = re.compile(r"\b\w+\b")
_SENTENCE_END = re.compile(r"[.!?…][\"\u201d\u2019')]*(?:\s|$)|\n")  # closing quotes may follow


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


def _parse(text: str, schema: fields.Schema) -> query.Query | None:
    if not text.strip():
        return None
    boosts = {
        f"{name}{suffix}": FIELD_BOOSTS.get(name, 1.0) for name in ENGLISH_FIELDS for suffix in ("", "_es")
    }
    parser = qparser.MultifieldParser(
        list(TEXT_FIELDS), schema, fieldboosts=boosts, group=qparser.OrGroup.factory(ALL_WORDS_BONUS)
    )
    try:
        parsed = parser.parse(text)
        if not _has_errors(parsed):
            return parsed
    except Exception:
        pass
    words = " ".join(word.lower() for word in _plain_words(text))
    return parser.parse(words) if words else None


def _unknown_words(searcher: Searcher, text: str) -> list[str]:
    """The words no story has, as written or in any form (stemmed); common words and short ones never."""
    reader = searcher.reader()
    unknown = []
    for word in _plain_words(text):
        if len(word) < 3 or reader.frequency("words", word):
            continue
        stems = [
            (name, token.text)
            for name in ("body", "body_es")
            for token in searcher.schema[name].analyzer(word)
        ]
        if stems and not any(reader.frequency(name, stem) for name, stem in stems):
            unknown.append(word)  # (no stems at all: a stop word, which is a real word)
    return unknown


def _has_errors(parsed: query.Query) -> bool:
    return parsed is query.NullQuery or "ErrorNode" in repr(parsed)


def _plain_words(text: str) -> list[str]:
    return [w for w in re.findall(r"[^\W\d_]+", text.lower()) if w not in {"and", "or", "not"}]


def _split(value: object) -> list[str]:
    return [part for part in str(value or "").split(",") if part]


def _opening(text: str, limit: int = 240) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def _version(path: Path) -> str | None:
    try:
        return (path / "VERSION").read_text().strip()
    except OSError:
        return None


__all__ = ["IndexBusy", "IndexUnavailable", "Query", "RawHit", "RawResult", "Report", "StoryIndex"]
