"""Dutch address parsing: postcodes, house numbers, one-cell addresses."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.address import (
    Address,
    HouseNumber,
    normalize_name,
    normalize_postcode,
    parse_address,
    parse_house_number,
    read_house_number,
    split_house_number,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("6166AB", "6166 AB"),
        (" 6166 ab ", "6166 AB"),
        ("6166  Ab", "6166 AB"),
        ("", ""),
        ("  ", ""),
    ],
)
def test_postcode_is_normalised(raw: str, expected: str) -> None:
    assert normalize_postcode(raw) == expected


@pytest.mark.parametrize(
    "raw", ["6166", "0166 AB", "6166 A", "61666 AB", "6166 SS", "AB 6166", "6166-AB"]
)
def test_invalid_postcode_is_refused_with_the_value(raw: str) -> None:
    with pytest.raises(ValueError, match="geen geldige Nederlandse postcode") as error:
        normalize_postcode(raw)
    assert raw.strip() in str(error.value)


letters = st.sampled_from("ABCDEFGHIJKLMNOPQRTUVWXYZ")


@given(
    digits=st.integers(1000, 9999),
    first=letters,
    second=letters,
    space=st.sampled_from(["", " ", "  "]),
    lower=st.booleans(),
)
def test_any_valid_postcode_normalises_idempotently(
    digits: int, first: str, second: str, space: str, lower: bool
) -> None:
    pair = first + second
    raw = f"{digits}{space}{pair.lower() if lower else pair}"
    normalized = normalize_postcode(raw)
    if pair in {"SA", "SD", "SS"}:
        return  # never issued; covered by the explicit test above
    assert normalized == f"{digits} {pair}"
    assert normalize_postcode(normalized) == normalized


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12", HouseNumber(12)),
        ("12a", HouseNumber(12, "A")),
        ("12 A", HouseNumber(12, "A")),
        ("12-a", HouseNumber(12, "A")),
        ("12-2", HouseNumber(12, "", "2")),
        ("12 bis", HouseNumber(12, "", "BIS")),
        ("12a-1", HouseNumber(12, "A", "1")),
        ("12 A 2", HouseNumber(12, "A", "2")),
        ("12 hs", HouseNumber(12, "", "HS")),
        ("12/3", HouseNumber(12, "", "3")),
        ("99999", HouseNumber(99999)),
    ],
)
def test_house_number_forms(raw: str, expected: HouseNumber) -> None:
    assert parse_house_number(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("18 boven", HouseNumber(18, "", "BOV")),
        ("18boven", HouseNumber(18, "", "BOV")),
        ("18 Bovenhuis", HouseNumber(18, "", "BOV")),
        ("18a boven", HouseNumber(18, "A", "BOV")),
        ("18 bov.", HouseNumber(18, "", "BOV")),
        ("3 beneden", HouseNumber(3, "", "BEN")),
    ],
)
def test_floor_words_are_an_addition_never_letter_plus_rest(
    raw: str, expected: HouseNumber
) -> None:
    """Issue 12 item 17: "18 boven" was read as 18B-OVEN."""
    assert parse_house_number(raw) == expected
    assert parse_address(f"Kerkstraat {raw}, 6166 AB Geleen").house_number == expected


@pytest.mark.parametrize("raw", ["12 achterom", "12 bovenop", "12 abcde"])
def test_a_long_word_after_a_letter_is_not_letter_plus_addition(raw: str) -> None:
    with pytest.raises(ValueError, match="toevoeging"):
        parse_house_number(raw)


@pytest.mark.parametrize("raw", ["", "a", "bis", "0", "12 toevoeging"])
def test_unreadable_house_number_is_refused(raw: str) -> None:
    with pytest.raises(ValueError, match=r"huisnummer|toevoeging"):
        parse_house_number(raw)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("a", ("A", "")),
        ("bis", ("", "BIS")),
        ("2", ("", "2")),
        ("A-2", ("A", "2")),
        ("", ("", "")),
    ],
)
def test_separate_letter_and_addition_cells(cell: str, expected: tuple[str, str]) -> None:
    assert split_house_number(cell) == expected


@pytest.mark.parametrize(
    ("number", "letter", "addition", "expected"),
    [
        (12, "", "", HouseNumber(12)),
        (12.0, "a", "", HouseNumber(12, "A")),
        ("12.0", "", "", HouseNumber(12)),
        ("12.00", "", "", HouseNumber(12)),
        (12, "", "1.0", HouseNumber(12, "", "1")),  # an addition column of numbers
        (12, "", "2.50", HouseNumber(12, "", "250")),  # not a whole number: as written
        (" 12a-1 ", "", "", HouseNumber(12, "A", "1")),
        ("12a", "b", "2", HouseNumber(12, "B", "2")),  # the row's own cells win
        ("14", "", "bis.", HouseNumber(14, "", "BIS")),
        (None, "a", "", None),
        (float("nan"), "", "", None),
        ("", "", "", None),
        (0, "", "", None),
        (12.5, "", "", None),
        ("x", "", "", None),
    ],
)
def test_a_house_number_is_read_from_a_tables_cells(
    number: object, letter: str, addition: str, expected: HouseNumber | None
) -> None:
    assert read_house_number(number, letter, addition) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Kerkstraat 12a", Address("Kerkstraat", HouseNumber(12, "A"))),
        ("Kerkstraat 12-2", Address("Kerkstraat", HouseNumber(12, "", "2"))),
        ("Kerkstraat 12 bis", Address("Kerkstraat", HouseNumber(12, "", "BIS"))),
        ("Kerkstraat12", Address("Kerkstraat", HouseNumber(12))),
        ("Kerkstraat nr. 12", Address("Kerkstraat", HouseNumber(12))),
        ("2e Kruisstraat 5", Address("2e Kruisstraat", HouseNumber(5))),
        ("Plein 1944 12", Address("Plein 1944", HouseNumber(12))),
        (
            "Kerkstraat 12a, 6166 AB Geleen",
            Address("Kerkstraat", HouseNumber(12, "A"), "6166 AB", "Geleen"),
        ),
        (
            "Kerkstraat 12 6166ab  Geleen",
            Address("Kerkstraat", HouseNumber(12), "6166 AB", "Geleen"),
        ),
        ("Kerkstraat 12, Geleen", Address("Kerkstraat", HouseNumber(12), "", "Geleen")),
        ("Asemahalli, Kaivokatu 1", Address("Asemahalli, Kaivokatu", HouseNumber(1))),
        # floors and additions after the number (review 53: they were read as the number)
        ("Kerkstraat 12 2hg", Address("Kerkstraat", HouseNumber(12, "", "2"))),
        ("Kerkstraat 12-2hg", Address("Kerkstraat", HouseNumber(12, "", "2"))),
        ("Kerkstraat 12a 3 hoog", Address("Kerkstraat", HouseNumber(12, "A", "3"))),
        ("Kerkstraat 1944 2e etage", Address("Kerkstraat", HouseNumber(1944, "", "2"))),
        ("Kerkstraat 12 A 3", Address("Kerkstraat", HouseNumber(12, "A", "3"))),
        ("Wijk 2 12", Address("Wijk 2", HouseNumber(12))),  # Urk (review 55)
        ("Wijk 2 12 A", Address("Wijk 2", HouseNumber(12, "A"))),
        (
            "Kerkstraat 12\n6161 AB Geleen",
            Address("Kerkstraat", HouseNumber(12), "6161 AB", "Geleen"),
        ),
        ("Kaivokatu 9\nHelsinki", Address("Kaivokatu", HouseNumber(9), "", "Helsinki")),
    ],
)
def test_one_cell_addresses(raw: str, expected: Address) -> None:
    assert parse_address(raw) == expected


def test_a_place_after_the_number_without_a_comma_is_named_in_the_reason() -> None:
    with pytest.raises(ValueError, match=r"'Helsinki'.*komma"):
        parse_address("Kaivokatu 9 Helsinki")


@pytest.mark.parametrize("raw", ["", "Kerkstraat", "12", "6166 AB Geleen"])
def test_address_without_street_and_number_is_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="adres"):
        parse_address(raw)


# "nr"/"nummer" before a number is read as "number", not as part of the street name.
street_words = (
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzéèëï'", min_size=2, max_size=12)
    .filter(lambda w: w not in {"nr", "nummer"})
    .map(str.capitalize)
)


@given(
    words=st.lists(street_words, min_size=1, max_size=3),
    number=st.integers(1, 99999),
    letter=st.sampled_from(["", "A", "B", "Z"]),
    addition=st.sampled_from(["", "1", "2", "BIS", "HS", "A12"]),
)
def test_formatted_address_parses_back(
    words: list[str], number: int, letter: str, addition: str
) -> None:
    street = " ".join(words)
    house = HouseNumber(number, letter, addition)
    assert parse_address(f"{street} {house}") == Address(street, house)
    assert parse_house_number(str(house)) == house


def test_names_fold_accents_case_and_punctuation() -> None:
    assert normalize_name("Sint-Jansstraat") == normalize_name("sint jansstraat")
    assert normalize_name("Rue de l'Église") == "ruedeleglise"
