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
        "preview": "See the handout first",
        "download_pdf": "Download it as a PDF",
        "browse_themes": "Browse by theme",
        "back": "Back to search",
        "not_found": "Not found",
        "not_found_text": "There is no story here to show.",
        "error": "Something went wrong",
        "error_text": "The page could not be shown. Please try again.",
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
        "preview": "Ver el folleto antes",
        "download_pdf": "Descargarlo en PDF",
        "browse_themes": "Ver por tema",
        "back": "Volver a la búsqueda",
        "not_found": "No encontrada",
        "not_found_text": "Aquí no hay ninguna historia que mostrar.",
        "error": "Algo salió mal",
        "error_text": "No se pudo mostrar la página. Inténtalo de nuevo.",
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
