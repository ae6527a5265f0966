"""Recruitment flyers for the streets where households live but nobody has signed up yet.

A flyer holds the wijkplatform's letter in short, the streets it is for and a QR code that opens
a pre-filled sign-up e-mail (``mailto:``, RFC 6068) to the platform's address. Its first page
is for the planner: how many copies to print (one per household) and where to deliver them.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

import segno

from geo.errors import ConfigError
from geo.pdf import Document

SUBJECT = "Aanmelding BuurtWhatsApp"
BODY_FIELDS = ("Naam", "Adres", "Leeftijd", "Telefoon", "Beheerder (ja/nee)")
_PLAIN_EMAIL = re.compile(r"[^@\s<>\"?&,;:/]+@[^@\s<>\"?&,;:/]+\.[^@\s<>\"?&,;:/]+")


def check_platform_email(address: str) -> str:
    """``address`` when it is a plain e-mail address (or empty); a Dutch error otherwise."""
    address = address.strip()
    if address and not _PLAIN_EMAIL.fullmatch(address):
        msg = f"GEO_PLATFORM_EMAIL is geen gewoon e-mailadres: {address!r} (bv. aanmelden@wijkplatform.nl)"
        raise ConfigError(msg)
    return address


def signup_body() -> str:
    """The sign-up e-mail's body: one line per question, to be filled in."""
    return "\r\n".join(f"{field}: " for field in BODY_FIELDS)


def signup_mailto(address: str) -> str:
    """A ``mailto:`` link to ``address`` with the sign-up subject and questions filled in."""
    address = check_platform_email(address)
    query = f"subject={quote(SUBJECT, safe='')}&body={quote(signup_body(), safe='')}"
    return f"mailto:{quote(address, safe='@')}?{query}"


def qr_code(text: str) -> segno.QRCode:
    """The QR code of ``text`` (error correction M or better: readable from a folded flyer)."""
    return segno.make(text, error="m", micro=False, boost_error=True)


@lru_cache(maxsize=8)
def qr_png(text: str, *, scale: int = 8) -> bytes:
    """The QR code of ``text`` as a black-and-white PNG with the standard quiet zone (made
    once per text: every flyer of a pack carries the same code, and segno's mask search
    costs 0.2 s a code)."""
    buffer = io.BytesIO()
    qr_code(text).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


@dataclass(frozen=True)
class FlyerStreet:
    """A street of the flyer and its households (the flyers to deliver there)."""

    street: str
    households: int


FLYER_FORMATS = ("A5", "A4")
DEFAULT_FLYER_FORMAT = "A5"
# Per page format: QR code (mm), the letter's text size, the small print (points).
_LAYOUT = {"A4": (55.0, 11.0, 10.0), "A5": (40.0, 9.5, 8.5)}


def flyer_pdf(
    path: Path,
    *,
    wijk: str,
    area_label: str,
    streets: Sequence[FlyerStreet],
    platform_email: str,
    page_format: str = DEFAULT_FLYER_FORMAT,
    whole_area: bool = False,
) -> int:
    """Write the flyer of one area to ``path`` (both pages in ``page_format``, A5 or A4);
    returns the number of copies to print. The flyer is one page: where its streets do not
    all fit, it names as many as fit and says how many more (the first page lists them all).
    ``whole_area``: the streets are all the area's, members' own too (an area with few
    members), and the flyer says few signed up, not nobody."""
    if page_format not in FLYER_FORMATS:
        msg = f"folderformaat {page_format!r}: kies A5 of A4"
        raise ConfigError(msg)
    copies = sum(s.households for s in streets)
    names = [s.street for s in streets]
    shown = len(names)
    while True:
        document = _flyer_document(
            wijk=wijk, area_label=area_label, streets=streets, copies=copies,
            platform_email=platform_email, page_format=page_format, whole_area=whole_area,
        )  # fmt: skip
        cover_pages = document.page
        _flyer_page(
            document, wijk=wijk, streets=names, shown=shown, platform_email=platform_email,
            page_format=page_format, whole_area=whole_area,
        )  # fmt: skip
        if document.page == cover_pages + 1 or shown <= 1:
            break
        shown = max(1, shown * 2 // 3)  # rare: a very long street list; name fewer
    document.save(path, private=True)
    return copies


def _flyer_document(
    *, wijk: str, area_label: str, streets: Sequence[FlyerStreet], copies: int,
    platform_email: str, page_format: str, whole_area: bool,
) -> Document:  # fmt: skip
    """The print order (first page, for the planner and the deliverers)."""
    document = Document(
        f"Wervingsfolder BuurtWhatsApp {wijk} – {area_label}",
        footer=f"BuurtWhatsApp {wijk} – wervingsfolder {area_label}",
        page_format=page_format,
    )
    document.add_page()
    document.title_block(
        f"Drukopdracht: wervingsfolder {area_label}",
        "Deze pagina is voor de planner en de bezorgers; de folder zelf is de laatste pagina.",
    )
    document.facts(
        [
            ("Aantal folders", f"{copies} (één per huishouden in de straten hieronder)"),
            ("Afdrukken", f"alleen de laatste pagina, {copies} keer ({page_format})"),
            ("Aanmelden via", platform_email or "nog geen e-mailadres ingesteld"),
        ]
    )
    document.heading("Bezorgen in deze straten")
    document.paragraph(
        "Dit gebied heeft nog maar weinig aanmeldingen: de folder gaat naar alle huishoudens."
        if whole_area
        else "In deze straten wonen huishoudens, maar heeft zich nog niemand aangemeld voor de "
        "BuurtWhatsApp."
    )
    document.rows(
        ["Straat", "Huishoudens (folders)"],
        [[s.street, str(s.households)] for s in streets],
        (3, 1),
        size=9,
    )
    return document


def _flyer_page(
    document: Document, *, wijk: str, streets: Sequence[str], shown: int, platform_email: str,
    page_format: str, whole_area: bool,
) -> None:  # fmt: skip
    qr_mm, text_pt, small_pt = _LAYOUT[page_format]
    document.add_page()
    # The flyer goes into letterboxes: its footer names the sender, without page numbers.
    document.footer_text = f"Wijkplatform {wijk} – BuurtWhatsApp"
    document.page_numbers = False
    document.title_block(f"Doe mee met de BuurtWhatsApp {wijk}!")
    document.paragraph(
        f"Het wijkplatform {wijk} zet samen met bewoners BuurtWhatsApp-groepen op: per buurt een "
        "groep waarin bewoners elkaar snel waarschuwen. Het doel is het signaleren van verdachte "
        "situaties, zodat we samen de buurt veiliger maken. "
        + (
            "In uw buurt hebben zich nog maar weinig bewoners aangemeld."
            if whole_area
            else "In uw straat heeft zich nog niemand aangemeld."
        )
        + " Doet u mee?",
        size=text_pt,
    )
    document.heading("Zo werkt het", room=30)
    document.bullets(
        [
            "Iedereen van 18 jaar of ouder die in de buurt woont, kan meedoen.",
            "Elke groep heeft een beheerder. Na uw aanmelding voegt de beheerder u toe aan de "
            "groep van uw buurt; u krijgt bericht wanneer de groep operationeel is.",
            "De groep is alleen voor meldingen van verdachte situaties: geen privéberichten "
            "of gezellig geklets.",
            "Bij spoed of een noodsituatie belt u altijd eerst 112; daarna meldt u het in de groep.",
        ]
    )
    document.heading("Aanmelden", room=qr_mm + 12)
    top = document.get_y()
    if platform_email:
        document.image(
            io.BytesIO(qr_png(signup_mailto(platform_email))),
            x=document.l_margin,
            y=top,
            w=qr_mm,
            h=qr_mm,
        )
        document.set_left_margin(document.l_margin + qr_mm + 5)
        document.set_xy(document.l_margin, top + 2)
        document.paragraph(
            "Scan de QR-code met de camera van uw telefoon. Er opent een e-mail met de vragen "
            "erin: vul uw naam, adres, leeftijd en telefoonnummer in en of u beheerder van een "
            "groep wilt worden, en verstuur de e-mail.",
            size=small_pt,
        )
        document.paragraph(
            f"Geen QR-code-lezer? Stuur dan een e-mail aan {platform_email} met als onderwerp "
            f"'{SUBJECT}' en uw naam, adres, leeftijd, telefoonnummer en of u beheerder wilt worden.",
            size=small_pt,
        )
        document.set_left_margin(document.l_margin - qr_mm - 5)
        document.set_xy(document.l_margin, max(document.get_y(), top + qr_mm + 3))
    else:
        document.paragraph(
            "Meld u aan bij het wijkplatform met uw naam, adres, leeftijd, telefoonnummer en of u "
            "beheerder van een groep wilt worden.",
            size=small_pt,
        )
    document.heading("Deze folder is voor", room=12)
    listed = "; ".join(streets[:shown])
    if shown < len(streets):
        listed += f" en nog {len(streets) - shown} andere straten in de buurt"
    document.paragraph(listed, size=small_pt)
    document.paragraph(
        "Uw gegevens worden alleen gebruikt voor de indeling in BuurtWhatsApp-groepen en worden "
        "niet aan anderen gegeven. Wie zich afmeldt, wordt uit de groep en de lijsten gehaald.",
        size=small_pt - 1,
    )
