"""Printable handouts: one story or a packet, as Markdown, HTML or PDF, with a line in the print log."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from pathlib import Path

from storybank.handouts.content import HandoutContent, handout_content
from storybank.handouts.render import Format, Paper, environment, to_html, to_markdown, to_pdf
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
) -> Handout:
    """Render the handout wholly in memory (nothing is written here)."""
    handout_id = handout_id or new_handout_id(printed_on)
    content = handout_content(
        stories,
        settings=settings,
        taxonomy=taxonomy,
        printed_on=printed_on,
        handout_id=handout_id,
        max_words=max_words,
    )
    env = environment(bank_root)
    if format is Format.MD:
        data = to_markdown(content, env).encode("utf-8")
    else:
        page = to_html(content, env, bank_root=bank_root, paper=paper)
        data = page.encode("utf-8") if format is Format.HTML else to_pdf(page)
    return Handout(handout_id, format, data, content)


__all__ = ["Format", "Handout", "Paper", "render_handout"]
