"""`privacy.contact` and `privacy.name`: details that could identify someone who chose not to be.

Phone numbers are found by libphonenumber's matcher (`phonenumberslite`): numbers valid in one of the
bank's regions as written there, and numbers in international form from anywhere. Emails, web and street
addresses are found by patterns.

No language model can be installed here, so names are found by heuristics aimed at precision: the parts
of the teller's consented name, self-introductions ("my name is …"), and capitalised pairs whose first
word is a common given name and whose second is not a place, organisation or calendar word.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from functools import cache, lru_cache

from storybank import package_data
from storybank.checks.passages import Context, Finding
from storybank.models import Attribution

CONTACT = "privacy.contact"
NAME = "privacy.name"

_STREET_WORDS = (
    r"Street|St\.?|Avenue|Ave\.?|Road|Rd\.?|Lane|Ln\.?|Drive|Dr\.?|Boulevard|Blvd\.?|Court|Ct\.?|Place|Pl\.?"
    r"|Way|Terrace|Circle|Highway|Hwy\.?|Parkway|Pkwy\.?|Square|Trail"
)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b", re.IGNORECASE)
_WEB_ENDINGS = "com|org|net|info|io|me|co|us|edu|gov"
_WEB_ADDRESS = re.compile(
    rf"\bhttps?://\S+|\bwww\.[\w-]+\.\S+|\b[\w-]+\.(?:{_WEB_ENDINGS})(?:/\S*)?\b", re.IGNORECASE
)
_WEB_ENDING = re.compile(rf"\.(?:{_WEB_ENDINGS})")
_STREET_ADDRESS = re.compile(
    rf"\b\d{{1,5}}(?:\s+[NSEW]\.?)?(?:\s+[A-Z][a-z]+){{1,3}}\s+(?:{_STREET_WORDS})(?![\w])"
    r"|\b(?:[Cc]alle|[Aa]venida|[Aa]v\.|[Cc]arrera|[Pp]aseo)\s+(?:[A-ZÁÉÍÓÚÑ][\wáéíóúñ]+\s+){1,3}"
    r"(?:n\.?º\s*|#\s*|No\.?\s*)?\d{1,5}\b"
)
_DIGIT = re.compile(r"\d")
# Numbers of the North American plan by their shape, in a bank with a region of that plan: a local number
# without its area code ("867-5309"), which libphonenumber cannot call valid, and a whole number that it
# does not know as valid ("555-867-5309", "123-456-7890": fictional or mistyped, still someone's to hide).
_NANP_SHAPES = re.compile(
    r"(?<![\w/-])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?![\w/-])"
    r"|(?<![\w/$-])\d{3}-\d{4}(?![\w/-])"
)
# A number in international form by its shape ("+1 555 555 5555"), whatever the regions: "+" says phone.
_INTERNATIONAL_SHAPE = re.compile(r"(?<!\w)\+\d{1,3}(?:[\s.-]?\d{2,4}){2,4}(?!\w)")
# Shapes no phone plan writes that libphonenumber still reads as valid Spanish numbers: a US ZIP+4 code
# ("60614-1234") and a US Social Security number ("912-34-5678").
_NOT_PHONE = re.compile(r"\d{5}-\d{4}|\d{3}-\d{2}-\d{4}")
# The "1" that Mexican mobile numbers had after +52 until 2019, still written ("+52 1 55 1234 5678").
# libphonenumber no longer accepts it; no Mexican number starts with 1, so it is read as a space.
_OLD_MEXICAN_MOBILE = re.compile(r"(?<![\d+])(\+[\s.]?52[\s.-]?)1(?=[\s.-]?\(?\d)")

# Capitalised words that make a pair something other than a person's name.
_NOT_SURNAMES = frozenset(
    """Street Avenue Road Lane Drive Boulevard Court Place Way Park Church Hospital Center Centre Clinic
    House Home School College University County City Town Village Lake River Mountain Beach Island Bay
    Anonymous Day Eve Sunday Monday Tuesday Wednesday Thursday Friday Saturday January February March
    April May June July August September October November December Christmas Easter Thanksgiving
    Street's Security Services Service Department Program Group Meeting Fellowship Foundation Society
    Bank Store Market Mall Depot Station Airport Hall Library Museum Bridge Creek Valley Hills Heights
    Springs Falls Junior Senior Jr Sr Lord God Jesus Christ Baptist Methodist Catholic Lutheran Mission
    Army Navy Marine Corps Guard Air Force States America York Jersey Mexico Angeles Francisco Diego
    Antonio Vegas Rico I I'm I'd I'll I've And But Or So Then When If My Our The A An""".split()  # noqa: SIM905
)
# Words of respect before a first name ("Don Rigo", "Doña Carmen"): a first name, not a full name.
_HONORIFICS = frozenset(
    {"Don", "Doña", "Señor", "Señora", "Tío", "Tía", "Abuela", "Abuelo", "Padre", "Madre"}
)
_UPPER = "A-ZÀ-ÖØ-ÞĀĂĄĆĈĊČĎĐĒĔĖĘĚĜĞĠĢĤĦĨĪĬĮİĴĶĹĻĽĿŁŃŅŇŊŌŎŐŒŔŖŘŚŜŞŠŢŤŦŨŪŬŮŰŲŴŶŸŹŻŽ"
_NAME = rf"[{_UPPER}][^\W\d_]*(?:['\u2019-][^\W\d_]+)*"  # a capitalised word, any Latin letters after
# In lower case, each way in beginning with a letter: they are looked for in the lowered text first.
_INTRODUCING = (
    r"(?:my (?:real |given |birth |actual |full )?name(?: is|['\u2019]s)|i['\u2019]m called|call me"
    r"|i am called|everyone calls? me|everybody calls? me|people calls? me|they calls? me|folks calls? me"
    r"|me llamo|me dicen|mi (?:verdadero )?nombre es)"
)
_SELF_INTRODUCTION = re.compile(rf"\b{_INTRODUCING}\s+({_NAME}(?:\s+{_NAME})?)", re.IGNORECASE)
# "I'm Karen", "I am Karen Whitfield", "Hi, I'm Karen, and…": only with a given name ("I'm Catholic" is none).
_I_AM_WORDS = r"(?:i['\u2019]m|i am|soy)"
_I_AM = re.compile(rf"\b{_I_AM_WORDS}\s+({_NAME}(?:\s+{_NAME})?)", re.IGNORECASE)
# "— Karen W." signing off a story.
_DASHES = "\u2014\u2013-"
_SIGNED = re.compile(rf"(?:^|\n)\s*[{_DASHES}]\s*({_NAME}(?:\s+[{_UPPER}]\.)?)\s*$")
_LOWER = rf"[^\W\d_{_UPPER}]"
# Two capitalised words. The first one's start is tested after its capital ("no word letter before it"),
# not with a leading \b: a pattern that starts with a letter class is only tried at those letters.
_PAIR = re.compile(
    rf"([{_UPPER}](?<!\w[{_UPPER}]){_LOWER}+)\s+((?:Mc|Mac|O['\u2019])?[{_UPPER}]{_LOWER}+(?:-[{_UPPER}][^\W\d_]+)?)\b"
)


_RELATION = re.compile(
    r"\b(?:my|our|his|her|their)\s+(?:\w+\s+)?(?:sister|brother|mother|father|mom|dad|daughter|son|wife|"
    r"husband|partner|boyfriend|girlfriend|fianc[eé]e?|sponsor|sponsee|counsel(?:l)?or|therapist|friend|cousin|"
    r"aunt|uncle|niece|nephew|neighbou?r|boss|roommate|caseworker|case manager|doctor|nurse|pastor|"
    r"grandmother|grandfather|grandma|grandpa|stepfather|stepmother|stepdad|stepmom|ex|mentor|coworker),?\s*$",
    re.IGNORECASE,
)


@cache
def given_names() -> frozenset[str]:
    text = package_data.text("given_names.txt")
    return frozenset(word for line in text.splitlines() if not line.startswith("#") for word in line.split())


def _given(name: str) -> bool:
    """Whether a name's first word is a common given name (accents aside: "María" is "Maria")."""
    return plain_letters(name.split()[0]) in given_names() or name.split()[0] in given_names()


def plain_letters(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def contacts(text: str, context: Context) -> list[Finding]:
    found: list[Finding] = []
    # An email address has an "@" and a street address a number: most texts have neither, and these
    # two searches were a third of a story's privacy hold, which every hit shown pays once.
    has_digit = _DIGIT.search(text) is not None
    kinds = (
        ("an email address", [match.span() for match in _EMAIL.finditer(text)] if "@" in text else []),
        ("a web address", [m.span() for m in _WEB_ADDRESS.finditer(text)] if _may_have_web(text) else []),
        ("a phone number", phone_numbers(text, context.phone_regions) if has_digit else []),
        ("a street address", [m.span() for m in _STREET_ADDRESS.finditer(text)] if has_digit else []),
    )
    for kind, spans in kinds:
        for start, end in spans:
            if _overlaps(found, start, end):
                continue
            written = text[start:end]
            found.append(
                Finding(
                    start,
                    end,
                    written,
                    f"{kind} ('{written}') could identify or reach someone",
                    "remove it, or replace it with a general description",
                )
            )
    return sorted(found, key=lambda f: f.start)


def phone_numbers(text: str, regions: Sequence[str]) -> list[tuple[int, int]]:
    """Where the phone numbers in `text` are: numbers valid in one of `regions` (ISO codes: "US", "MX")
    as written there, numbers in international form ("+34 612 345 678") from anywhere, and, when a region
    is in the North American plan, numbers of that plan by their shape, valid or not ("867-5309",
    "555-867-5309")."""
    if not _DIGIT.search(text):
        return []  # most titles, summaries and paragraphs: no need to run the matcher
    import phonenumbers  # here, not at start-up: most commands never check a text with digits

    searched = _OLD_MEXICAN_MOBILE.sub(lambda match: f"{match.group(1)} ", text)  # same offsets
    spans = [
        (match.start, match.end)
        for region in regions or ("ZZ",)  # "ZZ": no region, so only numbers in international form
        for match in phonenumbers.PhoneNumberMatcher(searched, region, leniency=phonenumbers.Leniency.VALID)
        if not _NOT_PHONE.fullmatch(match.raw_string)
    ]
    spans += [match.span() for match in _INTERNATIONAL_SHAPE.finditer(text)]
    if any(phonenumbers.country_code_for_region(region) == 1 for region in regions):
        spans += [
            match.span() for match in _NANP_SHAPES.finditer(text) if not _NOT_PHONE.fullmatch(match.group())
        ]
    return _merged(spans)


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans with overlapping ones joined (one number found for two regions, "1 (312) 555-0199" and
    "(312) 555-0199"), in order."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def names(text: str, context: Context) -> list[Finding]:
    """Names the consented attribution does not allow."""
    found: list[Finding] = []
    allowed = _allowed_names(context)
    consented = (context.display_name or "").split()
    lowered = _lowered(text)
    introductions = [*_matches(_SELF_INTRODUCTION, _INTRODUCING_START, text, lowered)]
    i_am = _matches(_I_AM, _I_AM_START, text, lowered)
    introductions += [m for m in i_am if m.group(1)[0].isupper() and _given(m.group(1))]
    if _may_be_signed(text):
        introductions += [m for m in _SIGNED.finditer(text) if _given(m.group(1))]
    for match in sorted(introductions, key=lambda m: m.start(1)):
        if _overlaps(found, match.start(1), match.end(1)):
            continue
        words = match.group(1).rstrip(".").split()
        name = " ".join(words[:1] + [w for w in words[1:2] if w[0].isupper()])  # "Karen and" is Karen
        if context.attribution is Attribution.ANONYMOUS or (
            name not in allowed and name.split()[0] not in consented
        ):
            found.append(_name_finding(match.start(1), match.end(1), name, context, "the teller's own name"))
        elif len(name.split()) > 1 and name not in allowed:
            found.append(_name_finding(match.start(1), match.end(1), name, context, "the teller's full name"))
    for match in _PAIR.finditer(text):
        first, second = match.group(1), match.group(2)
        full = f"{first} {second}"
        if full in allowed or _overlaps(found, match.start(), match.end()) or first in _HONORIFICS:
            continue
        if first in consented and context.attribution is not Attribution.NAMED:
            what = "the teller's surname"
        elif (
            second not in _NOT_SURNAMES
            and second not in given_names()
            and (first in given_names() or _after_relation(text, match.start()))
        ):
            what = "a person's full name"
        else:
            continue
        found.append(_name_finding(match.start(), match.end(), full, context, what))
    return sorted(found, key=lambda f: f.start)


# The patterns that ignore case are slow to try at every letter (they were half of a story's privacy
# hold, which every hit a search shows pays), so the words they begin with are first looked for in the
# lowered text, case-sensitively. str.lower() and re.IGNORECASE agree on every letter of those words but
# "i" and "s": IGNORECASE also reads a capital I with a dot and a dotless i as "i", and a long s as "s",
# where lower() does not (the dotted I even lowers to two letters). A text with one of them is searched
# the slow way.
_CASE_DIFFERS = re.compile("[\u0130\u0131\u017f]")
_INTRODUCING_START = re.compile(_INTRODUCING)
_I_AM_START = re.compile(_I_AM_WORDS)


@lru_cache(maxsize=2)  # both rules, and the web-address gate, ask it of the same text in turn
def _lowered(text: str) -> str | None:
    """The text lowered letter for letter (the capital I with a dot, the one letter that lowers to two,
    is among those set apart), or None when lowering would not find what IGNORECASE finds."""
    return None if _CASE_DIFFERS.search(text) else text.lower()


def _matches(
    pattern: re.Pattern[str], start: re.Pattern[str], text: str, lowered: str | None
) -> Iterator[re.Match[str]]:
    """`pattern.finditer(text)`, for a pattern ignoring case that begins with the lower-case words of
    `start`: it is tried only where those words are in the lowered text."""
    if lowered is None:
        yield from pattern.finditer(text)
        return
    position = 0
    while (words := start.search(lowered, position)) is not None:
        match = pattern.match(text, words.start())
        if match is None:
            position = words.start() + 1
        else:
            yield match
            position = match.end()


def _may_have_web(text: str) -> bool:
    """Whether `_WEB_ADDRESS` could match: each of its kinds has "://", "www." or a dot and an ending."""
    lowered = _lowered(text)
    return lowered is None or "://" in text or "www." in lowered or _WEB_ENDING.search(lowered) is not None


def _may_be_signed(text: str) -> bool:
    """Whether `_SIGNED` could match: it ends the text with a dash and at most two words after it, so
    one of the last three words has a dash."""
    return any(dash in word for word in text.rsplit(None, 3)[-3:] for dash in _DASHES)


def _after_relation(text: str, position: int) -> bool:
    """Whether the words before `position` name a relation ("my sister", "our sponsor,")."""
    return bool(_RELATION.search(text[max(0, position - 40) : position]))


def _allowed_names(context: Context) -> set[str]:
    if context.attribution is Attribution.NAMED and context.display_name:
        return {context.display_name}
    return set()


def _name_finding(start: int, end: int, name: str, context: Context, what: str) -> Finding:
    consented = {
        Attribution.ANONYMOUS: "to stay anonymous",
        Attribution.PSEUDONYM: f"to the pseudonym '{context.display_name}'",
        Attribution.FIRST_NAME: f"to their first name '{context.display_name}' only",
        Attribution.NAMED: f"to be named as '{context.display_name}'",
    }[context.attribution]
    return Finding(
        start,
        end,
        name,
        f"'{name}' looks like {what}; the teller agreed {consented}",
        "remove the name or use a first name only; accept this if the person agreed to be named",
    )


def _overlaps(found: list[Finding], start: int, end: int) -> bool:
    return any(f.start < end and start < f.end for f in found)
