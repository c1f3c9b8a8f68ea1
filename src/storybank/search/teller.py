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
        granddad uncle boy boyfriend he him his himself hombre hombres señor senor caballero padre papá papa
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
    30: "thirties treinta treintas treintañero treintañera",
    40: "forties cuarenta cuarentas cuarentón cuarentona cuarentañero cuarentañera",
    50: "fifties cincuenta cincuentas cincuentón cincuentona cincuentañero cincuentañera",
    60: "sixties sesenta sesentas sesentón sesentona",
    70: "seventies setenta setentas setentón setentona",
    80: "eighties ochenta ochentas",
}
DECADE_OF = {word: decade for decade, words in _DECADE_WORDS.items() for word in words.split()}
# "kids" is left out: "a mom with two kids" speaks of her children, not her age ("a kid who vapes" stays).
_YOUNG = frozenset("young younger youth kid joven jóvenes jovenes chavo chava".split())  # noqa: SIM905
_OLDER = frozenset(
    """older elderly senior seniors retired retiree grandma grandpa grandmother grandfather granny grandparent
    grandparents mayor mayores anciano anciana jubilado jubilada abuela abuelo abuelos""".split()  # noqa: SIM905
)
# Family words an age word may describe instead of the person ("her older brother", "su hermana mayor");
# not the parents: "a young mom" is the person.
_RELATIVES = frozenset(
    """brother brothers sister sisters sibling siblings son sons daughter daughters cousin cousins hermano
    hermanos hermana hermanas hijo hijos hija hijas primo primos prima primas""".split()  # noqa: SIM905
)
_BINARY = frozenset("binary binaria binario binarie binarias binarios".split())  # noqa: SIM905
# "55yo", "55 y/o", "55-year-old", "55 years old", "55 años", "de 55 años", "50s", "mid-50s".
_AGE_NUMBER = re.compile(
    r"(?<![\w.])(?:aged?\s+|de\s+)?(\d{2})\s*(?:-?\s*(?:yo|y/o|y\.o\.?|yrs? old|years? old|-year-old|year old"
    r"|años|anos)|(?=\s*años))(?!\w)"
    r"|(?<![\w.])(?:(?:mid|early|late)-?\s*)?(\d)0'?s(?!\w)",  # spaces only after the word: linear
    re.IGNORECASE,
)
# An age said in words or after a word that says it is one ("woman, 27", "mujer de 27", "I'm 16", "she's
# seventeen", "turned 40", "a forty-year-old", "forty-something", "de diecinueve años"), never a count of
# something ("30 days sober", "he's 45 years sober", "woman, 27 days clean").
_NUMBER_DECADE = {
    **dict.fromkeys("""thirteen fourteen fifteen sixteen seventeen eighteen nineteen trece catorce quince
        dieciséis dieciseis diecisiete dieciocho diecinueve""".split(), 10),  # noqa: SIM905
    "twenty": 20, "veinte": 20, "thirty": 30, "treinta": 30, "forty": 40, "fourty": 40, "cuarenta": 40,
    "fifty": 50, "cincuenta": 50, "sixty": 60, "sesenta": 60, "seventy": 70, "setenta": 70,
    "eighty": 80, "ochenta": 80, "ninety": 90, "noventa": 90,
}  # fmt: skip


def _number(group: str) -> str:
    """A pattern for a number as digits or words, the number itself in `group`."""
    words = "|".join(sorted(_NUMBER_DECADE, key=len, reverse=True))
    units = "one|two|three|four|five|six|seven|eight|nine"
    return rf"(?P<{group}>\d{{2}}|veinti\w+|{words})(?:[- ](?:{units}))?"


# A word for the person, which an age may follow ("woman, 27"): the gender and role words but the pronouns.
_PERSON = "|".join(
    re.escape(word)
    for word in sorted(
        {*GENDER_OF, "teen", "person", "persona"} - {*PRONOUN_GENDER, "himself", "herself", "themselves"},
        key=len,
        reverse=True,
    )
)
_SAYS_AGE = (
    r"aged?|i'?m|i am|she'?s|he'?s|they'?re|she is|he is|they are|who'?s|who is|is now|turned|turning"
    r"|tengo|tiene|tienes|cumplí|cumplió|cumple"
)
_COUNTED = (
    r"%|percent|days?|weeks?|months?|years?(?!\s+old)|yrs?(?!\s+old)|hours?|hrs?|minutes?|mins?|times?"
    r"|dollars?|bucks|pounds?|lbs?|kilos?|kg|pills?|drinks?|beers?|shots?|mg|kids?|children"
    r"|días?|dias|semanas?|meses|horas?|minutos?|veces|dólares|dolares|pesos|pastillas?|copas?|cervezas?"
    r"|tragos?|hijos?|nietos?"
)
_AGE_SAID = re.compile(
    rf"(?:(?<![\w'])(?:{_PERSON}),?\s*(?:de\s+|aged?\s+)?|(?<![\w'])(?:{_SAYS_AGE})\s+(?:just\s+)?)"
    rf"{_number('said')}(?![\w-])(?!\s*(?:{_COUNTED})(?!\w))"
    rf"|(?<![\w'-]){_number('worded')}"
    r"(?:-year-old|\s+years?\s+old|\s+year\s+old|\s+años|[- ]?something)(?!\w)"
)
# "llevo 20 años sin tomar", "hace 15 años", "20 años sobrio": years counted, not an age.
_YEARS_BEFORE = re.compile(
    r"(?<!\w)(?:llev\w+|hace|durante|por|tras|después de|despues de|más de|mas de)\s+$"
)
_YEARS_WORD = re.compile(r"\s*a[ñn]os(?!\w)")
_YEARS_AFTER = re.compile(r"\s*(?:sobri\w*|sin\s|limpi\w*|de sobriedad)")
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
        if _counts_years(lowered, match):
            continue
        number = match.group(1)
        if number is not None and 13 <= int(number) <= 99:
            decades.append(int(number) // 10 * 10)
        elif match.group(2) is not None and match.group(2) != "0":
            decades.append(int(match.group(2)) * 10)
        else:
            continue
        said.append(match.group().strip())
    for match in _AGE_SAID.finditer(lowered):
        if _counts_years(lowered, match):
            continue
        decade = _decade_of_number(match.group("said") or match.group("worded"))
        if decade is not None:
            decades.append(decade)
            said.append(match.group().strip())
    vague: list[int] = []  # "young", "older", "mayor": only when no age is said outright
    vague_said: list[str] = []
    gender = None
    words = [token.split("'")[0] for token in _WORD.findall(lowered)]  # "she's" is "she"
    for at, word in enumerate(words):
        # "mid-seventies" and "early-thirties" are their decade words
        decade_word = next((part for part in word.split("-") if part in DECADE_OF), word)
        if decade_word in DECADE_OF:
            decades.append(DECADE_OF[decade_word])
            said.append(word)
        elif (word in _YOUNG or word in _OLDER) and not _of_a_relative(words, at):
            vague += [10, 20] if word in _YOUNG else [60, 70]
            vague_said.append(word)
        if gender is None and word in GENDER_OF:
            gender = GENDER_OF[word]
            said.append(word)
        elif gender is None and word in _BINARY and at and words[at - 1] in ("no", "non"):
            gender = "they"  # "no binaria", "non binary"
            said.append(f"{words[at - 1]} {word}")
    if not decades:
        decades, said = vague, [*said, *vague_said]
    language = next((lang for lang, pattern in _NAMED_LANGUAGE if pattern.search(text)), None)
    return TellerCues(tuple(sorted(set(decades))), gender, tuple(dict.fromkeys(said)), language)


def _of_a_relative(words: list[str], at: int) -> bool:
    """Whether the age word at `at` speaks of a relative ("older sister", "hermana mayor", "younger
    brother"), not of the person: right before the relative in English, right after it in Spanish."""
    before = words[at - 1] if at else ""
    after = words[at + 1] if at + 1 < len(words) else ""
    return after in _RELATIVES or before in _RELATIVES


def _counts_years(text: str, match: re.Match[str]) -> bool:
    """Whether the number the match read is followed by "años" that count years rather than say an age."""
    end = match.end()
    if not match.group().endswith(("años", "anos")):
        years = _YEARS_WORD.match(text, end)
        if years is None:
            return False
        end = years.end()
    return bool(_YEARS_BEFORE.search(text, 0, match.start()) or _YEARS_AFTER.match(text, end))


def _decade_of_number(number: str | None) -> int | None:
    """The decade of an age said as digits ("27") or words ("forty-two", "veintisiete"); None outside
    13 to 99."""
    if number is None:
        return None
    if number.isdigit():
        return int(number) // 10 * 10 if 13 <= int(number) <= 99 else None
    return 20 if number.startswith("veinti") else _NUMBER_DECADE.get(number)


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
