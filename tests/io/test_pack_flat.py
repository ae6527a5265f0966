"""Beheerder packs of a plan with a flat building split over groups (areas without land).

A real-geometry street grid near Geleen (RD New) with fictitious people: 30 in one flat
building (one address point, flats 1–30) and 12 in houses along the streets. With at most
12 members per group the building's flats are split by flat number; some of those groups
have no land of their own (an empty polygon).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pytest
import vobject
from pypdf import PdfReader
from shapely import Point

from geo import pack
from geo.cli import EXIT_ERROR, main
from geo.outputs import OutputError
from geo.pack import PackData, area_map, data_from_plan, overview_map
from geo.pdf import printable
from tests.grids import RD, grid_boundary, grid_streets, members_along

FLATS = 30
STREET = "Dwarsstraat 2"


def _sheet(folder: Path) -> Path:
    streets = grid_streets(3, 3)
    boundary = gpd.GeoDataFrame({"name": ["Flatwijk"]}, geometry=[grid_boundary(3, 3)], crs=RD)
    boundary.to_crs(4326).to_file(folder / "grens.geojson")
    streets.to_crs(4326).to_file(folder / "straten.geojson")
    line = streets.geometry.iloc[1]  # Dwarsstraat 2
    front = line.interpolate(150)
    flat = gpd.GeoSeries([Point(front.x, front.y + 12)], crs=RD).to_crs(4326).iloc[0]
    rows = ["Naam;Straat;Huisnummer;Toevoeging;Woonplaats;Leeftijd;Telefoon;Beheerder;lat;lon"]
    rows += [
        f"Flatbewoner {n};{STREET};17;{n + 1};Geleen;40;06{31_000_000 + n:08d};"
        f"{'ja' if n in (0, 15) else ''};{flat.y:.7f};{flat.x:.7f}"
        for n in range(FLATS)
    ]
    houses = members_along(streets, 12, seed=4).to_crs(4326)
    rows += [
        f"Bewoner {n};{r.straat};{r.huisnummer};;Geleen;40;06{32_000_000 + n:08d};"
        f"{'ja' if n == 0 else ''};{r.geometry.y:.7f};{r.geometry.x:.7f}"
        for n, r in enumerate(houses.itertuples())
    ]
    path = folder / "aanmeldingen.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("flat")
    sheet = _sheet(root)
    out = root / "plan"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GEO_CACHE_DIR", str(root / "cache"))
        code = main(
            ["plan", "--boundary", str(root / "grens.geojson"), "--streets",
             str(root / "straten.geojson"), "--applicants", str(sheet), "--offline",
             "--max-members", "12", "--out", str(out)]
        )  # fmt: skip
    assert code == 0
    return out


def _landless(plan: Path) -> list[int]:
    areas = gpd.read_file(plan / "areas.geojson")
    return [int(a) for a, empty in zip(areas["area_id"], areas.geometry.is_empty, strict=True) if empty]  # fmt: skip


def _members(plan: Path) -> list[dict[str, str]]:
    with (plan / "members.csv").open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text() or "" for page in PdfReader(path).pages).split())


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_a_pack_has_a_page_and_a_map_for_a_group_without_land(
    planned: Path, tmp_path: Path
) -> None:
    landless = _landless(planned)
    assert landless, "the building's flats are split into groups without land"
    out = tmp_path / "pakket"
    assert main(["pack", "--plan", str(planned), "--out", str(out)]) == 0
    members = _members(planned)
    building = {int(m["area_id"]) for m in members if m["naam"].startswith("Flatbewoner")}
    for area_id in landless:
        text = _text(out / "beheerders" / f"gebied-{area_id}.pdf")
        assert f"Gebied {area_id} heeft geen eigen straten" in text
        assert f"{STREET} (17)" in text, "the building's street is named on its map"
        assert re.search(r"\b0 \d+ m\b", text), "the map has a scale bar"
        others = sorted(building - {area_id})
        assert f"één gebouw dat ook leden heeft in gebied {', '.join(map(str, others))}" in text
        for member in (m for m in members if int(m["area_id"]) == area_id):
            assert printable(member["naam"]) in text and member["telefoon"] in text
        beheerders = {int(m["area_id"]): m["naam"] for m in members if m["is_beheerder"] == "True"}
        for other in others:  # the groups of one building know each other's beheerder
            if other in beheerders:
                assert printable(beheerders[other]) in text
        cards = vobject.readComponents((out / "beheerders" / f"gebied-{area_id}.vcf").read_text())
        phones = sorted(card.tel.value for card in cards)
        assert phones == sorted(m["telefoon"] for m in members if int(m["area_id"]) == area_id)
    overview = _text(out / "beheerders" / "overzicht.pdf")
    assert f"{', '.join(map(str, landless))} (gebouw)" in overview


def test_the_map_of_a_group_without_land_centres_on_its_building(planned: Path) -> None:
    data = data_from_plan(planned)
    for area_id in _landless(planned):
        picture = area_map(data, area_id)
        minx, miny, maxx, maxy = picture.bounds
        home = data.homes(area_id).centroid
        assert minx < home.x < maxx and miny < home.y < maxy
        assert abs((minx + maxx) / 2 - home.x) < 1 and abs((miny + maxy) / 2 - home.y) < 1
        assert maxx - minx < 600, "the building and its street, not the whole wijk"
        assert all(minx < w.x < maxx and miny < w.y < maxy for w in picture.labels)
    overview = overview_map(data)
    minx, miny, maxx, maxy = overview.bounds
    wijk = data.boundary.total_bounds
    assert minx < wijk[0] and miny < wijk[1] and maxx > wijk[2] and maxy > wijk[3]


def _failing_third(
    written: Callable[[PackData, int, Path], Path],
) -> Callable[[PackData, int, Path], Path]:
    """``area_pdf`` that writes two areas' packs, then finds the disk full."""
    calls: list[int] = []

    def full_disk(data: PackData, area_id: int, path: Path) -> Path:
        calls.append(area_id)
        if len(calls) == 3:
            msg = f"kan niet schrijven in {path}: de schijf is vol"
            raise OutputError(msg)
        return written(data, area_id, path)

    return full_disk


def test_a_pack_that_fails_halfway_leaves_no_folder(
    planned: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(pack, "area_pdf", _failing_third(pack.area_pdf))
    out = tmp_path / "pakket"
    assert main(["pack", "--plan", str(planned), "--out", str(out)]) == EXIT_ERROR
    assert "de schijf is vol" in capsys.readouterr().err
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [], "no half-made folder is left"


def test_a_pack_again_that_fails_leaves_the_earlier_pack_as_it_was(
    planned: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "pakket"
    assert main(["pack", "--plan", str(planned), "--out", str(out)]) == 0
    before = _files(out)
    mine = out / "beheerders" / "notities.txt"
    mine.write_text("van de planner", encoding="utf-8")

    monkeypatch.setattr(pack, "area_pdf", _failing_third(pack.area_pdf))
    assert main(["pack", "--plan", str(planned), "--out", str(out)]) == EXIT_ERROR
    after = _files(out)
    assert after.pop("beheerders/notities.txt") == b"van de planner"
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pakket"]
