"""Search for a person: the teller as a signal, the query's language first, and spelling help that helps —
on the sample bank (fictional composites) and on small banks written here."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from helpers import LOCAL, SAMPLE_BANK, Result
from storybank import StoryBank
from storybank.errors import StorybankError, UnknownTermError
from storybank.search import SearchFilters, SearchRequest
from storybank.search.language import detect
from storybank.search.teller import decades_of, gender_of, read_person
from storybank.web import create_app

AS_OF = dt.date(2026, 11, 22)
Run = Callable[..., Result]


@pytest.fixture(scope="module")
def sample() -> StoryBank:
    return StoryBank.open(SAMPLE_BANK, as_of=AS_OF)


@pytest.mark.parametrize(
    ("text", "decades", "gender"),
    [
        ("A man in his fifties, a veteran, started drinking again", (50,), "he"),
        ("guy 55 yo, drinking again", (50,), "he"),
        ("teen girl anxious, vaping", (10,), "she"),
        ("señor de 55 años que volvió a tomar", (50,), "he"),
        ("mom in her 30s, used again after treatment", (30,), "she"),
        ("early 20s nonbinary, new in town", (20,), "they"),
        ("abuela criando a sus nietos", (60, 70), "she"),
        ("30 days sober and scared", (), None),
        ("woman, 27, needs a drink before work meetings", (20,), "she"),
        ("man 45 who drinks alone", (40,), "he"),
        ("mujer de 27, bebe para no sentir", (20,), "she"),
        ("I'm 16 and my grades tanked", (10,), None),
        ("she's seventeen and vaping", (10,), "she"),
        ("turned 40 last spring, drinking more", (40,), None),
        ("a forty-year-old dad on methadone", (40,), "he"),
        ("forty-something mom, new in recovery", (40,), "she"),
        ("Chica de diecinueve años, su hermana oye voces", (10,), "she"),
        ("veintisiete años y no sale de su cuarto", (20,), None),
        ("man in his mid-seventies, widowed", (70,), "he"),
        ("cuarentona que bebe sola", (40,), None),
        ("he is 45 years sober", (), "he"),
        ("woman, 27 days clean", (), "she"),
        ("lost 20 pounds, scared", (), None),
        ("mom in a shelter with two kids", (), "she"),
        ("hombre que llevaba 20 años sin tomar", (), "he"),
        ("hace 15 años que bebe", (), None),
        ("mujer, 30 años sobria, volvió a tomar", (), "she"),
        ("señora de 62 años, cuida a sus nietos", (60,), "she"),
        ("Chica de diecinueve años; su hermana mayor oye voces", (10,), "she"),
        ("her older brother relapsed and she blames herself", (), "she"),
        ("mi hijo mayor volvió a consumir", (), "he"),
        ("older man who drinks alone", (60, 70), "he"),
        ("a young mom, scared of losing custody", (10, 20), "she"),
        ("retired in his 50s and older than his friends", (50,), "he"),
        ("Persona indígena no binaria de treinta y tantos", (30,), "they"),
        ("non binary teen, kicked out", (10,), "they"),
    ],
)
def test_the_person_is_read_from_the_words(text: str, decades: tuple[int, ...], gender: str | None) -> None:
    person = read_person(text)
    assert (person.decades, person.gender) == (decades, gender)


@given(
    age=st.sampled_from(
        ["in his 40s", "de 45 años", "aged 45", "in her forties", "cuarentona", "45-year-old"]
    ),
    vague=st.sampled_from(["young", "older", "elderly", "retired", "mayor", "joven", "senior"]),
    before=st.booleans(),
)
def test_an_age_said_outright_outweighs_a_vague_one(age: str, vague: str, before: bool) -> None:
    text = f"{vague} person {age}" if before else f"person {age}, {vague}"
    assert read_person(text).decades == (40,)


@given(
    lead=st.sampled_from(
        ["woman,", "man", "mujer de", "I'm", "she's", "he is", "turned", "tengo", "guy aged"]
    ),
    number=st.integers(13, 99),
    count=st.sampled_from(
        ["days", "weeks", "months", "years", "years sober", "times", "pills", "días", "meses"]
    ),
)
def test_a_count_after_an_age_word_is_never_an_age(lead: str, number: int, count: str) -> None:
    assert read_person(f"{lead} {number} {count} clean").decades == ()


@given(
    lead=st.sampled_from(
        ["woman,", "man", "mujer de", "hombre de", "I'm", "she's", "he is", "turned", "girl,"]
    ),
    number=st.integers(13, 99),
    after=st.sampled_from(["", ",", " and drinking", " who drinks", "-year-old", " years old"]),
)
def test_an_age_after_an_age_word_is_its_decade(lead: str, number: int, after: str) -> None:
    assert read_person(f"{lead} {number}{after}").decades == (number // 10 * 10,)


def test_a_teller_is_matched_only_from_their_own_fields() -> None:
    assert decades_of("45-54") == (40, 50)
    assert decades_of("under-18") == (10,)
    assert (gender_of("él"), gender_of("she/her"), gender_of("elle/they"), gender_of(None)) == (
        "he",
        "she",
        "they",
        None,
    )


def test_a_man_in_his_fifties_finds_tellers_like_him_first(sample: StoryBank) -> None:
    result = sample.search("A man in his fifties, a veteran, started drinking again after years sober")
    top = result.hits[:3]
    assert top[0].story.id == "the-long-way-home-from-the-desert"  # the veteran's story (issue 15: 6th)
    assert ["50-59", "he/him"] in [hit.matched_teller for hit in top]
    five = [hit.story.storyteller.pronouns for hit in result.hits[:5]]
    assert five.count("he/him") > len(five) / 2
    assert all(hit.story.language == "en" for hit in result.hits)


def test_results_say_who_is_speaking(sample: StoryBank, run: Run) -> None:
    data = json.loads(
        run("--bank", SAMPLE_BANK, "--as-of", str(AS_OF), "search", "guy 55 yo drinking", "--json").out
    )
    first = data["results"][0]
    assert {"credit", "age_range", "pronouns", "language", "matched_teller"} <= set(first)
    assert {row["language"] for row in data["results"]} == {"en"}
    assert any(row["matched_teller"] == ["50-59", "he/him"] for row in data["results"][:3])


def test_an_english_query_returns_no_spanish_story_unless_asked(sample: StoryBank) -> None:
    for text in ("fell off the wagon", "started drinking again", "lost my job and my apartment"):
        result = sample.search(text, limit=20)
        assert {hit.story.language for hit in result.hits} == {"en"}, text
        assert result.language == "en"
    assert "es" in {
        hit.story.language for hit in sample.search("started drinking again", language="any", limit=20).hits
    }


def test_the_other_languages_are_counted_and_one_flag_away(run: Run) -> None:
    out = run("--bank", SAMPLE_BANK, "--as-of", str(AS_OF), "search", "started drinking again").out
    assert "found in English" in out
    assert "more in another language: add --language any" in out


def test_a_spanish_query_finds_the_spanish_mothers_story_first(sample: StoryBank) -> None:
    result = sample.search("Una mamá que volvió a consumir después del tratamiento")
    assert result.language == "es"
    assert "mi-hija-me-espera" in [
        hit.story.id for hit in result.hits[:3]
    ]  # (was 6th, after English stories)


def test_a_query_naming_the_persons_language_searches_it(sample: StoryBank) -> None:
    result = sample.search("Spanish-speaking dad in his 50s drinking again after years sober")
    assert result.language == "es"
    assert result.hits[0].story.language == "es"


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("parnting", "parenting"), ("lonley", "lonely"), ("housng", "housing"), ("spiritualty", "spirituality")],
)
def test_spelling_help_picks_the_word_meant(sample: StoryBank, typed: str, meant: str) -> None:
    assert sample.search(typed).suggestion == meant


@pytest.mark.parametrize(
    "typed",
    ["sobr 2 yrs then drank at wedding", "dad 45 yo, out of rehab 2 wks", "3 mos clean w/ my sponsor"],
)
def test_abbreviations_are_read_not_corrected(sample: StoryBank, typed: str) -> None:
    suggestion = sample.search(typed).suggestion
    for abbreviation in ("yrs", "yo", "wks", "mos", "w/"):
        if abbreviation in typed:
            assert suggestion is None or abbreviation in suggestion, suggestion


def test_an_everyday_word_suggests_its_theme(sample: StoryBank) -> None:
    with pytest.raises(UnknownTermError, match="did you mean 'hope'"):
        sample.search("x", themes=["hopefulness"])


def test_a_wrong_teller_filter_is_one_clear_line(run: Run) -> None:
    result = run("--bank", SAMPLE_BANK, "search", "x", "--teller-pronouns", "zz/zz")
    assert result.code == 2
    assert "he/him, she/her or they/them" in result.err


@pytest.mark.parametrize(
    ("text", "language"),
    [("started drinking again", "en"), ("volvió a consumir", "es"), ("señor de 55 años", "es"), ("zq", None)],
)
def test_the_querys_language_is_detected(text: str, language: str | None) -> None:
    assert detect(text) == language


def test_a_teller_age_filter_keeps_only_overlapping_tellers(sample: StoryBank) -> None:
    hits = sample.find(SearchRequest("drinking", SearchFilters(language="any", teller_age="50-59"), 50)).hits
    assert hits
    assert all(set(decades_of(hit.story.storyteller.age_range)) & {50} for hit in hits)


def test_a_bad_teller_age_is_refused(sample: StoryBank) -> None:
    with pytest.raises(StorybankError, match="should look like 50-59"):
        sample.search("x", filters=SearchFilters(teller_age="fifty"))


def test_a_teller_pronouns_filter_keeps_only_those_tellers(sample: StoryBank) -> None:
    hits = sample.search(
        "drinking", filters=SearchFilters(language="any", teller_pronouns="woman"), limit=50
    ).hits
    assert hits
    assert {gender_of(hit.story.storyteller.pronouns) for hit in hits} == {"she"}


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(SAMPLE_BANK, as_of=AS_OF), base_url=LOCAL)


def test_the_web_page_says_who_is_speaking(client: TestClient) -> None:
    page = client.get("/", params={"q": "guy 55 yo drinking again"}).text
    assert "Told by" in page
    assert "like the person: 50-59, he/him" in page
    assert "more in another language" in page


def test_the_api_takes_the_language_and_teller_filters(client: TestClient) -> None:
    english = client.get("/api/search", params={"q": "started drinking again", "limit": 50}).json()
    assert {row["language"] for row in english["results"]} == {"en"}
    assert english["more_in_other_languages"] > 0
    every = client.get(
        "/api/search", params={"q": "started drinking again", "language": "any", "limit": 50}
    ).json()
    assert "es" in {row["language"] for row in every["results"]}
    women = client.get(
        "/api/search", params={"q": "drinking", "teller_pronouns": "she/her", "limit": 50}
    ).json()
    assert women["results"]
    assert {row["pronouns"] for row in women["results"]} <= {"she/her", "ella"}
    assert client.get("/api/search", params={"q": "x", "teller_age": "fifty"}).status_code == 422


def test_the_teller_filters_show_counts(client: TestClient) -> None:
    data = client.get("/api/search", params={"q": "drinking", "language": "any"}).json()
    by_gender = data["facets"]["teller_pronouns"]
    assert set(by_gender) <= {"he", "she", "they"}
    assert sum(by_gender.values()) <= data["total"]
    page = client.get("/", params={"q": "drinking", "language": "any"}).text
    assert f"he/him ({by_gender.get('he', 0)})" in page
    assert f"50-59 ({data['facets']['teller_decades'].get('50', 0)})" in page


def test_a_community_the_person_belongs_to_outweighs_a_theme_phrase(sample: StoryBank) -> None:
    # Who the person is ("a veteran") counts as much as what happened ("started drinking again").
    result = sample.search("a veteran in his fifties started drinking again after years sober")
    assert result.hits[0].story.id == "the-long-way-home-from-the-desert"
    assert "veterans" in result.hits[0].matched_themes
