"""Curation checks: what `storybank check` finds in a story that loads — consent and approval, language,
privacy, undeclared content, readability — each finding with its file, line, rule and a suggestion.

Text rules work on passages (`check_passage`), so their precision can be measured on labelled passages
(`benchmarks/checks.py`); `story_findings` runs them over a story file's fields and body.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace

from storybank import frontmatter
from storybank.checks import attribution, content, language, privacy, readability
from storybank.checks.consent import consent_findings
from storybank.checks.passages import Context, Finding
from storybank.errors import Problem, Severity
from storybank.models import Purpose, Story

Check = Callable[[str, Context], list[Finding]]


@dataclass(frozen=True)
class TextRule:
    id: str
    severity: Severity
    check: Check
    body_only: bool = False


TEXT_RULES: tuple[TextRule, ...] = (
    TextRule(language.RULE, Severity.WARNING, language.stigma),
    TextRule(privacy.CONTACT, Severity.ERROR, privacy.contacts),
    TextRule(privacy.NAME, Severity.ERROR, privacy.names),
    TextRule(content.RULE, Severity.WARNING, content.undeclared),
    TextRule(readability.RULE, Severity.WARNING, readability.grade, body_only=True),
)
RULE_IDS = frozenset(rule.id for rule in TEXT_RULES)
# The rules whose errors hold a story back from every use but `read` (checks/hold.py).
PRIVACY_RULES = tuple(rule for rule in TEXT_RULES if rule.id in (privacy.CONTACT, privacy.NAME))


def context_of(story: Story, phone_regions: tuple[str, ...] | None = None) -> Context:
    context = Context(
        attribution=story.storyteller.attribution,
        display_name=story.storyteller.display_name,
        content_warnings=frozenset(story.content_warnings),
        language=str(story.language),
    )
    return context if phone_regions is None else replace(context, phone_regions=phone_regions)


def check_passage(rule_id: str, text: str, context: Context) -> list[Finding]:
    """One text rule on one passage (what the labelled-passage measurements run)."""
    rule = next(rule for rule in TEXT_RULES if rule.id == rule_id)
    return rule.check(text, context)


def story_findings(
    story: Story, file: str, text: str, on: dt.date, *, phone_regions: tuple[str, ...] | None = None
) -> list[Problem]:
    """Every finding for a story whose file (normalised `text`) loaded; accepted ones left out."""
    parts = frontmatter.split(text)
    context = context_of(story, phone_regions)
    found = [_with_line(p, parts.yaml_text) for p in consent_findings(story, file, on)]
    for finding in attribution.display_name(context):
        found.append(
            Problem(
                file,
                finding.message,
                attribution.RULE,
                Severity.ERROR,
                line=frontmatter.line_of(parts.yaml_text, ("storyteller", "display_name")),
                field="storyteller.display_name",
                story=story.id,
                suggestion=finding.suggestion,
            )
        )
    for rule in TEXT_RULES:
        if rule.id == readability.RULE and Purpose.HANDOUT not in story.consent.purposes:
            continue  # only stories that may be printed for a peer are held to grade 8
        seen: set[str] = set()
        for field, passage, first_line in _passages(story, parts, body_only=rule.body_only):
            for finding in rule.check(passage, context):
                if rule.id == content.RULE and finding.text in seen:
                    continue  # one finding a topic is enough
                seen.add(finding.text)
                line = first_line + passage.count("\n", 0, finding.start) if first_line else None
                found.append(
                    Problem(
                        file,
                        finding.message,
                        rule.id,
                        rule.severity,
                        line=line,
                        field=field,
                        story=story.id,
                        suggestion=finding.suggestion,
                    )
                )
    return [problem for problem in found if not _accepted(story, problem)]


def _passages(
    story: Story, parts: frontmatter.SplitFile, *, body_only: bool
) -> list[tuple[str, str, int | None]]:
    """(field, text, file line where it starts) for the body, and unless `body_only` the other fields."""
    passages: list[tuple[str, str, int | None]] = [("body", parts.body, parts.body_line)]
    if body_only:
        return passages
    yaml_text = parts.yaml_text
    passages.append(("title", story.title, frontmatter.line_of(yaml_text, ("title",))))
    passages.append(("summary", story.summary, frontmatter.line_of(yaml_text, ("summary",))))
    for number, item in enumerate(story.what_helped):
        passages.append(
            (f"what_helped[{number}]", item, frontmatter.line_of(yaml_text, ("what_helped", number)))
        )
    return passages


def _with_line(problem: Problem, yaml_text: str) -> Problem:
    if problem.field is None or problem.line is not None:
        return problem
    path = tuple(problem.field.split("."))
    return Problem(
        problem.file,
        problem.message,
        problem.rule,
        problem.severity,
        line=frontmatter.line_of(yaml_text, path),
        field=problem.field,
        story=problem.story,
        suggestion=problem.suggestion,
    )


def _accepted(story: Story, problem: Problem) -> bool:
    return is_accepted(story, problem.rule, problem.message)


def is_accepted(story: Story, rule: str, message: str) -> bool:
    """Whether a curator accepted this finding in the story's front matter (`accepted:`)."""
    return any(
        accepted.rule == rule and (accepted.text is None or accepted.text in message)
        for accepted in story.accepted
    )


def text_fields(story: Story) -> list[tuple[str, str]]:
    """(field, text) for every field a reader sees: title, summary, what helped and the body."""
    return [
        ("title", story.title),
        ("summary", story.summary),
        *((f"what_helped[{number}]", item) for number, item in enumerate(story.what_helped)),
        ("body", story.body),
    ]


__all__ = [
    "PRIVACY_RULES",
    "RULE_IDS",
    "TEXT_RULES",
    "Context",
    "Finding",
    "check_passage",
    "is_accepted",
    "story_findings",
    "text_fields",
]
