"""Bringing stories in from what organisations already keep: a spreadsheet (`.csv`, `.xlsx`: one row a
story, the columns of docs/stories-template.csv) or a Word document (`.docx`: one story). Each becomes a
`draft` — never published, whatever the file says — with what could be read; the report says, per row,
what is still missing before it can be published. A row that cannot be read is one line, never a crash;
the other rows still come in.

A draft that lacks a required field (the consent form's date, say) is written all the same, like the
file `storybank new` makes: `check` names what to fill in, and nothing uses it until it loads and is
approved and published.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from storybank import store
from storybank.errors import StorybankError, StoryExistsError, StoryFileError
from storybank.taxonomy import Taxonomy
from storybank.telling import themes_in

COLUMNS = (
    "id", "title", "summary", "language", "themes", "content_warnings", "attribution", "display_name",
    "age_range", "pronouns", "what_helped", "form_ref", "given_on", "purposes", "expires_on", "story",
)  # fmt: skip
SUFFIXES = (".csv", ".xlsx", ".docx")  # what import brings in as drafts (a .jsonl is a bundle: exchange.py)
LISTS = ("themes", "content_warnings", "purposes")  # separated by commas or semicolons
MAX_ROWS = 5_000
MAX_FILE_BYTES = 50 * 2**20  # 5,000 stories of 10,000 characters; a bigger file is not a story sheet
MAX_CELL = 50_000  # characters: a story is a few thousand; more is not a story
FORMULA = re.compile(r"^\s*[=@]")  # a spreadsheet formula (or a CSV injection): its value is wanted


@dataclass
class IntakeReport:
    added: dict[str, str] = field(default_factory=dict)  # id → "row 3"
    missing: dict[str, list[str]] = field(default_factory=dict)  # id → what publishing still needs
    refused: list[str] = field(default_factory=list)  # one line each: "stories.csv row 4: …"
    notes: list[str] = field(default_factory=list)  # about the file as a whole (an unknown column)


def bring_in(path: Path, bank_root: Path, taxonomy: Taxonomy, *, today: dt.date) -> IntakeReport:
    """Drafts from a spreadsheet's rows or a Word document."""
    report = IntakeReport()
    if path.stat().st_size > MAX_FILE_BYTES:
        raise StorybankError(
            f"{path.name} is over {MAX_FILE_BYTES // 2**20} MB: split it into smaller sheets"
        )
    suffix = path.suffix.lower()
    if suffix == ".docx":
        rows: Iterator[tuple[str, dict[str, str]]] = iter([("document", _document(path))])
    elif suffix in SUFFIXES:
        rows = _rows(path, suffix, report)
    else:
        raise StorybankError(
            f"{path.name}: import reads .jsonl bundles, .csv or .xlsx sheets and .docx documents"
        )
    for where, row in rows:
        label = f"{path.name} {where}"
        try:
            story_id, text = _draft(row, taxonomy, today, source=label)
            store.create_story_file(bank_root, story_id, text)
        except (StorybankError, StoryExistsError) as error:
            report.refused.append(f"{label}: {error}")
            continue
        report.added[story_id] = where
        report.missing[story_id] = _still_missing(text, story_id, taxonomy)
    return report


def _rows(path: Path, suffix: str, report: IntakeReport) -> Iterator[tuple[str, dict[str, str]]]:
    table = _csv_rows(path) if suffix == ".csv" else _xlsx_rows(path)
    header = [str(name or "").strip().lower().replace(" ", "_") for name in next(table, [])]
    unknown = [name for name in header if name and name not in COLUMNS]
    if unknown:
        report.notes.append(f"{path.name}: columns ignored: {', '.join(unknown)} (see docs/collecting.md)")
    if "story" not in header:
        raise StorybankError(
            f"{path.name}: no 'story' column (the first row names the columns; see docs/collecting.md)"
        )
    for number, cells in enumerate(table, 2):
        if number > MAX_ROWS + 1:
            report.notes.append(f"{path.name}: only the first {MAX_ROWS:,} rows were read")
            return
        try:
            values = {
                name: _cell(value) for name, value in zip(header, cells, strict=False) if name in COLUMNS
            }
        except StorybankError as error:  # this row's problem: the next rows still come in
            report.refused.append(f"{path.name} row {number}: {error}")
            continue
        if not any(values.values()):
            continue
        yield f"row {number}", values


def _csv_rows(path: Path) -> Iterator[list[str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise StorybankError(f"cannot read {path.name} as UTF-8 text ({type(error).__name__})") from None
    csv.field_size_limit(MAX_CELL * 4)
    try:
        yield from csv.reader(io.StringIO(text))
    except csv.Error as error:
        raise StorybankError(f"{path.name}: not a readable CSV file ({error})") from None


def _xlsx_rows(path: Path) -> Iterator[list[Any]]:
    try:
        import openpyxl
    except ImportError:
        raise StorybankError("reading .xlsx needs openpyxl: pip install 'storybank[intake]'") from None
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as error:  # a broken or foreign file: any error of the zip or XML reader
        raise StorybankError(f"cannot read {path.name} as a spreadsheet ({type(error).__name__})") from None
    try:
        yield from ([cell for cell in row] for row in book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()


def _document(path: Path) -> dict[str, str]:
    """A Word document's text: its first short paragraph is the title, the rest the story."""
    try:
        import mammoth
    except ImportError:
        raise StorybankError("reading .docx needs mammoth: pip install 'storybank[intake]'") from None
    try:
        with path.open("rb") as handle:
            text = mammoth.extract_raw_text(handle).value
    except Exception as error:  # a broken document: any error of the zip or XML reader
        raise StorybankError(f"cannot read {path.name} as a Word document ({type(error).__name__})") from None
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]
    if paragraphs and len(paragraphs[0]) <= 120 and len(paragraphs) > 1:
        return {"title": paragraphs[0], "story": _cell("\n\n".join(paragraphs[1:]))}
    return {"title": path.stem.replace("-", " ").replace("_", " "), "story": _cell("\n\n".join(paragraphs))}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    if len(text) > MAX_CELL:
        raise StorybankError(f"a cell holds {len(text):,} characters (at most {MAX_CELL:,})")
    return text.strip()


def _draft(row: dict[str, str], taxonomy: Taxonomy, today: dt.date, *, source: str) -> tuple[str, str]:
    formulas = [name for name, value in row.items() if FORMULA.match(value)]
    if formulas:
        raise StorybankError(f"column {formulas[0]} holds a formula: put its value in the cell instead")
    body = row.get("story", "")
    if not body:
        raise StorybankError("the story cell is empty")
    title = row.get("title") or body.split(".")[0][:80]
    story_id = row.get("id") or "-".join(re.findall(r"[a-z0-9]+", title.lower()))[:60].strip("-")
    lists = {
        name: [part.strip() for part in re.split(r"[;,]", row.get(name, "")) if part.strip()]
        for name in LISTS
    }
    attribution = row.get("attribution") or "anonymous"
    data: dict[str, Any] = {
        "id": story_id,
        "title": title,
        "summary": row.get("summary") or body.split(".")[0][:200] + ".",
        "language": row.get("language") or "en",
        "status": "draft",  # whatever the sheet says: the one way to published is `publish`
        "themes": lists["themes"] or themes_in(body, taxonomy),
        "content_warnings": lists["content_warnings"],
        "storyteller": {
            "attribution": attribution,
            "display_name": None if attribution == "anonymous" else (row.get("display_name") or None),
            "age_range": row.get("age_range") or None,
            "pronouns": row.get("pronouns") or None,
        },
        "what_helped": [
            part.strip() for part in re.split(r"\||\n", row.get("what_helped", "")) if part.strip()
        ],
        "consent": {
            "form_ref": row.get("form_ref") or None,
            "given_on": row.get("given_on") or None,
            "purposes": lists["purposes"],
            "expires_on": row.get("expires_on") or None,
            "withdrawn_on": None,
            "text_approved_on": None,
            "text_approved_sha256": None,
            "history": [{"date": today.isoformat(), "event": "imported", "note": f"from {source}"[:200]}],
        },
    }
    front = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    return story_id, f"---\n{front}---\n{body}\n"


def _still_missing(text: str, story_id: str, taxonomy: Taxonomy) -> list[str]:
    """What the draft needs before it can be published: the fields that do not load, then approval."""
    try:
        store.parse_story(text, file=f"{story_id}.md", expected_id=story_id, taxonomy=taxonomy)
    except StoryFileError as error:
        return sorted({problem.field or problem.message for problem in error.problems})
    return ["the teller's approval of the text (storybank review-copy, then storybank approve)"]
