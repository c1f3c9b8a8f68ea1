"""Papers for the storyteller, not for peers: the consent form they sign and the review copy of their
text. Made from the story's own front matter with the handout renderer and its safety (every field
cleaned, the Markdown sanitised, the page and its Content-Security-Policy built in code, nothing
fetched); never logged as prints (they are not handouts)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from storybank.handouts.content import one_line, plain
from storybank.handouts.render import Format, Paper, environment, render_markdown, render_page
from storybank.handouts.teller_wording import PURPOSES, words
from storybank.impact import FIGURES
from storybank.models import Attribution, Story
from storybank.settings import Settings


@dataclass(frozen=True)
class TellerDocument:
    """A rendered paper: `data` is the file's bytes."""

    format: Format
    data: bytes
    markdown: str


def consent_form(
    story: Story, *, settings: Settings, bank_root: Path, format: Format, paper: Paper = Paper.A4
) -> TellerDocument:
    """What the teller is agreeing to, in the story's language: each purpose in plain words, the dates,
    the attribution as it will appear, how to withdraw, the form reference, and lines to sign."""
    language = str(story.language)
    said = words(language)
    consent = story.consent
    organisation = one_line(settings.organization.name or said["the_organisation"])
    agreed = [str(purpose) for purpose in consent.purposes]
    values = {
        "title": one_line(story.title),
        "story_id": story.id,
        "organisation": organisation,
        "contact": one_line(settings.organization.contact or ""),
        "purposes": [PURPOSES[language][purpose] for purpose in agreed],
        "not_agreed": [PURPOSES[language][p] for p in PURPOSES[language] if p not in agreed],
        "given_on": consent.given_on.isoformat(),
        "until": consent.expires_on.isoformat() if consent.expires_on else None,
        "credit": one_line(story.storyteller.credit(language)),
        "anonymous": story.storyteller.attribution is Attribution.ANONYMOUS,
        "form_ref": one_line(consent.form_ref or said["form_ref_missing"]),
        "words": said,
    }
    return _rendered("consent-form.md.j2", values, said["form_title"], language, bank_root, format, paper)


def review_copy(
    story: Story, *, settings: Settings, bank_root: Path, format: Format, paper: Paper = Paper.A4
) -> TellerDocument:
    """The exact text of the story, for its teller to read before approving it (`storybank approve`)."""
    language = str(story.language)
    said = words(language)
    values = {
        "title": one_line(story.title),
        "story_id": story.id,
        "summary": one_line(story.summary),
        "credit": one_line(story.storyteller.credit(language)),
        "paragraphs": [p.strip() for p in plain(story.body).split("\n\n") if p.strip()],
        "what_helped": [one_line(item) for item in story.what_helped],
        "hash": story.body_sha256[:12],
        "organisation": one_line(settings.organization.name or said["the_organisation"]),
        "words": said,
    }
    return _rendered("review-copy.md.j2", values, said["review_title"], language, bank_root, format, paper)


def impact_letter(
    story: Story, *, settings: Settings, bank_root: Path, format: Format, paper: Paper = Paper.A4,
    counts: Mapping[str, int] | None = None,
) -> TellerDocument:  # fmt: skip
    """A short letter for the teller: how many times the story was printed, shared and marked helpful
    since consent was given — counts only, nothing about anyone it was shared with."""
    language = str(story.language)
    said = words(language)
    figures = {key: int((counts or {}).get(key, 0)) for key in FIGURES}
    credit = story.storyteller.credit(language)
    values = {
        "title": one_line(story.title),
        "greeting": said["dear_teller"] if story.storyteller.attribution is Attribution.ANONYMOUS
        else said["dear"].format(name=one_line(credit)),
        "organisation": one_line(settings.organization.name or said["the_organisation"]),
        "since": story.consent.given_on.isoformat(),
        "until": story.consent.expires_on.isoformat() if story.consent.expires_on else None,
        "figures": figures,
        "words": said,
    }  # fmt: skip
    return _rendered("impact-letter.md.j2", values, said["letter_title"], language, bank_root, format, paper)


def _rendered(
    template: str, values: Mapping[str, object], title: str, language: str, bank_root: Path, format: Format,
    paper: Paper,
) -> TellerDocument:  # fmt: skip
    env = environment(bank_root)
    markdown = render_markdown(env, template, **values)
    if format is Format.MD:
        return TellerDocument(format, markdown.encode("utf-8"), markdown)
    data = render_page(markdown, env, title=title, language=language, bank_root=bank_root, paper=paper,
                       pdf=format is Format.PDF)  # fmt: skip
    return TellerDocument(format, data, markdown)
