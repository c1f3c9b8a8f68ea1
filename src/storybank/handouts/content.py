"""What a handout holds, worked out from the stories, the bank's settings and the taxonomy.

Everything a template shows is prepared here as plain text, already cleaned: HTML tags are taken out of
every field a storyteller or curator wrote (their words stay), and one-line fields are escaped for
Markdown, so the Markdown handout is safe to edit and the HTML made from it is sanitised again.
"""

from __future__ import annotations

import datetime as dt
import difflib
import html
import re
from dataclasses import dataclass

import nh3

from storybank.consent import valid_until
from storybank.handouts.wording import OPENING_QUESTION, words
from storybank.models import Story
from storybank.settings import Settings
from storybank.taxonomy import Taxonomy

MAX_QUESTIONS = 4
COMPACT_ITEMS = 2  # what helped, and questions, on a handout fitted to one page
SAME_QUESTION = 0.6  # similarity above which two questions ask the same thing


@dataclass(frozen=True)
class HandoutStory:
    id: str
    language: str
    title: str
    theme_labels: list[str]
    content_note: str | None
    byline: str
    paragraphs: list[str]
    shortened: bool
    shortened_note: str
    what_helped: list[str]
    questions: list[str]
    permission: str
    valid_until: dt.date | None
    words: dict[str, str]


@dataclass(frozen=True)
class HandoutContent:
    handout_id: str
    printed_on: dt.date
    language: str
    stories: list[HandoutStory]
    organization: list[str]  # empty, like the crisis lines, only when printed without support
    crisis_intro: str
    crisis_lines: list[str]
    footer: list[str]
    words: dict[str, str]
    large_print: bool = False

    @property
    def support(self) -> bool:
        return bool(self.organization or self.crisis_lines)

    @property
    def is_packet(self) -> bool:
        return len(self.stories) > 1


def plain(text: str) -> str:
    """Text with every HTML tag taken out (a script's or style's content too), the words kept."""
    return html.unescape(nh3.clean(text, tags=set(), clean_content_tags={"script", "style"}))


def one_line(text: str) -> str:
    """A field shown on one line of Markdown: no tags, no line breaks, Markdown's marks escaped."""
    # Brackets (links), emphasis marks, braces (attribute lists) and angle brackets: enough to keep
    # the text as text, and little enough that the Markdown stays readable by hand.
    return re.sub(r"([\\`*_{}\[\]<>])", r"\\\1", " ".join(plain(text).split()))


_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"\u201d\u2019')]*\s+")


def _paragraphs(body: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", plain(body)) if p.strip()]


def sentences_in(body: str, max_words: int | None = None) -> int:
    """How many sentences the story has, once cut to `max_words` (what `--fit page` may cut between)."""
    return sum(len(_sentences(paragraph)) for paragraph in trimmed(body, max_words)[0])


@dataclass(frozen=True)
class Shortening:
    """How a one-page handout shortens a story: its first `sentences`, then, with `ending`, "…" and its
    last paragraph (where a story usually shows its way through)."""

    sentences: int
    ending: bool = True


def trimmed(body: str, max_words: int | None, shortening: Shortening | None = None) -> tuple[list[str], bool]:
    """The story's paragraphs, cut at a paragraph boundary once `max_words` is reached (one at least),
    then at a sentence boundary as `shortening` says."""
    paragraphs = _paragraphs(body)
    shortened = False
    if max_words is not None:
        kept: list[str] = []
        count = 0
        for paragraph in paragraphs:
            count += len(paragraph.split())
            if kept and count > max_words:
                shortened = True
                break
            kept.append(paragraph)
        paragraphs = kept
    if shortening is None:
        return paragraphs, shortened
    ending = paragraphs[-1:] if shortening.ending and len(paragraphs) > 1 else []
    opening = paragraphs[: len(paragraphs) - len(ending)]
    cut: list[str] = []
    left = max(1, shortening.sentences)
    for paragraph in opening:
        sentences = _sentences(paragraph)
        cut.append(" ".join(sentences[:left]))
        if len(sentences) >= left:
            if len(sentences) > left or len(cut) < len(opening):
                return ([*cut, "…", *ending] if ending else cut), True
            break
        left -= len(sentences)
    return [*cut, *ending], shortened


def _sentences(paragraph: str) -> list[str]:
    parts, at = [], 0
    for end in _SENTENCE_END.finditer(paragraph):
        parts.append(paragraph[at : end.end()].strip())
        at = end.end()
    tail = paragraph[at:].strip()
    return [*parts, tail] if tail else parts


def questions(story: Story, taxonomy: Taxonomy) -> list[str]:
    """2-4 reflection questions: an opening one, then one from each of the story's first themes."""
    language = str(story.language)
    chosen = [OPENING_QUESTION.get(language, OPENING_QUESTION["en"])]
    for theme_id in story.themes:
        theme = taxonomy.theme(theme_id)
        asked = theme.reflection.get(language) or theme.reflection.get("en") or []
        for question in asked:
            if not any(_alike(question, earlier) for earlier in chosen):
                chosen.append(question)
                break
        if len(chosen) == MAX_QUESTIONS:
            break
    return chosen


def story_content(
    story: Story,
    taxonomy: Taxonomy,
    max_words: int | None,
    shortening: Shortening | None = None,
) -> HandoutStory:
    """One story as the handout shows it. Shortened for one page (`shortening`), it keeps the first
    COMPACT_ITEMS of what helped and of the questions, so more of the story itself fits."""
    compact = shortening is not None
    language = str(story.language)
    said = words(language)
    teller = story.storyteller
    byline = [said["told_by"].format(credit=one_line(teller.credit(language)))]
    if teller.age_range:
        byline.append(said["age"].format(age=teller.age_range.replace("-", "\N{EN DASH}")))
    if teller.recovery_since:
        byline.append(said["recovery_since"].format(year=teller.recovery_since))
    topics = [taxonomy.warning(w).label(language).lower() for w in story.content_warnings]
    until = valid_until(story.consent)
    paragraphs, shortened = trimmed(story.body, max_words, shortening)
    return HandoutStory(
        id=story.id,
        language=language,
        title=one_line(story.title),
        theme_labels=[taxonomy.theme(t).label(language) for t in story.themes],
        content_note=said["content_note_text"].format(topics=_listed(topics, language)) if topics else None,
        byline=" · ".join(byline),
        paragraphs=paragraphs,
        shortened=shortened,
        shortened_note=said["shortened"].format(id=story.id),
        what_helped=[one_line(item) for item in story.what_helped][: COMPACT_ITEMS if compact else None],
        questions=questions(story, taxonomy)[: COMPACT_ITEMS if compact else None],
        permission=said["permission"].format(
            id=story.id, consent=said["valid_until"].format(date=until) if until else said["no_end"]
        ),
        valid_until=until,
        words=said,
    )


def handout_content(
    stories: list[Story],
    *,
    settings: Settings,
    taxonomy: Taxonomy,
    printed_on: dt.date,
    handout_id: str,
    max_words: int | None = None,
    shortening: Shortening | None = None,
    support: bool = True,
    large_print: bool = False,
) -> HandoutContent:
    """What the handout shows. With `support` (the default), the organisation's contact and the crisis
    lines must be set (`missing_support`); without, the handout has no support block at all."""
    language = str(stories[0].language)  # a packet is in one language (bank.packet); its words follow
    said = words(language)
    org = settings.organization
    organization = [one_line(part) for part in (org.name, org.contact) if part] if support else []
    lines = [f"{one_line(line.name)}: {one_line(line.contact)}" for line in settings.crisis_lines]
    return HandoutContent(
        handout_id=handout_id,
        printed_on=printed_on,
        language=language,
        stories=[story_content(story, taxonomy, max_words, shortening) for story in stories],
        organization=organization,
        crisis_intro=said["crisis"],
        crisis_lines=lines if support else [],
        footer=[said["handout"].format(id=handout_id, date=printed_on.isoformat()), said["not_advice"]],
        words=said,
        large_print=large_print,
    )


def missing_support(settings: Settings) -> list[str]:
    """The settings a handout's support block needs that the bank has not set."""
    missing = []
    if not settings.organization.contact:
        missing.append("[organization] contact")
    if not settings.crisis_lines:
        missing.append("[[crisis_lines]] (a name and a contact each)")
    return missing


def _alike(one: str, other: str) -> bool:
    return difflib.SequenceMatcher(None, one.lower(), other.lower()).ratio() > SAME_QUESTION


def _listed(items: list[str], language: str) -> str:
    if len(items) < 2:
        return "".join(items)
    joiner = " y " if language == "es" else " and "
    return ", ".join(items[:-1]) + joiner + items[-1]
