"""One gate to `published` and one policy at every use: imports arrive in review, a privacy error holds a
story back everywhere, stories leave the organisation only with `public` consent, and the logs that
recall them survive damage."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from helpers import LOCAL, Result, front_matter, story_text
from storybank import Purpose, StoryBank
from storybank.errors import ConsentRefusedError, StorybankError
from storybank.web import create_app

TODAY = dt.date(2025, 6, 1)
WriteStory = Callable[..., Path]
Run = Callable[..., Result]
EVERY_PURPOSE = {"consent.purposes": ["read", "share", "handout", "public"]}
ANONYMOUS = {"storyteller.attribution": "anonymous", "storyteller.display_name": None}
NAMED_AND_REACHABLE = (
    "My name is Maria Lopez and you can call me at 555-867-5309 or write to maria.lopez@example.org.\n\n"
    "Zucchini kept me going.\n"
)


@pytest.fixture
def bank(write_story: WriteStory, bank_dir: Path) -> StoryBank:
    write_story("kitchen-story", body="Zucchini every night in a busy kitchen.\n", **EVERY_PURPOSE)
    write_story("garden-story", body="Zucchini grew taller than the fence.\n", **EVERY_PURPOSE)
    return StoryBank.open(bank_dir, as_of=TODAY)


def _ids(bank: StoryBank, text: str = "zucchini") -> list[str]:
    return sorted(hit.story.id for hit in bank.search(text).hits)


def _hostile_bundle(tmp_path: Path, **changes: object) -> Path:
    record = {
        "format": "storybank-bundle/1",
        "bundle": "bundle-20250501-abcd1234",
        "organization": "Elsewhere Peers",
        **front_matter(**{"id": "maria-story", **ANONYMOUS, **EVERY_PURPOSE, **changes}),
        "body": NAMED_AND_REACHABLE,
    }
    record["consent"]["form_ref"] = "THEIR-FORM-9"
    record["accepted"] = [
        {"rule": "privacy.contact", "note": "fine by us", "by": "them", "date": "2025-01-01"}
    ]
    path = tmp_path / "bundle.jsonl"
    path.write_text(json.dumps(record) + "\n")
    return path


# -- import: the same gate as every other way in ------------------------------------------------------


def test_an_imported_story_arrives_in_review_and_is_not_served(
    bank: StoryBank, bank_dir: Path, tmp_path: Path
) -> None:
    assert bank.import_bundle(_hostile_bundle(tmp_path)).added == ["maria-story"]
    assert bank.get("maria-story").status == "in-review"
    assert "maria-story" not in _ids(bank)
    with pytest.raises(ConsentRefusedError):
        bank.handout(["maria-story"])
    client = TestClient(create_app(bank_dir, as_of=TODAY), base_url=LOCAL)
    assert client.get("/api/stories/maria-story").status_code == 404
    assert "maria-story" not in client.get("/", params={"q": "zucchini"}).text


def test_an_imported_story_keeps_its_origin_but_not_the_senders_form_or_findings(
    bank: StoryBank, tmp_path: Path
) -> None:
    bank.import_bundle(_hostile_bundle(tmp_path))
    story = bank.get("maria-story")
    assert story.consent.form_ref == "held by Elsewhere Peers (bundle-20250501-abcd1234)"
    assert story.accepted == []
    assert story.consent.history[-1].event == "imported"
    assert story.consent.history[-1].note == "bundle-20250501-abcd1234 from Elsewhere Peers"


def test_publishing_an_imported_story_runs_the_checks(bank: StoryBank, tmp_path: Path) -> None:
    bank.import_bundle(_hostile_bundle(tmp_path))
    with pytest.raises(StorybankError, match=r"error\(s\) in storybank check"):
        bank.publish("maria-story")


def test_a_minors_story_is_refused_without_a_guardian_form_here(bank: StoryBank, tmp_path: Path) -> None:
    bundle = _hostile_bundle(
        tmp_path, **{"storyteller.age_range": "under-18", "consent.guardian_form_ref": "THEIR-G-1"}
    )
    report = bank.import_bundle(bundle)
    assert report.added == []
    assert "under 18" in report.refused[0]
    assert "guardian" in report.refused[0]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("[" * 5000 + "]" * 5000, "nested"),
        ('{"id": "big-number", "n": ' + "9" * 5000 + "}", "number"),
        ('{"id": "deep-story", "a": ' + "[" * 30 + "]" * 30 + "}", "nested"),
    ],
)
def test_import_refuses_a_hostile_record_by_line_and_goes_on(
    line: str, expected: str, bank: StoryBank, bank_dir: Path, tmp_path: Path, run: Run
) -> None:
    bundle = _hostile_bundle(tmp_path)
    bundle.write_text(line + "\n" + bundle.read_text())
    result = run("--bank", bank_dir, "--as-of", str(TODAY), "import", bundle)
    assert result.code == 1
    assert "bundle.jsonl:1:" in result.err
    assert expected in result.err
    assert "imported 1 story, refused 1" in result.out


def test_import_refuses_a_body_past_the_story_file_limit(bank: StoryBank, tmp_path: Path) -> None:
    bundle = _hostile_bundle(tmp_path)
    record = json.loads(bundle.read_text())
    record["body"] = "Zucchini. " * 120_000
    bundle.write_text(json.dumps(record) + "\n")
    report = bank.import_bundle(bundle)
    assert report.added == []
    assert "1 MB" in report.refused[0]


def test_import_refuses_the_id_readme(bank: StoryBank, tmp_path: Path) -> None:
    bundle = _hostile_bundle(tmp_path, id="readme")
    assert "not a story id" in bank.import_bundle(bundle).refused[0]


# -- the privacy hold -------------------------------------------------------------------------------


def test_a_story_edited_to_name_an_anonymous_teller_leaves_every_use_at_once(
    write_story: WriteStory, bank_dir: Path, tmp_path: Path
) -> None:
    write_story("kitchen-story", body="Zucchini every night.\n", **ANONYMOUS, **EVERY_PURPOSE)
    bank = StoryBank.open(bank_dir, as_of=TODAY)
    client = TestClient(create_app(bank_dir, as_of=TODAY), base_url=LOCAL)
    assert _ids(bank) == ["kitchen-story"]
    assert client.get("/api/stories/kitchen-story").status_code == 200
    write_story(
        "kitchen-story",
        body="My name is Karen Whitfield. Zucchini every night.\n",
        **ANONYMOUS,
        **EVERY_PURPOSE,
    )
    assert _ids(bank) == []
    assert bank.search("zucchini").total == 0
    with pytest.raises(ConsentRefusedError, match="held back for privacy"):
        bank.handout(["kitchen-story"])
    assert bank.export(Purpose.PUBLIC, tmp_path / "out.jsonl") == []
    assert client.get("/api/stories/kitchen-story").status_code == 404
    assert bank.may_use(bank.get("kitchen-story"), Purpose.READ)  # a curator can still read it to fix it


def test_a_phone_number_added_after_publishing_holds_the_story(
    write_story: WriteStory, bank_dir: Path
) -> None:
    write_story("kitchen-story", body="Zucchini. Call me on 55 1234 5678.\n", **EVERY_PURPOSE)
    bank = StoryBank.open(bank_dir, as_of=TODAY)
    decision = bank.may_use(bank.get("kitchen-story"), Purpose.SHARE)
    assert not decision
    assert "a phone number ('55 1234 5678')" in decision.reason


def test_accepting_the_finding_brings_the_story_back(write_story: WriteStory, bank_dir: Path) -> None:
    accepted = [
        {"rule": "privacy.contact", "note": "the teller's shop line", "by": "cur", "date": "2025-05-01"}
    ]
    write_story("kitchen-story", body="Zucchini. Call 555-867-5309.\n", accepted=accepted, **EVERY_PURPOSE)
    assert _ids(StoryBank.open(bank_dir, as_of=TODAY)) == ["kitchen-story"]


def test_a_full_name_as_a_first_name_credit_is_held(
    write_story: WriteStory, bank_dir: Path, run: Run
) -> None:
    write_story("kitchen-story", body="Zucchini.\n", **{"storyteller.display_name": "Karen Whitfield"})
    bank = StoryBank.open(bank_dir, as_of=TODAY)
    assert _ids(bank) == []
    checked = run("--bank", bank_dir, "--as-of", str(TODAY), "check")
    assert checked.code == 1
    assert "display_name 'Karen Whitfield' looks like a full name" in checked.out


def test_two_given_names_are_still_a_first_name(write_story: WriteStory, bank_dir: Path) -> None:
    write_story("kitchen-story", body="Zucchini.\n", **{"storyteller.display_name": "Mary Ann"})
    assert _ids(StoryBank.open(bank_dir, as_of=TODAY)) == ["kitchen-story"]


def test_list_show_and_consent_report_say_why_a_story_is_held(
    write_story: WriteStory, bank_dir: Path, run: Run
) -> None:
    write_story("kitchen-story", body="Zucchini. Write to me at rosa@example.org.\n")
    listed = run("--bank", bank_dir, "--as-of", str(TODAY), "list")
    shown = run("--bank", bank_dir, "--as-of", str(TODAY), "show", "kitchen-story")
    report = run("--bank", bank_dir, "--as-of", str(TODAY), "consent-report")
    assert "held: privacy" in listed.out
    assert "Held back: held back for privacy: body: an email address" in shown.out
    assert report.out.startswith("held ")


def test_the_index_filter_follows_the_policy_for_read(
    write_story: WriteStory, bank_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write_story("kitchen-story", body="Zucchini.\n")
    write_story("retired-story", body="Zucchini.\n", status="retired")
    bank = StoryBank.open(bank_dir, as_of=TODAY)
    result = bank.search("zucchini", purpose=Purpose.READ)
    assert (result.total, [hit.story.id for hit in result.hits]) == (1, ["kitchen-story"])
    assert "disagrees" not in caplog.text  # no stale-index retries, no rebuild


# -- leaving the organisation -------------------------------------------------------------------------


def test_export_for_sharing_is_refused_with_the_reason(bank: StoryBank, tmp_path: Path, run: Run) -> None:
    result = run(
        "--bank", bank.root, "--as-of", str(TODAY), "export", "--purpose", "share", "-o", tmp_path / "x"
    )
    assert result.code == 2
    assert "does not cover that: use --purpose public or --purpose research" in result.err
    assert not (tmp_path / "x").exists()


def test_a_withdrawal_after_an_export_names_the_bundle(bank: StoryBank, tmp_path: Path, run: Run) -> None:
    bank.export(Purpose.PUBLIC, tmp_path / "bundle.jsonl")
    bundle_id = json.loads((tmp_path / "bundle.jsonl").read_text().splitlines()[0])["bundle"]
    result = run("--bank", bank.root, "--as-of", str(TODAY), "withdraw", "kitchen-story")
    assert result.code == 0
    assert f"  {bundle_id}  exported {TODAY} for public" in result.out


def test_the_export_log_holds_no_file_name(bank: StoryBank, tmp_path: Path) -> None:
    bank.export(Purpose.PUBLIC, tmp_path / "secret-name.jsonl")
    log = (bank.root / "log" / "exports.jsonl").read_text()
    assert "secret-name" not in log
    assert json.loads(log)["stories"] == ["garden-story", "kitchen-story"]


# -- the logs a recall reads ----------------------------------------------------------------------------


def test_a_cut_short_print_log_line_does_not_swallow_the_next_handout(
    bank: StoryBank, tmp_path: Path
) -> None:
    (bank.root / "log").mkdir()
    (bank.root / "log" / "prints.jsonl").write_text('{"handout_id": "h-cut", "stories": [{"id": "kitch')
    made = bank.write_handout(["kitchen-story"], tmp_path / "kitchen.md")
    _, recall = bank.withdraw("kitchen-story")
    assert [copy.handout_id for copy in recall.handouts] == [made.id]
    assert recall.damaged == ["log/prints.jsonl line 1"]


def test_a_print_log_that_is_not_utf8_never_stops_a_withdrawal(
    bank: StoryBank, tmp_path: Path, run: Run
) -> None:
    made = bank.write_handout(["kitchen-story"], tmp_path / "kitchen.md")
    with open(bank.root / "log" / "prints.jsonl", "ab") as log:
        log.write(b"\xff\xfe not text \xc3\x28\n")
    result = run("--bank", bank.root, "--as-of", str(TODAY), "withdraw", "kitchen-story")
    assert result.code == 0
    assert made.id in result.out
    assert "log/prints.jsonl line 2 is damaged" in result.err


# -- counts agree with hits -------------------------------------------------------------------------------


def test_a_warm_process_stops_counting_a_story_once_its_withdrawal_returns(bank: StoryBank) -> None:
    assert bank.search("zucchini").total == 2
    assert bank.search("").facets["hope"] == 2
    bank.withdraw("kitchen-story")
    assert bank.search("zucchini").total == 1
    assert bank.search("").facets["hope"] == 1


def test_story_text_of_a_story_without_read_consent_is_not_shown(bank: StoryBank, run: Run) -> None:
    bank.withdraw("kitchen-story")
    shown = run("--bank", bank.root, "--as-of", str(TODAY), "show", "kitchen-story", "--json")
    data = json.loads(shown.out)
    assert (data["body"], data["summary"], data["what_helped"]) == (None, None, [])


def test_story_text_helper_is_valid() -> None:  # the hostile bundle starts from a story that loads
    assert story_text(front_matter(id="maria-story", **ANONYMOUS)).startswith("---\nid: maria-story")
