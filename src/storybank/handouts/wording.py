"""The fixed words of a handout, in each story language. They invite and never direct."""

from __future__ import annotations

from typing import Final

OPENING_QUESTION: Final = {
    "en": "What part of this story, if any, feels close to your own?",
    "es": "¿Qué parte de esta historia, si hay alguna, se parece a la tuya?",
}

WORDS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "packet_title": "Stories of recovery",
        "packet_intro": "Stories from people who have walked a similar road. Read them in any order, or "
        "not at all: take what is useful to you.",
        "story": "Story",
        "themes": "About",
        "content_note": "Content note",
        "content_note_text": "This story talks about {topics}. Take your time, and stop whenever you like.",
        "no_content_note": "No content note",
        "told_by": "Told by {credit}",
        "age": "age {age}",
        "recovery_since": "in recovery since {year}",
        "shortened": "(The story is shortened here. If you would like to read all of it, ask for story "
        "{id}.)",
        "what_helped": "What helped me",
        "reflect": "If you would like to reflect",
        "support": "Support",
        "crisis": "If you are in crisis or thinking of harming yourself, you can reach someone now:",
        "permission": "Shared with permission · story {id} · {consent}",
        "valid_until": "consent valid until {date}",
        "no_end": "consent has no end date, until withdrawn",
        "handout": "Handout {id} · printed {date}",
        "not_advice": "This is one person's lived experience, shared peer to peer. It is not clinical "
        "advice.",
        "page": "Page",
    },
    "es": {
        "packet_title": "Historias de recuperación",
        "packet_intro": "Historias de personas que han recorrido un camino parecido. Léelas en el orden que "
        "quieras, o no las leas: toma lo que te sirva.",
        "story": "Historia",
        "themes": "Trata de",
        "content_note": "Aviso de contenido",
        "content_note_text": "Esta historia habla de {topics}. Tómate tu tiempo y para cuando quieras.",
        "no_content_note": "Sin aviso de contenido",
        "told_by": "Contada por {credit}",
        "age": "edad {age}",
        "recovery_since": "en recuperación desde {year}",
        "shortened": "(La historia está acortada aquí. Si quieres leerla completa, pide la historia {id}.)",
        "what_helped": "Lo que me ayudó",
        "reflect": "Si quieres reflexionar",
        "support": "Apoyo",
        "crisis": "Si estás en crisis o piensas en hacerte daño, puedes hablar con alguien ahora:",
        "permission": "Compartida con permiso · historia {id} · {consent}",
        "valid_until": "consentimiento válido hasta el {date}",
        "no_end": "consentimiento sin fecha de fin, hasta que se retire",
        "handout": "Folleto {id} · impreso el {date}",
        "not_advice": "Esta es la experiencia vivida de una persona, compartida entre pares. No es un "
        "consejo clínico.",
        "page": "Página",
    },
}


def words(language: str) -> dict[str, str]:
    return WORDS.get(language, WORDS["en"])
