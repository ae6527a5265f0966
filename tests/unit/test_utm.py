"""The metric CRS of a wijk: RD New in the Netherlands, else the UTM zone pyproj would pick."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from geo.errors import InputFileError
from geo.sources import RD_NEW, metric_crs, utm_epsg

# (place, lon, lat): cities, zone edges, the equator, the antimeridian, the ends of UTM, and
# the Norwegian and Svalbard zones, where pyproj keeps to the plain 6° zones (no exceptions).
PLACES = (
    ("Helsinki", 24.94, 60.17),
    ("Sydney", 151.21, -33.87),
    ("Buenos Aires", -58.38, -34.6),
    ("on the edge of zones 31 and 32", 6.0, 51.5),
    ("just east of that edge", 6.000001, 51.5),
    ("on the Greenwich meridian", 0.0, 51.48),
    ("on the equator", 10.0, 0.0),
    ("at 180 degrees west", -180.0, 10.0),
    ("at 180 degrees east", 180.0, -10.0),
    ("at 84 degrees north", 10.0, 84.0),
    ("at 80 degrees south", 10.0, -80.0),
    ("Bergen (zone 32V in the Norway exception)", 5.32, 60.39),
    ("Longyearbyen (zone 33X)", 15.63, 78.22),
    ("Svalbard at 9 degrees east (zone 31X or 33X in the exception)", 9.0, 79.0),
)


@pytest.mark.parametrize(("place", "lon", "lat"), PLACES, ids=[p[0] for p in PLACES])
def test_the_utm_zone_is_the_one_geopandas_estimates(place: str, lon: float, lat: float) -> None:
    expected = gpd.GeoSeries([shapely.Point(lon, lat)], crs=4326).estimate_utm_crs().to_epsg()
    assert utm_epsg(lon, lat) == expected, place


def test_the_metric_crs_of_a_wijk_abroad_is_the_utm_zone_of_its_centre() -> None:
    wijk = gpd.GeoSeries([shapely.box(24.90, 60.15, 24.99, 60.20)], crs=4326)  # Helsinki
    assert metric_crs(wijk) == wijk.estimate_utm_crs().to_string() == "EPSG:32635"
    in_utm = wijk.to_crs(32635)  # the frame may come in any CRS
    assert metric_crs(in_utm) == "EPSG:32635"


def test_a_wijk_in_the_netherlands_keeps_rd_new() -> None:
    oud_geleen = gpd.GeoSeries([shapely.box(5.82, 50.94, 5.84, 50.96)], crs=4326)
    assert metric_crs(oud_geleen) == RD_NEW
    assert metric_crs(oud_geleen.to_crs(RD_NEW)) == RD_NEW


def test_beyond_the_utm_zones_the_planner_reads_why() -> None:
    polar = gpd.GeoSeries([shapely.box(10.0, 85.0, 11.0, 86.0)], crs=4326)
    with pytest.raises(InputFileError, match="buiten het bereik van UTM"):
        metric_crs(polar)
