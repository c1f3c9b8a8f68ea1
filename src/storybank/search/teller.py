"""The person in a query, and the teller of a story: so search can find a story told by someone like the
person a specialist describes ("a man in his fifties, a veteran").

Only what the words say is read — an age in words or numbers, a gender or role word — in English and
Spanish, and only what the storyteller's own fields say is matched (their age range and pronouns); never a
guess from a name. These are boosts, never filters (the explicit filters are `teller_age` and
`teller_pronouns`). Identities and experiences ("veteran", "gay", "Native") are the taxonomy's community
themes, which the vocabulary already reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from storybank.models import Storyteller

GENDERS = ("he", "she", "they")
# Pronouns as tellers write them, to the three genders the query words name.
PRONOUN_GENDER = {
    "he": "he", "him": "he", "his": "he", "él": "he", "el": "he",
    "she": "she", "her": "she", "hers": "she", "ella": "she",
    "they": "they", "them": "they", "elle": "they", "ellx": "they",
}  # fmt: skip
_GENDER_WORDS = {
    "he": """man men guy guys dude male gentleman father dad daddy husband son brother grandfather grandpa
        granddad uncle boyfriend he him his himself hombre hombres señor senor caballero padre papá papa
        esposo marido hijo hermano abuelo tío novio muchacho chico varón él""",
    "she": """woman women lady ladies gal girl female mother mom mommy mum mama wife daughter sister
        grandmother grandma granny aunt girlfriend she her herself mujer mujeres señora senora dama madre
        mamá esposa hija hermana abuela tía novia muchacha chica ella""",
    "they": """nonbinary non-binary enby genderqueer genderfluid they them themselves elle no-binario""",
}
GENDER_OF = {word: gender for gender, words in _GENDER_WORDS.items() for word in words.split()}
_DECADE_WORDS = {
    10: "teen teens teenager teenagers adolescent adolescents adolescente adolescentes highschooler",
    20: "twenties veinte veintes veinteañero veinteañera",
    30: "thirties treinta treintas",
    40: "forties cuarenta cuarentas",
    50: "fifties cincuenta cincuentas",
    60: "sixties sesenta sesentas",
    70: "seventies setenta setentas",
    80: "eighties ochenta ochentas",
}
DECADE_OF = {word: decade for decade, words in _DECADE_WORDS.items() for word in words.split()}
_YOUNG = frozenset("young younger youth kid kids joven jóvenes jovenes chavo chava".split())  # noqa: SIM905
_OLDER = frozenset(
    """older elderly senior seniors retired retiree grandma grandpa grandmother grandfather granny grandparent
    grandparents mayor mayores anciano anciana jubilado jubilada abuela abuelo abuelos""".split()  # noqa: SIM905
)
# "55", "55yo", "55 y/o", "55-year-old", "55 years old", "55 años", "de 55", "aged 55", "50s", "mid-50s".
_AGE_NUMBER = re.compile(
    r"(?<![\w.])(?:aged?\s+|de\s+)?(\d{2})\s*(?:-?\s*(?:yo|y/o|y\.o\.?|yrs? old|years? old|-year-old|year old"
    r"|años|anos)|(?=\s*años))(?!\w)"
    r"|(?<![\w.])(?:aged|age)\s+(\d{2})(?!\d)"
    r"|(?<![\w.])(?:mid|early|late)?-?\s*(\d)0'?s(?!\w)",
    re.IGNORECASE,
)
_WORD = re.compile(r"[\w'/-]+")
# The person's own language, named in the query ("Spanish-speaking mom", "reads Spanish", "habla inglés").
_SPANISH = (
    r"\bspanish[- ]speak\w*|\b(?:speaks?|reads?|prefers?|only|more comfortable in|in)\s+spanish\b"
    r"|\bhabla(?:nte)?\s+español\b|\bhispanohablante\b|\bmonolingual spanish\b"
)
_ENGLISH = r"\benglish[- ]speak\w*|\b(?:speaks?|reads?|only)\s+english\b|\bhabla\s+inglés\b"
_NAMED_LANGUAGE = [("es", re.compile(_SPANISH, re.I)), ("en", re.compile(_ENGLISH, re.I))]


@dataclass(frozen=True)
class TellerCues:
    """What a query says about the person: decades of age, a gender, and the words that said so."""

    decades: tuple[int, ...] = ()
    gender: str | None = None
    said: tuple[str, ...] = ()
    language: str | None = None  # the language the person reads, when the query names it

    def __bool__(self) -> bool:
        return bool(self.decades or self.gender)


def read_person(text: str) -> TellerCues:
    """The person the text describes: the first gender word, and the ages it names."""
    lowered = text.lower()
    decades: list[int] = []
    said: list[str] = []
    for match in _AGE_NUMBER.finditer(lowered):
        number = match.group(1) or match.group(2)
        if number is not None and 13 <= int(number) <= 99:
            decades.append(int(number) // 10 * 10)
        elif match.group(3) is not None and match.group(3) != "0":
            decades.append(int(match.group(3)) * 10)
        else:
            continue
        said.append(match.group().strip())
    gender = None
    for word in _WORD.findall(lowered):
        if word in DECADE_OF:
            decades.append(DECADE_OF[word])
            said.append(word)
        elif word in _YOUNG:
            decades += [10, 20]
            said.append(word)
        elif word in _OLDER:
            decades += [60, 70]
            said.append(word)
        if gender is None and word in GENDER_OF:
            gender = GENDER_OF[word]
            said.append(word)
    language = next((lang for lang, pattern in _NAMED_LANGUAGE if pattern.search(text)), None)
    return TellerCues(tuple(sorted(set(decades))), gender, tuple(dict.fromkeys(said)), language)


def decades_of(age_range: str | None) -> tuple[int, ...]:
    """The decades an age range covers: "50-59" → (50,), "45-54" → (40, 50), "under-18" → (10,)."""
    if not age_range:
        return ()
    if age_range == "under-18":
        return (10,)
    low, high = (int(part) for part in age_range.split("-"))
    return tuple(range(low // 10 * 10, high // 10 * 10 + 1, 10))


def gender_of(pronouns: str | None) -> str | None:
    """The gender a teller's own pronouns say ("he/him" → he, "ella" → she), or None."""
    if not pronouns:
        return None
    for part in re.split(r"[/,\s]+", pronouns.lower()):
        if part in PRONOUN_GENDER:
            return PRONOUN_GENDER[part]
    return None


def matched(teller: Storyteller, cues: TellerCues) -> list[str]:
    """Which of the teller's attributes match the person described ("50-59", "he/him")."""
    found = []
    if teller.age_range and set(decades_of(teller.age_range)) & set(cues.decades):
        found.append(teller.age_range)
    if teller.pronouns and cues.gender and gender_of(teller.pronouns) == cues.gender:
        found.append(teller.pronouns)
    return found
