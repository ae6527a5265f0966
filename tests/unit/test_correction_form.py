"""A sign-up to correct: every field once, the e-mail's text and source apart; the message text
is carried on an accepted row only while it has something to check; an accepted row corrected in
place keeps what is not given and is checked by the intake's rules."""

from __future__ import annotations

from datetime import date

import pytest

from geo.intake import MESSAGE_FIELD, validate_rows
from geo.mail import HEADER
from geo.project import correction_form
from geo.store import StoreError, _validated


def test_a_rejected_mail_row_shows_each_field_once_and_its_message_apart() -> None:
    cells = {"Naam": "Ans", "Adres": "Molenweg 3", "Leeftijd": "15", "Controleren": "leeftijd?",
             "Historie": "verbeterd door bericht <b>", "Bericht-ID": "<a@x>", "Afzender": "ans@x",
             "Onderwerp": "Aanmelding", "Bericht": "Ik ben Ans, 15 jaar."}  # fmt: skip
    form = correction_form(cells)
    assert list(form.fields) == ["Naam", "Adres", "Leeftijd", "Postcode", "Woonplaats",
                                 "Telefoon", "E-mail", "Beheerder"]  # fmt: skip
    assert form.fields["Postcode"] == "" and form.fields["Beheerder"] == ""
    assert form.message == "Ik ben Ans, 15 jaar." and form.check == "leeftijd?"
    assert form.history.startswith("verbeterd") and form.source["Afzender"] == "ans@x"
    again = form.cells({**form.fields, "Leeftijd": "51"})
    assert again["Leeftijd"] == "51" and again["Bericht"] == cells["Bericht"]
    assert "Controleren" not in again and "Historie" not in again, "corrected: checked"
    assert again["Bericht-ID"] == "<a@x>", "the source stays with the row"


def test_a_sheet_row_keeps_its_own_columns_and_gains_only_the_missing_ones() -> None:
    form = correction_form({"Voornaam": "Piet", "Achternaam": "Bos", "Straat": "Molenweg",
                            "Huisnummer": "3", "Mobiel": "06", "opmerking": "controleren: x"})  # fmt: skip
    assert list(form.fields) == ["Voornaam", "Achternaam", "Straat", "Huisnummer", "Mobiel",
                                 "Postcode", "Woonplaats", "Leeftijd", "E-mail", "Beheerder"]  # fmt: skip
    assert form.check == "x" and form.message == ""
    assert "Bericht" not in form.cells(form.fields)


def row(check: str) -> list[str]:
    values = {"Naam": "Mia Hendriks", "Adres": "Molenweg 3", "Postcode": "6166BA",
              "Woonplaats": "Geleen", "Leeftijd": "38", "Telefoon": "0623456702",
              "Controleren": check, "Bericht-ID": "<m@x>", "Afzender": "mia@x",
              "Bericht": "Ik ben Mia Hendriks, woon op de Molenweg 3."}  # fmt: skip
    return [values.get(h, "") for h in HEADER]


def test_only_an_accepted_row_with_a_remark_carries_the_message_text() -> None:
    result = validate_rows([list(HEADER), row("twee telefoonnummers")], today=date(2025, 1, 1))
    record = result.accepted.iloc[0]
    assert record["opmerking"] and record[MESSAGE_FIELD].startswith("Ik ben Mia")
    assert record["bericht_id"] == "<m@x>"
    plain = validate_rows([list(HEADER), row("")], today=date(2025, 1, 1)).accepted.iloc[0]
    assert plain["opmerking"] == ""
    assert not isinstance(plain[MESSAGE_FIELD], str), "nothing to check: no text kept"


STORED = {"naam": "Mia Hendriks", "straat": "Molenweg", "huisnummer": 3, "huisletter": "A",
          "toevoeging": "", "postcode": "6166 BA", "woonplaats": "Geleen",
          "telefoon": "+31623456702", "email": "", "beheerder": 1}  # fmt: skip


def test_a_correction_keeps_what_is_not_given_and_replaces_a_whole_address() -> None:
    phone = _validated(STORED, {"Mobiel": "06-2345 6703"}, point=(None, None), regions=("NL",))
    assert phone["telefoon"] == "+31623456703" and phone["opmerking"] == ""
    assert (phone["straat"], phone["huisnummer"], phone["huisletter"]) == ("Molenweg", 3, "A")
    assert phone["beheerder"] == 1, "the wish stays unless given"
    moved = _validated(STORED, {"Adres": "Kerkstraat 5", "Postcode": "6161aa"},
                       point=(None, None), regions=("NL",))  # fmt: skip
    assert (moved["straat"], moved["huisnummer"], moved["huisletter"]) == ("Kerkstraat", 5, "")
    assert (moved["postcode"], moved["woonplaats"]) == ("6161 AA", ""), "the old place goes too"
    landline = _validated(STORED, {"Telefoon": "046 400 0001", "Beheerder": "nee"},
                          point=(None, None), regions=("NL",))  # fmt: skip
    assert "WhatsApp" in landline["opmerking"] and landline["beheerder"] == 0
    with pytest.raises(StoreError, match="niet verbeterd: deelnemers moeten minimaal 18 jaar"):
        _validated(STORED, {"Geboortedatum": "01-01-2020"}, point=(None, None), regions=("NL",))
    with pytest.raises(StoreError, match="postcode of woonplaats nodig"):
        _validated(STORED, {"Straat": "Kerkstraat", "Huisnummer": "5"}, point=(None, None),
                   regions=("NL",))  # fmt: skip
