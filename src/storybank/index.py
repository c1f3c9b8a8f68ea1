"""The Whoosh full-text index of a bank: schema, incremental updates, locking and self-repair.

Whoosh stays inside this module (the rest of storybank sees ids, scores, snippets and counts), so another
engine could replace it here. The index is a cache in `.storybank/index`: it can be deleted at any time and
is rebuilt from the story files. Each document keeps the file's fingerprint (size, mtime, ctime, inode):
ctime changes on every write and cannot be set back, so even an edit that keeps size and mtime is seen.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import gc
import logging
import re
import shutil
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import analysis, fields, highlight, index, qparser, query, sorting
from whoosh.searching import Searcher

from storybank.errors import IndexBusyError
from storybank.models import Language, Purpose, Story

log = logging.getLogger("storybank")

CACHE_DIR = ".storybank"
SCHEMA_VERSION = "1"
LOCK_TIMEOUT_SECONDS = 60.0
TEXT_FIELDS = ("title", "summary", "body", "body_es", "what_helped")
_NEVER = 99991231


def _schema() -> fields.Schema:
    english = analysis.StemmingAnalyzer()
    spanish = analysis.LanguageAnalyzer("es")
    return fields.Schema(
        id=fields.ID(stored=True, unique=True, sortable=True),
        fingerprint=fields.STORED,
        title=fields.TEXT(analyzer=english, field_boost=3.0, stored=True),
        summary=fields.TEXT(analyzer=english, field_boost=1.5),
        body=fields.TEXT(analyzer=english, stored=True),
        body_es=fields.TEXT(analyzer=spanish, stored=True),
        what_helped=fields.TEXT(analyzer=english),
        words=fields.TEXT(analyzer=analysis.StandardAnalyzer(stoplist=None), spelling=True),
        themes=fields.KEYWORD(stored=True, commas=True, scorable=True),
        warnings=fields.KEYWORD(stored=True, commas=True),
        language=fields.ID(stored=True),
        age_range=fields.ID(stored=True),
        status=fields.ID,
        purposes=fields.KEYWORD(commas=True),
        given=fields.NUMERIC(int, bits=32),
        expires=fields.NUMERIC(int, bits=32),
        withdrawn=fields.NUMERIC(int, bits=32),
    )


def fingerprint(path: Path) -> str:
    st = path.stat()
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}"


def _day(value: dt.date | None) -> int:
    return _NEVER if value is None else value.year * 10000 + value.month * 100 + value.day


def _document(story: Story, print_: str) -> dict[str, object]:
    spanish = story.language == Language.ES
    return {
        "id": story.id,
        "fingerprint": print_,
        "title": story.title,
        "summary": story.summary,
        "body": "" if spanish else story.body,
        "body_es": story.body if spanish else "",
        "what_helped": "\n".join(story.what_helped),
        "words": " ".join([story.title, story.summary, story.body]),
        "themes": ",".join(story.themes),
        "warnings": ",".join(story.content_warnings),
        "language": str(story.language),
        "age_range": story.storyteller.age_range or "",
        "status": str(story.status),
        "purposes": ",".join(story.consent.purposes),
        "given": _day(story.consent.given_on),
        "expires": _day(story.consent.expires_on),
        "withdrawn": _day(story.consent.withdrawn_on),
    }


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
    """The index of one bank folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.cache = root / CACHE_DIR
        self.path = self.cache / "index"

    # -- writing ---------------------------------------------------------------------------------

    def update(
        self,
        files: dict[str, Path],
        load: Callable[[Path], Story | None],
        *,
        rebuild: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> Report:
        """Bring the index in line with `files` (id → path): only changed stories are re-indexed."""
        with self._lock():
            report = Report()
            ix = None if rebuild else self._open_or_none()
            if ix is None:
                ix = self._create()
                report.rebuilt = True
            known = self._fingerprints(ix)
            current = {story_id: fingerprint(path) for story_id, path in files.items()}
            changed = [i for i, fp in current.items() if known.get(i) != fp]
            gone = [i for i in known if i not in current]
            if not changed and not gone:
                return report
            writer = ix.writer()
            try:
                for story_id in gone:
                    writer.delete_by_term("id", story_id)
                    report.removed.append(story_id)
                for done, story_id in enumerate(changed, 1):
                    story = load(files[story_id])
                    if story is None:  # the file is broken now: it leaves the index
                        writer.delete_by_term("id", story_id)
                    else:
                        writer.update_document(**_document(story, current[story_id]))
                        report.indexed.append(story_id)
                    if progress:
                        progress(done, len(changed))
                writer.commit(optimize=bool(gone))  # merging drops deleted text from the files
            except BaseException:
                writer.cancel()
                raise
            return report

    # -- reading ---------------------------------------------------------------------------------

    def search(self, request: Query, *, limit: int, offset: int) -> RawResult:
        ix = self._open_or_none()
        if ix is None:
            raise IndexUnavailable("the index is missing or damaged")
        try:
            with ix.searcher() as searcher:
                return self._search(searcher, request, limit=limit, offset=offset)
        except IndexUnavailable:
            raise
        except Exception as error:  # a damaged segment shows up as any kind of read error
            raise IndexUnavailable(f"the index could not be read ({type(error).__name__})") from error

    def similar(self, story_id: str, request: Query, *, limit: int) -> list[RawHit]:
        ix = self._open_or_none()
        if ix is None:
            raise IndexUnavailable("the index is missing or damaged")
        try:
            with ix.searcher() as searcher:
                docnum = searcher.document_number(id=story_id)
                if docnum is None:
                    return []
                allowed = self._consent_filter(request)
                text = searcher.stored_fields(docnum)
                field_name = "body_es" if text.get("language") == "es" else "body"
                hits = searcher.more_like(docnum, field_name, top=limit, filter=allowed)
                return [
                    RawHit(hit["id"], float(hit.score or 0.0), "", tuple(_split(hit.get("themes"))))
                    for hit in hits
                ]
        except Exception as error:
            raise IndexUnavailable(f"the index could not be read ({type(error).__name__})") from error

    # -- internals -------------------------------------------------------------------------------

    def _search(self, searcher: Searcher, request: Query, *, limit: int, offset: int) -> RawResult:
        schema = searcher.schema
        text_query = _parse(request.text, schema)
        clauses: list[query.Query] = [text_query] if text_query is not None else []
        clauses += [query.Term("themes", t, boost=b) for t, b in request.theme_boosts.items()]
        clauses += [query.Term("warnings", w, boost=b) for w, b in request.warning_boosts.items()]
        if clauses:
            user_query: query.Query = query.Or(clauses)
        else:
            user_query = query.Every()
        filters = [self._consent_filter(request)]
        if request.themes:
            terms = [query.Term("themes", theme) for theme in request.themes]
            filters.append(query.Or(terms) if request.any_theme else query.And(terms))
        if request.language:
            filters.append(query.Term("language", request.language))
        mask = (
            query.Or([query.Term("warnings", w) for w in request.exclude_warnings])
            if request.exclude_warnings
            else None
        )
        results = searcher.search(
            user_query,
            filter=query.And(filters),
            mask=mask,
            limit=None,
            groupedby={"themes": sorting.FieldFacet("themes", allow_overlap=True)},
        )
        results.fragmenter = highlight.SentenceFragmenter(maxchars=300)
        results.formatter = _MarkFormatter()
        ids = searcher.reader().column_reader("id")
        page = sorted(results, key=lambda hit: (-hit.score, ids[hit.docnum]))[offset : offset + limit]
        hits = []
        for hit in page:
            field_name = "body_es" if hit.get("language") == "es" else "body"
            snippet = hit.highlights(field_name, top=2) or _opening(hit.get(field_name, ""))
            hits.append(RawHit(hit["id"], float(hit.score or 0.0), snippet, tuple(_split(hit["themes"]))))
        facets = {str(k): len(v) for k, v in results.groups("themes").items()}
        unknown = [
            word for word in _plain_words(request.text) if not searcher.reader().frequency("words", word)
        ]
        return RawResult(len(results), hits, facets, unknown)

    def suggest(self, word: str, request: Query) -> str | None:
        """A known word close to `word` that appears in a story usable for the request's purpose."""
        ix = self._open_or_none()
        if ix is None:
            return None
        with ix.searcher() as searcher:
            allowed = self._consent_filter(request)
            for candidate in searcher.corrector("words").suggest(word, limit=5):
                found = searcher.search(query.Term("words", candidate), filter=allowed, limit=1)
                if len(found):
                    return str(candidate)
        return None

    @staticmethod
    def _consent_filter(request: Query) -> query.Query:
        # A first cut only: every hit is checked again against its file before it is served.
        day = _day(request.on)
        status = "published" if request.purpose != Purpose.READ else None
        parts: list[query.Query] = [
            query.Term("purposes", str(request.purpose)),
            query.NumericRange("given", None, day),
            query.NumericRange("expires", day + 1, None),
            query.NumericRange("withdrawn", day + 1, None),
        ]
        if status:
            parts.append(query.Term("status", status))
        return query.And(parts)

    def _open_or_none(self) -> index.Index | None:
        try:
            if not index.exists_in(str(self.path)):
                return None
            ix = index.open_dir(str(self.path))
            if ix.schema.names() != _schema().names() or _version(self.path) != SCHEMA_VERSION:
                return None
            with ix.reader() as reader:  # reading every stored field proves the segments are whole
                for _ in reader.all_stored_fields():
                    pass
            return ix
        except Exception as error:
            log.warning("the search index could not be read (%s); rebuilding it", type(error).__name__)
            return None

    def _create(self) -> index.Index:
        if self.path.exists():
            shutil.rmtree(self.path)
        self.path.mkdir(parents=True)
        (self.path / "VERSION").write_text(SCHEMA_VERSION)
        return index.create_in(str(self.path), _schema())

    @staticmethod
    def _fingerprints(ix: index.Index) -> dict[str, str]:
        with ix.reader() as reader:
            return {fields_["id"]: fields_["fingerprint"] for fields_ in reader.all_stored_fields()}

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        """One index writer per bank at a time; the next one waits up to LOCK_TIMEOUT_SECONDS."""
        self.cache.mkdir(exist_ok=True)
        ignore = self.cache / ".gitignore"
        if not ignore.exists():
            ignore.write_text("*\n")
        with open(self.cache / "index.lock", "w") as handle:
            deadline = time.monotonic() + LOCK_TIMEOUT_SECONDS
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise IndexBusy(
                            f"another storybank process has been updating {self.path} for over "
                            f"{LOCK_TIMEOUT_SECONDS:.0f} s; try again when it is done"
                        ) from None
                    time.sleep(0.05)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


class IndexUnavailable(Exception):
    """The index is missing or damaged: the caller rebuilds it from the files."""


class IndexBusy(IndexBusyError):
    """Another process holds the index lock for too long."""


class _MarkFormatter(highlight.Formatter):  # type: ignore[misc]
    """Matched words as **word** (Markdown bold), the rest as plain text."""

    between = " … "

    def format_token(self, text: str, token: analysis.Token, replace: bool = False) -> str:
        return f"**{highlight.get_text(text, token, replace)}**"


def _close_leftovers() -> None:
    # Whoosh leaves a damaged segment's files open when reading fails; close them quietly now.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


def _parse(text: str, schema: fields.Schema) -> query.Query | None:
    if not text.strip():
        return None
    parser = qparser.MultifieldParser(list(TEXT_FIELDS), schema, group=qparser.OrGroup.factory(0.9))
    try:
        parsed = parser.parse(text)
        if not _has_errors(parsed):
            return parsed
    except Exception:
        pass
    words = " ".join(word.lower() for word in _plain_words(text))
    return parser.parse(words) if words else None


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
