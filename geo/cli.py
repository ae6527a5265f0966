"""``python -m geo <command>``: parse arguments, call the modules, print a Dutch summary.

Errors meant for the planner (:class:`GeoError`) end in one line on stderr and exit code 1;
exit code 3 means the run finished but some addresses are still pending (re-run to continue).
"""

from __future__ import annotations

import argparse
import csv
import gc
import logging
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from tqdm import tqdm

from geo import __version__
from geo._http import HttpClient
from geo.config import Settings
from geo.dutch_argparse import DutchArgumentParser, decimal_number
from geo.errors import ConfigError, GeoError
from geo.export import FORMATS, PLAN_FILE, PROFILES, SIGNS_FILE, SIGNS_MAP_FILE, read_areas
from geo.geocode import OnlineService, Progress
from geo.intake import normalize_phone
from geo.outputs import OutputError, reason, refuse_overwrite, resolved
from geo.print_map import PRINT_FORMATS
from geo.register import AddressRegister
from geo.sources import save_wijk
from geo.wording import counted, decimal, noun
from geo.workflow import (
    IntakeReport,
    PlanReport,
    fetch_wijk,
    load_wijk_layers,
    online_services,
    register_from_points,
    run_assign,
    run_export,
    run_intake,
    run_plan,
    run_signs,
)

if TYPE_CHECKING:
    from geo.notify import Batch, SmtpConfig
    from geo.store import Status, Store

EXIT_ERROR = 1
DEMO_MARK = "demo.txt"  # written into the folder the demo makes
EXIT_PENDING = 3


def _add_plan_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--max-members", type=int, help="maximum aantal leden per groep (standaard 255)"
    )
    parser.add_argument(
        "--fill", type=decimal_number, help="vulgraad van een nieuw gebied, 0-1 (standaard 0,8)"
    )
    parser.add_argument(
        "--offline", action="store_true", help="alleen adresregister en cache, geen internet"
    )
    parser.add_argument(
        "--per-area", action="store_true", help="ook borden bij de ingangen van elk gebied"
    )
    parser.add_argument("--budget", type=int, help="alleen de N belangrijkste borden")
    parser.add_argument("--out", type=Path, required=True, help="uitvoermap")
    _add_overwrite(parser)


def _add_overwrite(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--overschrijven",
        action="store_true",
        help="een plan dat al in de uitvoermap staat vervangen (anders stopt de opdracht)",
    )


def _refuse_existing_plan(out: Path, *, overwrite: bool, source: Path | None = None) -> None:
    """Stop before anything is written when ``out`` holds a plan the planner did not ask to
    replace: its groups are real WhatsApp groups (a new plan or an export goes elsewhere).

    Writing into the ``source`` plan folder itself is refused later, with its own message.
    """
    target = resolved(out)  # "x/../plan" names plan even while x does not exist
    if overwrite or not (target / PLAN_FILE).is_file():
        return
    if source is not None and resolved(source) in (target, *target.parents):
        return
    msg = (
        f"in {out} staat al een plan; kies een nieuwe map voor --out, of geef --overschrijven "
        "om dat plan te vervangen"
    )
    raise OutputError(msg)


def _add_wijk_files(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--boundary", type=Path, required=True, help="wijkgrens (GeoJSON, GPKG, SHP) of WIJK.gpkg"
    )
    parser.add_argument(
        "--streets",
        type=Path,
        required=True,
        help="straten (.osm.pbf, .osm, GPKG, GeoJSON) of WIJK.gpkg",
    )


def _plan_settings(args: argparse.Namespace, settings: Settings) -> Settings:
    changes: dict[str, object] = {}
    if args.max_members is not None:
        changes["max_members"] = args.max_members
    if args.fill is not None:
        changes["fill"] = args.fill
    return replace(settings, **changes)  # type: ignore[arg-type]


def build_parser() -> argparse.ArgumentParser:  # noqa: PLR0915 - one block per command
    """The argument parser with one sub-command per job."""
    parser: argparse.ArgumentParser = DutchArgumentParser(
        prog="python -m geo",
        description="Buurtpreventie-planner: aanmeldingen, gebieden, borden en kaarten voor BuurtWhatsApp-groepen.",
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"%(prog)s {__version__}",
        help="het versienummer tonen en stoppen",
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="meer meldingen (zonder persoonsgegevens)"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    intake = commands.add_parser(
        "intake",
        help="aanmeldingen inlezen, controleren en geocoderen",
        description="Aanmeldingen inlezen.",
    )
    source = intake.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--applicants", type=Path, help="aanmeldingen (CSV, XLSX, mbox, .eml of map met .eml)"
    )
    source.add_argument(
        "--imap",
        metavar="URL",
        help="lees nieuwe e-mails uit imaps://GEBRUIKER@SERVER/MAP "
        "(wachtwoord uit GEO_IMAP_PASSWORD of een vraag; mail blijft ongewijzigd)",
    )
    intake.add_argument(
        "--addresses",
        type=Path,
        help="adresregister (CSV/GPKG met lat/lon), bv. een BAG-uittreksel",
    )
    intake.add_argument(
        "--offline", action="store_true", help="alleen adresregister en cache, geen internet"
    )
    intake.add_argument(
        "--woonplaats", default="", help="woonplaats voor adressen zonder postcode of plaats"
    )
    intake.add_argument("--cache-dir", type=Path, help="map voor de geocodeercache")
    intake.add_argument("--out", type=Path, required=True, help="uitvoermap")
    intake.set_defaults(handler=_intake)

    fetch = commands.add_parser(
        "fetch",
        help="wijkgrens, straten en adressen ophalen of inlezen naar één GeoPackage",
        description="Haalt de wijkgrens (CBS), straten (OpenStreetMap) en woonadressen (BAG) op, of leest ze uit bestanden.",
    )
    where = fetch.add_mutually_exclusive_group(required=True)
    where.add_argument("--wijk", help="naam of code van een CBS-wijk (met --gemeente)")
    where.add_argument(
        "--buurt", nargs="+", metavar="CODE", help="één of meer CBS-buurten (naam of code)"
    )
    where.add_argument(
        "--boundary", type=Path, help="wijkgrens uit een bestand (GeoJSON, GPKG, SHP)"
    )
    fetch.add_argument(
        "--gemeente", default="", help="gemeentenaam of -code, bv. Sittard-Geleen of GM1883"
    )
    fetch.add_argument(
        "--jaar",
        type=int,
        help="jaargang van CBS wijken en buurten (standaard GEO_CBS_YEAR of de nieuwste)",
    )
    fetch.add_argument(
        "--vernieuw",
        action="store_true",
        help="CBS- en BAG-gegevens opnieuw ophalen in plaats van uit de cache",
    )
    fetch.add_argument(
        "--streets", type=Path, help="straten uit een bestand (.osm.pbf, .osm, GPKG, GeoJSON)"
    )
    fetch.add_argument("--addresses", type=Path, help="adresregister uit een bestand (CSV, GPKG)")
    fetch.add_argument(
        "--offline",
        action="store_true",
        help="niets online ophalen: grens en straten uit bestanden, adressen uit een bestand of "
        "geen",
    )
    fetch.add_argument("--out", type=Path, required=True, help="uitvoer: WIJK.gpkg")
    fetch.set_defaults(handler=_fetch)

    plan = commands.add_parser(
        "plan",
        help="de wijk verdelen in gebieden van minder dan 256 leden",
        description="Aanmeldingen inlezen, geocoderen en de wijk verdelen in evenwichtige, aaneengesloten gebieden.",
    )
    _add_wijk_files(plan)
    plan.add_argument("--applicants", type=Path, required=True, help="aanmeldingen (CSV of XLSX)")
    plan.add_argument("--addresses", type=Path, help="adresregister voor geocoderen en huishoudens")
    _add_plan_options(plan)
    plan.set_defaults(handler=_plan)

    assign_cmd = commands.add_parser(
        "assign",
        help="nieuwe aanmeldingen toevoegen aan een bestaand plan",
        description="Voegt nieuwe aanmeldingen toe zonder bestaande leden te verplaatsen; een vol gebied wordt gesplitst.",
    )
    assign_cmd.add_argument("--plan", type=Path, required=True, help="bestaande planmap")
    assign_cmd.add_argument(
        "--applicants", type=Path, required=True, help="nieuwe aanmeldingen (CSV of XLSX)"
    )
    _add_plan_options(assign_cmd)
    assign_cmd.set_defaults(handler=_assign)

    _add_signs_and_export(commands)

    _add_project(commands)

    _add_pack(commands)

    _add_notify(commands)

    check = commands.add_parser(
        "controleer-online",
        help="elke online dienst één keer proberen (PDOK, CBS, BAG, Nominatim, Overpass)",
        description="Stelt elke online dienst één onschuldige vraag en meldt per dienst: bereikbaar, antwoord zoals verwacht, tijd.",
    )
    check.add_argument(
        "--gemeente", default="GM1883", help="gemeentenaam of -code (standaard GM1883)"
    )
    check.add_argument(
        "--opnemen", type=Path, metavar="DIR", help="bewaar de antwoorden in deze map"
    )
    check.set_defaults(handler=_check_online)

    demo = commands.add_parser(
        "demo",
        help="de hele keten op de ingebouwde demo (Helsinki, fictieve deelnemers)",
        description="Draait offline op echte straten van Helsinki (OpenStreetMap) met fictieve deelnemers.",
    )
    demo.add_argument("--out", type=Path, required=True, help="uitvoermap")
    _add_overwrite(demo)
    demo.add_argument(
        "--count", type=int, default=1500, help="aantal fictieve aanmeldingen (standaard 1500)"
    )
    demo.add_argument(
        "--seed", type=int, default=2026, help="toevalszaad voor de fictieve deelnemers"
    )
    demo.set_defaults(handler=_demo)
    return parser


def _add_signs_and_export(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    signs = commands.add_parser(
        "signs",
        help="borden voorstellen bij de ingangen van de wijk",
        description="Zoekt waar openbare wegen de wijk in lopen en stelt daar borden voor, gerangschikt.",
    )
    _add_wijk_files(signs)
    signs.add_argument("--addresses", type=Path, help="adresregister, om ingangen te rangschikken")
    signs.add_argument(
        "--areas", type=Path, help="gebieden (areas.geojson van een plan): borden per gebied"
    )
    signs.add_argument("--budget", type=int, help="alleen de N belangrijkste borden")
    signs.add_argument("--out", type=Path, required=True, help="uitvoermap")
    signs.set_defaults(handler=_signs)

    export = commands.add_parser(
        "export",
        help="een plan exporteren voor GIS, de gemeente of de beheerders",
        description=(
            "Schrijft de lagen van een plan als GeoJSON (één bestand per laag), GeoPackage of CSV, "
            "of een kaart om te printen (PNG/PDF). Profiel public bevat geen persoonsgegevens; "
            "private ook de deelnemers en de ledenlijsten per gebied (alleen voor de eigenaar leesbaar)."
        ),
    )
    _add_origin(export)
    export.add_argument("--profile", choices=PROFILES, default="public", help="public of private")
    export.add_argument(
        "--format",
        dest="fmt",
        choices=(*FORMATS, *PRINT_FORMATS),
        default="geojson",
        help="uitvoerformaat",
    )
    export.add_argument("--out", type=Path, required=True, help="uitvoermap of -bestand")
    _add_overwrite(export)
    export.set_defaults(handler=_export)


def _add_origin(parser: argparse.ArgumentParser) -> None:
    """Either a plan folder or a project file as the plan to work from."""
    origin = parser.add_mutually_exclusive_group(required=True)
    origin.add_argument("--plan", type=Path, help="planmap")
    origin.add_argument("--project", type=Path, help="projectbestand (.sqlite)")


def _add_pack(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    pack = commands.add_parser(
        "pack",
        help="beheerderspakketten (PDF + vCard) en wervingsfolders maken",
        description=(
            "Schrijft per gebied de contacten (vCard) en het beheerderspakket (PDF: kaart, "
            "straten, ledenlijst, buurgebieden, spelregels), een overzicht van alle beheerders, "
            "en wervingsfolders met QR-code voor straten waar nog niemand is aangemeld "
            "(e-mailadres uit GEO_PLATFORM_EMAIL). Alles alleen voor de eigenaar leesbaar."
        ),
    )
    _add_origin(pack)
    pack.add_argument("--out", type=Path, required=True, help="uitvoermap voor het pakket")
    pack.add_argument(
        "--flyer-formaat",
        dest="flyer_format",
        choices=("A5", "A4"),
        default="A5",
        help="papierformaat van de wervingsfolders (standaard A5)",
    )
    pack.set_defaults(handler=_pack)


def _pack(args: argparse.Namespace, settings: Settings) -> int:
    from geo.pack import BEHEERDERS_DIR, WERVING_DIR, run_pack  # noqa: PLC0415

    report = run_pack(
        args.out, settings=settings, plan_dir=args.plan, project=args.project,
        flyer_format=args.flyer_format,
    )  # fmt: skip
    print(
        f"pakket voor {counted(report.areas, 'gebied', 'gebieden')} en "
        f"{counted(report.members, 'lid', 'leden')} -> {args.out}\n"
        f"  {args.out / BEHEERDERS_DIR}: per gebied een vCard en een PDF, overzicht.pdf, "
        "beheerders.vcf"
    )
    if report.without_beheerder:
        vacant = report.without_beheerder
        areas = noun(len(vacant), "gebied", "gebieden")
        print(f"zonder beheerder: {areas} {', '.join(map(str, vacant))}")
    for area_id, copies in report.flyers.items():
        flyers = counted(copies, "folder", "folders")
        print(f"  {args.out / WERVING_DIR / f'gebied-{area_id}.pdf'}: {flyers} printen")
    for note in report.notes:
        print(f"let op: {note}")
    print("Het pakket bevat persoonsgegevens: alleen voor de beheerders, niet delen.")
    return 0


def _add_notify(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    notify = commands.add_parser(
        "notify",
        help="groepen starten: leden toegevoegd, gebied operationeel, bericht aan de leden",
        description=(
            "Zet leden op 'toegevoegd' (--toegevoegd), markeert een gebied als operationeel "
            "(--operationeel, --invite-link) en stuurt elk lid van een operationeel gebied één "
            "bericht: per e-mail via uw SMTP-server (--send; GEO_SMTP_HOST, GEO_SMTP_FROM, "
            "GEO_SMTP_USER, wachtwoord in GEO_SMTP_PASSWORD), als e-mailconcept (--eml-dir) of "
            "als WhatsApp-link voor wie geen e-mail heeft (--wa-links). Zonder --send, --eml-dir "
            "of --wa-links is het een proefrun: er gaat geen bericht uit en niemand wordt als "
            "verstuurd vastgelegd. Wie al bericht kreeg, wordt overgeslagen; na een onderbreking "
            "gaat een nieuwe run verder."
        ),
    )
    notify.add_argument("--project", type=Path, required=True, help="projectbestand (.sqlite)")
    notify.add_argument("--area", type=int, required=True, metavar="N", help="gebiedsnummer")
    notify.add_argument(
        "--operationeel", action="store_true", help="markeer de groep van dit gebied als gestart"
    )
    notify.add_argument(
        "--invite-link",
        metavar="URL",
        help="uitnodigingslink van de groep (https://chat.whatsapp.com/...); markeert het "
        "gebied ook als operationeel",
    )
    added = notify.add_mutually_exclusive_group()
    added.add_argument(
        "--toegevoegd",
        action="store_true",
        help="leden van dit gebied (of --leden) staan in de WhatsApp-groep",
    )
    added.add_argument(
        "--niet-toegevoegd", action="store_true", help="'toegevoegd' terugdraaien (of --leden)"
    )
    notify.add_argument(
        "--leden", metavar="ID,ID", help="alleen deze deelnemernummers (bij --toegevoegd)"
    )
    how = notify.add_mutually_exclusive_group()
    how.add_argument(
        "--send", action="store_true", help="echt versturen per e-mail (anders een proefrun)"
    )
    how.add_argument(
        "--eml-dir",
        type=Path,
        metavar="DIR",
        help="e-mailconcepten (.eml) in deze map om zelf te versturen, in plaats van --send",
    )
    notify.add_argument(
        "--wa-links",
        type=Path,
        metavar="FILE",
        help="WhatsApp-links voor leden zonder e-mail naar dit bestand (.html of .csv)",
    )
    notify.add_argument(
        "--rate",
        type=decimal_number,
        default=None,
        metavar="N",
        help="hoogstens N e-mails per minuut (standaard 20)",
    )
    notify.add_argument(
        "--voorbeeld", type=int, metavar="ID", help="toon het bericht aan deze deelnemer"
    )
    notify.set_defaults(handler=_notify)


def _notify(args: argparse.Namespace, _settings: Settings) -> int:
    """``notify``: mark members added, start the area, then message its members (or a dry run)."""
    from geo.store import Store  # noqa: PLC0415 - the project commands' modules load on use

    store = Store.open(args.project)
    try:
        _notify_changes(args, store)
        _print_area_status(store, int(args.area))
        return _notify_messages(args, store)
    finally:
        store.close()


def _notify_changes(args: argparse.Namespace, store: Store) -> None:
    from geo import notify  # noqa: PLC0415 - loads the pack's rules (matplotlib)

    area = int(args.area)
    ids = _member_ids(args.leden) if args.leden else None
    if ids is not None and not (args.toegevoegd or args.niet_toegevoegd):
        raise ConfigError("--leden hoort bij --toegevoegd of --niet-toegevoegd")
    if args.toegevoegd or args.niet_toegevoegd:
        count = notify.mark_area_added(store, area, ids, added=bool(args.toegevoegd))
        state = "nu als toegevoegd" if args.toegevoegd else "niet meer als toegevoegd"
        members = counted(count, "lid", "leden")
        print(f"{members} van gebied {area} {noun(count, 'staat', 'staan')} {state}")
    if args.operationeel or args.invite_link:
        notify.launch(store, area, invite_link=args.invite_link or "")
        link = " (met uitnodigingslink)" if args.invite_link else ""
        print(f"gebied {area} is operationeel{link}")
    if args.voorbeeld is not None:
        message = notify.preview(store, area, int(args.voorbeeld))
        print(f"Onderwerp: {message.subject}\n\n{message.body}")


def _notify_messages(args: argparse.Namespace, store: Store) -> int:
    from geo import messages, notify  # noqa: PLC0415

    area = int(args.area)
    acting = bool(args.send or args.eml_dir or args.wa_links)
    notify.group_of(store, area)  # one that exists
    if area not in notify.operational(store):
        if acting:
            msg = (
                f"gebied {area} is nog niet gestart; gebruik eerst --operationeel "
                "(en eventueel --invite-link)"
            )
            raise ConfigError(msg)
        print(f"gebied {area} is nog niet operationeel: er gaan nog geen berichten uit")
        return 0
    config = notify.SmtpConfig.from_env() if args.send else None
    if args.send and config is None:
        msg = (
            "geen SMTP-server ingesteld: zet GEO_SMTP_HOST, GEO_SMTP_FROM en (met inloggen) "
            "GEO_SMTP_USER en GEO_SMTP_PASSWORD; of maak concepten met --eml-dir"
        )
        raise ConfigError(msg)
    todo = notify.batch(store, area, domain=config.domain if config else "")
    counts = todo.counts()
    print(
        f"gebied {area}: {counted(len(todo.messages), 'bericht', 'berichten')} te versturen "
        f"({counts[messages.EMAIL]} per e-mail, {counts[messages.WHATSAPP]} via WhatsApp-link, "
        f"{counts[messages.NO_CHANNEL]} zonder e-mail of mobiel nummer); "
        f"{counted(todo.already_sent, 'lid had', 'leden hadden')} al bericht"
    )
    if not acting:
        for message in todo.messages:
            member = message.member
            print(
                f"  lid {member.applicant_id}: {member.name} — "
                f"{messages.CHANNEL_LABELS[member.channel]}"
            )
        print("Proefrun: niets verstuurd. Verstuur met --send, --eml-dir DIR of --wa-links FILE.")
        return 0
    code = 0
    if args.eml_dir:
        written = notify.write_drafts(
            store, todo.messages, args.eml_dir, sender=_draft_sender(),
            sender_name=f"Wijkplatform {todo.group.wijk}",
        )  # fmt: skip
        drafts = counted(len(written), "e-mailconcept", "e-mailconcepten")
        print(f"{drafts} in {args.eml_dir} (alleen voor u leesbaar)")
    if config is not None:
        code = _send_email(store, todo, config, rate=args.rate or notify.DEFAULT_RATE)
    _write_links(args, store, todo)
    _print_area_status(store, area)
    return code


def _send_email(store: Store, todo: Batch, config: SmtpConfig, *, rate: float) -> int:
    from geo import notify  # noqa: PLC0415

    config = _with_password(config)
    with notify.smtp_transport(config) as transport:
        report = notify.send_email(
            store, todo.messages, transport, sender=config.sender,
            sender_name=f"Wijkplatform {todo.group.wijk}", rate=rate,
        )  # fmt: skip
    print(f"{counted(len(report.sent), 'e-mail', 'e-mails')} verstuurd")
    if report.refused:
        print(
            "adres geweigerd door de server (controleer het e-mailadres): "
            f"{noun(len(report.refused), 'deelnemer', 'deelnemers')} "
            + ", ".join(map(str, report.refused))
        )
    if not report.stopped:
        return 0
    print(
        f"gestopt: {report.stopped}; {counted(report.left, 'e-mail', 'e-mails')} nog niet "
        "verstuurd. Draai dezelfde opdracht opnieuw om verder te gaan (niemand krijgt iets "
        "twee keer).",
        file=sys.stderr,
    )
    return EXIT_PENDING


def _write_links(args: argparse.Namespace, store: Store, todo: Batch) -> None:
    from geo import messages, notify  # noqa: PLC0415

    counts = todo.counts()
    if args.wa_links:
        links = notify.write_links(
            store, todo.messages, args.wa_links, title=f"Berichten {todo.group.name}"
        )
        print(
            f"{counted(links, 'WhatsApp-link', 'WhatsApp-links')} in {args.wa_links}: voor de "
            "beheerder, alleen voor u leesbaar"
        )
    elif counts[messages.WHATSAPP]:
        print(
            f"{counted(counts[messages.WHATSAPP], 'lid', 'leden')} zonder e-mail: maak "
            f"{noun(counts[messages.WHATSAPP], 'de WhatsApp-link', 'hun WhatsApp-links')} met "
            "--wa-links FILE"
        )
    if counts[messages.NO_CHANNEL]:
        print(
            f"{counted(counts[messages.NO_CHANNEL], 'lid', 'leden')} zonder e-mail en zonder "
            "mobiel nummer: bel of breng een brief"
        )


def _member_ids(text: str) -> list[int]:
    try:
        return [int(part) for part in text.replace(" ", "").split(",") if part]
    except ValueError:
        msg = f"--leden verwacht nummers met komma's, zoals 3,5,8; niet {text!r}"
        raise ConfigError(msg) from None


def _draft_sender() -> str:
    """The From of e-mail drafts: the SMTP sender, else the platform's address, when set."""
    import os  # noqa: PLC0415

    return os.environ.get("GEO_SMTP_FROM", "") or os.environ.get("GEO_PLATFORM_EMAIL", "")


def _with_password(config: SmtpConfig) -> SmtpConfig:
    """The SMTP password from GEO_SMTP_PASSWORD, else a prompt when a person is at the keyboard."""
    from geo.notify import PASSWORD_VARIABLE  # noqa: PLC0415

    if config.password or not config.user:
        return config
    if not sys.stdin.isatty():
        msg = f"geen SMTP-wachtwoord: zet de omgevingsvariabele {PASSWORD_VARIABLE}"
        raise ConfigError(msg)
    import getpass  # noqa: PLC0415

    return replace(config, password=getpass.getpass("SMTP-wachtwoord (wordt niet getoond): "))


def _print_area_status(store: Store, area: int) -> None:
    from geo.notify import status_per_area  # noqa: PLC0415

    rows = {int(r["gebied"]): r for r in status_per_area(store).to_dict("records")}
    if area not in rows:
        return
    row = rows[area]
    print(
        f"gebied {area}: {counted(int(row['leden']), 'lid', 'leden')} — "
        f"{int(row['ingedeeld'])} ingedeeld, "
        f"{int(row['toegevoegd'])} toegevoegd, {int(row['bericht verstuurd'])} bericht "
        f"verstuurd; operationeel: {row['operationeel']}"
    )


def _add_project(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    project = commands.add_parser(
        "project",
        help="een projectbestand bijhouden: aanmeldingen, gebieden, beheerders, geschiedenis",
        description="Alles wat de planner beslist, in één bestand (SQLite) dat maanden meegaat.",
    )
    actions = project.add_subparsers(dest="action", required=True, metavar="ACTIE")

    def action(name: str, help_text: str) -> argparse.ArgumentParser:
        parser = actions.add_parser(name, help=help_text, description=help_text)
        parser.add_argument("--project", type=Path, required=True, help="projectbestand (.sqlite)")
        parser.set_defaults(handler=_project)
        return parser

    init = action("init", "een nieuw project maken uit een wijk (fetch) of een bestaand plan")
    source = init.add_mutually_exclusive_group(required=True)
    source.add_argument("--wijk", type=Path, help="WIJK.gpkg van 'python -m geo fetch'")
    source.add_argument("--plan", type=Path, help="een planmap van 'python -m geo plan'")
    adding = action("import", "aanmeldingen inlezen, controleren, geocoderen en plaatsen")
    adding.add_argument("--applicants", type=Path, required=True, help="aanmeldingen (CSV of XLSX)")
    adding.add_argument("--offline", action="store_true", help="alleen adresregister en cache")
    action("assign", "aangenomen aanmeldingen die nog geen gebied hebben een plaats geven")
    action("status", "tellingen: aanmeldingen, gebieden, leden per gebied, beheerders")
    backup = action("backup", "een reservekopie maken (ook terwijl het project in gebruik is)")
    backup.add_argument("--to", type=Path, required=True, help="bestand voor de reservekopie")
    restore = action("restore", "een reservekopie terugzetten als projectbestand")
    restore.add_argument("--from", dest="source", type=Path, required=True, help="reservekopie")
    beheerder = action("beheerder", "de beheerder van een gebied kiezen (wie de groep maakt)")
    beheerder.add_argument("--gebied", type=int, required=True, help="nummer van het gebied")
    beheerder.add_argument(
        "--nummer", type=int, required=True, help="nummer van de aanmelding (in de app: 'nr. N')"
    )
    naam = action("naam", "een gebied een eigen naam geven (het nummer blijft)")
    naam.add_argument("--gebied", type=int, required=True, help="nummer van het gebied")
    naam.add_argument("--naam", required=True, help="de nieuwe naam, bv. 'Kerkbuurt'")
    forget = action("forget", "een persoon overal verwijderen (AVG)")
    who = forget.add_mutually_exclusive_group(required=True)
    who.add_argument("--telefoon", help="telefoonnummer van de persoon")
    who.add_argument(
        "--nummer",
        type=int,
        help="nummer van een aanmelding (in de app: 'nr. N'), bv. van een afgewezen aanmelding "
        "zonder geldig telefoonnummer",
    )


def _project(args: argparse.Namespace, settings: Settings) -> int:
    from geo.project import (  # noqa: PLC0415
        import_applicants,
        init_project,
        moved_since,
        place_members,
    )
    from geo.store import Store  # noqa: PLC0415

    if args.action == "init":
        store = init_project(
            args.project, settings=settings, wijk_file=args.wijk, plan_dir=args.plan
        )
    elif args.action == "restore":
        store = Store.restore(args.source, args.project)
    else:
        store = Store.open(args.project)
    for note in store.notices:
        print(f"let op: {note}", file=sys.stderr)
    try:
        if args.action == "import":
            services = [] if args.offline else online_services(settings)
            with _progress_bar("geocoderen") as progress:
                counts = import_applicants(
                    store, args.applicants, settings=settings, services=services, progress=progress
                )
            print(
                f"{counted(counts['rows'], 'aanmelding', 'aanmeldingen')} gelezen: "
                f"{counts['accepted']} aangenomen, {counts['rejected']} afgewezen, "
                f"{counts['pending']} nog niet gevonden, {counts['already']} al aangemeld "
                f"({noun(counts['already'], 'stond', 'stonden')} al in het project)"
            )
            for line in counts.replacements():
                print(line)
            for note in counts.notes:
                print(f"let op: {note}")
        if args.action in {"import", "assign"}:
            placed = place_members(store, settings=settings)
            print(
                f"{counted(placed.placed, 'lid', 'leden')} geplaatst; "
                f"{counted(placed.moved_existing, 'bestaand lid', 'bestaande leden')} verplaatst"
            )
            for old, new in placed.split.items():
                print(f"gebied {old} was vol en is gesplitst in {', '.join(map(str, new))}")
            if placed.moved_existing:  # they must hear that their WhatsApp group changed
                print("van groep veranderd (laat het ze weten):")
                for row in moved_since(store, store.last_change()).itertuples():
                    print(
                        f"  {row.naam} ({row.telefoon}): gebied {row.van_gebied} → gebied {row.naar_gebied}"
                    )
            if placed.co_beheerders_moved:
                print(
                    f"{counted(placed.co_beheerders_moved, 'co-beheerder kwam', 'co-beheerders kwamen')} "
                    f"in een ander gebied en {noun(placed.co_beheerders_moved, 'bleef', 'bleven')} "
                    "daar co-beheerder"
                )
        if args.action == "backup":
            print(f"reservekopie: {store.backup(args.to)}")
        if args.action == "beheerder":
            store.set_beheerder(args.gebied, args.nummer)
            print(f"gebied {args.gebied}: aanmelding nr. {args.nummer} is de beheerder")
        if args.action == "naam":
            done = store.rename_area(args.gebied, args.naam)
            name = " ".join(args.naam.split())
            print(f"gebied {args.gebied} heet {'nu' if done else 'al'} {name!r}")
        if args.action == "forget":
            regions = settings.phone_regions
            removed = (
                store.forget(_forget_phone(args.telefoon, settings), regions=regions)
                if args.telefoon is not None
                else store.forget_sign_up(args.nummer, regions=regions)
            )
            if not removed:  # a typo in the number must not look like a removal
                print("fout: dit nummer staat niet in het project", file=sys.stderr)
                return EXIT_ERROR
            print(f"{counted(removed, 'aanmelding', 'aanmeldingen')} verwijderd")
        _print_status(store.status())
    finally:
        store.close()
    return 0


def _forget_phone(text: str, settings: Settings) -> str:
    try:
        return _phone(text, settings)
    except ConfigError as error:
        msg = (
            f"{error}; een aanmelding met zo'n nummer verwijdert u met --nummer (het nummer "
            "van de aanmelding, in de app 'nr. N')"
        )
        raise ConfigError(msg) from None


def _phone(text: str, settings: Settings) -> str:
    try:
        return normalize_phone(text, regions=settings.phone_regions)[0]
    except ValueError as error:
        raise ConfigError(str(error)) from None


def _print_status(status: Status) -> None:
    counts = status.applicants
    print(
        f"aanmeldingen: {counts['accepted']} aangenomen, {counts['rejected']} afgewezen, "
        f"{counted(counts['pending'], 'wacht', 'wachten')} op een adres; "
        f"{counted(status.areas, 'gebied', 'gebieden')}"
    )
    for area_id, members in sorted(status.members_per_area.items()):
        print(f"  gebied {area_id}: {counted(members, 'lid', 'leden')}")
    if status.areas_without_beheerder:
        print(f"zonder beheerder: {', '.join(map(str, status.areas_without_beheerder))}")
    if status.unplaced:
        print(
            f"{counted(status.unplaced, 'aanmelding', 'aanmeldingen')} nog zonder gebied — "
            "draai 'python -m geo project assign'"
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    handler: Callable[[argparse.Namespace, Settings], int] = args.handler
    # The modules loaded so far outlive the command: garbage collections during the run need
    # not walk their objects again and again (about a tenth of a plan's time).
    gc.freeze()
    try:
        settings = Settings.from_env()
        return handler(args, settings)
    except GeoError as error:
        print(f"fout: {error}", file=sys.stderr)
        return EXIT_ERROR
    except OSError as error:  # a disk or folder problem not caught where it happened
        where = f" ({error.filename})" if error.filename else ""
        print(f"fout: kan niet lezen of schrijven{where}: {reason(error)}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("afgebroken; wat al klaar was staat in de cache", file=sys.stderr)
        return 130
    finally:
        gc.unfreeze()  # a process that runs more commands collects them again


def _intake(args: argparse.Namespace, settings: Settings) -> int:
    if args.cache_dir is not None:
        settings = replace(settings, cache_dir=args.cache_dir)
    register = AddressRegister.from_file(args.addresses) if args.addresses else None
    services = [] if args.offline else online_services(settings)
    if args.imap:
        return _intake_imap(args, settings, register, services)
    return _print_report(_intake_file(args.applicants, args, settings, register, services))


def _intake_file(
    path: Path,
    args: argparse.Namespace,
    settings: Settings,
    register: AddressRegister | None,
    services: Sequence[OnlineService],
) -> IntakeReport:
    """Read, check and geocode one sign-up file into ``args.out``, with a progress bar."""
    with _progress_bar("geocoderen") as progress:
        return run_intake(
            path,
            args.out,
            settings=settings,
            register=register,
            services=services,
            default_place=args.woonplaats,
            progress=progress,
        )


def _intake_imap(
    args: argparse.Namespace,
    settings: Settings,
    register: AddressRegister | None,
    services: Sequence[OnlineService],
) -> int:
    """``intake --imap``: new messages to a private scratch mbox, then the intake as usual."""
    import tempfile  # noqa: PLC0415

    from geo.mail import write_mbox  # noqa: PLC0415
    from geo.mail_imap import (  # noqa: PLC0415
        STATE_FILE,
        fetch_new,
        parse_imap_url,
        password_from_env,
        save_state,
    )

    target = parse_imap_url(args.imap)
    state_path = settings.cache_dir / STATE_FILE
    fetched = fetch_new(target, password_from_env(), state_path=state_path)
    if fetched.reset:
        print("let op: de map is door de server opnieuw genummerd; alle berichten zijn gelezen")
    if not fetched.messages:
        print(f"geen nieuwe e-mails in {target.folder}")
        return 0
    with tempfile.TemporaryDirectory(prefix="imap-") as scratch:  # owner-only, removed after
        mbox = Path(scratch) / "postvak.mbox"
        write_mbox(fetched.messages, mbox)
        report = _intake_file(mbox, args, settings, register, services)
    save_state(state_path, target, fetched)  # only once the messages were handled
    read = counted(len(fetched.messages), "nieuwe e-mail", "nieuwe e-mails")
    print(f"{read} gelezen uit {target.folder}")
    return _print_report(report)


def _fetch(args: argparse.Namespace, settings: Settings) -> int:
    if args.wijk and not args.gemeente:
        print("fout: --wijk heeft --gemeente nodig (naam of code, bv. GM1883)", file=sys.stderr)
        return EXIT_ERROR
    wijk = fetch_wijk(
        settings,
        boundary_file=args.boundary,
        wijk_name=args.wijk or "",
        buurten=args.buurt or (),
        gemeente=args.gemeente,
        year=args.jaar,
        streets_file=args.streets,
        addresses_file=args.addresses,
        client=HttpClient(settings, refresh=args.vernieuw),
        offline=args.offline,
    )
    save_wijk(wijk, args.out)
    print(
        f"{wijk.boundary['name'].iloc[0]}: "
        f"{counted(len(wijk.streets), 'straatdeel', 'straatdelen')}, "
        f"{counted(len(wijk.addresses), 'woonadres', 'woonadressen')} -> {args.out}"
    )
    return 0


def _plan(args: argparse.Namespace, settings: Settings) -> int:
    _refuse_existing_plan(args.out, overwrite=args.overschrijven)
    settings = _plan_settings(args, settings)
    register = AddressRegister.from_file(args.addresses) if args.addresses else None
    wijk = load_wijk_layers(args.boundary, args.streets, args.addresses, register=register)
    with _progress_bar("geocoderen") as progress:
        report = run_plan(
            args.applicants,
            args.out,
            wijk=wijk,
            settings=settings,
            register=register,
            services=[] if args.offline else online_services(settings),
            progress=progress,
            signs_per_area=args.per_area,
            budget=args.budget,
            inputs=[args.boundary, args.streets, *([args.addresses] if args.addresses else [])],
        )
    return _print_plan(report)


def _signs(args: argparse.Namespace, _settings: Settings) -> int:
    refuse_overwrite(
        [args.out / SIGNS_FILE, args.out / SIGNS_MAP_FILE],
        [args.boundary, args.streets, args.addresses, args.areas],
    )
    wijk = load_wijk_layers(args.boundary, args.streets, args.addresses)
    areas = read_areas(args.areas) if args.areas else None
    signs, files = run_signs(wijk, args.out, areas=areas, budget=args.budget)
    main_count = int((signs["kind"] == "main").sum())
    print(
        f"{counted(len(signs), 'bord', 'borden')} voorgesteld: {main_count} bij hoofdingangen, "
        f"{len(signs) - main_count} bij fiets- en voetpaden"
    )
    for path in files:
        print(f"  {path}")
    return 0


def _export(args: argparse.Namespace, _settings: Settings) -> int:
    folder = args.out if args.out.is_dir() or not args.out.suffix else args.out.parent
    _refuse_existing_plan(folder, overwrite=args.overschrijven, source=args.plan)
    if args.project is not None:
        from geo.project import export_project  # noqa: PLC0415
        from geo.store import Store  # noqa: PLC0415

        refuse_overwrite([args.out], [args.project])
        store = Store.open(args.project)
        try:
            files = export_project(store, profile=args.profile, fmt=args.fmt, out=args.out)
        finally:
            store.close()
    else:
        files = run_export(args.plan, profile=args.profile, fmt=args.fmt, out=args.out)
    written = counted(len(files), "bestand", "bestanden")
    print(f"{written} geschreven ({args.profile}, {args.fmt}):")
    for path in files:
        print(f"  {path}")
    return 0


def _assign(args: argparse.Namespace, settings: Settings) -> int:
    if args.fill is not None:
        print(
            "fout: --fill hoort bij een nieuw plan; assign houdt die van het plan", file=sys.stderr
        )
        return EXIT_ERROR
    _refuse_existing_plan(args.out, overwrite=args.overschrijven, source=args.plan)
    settings = _plan_settings(args, settings)
    with _progress_bar("geocoderen") as progress:
        report = run_assign(
            args.plan,
            args.applicants,
            args.out,
            settings=settings,
            services=[] if args.offline else online_services(settings),
            progress=progress,
            signs_per_area=args.per_area,
            budget=args.budget,
            max_members=args.max_members,
        )
    return _print_plan(report)


def _check_online(args: argparse.Namespace, settings: Settings) -> int:
    from geo.online_check import check_online, format_checks  # noqa: PLC0415

    results = check_online(settings, gemeente=args.gemeente, record_dir=args.opnemen)
    print(format_checks(results))
    if args.opnemen:
        print(f"antwoorden bewaard in {args.opnemen}")
    return 0 if all(r.ok for r in results) else EXIT_ERROR


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from geo.demo import demo_applicants, demo_wijk  # noqa: PLC0415 - loads pyrosm
    from geo.tables import write_csv  # noqa: PLC0415

    if args.count < 10:
        print("fout: --count moet minstens 10 zijn", file=sys.stderr)
        return EXIT_ERROR
    # A folder the demo made (its mark beside the plan) is made anew each run; any other plan
    # in --out is the planner's, even with files named like the demo's.
    _refuse_existing_plan(
        args.out, overwrite=args.overschrijven or (args.out / DEMO_MARK).is_file()
    )
    wijk = demo_wijk()
    save_wijk(wijk, args.out / "wijk.gpkg")
    register_table = register_from_points(wijk.addresses)
    register_path = args.out / "adressen.csv"
    write_csv(register_table.drop(columns=["levels"]), register_path, private=False)
    applicants_path = args.out / "aanmeldingen.csv"
    applicants = demo_applicants(register_table, count=args.count, seed=args.seed)
    write_csv(applicants, applicants_path, private=True)
    print(
        f"demo: {counted(len(wijk.streets), 'straat', 'straten')} en "
        f"{counted(len(register_table), 'adres', 'adressen')} in Helsinki "
        "(© OpenStreetMap-bijdragers, ODbL)"
    )
    report = run_plan(
        applicants_path,
        args.out,
        wijk=wijk,
        settings=settings,
        register=AddressRegister.from_file(register_path),
        use_cache=False,
    )
    (args.out / DEMO_MARK).write_text(
        "Deze map is gemaakt door 'python -m geo demo' (fictieve deelnemers).\n", encoding="utf-8"
    )
    return _print_plan(report)


def _print_plan(report: PlanReport) -> int:
    code = _print_report(report.intake)
    metrics = report.metrics
    count = {  # the counts the summary names, as numbers (metrics holds them as JSON values)
        key: int(str(metrics.get(key) or 0))
        for key in ("areas", "members", "members_outside_wijk", "areas_without_beheerder")
    }
    print(
        f"{counted(count['areas'], 'gebied', 'gebieden')} voor "
        f"{counted(count['members'], 'lid', 'leden')}: "
        f"{metrics['min']}–{metrics['max']} per gebied "
        f"(maximaal {metrics['max_members']}, afwijking van het gemiddelde hoogstens "
        f"{decimal(float(str(metrics['max_deviation_from_mean_pct'])), 1)}%)"
    )
    if count["members_outside_wijk"]:
        print(
            counted(count["members_outside_wijk"], "aanmelding ligt", "aanmeldingen liggen")
            + " buiten de wijkgrens (zie rejects.csv)"
        )
    if count["areas_without_beheerder"]:
        vacant = counted(count["areas_without_beheerder"], "gebied heeft", "gebieden hebben")
        print(f"{vacant} nog geen beheerder")
    for old, new in report.split.items():
        print(f"gebied {old} was vol en is gesplitst in {', '.join(str(n) for n in new)}")
    if report.split:
        moved = counted(report.moved_existing, "bestaand lid zit", "bestaande leden zitten")
        where = " (zie verplaatst.csv)" if report.moved_existing else ""
        print(f"{moved} nu in een nieuw gebied{where}")
    for path in report.files:
        print(f"  {path}")
    return code


def _to_check(applicants: Path) -> int:
    """How many accepted sign-ups carry a "controleren: …" remark."""
    if not applicants.is_file():
        return 0
    with applicants.open(encoding="utf-8-sig", newline="") as handle:
        return sum("controleren:" in (row.get("opmerking") or "") for row in csv.DictReader(handle))


def _print_report(report: IntakeReport) -> int:
    print(
        f"{counted(report.rows_in, 'aanmelding', 'aanmeldingen')} gelezen: "
        f"{report.accepted} aangenomen, {report.rejected} afgewezen, "
        f"{report.pending} nog niet gevonden"
        + (
            f" ({counted(report.empty_rows, 'lege regel', 'lege regels')} overgeslagen)"
            if report.empty_rows
            else ""
        )
    )
    for note in report.notes:
        print(f"let op: {note}")
    to_check = _to_check(report.files[0]) if report.files else 0
    if to_check:  # e.g. the same name and address with another phone: maybe one person twice
        print(
            f"let op: {counted(to_check, 'aanmelding', 'aanmeldingen')} te controleren "
            f"(kolom opmerking in {report.files[0].name})"
        )
    for path in report.files:
        print(f"  {path}")
    if report.pending:
        print("Niet alle adressen zijn gevonden; draai opnieuw (online) om verder te gaan.")
        return EXIT_PENDING
    return 0


@contextmanager
def _progress_bar(label: str) -> Iterator[Progress]:
    bar = tqdm(desc=label, unit="adres", disable=None, file=sys.stderr)

    def update(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    try:
        yield update
    finally:
        bar.close()
