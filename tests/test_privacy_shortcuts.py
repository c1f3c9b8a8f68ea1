"""The privacy checks' shortcuts find exactly what their patterns find.

The patterns that ignore case are tried only where their first words are in the lowered text, a pair of
names only at capitals, and the signature, web, email and street patterns are skipped where they cannot
match (checks/privacy.py). Each test holds a shortcut to the pattern run plainly, over generated texts
full of the words, the letters on which `str.lower()` and `re.IGNORECASE` disagree, and any other
character.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from storybank.checks import privacy

_PIECES = [
    "my name is ",
    "My real name's ",
    "MY NAME IS ",
    "I'm called ",
    "i\u2019m ",
    "I am ",
    "I am called ",
    "call me ",
    "Call Me ",
    "everybody calls me ",
    "They call me ",
    "folks calls me ",
    "me llamo ",
    "Me dicen ",
    "mi verdadero nombre es ",
    "soy ",
    "SOY ",
    "\u0130'm ",  # a capital I with a dot
    "\u0131 am ",  # a dotless i
    "\u017foy ",  # a long s
    "\u212a",  # the Kelvin sign, which both read as "k"
    "Karen ",
    "karen",
    "María ",
    "O'Neil",
    "Whitfield",
    "W.",
    "Mary-Jane",
    " ",
    "  ",
    "\n",
    "\u2014 ",
    "\u2013",
    "-",
    "x",
    ".",
    "www.",
    "WWW.",
    "http://",
    "HTTPS://",
    "site",
    ".com",
    ".CoM",
    ".io",
    ".info",
    "/path",
]
texts = st.lists(st.one_of(st.sampled_from(_PIECES), st.characters(codec="utf-8")), max_size=30).map("".join)


def _found(matches: object) -> list[tuple[tuple[int, int], str]]:
    return [(m.span(), m.group(1)) for m in matches]  # type: ignore[attr-defined]


@settings(max_examples=400)
@given(text=texts)
@example(text="I'm called \u0130lker")
@example(text="\u0130'm called Karen")
@example(text="they call me Karen")
@example(text="xthey call me Karen")  # no word starts at "they", one does at "call"
@example(text="\u0131 am Karen, i am Karen Whitfield")
@example(text="I'm I'm Karen")
@pytest.mark.parametrize(
    ("pattern", "start"),
    [(privacy._SELF_INTRODUCTION, privacy._INTRODUCING_START), (privacy._I_AM, privacy._I_AM_START)],
    ids=["self-introduction", "i-am"],
)
def test_a_pattern_ignoring_case_finds_what_it_finds_tried_everywhere(
    pattern: re.Pattern[str], start: re.Pattern[str], text: str
) -> None:
    fast = privacy._matches(pattern, start, text, privacy._lowered(text))
    assert _found(fast) == _found(pattern.finditer(text))


@pytest.mark.parametrize(
    ("may_hold", "pattern"),
    [(privacy._may_be_signed, privacy._SIGNED), (privacy._may_have_web, privacy._WEB_ADDRESS)],
    ids=["signature", "web address"],
)
@settings(max_examples=400)
@given(text=texts)
@example(text="thanks\n\u2014 Karen W.\n")
@example(text="thanks\n-Mary-Jane\n\n")
@example(text="\n \u2013\nKaren\n W.  ")
@example(text="site.CoM")
@example(text="see site.\u0131o")
@example(text="WWW.site.net")
def test_a_gate_never_skips_a_text_its_pattern_finds(
    may_hold: Callable[[str], bool], pattern: re.Pattern[str], text: str
) -> None:
    if not may_hold(text):
        assert pattern.search(text) is None


@settings(max_examples=400)
@given(text=texts)
@example(text="xKaren Whitfield, Karen O'Neil and \u00c9lodie Mary-Jane")
def test_capitalised_pairs_are_found_as_by_a_leading_word_boundary(text: str) -> None:
    upper, lower = privacy._UPPER, privacy._LOWER
    plainly = re.compile(
        rf"\b([{upper}]{lower}+)\s+((?:Mc|Mac|O['\u2019])?[{upper}]{lower}+(?:-[{upper}][^\W\d_]+)?)\b"
    )
    found = [(m.span(), m.groups()) for m in privacy._PAIR.finditer(text)]
    assert found == [(m.span(), m.groups()) for m in plainly.finditer(text)]


def test_lowering_reads_the_words_letters_as_ignoring_case_does() -> None:
    """The premise of the shortcuts, over every character: a letter of the words matches a character
    ignoring case exactly when the character lowers to it, but for the three set apart."""
    words = privacy._INTRODUCING + privacy._I_AM_WORDS + privacy._WEB_ENDINGS + "www"
    letters = sorted({c for c in words if c.isalpha()})
    everything = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    set_apart = set(privacy._CASE_DIFFERS.findall(everything))
    assert set_apart == {"\u0130", "\u0131", "\u017f"}
    assert {c for c in everything if len(c.lower()) != 1} <= set_apart  # the lowered text keeps offsets
    for letter in letters:
        ignoring_case = set(re.findall(letter, everything, re.IGNORECASE)) - set_apart
        lowering = {c for c in everything if c.lower() == letter}
        assert ignoring_case == lowering, letter


_CONTACT_PIECES = [
    "ana",
    "ana@mail",
    "@",
    "mail",
    ".com",
    ".org",
    " ",
    "12",
    "5",
    " Main",
    " Oak",
    " Street",
    " St",
    "Calle ",
    "Sol ",
    "#",
    "www.",
    "-",
    "+",
    ".",
    "(",
    ")",
    "x",
    "\n",
]
contact_texts = st.lists(st.sampled_from(_CONTACT_PIECES), max_size=40).map("".join)


@settings(max_examples=300)
@given(text=contact_texts)
def test_an_email_needs_an_at_sign_and_a_street_address_a_number(text: str) -> None:
    """What `privacy.contacts` skips when a text has no "@" or no digit could not have been found."""
    if "@" not in text:
        assert not privacy._EMAIL.search(text)
    if not privacy._DIGIT.search(text):
        assert not privacy._STREET_ADDRESS.search(text)
