"""Sign-ups from mail files: mbox, one .eml, a folder of them; recognised by content."""

from __future__ import annotations

import csv
from email.message import EmailMessage
from pathlib import Path

import pytest

from geo.cli import main
from geo.errors import InputFileError
from geo.intake import read_applicants
from geo.mail import is_mail_source, write_mbox
from geo.mail_extract import QUESTION_REMARK

ASKED = f"geen aanmelding herkend; {QUESTION_REMARK}"  # "Hoe laat begint de bijeenkomst?"

REGISTER = """straat,huisnummer,huisletter,toevoeging,postcode,woonplaats,lat,lon
Molenweg,3,,,6166BA,Geleen,50.9725,5.8274
Molenweg,5,,,6166BA,Geleen,50.9726,5.8275
"""


def mail(number: int, body: str, *, sender: str = "") -> bytes:
    message = EmailMessage()
    message["From"] = sender or f"Bewoner {number} <bewoner{number}@example.org>"
    message["Subject"] = f"Aanmelding {number}"
    message["Date"] = f"Fri, 0{number} May 2024 10:00:00 +0200"
    message["Message-ID"] = f"<file-{number}@example.org>"
    message.set_content(body)
    return bytes(message)


MESSAGES = [
    mail(1, "Ik ben Mia Hendriks, Molenweg 3, 6166 BA Geleen, 38 jaar, 06 2345 6702."),
    mail(2, "Hoe laat begint de bijeenkomst?"),
    mail(
        3, "Naam: Daan Peeters\nAdres: Molenweg 5, 6166 BA Geleen\nLeeftijd: 29\nTel: 06 2345 6790"
    ),
]


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def check(result) -> None:  # type: ignore[no-untyped-def]
    assert list(result.accepted["naam"]) == ["Mia Hendriks", "Daan Peeters"]
    assert list(result.rejects["reason"]) == [ASKED]
    ids = {*result.accepted["bericht_id"], *result.rejects["Bericht-ID"]}
    assert ids == {f"<file-{n}@example.org>" for n in (1, 2, 3)}  # nothing lost
    assert any("3 e-mails gelezen" in note for note in result.notes)


@pytest.mark.parametrize("name", ["Postvak IN.mbox", "takeout.txt", "export"])
def test_mbox_by_content_whatever_the_name(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    write_mbox(MESSAGES, path)
    assert is_mail_source(path)
    check(read_applicants(path))


def test_single_eml(tmp_path: Path) -> None:
    path = tmp_path / "aanmelding.eml"
    path.write_bytes(MESSAGES[0])
    result = read_applicants(path)
    assert list(result.accepted["naam"]) == ["Mia Hendriks"]
    assert "1 e-mail gelezen uit aanmelding.eml: 1 regel" in result.notes, result.notes


def test_folder_of_eml_skips_other_files(tmp_path: Path) -> None:
    folder = tmp_path / "mails"
    folder.mkdir()
    for number, raw in enumerate(MESSAGES, start=1):
        (folder / (f"{number}.eml" if number != 2 else "zonder-extensie")).write_bytes(raw)
    (folder / "lees-mij.txt").write_text("geen e-mail", encoding="utf-8")
    result = read_applicants(folder)
    check(result)
    assert "1 bestand in de map is geen e-mail: lees-mij.txt" in result.notes, result.notes


def test_csv_is_not_taken_for_mail(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(
        "Naam;Adres;Woonplaats;Leeftijd;Telefoon\nA B;Molenweg 3;Geleen;40;0623456702\n"
    )
    assert not is_mail_source(path)
    assert len(read_applicants(path).accepted) == 1


def test_folder_without_mail_is_refused(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("niets", encoding="utf-8")
    with pytest.raises(InputFileError, match="map"):
        read_applicants(tmp_path)


def test_cli_intake_reads_an_mbox(tmp_path: Path) -> None:
    mbox = tmp_path / "postvak.mbox"
    write_mbox(MESSAGES, mbox)
    register = tmp_path / "bag.csv"
    register.write_text(REGISTER, encoding="utf-8")
    out = tmp_path / "uit"
    code = main(["intake", "--applicants", str(mbox), "--addresses", str(register), "--offline",
                 "--cache-dir", str(tmp_path / "c"), "--out", str(out)])  # fmt: skip
    assert code == 0
    accepted = read(out / "applicants.csv")
    assert [(r["naam"], r["bericht_id"], r["onderwerp"]) for r in accepted] == [
        ("Mia Hendriks", "<file-1@example.org>", "Aanmelding 1"),
        ("Daan Peeters", "<file-3@example.org>", "Aanmelding 3"),
    ]
    assert all("Bericht" not in r for r in accepted)  # the body stays out of accepted rows
    rejects = read(out / "rejects.csv")
    assert [(r["reason"], r["Bericht-ID"]) for r in rejects] == [(ASKED, "<file-2@example.org>")]
