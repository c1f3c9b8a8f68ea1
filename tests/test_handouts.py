"""Handouts: what they hold, consent at the print date, the print log, sanitising, templates, golden files."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from helpers import REPO, SUPPORT_TOML, Result
from storybank import StoryBank
from storybank.errors import ConsentRefusedError, StorybankError, SupportMissingError

GOLDEN = REPO / "tests" / "golden" / "handouts"
GOLDEN_DAY = dt.date(2026, 1, 15)
TODAY = dt.date(2025, 6, 1)
WriteStory = Callable[..., Path]
HOSTILE = '<script>window.pwned = 1</script><img src=x onerror="window.pwned=2"><b onclick="x()">Hope</b>'


@pytest.fixture
def bank(write_story: WriteStory, bank_dir: Path) -> StoryBank:
    write_story("kitchen-story", themes=["employment", "relapse", "hope"])
    write_story("quiet-story", content_warnings=[], **{"consent.purposes": ["read", "share"]})
    return StoryBank.open(bank_dir, as_of=TODAY)


def print_log(bank_dir: Path) -> list[dict[str, object]]:
    path = bank_dir / "log" / "prints.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


@pytest.mark.parametrize("case", sorted(path.stem for path in GOLDEN.glob("*.yaml")))
def test_markdown_handout_matches_its_golden_file(case: str, update_golden: bool) -> None:
    request = yaml.safe_load((GOLDEN / f"{case}.yaml").read_text())
    bank = StoryBank.open(GOLDEN / "bank", as_of=GOLDEN_DAY)
    made = bank.handout(
        request["stories"], format="md", max_words=request.get("max_words"), handout_id="H-GOLDEN"
    ).text
    expected = GOLDEN / f"{case}.md"
    if update_golden:
        expected.write_text(made, encoding="utf-8")
    assert made == expected.read_text(encoding="utf-8")


def test_handout_holds_what_a_peer_needs(bank: StoryBank) -> None:
    text = bank.handout(["kitchen-story"], format="md").text
    note = text.index("Content note:")
    assert note < text.index("I burned the rice")  # the warning comes before the story
    assert "This story talks about overdose." in text
    assert "Told by Rosa · age 30\N{EN DASH}39 · in recovery since 2016" in text
    assert "## What helped me\n\n- a Saturday group where nobody had to talk" in text
    assert "consent valid until 2027-03-02" in text
    assert "It is not clinical advice." in text
    assert f"printed {TODAY}" in text


def test_reflection_questions_invite_and_never_direct(bank: StoryBank) -> None:
    text = bank.handout(["kitchen-story"], format="md").text
    section = text.split("## If you would like to reflect")[1].split("\n\n")[1]
    questions = [line[2:] for line in section.splitlines()]
    assert 2 <= len(questions) <= 4
    assert questions[0] == "What part of this story, if any, feels close to your own?"
    assert all(q.endswith("?") for q in questions)
    assert not any(re.match(r"(You should|You must|Do |Try |Stop )", q) for q in questions)


def test_a_bank_without_support_settings_refuses_a_handout(bank: StoryBank, bank_dir: Path) -> None:
    (bank_dir / "storybank.toml").unlink()
    with pytest.raises(SupportMissingError, match=r"set \[organization\] contact and \[\[crisis_lines\]\]"):
        StoryBank.open(bank_dir, as_of=TODAY).handout(["kitchen-story"], format="md")


def test_without_support_prints_no_support_block_and_no_placeholder(bank: StoryBank, bank_dir: Path) -> None:
    (bank_dir / "storybank.toml").unlink()
    text = (
        StoryBank.open(bank_dir, as_of=TODAY)
        .handout(["kitchen-story"], format="md", without_support=True)
        .text
    )
    assert "## Support" not in text
    assert "[" not in text.replace("\\[", "")  # no bracketed placeholder for the curator
    assert "Shared with permission" in text


def test_story_without_handout_consent_writes_nothing(
    bank: StoryBank, bank_dir: Path, tmp_path: Path
) -> None:
    target = tmp_path / "out.html"
    with pytest.raises(ConsentRefusedError, match=r"quiet-story.*did not agree to 'handout'"):
        bank.write_handout(["kitchen-story", "quiet-story"], target)
    assert not target.exists()
    assert print_log(bank_dir) == []


def test_story_withdrawn_yesterday_writes_nothing(
    write_story: WriteStory, bank_dir: Path, tmp_path: Path
) -> None:
    write_story("kitchen-story", **{"consent.withdrawn_on": str(TODAY - dt.timedelta(days=1))})
    target = tmp_path / "out.md"
    with pytest.raises(ConsentRefusedError, match="withdrawn"):
        StoryBank.open(bank_dir, as_of=TODAY).write_handout(["kitchen-story"], target)
    assert not target.exists()


def test_print_log_records_ids_and_dates_never_the_file(
    bank: StoryBank, bank_dir: Path, tmp_path: Path
) -> None:
    made = bank.write_handout(["kitchen-story"], tmp_path / "for-maria.md")
    [line] = print_log(bank_dir)
    assert line["handout_id"] == made.id
    assert line["stories"] == [{"id": "kitchen-story", "consent_valid_until": "2027-03-02"}]
    assert line["printed_on"] == str(TODAY)
    assert "for-maria" not in json.dumps(line)


def test_written_file_is_the_whole_handout(bank: StoryBank, tmp_path: Path) -> None:
    target = tmp_path / "out.html"
    made = bank.write_handout(["kitchen-story"], target)
    assert target.read_bytes() == made.data
    assert made.text.rstrip().endswith("</html>")


def test_packet_has_a_cover_and_each_story_once(write_story: WriteStory, bank_dir: Path) -> None:
    write_story("kitchen-story")
    write_story("garden-story", title="The garden", content_warnings=[])
    text = StoryBank.open(bank_dir, as_of=TODAY).handout(["kitchen-story", "garden-story"], format="md").text
    cover = text.split("# Back to the kitchen {: .story-title }")[0]
    assert "1. **Back to the kitchen**" in cover
    assert "This story talks about overdose." in cover
    assert "2. **The garden**" in cover
    assert "No content note." in cover
    assert text.count("{: .story-title }") == 2


def test_long_story_is_shortened_at_a_paragraph(write_story: WriteStory, bank_dir: Path) -> None:
    write_story("kitchen-story", body="One two three four.\n\nFive six seven eight.\n\nNine ten.\n")
    text = StoryBank.open(bank_dir, as_of=TODAY).handout(["kitchen-story"], format="md", max_words=6).text
    assert "One two three four." in text
    assert "Five six" not in text
    assert (
        "… (The story is shortened here. If you would like to read all of it, ask for story kitchen-story.)"
        in text
    )


def test_anonymous_teller_is_never_named(write_story: WriteStory, bank_dir: Path) -> None:
    write_story(
        "kitchen-story",
        **{"storyteller.attribution": "anonymous", "storyteller.display_name": None},
    )
    text = StoryBank.open(bank_dir, as_of=TODAY).handout(["kitchen-story"], format="html").text
    assert "Told by Anonymous" in text
    assert "Rosa" not in text


def test_pseudonym_is_marked_as_one(write_story: WriteStory, bank_dir: Path) -> None:
    write_story(
        "kitchen-story", **{"storyteller.attribution": "pseudonym", "storyteller.display_name": "Lark"}
    )
    text = StoryBank.open(bank_dir, as_of=TODAY).handout(["kitchen-story"], format="md").text
    assert "Told by Lark (a pseudonym)" in text


def test_spanish_story_gets_spanish_fixed_text(write_story: WriteStory, bank_dir: Path) -> None:
    write_story("cocina", language="es", title="La cocina", body="Volví a cocinar.\n")
    text = StoryBank.open(bank_dir, as_of=TODAY).handout(["cocina"], format="md").text
    assert "Aviso de contenido:" in text
    assert "Contada por Rosa" in text
    assert "No es un consejo clínico." in text


def test_hostile_html_in_every_field_never_survives(write_story: WriteStory, bank_dir: Path) -> None:
    write_story(
        "kitchen-story",
        title=f"Title {HOSTILE}",
        summary=f"Summary {HOSTILE}",
        what_helped=[f"Helped {HOSTILE}"],
        body=f"Body {HOSTILE}\n\n[a link](javascript:alert(1)) <iframe src='https://example.com'></iframe>\n",
        accepted=[  # the hostile text holds a web address; a curator accepts it to let it print
            {"rule": "privacy.contact", "note": "test text", "by": "tester", "date": "2026-01-01"}
        ],
        **{"storyteller.display_name": "Rosa<svg onload=alert(1)>"},
    )
    (bank_dir / "storybank.toml").write_text(
        SUPPORT_TOML.replace('name = "Riverside Peer Recovery Center"', f"name = '''Centre {HOSTILE}'''")
    )
    page = StoryBank.open(bank_dir, as_of=TODAY).handout(["kitchen-story"], format="html").text
    body = page.split("<main>")[1]
    for bad in ("<script", "onerror", "onclick", "onload", "javascript:", "<iframe", "<img", "<svg", "pwned"):
        assert bad not in body.lower(), bad
    for words in ("Title", "Hope", "Helped", "Body", "a link", "Centre", "Rosa"):
        assert words in body


def test_bank_template_overrides_the_package_one(bank: StoryBank, bank_dir: Path) -> None:
    (bank_dir / "templates").mkdir()
    (bank_dir / "templates" / "handout.md.j2").write_text("Ours: {{ handout.stories[0].title }}\n")
    assert StoryBank.open(bank_dir, as_of=TODAY).handout(["kitchen-story"], format="md").text == (
        "Ours: Back to the kitchen\n"
    )


def test_bank_css_is_added_after_the_package_css(bank: StoryBank, bank_dir: Path) -> None:
    (bank_dir / "templates").mkdir()
    (bank_dir / "templates" / "handout.css").write_text("h1 { color: #003366; }\n")
    page = StoryBank.open(bank_dir, as_of=TODAY).handout(["kitchen-story"], format="html").text
    assert page.index("h1 { color: #003366; }") > page.index("font-size: 12pt")


def test_bank_css_that_fetches_is_refused(bank: StoryBank, bank_dir: Path) -> None:
    (bank_dir / "templates").mkdir()
    (bank_dir / "templates" / "handout.css").write_text("body { background: url(https://example.com/x.png) }")
    with pytest.raises(StorybankError, match=r"may not load anything"):
        StoryBank.open(bank_dir, as_of=TODAY).handout(["kitchen-story"], format="html")


def test_cli_format_comes_from_the_extension(
    bank: StoryBank, bank_dir: Path, tmp_path: Path, run: Callable[..., Result]
) -> None:
    result = run("--bank", bank_dir, "--as-of", TODAY, "handout", "kitchen-story", "-o", tmp_path / "h.md")
    assert result.code == 0
    assert "recorded in the print log" in result.out
    assert (tmp_path / "h.md").read_text().startswith("# Back to the kitchen")


def test_cli_unknown_extension_is_one_line_and_exit_2(
    bank: StoryBank, bank_dir: Path, tmp_path: Path, run: Callable[..., Result]
) -> None:
    result = run("--bank", bank_dir, "handout", "kitchen-story", "-o", tmp_path / "h.docx")
    assert result.code == 2
    assert result.err.count("\n") == 1
    assert "end the name in .md, .html or .pdf" in result.err


def test_cli_refused_story_is_one_line_and_exit_2(
    bank: StoryBank, bank_dir: Path, tmp_path: Path, run: Callable[..., Result]
) -> None:
    result = run("--bank", bank_dir, "--as-of", TODAY, "handout", "quiet-story", "-o", tmp_path / "h.md")
    assert result.code == 2
    assert "story 'quiet-story' may not be used for handout" in result.err
    assert not (tmp_path / "h.md").exists()


def test_cli_packet_from_a_search(
    bank: StoryBank, bank_dir: Path, tmp_path: Path, run: Callable[..., Result]
) -> None:
    target = tmp_path / "packet.md"
    result = run("--bank", bank_dir, "--as-of", TODAY, "handout", "--search", "rice", "-o", target, "--json")
    assert result.code == 0
    assert json.loads(result.out)["stories"] == ["kitchen-story"]  # quiet-story has no handout consent
