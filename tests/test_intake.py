"""Bringing stories in from spreadsheets and Word documents: drafts only, a line per row, never a crash."""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from helpers import REPO, Result, needs
from storybank import StoryBank

Run = Callable[..., Result]
TODAY = dt.date(2026, 12, 1)
GOOD = {
    "title": "Bread at dawn",
    "summary": "A baker who drank to sleep finds a meeting, and mornings again.",
    "language": "en",
    "themes": "relapse; hope",
    "attribution": "first-name",
    "display_name": "Ana",
    "age_range": "40-49",
    "what_helped": "my sister | a sponsor who texted first",
    "form_ref": "CF-2026-001",
    "given_on": "2026-11-20",
    "purposes": "read, share, handout",
    "expires_on": "2028-11-20",
    "story": "I drank to sleep for years.\n\nThen my sister drove me to a meeting, and I kept going back.",
    "status": "published",  # an unknown column: ignored, and never a way to published
}


def intake_extra() -> None:
    """Skip without the intake extra (openpyxl, mammoth) — except under CI, where that fails."""
    available = all(importlib.util.find_spec(name) for name in ("openpyxl", "mammoth"))
    needs("The intake extra", available, "pip install -e '.[intake]'")


def _sheet(path: Path, rows: list[dict[str, str]]) -> Path:
    names = list(dict.fromkeys(name for row in rows for name in row))
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=names)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _twenty_rows() -> list[dict[str, str]]:
    rows = [{**GOOD, "id": f"story-{n:02}", "title": f"Story {n}"} for n in range(1, 16)]
    rows.append({**GOOD, "id": "story-16", "story": '=HYPERLINK("http://x", "click")'})  # a formula
    rows.append({**GOOD, "id": "story-17", "story": ""})  # no story
    rows.append({**GOOD, "id": "Not An Id!"})  # a bad id
    rows.append({**GOOD, "id": "story-01"})  # a repeat
    rows.append({"id": "story-20", "story": "Only the words, nothing about consent yet."})
    return rows


def test_a_twenty_row_sheet_comes_in_as_drafts_with_a_line_per_row(
    bank_dir: Path, run: Run, tmp_path: Path
) -> None:
    sheet = _sheet(tmp_path / "stories.csv", _twenty_rows())
    result = run("--bank", bank_dir, "--as-of", str(TODAY), "import", sheet)
    assert result.code == 1  # some rows were refused
    assert "imported 16 draft(s), refused 4" in result.out
    refused = [line for line in result.err.splitlines() if line.startswith("refused")]
    assert [line.split(":", 1)[0] for line in refused] == [
        "refused stories.csv row 17",
        "refused stories.csv row 18",
        "refused stories.csv row 19",
        "refused stories.csv row 20",
    ]
    assert "formula" in refused[0]
    assert "columns ignored: status" in result.err
    bank = StoryBank.open(bank_dir, as_of=TODAY)
    assert {story.status for story in bank.stories()} == {"draft"}
    assert bank.search("sister").hits == []  # nothing is served


def test_each_draft_says_what_publishing_still_needs(bank_dir: Path, run: Run, tmp_path: Path) -> None:
    sheet = _sheet(
        tmp_path / "stories.csv", [{**GOOD, "id": "whole"}, {"id": "bare", "story": "Just words."}]
    )
    out = run("--bank", bank_dir, "import", sheet).out
    assert "row 2: draft whole; to publish it still needs: the teller's approval" in out
    bare = next(line for line in out.splitlines() if "draft bare" in line)
    assert "consent.given_on" in bare
    assert "consent.purposes" in bare


def test_a_draft_from_a_sheet_keeps_its_consent_and_words(bank_dir: Path, run: Run, tmp_path: Path) -> None:
    run("--bank", bank_dir, "import", _sheet(tmp_path / "s.csv", [{**GOOD, "id": "bread-at-dawn"}]))
    story = StoryBank.open(bank_dir, as_of=TODAY).get("bread-at-dawn")
    assert [str(p) for p in story.consent.purposes] == ["read", "share", "handout"]
    assert story.consent.given_on == dt.date(2026, 11, 20)
    assert story.what_helped == ["my sister", "a sponsor who texted first"]
    assert story.consent.history[-1].event == "imported"
    assert story.body.startswith("I drank to sleep")


def test_an_xlsx_sheet_comes_in_and_a_formula_is_refused(bank_dir: Path, run: Run, tmp_path: Path) -> None:
    intake_extra()
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    names = [name for name in GOOD if name != "status"]
    sheet.append(["id", *names])
    sheet.append(["from-excel", *[GOOD[name] for name in names]])
    sheet.append(["with-formula", *["=1+1" if name == "summary" else GOOD[name] for name in names]])
    book.save(tmp_path / "s.xlsx")
    result = run("--bank", bank_dir, "--as-of", str(TODAY), "import", tmp_path / "s.xlsx")
    assert "imported 1 draft(s), refused 1" in result.out
    assert "column summary holds a formula" in result.err
    assert StoryBank.open(bank_dir, as_of=TODAY).get("from-excel").title == "Bread at dawn"


def _docx(path: Path, paragraphs: list[str]) -> Path:
    body = "".join(f"<w:p><w:r><w:t>{escape(text)}</w:t></w:r></w:p>" for text in paragraphs)
    with zipfile.ZipFile(path, "w") as docx:
        docx.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        docx.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            'relationships"><Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
        )
        docx.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/'
            f'2006/main"><w:body>{body}</w:body></w:document>',
        )
    return path


def test_a_word_document_becomes_a_draft(bank_dir: Path, run: Run, tmp_path: Path) -> None:
    intake_extra()
    document = _docx(tmp_path / "told.docx", ["Morning bread", "I drank to sleep.", "Now I bake at dawn."])
    result = run("--bank", bank_dir, "--as-of", str(TODAY), "import", document)
    assert result.code == 0, result.err
    assert "draft morning-bread; to publish it still needs:" in result.out
    text = (bank_dir / "morning-bread.md").read_text()
    assert "title: Morning bread" in text
    assert text.endswith("I drank to sleep.\n\nNow I bake at dawn.\n")


@pytest.mark.parametrize("name", ["broken.xlsx", "broken.docx"])
def test_a_broken_file_is_one_line(bank_dir: Path, run: Run, tmp_path: Path, name: str) -> None:
    intake_extra()
    (tmp_path / name).write_bytes(b"PK\x03\x04 not really a zip file")
    result = run("--bank", bank_dir, "import", tmp_path / name)
    assert result.code == 2
    assert len(result.err.strip().splitlines()) == 1
    assert "cannot read" in result.err


def test_a_huge_cell_refuses_its_row_only(bank_dir: Path, run: Run, tmp_path: Path) -> None:
    rows = [{**GOOD, "id": "huge", "story": "word " * 20_000}, {**GOOD, "id": "small"}]
    result = run("--bank", bank_dir, "import", _sheet(tmp_path / "s.csv", rows))
    assert "imported 1 draft(s), refused 1" in result.out
    assert "at most 50,000" in result.err


def test_the_template_in_the_docs_names_every_column() -> None:
    header = (REPO / "docs" / "stories-template.csv").read_text().splitlines()[0].split(",")
    from storybank.intake import COLUMNS

    assert tuple(header) == COLUMNS
