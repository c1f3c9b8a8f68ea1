"""Printable handouts: one story or a packet, as Markdown, HTML or PDF, with a line in the print log."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from storybank.errors import StorybankError, SupportMissingError
from storybank.handouts.content import (
    HandoutContent,
    Shortening,
    handout_content,
    missing_support,
    sentences_in,
)
from storybank.handouts.render import Format, Paper, environment, page_count, to_html, to_markdown, to_pdf
from storybank.models import Story
from storybank.printlog import PrintRecord
from storybank.settings import Settings
from storybank.taxonomy import Taxonomy


@dataclass(frozen=True)
class Handout:
    """A rendered handout: `data` is the file's bytes; `text` the same for Markdown and HTML."""

    id: str
    format: Format
    data: bytes
    content: HandoutContent

    @property
    def text(self) -> str:
        if self.format is Format.PDF:
            raise ValueError("a PDF handout has no text: use .data")
        return self.data.decode("utf-8")

    def print_record(self, printed_at: dt.datetime) -> PrintRecord:
        return PrintRecord(
            handout_id=self.id,
            printed_at=printed_at,
            printed_on=self.content.printed_on,
            stories=[(story.id, story.valid_until) for story in self.content.stories],
        )


def new_handout_id(printed_on: dt.date) -> str:
    return f"H-{printed_on:%Y%m%d}-{secrets.token_hex(3)}"


class Fit(StrEnum):
    PAGE = "page"  # shortened at a sentence boundary until it prints on one page


def render_handout(
    stories: list[Story],
    *,
    bank_root: Path,
    settings: Settings,
    taxonomy: Taxonomy,
    printed_on: dt.date,
    format: Format,
    paper: Paper = Paper.A4,
    max_words: int | None = None,
    handout_id: str | None = None,
    fit: Fit | None = None,
    large_print: bool = False,
    support: bool = True,
) -> Handout:
    """Render the handout wholly in memory (nothing is written here).

    With `support` (the default) the bank's settings must give the organisation's contact and the
    crisis lines (SupportMissingError names what is missing). With `fit=Fit.PAGE` a one-story handout is
    shortened at a sentence boundary until it lays out on one page of `paper` — found by laying it out.
    """
    missing = missing_support(settings) if support else []
    if missing:
        raise SupportMissingError(
            f"{bank_root / 'storybank.toml'}: a handout always carries the organisation's contact and the "
            f"crisis lines; set {' and '.join(missing)} (docs/handouts.md), or choose --without-support"
        )
    handout_id = handout_id or new_handout_id(printed_on)
    env = environment(bank_root)

    def content(shortening: Shortening | None) -> HandoutContent:
        return handout_content(
            stories,
            settings=settings,
            taxonomy=taxonomy,
            printed_on=printed_on,
            handout_id=handout_id,
            max_words=max_words,
            shortening=shortening,
            support=support,
            large_print=large_print,
        )

    def pages(made: HandoutContent) -> int:
        return page_count(to_html(made, env, bank_root=bank_root, paper=paper))

    made = content(None)
    if fit is Fit.PAGE and pages(made) > 1:
        # Shortened: the first two things that helped and two questions, and as much of the story's
        # opening as fits with its last paragraph (or, when that is too long, its opening alone).
        for ending in (True, False):

            def fits(count: int, ending: bool = ending) -> bool:
                return pages(content(Shortening(count, ending))) == 1

            cut = _most_sentences(stories, max_words, fits)
            if cut is not None:
                made = content(Shortening(cut, ending))
                break
        else:
            instead = "without --large-print, or without --fit page" if large_print else "without --fit page"
            raise StorybankError(
                f"story '{stories[0].id}' does not fit on one page even cut to its first sentence (the "
                f"support lines and questions need the room): print it {instead}"
            )
    if format is Format.MD:
        data = to_markdown(made, env).encode("utf-8")
    else:
        page = to_html(made, env, bank_root=bank_root, paper=paper)
        data = page.encode("utf-8") if format is Format.HTML else to_pdf(page)
    return Handout(handout_id, format, data, made)


def _most_sentences(stories: list[Story], max_words: int | None, fits: Callable[[int], bool]) -> int | None:
    """The most sentences of the story with which the handout lays out on one page (None: not even one)."""
    if len(stories) != 1:
        raise StorybankError(
            "--fit page makes a one-story handout one page; a packet has a page or more a story "
            "(shorten them with --max-words)"
        )
    low, high = 1, max(1, sentences_in(stories[0].body, max_words) - 1)
    if not fits(low):
        return None
    while low < high:  # the largest count that fits: fewer sentences never take more pages
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    return low


__all__ = ["Fit", "Format", "Handout", "Paper", "render_handout"]
