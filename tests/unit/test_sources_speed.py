"""Reading wijk files the short way (a named GeoPackage layer straight away, text columns
through Arrow) gives what the plain read gives."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely import LineString, MultiLineString, Point, box

from geo.errors import InputFileError
from geo.sources import ADDRESS_COLUMNS, normalize_streets, read_addresses, read_streets

WGS84 = "EPSG:4326"
LINES = [
    LineString([(5.0, 51.0), (5.01, 51.0)]),
    MultiLineString([[(5.0, 51.001), (5.01, 51.001)], [(5.02, 51.0), (5.03, 51.0)]]),
    LineString([(5.0, 51.002), (5.01, 51.003)]),
]


def plain(path: Path, layer: str) -> gpd.GeoDataFrame:
    """The streets as the plain read (all columns, no Arrow) and the normalisation give them."""
    frame = gpd.read_file(path, layer=layer, engine="pyogrio")
    lines = frame.loc[frame.geom_type.isin(["LineString", "MultiLineString"])]
    return normalize_streets(lines.explode(index_parts=False))


def assert_same(left: gpd.GeoDataFrame, right: gpd.GeoDataFrame) -> None:
    pd.testing.assert_frame_equal(left.to_wkb(), right.to_wkb(), check_exact=True)


@pytest.mark.parametrize(
    "columns",
    [
        {"name": ["Kerkstraat", None, "Dorpsstraat"], "highway": ["residential", "footway", None]},
        {"oneway": pd.array([True, None, False], dtype="boolean"), "lanes": [1, 2, 3]},
        {"access": pd.array([1, None, 3], dtype="Int64"), "junction": [0.5, None, -1.0]},
        {"ref": ["N276", "A2", ""]},
    ],
)
def test_streets_read_the_short_way_are_as_read_plainly(tmp_path: Path, columns: dict) -> None:  # type: ignore[type-arg]
    path = tmp_path / "wijk.gpkg"
    gpd.GeoDataFrame(columns, geometry=LINES, crs=WGS84).to_file(path, layer="streets")
    gpd.GeoDataFrame({"name": ["x"]}, geometry=[box(4, 50, 6, 52)], crs=WGS84).to_file(
        path, layer="boundary"
    )
    streets = read_streets(path)
    assert len(streets) == 4 and (streets.geom_type == "LineString").all()
    assert_same(streets, plain(path, "streets"))


def test_a_single_layer_of_another_name_is_read_and_several_are_refused(tmp_path: Path) -> None:
    single = tmp_path / "wegen.gpkg"
    streets = gpd.GeoDataFrame({"name": ["a", "b", "c"]}, geometry=LINES, crs=WGS84)
    streets.to_file(single, layer="wegen")
    assert_same(read_streets(single), plain(single, "wegen"))
    several = tmp_path / "lagen.gpkg"
    streets.to_file(several, layer="wegen")
    streets.to_file(several, layer="paden")
    with pytest.raises(InputFileError, match="meerdere lagen"):
        read_streets(several)
    with pytest.raises(InputFileError, match="niet gevonden"):
        read_streets(tmp_path / "weg.gpkg")


def test_addresses_from_a_wijk_geopackage(tmp_path: Path) -> None:
    path = tmp_path / "wijk.gpkg"
    points = gpd.GeoDataFrame(
        {"straat": ["Kerkstraat", "Molenweg"], "huisnummer": [1, 2]},
        geometry=[Point(5.001, 51.0), Point(9.0, 51.0)],
        crs=WGS84,
    )
    points.to_file(path, layer="addresses")
    boundary = gpd.GeoDataFrame({"name": ["x"]}, geometry=[box(4, 50, 6, 52)], crs=WGS84)
    found = read_addresses(path, boundary)
    assert list(found["straat"]) == ["Kerkstraat"] and found.crs == WGS84
    empty = tmp_path / "leeg.gpkg"
    points.iloc[0:0].to_file(empty, layer="addresses")
    nothing = read_addresses(empty, boundary)
    assert nothing.empty and list(nothing.columns) == [*ADDRESS_COLUMNS, "geometry"]
    assert shapely.equals(found.geometry.iloc[0], Point(5.001, 51.0))
