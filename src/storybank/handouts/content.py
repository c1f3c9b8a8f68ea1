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
    organization: list[str]
    crisis_intro: str
    crisis_lines: list[str]
    footer: list[str]
    words: dict[str, str]

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


def trimmed(body: str, max_words: int | None) -> tuple[list[str], bool]:
    """The story's paragraphs, cut at a paragraph boundary once `max_words` is reached (one at least)."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", plain(body)) if p.strip()]
    if max_words is None:
        return paragraphs, False
    kept: list[str] = []
    count = 0
    for paragraph in paragraphs:
        count += len(paragraph.split())
        if kept and count > max_words:
            return kept, True
        kept.append(paragraph)
    return kept, False


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


def story_content(story: Story, taxonomy: Taxonomy, max_words: int | None) -> HandoutStory:
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
    paragraphs, shortened = trimmed(story.body, max_words)
    return HandoutStory(
        id=story.id,
        language=language,
        title=one_line(story.title),
        theme_labels=[taxonomy.theme(t).label(language) for t in story.themes],
        content_note=said["content_note_text"].format(topics=_listed(topics, language)) if topics else None,
        byline=" · ".join(byline),
        paragraphs=paragraphs,
        shortened=shortened,
        what_helped=[one_line(item) for item in story.what_helped],
        questions=questions(story, taxonomy),
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
) -> HandoutContent:
    language = str(stories[0].language)  # a packet's own words follow its first story
    said = words(language)
    org = settings.organization
    organization = [one_line(part) for part in (org.name, org.contact) if part] or [
        said["organization_missing"]
    ]
    lines = [f"{one_line(line.name)}: {one_line(line.contact)}" for line in settings.crisis_lines]
    return HandoutContent(
        handout_id=handout_id,
        printed_on=printed_on,
        language=language,
        stories=[story_content(story, taxonomy, max_words) for story in stories],
        organization=organization or [said["organization_missing"]],
        crisis_intro=said["crisis"],
        crisis_lines=lines or [said["crisis_missing"]],
        footer=[said["handout"].format(id=handout_id, date=printed_on.isoformat()), said["not_advice"]],
        words=said,
    )


def _alike(one: str, other: str) -> bool:
    return difflib.SequenceMatcher(None, one.lower(), other.lower()).ratio() > SAME_QUESTION


def _listed(items: list[str], language: str) -> str:
    if len(items) < 2:
        return "".join(items)
    joiner = " y " if language == "es" else " and "
    return ", ".join(items[:-1]) + joiner + items[-1]
