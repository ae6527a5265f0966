"""Benchmark: sign-ups read from e-mail (geo.mail) against a generated corpus with its truth.

    python bench/bench_email.py [--messages 400] [--speed 10000] [--seed 15]

Reports people found (recall), people invented (precision), accuracy per field, phones that
were wrong without a "controleren" mark, and the time to read N messages. All people are
fictitious.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from datetime import date
from email.message import EmailMessage

from geo.intake import validate_rows
from geo.mail import HEADER, message_rows, parse_message

TODAY = date(2024, 6, 1)
FIRST = ["Mia", "Daan", "Sanne", "Bram", "Lotte", "Joep", "Nina", "Evert", "Fleur", "Gijs",
         "Anna", "Kim", "Vera", "Tom", "Els", "Jan", "Ria", "Wim", "José", "Ilse"]  # fmt: skip
LAST = ["Hendriks", "Peeters", "de Vries", "Jacobs", "Smeets", "Kuijpers", "Wouters",
        "Claessens", "Maes", "Rutten", "van den Berg", "Lemmens", "Coenen", "Muñoz"]  # fmt: skip
STREETS = ["Molenweg", "Kerkstraat", "Annastraat", "Oude Kerkstraat", "Daalstraat", "Hoogstraat"]
SUFFIXES = ["", "", "", "a", "B", "-2"]


def person(rng: random.Random, used: set[str]) -> dict[str, str]:
    while True:
        phone = f"06{rng.randrange(20000000, 59999999)}"  # valid mobile ranges
        if phone not in used:
            used.add(phone)
            break
    return {
        "naam": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        "straat": rng.choice(STREETS),
        "nummer": f"{rng.randrange(1, 180)}{rng.choice(SUFFIXES)}",
        "postcode": f"61{rng.randrange(60, 70)} {rng.choice(['AB', 'BA', 'CD', 'GE'])}",
        "leeftijd": str(rng.randrange(19, 90)),
        "telefoon": phone,
        "beheerder": rng.choice(["ja", "nee", ""]),
    }


def spaced(phone: str, rng: random.Random) -> str:
    return rng.choice([
        phone, f"{phone[:2]}-{phone[2:]}", f"{phone[:2]} {phone[2:4]} {phone[4:6]} {phone[6:8]} {phone[8:]}",
        f"{phone[:2]}-{phone[2:6]} {phone[6:]}", f"+31 6 {phone[2:6]} {phone[6:]}",
    ])  # fmt: skip


def body_for(p: dict[str, str], rng: random.Random) -> tuple[str, str]:
    """A message text and its kind."""
    tel = spaced(p["telefoon"], rng)
    adres = f"{p['straat']} {p['nummer']}"
    wish = {"ja": "Ik wil ook wel beheerder worden.", "nee": "Beheerder worden hoeft niet.", "": ""}
    kind = rng.choice(["labels", "labels_en", "labels_below", "one_line", "web_form", "prose",
                       "prose_short", "signature", "reply", "forward", "html"])  # fmt: skip
    if kind == "labels":
        text = (f"Beste wijkplatform,\n\nNaam: {p['naam']}\nAdres: {adres}\nPostcode: {p['postcode']}\n"
                f"Woonplaats: Geleen\nLeeftijd: {p['leeftijd']}\nTelefoon: {tel}\n"
                f"Beheerder: {p['beheerder'] or 'nee'}\n")  # fmt: skip
    elif kind == "labels_en":
        text = (f"Name {p['naam']}\nAddress {adres}, {p['postcode']} Geleen\nAge {p['leeftijd']}\n"
                f"Phone {tel}\nAdmin {p['beheerder'] or 'no'}\n")  # fmt: skip
    elif kind == "labels_below":  # a form pasted with each label above its value
        text = (f"Beste wijkplatform,\n\nNaam:\n{p['naam']}\nAdres:\n{adres}\n{p['postcode']} Geleen\n"
                f"Leeftijd:\n{p['leeftijd']}\nTelefoon:\n{tel}\nBeheerder:\n{p['beheerder'] or 'nee'}\n")  # fmt: skip
    elif kind == "one_line":  # the other fields on the name's line
        text = (f"Naam: {p['naam']}, {p['leeftijd']} jaar, {tel}\nAdres: {adres}, {p['postcode']} Geleen\n"
                f"{wish[p['beheerder']]}\n")  # fmt: skip
    elif kind == "web_form":  # a form's fields side by side, first and last name apart
        first, last = p["naam"].split(" ", 1)
        text = (f"Voornaam: {first}\tAchternaam: {last}\nStraat: {p['straat']}\tHuisnummer: {p['nummer']}\n"
                f"Postcode: {p['postcode']}\tWoonplaats: Geleen\nLeeftijd: {p['leeftijd']}\n"
                f"Telefoon: 046-4751234 / {tel}\nBeheerder: {p['beheerder'] or 'nee'}\n")  # fmt: skip
    elif kind == "prose":
        text = (f"Hallo,\n\nIk ben {p['naam']}, woon op de {adres} in Geleen ({p['postcode'].replace(' ', '')}), "
                f"ben {p['leeftijd']} jaar en mijn nummer is {tel}. {wish[p['beheerder']]}\n")  # fmt: skip
    elif kind == "prose_short":
        text = (f"Graag aanmelden: {p['naam']}, {adres}, {p['postcode']} Geleen, "
                f"{p['leeftijd']} jr, tel {tel}. {wish[p['beheerder']]}")  # fmt: skip
    elif kind == "signature":
        text = (f"Ik doe graag mee! Mijn mobiel voor de groep: {tel}. Ik ben {p['leeftijd']} jaar en "
                f"woon op de {adres}, {p['postcode']} Geleen. {wish[p['beheerder']]}\n\n"
                f"Met vriendelijke groet,\n{p['naam']}\nTel. thuis: 046-4751234\n")  # fmt: skip
    elif kind == "reply":
        text = (f"Mijn naam is {p['naam']}, {p['leeftijd']} jaar, {adres}, {p['postcode']} Geleen. "
                f"Telefoon {tel}. {wish[p['beheerder']]}\n\n"
                "Op do 2 mei 2024 om 09:00 schreef Wijkplatform <wp@example.org>:\n"
                "> Beste bewoner, mail uw naam, adres, leeftijd en nummer (06-1111 2222).\n")  # fmt: skip
    elif kind == "forward":
        text = ("Namens mijn buurvrouw stuur ik dit door.\n\nGroet, Piet Janssen\n06 9999 0000\n\n"
                "---------- Doorgestuurd bericht ---------\n"
                f"Van: {p['naam']} <buur@example.org>\nDatum: do 2 mei 2024\nOnderwerp: aanmelden\n\n"
                f"Ik woon op de {adres}, {p['postcode']} Geleen, ben {p['leeftijd']} jaar, mobiel {tel}. "
                f"{wish[p['beheerder']]}\n")  # fmt: skip
    else:
        text = (f"<html><body><p>Naam: {p['naam']}</p><p>Adres: {adres}<br>{p['postcode']} Geleen</p>"
                f"<p>Leeftijd: {p['leeftijd']}</p><p>Telefoon: {tel}</p>"
                f"<p>{wish[p['beheerder']]}</p></body></html>")  # fmt: skip
    return text, kind


def corpus(count: int, seed: int) -> tuple[list[bytes], list[dict[str, str]]]:
    """Raw messages and the truth: one entry per person (couples give two), each with the
    Message-ID of the message it is in (``bericht``)."""
    rng = random.Random(seed)
    used: set[str] = set()
    raws: list[bytes] = []
    truth: list[dict[str, str]] = []
    for index in range(count):
        message = EmailMessage()
        message["From"] = f"Bewoner {index} <b{index}@example.org>"
        message["Subject"] = "Aanmelding buurtpreventie"
        message["Date"] = "Fri, 03 May 2024 10:00:00 +0200"
        message["Message-ID"] = f"<bench-{index}@example.org>"
        roll = rng.random()
        if roll < 0.06:
            message.set_content(rng.choice([
                "Wanneer is de volgende bijeenkomst?", "Nieuwsbrief juni: de barbecue gaat door.",
            ]))  # fmt: skip
        elif roll < 0.14:
            a, b = person(rng, used), person(rng, used)
            b["straat"], b["nummer"], b["postcode"] = a["straat"], a["nummer"], a["postcode"]
            last = a["naam"].split(" ", 1)[1]
            b["naam"] = f"{b['naam'].split()[0]} {last}"
            a["beheerder"] = b["beheerder"] = ""
            message.set_content(
                f"Mijn vrouw en ik willen ons aanmelden. Wij wonen op de {a['straat']} {a['nummer']}, "
                f"{a['postcode']} Geleen.\nIk ben {a['naam']}, {a['leeftijd']} jaar, {spaced(a['telefoon'], rng)}.\n"
                f"Mijn vrouw {b['naam']} is {b['leeftijd']} jaar, haar nummer is {spaced(b['telefoon'], rng)}.\n"
            )  # fmt: skip
            a["bericht"] = b["bericht"] = message["Message-ID"]
            truth += [a, b]
        else:
            p = person(rng, used)
            text, kind = body_for(p, rng)
            message.set_content(text, subtype="html" if kind == "html" else "plain",
                                charset=rng.choice(["utf-8", "iso-8859-1"]),
                                cte=rng.choice(["quoted-printable", "base64", "8bit"]))  # fmt: skip
            p["bericht"] = message["Message-ID"]
            truth.append(p)
        raws.append(bytes(message))
    return raws, truth


def expected(p: dict[str, str]) -> dict[str, str]:
    number = p["nummer"]
    return {"naam": p["naam"], "adres": f"{p['straat']} {number}", "postcode": p["postcode"],
            "leeftijd": p["leeftijd"], "telefoon": "+31" + p["telefoon"][1:],
            "beheerder": p["beheerder"] or "nee"}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--speed", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    raws, truth = corpus(args.messages, args.seed)
    rows = message_rows([parse_message(r) for r in raws], today=TODAY)
    found = [dict(zip(HEADER, row, strict=True)) for row in rows[1:]]
    people = [r for r in found if r["Telefoon"] or r["Adres"]]
    in_message: dict[str, list[dict[str, str]]] = {}
    for row in people:
        in_message.setdefault(row["Bericht-ID"], []).append(row)
    truth_in: dict[str, list[dict[str, str]]] = {}
    for p in truth:
        truth_in.setdefault(p["bericht"], []).append(p)
    fields = Counter[str]()
    right = Counter[str]()
    hits = 0
    for p in truth:  # each person is looked for among the rows of their own message only
        want = expected(p)
        here = in_message.get(p["bericht"], [])
        got = next((r for r in here if r["Telefoon"] == want["telefoon"]), None)
        if got is None:  # found under another number?
            got = next((r for r in here if r["Naam"] == want["naam"]), None)
        if got is None:
            continue
        hits += 1
        values = {"naam": got["Naam"], "adres": got["Adres"], "postcode": got["Postcode"],
                  "leeftijd": got["Leeftijd"], "telefoon": got["Telefoon"],
                  "beheerder": got["Beheerder"] or "nee"}  # fmt: skip
        for name, value in want.items():
            fields[name] += 1
            right[name] += value.casefold().replace(", geleen", "") == value_fold(values[name])
    unmarked_wrong_phone = sum(
        1 for row in people if row["Telefoon"] and not row["Controleren"]
        and wrong_phone(row, truth_in.get(row["Bericht-ID"], []))
    )  # fmt: skip
    truth_phones = {"+31" + p["telefoon"][1:] for p in truth}
    invented = [r for r in people if r["Telefoon"] not in truth_phones]
    result = validate_rows(rows, today=TODAY, name="bench")
    print(f"messages: {len(raws)}, people in truth: {len(truth)}, rows: {len(found)}")
    print(f"people found (recall): {hits / len(truth):.1%}")
    print(
        f"people invented: {len(invented)} (precision {1 - len(invented) / max(len(people), 1):.1%})"
    )
    for name in fields:
        print(f"  {name:10s} {right[name] / fields[name]:.1%}")
    print(f"fields right overall: {sum(right.values()) / sum(fields.values()):.1%}")
    print(f"wrong phones without a 'controleren' mark: {unmarked_wrong_phone}")
    print(f"intake: {len(result.accepted)} accepted, {len(result.rejects)} rejected "
          f"({Counter(result.rejects['reason']).most_common(3)})")  # fmt: skip
    many = (raws * (args.speed // len(raws) + 1))[: args.speed]
    start = time.perf_counter()
    message_rows([parse_message(r) for r in many], today=TODAY)
    elapsed = time.perf_counter() - start
    print(f"time for {args.speed} messages: {elapsed:.1f} s ({args.speed / elapsed:.0f}/s)")


def wrong_phone(row: dict[str, str], truth_here: list[dict[str, str]]) -> bool:
    """Whether a row's number is not that of the person the row names: a number of no one in
    the message, or the number of someone else in it (two people's numbers swapped)."""
    owner = next((p for p in truth_here if "+31" + p["telefoon"][1:] == row["Telefoon"]), None)
    if owner is None:
        return True
    names = {p["naam"] for p in truth_here}
    return owner["naam"] != row["Naam"] and row["Naam"] in names


def value_fold(value: str) -> str:
    return value.casefold().replace(", geleen", "")


if __name__ == "__main__":
    main()
