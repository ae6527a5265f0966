"""Intake rules on rows of cells: every row accepted or rejected with its reason."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from geo.errors import InputFileError
from geo.intake import (
    normalize_phone,
    parse_age,
    parse_bool,
    parse_yes_no,
    phone_e164,
    read_applicants,
    validate_rows,
)

HEADER = ["Naam", "Adres", "Postcode", "Woonplaats", "Leeftijd", "Telefoon", "Beheerder"]
TODAY = date(2026, 11, 24)


def person(**overrides: str) -> list[str]:
    """A valid fictitious applicant; ``overrides`` replace cells by header name."""
    cells = {
        "Naam": "Fenna Fictief",
        "Adres": "Kerkstraat 12a",
        "Postcode": "6166 AB",
        "Woonplaats": "Geleen",
        "Leeftijd": "44",
        "Telefoon": "06 12 34 56 78",
        "Beheerder": "",
    }
    cells.update(overrides)
    return [cells[h] for h in HEADER]


def run(*rows: list[str], header: list[str] = HEADER, **kwargs: object):  # type: ignore[no-untyped-def]
    return validate_rows([header, *rows], today=TODAY, **kwargs)  # type: ignore[arg-type]


def test_valid_row_is_normalised() -> None:
    result = run(person(Naam="  Fenna   Fictief ", Postcode="6166ab", Beheerder="Ja"))
    assert result.rejects.empty
    row = result.accepted.iloc[0]
    assert (row["row"], row["naam"], row["straat"], row["huisnummer"], row["huisletter"]) == (
        2,
        "Fenna Fictief",
        "Kerkstraat",
        12,
        "A",
    )
    assert (row["postcode"], row["woonplaats"], row["telefoon"], bool(row["beheerder"])) == (
        "6166 AB",
        "Geleen",
        "+31612345678",
        True,
    )


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"Leeftijd": "17"}, "minimaal 18 jaar zijn (leeftijd 17)"),
        ({"Leeftijd": ""}, "leeftijd ontbreekt"),
        ({"Leeftijd": "achttien"}, "'achttien' is geen getal"),
        ({"Leeftijd": "150"}, "niet aannemelijk"),
        ({"Telefoon": "0612"}, "'0612' is geen geldig nummer"),
        ({"Telefoon": ""}, "telefoonnummer ontbreekt"),
        ({"Telefoon": "+33 6 12 34 56 78"}, "is uit FR"),
        ({"Adres": ""}, "adres ontbreekt"),
        ({"Adres": "Kerkstraat"}, "geen straat met huisnummer"),
        ({"Naam": ""}, "naam ontbreekt"),
        ({"Postcode": "6166"}, "'6166' is geen geldige Nederlandse postcode"),
        ({"Postcode": "", "Woonplaats": ""}, "postcode of woonplaats nodig"),
    ],
)
def test_each_rule_rejects_with_a_reason(overrides: dict[str, str], reason: str) -> None:
    result = run(person(**overrides))
    assert result.accepted.empty
    assert reason in result.rejects.loc[0, "reason"]
    assert result.rejects.loc[0, "row"] == 2


def test_reject_keeps_the_original_cells() -> None:
    result = run(person(Leeftijd="16", Telefoon="06-99"))
    reject = result.rejects.iloc[0]
    assert reject["Leeftijd"] == "16"
    assert reject["Telefoon"] == "06-99"
    assert reject["naam"] == "Fenna Fictief"


def test_exact_duplicate_keeps_the_first() -> None:
    result = run(
        person(),
        person(Telefoon="+31 6 12345678"),
        person(Naam="Gijs Gefingeerd", Telefoon="0687654321"),
    )
    assert result.accepted["row"].to_list() == [2, 4]
    assert "dubbele aanmelding" in result.rejects.loc[0, "reason"]
    assert "rij 2" in result.rejects.loc[0, "reason"]


def test_same_phone_other_person_is_rejected_one_whatsapp_per_number() -> None:
    result = run(person(), person(Naam="Partner Fictief"))
    assert result.rejects.loc[0, "row"] == 3
    assert "één deelnemer per nummer" in result.rejects.loc[0, "reason"]


def test_the_same_name_at_the_same_address_with_another_phone_is_marked_for_checking() -> None:
    result = run(
        person(),
        person(Naam="fenna  FICTIEF", Telefoon="0687654321"),  # review 53: unmarked before
        person(Adres="Kerkstraat 14", Telefoon="0611111111"),  # a namesake elsewhere
    )
    assert result.accepted["row"].to_list() == [2, 3, 4], "a father and son may share a name"
    remarks = result.accepted["opmerking"].to_list()
    assert remarks[0] == remarks[2] == ""
    assert remarks[1].startswith("controleren: zelfde naam en adres als rij 2")


@pytest.mark.parametrize(
    ("address", "checked"),
    [("Kerkstraat 12 2", True), ("Plein 1944 12", False), ("Kerkstraat 12-2", False),
     ("2e Kruisstraat 5", False), ("Kerkstraat 12", False)],
)  # fmt: skip
def test_a_street_ending_in_a_small_number_is_marked_for_checking(
    address: str, checked: bool
) -> None:
    remark = run(person(Adres=address)).accepted["opmerking"].iloc[0]
    assert remark.startswith("controleren: gelezen als straat") is checked
    header = ["Naam", "Straat", "Huisnummer", "Woonplaats", "Leeftijd", "Telefoon"]
    own_cells = run(["A Fictief", "Laan 2", "43", "Geleen", "40", "0611111111"], header=header)
    assert own_cells.accepted["opmerking"].iloc[0] == "", "street and number in their own cells"


def test_two_people_at_one_address_are_fine() -> None:
    result = run(person(), person(Naam="Huisgenoot Fictief", Telefoon="0687654321"))
    assert len(result.accepted) == 2


def test_invalid_first_duplicate_does_not_block_the_valid_second() -> None:
    result = run(person(Leeftijd="12"), person())
    assert result.accepted["row"].to_list() == [3]


def test_birthdate_instead_of_age() -> None:
    header = ["naam", "adres", "woonplaats", "geboortedatum", "mobiel"]
    rows = [
        ["A Fictief", "Markt 1", "Geleen", "24-11-2008", "0611111111"],  # 18 today
        ["B Fictief", "Markt 2", "Geleen", "25-11-2008", "0622222222"],  # 18 tomorrow
        ["C Fictief", "Markt 3", "Geleen", "1960-05-01", "0633333333"],
        ["D Fictief", "Markt 4", "Geleen", "31-02-1960", "0644444444"],
    ]
    result = run(*rows, header=header)
    assert result.accepted["naam"].to_list() == ["A Fictief", "C Fictief"]
    assert result.rejects["reason"].str.contains("minimaal 18|niet te lezen").all()


def test_a_serial_number_column_does_not_take_the_house_number() -> None:
    header = ["Nr", "Naam", "Straat", "Huisnummer", "Woonplaats", "Leeftijd", "Telefoon"]
    result = run(["1", "A Fictief", "Markt", "51", "Geleen", "40", "0611111111"], header=header)
    assert result.accepted["huisnummer"].to_list() == [51]
    assert result.notes == ["kolommen niet gelezen: 'Nr'"], "the planner sees what was skipped"


@pytest.mark.parametrize("beheerder", ["Beheerder (ja/nee)", "Wil je beheerder worden?"])
def test_a_beheerder_column_is_read_under_a_longer_header(beheerder: str) -> None:
    header = ["Naam", "Adres", "Woonplaats", "Leeftijd", "Telefoonnummer (mobiel)", beheerder]
    result = run(["A Fictief", "Markt 1", "Geleen", "40", "0611111111", "ja"], header=header)
    assert result.accepted["beheerder"].to_list() == [True]
    assert result.notes == []


@pytest.mark.parametrize("phone", ["Tel. nummer", "06-nummer", "Telefoon nr.", "GSM-nummer"])
def test_phone_headers_as_planners_write_them(phone: str) -> None:
    header = ["Naam", "Adres", "Woonplaats", "Leeftijd", phone]
    result = run(["A Fictief", "Markt 1", "Geleen", "40", "06-11111111"], header=header)
    assert result.accepted["telefoon"].to_list() == ["+31611111111"]
    assert result.notes == []


def test_a_field_in_two_columns_is_read_from_the_filled_one() -> None:
    header = ["row", "naam", "reason", *HEADER]  # a rejects.csv sent back
    named_in_the_typed_column = ["5", "", "naam ontbreekt", *person()]
    both = ["6", "Gijs Gefingeerd", "", *person(Naam="Gijs Gefingerd", Telefoon="0622222222")]
    result = run(named_in_the_typed_column, both, header=header)
    assert result.accepted["naam"].to_list() == ["Fenna Fictief", "Gijs Gefingeerd"]
    assert result.notes == ["kolommen niet gelezen: 'row', 'reason'"]

    header = ["Nr", "Naam", "Straat", "Huisnummer", "Woonplaats", "Leeftijd", "Telefoon"]
    result = run(["1", "A Fictief", "Markt", "", "Geleen", "40", "0611111111"], header=header)
    assert result.accepted["huisnummer"].isna().all(), "another alias is no spare column"

    # Review 58: rejects of a CSV batch and an Excel batch sent back in one table, the
    # "ja" typed under "Beheerder (ja/nee)" was not read.
    header = [
        "Naam",
        "Adres",
        "Woonplaats",
        "Leeftijd",
        "Telefoon",
        "Beheerder",
        "Beheerder (ja/nee)",
    ]
    rows = [
        ["A Fictief", "Markt 1", "Geleen", "40", "0611111111", "", "ja"],
        ["B Fictief", "Markt 2", "Geleen", "40", "0622222222", "ja", ""],
    ]
    result = run(*rows, header=header)
    assert result.accepted["beheerder"].to_list() == [True, True]
    assert result.notes == []
    # Review 60: never someone else's value ("(noodgeval)", "(partner)")
    header = [
        "Naam",
        "Adres",
        "Woonplaats",
        "Leeftijd",
        "Telefoon",
        "Telefoon (noodgeval)",
        "Naam (partner)",
    ]
    rows = [
        ["Bram Berk", "Markt 1", "Geleen", "40", "", "0623456720", "Cor Berk"],
        ["", "Markt 2", "Geleen", "40", "0623456721", "", "Dirk Dak"],
    ]
    result = run(*rows, header=header)
    assert result.accepted.empty
    assert sorted(result.rejects["reason"]) == ["naam ontbreekt", "telefoonnummer ontbreekt"]
    assert result.notes == ["kolommen niet gelezen: 'Telefoon (noodgeval)', 'Naam (partner)'"]


def test_a_header_naming_two_fields_is_not_guessed() -> None:
    header = [*HEADER, "Postcode en woonplaats van de beheerder"]
    row = ["A Fictief", "Markt 1", "6161AB", "Geleen", "40", "0611111111", "nee", "x"]
    result = run(row, header=header)
    assert result.accepted["beheerder"].to_list() == [False]
    assert result.notes == ["kolommen niet gelezen: 'Postcode en woonplaats van de beheerder'"]


def test_a_row_wider_than_the_header_is_refused_with_every_cell_kept() -> None:
    header = ["Naam", "Telefoon", "Adres", "Woonplaats", "Leeftijd"]
    shifted = ["Fictief", " Persoon", "0611111111", "Markt 1", "Geleen", "40"]  # ; in a name
    tail = ["B Fictief", "0622222222", "Markt 2", "Geleen", "40", "wil graag beheerder zijn"]
    fine = ["C Fictief", "0633333333", "Markt 3", "Geleen", "40", "", ""]  # empty cells: fine
    more = [[f"{n} Fictief", f"06444444{n}", f"Markt {n}", "Geleen", "40"] for n in (10, 11)]
    result = run(shifted, tail, fine, *more, header=header)
    assert result.accepted["naam"].to_list() == ["C Fictief", "10 Fictief", "11 Fictief"]
    assert result.rejects["reason"].str.contains("6 cellen en de kopregel 5").all()
    assert result.rejects["kolom 6"].to_list() == ["40", "wil graag beheerder zijn"]


def test_a_column_without_a_header_that_most_rows_fill_is_a_column() -> None:
    header = ["Naam", "Telefoon", "Adres", "Woonplaats", "Leeftijd"]
    rows = [[f"{n} Fictief", f"06444444{n}", f"Markt {n}", "Geleen", "40", "gebeld"] for n in (10, 11)]  # fmt: skip
    result = run(*rows, header=header)
    assert result.accepted["naam"].to_list() == ["10 Fictief", "11 Fictief"]
    assert result.notes == ["kolommen niet gelezen: 'kolom 6'"]


@pytest.mark.parametrize(
    ("extra", "cell"),
    [
        ("Leeftijd 18+?", "ja"),  # a yes/no question, not the age
        ("Leeftijdscategorie", "60-70"),
        ("Ik wil GEEN beheerder worden", "x"),
        ("Opmerking over beheerder", "misschien later"),
        ("Nieuwsbrief per e-mail?", "ja"),
    ],
)
def test_a_longer_header_that_only_mentions_a_field_is_not_read_as_it(
    extra: str, cell: str
) -> None:
    header = ["Naam", "Adres", "Woonplaats", "Geboortedatum", "Telefoon", extra]
    result = run(
        ["A Fictief", "Markt 1", "Geleen", "1960-05-01", "0611111111", cell], header=header
    )
    assert len(result.accepted) == 1 and not result.accepted["beheerder"].any()
    assert result.accepted["email"].isna().all() or (result.accepted["email"] == "").all()
    assert result.notes == [f"kolommen niet gelezen: {extra!r}"]


def test_two_loose_phone_headers_are_not_guessed_between() -> None:
    header = ["Naam", "Adres", "Woonplaats", "Leeftijd", "Telefoonnummer (vast)", "Telefoonnummer (mobiel)"]  # fmt: skip
    with pytest.raises(InputFileError, match="telefoonnummer"):
        run(["A Fictief", "Markt 1", "Geleen", "40", "0461234567", "0611111111"], header=header)


def test_a_house_number_with_its_addition_in_one_column_beats_a_serial_number() -> None:
    header = ["Nr.", "Naam", "Straat", "Huisnummer + toevoeging", "Woonplaats", "Leeftijd", "Telefoon"]  # fmt: skip
    result = run(
        ["7", "A Fictief", "Kerkstraat", "12A", "Geleen", "40", "0611111111"], header=header
    )
    row = result.accepted.iloc[0]
    assert (row["huisnummer"], row["huisletter"]) == (12, "A")


def test_english_headers_and_split_address_columns() -> None:
    header = [
        "First name",
        "Last name",
        "Street",
        "House number",
        "Addition",
        "ZIP",
        "City",
        "Age",
        "Phone",
        "E-mail",
    ]
    row = [
        "Fenna",
        "Fictief",
        "Kerkstraat",
        "12",
        "bis",
        "6166AB",
        "Geleen",
        "30",
        "0612345678",
        "f@example.org",
    ]
    result = run(row, header=header)
    accepted = result.accepted.iloc[0]
    assert accepted["naam"] == "Fenna Fictief"
    assert (accepted["huisnummer"], accepted["toevoeging"], accepted["email"]) == (
        12,
        "BIS",
        "f@example.org",
    )


def test_header_below_a_title_row_and_empty_rows_skipped() -> None:
    rows = [
        ["Aanmeldingen BuurtWhatsApp Oud-Geleen", "", "", "", "", "", ""],
        HEADER,
        person(),
        ["" for _ in HEADER],
        person(Naam="Gijs", Telefoon="0687654321"),
    ]
    result = validate_rows(rows, today=TODAY)
    assert result.accepted["row"].to_list() == [3, 5]
    assert result.empty_rows == 1


def test_coordinates_skip_the_address() -> None:
    header = [*HEADER, "lat", "lon"]
    result = run(
        [*person(Adres=""), "50,9725", "5.8274"],
        [*person(Naam="X", Telefoon="0687654321"), "91", "5"],
        header=header,
    )
    assert result.accepted.loc[0, "lat"] == pytest.approx(50.9725)
    assert "buiten de wereld" in result.rejects.loc[0, "reason"]


def test_default_place_fills_in_a_missing_city() -> None:
    result = run(person(Postcode="", Woonplaats=""), default_place="Geleen")
    assert result.accepted.loc[0, "woonplaats"] == "Geleen"


@pytest.mark.parametrize(
    "header",
    [["Adres", "Telefoon"], ["Naam", "Telefoon"], ["Naam", "Adres", "Woonplaats"]],
)
def test_missing_required_columns_are_named(header: list[str]) -> None:
    with pytest.raises(InputFileError, match="kolom"):
        validate_rows([header, ["x"] * len(header)], today=TODAY)


def test_header_only_is_an_error() -> None:
    with pytest.raises(InputFileError, match="geen aanmeldingen"):
        validate_rows([HEADER], today=TODAY)


@pytest.mark.parametrize(
    ("raw", "expected", "remark"),
    [
        ("06-12345678", "+31612345678", ""),
        ("0031 6 1234 5678", "+31612345678", ""),
        ("612345678", "+31612345678", ""),  # Excel dropped the leading zero
        ("31612345678", "+31612345678", ""),  # Excel stored +31... as a number
        ("31612345678.0", "+31612345678", ""),
        ("+32 470 12 34 56", "+32470123456", ""),  # Belgian mobile, with its country code
        ("+49 1512 3456789", "+4915123456789", ""),
        ("046 475 1234", "+31464751234", "vast nummer"),
        ("06 \u2013 12345678", "+31612345678", ""),  # Word's en dash
        ("06\u201112345678", "+31612345678", ""),  # a non-breaking hyphen
        ("+31 6 \u2212 1234 5678", "+31612345678", ""),  # a minus sign
    ],
)
def test_phone_numbers_to_e164(raw: str, expected: str, remark: str) -> None:
    number, note = normalize_phone(raw)
    assert number == expected
    assert remark in note if remark else note == ""


@given(
    national=st.integers(10_000_000, 55_999_999),
    style=st.sampled_from(["06{}", "+316{}", "00316{}", "06-{}", "(06) {}"]),
)
def test_any_valid_dutch_mobile_in_any_style_gives_one_e164(national: int, style: str) -> None:
    digits = f"{national:08d}"
    if not phonenumbers.is_valid_number(phonenumbers.parse("06" + digits, "NL")):
        return
    spaced = f"{digits[:2]} {digits[2:5]} {digits[5:]}"
    assert normalize_phone(style.format(spaced))[0] == f"+316{digits}"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ja", True),
        ("X", True),
        ("1", True),
        ("yes", True),
        ("", False),
        ("nee", False),
        ("0", False),
    ],
)
def test_beheerder_values(raw: str, expected: bool) -> None:
    assert parse_yes_no(raw) == (expected, "")


def test_unknown_beheerder_value_reads_as_no_with_a_remark() -> None:
    assert parse_yes_no("misschien") == (
        False,
        "beheerder-waarde 'misschien' niet herkend; gelezen als 'nee'",
    )


def test_age_from_birthdate_counts_whole_years() -> None:
    assert parse_age("", "2000-11-25", today=TODAY) == 25
    assert parse_age("", "2000-11-24", today=TODAY) == 26
    assert parse_age("45 jaar", today=TODAY) == 45


cell = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["", "17", "18", "0612345678", "Kerkstraat 1", "ja", "6166 AB"]),
)


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(
        st.lists(cell, min_size=len(HEADER), max_size=len(HEADER)), min_size=1, max_size=25
    )
)
def test_no_row_is_ever_lost(rows: list[list[str]]) -> None:
    non_empty = sum(1 for row in rows if any(row))
    if non_empty == 0:
        with pytest.raises(InputFileError):
            validate_rows([HEADER, *rows], today=TODAY)
        return
    result = validate_rows([HEADER, *rows], today=TODAY)
    assert len(result.accepted) + len(result.rejects) == result.rows_in == non_empty
    assert set(result.accepted["row"]).isdisjoint(result.rejects["row"])
    assert (result.rejects["reason"].str.len() > 0).all()


def test_an_age_written_as_18_plus_passes_the_rule() -> None:
    from datetime import date

    from geo.intake import parse_age

    assert parse_age("18+", today=date(2026, 11, 25)) == 18
    assert parse_age("65 +", today=date(2026, 11, 25)) == 65
    with pytest.raises(ValueError, match="geen getal"):
        parse_age("+18", today=date(2026, 11, 25))


# --- issue 12, item 14: phones -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "note"),
    [
        ("0612345678 (werk)", "werk"),
        ("0612345678 mob", "mob"),
        ("06-12345678 na 18u", "na 18u"),
        ("06 12 34 56 78 alleen WhatsApp", "alleen WhatsApp"),
        ("0612345678 [bel](https://x.example)", "[bel](https://x.example)"),  # kept as typed
    ],
)
def test_words_after_a_phone_number_become_a_remark_never_digits(raw: str, note: str) -> None:
    number, remark = normalize_phone(raw)
    assert number == "+31612345678"  # not +49... through letters read as digits
    assert note in remark
    result = run(person(), person(Naam="Gijs Gefingeerd", Telefoon=raw))
    assert "één deelnemer per nummer" in result.rejects.loc[0, "reason"]  # duplicate is found
    alone = run(person(Telefoon=raw))
    assert note in alone.accepted.loc[0, "opmerking"]


@pytest.mark.parametrize("raw", ["06-123456789", "0694071872", "06-71234567"])
def test_mistyped_dutch_mobile_is_no_german_landline(raw: str) -> None:
    with pytest.raises(ValueError, match=r"geen geldig Nederlands nummer.*Duits.*\+49"):
        normalize_phone(raw)


def test_national_number_is_read_in_the_first_region_only() -> None:
    with pytest.raises(ValueError, match=r"Belgisch.*Schrijf dan \+32"):
        normalize_phone("0470 12 34 56")
    assert normalize_phone("+32 470 12 34 56")[0] == "+32470123456"
    assert normalize_phone("0032 470 12 34 56")[0] == "+32470123456"
    assert normalize_phone("0470 12 34 56", regions=("BE", "NL"))[0] == "+32470123456"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("0800 1234", "gratis servicenummer"),
        ("0800-0123", "gratis servicenummer"),
        ("0900 1234567", "betaald informatienummer"),
        ("0900-8844", "betaald informatienummer"),
        ("088 123 4567", "bedrijfsnummer"),
        ("0612345678 / 0687654321", "meer dan één nummer"),
        ("0612345678 of 0687654321", "meer dan één nummer"),
        ("3,16123E+10", "Excel"),
        ("06-CALL-ME", "geen geldig nummer"),
    ],
)
def test_numbers_of_nobody_are_refused_with_a_reason(raw: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        normalize_phone(raw)


EMAIL_HEADER = [*HEADER, "E-mail"]


def with_email(email: str, **overrides: str) -> list[str]:
    """:func:`person` with an ``E-mail`` cell (the last column of :data:`EMAIL_HEADER`)."""
    return [*person(**overrides), email]


@pytest.mark.parametrize(
    ("email", "reason"),
    [
        (
            "a@x.nl\nb@y.nl",
            "e-mailadres 'a@x.nl b@y.nl' bevat meer dan één adres; laat er één staan",
        ),
        ("a@x.nl\r\nb@y.nl", "bevat meer dan één adres"),
        ("a@x.nl; b@y.nl", "bevat meer dan één adres"),
        ("a@x.nl of b@y.nl", "bevat meer dan één adres"),
        ("fenna@x.nl\n(werk)", "loopt over meer dan één regel"),
        ("fenna@x.\nnl", "loopt over meer dan één regel"),
    ],
)
def test_an_email_cell_with_two_addresses_or_a_line_break_is_refused(
    email: str, reason: str
) -> None:
    result = run(with_email(email), header=EMAIL_HEADER)
    assert result.accepted.empty
    assert reason in result.rejects.loc[0, "reason"]
    assert result.rejects.loc[0, "E-mail"] == email  # the original cell, line break and all


def test_one_email_address_is_kept_as_given() -> None:
    rows = [
        with_email(" fenna@example.org\n"),
        with_email("geen", Naam="Gijs", Telefoon="0687654321"),
        with_email("", Naam="Hanna", Telefoon="0611111111"),
    ]
    result = run(*rows, header=EMAIL_HEADER)
    assert result.rejects.empty
    assert result.accepted["email"].to_list() == ["fenna@example.org", "geen", ""]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_an_email_cell_with_a_line_break_is_refused_in_csv_and_xlsx(
    tmp_path: Path, suffix: str
) -> None:
    rows = [
        EMAIL_HEADER,
        with_email("fenna@example.org"),
        with_email("g@x.nl\ng@y.nl", Naam="Gijs Fictief", Telefoon="0687654321"),
    ]
    path = tmp_path / f"aanmeldingen{suffix}"
    if suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(rows)  # the line break inside a quoted cell
    else:
        workbook = Workbook()
        for row in rows:
            workbook.active.append(row)  # type: ignore[union-attr]
        workbook.save(path)
    result = read_applicants(path, today=TODAY)
    assert result.accepted["email"].to_list() == ["fenna@example.org"]
    assert result.rejects["naam"].to_list() == ["Gijs Fictief"]
    assert "bevat meer dan één adres" in result.rejects.loc[0, "reason"]


@settings(max_examples=200, deadline=None)
@given(
    digits=st.from_regex(r"[1-9][0-9]{7,10}", fullmatch=True),
    note=st.sampled_from(["", " (werk)", " mob", " na 18u", " privé", " WhatsApp"]),
)
def test_a_national_number_is_dutch_or_refused(digits: str, note: str) -> None:
    """Whatever follows a 0, intake either gives a Dutch number or a reason: never a German or
    Belgian number (those need their country code), never digits made from letters."""
    try:
        number, _ = normalize_phone(f"0{digits}{note}")
    except ValueError as error:
        assert str(error)
        return
    assert number.startswith("+31")
    assert number == normalize_phone(f"0{digits}")[0]


# --- issue 12, item 16: what Dutch Excel writes back ----------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("WAAR", True),
        ("ONWAAR", False),
        ("waar", True),
        ("ja", True),
        ("Nee", False),
        ("TRUE", True),
        ("false", False),
        ("1", True),
        ("0", False),
        ("1.0", True),
        ("x", True),
        ("", False),
    ],
)
def test_parse_bool_reads_what_excel_writes(raw: str, expected: bool) -> None:
    assert parse_bool(raw) is expected
    assert parse_yes_no(raw) == (expected, "")


def test_parse_bool_refuses_unknown_text_in_dutch() -> None:
    with pytest.raises(ValueError, match="geen ja/nee-waarde"):
        parse_bool("misschien")


@pytest.mark.parametrize(
    "raw",
    ["+31612345678", "31612345678", "31612345678.0", "612345678", "0031 6 12345678", "06-12345678",
     "'+31612345678", "+31 (0)6 1234 5678"],
)  # fmt: skip
def test_phone_e164_gives_one_number_for_every_excel_form(raw: str) -> None:
    assert phone_e164(raw) == "+31612345678"


def test_phone_without_plus_is_a_duplicate_of_the_same_number_with_plus() -> None:
    result = run(person(Telefoon="+31612345678"), person(Naam="Gijs", Telefoon="31612345678"))
    assert "één deelnemer per nummer" in result.rejects.loc[0, "reason"]


# --- issue 12, item 17: intake details -------------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected"), [("18,5", 18), ("18.5", 18), ("44,9 jaar", 44)])
def test_age_with_a_decimal_comma_is_floored(raw: str, expected: int) -> None:
    assert parse_age(raw, today=TODAY) == expected
    assert len(run(person(Leeftijd=raw)).accepted) == 1


@pytest.mark.parametrize(
    ("born", "age"), [("01-01-60", 66), ("01/01/60", 66), ("24-11-08", 18), ("01-01-30", 96)]
)
def test_two_digit_birth_year_is_never_in_the_future(born: str, age: int) -> None:
    assert parse_age("", born, today=TODAY) == age


def test_age_and_birth_date_that_disagree_are_refused() -> None:
    with pytest.raises(ValueError, match="spreken elkaar tegen"):
        parse_age("44", "01-01-1960", today=TODAY)
    assert parse_age("65", "01-12-1960", today=TODAY) == 65  # within a year: the date decides
    assert parse_age("18", "25-11-2008", today=TODAY) == 17  # so the 18+ rule is exact
    assert parse_age("18+", "01-01-1960", today=TODAY) == 66  # "18+" is a minimum
    with pytest.raises(ValueError, match="spreken elkaar tegen"):
        parse_age("18+", "01-01-2010", today=TODAY)
    header = [*HEADER, "Geboortedatum"]
    result = run([*person(Leeftijd="44"), "01-01-1960"], header=header)
    assert "spreken elkaar tegen" in result.rejects.loc[0, "reason"]


@pytest.mark.parametrize("invisible", ["\u202e", "\u200b", "\u200d", "\u2066", "\ufeff", "\u00ad"])
def test_invisible_format_characters_are_stripped_from_every_cell(invisible: str) -> None:
    result = run(
        person(Naam=f"Fenna{invisible} Fictief{invisible}", Adres=f"Kerk{invisible}straat 12a"),
        person(Naam="Fenna Fictief", Telefoon=f"06{invisible}12345678"),
    )
    accepted = result.accepted.iloc[0]
    assert (accepted["naam"], accepted["straat"]) == ("Fenna Fictief", "Kerkstraat")
    assert "dubbele aanmelding" in result.rejects.loc[0, "reason"]  # the same person
    assert invisible not in "".join(map(str, result.rejects.iloc[0].to_list()))


def test_floor_word_after_the_house_number_is_an_addition() -> None:
    accepted = run(person(Adres="Kerkstraat 18 boven")).accepted.iloc[0]
    assert (accepted["huisnummer"], accepted["huisletter"], accepted["toevoeging"]) == (
        18,
        "",
        "BOV",
    )
