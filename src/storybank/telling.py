"""A storyteller's way in: a guided telling, answered in the terminal (`storybank tell`) or given as a
YAML file (`--answers`), becomes a `draft` story file with the consent the teller chose.

The questions follow peer-support practice: they invite and never direct, and every one may be skipped.
Consent is asked one purpose at a time, in plain words (the consent form's own), for a time the teller
chooses (two years unless they say otherwise). The draft still goes through the one gate to `published`:
review copy, `approve`, `check`, `publish`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Final

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from storybank.errors import StorybankError
from storybank.models import Attribution, Language, Purpose, Story
from storybank.search.vocabulary import QueryVocabulary
from storybank.taxonomy import Taxonomy

DEFAULT_YEARS = 2  # practice guides: consent for a time, 12 months or 2 years; the teller may choose
MAX_ANSWER_CHARS = 20_000  # a telling is a few hundred words; more is a pasted file, not an answer
PARTS: Final = ("life_before", "what_happened", "what_helped", "life_now", "message")
FALLBACK_THEME = "hope"  # when the words name no theme: every story here shows a way through

QUESTIONS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "intro": "Thank you for telling your story. Answer as much or as little as you like: press Enter on "
        "an empty line to finish an answer, or to skip a question.",
        "title": "What would you like to call your story?",
        "life_before": "If you would like to, tell us what life was like before.",
        "what_happened": "What happened, in your own words?",
        "what_helped": "What helped you? (one thing a line)",
        "life_now": "What is life like for you now?",
        "message": "What would you want someone in a hard place to know?",
        "summary": "In one sentence, how would you describe your story?",
        "consent_intro": "Now, what may we do with your story? You decide each one, and can change your "
        "mind at any time.",
        "purpose": "Do you agree to this?",
        "years": "For how many years? (you will be asked before it ends)",
        "attribution": "How should your story say who told it? anonymous (no name), pseudonym (a name you "
        "choose), first-name, or named (your full name)",
        "display_name": "The name to show:",
        "age_range": "Your age range, if you would like to say (for example 30-39):",
        "pronouns": "Your pronouns, if you would like to say (for example she/her):",
        "guardian": "The reference of the guardian's consent form (needed under 18):",
        "recorded_by": "Who is recording this telling (staff name or id)?",
        "saved": "Saved what you answered so far to {path}; continue with: storybank tell --answers {path}",
    },
    "es": {
        "intro": "Gracias por contar tu historia. Responde tanto o tan poco como quieras: pulsa Intro en una "
        "línea vacía para terminar una respuesta o para saltar una pregunta.",
        "title": "¿Cómo te gustaría llamar a tu historia?",
        "life_before": "Si quieres, cuéntanos cómo era la vida antes.",
        "what_happened": "¿Qué pasó, con tus propias palabras?",
        "what_helped": "¿Qué te ayudó? (una cosa por línea)",
        "life_now": "¿Cómo es tu vida ahora?",
        "message": "¿Qué te gustaría que supiera alguien que está pasando por un momento difícil?",
        "summary": "En una frase, ¿cómo describirías tu historia?",
        "consent_intro": "Ahora, ¿qué podemos hacer con tu historia? Tú decides cada cosa y puedes cambiar "
        "de opinión cuando quieras.",
        "purpose": "¿Estás de acuerdo con esto?",
        "years": "¿Por cuántos años? (te preguntaremos antes de que termine)",
        "attribution": "¿Cómo debe decir tu historia quién la contó? anonymous (sin nombre), pseudonym (un "
        "nombre que eliges), first-name (tu nombre) o named (tu nombre completo)",
        "display_name": "El nombre que se mostrará:",
        "age_range": "Tu rango de edad, si quieres decirlo (por ejemplo 30-39):",
        "pronouns": "Tus pronombres, si quieres decirlos (por ejemplo ella):",
        "guardian": "La referencia del formulario de consentimiento del tutor (necesario con menos de 18):",
        "recorded_by": "¿Quién registra este relato (nombre o código del personal)?",
        "saved": "Se guardó lo que respondiste en {path}; continúa con: storybank tell --answers {path}",
    },
}

Answer = Annotated[str, Field(max_length=MAX_ANSWER_CHARS)]


class Answers(BaseModel):
    """A telling's answers (the `--answers` file): every one may be left out, but for consent."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str | None = Field(default=None, max_length=80)
    language: Language = Language.EN
    title: Answer | None = None
    life_before: Answer | None = None
    what_happened: Answer | None = None
    what_helped: list[Answer] = []
    life_now: Answer | None = None
    message: Answer | None = None
    summary: Answer | None = None
    themes: list[str] = []  # the curator's, if any; else read from the teller's words
    purposes: list[Purpose] = []
    years: int | None = Field(default=DEFAULT_YEARS, ge=1, le=10)  # None: until withdrawn
    attribution: Attribution = Attribution.ANONYMOUS
    display_name: str | None = Field(default=None, max_length=80)
    age_range: str | None = None
    pronouns: str | None = Field(default=None, max_length=40)
    guardian_form_ref: str | None = None
    recorded_by: str | None = Field(default=None, max_length=80)
    form_ref: str | None = Field(default=None, max_length=80)
    given_on: dt.date | None = None


def read_answers(text: str, source: str) -> Answers:
    """Answers from a YAML file's text; one clear line when they are not answers."""
    from storybank.frontmatter import FrontMatterError, parse_yaml

    try:  # the story files' own bounded loader: an alias bomb or a deep nest is this file's problem
        data = parse_yaml(text) if text.strip() else {}
    except FrontMatterError as error:
        raise StorybankError(f"{source}: {error}") from None
    if not isinstance(data, dict):
        raise StorybankError(f"{source}: should be a mapping of answers (title:, what_happened:, …)")
    try:
        return Answers.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "answers"
        raise StorybankError(f"{source}: {where}: {first['msg']}") from None


def story_id_for(answers: Answers, today: dt.date) -> str:
    """The id asked for, else one made from the title (lowercase words joined by hyphens)."""
    if answers.id:
        return answers.id
    words = re.findall(r"[a-z0-9]+", (answers.title or "").lower().translate(_PLAIN_LETTERS))
    return "-".join(words[:8]) or f"story-{today:%Y%m%d}"


def draft_text(answers: Answers, story_id: str, taxonomy: Taxonomy, today: dt.date) -> str:
    """The draft story file the answers make (front matter and the teller's words, in order)."""
    if not answers.purposes:
        raise StorybankError(
            "no purpose was agreed: a story needs at least the teller's agreement to be read by staff (read)"
        )
    body = _body(answers)
    if not body:
        raise StorybankError("the telling has no words yet: answer at least one of the story questions")
    given = answers.given_on or today
    until = _years_later(given, answers.years) if answers.years else None
    purposes = [str(purpose) for purpose in answers.purposes]
    data: dict[str, Any] = {
        "id": story_id,
        "title": answers.title or _first_sentence(body, 80),
        "summary": answers.summary or _first_sentence(body, 200),
        "language": str(answers.language),
        "status": "draft",
        "themes": answers.themes or themes_in(body, taxonomy),
        "content_warnings": [],
        "storyteller": {
            "attribution": str(answers.attribution),
            "display_name": None if answers.attribution is Attribution.ANONYMOUS else answers.display_name,
            "age_range": answers.age_range,
            "pronouns": answers.pronouns,
        },
        "what_helped": list(answers.what_helped),
        "consent": {
            "form_ref": answers.form_ref or f"TOLD-{given:%Y%m%d}-{story_id}"[:80],
            "given_on": given,
            "purposes": purposes,
            "expires_on": until,
            "withdrawn_on": None,
            "text_approved_on": None,
            "text_approved_sha256": None,
            "guardian_form_ref": answers.guardian_form_ref,
            "history": [
                {"date": given, "event": "given", "purposes": purposes,
                 "by": answers.recorded_by or "storyteller", "note": "told with storybank tell"}
            ],
        },
    }  # fmt: skip
    front = yaml.dump(data, Dumper=_NoAliases, sort_keys=False, allow_unicode=True, width=100)
    return f"---\n{front}---\n{body}\n"


def _body(answers: Answers) -> str:
    parts = [answers.life_before, answers.what_happened, answers.life_now, answers.message]
    return "\n\n".join(part.strip() for part in parts if part and part.strip())


def themes_in(body: str, taxonomy: Taxonomy) -> list[str]:
    """The themes the teller's words name, strongest first (at most four), else FALLBACK_THEME."""
    boosts = QueryVocabulary(taxonomy).theme_boosts(body)
    ranked = sorted(boosts, key=lambda theme: (-boosts[theme], theme))[:4]
    return ranked or [FALLBACK_THEME]


def _first_sentence(text: str, limit: int) -> str:
    sentence = re.split(r"(?<=[.!?])\s", " ".join(text.split()), maxsplit=1)[0]
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rsplit(" ", 1)[0] + "…"


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class _NoAliases(yaml.SafeDumper):
    """Every value written out in full: a story file has no YAML anchors (the reader bounds them)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


_PLAIN_LETTERS = str.maketrans("áéíóúüñ", "aeiouun")


def explained(story: Story) -> str:
    """One line for the teller about what happens next (the draft is not shared until approved)."""
    return (
        f"draft {story.id} written. Nothing is shared yet: print it for the teller (storybank review-copy "
        f"{story.id}), print the consent form to sign (storybank consent-form {story.id}), then approve, "
        "check and publish it"
    )
