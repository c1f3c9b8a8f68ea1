"""Which language a query is written in, so its stories come first ("volvió a consumir" finds Spanish
stories; "started drinking again" English ones), and so a typo is judged in that language.

Read from the words alone: the function words of English and Spanish, Spanish letters and marks (ñ, á,
¿, ¡), and the taxonomy's everyday phrases of each language. No model, nothing to download.
"""

from __future__ import annotations

import re

_FUNCTION_WORDS = {
    "en": """the a an and or but of to in on at for with without from by about after before again is are
        was were be been being am i me my mine you your he him his she her they them their we us our it its
        this that these those who whom which what when where why how not no yes do does did have has had
        can could would should will just very so too than then there here into out up down over off
        back still""",
    "es": """el la los las un una unos unas y o pero de del al en con sin por para sobre entre desde hasta
        es son era eran fue fueron ser estar está están estaba estoy soy yo me mi mis mío tú te tu tus usted
        él ella ellos ellas nos nosotros su sus que quien quienes cual cuando donde como porque qué cómo
        no sí muy más menos ya aún también pero otra otro otras otros este esta estos estas ese esa eso lo
        le les se hay volvió volví años después antes mamá papá""",
}
_WORDS = {lang: frozenset(words.split()) for lang, words in _FUNCTION_WORDS.items()}
_SPANISH_MARKS = re.compile(r"[ñáéíóúü¿¡]")
_TOKEN = re.compile(r"[^\W\d_]+")


def detect(text: str, phrase_words: dict[str, frozenset[str]] | None = None) -> str | None:
    """ "en" or "es" when the text clearly leans one way, else None (a name, one word, a tie)."""
    words = _TOKEN.findall(text.lower())
    if not words:
        return None
    scores = {lang: float(sum(word in vocabulary for word in words)) for lang, vocabulary in _WORDS.items()}
    if phrase_words:
        for lang, vocabulary in phrase_words.items():
            if lang in scores:
                scores[lang] += sum(0.5 for word in words if word in vocabulary)
    scores["es"] += 2 * len(_SPANISH_MARKS.findall(text.lower()))
    best = max(scores, key=lambda lang: scores[lang])
    others = [score for lang, score in scores.items() if lang != best]
    return best if scores[best] > 0 and all(scores[best] > score for score in others) else None
