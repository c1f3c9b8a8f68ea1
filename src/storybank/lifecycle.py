"""The consent lifecycle: withdraw, renew, publish, retire and erase a story, with an audit trail.

Every change edits the story's front matter in place (see `edit.py`), appends an event to
`consent.history` with who made it, and takes effect at once: search, handouts and export read the files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap

from storybank import jsonlog, printlog
from storybank.checks.consent import EXPIRY_NOTICE_DAYS
from storybank.consent import ConsentState, consent_state
from storybank.edit import append_event, edit_story, event, set_value
from storybank.errors import StorybankError
from storybank.jsonlog import LOG_DIR
from storybank.models import Purpose, Status, Story
from storybank.taxonomy import Taxonomy

TOMBSTONES = "tombstones.jsonl"


@dataclass(frozen=True)
class Printed:
    """A handout that held a story: what a curator needs to ask the copy back."""

    handout_id: str
    printed_on: str


@dataclass(frozen=True)
class Exported:
    """A bundle sent to a partner organisation that held a story."""

    bundle_id: str
    exported_on: str
    purpose: str


@dataclass(frozen=True)
class Recall:
    """What to ask back after a withdrawal or an erasure; `damaged` names log lines that were skipped."""

    handouts: list[Printed]
    bundles: list[Exported]
    damaged: list[str]


@dataclass(frozen=True)
class ReportRow:
    id: str
    state: str  # held, withdrawn, expired, expiring, not-approved
    date: dt.date | None
    detail: str

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "state": self.state,
            "date": str(self.date) if self.date else None,
            "detail": self.detail,
        }


def withdraw(
    path: Path, taxonomy: Taxonomy, *, on: dt.date, today: dt.date, by: str, note: str | None
) -> Story:
    if on > today:
        raise StorybankError(
            f"cannot record a withdrawal on {on}, after today ({today}): a withdrawal takes effect at once"
        )

    def change(story: Story, data: CommentedMap) -> None:
        if story.consent.withdrawn_on is not None and story.consent.withdrawn_on <= today:
            raise StorybankError(f"story '{story.id}' was already withdrawn on {story.consent.withdrawn_on}")
        if on < story.consent.given_on:
            raise StorybankError(f"cannot withdraw on {on}: consent was given on {story.consent.given_on}")
        set_value(data["consent"], "withdrawn_on", on)
        append_event(data, event(on, "withdrawn", by=by, note=note))

    return edit_story(path, change, taxonomy)


def renew(
    path: Path,
    taxonomy: Taxonomy,
    *,
    until: dt.date,
    purposes: list[Purpose] | None,
    today: dt.date,
    by: str,
    note: str | None,
    undo_withdrawal: bool = False,
) -> Story:
    """Extend consent to `until`. A withdrawn story's consent is given again (a new `given` event) only
    with `undo_withdrawal`: a renewal prepared before a withdrawal arrived must never undo it."""
    if until <= today:
        raise StorybankError(f"--until {until} must be after today ({today})")
    chosen = [str(p) for p in purposes] if purposes else None

    def change(story: Story, data: CommentedMap) -> None:
        given_again = story.consent.withdrawn_on is not None
        if given_again and not undo_withdrawal:
            raise StorybankError(
                f"story '{story.id}' was withdrawn on {story.consent.withdrawn_on}: a renewal does not undo "
                "a withdrawal; if the withdrawal was a mistake and the teller agrees, renew with "
                "--undo-withdrawal (nothing was changed)"
            )
        consent = data["consent"]
        set_value(consent, "expires_on", until)
        if chosen:
            set_value(consent, "purposes", chosen)
        if given_again:
            set_value(consent, "withdrawn_on", None)
        kind = "given" if given_again else "renewed"
        append_event(data, event(today, kind, purposes=chosen, until=until, by=by, note=note))

    return edit_story(path, change, taxonomy)


def move(
    path: Path,
    taxonomy: Taxonomy,
    *,
    to: Status,
    kind: str,
    today: dt.date,
    by: str,
    note: str | None,
    refusal: Callable[[Story], str | None] = lambda _: None,
) -> Story:
    """Change the story's status; `refusal` (asked with the story as its file is, under the lock) may
    say why not."""

    def change(story: Story, data: CommentedMap) -> None:
        reason = refusal(story)
        if reason:
            raise StorybankError(reason)
        set_value(data, "status", str(to))
        append_event(data, event(today, kind, by=by, note=note))

    return edit_story(path, change, taxonomy)


def approve(
    path: Path, taxonomy: Taxonomy, *, on: dt.date, today: dt.date, by: str, note: str | None
) -> Story:
    """Record that the storyteller approved the story's text as it is now: `text_approved_on`, the
    body's hash (`text_approved_sha256`, so a later edit shows), and a `text-approved` event."""
    if on > today:
        raise StorybankError(f"--on {on} is after today ({today}): record an approval once it is given")

    def change(story: Story, data: CommentedMap) -> None:
        if consent_state(story.consent, today) is ConsentState.WITHDRAWN:
            raise StorybankError(
                f"story '{story.id}' was withdrawn on {story.consent.withdrawn_on}: its text is not "
                "approved for anything (nothing was changed)"
            )
        consent = data["consent"]
        set_value(consent, "text_approved_on", on)
        set_value(consent, "text_approved_sha256", story.body_sha256)
        append_event(data, event(on, "text-approved", by=by, note=note))

    return edit_story(path, change, taxonomy)


def text_approved(story: Story) -> bool:
    """Whether the storyteller approved the story's text as it is now (its hash is the one approved)."""
    return story.consent.text_approved_sha256 == story.body_sha256


def publish_refusal(
    story: Story, errors: list[str], today: dt.date, *, without_approval: bool = False
) -> str | None:
    """Why a story may not be published now, or None."""
    if story.status == Status.PUBLISHED:
        return f"story '{story.id}' is already published"
    if story.status == Status.RETIRED:
        return f"story '{story.id}' is retired; renew its consent and start a new draft to share it again"
    if errors:
        return f"story '{story.id}' has {len(errors)} error(s) in storybank check: {errors[0]}"
    state = consent_state(story.consent, today)
    if state is not ConsentState.ACTIVE:
        return f"story '{story.id}' cannot be published: its consent is {state} (storybank renew)"
    if not without_approval and not text_approved(story):
        changed = (
            "changed since the teller approved it" if story.consent.text_approved_sha256 else "not approved"
        )
        return (
            f"story '{story.id}' cannot be published: its text is {changed}; print it for the teller "
            f"(storybank review-copy {story.id}), then storybank approve {story.id} — or publish with "
            "--without-approval --note WHY"
        )
    return None


def recall_list(bank_root: Path, story_id: str) -> Recall:
    """Every handout printed and every bundle exported with this story, from the logs (a record of the
    wrong shape is named as damaged, never shown as a copy to recall)."""
    from storybank import exchange  # exchange imports yaml; only a recall needs it here

    prints = printlog.read(bank_root)
    exports = exchange.export_log(bank_root)
    damaged = [f"{LOG_DIR}/{printlog.PRINT_LOG} line {n}" for n in prints.damaged]
    damaged += [f"{LOG_DIR}/{exchange.EXPORT_LOG} line {n}" for n in exports.damaged]
    handouts, bundles = [], []
    for number, record in prints.records:
        if not (isinstance(record.get("handout_id"), str) and isinstance(record.get("stories"), list)):
            damaged.append(f"{LOG_DIR}/{printlog.PRINT_LOG} line {number}")
        elif _holds(record, story_id):
            handouts.append(Printed(record["handout_id"], str(record.get("printed_on"))))
    for number, record in exports.records:
        ids = record.get("stories")
        if not (isinstance(record.get("bundle_id"), str) and isinstance(ids, list)):
            damaged.append(f"{LOG_DIR}/{exchange.EXPORT_LOG} line {number}")
        elif story_id in ids:
            bundles.append(
                Exported(record["bundle_id"], str(record.get("exported_on")), str(record.get("purpose")))
            )
    return Recall(handouts=handouts, bundles=bundles, damaged=sorted(set(damaged)))


def _holds(record: dict[str, Any], story_id: str) -> bool:
    stories = record.get("stories")
    return isinstance(stories, list) and any(isinstance(s, dict) and s.get("id") == story_id for s in stories)


def consent_report(stories: list[Story], today: dt.date, *, held: dict[str, str]) -> list[ReportRow]:
    """The rows a curator must act on; `held` gives the reason each held-back story is held."""
    rows = [ReportRow(story_id, "held", None, reason) for story_id, reason in held.items()]
    for story in stories:
        consent = story.consent
        state = consent_state(consent, today)
        if state is ConsentState.WITHDRAWN:
            rows.append(
                ReportRow(story.id, "withdrawn", consent.withdrawn_on, "withdrawn: not used anywhere")
            )
        elif state is ConsentState.EXPIRED:
            rows.append(ReportRow(story.id, "expired", consent.expires_on, "ask the storyteller to renew"))
        elif consent.expires_on is not None and (consent.expires_on - today).days <= EXPIRY_NOTICE_DAYS:
            days = (consent.expires_on - today).days
            rows.append(ReportRow(story.id, "expiring", consent.expires_on, f"expires in {days} day(s)"))
        if story.status == Status.PUBLISHED and consent.text_approved_on is None:
            rows.append(ReportRow(story.id, "not-approved", None, "published without the teller's approval"))
    order = {"held": 0, "withdrawn": 1, "expired": 2, "expiring": 3, "not-approved": 4}
    return sorted(rows, key=lambda row: (order[row.state], row.date or dt.date.max, row.id))


def tombstone(bank_root: Path, story: Story, *, today: dt.date, reason: str, by: str) -> None:
    """Note an erasure: the id and dates, never the content. Written before the file goes."""
    line: dict[str, Any] = {
        "id": story.id,
        "purged_on": str(today),
        "given_on": str(story.consent.given_on),
        "withdrawn_on": str(story.consent.withdrawn_on) if story.consent.withdrawn_on else None,
        "reason": reason,
        "by": by,
    }
    jsonlog.append(jsonlog.log_file(bank_root, TOMBSTONES), line)


def in_git(folder: Path) -> bool:
    return any((parent / ".git").exists() for parent in [folder.resolve(), *folder.resolve().parents])
