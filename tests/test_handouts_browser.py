"""Handouts in real renderers: Debian's Chromium (driven by Playwright) and WeasyPrint, read back by pypdf.

Outside CI a missing browser or PDF library skips these tests; under CI (CI=true) it fails them.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from helpers import REPO, needs_weasyprint
from storybank import StoryBank

GOLDEN_BANK = REPO / "tests" / "golden" / "handouts" / "bank"
DAY = dt.date(2026, 1, 15)
PACKET = ["morning-coffee", "the-long-night", "no-name-given"]
WriteStory = Callable[..., Path]


def words(text: str) -> str:
    """The words, lower case, ligatures undone (a PDF may hold "ﬀ" for "ff")."""
    return " ".join(re.findall(r"\w+", unicodedata.normalize("NFKC", text).lower()))


def first_line(page_text: str) -> str:
    """A page's first line of content (the footer's "Page N / M" may come first in the PDF's text)."""
    lines = [line for line in page_text.splitlines() if not re.fullmatch(r"Page \d+ / \d+", line.strip())]
    return lines[0].strip() if lines else ""


def pdf_pages(data: bytes) -> list[str]:
    pypdf = pytest.importorskip("pypdf")
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def story_paragraphs(bank: StoryBank, story_id: str) -> list[str]:
    return [p for p in bank.get(story_id).body.split("\n\n") if p.strip()]


@pytest.fixture
def golden_bank() -> StoryBank:
    return StoryBank.open(GOLDEN_BANK, as_of=DAY)


def open_handout(page: Any, html: str, tmp_path: Path) -> None:
    path = tmp_path / "handout.html"
    path.write_text(html, encoding="utf-8")
    page.goto(path.as_uri())


def test_no_injected_script_runs_in_the_browser(
    page: Any, write_story: WriteStory, bank_dir: Path, tmp_path: Path
) -> None:
    hostile = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">'
    write_story(
        "kitchen-story",
        title=f"Hope {hostile}",
        body=f"Words stay. {hostile}\n\n<a href='javascript:window.pwned=3'>click</a>\n",
    )
    html = StoryBank.open(bank_dir, as_of=dt.date(2025, 6, 1)).handout(["kitchen-story"], format="html").text
    open_handout(page, html, tmp_path)
    page.click("text=click")
    assert page.evaluate("window.pwned") is None
    assert "Words stay." in page.inner_text("main")


def test_chromium_prints_the_whole_packet_one_story_a_page(
    page: Any, golden_bank: StoryBank, tmp_path: Path
) -> None:
    open_handout(page, golden_bank.handout(PACKET, format="html").text, tmp_path)
    pages = pdf_pages(page.pdf(format="A4", print_background=True))
    everything = words(" ".join(pages))
    for story_id in PACKET:
        for paragraph in story_paragraphs(golden_bank, story_id):
            assert words(paragraph) in everything, paragraph
    titles = ["Morning coffee", "The long night", "No name given"]
    starts = [next(i for i, text in enumerate(pages) if words(first_line(text)) == words(t)) for t in titles]
    assert starts == sorted(starts)
    assert starts[0] >= 1  # the cover comes first
    assert "Page 1 / " in pages[0]


def test_handout_page_has_no_accessibility_violations(
    page: Any, golden_bank: StoryBank, tmp_path: Path
) -> None:
    axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")
    open_handout(page, golden_bank.handout(PACKET, format="html").text, tmp_path)
    assert "A friend carried naloxone." in page.inner_text("main")  # the content is there first
    results = axe_module.Axe().run(
        page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    )
    assert results.violations_count == 0, results.generate_report()


def test_weasyprint_pdf_has_page_numbers_and_every_word(golden_bank: StoryBank) -> None:
    needs_weasyprint()
    pages = pdf_pages(golden_bank.handout(PACKET, format="pdf").data)
    assert len(pages) >= 4  # a cover, then each story from a new page
    assert all(f"Page {number} / {len(pages)}" in text for number, text in enumerate(pages, 1))
    everything = words(" ".join(pages))
    for story_id in PACKET:
        for paragraph in story_paragraphs(golden_bank, story_id):
            assert words(paragraph) in everything, paragraph
    assert words("988 Suicide & Crisis Lifeline: call or text 988") in everything
