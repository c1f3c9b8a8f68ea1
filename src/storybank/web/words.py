"""The web page's fixed words, in English and Spanish (chosen by ?lang= or the browser's language)."""

from __future__ import annotations

from typing import Final

WORDS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "site": "Story bank",
        "skip": "Skip to the results",
        "search_label": "What did the person say, or what are you looking for?",
        "search_button": "Search",
        "themes": "Themes",
        "leave_out": "Leave out stories about",
        "language": "Language",
        "any_language": "Any language",
        "found": "{n} stories found",
        "found_one": "1 story found",
        "did_you_mean": "Did you mean",
        "content_note": "Content note",
        "minutes": "{n} min read",
        "told_by": "Told by {credit}",
        "what_helped": "What helped me",
        "more_like_this": "More like this",
        "print": "Print a handout",
        "teller": "Who tells it",
        "teller_age": "Teller's age",
        "teller_pronouns": "Teller's pronouns",
        "any_age": "Any age",
        "any_pronouns": "Any pronouns",
        "query_language": "The language of my words",
        "in_en": "in English",
        "in_es": "in Spanish",
        "language_en": "English",
        "language_es": "Spanish",
        "more_languages": "{n} more in another language: show them too",
        "matched": "like the person",
        "preview": "See the handout first",
        "download_pdf": "Download it as a PDF",
        "browse_themes": "Browse by theme",
        "back": "Back to search",
        "not_found": "Not found",
        "not_found_text": "There is no story here to show.",
        "error": "Something went wrong",
        "error_text": "The page could not be shown. Please try again.",
        "impact_ask": "After sharing it, did this story…",
        "impact_helped": "help",
        "impact_relatable": "feel like their own",
        "impact_learned": "teach them something",
        "impact_private": "Only a count is kept: the story, what it did and the month. Nothing about the "
        "person or you.",
        "impact_thanks": "Thank you: counted.",
        "bad_request": "That search could not be read",
        "bad_request_text": "One of the filters has a value storybank cannot use. Change it and try again.",
        "no_support": "No handout yet",
        "no_support_text": "A handout always carries the organisation's contact and the crisis lines, and "
        "this bank has not set them. A curator can add them to storybank.toml ([organization] contact and "
        "[[crisis_lines]]).",
        "no_results": "No story matches. Try fewer or other words, or fewer filters.",
        "shareable": "{n} to share",
        "previous": "Previous",
        "next": "Next",
    },
    "es": {
        "site": "Banco de historias",
        "skip": "Ir a los resultados",
        "search_label": "¿Qué dijo la persona, o qué buscas?",
        "search_button": "Buscar",
        "themes": "Temas",
        "leave_out": "Dejar fuera historias sobre",
        "language": "Idioma",
        "any_language": "Cualquier idioma",
        "found": "{n} historias encontradas",
        "found_one": "1 historia encontrada",
        "did_you_mean": "Quizás quisiste decir",
        "content_note": "Aviso de contenido",
        "minutes": "{n} min de lectura",
        "told_by": "Contada por {credit}",
        "what_helped": "Lo que me ayudó",
        "more_like_this": "Historias parecidas",
        "print": "Imprimir un folleto",
        "teller": "Quién la cuenta",
        "teller_age": "Edad de quien la cuenta",
        "teller_pronouns": "Pronombres de quien la cuenta",
        "any_age": "Cualquier edad",
        "any_pronouns": "Cualquier pronombre",
        "query_language": "El idioma de mis palabras",
        "in_en": "en inglés",
        "in_es": "en español",
        "language_en": "Inglés",
        "language_es": "Español",
        "more_languages": "{n} más en otro idioma: mostrarlas también",
        "matched": "como la persona",
        "preview": "Ver el folleto antes",
        "download_pdf": "Descargarlo en PDF",
        "browse_themes": "Ver por tema",
        "back": "Volver a la búsqueda",
        "not_found": "No encontrada",
        "not_found_text": "Aquí no hay ninguna historia que mostrar.",
        "error": "Algo salió mal",
        "error_text": "No se pudo mostrar la página. Inténtalo de nuevo.",
        "impact_ask": "Después de compartirla, ¿esta historia…",
        "impact_helped": "ayudó",
        "impact_relatable": "la sintió como suya",
        "impact_learned": "le enseñó algo",
        "impact_private": "Solo se guarda una cuenta: la historia, lo que hizo y el mes. Nada de la persona "
        "ni de ti.",
        "impact_thanks": "Gracias: anotado.",
        "bad_request": "No se pudo leer esa búsqueda",
        "bad_request_text": "Uno de los filtros tiene un valor que storybank no puede usar. Cámbialo e "
        "inténtalo de nuevo.",
        "no_support": "Todavía no hay folleto",
        "no_support_text": "Un folleto siempre lleva el contacto de la organización y las líneas de crisis, "
        "y este archivo no los tiene. Quien lo cuida puede añadirlos en storybank.toml ([organization] "
        "contact y [[crisis_lines]]).",
        "no_results": "Ninguna historia coincide. Prueba con menos palabras, otras, o menos filtros.",
        "shareable": "{n} para compartir",
        "previous": "Anterior",
        "next": "Siguiente",
    },
}


def pick_language(asked: str | None, accept_language: str | None) -> str:
    if asked in WORDS:
        return str(asked)
    if accept_language and accept_language.strip().lower().startswith("es"):
        return "es"
    return "en"
