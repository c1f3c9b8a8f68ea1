"""The Whoosh schema of a bank's index, and a story as an indexed document (with its file's fingerprint).

Each document keeps the file's fingerprint (size, mtime, ctime, inode): ctime changes on every write and
cannot be set back, so even an edit that keeps size and mtime is seen. The consent fields (status, held,
purposes, given, expires, withdrawn) are what `query.consent_filter` reads; the days are columns too,
so a day range is read whole (generation.py).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from whoosh import analysis, fields

from storybank.models import Language, Story
from storybank.search.backend import StoryFile
from storybank.search.teller import decades_of, gender_of

SCHEMA_VERSION = "7"
ENGLISH_FIELDS = ("title", "summary", "body", "what_helped")
TEXT_FIELDS = ENGLISH_FIELDS + tuple(f"{name}_es" for name in ENGLISH_FIELDS)
NEVER = 99991231
WORD = re.compile(r"\b\w+\b")


def schema() -> fields.Schema:
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
        teller_decades=fields.KEYWORD(commas=True, scorable=True),  # "40,50" for an age range of 45-54
        teller_gender=fields.ID,  # he, she or they, from the teller's own pronouns
        status=fields.ID,
        held=fields.ID,  # "yes" while a privacy error stands in the story (consent.hold_reason)
        purposes=fields.KEYWORD(commas=True),
        given=fields.NUMERIC(int, bits=32, sortable=True),
        expires=fields.NUMERIC(int, bits=32, sortable=True),
        withdrawn=fields.NUMERIC(int, bits=32, sortable=True),
        **text,
    )


def fingerprint(path: StoryFile) -> str:
    st = path.stat()
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}"


def day(value: dt.date | None) -> int:
    return NEVER if value is None else value.year * 10000 + value.month * 100 + value.day


def unreadable(story_id: str, print_: str) -> dict[str, object]:
    """A file that does not load, remembered by its fingerprint so that it is not read again on every
    search; it has no consent, so no filter lets it through."""
    return {"id": story_id, "fingerprint": print_, "status": "unreadable", "held": "yes", "given": NEVER}


def document(story: Story, print_: str, held: bool) -> dict[str, object]:
    suffix = "_es" if story.language == Language.ES else ""  # each language gets its own analyzer
    return {
        "id": story.id,
        "fingerprint": print_,
        f"title{suffix}": story.title,
        f"summary{suffix}": story.summary,
        f"body{suffix}": story.body,
        f"what_helped{suffix}": "\n".join(story.what_helped),
        "words": " ".join(dict.fromkeys(WORD.findall(f"{story.title} {story.summary} {story.body}".lower()))),
        "themes": ",".join(story.themes),
        "warnings": ",".join(story.content_warnings),
        "language": str(story.language),
        "age_range": story.storyteller.age_range or "",
        "teller_decades": ",".join(str(d) for d in decades_of(story.storyteller.age_range)),
        "teller_gender": gender_of(story.storyteller.pronouns) or "",
        "status": str(story.status),
        "held": "yes" if held else "no",
        "purposes": ",".join(story.consent.purposes),
        "given": day(story.consent.given_on),
        "expires": day(story.consent.expires_on),
        "withdrawn": day(story.consent.withdrawn_on),
    }


def fingerprints_of(files: Mapping[str, StoryFile]) -> dict[str, str]:
    prints = {}
    for story_id, path in files.items():  # every search's freshness check: 10,000 files take 40 ms
        try:
            prints[story_id] = fingerprint(path)
        except OSError:  # deleted since the folder was listed, or a looping link
            continue
    return prints
