"""The consent lifecycle and exchange on real files: withdraw, renew, history, report, publish, retire,
purge, export and import — each change written in place and in effect at once."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from helpers import Result
from storybank import StoryBank
from storybank.errors import ConsentRefusedError, StorybankError
from storybank.models import Purpose

TODAY = dt.date(2025, 6, 1)
WriteStory = Callable[..., Path]
PUBLIC = {"consent.purposes": ["read", "share", "handout", "public"]}


@pytest.fixture
def bank(write_story: WriteStory, bank_dir: Path) -> StoryBank:
    write_story("kitchen-story", body="Zucchini every night in a busy kitchen.\n", **PUBLIC)
    write_story("garden-story", body="Zucchini grew taller than the fence.\n", **PUBLIC)
    return StoryBank.open(bank_dir, as_of=TODAY)


def ids(bank: StoryBank, text: str) -> list[str]:
    return sorted(hit.story.id for hit in bank.search(text).hits)


def test_withdrawal_takes_effect_at_once_everywhere(bank: StoryBank, tmp_path: Path) -> None:
    assert ids(bank, "zucchini") == ["garden-story", "kitchen-story"]
    bank.withdraw("kitchen-story")
    assert ids(bank, "zucchini") == ["garden-story"]
    with pytest.raises(ConsentRefusedError):
        bank.handout(["kitchen-story"])
    assert bank.export(Purpose.PUBLIC, tmp_path / "bundle.jsonl") == ["garden-story"]


def test_withdrawal_lists_the_handouts_to_recall(bank: StoryBank, tmp_path: Path) -> None:
    made = bank.write_handout(["kitchen-story", "garden-story"], tmp_path / "packet.md")
    bank.write_handout(["garden-story"], tmp_path / "garden.md")
    _, recall = bank.withdraw("kitchen-story")
    assert [(p.handout_id, p.printed_on) for p in recall.handouts] == [(made.id, str(TODAY))]


def test_withdrawal_keeps_comments_order_and_layout(bank: StoryBank, bank_dir: Path) -> None:
    path = bank_dir / "kitchen-story.md"
    before = path.read_text().replace("consent:\n", "consent:  # form scanned in the office\n")
    path.write_text(before)
    bank.withdraw("kitchen-story", by="staff-9", note="asked by phone")
    after = path.read_text().splitlines()
    changed = [line for line in after if line not in before.splitlines()]
    assert changed == [
        "  withdrawn_on: 2025-06-01",
        "  - {date: 2025-06-01, event: withdrawn, by: staff-9, note: asked by phone}",
    ]
    assert "consent:  # form scanned in the office" in after


def test_withdrawal_received_earlier_is_dated_then(bank: StoryBank) -> None:
    story, _ = bank.withdraw("kitchen-story", on=dt.date(2025, 5, 20))
    assert story.consent.withdrawn_on == dt.date(2025, 5, 20)


def test_future_withdrawal_date_is_refused(
    bank: StoryBank, bank_dir: Path, run: Callable[..., Result]
) -> None:
    result = run("--bank", bank_dir, "--as-of", TODAY, "withdraw", "kitchen-story", "--on", "2025-07-01")
    assert result.code == 2
    assert "after today" in result.err
    assert "withdrawn_on: null" in (bank_dir / "kitchen-story.md").read_text()


def test_renew_undoes_a_mistaken_withdrawal(bank: StoryBank) -> None:
    bank.withdraw("kitchen-story")
    story = bank.renew("kitchen-story", until=dt.date(2028, 1, 1), by="staff-9", undo_withdrawal=True)
    assert story.consent.withdrawn_on is None
    assert story.consent.expires_on == dt.date(2028, 1, 1)
    assert [event.event for event in bank.history("kitchen-story")] == ["given", "withdrawn", "given"]
    assert ids(bank, "zucchini") == ["garden-story", "kitchen-story"]


def test_a_plain_renewal_never_undoes_a_withdrawal(bank: StoryBank, bank_dir: Path) -> None:
    bank.withdraw("kitchen-story")
    before = (bank_dir / "kitchen-story.md").read_bytes()
    with pytest.raises(StorybankError, match="a renewal does not undo a withdrawal"):
        bank.renew("kitchen-story", until=dt.date(2028, 1, 1))
    assert (bank_dir / "kitchen-story.md").read_bytes() == before


def test_renew_can_change_the_purposes(bank: StoryBank) -> None:
    story = bank.renew("kitchen-story", until=dt.date(2028, 1, 1), purposes=[Purpose.READ, Purpose.SHARE])
    assert story.consent.purposes == [Purpose.READ, Purpose.SHARE]
    assert bank.history("kitchen-story")[-1].event == "renewed"


def test_renew_to_a_past_date_is_refused(bank: StoryBank) -> None:
    with pytest.raises(StorybankError, match="must be after today"):
        bank.renew("kitchen-story", until=TODAY)


def test_history_json_lists_every_event(bank: StoryBank, bank_dir: Path, run: Callable[..., Result]) -> None:
    bank.withdraw("kitchen-story", by="staff-9")
    result = run("--bank", bank_dir, "--as-of", TODAY, "history", "kitchen-story", "--json")
    assert [(e["event"], e.get("by")) for e in json.loads(result.out)] == [
        ("given", "staff-12"),
        ("withdrawn", "staff-9"),
    ]


def test_consent_report_names_what_needs_a_curator(write_story: WriteStory, bank_dir: Path) -> None:
    write_story("soon-story", **{"consent.expires_on": "2025-06-20"})
    write_story("gone-story", **{"consent.withdrawn_on": "2025-05-01"})
    write_story("old-story", **{"consent.expires_on": "2025-05-01"})
    write_story("unapproved-story", **{"consent.text_approved_on": None})
    rows = StoryBank.open(bank_dir, as_of=TODAY).consent_report()
    assert [(row.state, row.id) for row in rows] == [
        ("withdrawn", "gone-story"),
        ("expired", "old-story"),
        ("expiring", "soon-story"),
        ("not-approved", "unapproved-story"),
    ]


def test_publish_moves_an_approved_draft_and_records_it(write_story: WriteStory, bank_dir: Path) -> None:
    write_story("draft-story", status="draft")
    bank = StoryBank.open(bank_dir, as_of=TODAY)
    bank.approve("draft-story", by="staff-9")
    story = bank.publish("draft-story", by="staff-9")
    assert story.status == "published"
    assert [event.event for event in story.consent.history[-2:]] == ["text-approved", "published"]


def test_approve_records_the_date_the_hash_and_who(write_story: WriteStory, bank_dir: Path) -> None:
    write_story("draft-story", status="draft")
    story = StoryBank.open(bank_dir, as_of=TODAY).approve(
        "draft-story", on=dt.date(2025, 5, 30), by="staff-9"
    )
    assert story.consent.text_approved_on == dt.date(2025, 5, 30)
    assert story.consent.text_approved_sha256 == story.body_sha256
    assert (story.consent.history[-1].event, story.consent.history[-1].by) == ("text-approved", "staff-9")


def test_approve_refuses_a_day_after_today(write_story: WriteStory, bank_dir: Path) -> None:
    write_story("draft-story", status="draft")
    with pytest.raises(StorybankError, match="after today"):
        StoryBank.open(bank_dir, as_of=TODAY).approve("draft-story", on=dt.date(2025, 6, 2))


def test_a_word_changed_after_approval_warns_and_stops_publishing(
    write_story: WriteStory, bank_dir: Path, run: Callable[..., Result]
) -> None:
    path = write_story("draft-story", status="draft")
    StoryBank.open(bank_dir, as_of=TODAY).approve("draft-story")
    path.write_text(path.read_text().replace("burned the rice", "burned the beans"))
    checked = run("--bank", bank_dir, "--as-of", "2025-06-01", "check", "draft-story")
    assert "the text changed since the storyteller approved it" in checked.out + checked.err
    refused = run("--bank", bank_dir, "--as-of", "2025-06-01", "publish", "draft-story")
    assert refused.code == 2
    assert "changed since the teller approved it" in refused.err
    assert "status: draft" in path.read_text()


def test_publish_without_approval_needs_a_reason_and_keeps_it(
    write_story: WriteStory, bank_dir: Path
) -> None:
    write_story("draft-story", status="draft")
    bank = StoryBank.open(bank_dir, as_of=TODAY)
    with pytest.raises(StorybankError, match="cannot be published: its text is not approved"):
        bank.publish("draft-story")
    with pytest.raises(StorybankError, match="needs --note WHY"):
        bank.publish("draft-story", without_approval=True)
    story = bank.publish("draft-story", without_approval=True, note="the teller approved it by phone")
    assert story.consent.history[-1].note == "the teller approved it by phone"


def test_publish_is_refused_while_check_finds_errors(write_story: WriteStory, bank_dir: Path) -> None:
    write_story("draft-story", status="draft", body="Call me at 555-0142.\n")
    with pytest.raises(StorybankError, match=r"error\(s\) in storybank check"):
        StoryBank.open(bank_dir, as_of=TODAY).publish("draft-story")
    assert "status: draft" in (bank_dir / "draft-story.md").read_text()


def test_publish_is_refused_when_consent_is_not_active(write_story: WriteStory, bank_dir: Path) -> None:
    write_story("draft-story", status="draft", **{"consent.expires_on": "2025-05-01"})
    with pytest.raises(StorybankError, match="its consent is expired"):
        StoryBank.open(bank_dir, as_of=TODAY).publish("draft-story")


def test_retired_story_is_no_longer_found(bank: StoryBank) -> None:
    bank.retire("kitchen-story")
    assert ids(bank, "zucchini") == ["garden-story"]


def test_purge_needs_yes(bank: StoryBank, bank_dir: Path, run: Callable[..., Result]) -> None:
    result = run("--bank", bank_dir, "purge", "kitchen-story")
    assert result.code == 2
    assert (bank_dir / "kitchen-story.md").exists()


def test_purge_erases_file_and_index_text_and_keeps_a_tombstone(
    write_story: WriteStory, bank_dir: Path, run: Callable[..., Result]
) -> None:
    write_story("secret-story", body="Quasimodoesque lanterns over the harbour.\n")
    write_story("other-story", body="Zucchini.\n")
    StoryBank.open(bank_dir, as_of=TODAY).index()
    result = run("--bank", bank_dir, "--as-of", TODAY, "purge", "secret-story", "--yes")
    assert result.code == 0
    assert "storybank cannot erase" in result.out
    assert not (bank_dir / "secret-story.md").exists()
    index_bytes = b"".join(p.read_bytes() for p in (bank_dir / ".storybank" / "index").iterdir())
    assert b"quasimodoesque" not in index_bytes.lower()
    assert b"lanterns" not in index_bytes.lower()
    [tombstone] = [
        json.loads(line) for line in (bank_dir / "log" / "tombstones.jsonl").read_text().splitlines()
    ]
    assert tombstone["id"] == "secret-story"
    assert "lantern" not in json.dumps(tombstone).lower()


def test_export_leaves_internal_fields_out(bank: StoryBank, bank_dir: Path, tmp_path: Path) -> None:
    (bank_dir / "storybank.toml").write_text('[organization]\nname = "Riverside Peers"\n')
    StoryBank.open(bank_dir, as_of=TODAY).export(Purpose.PUBLIC, tmp_path / "bundle.jsonl")
    record = json.loads((tmp_path / "bundle.jsonl").read_text().splitlines()[0])
    assert record["organization"] == "Riverside Peers"
    assert record["body"].startswith("Zucchini")
    assert "form_ref" not in record["consent"]
    assert all("by" not in event for event in record["consent"]["history"])


def test_export_then_import_gives_equal_stories_in_review(bank: StoryBank, tmp_path: Path) -> None:
    bank.export(Purpose.PUBLIC, tmp_path / "bundle.jsonl")
    empty = tmp_path / "empty"
    empty.mkdir()
    other = StoryBank.open(empty, as_of=TODAY)
    assert sorted(other.import_bundle(tmp_path / "bundle.jsonl").added) == ["garden-story", "kitchen-story"]
    for story_id in ("garden-story", "kitchen-story"):
        mine, theirs = bank.get(story_id), other.get(story_id)
        skip = {"status": True, "consent": {"form_ref", "history"}}
        assert theirs.model_dump(exclude=skip) == mine.model_dump(exclude=skip)
        assert theirs.status == "in-review"
        assert [e.event for e in theirs.consent.history] == [e.event for e in mine.consent.history] + [
            "imported"
        ]


def test_import_reports_bad_records_by_line_and_never_overwrites(
    bank: StoryBank, bank_dir: Path, tmp_path: Path, run: Callable[..., Result]
) -> None:
    bank.export(Purpose.PUBLIC, tmp_path / "bundle.jsonl")
    good = (tmp_path / "bundle.jsonl").read_text().splitlines()
    fresh = json.loads(good[0]) | {"id": "fresh-story"}
    broken = json.loads(good[0]) | {"id": "broken-story", "themes": ["relaps"]}
    (tmp_path / "mixed.jsonl").write_text(
        "\n".join([good[0], "{not json", json.dumps(broken), json.dumps(fresh)])
    )
    before = (bank_dir / "garden-story.md").read_text()
    result = run("--bank", bank_dir, "--as-of", TODAY, "import", tmp_path / "mixed.jsonl")
    assert result.code == 1
    assert "mixed.jsonl:1: a story with id" in result.err
    assert "mixed.jsonl:2: not JSON" in result.err
    assert "mixed.jsonl:3" in result.err
    assert "relapse" in result.err
    assert (bank_dir / "fresh-story.md").exists()
    assert (bank_dir / "garden-story.md").read_text() == before
