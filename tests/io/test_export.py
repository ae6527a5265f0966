"""Exports of a plan: every format round-trips, GeoJSON follows RFC 7946, public is anonymous."""

from __future__ import annotations

import csv
import json
import re
import stat
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely
from shapely.geometry import Point, box, shape

from geo.cli import EXIT_ERROR, main
from geo.sources import Wijk
from geo.workflow import plan_layers
from tests.grids import RD

pytestmark = pytest.mark.slow
LAYERS = ("boundary", "areas", "signs", "coverage", "open_streets")


@pytest.fixture(scope="module")
def plan_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("plan")
    assert main(["demo", "--out", str(out), "--count", "700"]) == 0
    return out


@pytest.fixture(scope="module")
def personal(plan_dir: Path) -> list[str]:
    """Every name, phone number (as typed and as E.164) and e-mail of the demo's sign-ups."""
    with (plan_dir / "aanmeldingen.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    values = []
    for row in rows:
        values += [row["Naam"], row["Telefoon"], row["E-mail"]]
        if row["Telefoon"].startswith("06"):
            values.append("+31" + row["Telefoon"][1:])
    return [v for v in values if len(v) >= 6]


def export(plan_dir: Path, profile: str, fmt: str, out: Path) -> int:
    return main(
        [
            "export",
            "--plan",
            str(plan_dir),
            "--profile",
            profile,
            "--format",
            fmt,
            "--out",
            str(out),
        ]
    )


def rings(geometry: shapely.Geometry) -> list[tuple[shapely.LinearRing, bool]]:
    """(ring, is exterior) for every polygon ring."""
    found = []
    for polygon in shapely.get_parts(geometry):
        if polygon.geom_type == "Polygon":
            found.append((polygon.exterior, True))
            found += [(hole, False) for hole in polygon.interiors]
    return found


def test_public_geojson_follows_rfc_7946(plan_dir: Path, tmp_path: Path) -> None:
    assert export(plan_dir, "public", "geojson", tmp_path) == 0
    for layer in LAYERS:
        text = (tmp_path / f"{layer}.geojson").read_text(encoding="utf-8")
        data = json.loads(text)
        assert "crs" not in data, "RFC 7946: WGS84 is implied"
        assert data["name"] == layer, "GIS shows the layer by this name"
        assert not re.search(r"\d\.\d{8,}", text), "at most 7 decimals"
        frame = pyogrio.read_dataframe(tmp_path / f"{layer}.geojson")
        assert frame.crs.to_epsg() == 4326
        if frame.empty:
            continue
        west, south, east, north = frame.total_bounds
        assert 24.8 < west < east < 25.1 and 60.1 < south < north < 60.2, "lon, lat order"
        for feature in data["features"]:
            geometry = shape(feature["geometry"])
            assert geometry.is_valid
            for ring, exterior in rings(geometry):
                assert ring.is_ccw == exterior, "right-hand rule: exteriors counter-clockwise"


def test_geopackage_holds_every_layer_and_round_trips(plan_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "plan.gpkg"
    assert export(plan_dir, "public", "gpkg", out) == 0
    names = set(pyogrio.list_layers(out)[:, 0])
    assert names == set(LAYERS)
    areas = pyogrio.read_dataframe(out, layer="areas")
    original = pyogrio.read_dataframe(plan_dir / "areas.geojson")
    assert areas.crs.to_epsg() == 4326
    assert sorted(areas["area_id"]) == sorted(original["area_id"])
    assert areas.geometry.is_valid.all()


@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "csv"])
def test_public_exports_hold_nobody(
    plan_dir: Path, tmp_path: Path, personal: list[str], fmt: str
) -> None:
    out = tmp_path / ("uit.gpkg" if fmt == "gpkg" else "uit")
    assert export(plan_dir, "public", fmt, out) == 0
    files = [out] if out.is_file() else sorted(p for p in out.rglob("*") if p.is_file())
    assert files
    for path in files:
        data = path.read_bytes()
        leaked = [value for value in personal if value.encode("utf-8") in data]
        assert not leaked, f"{path.name} holds personal data: {leaked[:3]}"


def test_public_counts_under_ten_are_left_out(plan_dir: Path, tmp_path: Path) -> None:
    assert export(plan_dir, "public", "csv", tmp_path) == 0
    with (tmp_path / "coverage.csv").open(encoding="utf-8-sig", newline="") as handle:
        counts = [row["members"] for row in csv.DictReader(handle)]
    assert all(c == "" or float(c) >= 10 for c in counts)


def test_private_csv_has_owner_only_rosters_per_area(plan_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "prive"
    assert export(plan_dir, "private", "csv", out) == 0
    rosters = sorted((out / "rosters").glob("gebied-*.csv"))
    areas = pyogrio.read_dataframe(plan_dir / "areas.geojson")
    assert len(rosters) == len(areas)
    total = 0
    for path in rosters:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert list(rows[0]) == ["naam", "telefoon", "email", "adres", "is_beheerder"]
        assert all(r["telefoon"].startswith("+") for r in rows), "E.164 phone numbers"
        assert sum(r["is_beheerder"] == "True" for r in rows) <= 1
        total += len(rows)
    assert total == int(areas["members"].sum())
    assert stat.S_IMODE((out / "rosters").stat().st_mode) == 0o700


@pytest.mark.parametrize("fmt", ["csv", "geojson"])
def test_a_public_export_refuses_a_folder_with_an_earlier_private_one(
    plan_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    """Review 58: the municipality's folder kept the rosters (or members.geojson) of a private
    export made there before, without a word."""
    out = tmp_path / "uit"
    assert export(plan_dir, "private", fmt, out) == 0
    capsys.readouterr()
    assert export(plan_dir, "public", fmt, out) == EXIT_ERROR
    error = capsys.readouterr().err
    assert "persoonsgegevens van een eerdere export" in error
    assert ("rosters/" if fmt == "csv" else "members.geojson") in error


def test_a_private_export_again_drops_the_rosters_of_areas_that_are_gone(
    plan_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "prive"
    assert export(plan_dir, "private", "csv", out) == 0
    stale = out / "rosters" / "gebied-99.csv"
    stale.write_text("naam,telefoon\nOud Lid,+31623456799\n", encoding="utf-8")
    assert export(plan_dir, "private", "csv", out) == 0
    assert not stale.exists()


def test_private_geopackage_is_owner_only_and_has_members(plan_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "prive.gpkg"
    assert export(plan_dir, "private", "gpkg", out) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    members = pyogrio.read_dataframe(out, layer="members")
    assert {"naam", "telefoon", "adres", "area_id", "is_beheerder"} <= set(members.columns)


@pytest.mark.parametrize("suffix", ["png", "pdf"])
def test_print_map(plan_dir: Path, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"kaart.{suffix}"
    assert export(plan_dir, "public", suffix, out) == 0
    magic = {"png": b"\x89PNG", "pdf": b"%PDF"}[suffix]
    assert out.read_bytes().startswith(magic) and out.stat().st_size > 20_000


def test_bad_export_requests_are_one_line_errors(
    plan_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert export(tmp_path, "public", "geojson", tmp_path / "x") == EXIT_ERROR
    assert "geen planmap" in capsys.readouterr().err
    afile = tmp_path / "bestand.txt"
    afile.write_text("x", encoding="utf-8")
    assert export(plan_dir, "public", "csv", afile) == EXIT_ERROR
    assert "is een bestand" in capsys.readouterr().err
    assert export(plan_dir, "public", "png", tmp_path / "kaart.jpg") == EXIT_ERROR
    assert "schrijft een .png-bestand" in capsys.readouterr().err
    assert export(plan_dir, "public", "png", tmp_path / "kaart.pdf") == EXIT_ERROR
    assert "schrijft een .png-bestand" in capsys.readouterr().err
    assert not (tmp_path / "kaart.pdf").exists()


def test_public_layers_leave_out_every_figure_of_small_areas_with_the_members() -> None:
    # Households count the signed-up addresses the register lacks: with the register known,
    # a small area's household count would give away how many of its members live there.
    area = box(190_000, 330_000, 190_400, 330_400)
    register = gpd.GeoDataFrame(
        {"straat": ["Kerkstraat"] * 3, "huisnummer": [1, 3, 5]},
        geometry=[Point(190_050 + 100 * n, 330_200) for n in range(3)],
        crs=RD,
    )
    streets = gpd.GeoDataFrame(
        {"name": ["Kerkstraat"], "highway": ["residential"]},
        geometry=[shapely.LineString([(190_000, 330_190), (190_400, 330_190)])],
        crs=RD,
    )
    boundary = gpd.GeoDataFrame({"name": ["Klein"]}, geometry=[area], crs=RD)
    wijk = Wijk(boundary.to_crs(4326), streets.to_crs(4326), register.to_crs(4326))
    areas = gpd.GeoDataFrame(
        {"area_id": [1], "name": ["Kerkstraat e.o."], "members": [2], "capacity_left": [253]},
        geometry=[area],
        crs=RD,
    )
    members = gpd.GeoDataFrame(  # one at a register address, one at an address it lacks
        {
            "area_id": [1, 1],
            "naam": ["Fenna Vos", "Joep Mertens"],
            "telefoon": ["0612345678", "0687654321"],
            "is_beheerder": [True, False],
            "straat": ["Kerkstraat"] * 2,
            "huisnummer": [1, 7],
        },
        geometry=[Point(190_050, 330_200), Point(190_350, 330_200)],
        crs=RD,
    )
    signs = gpd.GeoDataFrame(geometry=[], crs=4326)
    private = plan_layers(wijk, areas, members, max_members=255, private=True, signs=signs)
    assert private["areas"]["households"].tolist() == [4]
    assert private["coverage"]["households"].tolist() == [4]
    public = plan_layers(wijk, areas, members, max_members=255, private=False, signs=signs)
    for layer in ("areas", "coverage"):
        assert public[layer][["members", "households"]].isna().all().all()
    # With a cap of 2, "nearly full" (90 % of the cap) would tell the two members as well.
    tight = plan_layers(wijk, areas, members, max_members=2, private=False, signs=signs)
    assert tight["coverage"]["near_cap"].isna().all()


def test_public_layers_leave_out_the_open_streets_of_small_areas() -> None:
    # A small area's open streets are all its streets but those of its few members.
    west, east = box(190_000, 330_000, 190_400, 330_400), box(190_400, 330_000, 190_800, 330_400)
    streets = gpd.GeoDataFrame(
        {"name": ["Kerkstraat", "Molenweg", "Beekstraat"], "highway": ["residential"] * 3},
        geometry=[
            shapely.LineString([(190_000, 330_100), (190_400, 330_100)]),
            shapely.LineString([(190_000, 330_300), (190_400, 330_300)]),
            shapely.LineString([(190_400, 330_200), (190_800, 330_200)]),
        ],
        crs=RD,
    )
    register = gpd.GeoDataFrame(
        {"straat": ["Kerkstraat", "Molenweg", "Beekstraat"], "huisnummer": [1, 2, 3]},
        geometry=[Point(190_100, 330_110), Point(190_100, 330_310), Point(190_500, 330_210)],
        crs=RD,
    )
    boundary = gpd.GeoDataFrame({"name": ["Twee"]}, geometry=[west.union(east)], crs=RD)
    wijk = Wijk(boundary.to_crs(4326), streets.to_crs(4326), register.to_crs(4326))
    areas = gpd.GeoDataFrame(
        {"area_id": [1, 2], "name": ["West", "Oost"], "members": [1, 12]},
        geometry=[west, east],
        crs=RD,
    )
    at = [Point(190_100, 330_110)] + [Point(190_450 + 10 * n, 330_190) for n in range(12)]
    members = gpd.GeoDataFrame(
        {
            "area_id": [1] + [2] * 12,
            "naam": [f"Fictief {n}" for n in range(13)],
            "telefoon": [f"06{12345600 + n}" for n in range(13)],
            "is_beheerder": [False] * 13,
            "straat": ["Kerkstraat"] + ["Zandweg"] * 12,
            "huisnummer": list(range(1, 14)),
        },
        geometry=at,
        crs=RD,
    )
    signs = gpd.GeoDataFrame(geometry=[], crs=4326)
    private = plan_layers(wijk, areas, members, max_members=255, private=True, signs=signs)
    found = private["open_streets"]
    open_private = set(zip(found["area_id"], found["street"], strict=True))
    assert open_private == {(1, "Molenweg"), (2, "Beekstraat")}
    public = plan_layers(wijk, areas, members, max_members=255, private=False, signs=signs)
    assert list(public["open_streets"]["street"]) == ["Beekstraat"], "area 2 has 12 members"


def test_public_signs_of_a_wijk_without_register_carry_no_counts() -> None:
    # A plan folder of an older version wrote the members behind each entrance into its signs.
    area = box(190_000, 330_000, 190_400, 330_400)
    boundary = gpd.GeoDataFrame({"name": ["Klein"]}, geometry=[area], crs=RD)
    streets = gpd.GeoDataFrame(
        {"name": ["Kerkstraat"], "highway": ["residential"]},
        geometry=[shapely.LineString([(189_900, 330_200), (190_400, 330_200)])],
        crs=RD,
    )
    no_register = gpd.GeoDataFrame({"straat": [], "huisnummer": []}, geometry=[], crs=RD)
    wijk = Wijk(boundary.to_crs(4326), streets.to_crs(4326), no_register.to_crs(4326))
    areas = gpd.GeoDataFrame(
        {"area_id": [1], "name": ["Kerkstraat e.o."], "members": [12]}, geometry=[area], crs=RD
    )
    members = gpd.GeoDataFrame(
        {"area_id": [1] * 12, "naam": [f"Fictief {n}" for n in range(12)],
         "telefoon": [f"06{12345600 + n}" for n in range(12)], "is_beheerder": [False] * 12,
         "straat": ["Kerkstraat"] * 12, "huisnummer": list(range(1, 13))},
        geometry=[Point(190_100 + 10 * n, 330_210) for n in range(12)],
        crs=RD,
    )  # fmt: skip
    signs = gpd.GeoDataFrame(
        {"sign_id": [1], "rank": [1], "homes": [12],
         "reason": ["hoofdingang via Kerkstraat (woonstraat); leidt naar 12 adressen"]},
        geometry=[Point(190_010, 330_200)],
        crs=RD,
    ).to_crs(4326)  # fmt: skip
    public = plan_layers(wijk, areas, members, max_members=255, private=False, signs=signs)
    assert public["signs"]["homes"].isna().all()
    assert list(public["signs"]["reason"]) == ["hoofdingang via Kerkstraat (woonstraat)"]
    private = plan_layers(wijk, areas, members, max_members=255, private=True, signs=signs)
    assert list(private["signs"]["homes"]) == [12], "the planner's own export keeps them"
