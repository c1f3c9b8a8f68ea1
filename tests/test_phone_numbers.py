"""Phone numbers in `privacy.contact`: the bank's regions (storybank.toml `[privacy] phone_regions`), numbers
in international form, the short local US form, and the near-misses that must stay unflagged."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from helpers import Result
from storybank import StoryBank
from storybank.checks.passages import DEFAULT_PHONE_REGIONS, Context
from storybank.checks.privacy import contacts
from storybank.errors import ConfigError, Severity
from storybank.settings import load_settings

Run = Callable[..., Result]


def found(text: str, regions: tuple[str, ...] = DEFAULT_PHONE_REGIONS) -> list[str]:
    return [finding.text for finding in contacts(text, Context(phone_regions=regions))]


def test_mexican_number_is_found_with_the_default_regions() -> None:
    assert found("Si quieres platicar, mi celular es 55 1234 5678.") == ["55 1234 5678"]


def test_mexican_number_with_the_area_code_in_parentheses_is_found() -> None:
    assert found("Mi madrina me dio su número, (55) 1234-5678, por si acaso.") == ["(55) 1234-5678"]


def test_old_mexican_mobile_form_with_a_one_after_52_is_found() -> None:
    assert found("Le marco a mi mamá al +52 1 55 1234 5678 los domingos.") == ["+52 1 55 1234 5678"]


def test_spanish_mobile_is_found_with_the_default_regions() -> None:
    assert found("Si estás pasando por lo mismo, escríbeme al 612 34 56 78.") == ["612 34 56 78"]


def test_spanish_landline_is_found_with_the_default_regions() -> None:
    assert found("El fijo de la casa de acogida era el 91 123 45 67.") == ["91 123 45 67"]


def test_uk_national_number_is_found_when_gb_is_a_region() -> None:
    assert found("My brother in London is on 020 7946 0958 most evenings.", ("GB",)) == ["020 7946 0958"]


def test_uk_national_number_is_not_found_when_gb_is_not_a_region() -> None:
    assert found("My brother in London is on 020 7946 0958 most evenings.", ("US",)) == []


@pytest.mark.parametrize("regions", [("US",), ("GB",), ()])
def test_number_in_international_form_is_found_whatever_the_regions(regions: tuple[str, ...]) -> None:
    assert found("My cousin in Madrid still has the same mobile, +34 612 345 678.", regions) == [
        "+34 612 345 678"
    ]


def test_local_seven_digit_us_number_is_found() -> None:
    assert found("Call the house at 867-5309 and ask for me.") == ["867-5309"]


def test_local_seven_digit_form_needs_a_north_american_region() -> None:
    assert found("Call the house at 867-5309 and ask for me.", ("MX", "ES")) == []


def test_number_valid_in_two_regions_is_one_finding() -> None:
    assert found("You can text me at 1 (312) 555-0199 any time.") == ["1 (312) 555-0199"]


def test_phone_finding_says_what_it_is_and_what_to_do() -> None:
    [finding] = contacts("Mi celular es 55 1234 5678.", Context())
    assert finding.message == "a phone number ('55 1234 5678') could identify or reach someone"
    assert finding.suggestion == "remove it, or replace it with a general description"


def test_email_next_to_a_number_is_still_its_own_finding() -> None:
    text = "Escríbeme a rosa.m@example.org o llámame al 612 34 56 78."
    assert found(text) == ["rosa.m@example.org", "612 34 56 78"]


@pytest.mark.parametrize(
    "text",
    [
        "I stayed sober from 2015-2019, went back to using, and started again in 2021.",
        "I walked out of treatment on 2019-03-04, and I keep that date on my fridge.",
        "My sobriety date is 11/14/2020, the day after my daughter's birthday.",
        "Mi sobriedad empezó el 04-03-2019, y cada año lo celebro con un pastel.",
        "Mi fecha de sobriedad es el 15/03/2019, el día del cumpleaños de mi hija.",
        "Group starts at 10:30 in room 4, and I get there early to make the coffee.",
        "Our meeting runs 7:00-8:30 on Tuesdays, and 40 to 50 people come.",
        "Treatment cost $1,200 a month, and my aunt paid for the first month.",
        "El tratamiento costaba 1.200 pesos a la semana, y mi tía lo pagó.",
        "I spent 30 days in detox and 60 more in a residential program.",
        "Llevo 612 días sin beber, y hoy me dieron mi ficha de los 18 meses.",
        "I'm on step 4 of 12, and my sponsor says there is no rush.",
        "The group for ages 25-29 was the first place I met people like me.",
        "Me internaron en 1998, 2004 y 2011, y a la cuarta fue la vencida.",
        "Una noche llamé al 024 y una mujer se quedó conmigo hasta que amaneció.",
        "The night it got really bad, I called 988 and a woman stayed on the line.",
        "The letters from the court went to ZIP code 60614-1234.",
    ],
)
def test_near_misses_are_not_phone_numbers(text: str) -> None:
    assert found(text) == []


def test_mexican_number_in_a_story_is_an_error(write_story: Callable[..., Path], bank_dir: Path) -> None:
    write_story("kitchen-story", body="Si alguien quiere platicar, mi celular es 55 1234 5678.\n")
    problems = StoryBank.open(bank_dir, as_of=dt.date(2025, 6, 1)).check()
    [problem] = [p for p in problems if p.rule == "privacy.contact"]
    assert problem.severity is Severity.ERROR
    assert "'55 1234 5678'" in problem.message


def test_phone_regions_default_to_the_us_mexico_and_spain(bank_dir: Path) -> None:
    assert load_settings(bank_dir).privacy.phone_regions == ("US", "MX", "ES")


def test_phone_regions_come_from_storybank_toml(bank_dir: Path) -> None:
    (bank_dir / "storybank.toml").write_text('[privacy]\nphone_regions = ["GB", "IE"]\n')
    assert load_settings(bank_dir).privacy.phone_regions == ("GB", "IE")


def test_unknown_phone_region_is_a_config_error_naming_the_setting(bank_dir: Path) -> None:
    (bank_dir / "storybank.toml").write_text('[privacy]\nphone_regions = ["US", "UK"]\n')
    with pytest.raises(ConfigError) as error:
        load_settings(bank_dir)
    assert str(error.value) == (
        f'{bank_dir / "storybank.toml"}: privacy.phone_regions: "UK" is not a region code phonenumbers '
        'knows: use two-letter ISO 3166 codes in capitals, such as "US", "MX", "ES" or "GB"'
    )


def test_phone_region_in_small_letters_says_to_write_it_in_capitals(bank_dir: Path) -> None:
    (bank_dir / "storybank.toml").write_text('[privacy]\nphone_regions = ["mx"]\n')
    with pytest.raises(ConfigError, match=r'privacy.phone_regions: "mx" .*: write it in capitals: "MX"'):
        load_settings(bank_dir)


def test_phone_regions_as_one_string_asks_for_a_list(bank_dir: Path) -> None:
    (bank_dir / "storybank.toml").write_text('[privacy]\nphone_regions = "US"\n')
    with pytest.raises(ConfigError, match=r"privacy.phone_regions: should be a list of region codes"):
        load_settings(bank_dir)


def test_bad_phone_region_is_one_line_and_exit_2(run: Run, bank_dir: Path) -> None:
    (bank_dir / "storybank.toml").write_text('[privacy]\nphone_regions = ["XX"]\n')
    result = run("--bank", bank_dir, "check")
    assert result.code == 2
    assert result.err.startswith(f"storybank: {bank_dir / 'storybank.toml'}: privacy.phone_regions: ")
    assert result.err.count("\n") == 1
