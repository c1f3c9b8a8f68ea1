"""`readability.grade`: a story that may go on handouts should read at grade 8 or below.

Flesch-Kincaid grade for English; for Spanish, the Fernandez-Huerta reading ease, where 60 or more reads
at about grade 8 or below (its published scale: 60-70 "normal", grades 7-8). Both from textstat.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from storybank.checks.passages import Context, Finding

RULE = "readability.grade"
MAX_GRADE = 8.0
MIN_SPANISH_EASE = 60.0
MIN_WORDS = 30  # fewer words than this give no stable score


@cache
def _meter(language: str) -> Any:
    from textstat.textstat import textstatistics  # a third of a second to import: only when needed

    meter = textstatistics()
    meter.set_lang(language)
    return meter


def grade(text: str, context: Context) -> list[Finding]:
    if len(text.split()) < MIN_WORDS:
        return []
    if context.language == "es":
        ease = float(_meter("es").fernandez_huerta(text))
        if ease >= MIN_SPANISH_EASE:
            return []
        message = (
            f"reads harder than grade 8 (Fernández-Huerta ease {ease:.0f}; 60 or more is grade 8 or below)"
        )
    else:
        level = float(_meter("en").flesch_kincaid_grade(text))
        if level <= MAX_GRADE:
            return []
        message = f"reads at about grade {level:.1f} (Flesch-Kincaid); handouts aim for grade 8 or below"
    return [
        Finding(0, 0, "", message, "shorter sentences and everyday words help; the teller approves edits")
    ]
