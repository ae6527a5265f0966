"""Beheerder packs and recruitment flyers (issue 16): ``python -m geo pack``.

A small real-geometry wijk (a street grid near Geleen in RD New) with an address register and
fictitious sign-ups at registered addresses, planned once per module with ``python -m geo plan``
(offline: the register geocodes). Two streets have households but nobody signed up, so they
get flyers. Every vCard is parsed back, the PDFs' text is extracted, the flyer's QR code is
decoded from the image inside the PDF.
"""

from __future__ import annotations

import csv
import re
import stat
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import geopandas as gpd
import phonenumbers
import pytest
import segno
import vobject
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from shapely import Point

from geo.cli import EXIT_ERROR, main
from geo.flyers import SUBJECT, FlyerStreet, flyer_pdf, qr_code, signup_mailto
from geo.pack import area_map, build_pack, data_from_plan, overview_map
from geo.pdf import Document, printable
from geo.store import Store
from geo.vcards import Contact, name_parts, vcard, vcards, vobject_vcard
from tests.grids import RD, grid_boundary, grid_streets

EMAIL = "aanmelden@wijkplatform-oudgeleen.example"
HORIZONTAL = ["Kerkstraat", "Molenweg", "Rijksweg Zuid", "Sint Rosaweg"]
VERTICAL = ["Annastraat", "Beekstraat", "Dorpstraat", "Geleenbeeklaan", "Heidestraat"]
NOBODY = {"Sint Rosaweg", "Heidestraat"}  # households, no sign-up: the flyers' streets
FIRST = ["Anna", "Bram", "Carla", "Daan", "Eva", "Finn", "Gerda", "Hugo", "Zoë", "Łukasz"]
LAST = ["van den Berg", "Janssen", "de Groot", "Smeets", "Op den Camp", "Ramakers", "Wetzels"]
E164 = re.compile(r"^\+[1-9]\d{7,14}$")


def _grid() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    streets = grid_streets(4, 3)
    streets["name"] = HORIZONTAL + VERTICAL
    boundary = gpd.GeoDataFrame({"name": ["Rasterwijk"]}, geometry=[grid_boundary(4, 3)], crs=RD)
    return boundary, streets


def _houses(streets: gpd.GeoDataFrame) -> list[dict[str, object]]:
    """Register addresses every 20 m on both sides of every street (odd left, even right)."""
    houses = []
    for name, line in zip(streets["name"], streets.geometry, strict=True):
        for k, along in enumerate(range(20, int(line.length) - 10, 40)):
            if along % 100 < 18 or along % 100 > 82:
                continue  # not in a crossing
            point = line.interpolate(along)
            ahead = line.interpolate(along + 1)
            dx, dy = ahead.x - point.x, ahead.y - point.y
            for side, number in ((1, 2 * k + 1), (-1, 2 * k + 2)):
                house = Point(point.x - side * dy * 9, point.y + side * dx * 9)
                houses.append({"straat": name, "huisnummer": number, "geometry": house})
    return houses


def _write_csv(path: Path, header: list[str], rows: list[list[str]], delimiter: str = ",") -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _wijk_files(folder: Path, *, register: bool = True) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    boundary, streets = _grid()
    boundary.to_crs(4326).to_file(folder / "grens.geojson")
    streets.to_crs(4326).to_file(folder / "straten.geojson")
    houses = gpd.GeoDataFrame(_houses(streets), geometry="geometry", crs=RD).to_crs(4326)
    files = {"boundary": folder / "grens.geojson", "streets": folder / "straten.geojson"}
    if register:
        files["register"] = _write_csv(
            folder / "adressen.csv",
            ["straat", "huisnummer", "huisletter", "toevoeging", "woonplaats", "postcode", "lat", "lon"],
            [
                [str(h["straat"]), str(h["huisnummer"]), "", "", "Geleen", "6163 AB", f"{p.y:.7f}", f"{p.x:.7f}"]
                for h, p in zip(houses.to_dict("records"), houses.geometry, strict=True)
            ],
        )  # fmt: skip
    return files


def _people(houses: gpd.GeoDataFrame, count: int, *, beheerders: int = 4) -> list[list[str]]:
    chosen = houses.loc[~houses["straat"].isin(NOBODY)].reset_index(drop=True)
    rows = []
    for n in range(count):
        house = chosen.iloc[(n * 7) % len(chosen)]
        name = f"{FIRST[n % len(FIRST)]} {LAST[n % len(LAST)]} {n}"
        rows.append(
            [name, str(house["straat"]), str(house["huisnummer"]), "6163AB", "Geleen", "44",
             f"06{30000000 + n:08d}", "ja" if n % (count // beheerders or 1) == 0 and n < count else ""]
        )  # fmt: skip
    return rows


APPLICANT_HEADER = ["Naam", "Straat", "Huisnummer", "Postcode", "Woonplaats", "Leeftijd", "Telefoon", "Beheerder"]  # fmt: skip


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plan folder of 60 sign-ups in areas of at most 12 (several areas with neighbours)."""
    root = tmp_path_factory.mktemp("pack")
    files = _wijk_files(root / "wijk")
    houses = gpd.GeoDataFrame(_houses(_grid()[1]), geometry="geometry", crs=RD)
    applicants = _write_csv(
        root / "aanmeldingen.csv", APPLICANT_HEADER, _people(houses, 60), delimiter=";"
    )
    out = root / "plan"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GEO_CACHE_DIR", str(root / "cache"))
        code = main(
            ["plan", "--boundary", str(files["boundary"]), "--streets", str(files["streets"]),
             "--addresses", str(files["register"]), "--applicants", str(applicants), "--offline",
             "--max-members", "12", "--out", str(out)]
        )  # fmt: skip
    assert code == 0
    return out


@pytest.fixture(scope="module")
def pack(planned: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("uit") / "pakket"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GEO_PLATFORM_EMAIL", EMAIL)
        assert main(["pack", "--plan", str(planned), "--out", str(out)]) == 0
    return out


def _members(plan_dir: Path) -> list[dict[str, str]]:
    with (plan_dir / "members.csv").open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _areas(plan_dir: Path) -> gpd.GeoDataFrame:
    return gpd.read_file(plan_dir / "areas.geojson")


def _text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def _cards(path: Path) -> list[vobject.base.Component]:
    return list(vobject.readComponents(path.read_text(encoding="utf-8")))


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_every_member_is_in_exactly_one_area_vcard_with_an_e164_mobile(
    planned: Path, pack: Path
) -> None:
    members = _members(planned)
    seen: dict[str, int] = {}
    for path in sorted((pack / "beheerders").glob("gebied-*.vcf")):
        area_id = int(path.stem.split("-")[1])
        for card in _cards(path):
            phone = card.tel.value
            assert E164.fullmatch(phone), phone
            assert phonenumbers.is_valid_number(phonenumbers.parse(phone))
            assert card.tel.params["TYPE"] == ["CELL"]
            assert phone not in seen, f"{phone} staat in gebied {seen[phone]} en {area_id}"
            seen[phone] = area_id
            assert card.version.value == "3.0"
            assert card.note.value.startswith("BuurtWhatsApp Rasterwijk ")
            assert card.categories.value == [f"BuurtWhatsApp gebied {area_id}"]
            assert card.n.value.family and card.fn.value
            assert card.adr.value.city == "Geleen"
    expected = {m["telefoon"]: int(m["area_id"]) for m in members}
    assert seen == expected
    names = {m["naam"] for m in members}
    assert any("Zoë" in n for n in names) and any("Łukasz" in n for n in names)


def test_area_pdfs_name_their_streets_beheerder_and_neighbouring_beheerders(
    planned: Path, pack: Path
) -> None:
    members = _members(planned)
    beheerder = {int(m["area_id"]): m["naam"] for m in members if m["is_beheerder"] == "True"}
    areas = _areas(planned)
    assert len(areas) >= 3 and beheerder
    for area in areas.itertuples():
        text = _flat(_text(pack / "beheerders" / f"gebied-{area.area_id}.pdf"))
        for entry in str(area.streets).split("; "):
            street = re.sub(r" \d+(–\d+)?$", "", entry)
            assert street in text, (area.area_id, street)
        if area.area_id in beheerder:
            assert printable(beheerder[area.area_id]) in text
        else:
            assert "nog geen beheerder" in text
        for other in (int(n) for n in str(area.neighbours).split(",") if n):
            if other in beheerder:
                assert printable(beheerder[other]) in text, (area.area_id, other)
        for rule in ("18 jaar", "signaleren van verdachte situaties", "eerst 112",
                     "privéberichten", "voegt leden toe en verwijdert ze"):  # fmt: skip
            assert rule in text
        for member in (m for m in members if int(m["area_id"]) == area.area_id):
            assert member["telefoon"] in text
        # The map's words are PDF text: street names, the neighbours, scale bar, credit.
        assert any(f"gebied {n}" in text for n in str(area.neighbours).split(",") if n)
        assert re.search(r"\b0 \d+(\.\d+)? k?m\b", text), area.area_id  # the scale bar
        assert "Kaartgegevens © OpenStreetMap-bijdragers" in text


def test_overview_and_beheerders_vcard_hold_every_beheerder(planned: Path, pack: Path) -> None:
    members = _members(planned)
    chosen = [m for m in members if m["is_beheerder"] == "True"]
    text = _flat(_text(pack / "beheerders" / "overzicht.pdf"))
    for member in chosen:
        assert printable(member["naam"]) in text and member["telefoon"] in text
    cards = _cards(pack / "beheerders" / "beheerders.vcf")
    assert sorted(c.tel.value for c in cards) == sorted(m["telefoon"] for m in chosen)
    for card in cards:
        assert "BuurtWhatsApp beheerders" in card.categories.value


def test_flyers_are_for_the_open_streets_and_their_qr_opens_the_signup_mail(
    planned: Path, pack: Path
) -> None:
    flyers = sorted((pack / "werving").glob("gebied-*.pdf"))
    assert flyers
    streets_on_flyers = set()
    expected = signup_mailto(EMAIL)
    for path in flyers:
        reader = PdfReader(path)
        cover, flyer = (_flat(page.extract_text()) for page in reader.pages)
        assert re.search(r"Aantal folders \d+ \(één per huishouden", cover)
        for page in reader.pages:  # A5 by default (ISO 216: 148 × 210 mm)
            assert [round(float(v) / 72 * 25.4) for v in page.mediabox[2:]] == [148, 210]
        streets_on_flyers |= {s for s in NOBODY if s in flyer}
        assert "Doe mee met de BuurtWhatsApp Rasterwijk" in flyer and "112" in flyer
        assert "pagina" not in flyer  # it goes into letterboxes: no "pagina 2 van 2"
        images = reader.pages[1].images
        assert len(images) == 1
        decoded = zxingcpp.read_barcodes(images[0].image)
        assert [code.text for code in decoded] == [expected]
        assert segno.make(expected, error="m").matrix == qr_code(expected).matrix
    assert streets_on_flyers == NOBODY
    link = urlparse(expected)
    assert link.scheme == "mailto" and unquote(link.path) == EMAIL
    query = parse_qs(link.query)
    assert query["subject"] == [SUBJECT]
    assert query["body"][0].splitlines() == [
        "Naam: ", "Adres: ", "Leeftijd: ", "Telefoon: ", "Beheerder (ja/nee): "
    ]  # fmt: skip


def test_the_flyer_count_is_the_households_on_its_streets(planned: Path, pack: Path) -> None:
    """Per area: the register's households on streets where none of its members lives; in an
    area of fewer than 10 members on all its streets (a flyer for all but the members' own
    streets would tell where they live)."""
    with (planned.parent / "wijk" / "adressen.csv").open(encoding="utf-8") as handle:
        register = list(csv.DictReader(handle))
    points = gpd.GeoDataFrame(
        register,
        geometry=gpd.points_from_xy([float(r["lon"]) for r in register], [float(r["lat"]) for r in register]),
        crs=4326,
    ).sjoin(_areas(planned)[["area_id", "geometry"]], predicate="within")  # fmt: skip
    members = _members(planned)
    signed = {(int(m["area_id"]), m["straat"]) for m in members}
    sizes = Counter(int(m["area_id"]) for m in members)
    assert min(sizes.values()) < 10 <= max(sizes.values()), "both kinds of area"
    expected: dict[int, int] = {}
    for row in points.itertuples():
        if (int(row.area_id), row.straat) not in signed or sizes[int(row.area_id)] < 10:
            expected[int(row.area_id)] = expected.get(int(row.area_id), 0) + 1
    printed = {}
    for path in (pack / "werving").glob("gebied-*.pdf"):
        cover, flyer = (_flat(page.extract_text()) for page in PdfReader(path).pages)
        area_id = int(path.stem.split("-")[1])
        printed[area_id] = int(re.search(r"Aantal folders (\d+)", cover)[1])
        few = sizes[area_id] < 10  # members' own streets get it too: "nobody" would be untrue
        assert ("nog maar weinig bewoners" in flyer) == few
        assert ("heeft zich nog niemand aangemeld" in flyer) != few
    assert printed == expected


def test_pack_files_are_owner_only(pack: Path) -> None:
    for folder in (pack / "beheerders", pack / "werving"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    files = [p for p in pack.rglob("*") if p.is_file()]
    assert len(files) > 5
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert not list(pack.rglob(".*.tmp*"))


def test_pack_from_a_project_matches_the_plan(
    planned: Path, pack: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEO_PLATFORM_EMAIL", EMAIL)
    project = tmp_path / "wijk.sqlite"
    assert main(["project", "init", "--project", str(project), "--plan", str(planned)]) == 0
    store = Store.open(project)
    try:  # the planner chooses a co-beheerder in one area
        placed = store.applicants("accepted")
        helper = placed.loc[~placed["is_beheerder"].astype(bool)].iloc[0]
        store.set_co_beheerders(int(helper["area_id"]), [int(helper["id"])])
    finally:
        store.close()
    out = tmp_path / "pakket"
    assert main(["pack", "--project", str(project), "--out", str(out)]) == 0
    text = _flat(_text(out / "beheerders" / f"gebied-{int(helper['area_id'])}.pdf"))
    assert f"Co-beheerders {printable(helper['naam'])}, {helper['telefoon']}" in text
    assert "co-beheerder" in text
    cards = {c.tel.value: c for c in _cards(out / "beheerders" / "beheerders.vcf")}
    assert cards[helper["telefoon"]].title.value == f"Co-beheerder gebied {int(helper['area_id'])}"
    for path in (pack / "beheerders").glob("gebied-*.vcf"):
        again = out / "beheerders" / path.name
        assert sorted(c.tel.value for c in _cards(again)) == sorted(
            c.tel.value for c in _cards(path)
        )
    assert sorted(p.name for p in (out / "werving").iterdir()) == sorted(
        p.name for p in (pack / "werving").iterdir()
    )


def test_two_worker_processes_write_the_same_pack(
    planned: Path, pack: Path, tmp_path: Path
) -> None:
    report = build_pack(data_from_plan(planned), tmp_path / "p", platform_email=EMAIL, workers=2)
    assert report.areas == len(_areas(planned))
    for path in (pack / "beheerders").glob("*.vcf"):
        assert (tmp_path / "p" / "beheerders" / path.name).read_text(encoding="utf-8") == path.read_text(encoding="utf-8")  # fmt: skip
    written = sorted(p.relative_to(pack) for p in pack.rglob("*.pdf"))
    assert written == sorted(p.relative_to(tmp_path / "p") for p in (tmp_path / "p").rglob("*.pdf"))
    for name in written:  # the same documents (they differ only in their creation time)
        assert _text(tmp_path / "p" / name) == _text(pack / name)


def test_area_maps_name_their_streets_with_ranges_and_are_the_same_whatever_came_before(
    planned: Path,
) -> None:
    data = data_from_plan(planned)
    ids = [int(a) for a in data.areas["area_id"]]
    first = area_map(data, ids[0])
    pictures = [area_map(data, a) for a in ids]
    overview_map(data)
    again = area_map(data, ids[0])  # the figure is reused: nothing of the others stays on it
    assert again.image.tobytes() == first.image.tobytes() == pictures[0].image.tobytes()
    assert again.labels == first.labels
    for area_id, picture in zip(ids, pictures, strict=True):
        minx, miny, maxx, maxy = picture.bounds
        assert all(minx < w.x < maxx and miny < w.y < maxy for w in picture.labels)
        words = {w.text for w in picture.labels}
        listed = str(data.area(area_id)["streets"]).split("; ")
        named = [
            e
            for e in listed
            if any(w.split(" (")[0] == re.sub(r" \d+(–\d+)?$", "", e) for w in words)
        ]
        assert named, (area_id, words)  # at least one of its streets is named on its map
        for entry in named:  # with its house numbers where the area holds part of the street
            if match := re.fullmatch(r"(.+) (\d+(–\d+)?)", entry):
                assert f"{match[1]} ({match[2]})" in words, (area_id, entry, words)


def test_a_flyer_with_many_streets_stays_one_page(tmp_path: Path) -> None:
    streets = [FlyerStreet(f"Heel Lange Straatnaamsweg {n}", 3) for n in range(150)]
    copies = flyer_pdf(tmp_path / "f.pdf", wijk="Rasterwijk", area_label="gebied 1",
                       streets=streets, platform_email=EMAIL)  # fmt: skip
    assert copies == 450
    reader = PdfReader(tmp_path / "f.pdf")
    cover = _flat("".join(page.extract_text() for page in reader.pages[:-1]))
    assert all(s.street in cover for s in streets)  # the print order lists every street
    flyer = _flat(reader.pages[-1].extract_text())
    assert "Doe mee met de BuurtWhatsApp Rasterwijk" in flyer
    assert re.search(r"en nog \d+ andere straten", flyer) and "Heel Lange Straatnaamsweg 0" in flyer
    assert not _flat(reader.pages[-2].extract_text()).startswith("Doe mee")


def test_one_area_one_member_no_beheerder_no_register(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEO_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("GEO_PLATFORM_EMAIL", raising=False)
    files = _wijk_files(tmp_path / "wijk", register=False)
    _, streets = _grid()
    house = streets.geometry.iloc[0].interpolate(150)
    wgs = gpd.GeoSeries([Point(house.x, house.y + 9)], crs=RD).to_crs(4326).iloc[0]
    applicants = _write_csv(
        tmp_path / "een.csv",
        [*APPLICANT_HEADER[:-1], "lat", "lon"],
        [["Vera Vossen", "Kerkstraat", "3", "6163AB", "Geleen", "70", "0612345678", f"{wgs.y:.7f}", f"{wgs.x:.7f}"]],
        delimiter=";",
    )  # fmt: skip
    plan_dir = tmp_path / "plan"
    assert main(["plan", "--boundary", str(files["boundary"]), "--streets", str(files["streets"]),
                 "--applicants", str(applicants), "--offline", "--out", str(plan_dir)]) == 0  # fmt: skip
    capsys.readouterr()
    out = tmp_path / "pakket"
    assert main(["pack", "--plan", str(plan_dir), "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "zonder beheerder: gebied 1" in said
    assert "geen adresregister" in said and "beheerders.vcf is niet gemaakt" in said
    cards = _cards(out / "beheerders" / "gebied-1.vcf")
    assert [c.tel.value for c in cards] == ["+31612345678"]
    text = _flat(_text(out / "beheerders" / "gebied-1.pdf"))
    assert "nog geen beheerder" in text and "het enige gebied in de wijk" in text
    assert "Vera Vossen" in text and "Kerkstraat" in text
    assert "onbekend (geen adresregister)" in text
    assert "nog geen beheerder" in _flat(_text(out / "beheerders" / "overzicht.pdf"))
    assert not (out / "beheerders" / "beheerders.vcf").exists()
    assert list((out / "werving").iterdir()) == []


def test_a_pack_again_without_platform_address_has_no_qr_and_drops_stale_files(
    planned: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("GEO_PLATFORM_EMAIL", raising=False)
    out = tmp_path / "p"
    stale = out / "beheerders" / "gebied-99.pdf"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"old")
    mine = out / "beheerders" / "notities.txt"
    mine.write_text("van de planner")
    assert main(["pack", "--plan", str(planned), "--out", str(out), "--flyer-formaat", "A4"]) == 0
    assert "GEO_PLATFORM_EMAIL is niet ingesteld" in capsys.readouterr().out
    flyers = list((out / "werving").glob("*.pdf"))
    assert flyers
    for path in flyers:
        flyer = PdfReader(path).pages[-1]
        assert len(flyer.images) == 0
        assert "Meld u aan bij het wijkplatform" in _flat(flyer.extract_text())
        assert [round(float(v) / 72 * 25.4) for v in flyer.mediabox[2:]] == [210, 297]
    assert not stale.exists() and mine.exists()


@pytest.mark.parametrize(
    ("email", "words"),
    [("geen adres", ["GEO_PLATFORM_EMAIL", "e-mailadres"]), ("a@b.nl?cc=x@y.nl", ["GEO_PLATFORM_EMAIL"])],
)  # fmt: skip
def test_a_bad_platform_address_stops_before_writing(
    planned: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    email: str,
    words: list[str],
) -> None:
    monkeypatch.setenv("GEO_PLATFORM_EMAIL", email)
    assert main(["pack", "--plan", str(planned), "--out", str(tmp_path / "p")]) == EXIT_ERROR
    err = capsys.readouterr().err.strip()
    assert err.startswith("fout: ") and "\n" not in err and all(w in err for w in words)
    assert not (tmp_path / "p").exists()


def test_pack_never_writes_into_its_plan_or_without_one(
    planned: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["pack", "--plan", str(planned), "--out", str(planned / "pakket")]) == EXIT_ERROR
    assert "invoerbestand" in capsys.readouterr().err
    assert not (planned / "pakket").exists()
    empty = tmp_path / "leeg"
    empty.mkdir()
    assert main(["pack", "--plan", str(empty), "--out", str(tmp_path / "p")]) == EXIT_ERROR
    assert "geen planmap" in capsys.readouterr().err


def test_vcards_escape_text_and_split_dutch_names() -> None:
    assert name_parts("Anna van den Berg") == ("Anna", "van den Berg")
    assert name_parts("Jansen, Piet") == ("Piet", "Jansen"), "family name first, as forms list it"
    assert name_parts("Berg, Anna van den") == ("Anna", "van den Berg")
    assert name_parts("Jansen, ") == ("", "Jansen")
    assert name_parts("jansen, piet jan") == ("piet jan", "jansen"), "typed in lower case"
    assert name_parts("Berg, van den") == ("", "van den Berg"), "no given name to find"
    card = vcard(
        Contact("Jan de Vries", "+31612345678", "Kerk; straat 1", note="a, b; c\nd", categories=("x,y",))
    )  # fmt: skip
    parsed = vobject.readOne(card)
    assert parsed.note.value == "a, b; c\nd"
    assert parsed.adr.value.street == "Kerk; straat 1"
    assert parsed.categories.value == ["x,y"]
    assert card.endswith("\r\n")
    landline = vobject.readOne(vcard(Contact("Vaste Lijn", "+31461234567")))
    assert landline.tel.params["TYPE"] == ["VOICE"]


_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=90
) | st.sampled_from(["", "a;b", "a,b", "a\\b", "x\r\ny", "r\rn\n", "é" * 80, "€" * 40, "a" * 160])
_PHONES = st.sampled_from(["+31612345678", "+31461234567", "+32470123456", "+4915112345678",
                           "+390612345678", "+31900123456", ""])  # fmt: skip


@given(
    name=_TEXT, phone=_PHONES, street=_TEXT, postcode=_TEXT, place=_TEXT, email=_TEXT,
    note=_TEXT, categories=st.lists(_TEXT, max_size=3).map(tuple), role=_TEXT,
)  # fmt: skip
@settings(max_examples=150, deadline=None)
def test_vcards_are_written_exactly_as_vobject_writes_them(
    name: str, phone: str, street: str, postcode: str, place: str, email: str, note: str,
    categories: tuple[str, ...], role: str,
) -> None:  # fmt: skip
    """The fast writer equals vobject's serialisation, escaping and folding included, and
    vobject reads every field back."""
    contact = Contact(name, phone, street, postcode, place, email, note, categories, role)
    text = vcard(contact)
    assert text == vobject_vcard(contact)
    parsed = vobject.readOne(text)
    assert parsed.fn.value == (name.strip() or phone).replace("\r\n", "\n").replace("\r", "\n")
    assert parsed.tel.value == phone
    if street or postcode or place:
        assert parsed.adr.value.street == street.replace("\r\n", "\n").replace("\r", "\n")
    if note:
        assert parsed.note.value == note.replace("\r\n", "\n").replace("\r", "\n")


def test_vcards_of_a_roster_are_the_cards_one_after_the_other() -> None:
    contacts = [
        Contact("Anna van den Berg", "+31612345678", "Kerkstraat 1", "6161 AB", "Geleen",
                "anna@example.org", "n; 1", ("g1",), "Beheerder"),
        Contact("Bram Janssen", "+31612345679", "Kerkstraat 3", "6161 AB", "Geleen", note="n, 1",
                categories=("g1",)),
        Contact("Carla", "+31461234567", "", "", "", "", "", (), ""),
        Contact("Daan de Groot", "+31612345670", "Molenweg 2A-1", "6161 AC", "Geleen",
                "daan@example.org", "n\n2", ("g1", "g2"), "Co-beheerder"),
        Contact("Eva Smeets", "+31612345671", "Molenweg 4", "", "Geleen",
                note="BuurtWhatsApp Rasterwijk 12 – een heel lange naam voor een gebied in Geleen",
                categories=("g2",)),
    ]  # fmt: skip
    assert vcards(contacts) == "".join(vobject_vcard(c) for c in contacts)
    assert [c.fn.value for c in vobject.readComponents(vcards(contacts))] == [
        c.name for c in contacts
    ]


def test_pdf_text_keeps_dutch_letters_and_plains_the_rest() -> None:
    assert printable("Zoë Kürvers – café €5") == "Zoë Kürvers – café €5"
    assert printable("Łukasz Şahin") == "Lukasz Sahin"
    assert printable("Олена Шевченко") == "Olena Shevchenko"
    assert printable("Αλέξανδρος") == "Alexandros"
    assert printable("Anna\u200b de\u2060 Vries") == "Anna de Vries"  # invisible, not "?"


def test_a_roster_prints_a_name_in_another_script_in_latin_letters(tmp_path: Path) -> None:
    """Review: a Ukrainian member's name printed as "????? ?????????" in the beheerder's roster."""
    document = Document("Ledenlijst")
    document.add_page()
    document.rows(["Naam", "Telefoon"], [["Олена Шевченко", "+31623456760"]], [2, 1])
    path = document.save(tmp_path / "lijst.pdf", private=True)
    text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    assert "Olena Shevchenko" in text and "?" not in text
