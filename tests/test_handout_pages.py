"""Handouts as printed pages: laid out by WeasyPrint and read back page by page with pypdf. One page when
asked, the support lines always there and never split from their heading, packets in one language."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from helpers import SAMPLE_BANK, Result, needs_weasyprint
from storybank import Purpose, StoryBank
from storybank.search import SearchFilters

SAMPLE_DAY = dt.date(2026, 11, 22)  # the sample bank's consent is judged on the day its stories were set
WriteStory = Callable[..., Path]
Run = Callable[..., Result]


@pytest.fixture(scope="module", autouse=True)
def weasyprint_installed() -> None:
    needs_weasyprint()


@pytest.fixture(scope="module")
def sample() -> Iterator[StoryBank]:
    with StoryBank.open(SAMPLE_BANK, as_of=SAMPLE_DAY) as bank:
        yield bank


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """The sample bank in a temporary folder (a handout written through the CLI is logged in its bank)."""
    folder = tmp_path / "stories"
    shutil.copytree(SAMPLE_BANK, folder, ignore=shutil.ignore_patterns(".storybank", "log"))
    return folder


def pages_of(data: bytes) -> list[str]:
    from pypdf import PdfReader

    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


HANDOUT_IDS = sorted(
    story.id for story in StoryBank.open(SAMPLE_BANK, as_of=SAMPLE_DAY).usable(Purpose.HANDOUT)
)


@pytest.mark.parametrize("story_id", HANDOUT_IDS)
def test_fit_page_makes_every_sample_story_one_page_with_all_it_must_say(
    sample: StoryBank, story_id: str
) -> None:
    story = sample.get(story_id)
    pages = pages_of(sample.handout([story_id], format="pdf", fit="page").data)
    assert len(pages) == 1
    spanish = str(story.language) == "es"
    assert "988" in pages[0]  # the crisis line
    assert ("Compartida con permiso" if spanish else "Shared with permission") in pages[0]
    if story.content_warnings:
        assert ("Aviso de contenido" if spanish else "Content note") in pages[0]


def test_fit_page_keeps_a_short_story_whole(write_story: WriteStory, bank_dir: Path) -> None:
    write_story("kitchen-story", body="A short story.\n\nTwo paragraphs, whole.\n")
    made = StoryBank.open(bank_dir, as_of=dt.date(2025, 6, 1)).handout(
        ["kitchen-story"], format="pdf", fit="page"
    )
    text = pages_of(made.data)
    assert len(text) == 1
    assert "Two paragraphs, whole." in text[0]
    assert "shortened" not in text[0]


def test_fit_page_cuts_at_a_sentence_and_says_where_the_whole_story_is(sample: StoryBank) -> None:
    made = sample.handout(["back-to-the-kitchen"], format="md", fit="page")
    story = made.content.stories[0]
    assert story.shortened
    assert story.paragraphs[-1].endswith((".", "!", "?", "…", '"', "”"))
    assert "ask for story back-to-the-kitchen" in made.text


def test_fit_page_refuses_a_packet(sample: StoryBank) -> None:
    with pytest.raises(Exception, match="one-story handout one page"):
        sample.handout(["back-to-the-kitchen", "methadone-mornings"], format="pdf", fit="page")


@pytest.mark.parametrize("story_ids", [["back-to-the-kitchen"], ["after-the-hospital"], ["volver-a-empezar"]])
@pytest.mark.parametrize("large_print", [False, True])
def test_the_crisis_line_is_on_the_page_of_the_support_heading(
    sample: StoryBank, story_ids: list[str], large_print: bool
) -> None:
    pages = pages_of(sample.handout(story_ids, format="pdf", large_print=large_print).data)
    assert len(pages) > 1  # a whole story: more than one page, so the block could have split
    heading = "Apoyo" if story_ids == ["volver-a-empezar"] else "Support"
    with_heading = [page for page in pages if heading in page.split()]
    assert len(with_heading) == 1
    assert "988" in with_heading[0]
    assert "Handout" in with_heading[0] or "Folleto" in with_heading[0]


def test_a_packet_keeps_its_support_block_on_one_page(sample: StoryBank) -> None:
    packet = sample.packet("", filters=SearchFilters(themes=("hope",)), limit=3)
    pages = pages_of(sample.handout(packet.story_ids, format="pdf").data)
    support = [page for page in pages if "Support" in page.split()]
    assert len(support) == 1
    assert "988" in support[0]
    assert "Shared with permission" in support[0]


def test_large_print_sets_the_body_in_16_points(sample: StoryBank) -> None:
    page = sample.handout(["back-to-the-kitchen"], format="html", large_print=True).text
    assert "font-size: 16pt" in page.split("body {", 1)[1].split("}", 1)[0]


def _packet(bank_dir: Path, run: Run, theme: str, limit: int, output: Path) -> Result:
    """`storybank handout --theme THEME --limit N -o OUTPUT --json` on the sample bank's day."""
    arguments = ["--theme", theme, "--limit", str(limit), "-o", output, "--json"]
    return run("--bank", bank_dir, "--as-of", SAMPLE_DAY, "handout", *arguments)


def test_a_theme_packet_needs_no_text_and_is_in_one_language(
    sample_copy: Path, run: Run, tmp_path: Path
) -> None:
    output = tmp_path / "p.pdf"
    result = _packet(sample_copy, run, "hope", 3, output)
    assert result.code == 0, result.err
    made = json.loads(result.out)
    assert len(made["stories"]) == 3
    bank = StoryBank.open(sample_copy, as_of=SAMPLE_DAY)
    languages = {str(bank.get(story_id).language) for story_id in made["stories"]}
    assert languages == {made["language"]}
    assert all("hope" in bank.get(story_id).themes for story_id in made["stories"])
    assert len(pages_of(output.read_bytes())) >= 4  # a cover, then a page or more a story


def test_a_packet_puts_the_stories_without_content_warnings_first(sample: StoryBank) -> None:
    packet = sample.packet("started drinking again", limit=3)
    warned = [bool(sample.get(story_id).content_warnings) for story_id in packet.story_ids]
    assert warned == sorted(warned)


def test_a_spanish_packet_is_all_spanish(sample: StoryBank) -> None:
    packet = sample.packet("volví a tomar después de años", limit=3)
    assert packet.language == "es"
    assert {str(sample.get(story_id).language) for story_id in packet.story_ids} == {"es"}


def test_fewer_matches_than_asked_are_reported(sample_copy: Path, run: Run, tmp_path: Path) -> None:
    result = _packet(sample_copy, run, "gambling", 5, tmp_path / "p.md")
    assert result.code == 0, result.err
    made = json.loads(result.out)
    assert made["asked"] == 5
    assert len(made["stories"]) < 5
    assert f"only {len(made['stories'])} stor" in result.err


def test_no_support_settings_refuse_with_one_line_naming_them(
    write_story: WriteStory, bank_dir: Path, run: Run, tmp_path: Path
) -> None:
    write_story("kitchen-story")
    (bank_dir / "storybank.toml").unlink()
    result = run(
        "--bank", bank_dir, "--as-of", "2025-06-01", "handout", "kitchen-story", "-o", tmp_path / "x.pdf"
    )
    assert result.code == 2
    assert len(result.err.strip().splitlines()) == 1
    assert "[organization] contact" in result.err
    assert "[[crisis_lines]]" in result.err
    assert "--without-support" in result.err
    assert not (tmp_path / "x.pdf").exists()


def test_without_support_prints_no_placeholder(
    write_story: WriteStory, bank_dir: Path, run: Run, tmp_path: Path
) -> None:
    write_story("kitchen-story")
    (bank_dir / "storybank.toml").unlink()
    output = tmp_path / "x.pdf"
    result = run(
        "--bank",
        bank_dir,
        "--as-of",
        "2025-06-01",
        "handout",
        "kitchen-story",
        "--without-support",
        "-o",
        output,
    )
    assert result.code == 0, result.err
    text = " ".join(pages_of(output.read_bytes()))
    assert "[" not in text
    assert "Support" not in text.split()
    assert "Shared with permission" in text


def test_a_packet_never_opens_with_a_story_about_suicide(sample: StoryBank) -> None:
    packet = sample.packet("", filters=SearchFilters(themes=("hope",)), limit=3)
    warnings = [set(sample.get(story_id).content_warnings) for story_id in packet.story_ids]
    assert "suicide" not in warnings[0]
    assert any("suicide" in found for found in warnings)  # (the sample's hope packet has one: it goes last)
