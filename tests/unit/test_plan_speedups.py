"""Shortcuts of the plan command give what the plain way gives: CSV cells, style keys, layers."""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from folium.features import GeoJsonStyleMapper
from shapely.geometry import LineString, Point, box

from geo.maps import _StyleMapper
from geo.sources import Wijk
from geo.tables import _has_carriage_return, escape_column, escape_formula, write_csv

TEXT_AND_GAPS = [
    ["Fenna", None, "Kerkstraat 12", math.nan],
    ["=1+2", None, "Fenna"],
    ["a\rb", "Fenna"],
    [None, None],
    [],
]


@pytest.mark.parametrize("values", TEXT_AND_GAPS)
def test_an_object_column_of_text_is_escaped_as_cell_by_cell(values: list[object]) -> None:
    column = pd.Series(values, dtype=object, name="naam")
    cells = [None if pd.isna(v) else v for v in escape_column(column)]  # a gap as CSV writes it
    assert cells == [None if pd.isna(v) else v for v in column.map(escape_formula)]
    frame = pd.DataFrame({"naam": column})
    expected = frame["naam"].astype(str).str.contains("\r", regex=False).any()
    assert _has_carriage_return(frame) == bool(expected)


@pytest.mark.parametrize("values", [*TEXT_AND_GAPS, [1, None, "x"], [True, None], [2.5, "\r"]])
def test_write_csv_of_object_columns_writes_what_map_gives(
    tmp_path: Path, values: list[object]
) -> None:
    frame = pd.DataFrame({"naam": pd.Series(values, dtype=object), "n": range(len(values))})
    write_csv(frame, tmp_path / "fast.csv", private=False)
    mapped = frame.assign(naam=frame["naam"].map(escape_formula))
    quote_all = any(isinstance(v, str) and "\r" in v for v in mapped["naam"])
    mapped.to_csv(tmp_path / "plain.csv", index=False, encoding="utf-8-sig", quoting=int(quote_all))
    assert (tmp_path / "fast.csv").read_bytes() == (tmp_path / "plain.csv").read_bytes()


@pytest.mark.parametrize(
    "style",
    [
        {"color": "#333", "weight": 1, "fillOpacity": 0.2},
        {"weight": 1.0},
        {"weight": True},
        {"weight": 0.0},
        {"weight": -0.0},
        {"weight": math.nan},
        {"weight": "1"},
        {"b": 2, "a": None},
        {"dash": [1, 2]},  # not plain: folium's own way
    ],
)
def test_style_keys_are_those_folium_makes(style: dict[str, object]) -> None:
    for _ in range(2):  # made, then kept
        assert _StyleMapper._to_key(dict(style)) == GeoJsonStyleMapper._to_key(dict(style))


def _wijk() -> Wijk:
    boundary = gpd.GeoDataFrame({"name": ["w"]}, geometry=[box(5.8, 50.9, 5.9, 51.0)], crs=4326)
    streets = gpd.GeoDataFrame(
        {"name": ["a"]}, geometry=[LineString([(5.81, 50.91), (5.89, 50.99)])], crs=4326
    )
    addresses = gpd.GeoDataFrame({"straat": ["a"]}, geometry=[Point(5.85, 50.95)], crs=4326)
    return Wijk(boundary, streets, addresses)


def test_wijk_layers_in_a_crs_are_transformed_once_and_again_when_replaced() -> None:
    wijk = _wijk()
    crs = wijk.crs
    first = wijk.streets_in(crs)
    pd.testing.assert_frame_equal(first, wijk.streets.to_crs(crs))
    first["extra"] = 1  # a caller's change stays in its copy
    assert "extra" not in wijk.streets_in(crs)
    addresses = wijk.addresses_in(crs)
    assert addresses is not None
    pd.testing.assert_frame_equal(addresses, wijk.addresses.to_crs(crs))
    wijk.streets = gpd.GeoDataFrame(
        {"name": ["b"]}, geometry=[LineString([(5.82, 50.91), (5.88, 50.98)])], crs=4326
    )
    pd.testing.assert_frame_equal(wijk.streets_in(crs), wijk.streets.to_crs(crs))
    wijk.boundary = gpd.GeoDataFrame(
        {"name": ["nl"]}, geometry=[box(4.8, 52.3, 4.9, 52.4)], crs=4326
    )
    assert wijk.crs == "EPSG:28992"  # a new boundary, a new metric CRS
