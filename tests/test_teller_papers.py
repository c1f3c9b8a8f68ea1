"""Papers for a storyteller: the consent form they sign and the review copy of their text, from the
story's own front matter, in its language, with the handout renderer's safety."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from helpers import Result, needs_weasyprint
from storybank import StoryBank

TODAY = dt.date(2025, 6, 1)
WriteStory = Callable[..., Path]
Run = Callable[..., Result]
HOSTILE = '<script>window.pwned = 1</script><img src=x onerror="window.pwned=2">'


def test_the_consent_form_lists_exactly_the_storys_purposes(
    write_story: WriteStory, bank_dir: Path, tmp_path: Path
) -> None:
    write_story(
        "kitchen-story", **{"consent.purposes": ["read", "share"], "consent.expires_on": "2027-03-02"}
    )
    form = tmp_path / "form.md"
    StoryBank.open(bank_dir, as_of=TODAY).teller_paper("kitchen-story", "consent-form", form)
    agreed, refused = form.read_text().split("You do not agree to these", 1)
    assert "- Read:" in agreed
    assert "- Share:" in agreed
    assert "- Handout:" not in agreed
    assert "- Handout:" in refused
    assert "- Public:" in refused
    assert "lasts until 2027-03-02" in refused  # (the dates come after the purposes)


def test_the_consent_form_shows_the_attribution_as_it_will_appear(
    write_story: WriteStory, bank_dir: Path, tmp_path: Path
) -> None:
    write_story(
        "kitchen-story", **{"storyteller.attribution": "pseudonym", "storyteller.display_name": "Sky"}
    )
    form = tmp_path / "form.md"
    StoryBank.open(bank_dir, as_of=TODAY).teller_paper("kitchen-story", "consent-form", form)
    text = form.read_text()
    assert "told by: Sky (a pseudonym)" in text
    assert "withdraw your consent at any time" in text
    assert "Form reference: CF-2024-017" in text
    assert "signature" in text


def test_the_consent_form_is_in_the_storys_language(
    write_story: WriteStory, bank_dir: Path, tmp_path: Path
) -> None:
    write_story("historia", language="es", **{"consent.purposes": ["read", "handout"]})
    form = tmp_path / "form.md"
    StoryBank.open(bank_dir, as_of=TODAY).teller_paper("historia", "consent-form", form)
    text = form.read_text()
    assert text.startswith("# Consentimiento para usar mi historia")
    assert "- Folleto:" in text.split("No aceptas", 1)[0]
    assert "- Compartir:" in text.split("No aceptas", 1)[1]


def test_the_review_copy_holds_the_exact_text_and_its_version(
    write_story: WriteStory, bank_dir: Path, tmp_path: Path
) -> None:
    write_story("kitchen-story", body="First paragraph, as told.\n\nSecond one, also as told.\n")
    copy = tmp_path / "copy.md"
    bank = StoryBank.open(bank_dir, as_of=TODAY)
    bank.teller_paper("kitchen-story", "review-copy", copy)
    text = copy.read_text()
    assert "First paragraph, as told.\n\nSecond one, also as told." in text
    assert f"(version {bank.get('kitchen-story').body_sha256[:12]})" in text


def test_teller_papers_keep_hostile_html_out(write_story: WriteStory, bank_dir: Path, tmp_path: Path) -> None:
    write_story(
        "kitchen-story",
        title=f"Title {HOSTILE}",
        body=f"Body {HOSTILE}\n",
        accepted=[{"rule": "privacy.contact", "note": "test", "by": "tester", "date": "2025-01-01"}],
    )
    bank = StoryBank.open(bank_dir, as_of=TODAY)
    for kind in ("consent-form", "review-copy"):
        page = tmp_path / f"{kind}.html"
        bank.teller_paper("kitchen-story", kind, page)
        body = page.read_text().split("<main>")[1]
        assert "<script" not in body
        assert "onerror" not in body
        assert "Content-Security-Policy" in page.read_text()


def test_the_cli_writes_a_pdf_consent_form(
    write_story: WriteStory, bank_dir: Path, run: Run, tmp_path: Path
) -> None:
    needs_weasyprint()
    from pypdf import PdfReader

    write_story("kitchen-story")
    result = run(
        "--bank", bank_dir, "--as-of", "2025-06-01", "consent-form", "kitchen-story", "-o", tmp_path / "f.pdf"
    )
    assert result.code == 0, result.err
    text = " ".join(page.extract_text() for page in PdfReader(tmp_path / "f.pdf").pages)
    assert "Consent to use my story" in text
    assert not (bank_dir / "log" / "prints.jsonl").exists()  # a paper for the teller is not a handout


def test_an_unknown_story_gets_one_line(bank_dir: Path, run: Run, tmp_path: Path) -> None:
    result = run("--bank", bank_dir, "review-copy", "no-such-story", "-o", tmp_path / "c.md")
    assert result.code == 2
    assert len(result.err.strip().splitlines()) == 1


@pytest.mark.parametrize("kind", ["consent-form", "review-copy"])
def test_a_paper_is_never_half_written(write_story: WriteStory, bank_dir: Path, run: Run, kind: str) -> None:
    write_story("kitchen-story")
    result = run("--bank", bank_dir, kind, "kitchen-story", "-o", bank_dir / "missing" / "x.md")
    assert result.code == 2
    assert "does not exist" in result.err


def test_the_review_copy_needs_read_consent_like_show(
    write_story: WriteStory, bank_dir: Path, tmp_path: Path
) -> None:
    from storybank.errors import ConsentRefusedError

    write_story("kitchen-story", **{"consent.withdrawn_on": "2025-05-01"})
    bank = StoryBank.open(bank_dir, as_of=TODAY)
    with pytest.raises(ConsentRefusedError, match="withdrawn"):
        bank.teller_paper("kitchen-story", "review-copy", tmp_path / "c.md")
    assert not (tmp_path / "c.md").exists()
    bank.teller_paper("kitchen-story", "consent-form", tmp_path / "f.md")  # no story text: still printable
    assert "Consent to use my story" in (tmp_path / "f.md").read_text()
