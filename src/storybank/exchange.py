"""Exchanging stories between organisations: a JSON Lines bundle, one story a line.

Export sends stories out of the organisation, so it takes only purposes whose meaning is leaving it
(`consent.LEAVES_ORGANISATION`) and only stories usable for that purpose today, without what stays inside:
the consent form references, who recorded each consent event, curators' accepted findings. Every export is
logged (`log/exports.jsonl`: bundle id, date, purpose, story ids), so a withdrawal can name the bundles to
recall.

Import is one more way a story arrives, so it goes through the same gate as any other: an imported story is
`in-review` whatever the bundle says, with its origin in its history; the sender's form references and
accepted findings are not kept (the forms are not held here, the findings were not reviewed here), and a
storyteller under 18 is refused until a guardian form is held here. Every record is checked and bounded;
each bad one is reported by its line and the rest are added, never replacing a story that exists.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from storybank import jsonlog, store
from storybank.consent import LEAVES_ORGANISATION
from storybank.errors import StorybankError, StoryExistsError, StoryFileError
from storybank.jsonlog import LogRead
from storybank.models import Purpose, Status, Story
from storybank.taxonomy import Taxonomy

FORMAT = "storybank-bundle/1"
EXPORT_LOG = "exports.jsonl"
INTERNAL_CONSENT_FIELDS = ("form_ref", "guardian_form_ref")
MAX_RECORD_BYTES = 2 * store.MAX_FILE_BYTES  # a record's JSON; the story file it makes must fit the limit
MAX_NESTING = 20  # a record's deepest value is a field of a history event, at depth 4


def export_refusal(purpose: Purpose) -> str | None:
    """Why stories may not leave the organisation for this purpose, or None."""
    if purpose in LEAVES_ORGANISATION:
        return None
    allowed = " or ".join(f"--purpose {p}" for p in sorted(LEAVES_ORGANISATION))
    return (
        f"export sends stories out of the organisation, and '{purpose}' consent does not cover that: "
        f"use {allowed} (docs/consent.md)"
    )


def new_bundle_id(today: dt.date) -> str:
    return f"bundle-{today:%Y%m%d}-{secrets.token_hex(4)}"


def export_record(story: Story, organization: str | None, bundle_id: str) -> dict[str, Any]:
    data = story.model_dump(mode="json", exclude={"accepted"})
    consent = data["consent"]
    for key in INTERNAL_CONSENT_FIELDS:
        consent.pop(key, None)
    for entry in consent.get("history", []):
        entry.pop("by", None)
    return {"format": FORMAT, "bundle": bundle_id, "organization": organization, **data}


def bundle_text(stories: list[Story], organization: str | None, bundle_id: str) -> str:
    return "".join(
        json.dumps(export_record(story, organization, bundle_id), ensure_ascii=False) + "\n"
        for story in stories
    )


def log_export(bank_root: Path, *, bundle_id: str, purpose: Purpose, on: dt.date, ids: list[str]) -> None:
    """Note a bundle sent out (never the file's name): a later withdrawal names it for recall."""
    record = {"bundle_id": bundle_id, "exported_on": on.isoformat(), "purpose": str(purpose), "stories": ids}
    jsonlog.append(jsonlog.log_file(bank_root, EXPORT_LOG), record)


def export_log(bank_root: Path) -> LogRead:
    return jsonlog.read(jsonlog.log_file(bank_root, EXPORT_LOG))


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # one line each: "bundle.jsonl:3: …"


def import_bundle(path: Path, bank_root: Path, taxonomy: Taxonomy, *, today: dt.date) -> ImportReport:
    report = ImportReport()
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below; read a line at a time, whatever its size
    except OSError as error:
        raise StorybankError(f"cannot read {path}: {error.strerror}") from None
    with handle:
        for number, raw in enumerate(handle, 1):
            where = f"{path.name}:{number}"
            if not raw.strip():
                continue
            try:
                story_id = _import_line(raw, where, bank_root, taxonomy, today)
            except StorybankError as error:
                report.refused.append(_refusal_line(error))
            except RecursionError:
                report.refused.append(f"{where}: the record is nested too deeply")
            except Exception as error:  # one hostile record is that record's problem, never the import's
                report.refused.append(f"{where}: cannot be read ({type(error).__name__})")
            else:
                report.added.append(story_id)
    return report


def _import_line(raw: bytes, where: str, bank_root: Path, taxonomy: Taxonomy, today: dt.date) -> str:
    if len(raw) > MAX_RECORD_BYTES:
        raise StorybankError(
            f"{where}: the record is {len(raw):,} bytes, too large for a story (1 MB at most)"
        )
    record = _json_record(raw, where)
    text, story_id = _story_file_text(record, where, today)
    if len(text.encode("utf-8")) > store.MAX_FILE_BYTES:
        raise StorybankError(f"{where}: story '{story_id}' would be over 1 MB, the story-file limit")
    story = store.parse_story(text, file=where, expected_id=None, taxonomy=taxonomy)
    try:
        store.create_story_file(bank_root, story.id, text)
    except StoryExistsError:
        raise StorybankError(
            f"{where}: a story with id '{story_id}' exists here: it was not replaced"
        ) from None
    return story.id


def _json_record(raw: bytes, where: str) -> dict[str, Any]:
    try:
        record = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise StorybankError(f"{where}: not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise StorybankError(f"{where}: not JSON ({error.msg})") from None
    except ValueError:  # a number past Python's 4,300-digit limit
        raise StorybankError(f"{where}: a number in the record is too long") from None
    except RecursionError:
        raise StorybankError(f"{where}: the record is nested too deeply") from None
    if not isinstance(record, dict):
        raise StorybankError(f"{where}: a record must be a JSON object")
    if _depth(record) > MAX_NESTING:
        raise StorybankError(f"{where}: the record is nested more than {MAX_NESTING} levels deep")
    return record


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


def _refusal_line(error: StorybankError) -> str:
    if isinstance(error, StoryFileError):
        return str(error.problems[0])
    return str(error)


def _story_file_text(record: dict[str, Any], where: str, today: dt.date) -> tuple[str, str]:
    """The story file for one bundle record, as a story arriving here: in review, its origin noted."""
    data = dict(record)
    if data.pop("format", FORMAT) != FORMAT:
        raise StorybankError(f"{where}: unknown bundle format (this storybank reads {FORMAT})")
    organization = _text(data.pop("organization", None)) or "the exporting organisation"
    bundle = _text(data.pop("bundle", None)) or "a bundle without an id"
    body = data.pop("body", None)
    story_id = data.get("id")
    if not isinstance(body, str) or not isinstance(story_id, str):
        raise StorybankError(f"{where}: a record needs an 'id' and a 'body'")
    if not store.is_story_id(story_id):
        raise StorybankError(
            f"{where}: id '{story_id[:80]}' is not a story id (a slug like back-to-the-kitchen, not 'readme')"
        )
    consent = data.get("consent")
    if not isinstance(consent, dict):
        raise StorybankError(f"{where}: story '{story_id}' has no consent: a story needs its consent")
    if _minor(data.get("storyteller")):
        raise StorybankError(
            f"{where}: story '{story_id}' is told by someone under 18, and a guardian's signed form must be "
            f"held here before it can be added: ask {organization} for it, then add the story by hand"
        )
    data.pop("accepted", None)  # reviewed there, not here: the checks run again before publishing
    data["status"] = str(Status.IN_REVIEW)  # the one way to published is `storybank publish`
    consent = dict(consent)
    for key in INTERNAL_CONSENT_FIELDS:
        consent.pop(key, None)
    consent["form_ref"] = f"held by {organization} ({bundle})"
    history = consent.get("history")
    history = list(history) if isinstance(history, list) else []
    history.append({"date": today.isoformat(), "event": "imported", "note": f"{bundle} from {organization}"})
    consent["history"] = history
    data["consent"] = consent
    front = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=4096)
    return f"---\n{front}---\n{body}", story_id


def _text(value: Any) -> str | None:
    return " ".join(value.split())[:120] if isinstance(value, str) and value.strip() else None


def _minor(storyteller: Any) -> bool:
    age = storyteller.get("age_range") if isinstance(storyteller, dict) else None
    if not isinstance(age, str):
        return False
    first = age.split("-")[0]
    return age == "under-18" or (first.isdigit() and len(first) <= 3 and int(first) < 18)
