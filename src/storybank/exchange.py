"""Exchanging stories between organisations: a JSON Lines bundle, one story a line.

Export writes only stories usable for the asked purpose today, without what stays inside the
organisation: the consent form references, who recorded each consent event, and curators' notes on
accepted findings. Import checks every record, reports each bad one by its line, and adds the good ones
without ever overwriting a story that exists.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from storybank import store
from storybank.errors import StorybankError, StoryExistsError, StoryFileError
from storybank.models import Story
from storybank.taxonomy import Taxonomy

FORMAT = "storybank-bundle/1"
INTERNAL_CONSENT_FIELDS = ("form_ref", "guardian_form_ref")


def export_record(story: Story, organization: str | None) -> dict[str, Any]:
    data = story.model_dump(mode="json", exclude={"accepted"})
    consent = data["consent"]
    for key in INTERNAL_CONSENT_FIELDS:
        consent.pop(key, None)
    for entry in consent.get("history", []):
        entry.pop("by", None)
    return {"format": FORMAT, "organization": organization, **data}


def bundle_text(stories: list[Story], organization: str | None) -> str:
    return "".join(
        json.dumps(export_record(story, organization), ensure_ascii=False) + "\n" for story in stories
    )


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # one line each: "bundle.jsonl:3: …"


def import_bundle(path: Path, bank_root: Path, taxonomy: Taxonomy, *, today: dt.date) -> ImportReport:
    report = ImportReport()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise StorybankError(f"cannot read {path}: {error}") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path.name}:{number}"
        try:
            text, story_id = _story_file_text(json.loads(line), where, today)
            story = store.parse_story(text, file=where, expected_id=None, taxonomy=taxonomy)
            if story.id != story_id:  # pragma: no cover - parse_story keeps the id
                raise StorybankError(f"{where}: id changed while reading")
            store.create_story_file(bank_root, story.id, text)
        except json.JSONDecodeError as error:
            report.refused.append(f"{where}: not JSON ({error.msg})")
        except StoryExistsError:
            report.refused.append(f"{where}: a story with id '{story_id}' exists here: it was not replaced")
        except StoryFileError as error:
            report.refused.append(str(error.problems[0]))
        except StorybankError as error:
            report.refused.append(str(error))
        else:
            report.added.append(story.id)
    return report


def _story_file_text(record: Any, where: str, today: dt.date) -> tuple[str, str]:
    """The story file for one bundle record; the consent form stays with the exporting organisation."""
    if not isinstance(record, dict):
        raise StorybankError(f"{where}: a record must be a JSON object")
    data = dict(record)
    if data.pop("format", FORMAT) != FORMAT:
        raise StorybankError(f"{where}: unknown bundle format (this storybank reads {FORMAT})")
    organization = data.pop("organization", None) or "the exporting organisation"
    body = data.pop("body", None)
    story_id = data.get("id")
    if not isinstance(body, str) or not isinstance(story_id, str):
        raise StorybankError(f"{where}: a record needs an 'id' and a 'body'")
    if not store.is_story_id(story_id):
        raise StorybankError(f"{where}: id '{story_id}' is not a story id (a slug like back-to-the-kitchen)")
    consent = data.get("consent")
    if isinstance(consent, dict):
        held = f"held by {organization} (imported {today})"
        consent.setdefault("form_ref", held)
        if _minor(data.get("storyteller")):
            consent.setdefault("guardian_form_ref", held)
    front = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=4096)
    return f"---\n{front}---\n{body}", story_id


def _minor(storyteller: Any) -> bool:
    age = storyteller.get("age_range") if isinstance(storyteller, dict) else None
    if not isinstance(age, str):
        return False
    return age == "under-18" or (age.split("-")[0].isdigit() and int(age.split("-")[0]) < 18)
