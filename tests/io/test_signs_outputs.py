"""Signs end to end: the ``signs`` command, its GeoJSON and review map, and real streets."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from shapely import LineString, box

from geo.cli import EXIT_ERROR, main
from geo.demo import demo_wijk
from geo.maps import signs_map
from geo.signs import find_signs
from tests.grids import RD


@pytest.fixture
def wijk_files(tmp_path: Path) -> tuple[Path, Path]:
    """A square wijk near Geleen crossed by a road, a footpath and a service road."""
    shift = {"xoff": 186_000, "yoff": 331_000}
    boundary = gpd.GeoDataFrame(
        {"name": ["Oud-Geleen"]}, geometry=[box(0, 0, 1000, 1000)], crs=RD
    ).translate(**shift)
    streets = gpd.GeoSeries(
        [
            LineString([(-100, 500), (1100, 500)]),
            LineString([(300, -50), (300, 400)]),
            LineString([(-50, 800), (300, 800)]),
        ],
        crs=RD,
    ).translate(**shift)
    boundary_path, streets_path = tmp_path / "grens.geojson", tmp_path / "straten.gpkg"
    gpd.GeoDataFrame({"name": ["Oud-Geleen"]}, geometry=boundary).to_file(boundary_path)
    gpd.GeoDataFrame(
        {"name": ["Rijksweg", "Molenpad", "Oprit"], "highway": ["secondary", "footway", "service"]},
        geometry=streets,
    ).to_file(streets_path, layer="streets")
    return boundary_path, streets_path


def test_signs_command_writes_ranked_wgs84_points_and_a_review_map(
    tmp_path: Path, wijk_files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    boundary, streets = wijk_files
    out = tmp_path / "borden"
    assert (
        main(["signs", "--boundary", str(boundary), "--streets", str(streets), "--out", str(out)])
        == 0
    )
    assert (
        "3 borden voorgesteld: 2 bij hoofdingangen, 1 bij fiets- en voetpaden"
        in capsys.readouterr().out
    )
    signs = pyogrio.read_dataframe(out / "signs.geojson")
    assert signs.crs.to_epsg() == 4326
    assert list(signs["rank"]) == [1, 2, 3]
    assert list(signs["kind"]) == ["main", "main", "minor"]
    assert set(signs["street"]) == {"Rijksweg", "Molenpad"}
    assert signs.geometry.x.between(5.7, 6.0).all() and signs.geometry.y.between(50.9, 51.1).all()
    raw = json.loads((out / "signs.geojson").read_text(encoding="utf-8"))
    assert "crs" not in raw, "RFC 7946: WGS84 implied"
    page = (out / "signs_map.html").read_text(encoding="utf-8")
    assert "Legenda" in page and "Bord 1" in page and "Rijksweg" in page


def test_a_budget_keeps_the_best_signs_and_a_bad_one_is_refused(
    tmp_path: Path, wijk_files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    boundary, streets = wijk_files
    args = ["signs", "--boundary", str(boundary), "--streets", str(streets), "--out", str(tmp_path)]
    assert main([*args, "--budget", "2"]) == 0
    kept = pyogrio.read_dataframe(tmp_path / "signs.geojson")
    assert list(kept["kind"]) == ["main", "main"]
    capsys.readouterr()
    assert main([*args, "--budget", "0"]) == EXIT_ERROR
    error = capsys.readouterr().err
    assert error.startswith("fout:") and "--budget" in error and error[-1] == "\n"


def test_signs_per_area_from_an_areas_file(tmp_path: Path, wijk_files: tuple[Path, Path]) -> None:
    boundary, streets = wijk_files
    areas = gpd.GeoDataFrame(
        {"area_id": [1, 2]},
        geometry=[box(0, 0, 500, 1000), box(500, 0, 1000, 1000)],
        crs=RD,
    ).translate(186_000, 331_000)
    areas_path = tmp_path / "areas.geojson"
    gpd.GeoDataFrame({"area_id": [1, 2]}, geometry=areas, crs=RD).to_crs(4326).to_file(areas_path)
    out = tmp_path / "uit"
    args = [
        "signs",
        "--boundary",
        str(boundary),
        "--streets",
        str(streets),
        "--areas",
        str(areas_path),
    ]
    assert main([*args, "--out", str(out)]) == 0
    signs = pyogrio.read_dataframe(out / "signs.geojson")
    assert set(signs["area_id"]) == {1, 2}
    bad = tmp_path / "leeg.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    assert main([*args[:-2], "--areas", str(bad), "--out", str(out)]) == EXIT_ERROR


@pytest.mark.slow
def test_signs_on_real_helsinki_streets_match_a_hand_count() -> None:
    """A 400 × 300 m box in central Helsinki: its 8 road entrances counted by hand on a plot."""
    wijk = demo_wijk()
    crs = wijk.crs
    centre = wijk.boundary.to_crs(crs).geometry.iloc[0].centroid
    boundary = box(centre.x - 200, centre.y - 150, centre.x + 200, centre.y + 150)
    signs = find_signs(boundary, wijk.streets.to_crs(crs), wijk.addresses.to_crs(crs))
    assert signs.within(boundary).all()
    assert (signs.distance(boundary.exterior) <= 25).all()
    main_roads = signs.loc[signs["kind"] == "main"]
    assert sorted(main_roads["street"]) == sorted(
        [
            "Kaivokatu",  # the dual carriageway on the west edge, merged
            "Kaisaniemenkatu",
            "Mikonkatu",
            "Vuorikatu",
            "Vuorikatu",
            "Keskuskatu",
            "Itäinen Teatterikuja",
            "Läntinen Teatterikuja",
        ]
    )
    assert (signs["kind"] == "minor").sum() >= 5
    page = signs_map(signs.to_crs(4326), wijk.boundary, wijk.streets).get_root().render()
    assert page.count("Bord ") >= len(signs)
