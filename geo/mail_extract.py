"""Read sign-ups out of the text of an e-mail: rules, no language model, no network.

Pure functions on text. :func:`split_text` separates what the sender wrote from what is not
theirs (quoted replies, ``>`` lines, the platform's letter quoted back) and sets signature and
greeting blocks apart (they are read, but count less: a signature's landline never beats a
number given in the text). Forwarded content is read as the sign-up.
:func:`extract_people` reads labelled fields (``Naam: …``, ``Telefoon 06…``, Dutch and
English, with or without ``:``) and free prose ("Ik ben Mia Hendriks, woon op de Molenweg 3 …")
into one :class:`Person` per person found; fields read with little certainty are listed in
``checks`` (Dutch, for the planner's "controleren" remark).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import phonenumbers

from geo.address import normalize_postcode

# --- splitting the sender's own text from the rest ---------------------------------------------

_FORWARD = re.compile(
    r"^\s*(?:-{2,}\s*)?(?:doorgestuurd bericht|forwarded message|begin forwarded message|"
    r"begin doorgestuurd bericht|oorspronkelijk doorgestuurd bericht)\s*:?\s*(?:-{2,})?\s*$",
    re.IGNORECASE,
)
_REPLY = re.compile(
    r"^\s*(?:(?:op|on)\s.{4,160}?\s(?:schreef|wrote|heeft het volgende geschreven)\b.*:?\s*$|"
    r"-{2,}\s*(?:original message|oorspronkelijk bericht|origineel bericht)\s*-{2,}\s*$)",
    re.IGNORECASE,
)
_REPLY_START = re.compile(r"^\s*(?:op|on)\s+\S", re.IGNORECASE)
_REPLY_END = re.compile(r"\b(?:schreef|wrote)\b[^:]*:\s*$", re.IGNORECASE)
_HEADER_LINE = re.compile(
    r"^\s*\*?(van|from|datum|date|onderwerp|subject|aan|to|cc|verzonden|sent)\*?\s*:\s*(.*)$",
    re.IGNORECASE,
)
_LETTER_START = re.compile(r"^\s*(?:beste|geachte|dear)\s+(?:buurt)?bewoners?\b", re.IGNORECASE)
_GREETING = re.compile(
    r"^\s*(?:met\s+)?(?:vriendelijke|hartelijke|beste|lieve|zonnige|sportieve)?\s*"
    r"(?:groet(?:en|jes)?|gr\.?)\b[\s,.!]*|^\s*(?:mvg|m\.v\.g\.?|vg|groetjes)\b[\s,.!]*|"
    r"^\s*(?:kind|best|warm)\s+regards\b[\s,.!]*|^\s*regards\b[\s,.!]*|^\s*cheers\b[\s,.!]*",
    re.IGNORECASE,
)
_SIG_DELIMITER = re.compile(r"^--\s*$")
_SENT_FROM = re.compile(r"^\s*(?:verzonden (?:vanaf|met|vanuit)|sent from)\b", re.IGNORECASE)


@dataclass
class Segment:
    """A stretch of the sender's own text: ``main`` counts fully, ``signature`` less.

    ``forwarded`` segments are content sent on by the sender; ``from_name`` and ``from_address``
    are those of the forwarded message's ``Van:`` line.
    """

    main: list[str] = field(default_factory=list)
    signature: list[str] = field(default_factory=list)
    forwarded: bool = False
    from_name: str = ""
    from_address: str = ""


def split_text(text: str) -> list[Segment]:
    """The sender's own text in segments: the message itself, then any forwarded content."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ").split("\n")
    segments = [Segment()]
    in_signature = False
    in_header = False
    index = 0
    while index < len(lines):
        line = lines[index].rstrip()
        index += 1
        current = segments[-1]
        if _FORWARD.match(line):
            segments.append(Segment(forwarded=True))
            in_signature, in_header = False, True
            continue
        if in_header:
            header = _HEADER_LINE.match(line)
            if header:
                if header.group(1).casefold() in {"van", "from"}:
                    current.from_name, current.from_address = _split_sender(header.group(2))
                continue
            if not line.strip():
                if current.from_name or current.from_address:
                    in_header = False
                continue
            in_header = False
        if line.lstrip().startswith(">"):
            continue
        if _REPLY.match(line) or _LETTER_START.match(line):
            break
        if (
            _REPLY_START.match(line)
            and index < len(lines)
            and _REPLY_END.search(lines[index])
            and len(line) + len(lines[index]) < 240
        ):
            break  # "Op di 3 mei 2024 om 10:00 schreef\n Wijkplatform <…>:"
        header = _HEADER_LINE.match(line)
        if (
            header
            and header.group(1).casefold() in {"van", "from"}
            and _outlook_reply(lines, index)
        ):
            break
        if _SENT_FROM.match(line):
            continue
        if _SIG_DELIMITER.match(line):
            in_signature = True
            continue
        greeting = _GREETING.match(line)
        if greeting and not in_signature and len(line) < 60:
            in_signature = True
            rest = line[greeting.end() :].strip(" ,.")
            if rest:
                current.signature.append(rest)
            continue
        (current.signature if in_signature else current.main).append(line)
    return segments


def _outlook_reply(lines: Sequence[str], index: int) -> bool:
    """A ``Van:`` line followed by ``Verzonden:``/``Sent:``/``Datum:``: an Outlook reply."""
    for line in lines[index : index + 3]:
        header = _HEADER_LINE.match(line)
        if header and header.group(1).casefold() in {"verzonden", "sent", "datum", "date"}:
            return True
    return False


def _split_sender(text: str) -> tuple[str, str]:
    """``"Anna Pieters <anna@example.org>"`` -> ``("Anna Pieters", "anna@example.org")``."""
    match = re.match(r"^\s*\"?([^\"<]*?)\"?\s*<([^>]+)>", text)
    if match:
        return match.group(1).strip(), match.group(2).strip()
    text = text.strip()
    return ("", text) if "@" in text else (text, "")


# --- fields -------------------------------------------------------------------------------------

_LABELS: dict[str, tuple[str, ...]] = {
    "naam": ("volledige naam", "naam", "name", "full name", "naam deelnemer"),
    "voornaam": ("voornaam", "voorletters", "first name", "given name"),
    "tussenvoegsel": ("tussenvoegsel", "tussenvoegsels"),
    "achternaam": ("achternaam", "familienaam", "last name", "surname", "family name"),
    "huisnummer": ("huisnummer", "huisnr.", "huisnr", "house number", "toevoeging", "huisletter"),
    "adres": ("adres", "address", "woonadres", "straat en huisnummer", "straat", "street"),
    "postcode": ("postcode", "zip", "postal code", "postcode en woonplaats", "postcode/woonplaats"),
    "woonplaats": ("woonplaats", "plaats", "city", "town"),
    "leeftijd": ("leeftijd", "age"),
    "geboortedatum": ("geboortedatum", "geb. datum", "geboren", "date of birth", "birth date",
                      "birthdate", "dob"),
    "telefoon": ("telefoonnummer", "telefoon", "tel.", "tel", "mobiel nummer", "mobiele nummer",
                 "mobielnummer", "mobiel", "gsm", "phone number", "phone", "mobile", "whatsapp",
                 "whatsappnummer", "06-nummer", "nummer"),
    "email": ("e-mailadres", "e-mail", "email", "mailadres"),
    "beheerder": ("beheerder", "groepsbeheerder", "admin", "wil beheerder worden",
                  "beheerder worden"),
}  # fmt: skip
_LABEL_LOOKUP = {label: name for name, labels in _LABELS.items() for label in labels}
# Fields pasted side by side ("Naam: Kees Bakker   Leeftijd: 58"): a tab, a wide gap or a bar
# before a label with a colon starts another field.
_FIELD_GAP = re.compile(
    r"(?:\t+|\s{3,}|\s+\|\s+)(?=(?:"
    + "|".join(re.escape(label) for label in sorted(_LABEL_LOOKUP, key=len, reverse=True))
    + r")\s*:)",
    re.IGNORECASE,
)
_LABEL_LINE = re.compile(
    r"^\s*(?:[-*•·]\s*)?\*?(?P<label>"
    + "|".join(re.escape(label) for label in sorted(_LABEL_LOOKUP, key=len, reverse=True))
    + r")\*?(?:\s*\([^)]*\))?\s*(?P<sep>[:=]|\s-\s|\s+is\b|\s)\s*(?P<value>.*?)\s*$",
    re.IGNORECASE,
)
_UPPER = "A-ZÀ-ÖØ-Þ"
_LOWER = "a-zß-öø-ÿ"
_PARTICLES = r"(?:van|de|der|den|het|ter|ten|te|op|in|'t|’t|la|le|du|da|di|del|el|von|zu|mc|o')"
_NAME = (
    rf"[{_UPPER}][{_LOWER}'’-]+(?:-[{_UPPER}][{_LOWER}'’]+)?"
    rf"(?:\s+(?:{_PARTICLES}\s+){{0,3}}[{_UPPER}][{_LOWER}'’-]+(?:-[{_UPPER}][{_LOWER}'’]+)?){{1,3}}"
)
_NAME_FULL = re.compile(rf"^\s*({_NAME})\s*$")
_NAME_CUES = re.compile(
    rf"(?i:\b(?:ik\s+ben|ik\s+heet|mijn\s+naam\s+is|my\s+name\s+is|i\s+am|i'm|this\s+is|"
    rf"(?:haar|zijn|her|his)\s+naam\s+is|(?:zij|ze|hij)\s+heet|(?:her|his)\s+name\s+is|"
    rf"naam\s*:?|namens\s+(?:mijn\s+)?(?:buurvrouw|buurman|moeder|vader|zus|broer|oma|opa)?,?|"
    rf"(?:mijn|onze)\s+(?:vrouw|man|partner|echtgenote|echtgenoot|vriendin|vriend|zoon|dochter|"
    rf"moeder|vader|buurvrouw|buurman|schoonmoeder|schoonvader|zus|broer)(?:\s+(?:heet|is))?,?|"
    rf"(?:my)\s+(?:wife|husband|partner|son|daughter|neighbou?r)(?:\s+is)?,?|"
    rf"en\s+ik\s*,?|and\s+i\s*,?|also|ook|(?:graag\s+)?aan\s*melden\s*:|aanmelding\s*:|"
    rf"mee\s*doen\s*:|deelnemen\s*:)\s+)"
    rf"(?P<name>{_NAME})"
)
_RELATIVE_CUE = re.compile(
    r"\b(?:mijn|onze|my)\s+(?:vrouw|man|partner|echtgenote|echtgenoot|vriendin|vriend|zoon|"
    r"dochter|moeder|vader|schoonmoeder|schoonvader|zus|broer|wife|husband|son|daughter)\b",
    re.IGNORECASE,
)
_NOT_NAMES = frozenset(
    [
        "Geleen",
        "Oud-Geleen",
        "Sittard",
        "Born",
        "Munstergeleen",
        "Limbricht",
        "Ik",
        "Wij",
        "We",
        "Mijn",
        "Hallo",
        "Beste",
        "Hoi",
        "Goedemorgen",
        "Goedemiddag",
        "Hello",
        "Hi",
        "Dear",
        "Graag",
        "Ook",
        "Bij",
        "Met",
        "De",
        "Het",
        "Een",
        "Nee",
        "Ja",
        "Beheerder",
    ]
)
_STREET_SUFFIX = (
    r"(?:straat|weg|laan|plein|pad|dreef|hof|singel|steeg|kade|gracht|markt|park|ring|baan|dijk|"
    r"veld|erf|wal|allee|oord|akker|kamp|gaard|hoven|donk|broek|horst|hoek|plantsoen|boulevard|"
    r"dal|berg|straatje|weide|beemd|heuvel|hof|poort|bos|vest|rade|dries|gats|acker)"
)
_STREET_PREFIX = (
    r"(?:(?:Oude|Nieuwe|Korte|Lange|Sint|St\.|Burgemeester|Burg\.|Prins|Koningin|Kapelaan|"
    r"Pastoor|Dokter|Dr\.|Hoge|Lage|Groene|Kleine|Grote|Op|In|Aan|Van|van|de|den|der|het)\s+)"
)
_HOUSE_NUMBER = (
    r"(?P<number>\d{1,5}(?:[ \t]?-[ \t]?(?!\d{4}[ \t]?[A-Za-z]{2}\b)[A-Za-z0-9]{1,4}\b|"
    r"/[A-Za-z0-9]{1,4}\b|[ \t]?[A-Za-z](?![\w@])|[ \t](?:bis|hs|boven|beneden|bov|ben)\b(?![ \t]+\d))?)"
)
_STREET_NUMBER = re.compile(
    rf"(?P<street>{_STREET_PREFIX}{{0,3}}[{_UPPER}][\w'’.-]*{_STREET_SUFFIX}"
    rf"(?:\s+(?:Noord|Zuid|Oost|West|Centrum))?)\s+(?:(?:op\s+)?(?:nr\.?\s*|nummer\s+))?{_HOUSE_NUMBER}"
)
_ADDRESS_CUE = re.compile(
    r"\b(?:woon(?:achtig)?|wonen|woont|adres(?:\s+is)?|address(?:\s+is)?|live|living|lives)"
    r"\s+(?:(?:op|aan|in|at|on|:)\s+)?(?:(?:de|het|'t|the)\s+)?"
    rf"(?P<street>[{_UPPER}][\w'’.-]*(?:\s+[\w'’.-]+){{0,3}}?)\s+(?:(?:op\s+)?(?:nr\.?\s*|nummer\s+))?"
    + _HOUSE_NUMBER,
)
_POSTCODE = re.compile(r"(?<![\d\w])([1-9]\d{3})\s?([A-Z]{2}|[a-z]{2})(?![\w])")
_PLACE_AFTER = re.compile(
    rf"^[ \t]*[,)]?[ \t]*(?P<place>[{_UPPER}][\w'’]+(?:[- ][{_UPPER}][\w'’]+)?)\b(?![ \t]*:)"
)
_PLACE_CUE = re.compile(
    rf"^\s*[,)]?\s*(?:\(\s*[1-9]\d{{3}}\s?[A-Za-z]{{2}}\s*\)\s*)?(?:in|te)\s+"
    rf"(?P<place>[{_UPPER}][\w'’]+(?:-[{_UPPER}][\w'’]+)?)"
)
_MONTHS = {
    name: number
    for number, names in enumerate(
        (("januari", "jan", "january"), ("februari", "feb", "february"),
         ("maart", "mrt", "march", "mar"), ("april", "apr"), ("mei", "may"),
         ("juni", "jun", "june"), ("juli", "jul", "july"), ("augustus", "aug", "august"),
         ("september", "sep", "sept"), ("oktober", "okt", "october", "oct"),
         ("november", "nov"), ("december", "dec")),
        start=1,
    )
    for name in names
}  # fmt: skip
_AGE = re.compile(
    r"(?<![\d,.\-/])(?P<age>\d{2,3})\s*(?:jaar(?:\s+oud)?|jr\.?|jaren|years?(?:\s+old)?|yrs?\.?)"
    r"(?![\w-])",
    re.IGNORECASE,
)
_AGE_CUE = re.compile(
    r"\b(?:leeftijd(?:\s+is)?|age(?:\s+is)?|ik\s+ben(?:\s+zelf|\s+nu|\s+inmiddels)?|i\s+am|i'm)"
    r"\s*:?\s*(?P<age>\d{2,3})\b(?!\s*[-/.]\d)(?!\s+(?:" + "|".join(_MONTHS) + r")\b)"
    r"|\bben\s+(?P<bare>\d{2,3})(?:\s+jaar(?:\s+oud)?)?(?=\s*(?:[.,;!\n]|$))",
    re.IGNORECASE,
)
_AGE_IN_BRACKETS = re.compile(r"\((?P<age>\d{2,3})(?:\s*(?:jaar|jr\.?))?\)")
_NOT_AGE_BEFORE = re.compile(
    r"(?:\bal|sinds|ruim|meer dan|bijna|over|na|hier|geleden|woon\w*)\s+$", re.IGNORECASE
)
_NUMERIC_DATE = r"(?P<d>\d{1,2})[-/.](?P<m>\d{1,2})[-/.](?P<y>\d{4}|\d{2})(?!\d)"
_WORD_DATE = (
    r"(?P<wd>\d{1,2})\s+(?P<wm>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?\s+"
    r"(?P<wy>\d{4})"
)
_BIRTH_CUE = re.compile(
    r"\b(?:geboren|geboortedatum|geb\.|born|date of birth|birth date|dob)\b\D{0,20}?"
    rf"(?:{_NUMERIC_DATE}|{_WORD_DATE})",
    re.IGNORECASE,
)
_BIRTH_AFTER = re.compile(  # "ik ben 23 december 1975 geboren" (a child's date is not hers)
    rf"\bik\s+ben\s+(?:op\s+)?(?:{_NUMERIC_DATE}|{_WORD_DATE})\s+geboren\b", re.IGNORECASE
)
_ANY_DATE = re.compile(rf"(?<![\d-]){_NUMERIC_DATE}")
_BEHEERDER = re.compile(r"\b(?:groeps)?beheerder|\badmin(?:istrator)?\b|\bbeheren\b", re.I)
_BEHEERDER_NO = re.compile(
    r"\b(?:geen|niet|liever\s+niet|not|no|nee|hoeft\s+niet|zie\s+ik\s+niet)\b", re.IGNORECASE
)
_BEHEERDER_NO_OBJECTION = re.compile(
    r"\bgeen\s+(?:bezwaar|probleem)\b|\bniet\s+erg\b|\bno\s+problem\b|"
    r"\bals\s+dat\s+(?:geen\s+probleem|niet\s+erg)\s+is\b",
    re.IGNORECASE,
)
_SIGNUP_WORDS = re.compile(
    r"\b(?:aanmeld\w*|meld\w*\s+(?:mij|me|ons)\s+aan|aan\s*te\s*melden|doe\s+(?:graag\s+)?mee|"
    r"meedoen|deelnemen|deelname|sign(?:\s|-)?up|join|register|inschrijv\w*|opgeven|"
    r"toevoegen\s+aan\s+de\s+(?:groep|app|buurtapp|whatsapp\w*)|in\s+de\s+(?:groep|app)\b)\b",
    re.IGNORECASE,
)
_SIGN_OFF = re.compile(  # the sender leaving, in the first person, not "afmelden kan via …"
    r"\b(?:ik|wij|we)\s+(?:wil|willen|zou|zouden)\s+(?:me|mij|ons|graag)\s+(?:(?:me|mij|ons|graag)\s+)?"
    r"(?:afmelden|uitschrijven|laten\s+(?:afmelden|uitschrijven|verwijderen))\b|"
    r"\b(?:ik|wij|we)\s+(?:wil|willen)\s+(?:graag\s+)?uit\s+de\s+(?:groep|app)\b|"
    r"\b(?:meld|schrijf)\s+(?:ik\s+|wij\s+|we\s+)?(?:mij|me|ons)\s+(?:graag\s+|hierbij\s+)?(?:af|uit)\b|"
    r"\bhierbij\s+(?:mijn|onze)\s+afmelding\b|\bplease\s+(?:unsubscribe|remove)\s+me\b",
    re.IGNORECASE,
)
_CORRECTION = re.compile(
    r"\b(?:juiste|correctie|verbetering|verbeterd|moet\s+zijn|klopt\s+niet|foutje|vergissing|"
    r"typfout|tikfout|ik\s+bedoel|verkeerde?|gecorrigeerd|wijziging|gewijzigd|nieuwe\s+nummer|"
    r"correct(?:ed|ion)?|wrong|should\s+be|mistake|typo)\b",
    re.IGNORECASE,
)
_PHONE_GOOD = re.compile(
    r"(?:mobiel|mob\.?|gsm|whatsapp|app|groep|06|mijn\s+nummer|nummer\s+is|bereikbaar|telefoonnummer|"
    r"mobile|cell|juiste|correct|tel|phone|nummer)\W*$",
    re.IGNORECASE,
)
_PHONE_BAD = re.compile(
    r"(?:thuis|vast|vaste|huis|werk|kantoor|zaak|fax|bedrijf|office|home|work|landline)\b[^\n]{0,12}$",
    re.IGNORECASE,
)


@dataclass
class Person:
    """Cells for one person, as text the intake reads; ``checks`` say what to verify."""

    naam: str = ""
    adres: str = ""
    postcode: str = ""
    woonplaats: str = ""
    leeftijd: str = ""
    geboortedatum: str = ""
    telefoon: str = ""
    email: str = ""
    beheerder: str = ""
    checks: list[str] = field(default_factory=list)
    name_from_text: bool = False

    def has_fields(self) -> bool:
        """Whether anything of a sign-up was found (a name alone is not enough)."""
        return any((self.adres, self.postcode, self.leeftijd, self.geboortedatum, self.telefoon))


@dataclass(frozen=True)
class _Phone:
    e164: str
    start: int
    score: int
    mobile: bool


def extract_people(
    segments: Sequence[Segment], *, sender_name: str = "", sender_address: str = "",
    today: date | None = None,
) -> list[Person]:  # fmt: skip
    """Everyone signed up in a message's own text; an empty list when it is no sign-up."""
    try:
        return _extract_people(segments, sender_name, sender_address, today)
    finally:
        _phones.cache_clear()  # the text is not kept once the message is read


def _extract_people(
    segments: Sequence[Segment], sender_name: str, sender_address: str, today: date | None
) -> list[Person]:
    reference = today or date.today()
    forwarded = [s for s in segments if s.forwarded]
    if forwarded:  # the forwarder's own note (main) counts, their signature does not
        main = "\n".join([*segments[0].main, *(line for s in forwarded for line in s.main)])
        signature = "\n".join(line for s in forwarded for line in s.signature)
        fallback = next((s.from_name for s in forwarded if s.from_name), "")
        address = next((s.from_address for s in forwarded if s.from_address), "")
    else:
        main = "\n".join(line for s in segments for line in s.main)
        signature = "\n".join(line for s in segments for line in s.signature)
        fallback, address = sender_name, sender_address
    people = _labelled_people(main, today=reference)
    if not people:
        people = _prose_people(main, signature, today=reference)
        if people and _only_asks(main):
            people[0].checks.append(QUESTION_REMARK)
    if not people:
        return []
    _fill_shared(people, main, signature, reference)
    first = people[0]
    if not first.naam:
        signed = _signature_name(signature)
        if signed:
            first.naam = signed
            first.checks.append("naam uit de ondertekening gelezen")
        elif fallback and not _looks_like_address(fallback):
            first.naam = fallback
            first.checks.append("naam van de afzender overgenomen")
    for person in people:
        if not person.email and address and person is first:
            person.email = address
    return [p for p in people if p.has_fields() or p.name_from_text]


def is_signup(segments: Sequence[Segment]) -> bool:
    """Whether the text says it is a sign-up (used when no field was found), outside its
    questions ("Mag mijn dochter ook meedoen?" is none)."""
    main = "\n".join(line for s in segments for line in s.main)
    return bool(_SIGNUP_WORDS.search(_statements(main)))


def is_question(segments: Sequence[Segment]) -> bool:
    """Whether the text asks something and signs nobody up (:func:`_only_asks`)."""
    return _only_asks("\n".join(line for s in segments for line in s.main))


QUESTION_REMARK = "het bericht stelt een vraag en meldt niet aan: lees het na"


def _only_asks(main: str) -> bool:
    """Whether the text asks something and signs nobody up outside its questions ("Mag mijn
    dochter van 17 ook meedoen?" is a question about signing up, not a sign-up)."""
    return "?" in main and not _SIGNUP_WORDS.search(_statements(main))


def _statements(text: str) -> str:
    """The sentences of ``text`` that are no question."""
    return " ".join(s for s in _sentences(text) if not s.rstrip().endswith("?"))


def _sentences(text: str) -> list[str]:
    """``text`` in sentences: split after . ! ? and at line breaks."""
    return re.split(r"(?<=[.!?])\s+|\n", text)


def is_sign_off(segments: Sequence[Segment]) -> bool:
    """Whether the text asks to leave the group ("ik wil me afmelden"), not in a question,
    and not to join it."""
    main = "\n".join(line for s in segments for line in s.main)
    if _SIGNUP_WORDS.search(main):
        return False
    sentences = _sentences(main)
    return any(_SIGN_OFF.search(s) and not s.rstrip().endswith("?") for s in sentences)


def is_correction(segments: Sequence[Segment]) -> bool:
    """Whether the text corrects an earlier message ("mijn juiste nummer is …")."""
    return any(_CORRECTION.search(line) for s in segments for line in s.main)


def _labelled_people(text: str, *, today: date) -> list[Person]:
    people: list[Person] = []
    current, used, parts = Person(), set[str](), dict[str, str]()
    found = 0
    lines = [field for line in text.split("\n") for field in _fields_of(line)]
    for index, line in enumerate(lines):
        match = _LABEL_LINE.match(line)
        if match is None:
            continue
        name = _LABEL_LOOKUP[match.group("label").casefold()]
        value = match.group("value").strip().strip("*").strip()
        colon = match.group("sep").strip() in {":", "="}
        if not value and colon:  # "Naam:" alone on its line, the name on the next
            value = _value_below(lines[index + 1 :], several=name == "adres")
        if match.group("label").casefold() == "nummer" and len(_NOT_DIGIT.sub("", value)) <= 5:
            name = "huisnummer"  # "Straat: Hoogstraat   Nummer: 12"
        if not value or not _plausible(name, value, colon=colon):
            continue
        if name in used and name in {"naam", *_NAME_PARTS}:  # the next person's fields
            people.append(_named(current, parts))
            current, used, parts = Person(), set(), {}
        used.add(name)
        found += 1
        if name in _NAME_PARTS:
            parts[name] = " ".join(value.split())
            current.name_from_text = True
        else:
            _set_labelled(current, name, value, today=today)
    if found < 2:  # one "Naam ..." line is prose, not a form
        return []
    people.append(_named(current, parts))
    return people


_NAME_PARTS = ("voornaam", "tussenvoegsel", "achternaam")


def _named(person: Person, parts: dict[str, str]) -> Person:
    """``person`` with the name a form gives in parts, in any order: first name (or initials),
    tussenvoegsel and family name, or a first name and a one-word "Naam" (the family name)."""
    family = " ".join(filter(None, (parts.get("tussenvoegsel"), parts.get("achternaam"))))
    if not family and len(person.naam.split()) == 1:
        family = person.naam  # "Voornaam: Kees" with "Naam: Bakker"
    if (parts and family) or (parts.get("voornaam") and not person.naam):
        person.naam = " ".join(f"{parts.get('voornaam', '')} {family}".split())
    return person


def _fields_of(line: str) -> list[str]:
    """A form line split where fields were pasted side by side ("Naam: Kees Bakker   Leeftijd:
    58"); a line of prose (not starting with a label and a colon) stays whole."""
    first = _LABEL_LINE.match(line)
    if first is None or first.group("sep").strip() not in {":", "="}:
        return [line]
    return _FIELD_GAP.split(line)


_PLACE_NAME = re.compile(r"(?:'s[- ])?[^\W\d_][^\W\d_'.]*(?:[ -][^\W\d_][^\W\d_'.]*){0,3}")


def _plausible(name: str, value: str, *, colon: bool) -> bool:
    """Without a colon, a label must be followed by a value of its kind ("Naam Mia Hendriks")."""
    if name == "naam":
        return bool(_NAME_FULL.match(value)) or (colon and bool(re.search(r"[^\W\d_]", value)))
    if name in {"telefoon", "leeftijd", "geboortedatum", "postcode"}:
        return any(c.isdigit() for c in value)
    if name == "adres":  # "Straat: Hoogstraat" with "Huisnummer: 12a" below
        letters = bool(re.search(r"[^\W\d_]{2}", value))
        return letters and (colon or any(c.isdigit() for c in value))
    if name == "email":
        return "@" in value
    if name == "woonplaats":  # "Woonplaats Geleen", "Plaats 's-Hertogenbosch"
        return colon or bool(_PLACE_NAME.fullmatch(value.strip()))
    return colon or bool(re.fullmatch(r"(?i)(ja|nee|yes|no|wel|niet)\b.*", value))


def _capitalised(text: str) -> str:
    """A place typed in lower case ("6161ab geleen") as it is written: each word capitalised."""
    return (
        re.sub(r"(?<![\w'’])([^\W\d_])", lambda m: m.group(1).upper(), text)
        if text.islower()
        else text
    )


def _value_below(lines: Sequence[str], *, several: bool) -> str:
    """The value of a label alone on its line: the next line unless it is a label itself
    ("Opmerkingen: …"), with ``several`` also the next lines that hold a postcode (an address
    over two lines), joined by commas."""
    values: list[str] = []
    for line in lines:
        if not line.strip() or _LABEL_LIKE.match(line) or (values and not _POSTCODE.search(line)):
            break
        values.append(line.strip().strip("*").strip())
        if not several:
            break
    return ", ".join(values)


_LABEL_LIKE = re.compile(r"^\s*[-*•·]?\s*\*?[^\W\d_][\w /().'-]{0,30}\*?\s*:")


def _name_only(value: str) -> str:
    """A labelled name without the fields written after it on the same line: "Kees Bakker,
    50 jaar, 06…" and "Kees Bakker 50 jaar" give "Kees Bakker"; "Jansen, Piet" stays."""
    kept: list[str] = []
    for part in value.split(","):
        field_start = re.search(r"[\d@]", part)
        if field_start is None:
            kept.append(part)
            continue
        if not kept:  # up to the word the field starts in: "Kees Bakker (kees@…" is Kees Bakker
            kept.append(re.sub(r"\S*$", "", part[: field_start.start()]))
        break
    name = " ".join(",".join(kept).split()).strip(" ,;-–(")
    if name.count("(") > name.count(")"):  # "Kees Bakker (vader van Tim, 12 jaar)"
        name = name[: name.rindex("(")].strip(" ,;-–")
    return name or " ".join(value.split())


def _set_labelled(person: Person, name: str, value: str, *, today: date) -> None:
    if name == "naam":
        _set_name(person, value, today=today)
    elif name == "huisnummer":
        number = "".join(value.split())
        after_digit = person.adres[-1:].isdigit()
        joiner = "-" if after_digit and number[:1].isdigit() else "" if after_digit else " "
        person.adres = f"{person.adres}{joiner}{number}".strip()
    elif name == "postcode":
        _set_postcode(person, value)
    elif name == "adres":
        _set_address(person, value)
    elif name == "telefoon":
        _set_phone(person, value)
    elif name == "leeftijd":
        match = re.search(r"\d{1,3}", value)
        person.leeftijd = match.group(0) if match else value
    elif name == "geboortedatum":
        person.geboortedatum = _birth_date(value, today=today) or value
    elif name == "beheerder":
        yes = re.match(r"(?i)\s*(ja|yes|wel|graag|zeker|x|j|y)\b", value)
        no = re.match(r"(?i)\s*(nee|no|niet|geen|liever niet|n)\b", value)
        person.beheerder = "ja" if yes else "nee" if no else value
    else:
        setattr(person, name, value)


def _set_name(person: Person, value: str, *, today: date) -> None:
    person.naam = _name_only(value)
    person.name_from_text = True
    rest = value[len(person.naam) :] if value.startswith(person.naam) else ""
    if not rest.strip(" ,;-"):
        return
    # "Naam: Kees Bakker (72) 06-…": the age and number are his, not in "(vader van Tim,
    # 12 jaar)" or "partner Marie 06-…"
    age = _AGE_AFTER_NAME.match(rest)
    person.leeftijd = person.leeftijd or (age.group("age") if age else "")
    phones = _phones(rest, 0)
    if len(phones) == 1 and not _OTHER_WORDS.search(_PHONE_WORDS.sub("", rest)):
        person.telefoon = person.telefoon or phones[0].e164


_OTHER_WORDS = re.compile(r"[^\W\d_]{2,}(?<!jaar)(?<!jr)")


_AGE_AFTER_NAME = re.compile(
    r"\s*[,(]?\s*(?P<age>\d{2,3})\s*(?:jaar|jr\.?)?\s*(?:[),;]|\s|$)", re.I
)


_PLACE_LABEL = re.compile(r"^[ \t]*,?[ \t]*(?:woonplaats|plaats|city|town)[ \t]*:", re.IGNORECASE)


def _set_postcode(person: Person, value: str) -> None:
    match = _POSTCODE.search(value)
    if match is None:
        person.postcode = value
        return
    person.postcode = normalize_postcode(match.group(0))
    after = _PLACE_LABEL.sub("", value[match.end() :])  # "6161AB Woonplaats: Geleen"
    rest = _PLACE_AFTER.match(_capitalised(after))
    if rest and not person.woonplaats:
        person.woonplaats = rest.group("place")


def _set_address(person: Person, value: str) -> None:
    number_first = re.fullmatch(r"\d+\S*", person.adres)  # "Huisnummer: 12" came first
    person.adres = (
        f"{value} {person.adres}" if number_first and not re.search(r"\d", value) else value
    )
    match = _POSTCODE.search(value)
    if match is None:
        return
    if not person.postcode:
        person.postcode = normalize_postcode(match.group(0))
    street = value[: match.start()].strip(" ,;-")
    if street and any(c.isdigit() for c in street):  # "Annastraat 5-B, 6166 BC Geleen"
        person.adres = street  # the postcode and place have columns of their own
        rest = _PLACE_AFTER.match(value[match.end() :])
        if rest and not person.woonplaats:
            person.woonplaats = rest.group("place")


def _set_phone(person: Person, value: str) -> None:
    phones = _phones(value, 0)
    mobiles = [p for p in phones if p.mobile]
    if len(phones) == 1:
        chosen = phones[0]
    elif len(mobiles) == 1 and not _NOT_JUST_NUMBERS.search(_PHONE_WORDS.sub("", value)):
        chosen = mobiles[0]  # "046-… / 06-…": the group needs the mobile
        person.checks.append("ook een vast nummer genoemd: het mobiele nummer gebruikt")
    else:  # "046-… (mobiel vrouw: 06-…)": whose is which, the planner asks
        person.telefoon = person.telefoon or value
        return
    if not person.telefoon:
        person.telefoon = chosen.e164
    elif person.telefoon != chosen.e164:  # a second number field ("Mobiel: … Tel: …")
        if chosen.mobile and not _is_mobile(person.telefoon):
            person.telefoon = chosen.e164
        person.checks.append("twee telefoonvelden: controleer welk nummer voor de groep is")


_PHONE_WORDS = re.compile(
    r"(?i)\b(?:of|en|or|and|tel|telefoon|mob|mobiel|gsm|vast|thuis|home|mobile)\b\.?"
)
_NOT_JUST_NUMBERS = re.compile(r"[^\d\s+()./,;:|-]")


def _is_mobile(e164: str) -> bool:
    try:
        return _mobile(phonenumbers.parse(e164, "NL"))
    except phonenumbers.NumberParseException:
        return False


def _mobile(number: phonenumbers.PhoneNumber) -> bool:
    """Whether a number can have WhatsApp (a mobile, or a number that may be one)."""
    return phonenumbers.number_type(number) in {
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    }


def _prose_people(main: str, signature: str, *, today: date) -> list[Person]:
    names = _names(main)
    phones = _phones(main, 0)
    mobiles = {p.e164 for p in phones if p.mobile}
    if len(names) >= 2 and len(mobiles) >= 2:  # a couple or family, one phone each
        people = []
        owners = _phone_owners(main, phones, [name for _, name in names])
        cuts = [start for start, _ in names] + [len(main)]
        for index, (start, name) in enumerate(names):
            end = cuts[index + 1]
            chunk = main[start if index else 0 : end]
            person = Person(naam=name, name_from_text=True)
            named = [p for p in phones if owners.get(p.start) == index]
            own = named or [
                p
                for p in phones
                if (start <= p.start < end or (not index and p.start < end))
                and owners.get(p.start, index) == index
            ]
            if own:
                person.telefoon = max(own, key=lambda p: p.score).e164
            person.leeftijd, person.geboortedatum = _age(chunk, today=today)
            people.append(person)
        if len({p.telefoon for p in people if p.telefoon}) < len(people):
            for person in people:
                person.checks.append("meerdere personen: controleer wie welk nummer heeft")
        if len({p.naam.casefold() for p in people}) < len(people):
            for person in people:
                person.checks.append("twee personen met dezelfde naam: controleer de namen")
        return people
    person = Person()
    if names:
        person.naam, person.name_from_text = names[0][1], True
    return [person] if names or main.strip() or signature.strip() else []


def _phone_owners(text: str, phones: Sequence[_Phone], names: Sequence[str]) -> dict[int, int]:
    """Which person (index in ``names``) a number is given for, where the text says so by a
    first name just before it ("dat van Marie 06-…", "Marie: 06-…") or in brackets after it
    ("06-… (Jan)"); keyed by the number's position."""
    owners: dict[int, int] = {}
    firsts = [name.split()[0].casefold() for name in names]
    for phone in phones:
        before = text[max(0, phone.start - 20) : phone.start].rsplit("\n", 1)[-1]
        after = text[phone.start : phone.start + 30].split("\n", 1)[0]
        label = re.search(r"([^\W\d_]+)\W*$", before)
        bracket = re.search(r"\(\s*([^\W\d_]+)\s*\)", after)
        for word in (label.group(1) if label else "", bracket.group(1) if bracket else ""):
            if word.casefold() in firsts and firsts.count(word.casefold()) == 1:
                owners[phone.start] = firsts.index(word.casefold())
                break
    return owners


def _fill_shared(people: list[Person], main: str, signature: str, today: date) -> None:
    """Address, postcode, place, phone, age and beheerder: from the text, for whoever lacks them."""
    text = f"{main}\n\n{signature}"
    first = people[0]
    street, street_end = _street(main)
    own_street = bool(street)
    if not street:
        street, street_end = _street(signature)
        street_end += len(main) + 2 if street else 0
    cue = _PLACE_CUE.match(text[street_end:]) if street else None
    source = main if _POSTCODE.search(main) else signature
    postcode_match = _POSTCODE.search(source)
    postcode = ""
    place = ""
    if postcode_match:
        after = _PLACE_AFTER.match(source[postcode_match.end() :])
        if after and after.group("place").casefold() not in {"ik", "en", "mijn", "tel"}:
            place = after.group("place")
        if source is signature and own_street and _elsewhere(signature, postcode_match, street):
            postcode_match, place = None, ""  # an office's postcode under the greeting
        else:
            postcode = normalize_postcode(postcode_match.group(0))
    if cue and not place:
        place = cue.group("place")
    for person in people:
        person.adres = person.adres or street
        person.postcode = person.postcode or postcode
        person.woonplaats = person.woonplaats or place
    if not first.telefoon:
        _choose_phone(first, main, signature)
    if len(people) == 1 and not (first.leeftijd or first.geboortedatum):
        first.leeftijd, first.geboortedatum = _age(main, today=today)
        if not (first.leeftijd or first.geboortedatum):
            first.leeftijd, first.geboortedatum = _age(signature, today=today)
    if not first.beheerder:
        wanted = _beheerder(main)
        for person in people:
            person.beheerder = person.beheerder or wanted


def _elsewhere(signature: str, postcode: re.Match[str], street: str) -> bool:
    """Whether the signature's postcode belongs to another address than the text's own
    ``street``: a street and number other than it stand before the postcode, on its line or
    the line above (an office: "Markt 10, 6131 EK Sittard")."""
    lines = signature[: postcode.start()].split("\n")
    before = lines[-1].strip(" ,;-")
    if not re.search(r"\d", before) and len(lines) > 1:
        before = lines[-2].strip(" ,;-")
    if not re.search(r"[^\W\d_]{2}.*\d", before):
        return False
    return _folded(before) != _folded(street)


def _folded(text: str) -> str:
    return re.sub(r"\W+", "", text.casefold())


def _choose_phone(person: Person, main: str, signature: str) -> None:
    phones = [*_phones(main, 0), *_phones(signature, -3)]
    if not phones:
        return
    best = max(phones, key=lambda p: (p.score, -p.start))
    person.telefoon = best.e164
    others = {p.e164 for p in phones} - {best.e164}
    if others:
        runner_up = max(p.score for p in phones if p.e164 != best.e164)
        if runner_up >= best.score - 2:
            person.checks.append(
                f"meerdere telefoonnummers in het bericht; gekozen {best.e164}, controleer welk "
                "nummer voor de groep is"
            )
    if not best.mobile:
        person.checks.append("vast nummer gekozen: controleer of er een mobiel nummer is")
    elif best.score < 0:
        person.checks.append("telefoonnummer alleen in de ondertekening gevonden")


_NOT_DIGIT = re.compile(r"\D+")
_LINE = re.compile(r"[^\n]+")
_VALID = phonenumbers.Leniency.VALID
# A number right after another ("leeftijd 72 06-2345 6792", "Hoogstraat 1 06-…") is read as
# one long invalid number; apart, the phone is found.
_GLUED = re.compile(r"(?<=[\d)])[ \t](?=(?:06|\+31|0031)[\s-]?\d)")
_MIN_PHONE_DIGITS = 7  # the shortest valid number anywhere (with its country code)


@lru_cache(maxsize=32)
def _phones(text: str, bonus: int) -> tuple[_Phone, ...]:
    """The valid numbers in ``text`` with a score (a pure function: the same text is read once
    per message, however many rules ask).

    The matcher is the costliest step, so it only reads lines with at least seven digits: its
    candidates never span a line break (a newline is no phone punctuation) and a line break
    next to a number counts as the start or end of the text, so the result is the same.
    """
    found: list[_Phone] = []
    for line in _LINE.finditer(text):
        if len(_NOT_DIGIT.sub("", line.group())) < _MIN_PHONE_DIGITS:
            continue
        offset = line.start()
        matches = list(phonenumbers.PhoneNumberMatcher(line.group(), "NL", leniency=_VALID))
        if not matches and _GLUED.search(line.group()):  # the same length: offsets hold
            glued_apart = _GLUED.sub(";", line.group())
            matches = list(phonenumbers.PhoneNumberMatcher(glued_apart, "NL", leniency=_VALID))
        for match in matches:
            found.append(_scored(text, offset + match.start, match.number, bonus))
    return tuple(found)


def _scored(text: str, start: int, number: phonenumbers.PhoneNumber, bonus: int) -> _Phone:
    """A number found at ``start``, scored by its kind and the words before it on its line."""
    mobile = _mobile(number)
    line_before = text[max(0, start - 40) : start].rsplit("\n", 1)[-1]
    score = bonus + (2 if mobile else 0)
    if _PHONE_BAD.search(line_before):
        score -= 4
    elif _PHONE_GOOD.search(line_before):
        score += 2
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return _Phone(e164, start, score, mobile)


def _names(text: str) -> list[tuple[int, str]]:
    """Names introduced in the text, in order; a name said again is the same person, unless a
    partner or relative is introduced with it ("Mijn zoon Jan Smeets" after "Ik ben Jan
    Smeets")."""
    found: list[tuple[int, str]] = []
    seen: set[str] = set()
    for match in _NAME_CUES.finditer(text):
        name = _trim_name(match.group("name"))
        if not name:
            continue
        cue = text[match.start() : match.start("name")]
        if name.casefold() in seen and not _RELATIVE_CUE.search(cue):
            continue
        seen.add(name.casefold())
        found.append((match.start(), name))
    return found


def _trim_name(name: str) -> str:
    words = name.split()
    while words and (words[-1] in _NOT_NAMES or re.fullmatch(_PARTICLES, words[-1])):
        words.pop()
    if len(words) < 2 or words[0] in _NOT_NAMES:
        return ""
    if _looks_like_street(" ".join(words)):
        return ""
    return " ".join(words)


def _looks_like_street(text: str) -> bool:
    last = text.rsplit(maxsplit=1)[-1]
    return bool(re.fullmatch(r"\w{2,}" + _STREET_SUFFIX, last, re.IGNORECASE))


def _looks_like_address(text: str) -> bool:
    return "@" in text or any(c.isdigit() for c in text)


def _signature_name(signature: str) -> str:
    for line in signature.split("\n")[:3]:
        match = _NAME_FULL.match(line.strip(" ,."))
        if match and _trim_name(match.group(1)):
            return _trim_name(match.group(1))
    return ""


def _street(text: str) -> tuple[str, int]:
    """``"Molenweg 3"`` and where it ends in ``text``; empty when there is none."""
    for pattern in (_ADDRESS_CUE, _STREET_NUMBER):
        for match in pattern.finditer(text):
            street = match.group("street").strip()
            if street.split()[0] in _NOT_NAMES and pattern is _ADDRESS_CUE:
                continue
            following = text[match.end() : match.end() + 6]
            if re.match(r"\s*(?:jaar|jr|years?)\b", following, re.IGNORECASE):
                continue  # "ik ben Mia Hendriks 38 jaar"
            number = " ".join(match.group("number").split()).replace(" - ", "-")
            return f"{street} {number}", match.end()
    return "", 0


def _age(text: str, *, today: date) -> tuple[str, str]:
    """(age, birth date as dd-mm-yyyy) read from prose; either may be empty."""
    birth = _BIRTH_CUE.search(text) or _BIRTH_AFTER.search(text)
    if birth:
        born = _date_of(birth, today=today)
        if born:
            return "", born
    for pattern in (_AGE_CUE, _AGE, _AGE_IN_BRACKETS):
        for match in pattern.finditer(text):
            if _NOT_AGE_BEFORE.search(text[max(0, match.start() - 20) : match.start()]):
                continue
            groups = match.groupdict()
            value = int(groups.get("age") or groups["bare"])
            if 10 <= value <= 120:
                return str(value), ""
    for match in _ANY_DATE.finditer(text):
        born = _date_of(match, today=today)
        if born and 15 <= today.year - int(born[-4:]) <= 110:
            return "", born
    return "", ""


def _date_of(match: re.Match[str], *, today: date) -> str:
    groups = match.groupdict()
    try:
        if groups.get("d"):
            day, month, year = int(groups["d"]), int(groups["m"]), int(groups["y"])
            if year < 100:
                year += 1900 if year + 2000 > today.year else 2000
        else:
            day, month = int(groups["wd"]), _MONTHS[groups["wm"].casefold()]
            year = int(groups["wy"])
        return date(year, month, day).strftime("%d-%m-%Y")
    except (ValueError, KeyError, TypeError):
        return ""


def _birth_date(value: str, *, today: date) -> str:
    match = re.search(rf"{_NUMERIC_DATE}|{_WORD_DATE}", value, re.IGNORECASE)
    return _date_of(match, today=today) if match else ""


def _beheerder(text: str) -> str:
    """ "ja", "nee" or "" from the first sentence about being beheerder; a question about it
    counts only with its answer after it ("Wil je beheerder worden? Nee")."""
    sentences = [s for s in _sentences(text) if s.strip()]
    for index, sentence in enumerate(sentences):
        if _BEHEERDER.search(sentence) is None:
            continue
        if sentence.rstrip().endswith("?"):
            answer = sentences[index + 1] if index + 1 < len(sentences) else ""
            yes = re.match(r"(?i)\s*(?:ja|yes|graag|zeker|prima)\b", answer)
            no = re.match(r"(?i)\s*(?:nee|no|liever niet|niet)\b", answer)
            if yes or no:
                return "ja" if yes else "nee"
            continue
        plain = _BEHEERDER_NO_OBJECTION.sub("", sentence)  # "geen bezwaar" is no "no"
        return "nee" if _BEHEERDER_NO.search(plain) else "ja"
    return ""
