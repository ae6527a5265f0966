"""Wijk data: boundary, streets and address register, online (cached) or from local files.

Every layer is returned in WGS84 (EPSG:4326) with a fixed set of columns; metric work projects
with :func:`metric_crs`. Online: CBS wijken en buurten and BAG through PDOK's OGC API Features,
streets from OpenStreetMap through osmnx (which caches its own Overpass responses). Offline:
GeoJSON/GeoPackage/Shapefile boundaries, ``.osm.pbf``/``.osm``/line files for streets, and the
register formats of :mod:`geo.register`.
"""

from __future__ import annotations

import importlib.util
import logging
import math
import re
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from shapely.geometry.base import BaseGeometry

from geo._http import HttpClient, ServiceRejectedError, user_agent
from geo.config import Settings
from geo.errors import InputFileError, ServiceUnavailableError, unreadable_geofile
from geo.layers import chosen_layer, layer_named
from geo.pdok import PDOK_FREE_PATH, solr_escape
from geo.register import AddressRegister
from geo.wording import decimal

log = logging.getLogger(__name__)

WGS84 = "EPSG:4326"
RD_NEW = "EPSG:28992"
CBS_PATH = "/cbs/wijken-en-buurten-{year}/ogc/v1/collections/{level}/items"
BAG_PATH = "/kadaster/bag/ogc/v2/collections/verblijfsobject/items"
LOCATIESERVER_PATH = PDOK_FREE_PATH
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
"""Asked for explicitly: lon/lat WGS84, whatever the server's default is."""
BAG_IN_USE = frozenset(
    {
        "Verblijfsobject in gebruik",
        "Verblijfsobject in gebruik (niet ingemeten)",
        "Verbouwing verblijfsobject",
    }
)
"""BAG statuses of objects that are lived in; withdrawn, planned or unused ones are no household."""
CBS_MAX_AGE = 30 * 24 * 3600.0  # seconds: CBS publishes a jaargang a few times a year
BAG_MAX_AGE = 24 * 3600.0  # the BAG changes daily
STREET_COLUMNS = ("name", "highway", "access", "service", "junction", "oneway")
ADDRESS_COLUMNS = (
    "straat",
    "huisnummer",
    "huisletter",
    "toevoeging",
    "postcode",
    "woonplaats",
    "bag_id",
)
LAYERS = ("boundary", "streets", "addresses")
STREET_BUFFER_M = (
    150.0  # streets this far outside the boundary are kept: they lead to the entrances
)
_NL_BOUNDS = (3.2, 50.7, 7.3, 53.6)
_UTM_NORTH, _UTM_SOUTH = 84.0, -80.0  # latitudes where the UTM zones end
_PAGE_LIMIT = 1000  # the OGC API server's maximum; larger values are clamped to it
_MAX_PAGES = 500
_AREA_CODE = re.compile(r"^(BU|WK)(\d{4})\d{2,4}$", re.IGNORECASE)
_GEMEENTE_CODE = re.compile(r"^(?:GM)?(\d{1,4})$", re.IGNORECASE)
_HAS_ARROW = importlib.util.find_spec("pyarrow") is not None


@dataclass
class Wijk:
    """The three layers of a wijk, all in WGS84."""

    boundary: gpd.GeoDataFrame
    streets: gpd.GeoDataFrame
    addresses: gpd.GeoDataFrame
    # What was derived from a layer, with that layer: a plan run asks for the metric CRS and
    # the streets and addresses in it at several steps. A replaced layer is derived again.
    _derived: dict[tuple[str, str], tuple[gpd.GeoDataFrame, Any]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @property
    def crs(self) -> str:
        """The metric CRS for this wijk (RD New in the Netherlands, else the local UTM zone)."""
        crs: str = self._kept("crs", "", self.boundary, metric_crs)
        return crs

    def streets_in(self, crs: str) -> gpd.GeoDataFrame:
        """The streets in ``crs``: one transformation per CRS, a shallow copy each time."""
        return self._in("streets", self.streets, crs)

    def addresses_in(self, crs: str) -> gpd.GeoDataFrame | None:
        """The register's addresses in ``crs``; ``None`` for a wijk without a register."""
        return self._in("addresses", self.addresses, crs) if len(self.addresses) else None

    def _in(self, name: str, layer: gpd.GeoDataFrame, crs: str) -> gpd.GeoDataFrame:
        moved: gpd.GeoDataFrame = self._kept(name, crs, layer, lambda frame: frame.to_crs(crs))
        return moved.copy(deep=False)

    def _kept(
        self, name: str, crs: str, layer: gpd.GeoDataFrame, derive: Callable[[Any], Any]
    ) -> Any:
        """``derive(layer)``, made once while ``layer`` is the wijk's."""
        entry = self._derived.get((name, crs))
        if entry is None or entry[0] is not layer:
            entry = (layer, derive(layer))
            self._derived[(name, crs)] = entry
        return entry[1]


def metric_crs(frame: gpd.GeoDataFrame | gpd.GeoSeries) -> str:
    """RD New for geometry inside the Netherlands, otherwise the local UTM zone.

    The zone is that of the centre of the bounds, as geopandas' ``estimate_utm_crs`` picks it
    (see :func:`utm_epsg`), computed directly instead of searched in pyproj's database.
    """
    west, south, east, north = frame.to_crs(WGS84).total_bounds
    nl_west, nl_south, nl_east, nl_north = _NL_BOUNDS
    if west >= nl_west and east <= nl_east and south >= nl_south and north <= nl_north:
        return RD_NEW
    return f"EPSG:{utm_epsg((west + east) / 2, (south + north) / 2)}"


def utm_epsg(lon: float, lat: float) -> int:
    """EPSG code of the WGS 84 UTM zone at ``lon``/``lat``: 326xx north, 327xx south.

    The same zone as pyproj's search (``query_utm_crs_info``, behind ``estimate_utm_crs``):
    plain 6° zones from 180° W, without the Norway and Svalbard exceptions, which the EPSG
    areas of use of these CRSs do not make either; a point on a zone edge gets the western
    zone, one on the equator the northern. UTM ends at 84° N and 80° S: beyond, a wijk gets
    a Dutch error (pyproj finds no zone there).
    """
    if not (_UTM_SOUTH <= lat <= _UTM_NORTH and -180.0 <= lon <= 180.0):
        msg = (
            f"de wijk ligt buiten het bereik van UTM ({decimal(lat, 1)}° breedte, "
            f"{decimal(lon, 1)}° lengte); "
            "alleen tussen 80° zuid en 84° noord kan in meters gerekend worden"
        )
        raise InputFileError(msg)
    zone = min(60, max(1, math.ceil((lon + 180.0) / 6.0)))
    return (32600 if lat >= 0 else 32700) + zone


# --- boundary ------------------------------------------------------------------------------


def read_boundary(path: Path) -> gpd.GeoDataFrame:
    """A boundary file (any CRS, polygons) as one dissolved polygon row: ``name``, ``geometry``."""
    frame = _read_vector(path, layer="boundary")
    polygons = frame.loc[frame.geom_type.isin(["Polygon", "MultiPolygon"])]
    if polygons.empty:
        kinds = ", ".join(sorted(set(frame.geom_type.dropna())))
        msg = f"{path.name} bevat geen vlakken (polygonen) maar {kinds or 'niets'}; een wijkgrens is een vlak"
        raise InputFileError(msg)
    name_column = next(
        (c for c in ("name", "naam", "wijknaam", "buurtnaam") if c in polygons.columns), None
    )
    names = polygons[name_column].astype(str).tolist() if name_column else [path.stem]
    return _dissolve(polygons.geometry, name=union_names(names))


def boundary_from_cbs(
    client: HttpClient,
    *,
    year: int | None = None,
    gemeente: str = "",
    wijk: str = "",
    buurten: Sequence[str] = (),
) -> gpd.GeoDataFrame:
    """A wijk, or a union of buurten, from CBS wijken en buurten (PDOK OGC API Features).

    ``gemeente`` is a name or code (``Sittard-Geleen``, ``GM1883`` or ``1883``); ``wijk`` a name
    or code (``WK188301``); ``buurten`` names or codes (``BU18830101``). Without a gemeente it is
    taken from the codes (``BU18830105`` lies in ``GM1883``): only that gemeente is downloaded.
    Negative CBS values (secret or unknown) become missing. ``year`` defaults to the settings'.
    """
    if not wijk and not buurten:
        msg = "geef een wijk (met gemeente) of één of meer buurten op"
        raise InputFileError(msg)
    level = "buurten" if buurten else "wijken"
    wanted = list(buurten) if buurten else [wijk]
    codes = [gemeente] if gemeente else gemeenten_of(wanted)
    frames = [cbs_areas(client, year=year, level=level, gemeente=code) for code in codes]
    frame = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    prefix = "buurt" if buurten else "wijk"
    chosen = _select(frame, wanted, code=f"{prefix}code", name=f"{prefix}naam", gemeente="")
    return _dissolve(chosen.geometry, name=union_names(chosen[f"{prefix}naam"].astype(str)))


def gemeenten_of(areas: Sequence[str]) -> list[str]:
    """The gemeentecodes in CBS wijk or buurt codes (``BU18830105`` -> ``GM1883``).

    Names carry no gemeente: without one, an area given by name is refused rather than searched
    for in the whole country.
    """
    names = [a for a in areas if not _AREA_CODE.match(a.strip())]
    if names:
        msg = (
            f"geef ook de gemeente op (bv. Sittard-Geleen of GM1883) bij {', '.join(names)}; "
            "of gebruik CBS-codes zoals BU18830105"
        )
        raise InputFileError(msg)
    return list(dict.fromkeys(f"GM{_AREA_CODE.match(a.strip()).group(2)}" for a in areas))  # type: ignore[union-attr]


def gemeente_code(text: str) -> str | None:
    """``1883``, ``gm1883`` or ``GM1883`` -> ``GM1883``; ``None`` for a name."""
    match = _GEMEENTE_CODE.match(text.strip())
    return f"GM{int(match.group(1)):04d}" if match else None


def resolve_gemeente(client: HttpClient, gemeente: str) -> str:
    """The CBS gemeentecode of a code or a name (case, spaces and hyphens do not matter).

    A name is looked up with PDOK Locatieserver (``type:gemeente``), because the OGC API's own
    filter is exact and case-sensitive: "sittard geleen" would find nothing there.
    """
    code = gemeente_code(gemeente)
    if code is not None:
        return code
    wanted = _name_key(gemeente)
    if not wanted:
        msg = "geef een gemeente op (naam of code, bv. Sittard-Geleen of GM1883)"
        raise InputFileError(msg)
    params = {
        "q": solr_escape(gemeente.strip()),
        "fq": "type:gemeente",
        "fl": "gemeentecode gemeentenaam",
        "rows": 10,
    }
    page = client.get_json(
        pdok_url(client.settings, LOCATIESERVER_PATH), params, max_age=CBS_MAX_AGE
    )
    docs = page.get("response", {}).get("docs", []) if isinstance(page, dict) else []
    for doc in docs:
        if _name_key(str(doc.get("gemeentenaam", ""))) == wanted and doc.get("gemeentecode"):
            return f"GM{int(str(doc['gemeentecode'])):04d}"
    known = ", ".join(str(d.get("gemeentenaam")) for d in docs if d.get("gemeentenaam"))
    msg = f"gemeente {gemeente!r} niet gevonden" + (f"; bedoelde u: {known}?" if known else "")
    raise InputFileError(msg)


def _name_key(name: str) -> str:
    return "".join(c for c in name.casefold() if c.isalnum())


def pdok_url(settings: Settings, path: str) -> str:
    """A PDOK service URL under the configured base (``GEO_PDOK_URL``)."""
    return settings.pdok_url.rstrip("/") + path


def cbs_areas(
    client: HttpClient, *, year: int | None = None, level: str, gemeente: str
) -> gpd.GeoDataFrame:
    """All wijken or buurten of one gemeente with their CBS figures (snake_case, secret → missing).

    A jaargang PDOK no longer (or not yet) serves falls back to the year before. The frame's
    ``attrs["jaar"]`` says which jaargang it is.
    """
    if not gemeente.strip():
        msg = (
            "geef een gemeente op (bv. Sittard-Geleen of GM1883): zonder gemeente zou heel "
            "Nederland worden opgehaald"
        )
        raise InputFileError(msg)
    code = resolve_gemeente(client, gemeente)
    first = year if year is not None else client.settings.cbs_year
    params: dict[str, object] = {
        "f": "json",
        "limit": _PAGE_LIMIT,
        "crs": CRS84,
        "gemeentecode": code,
    }
    for jaar in (first, first - 1):
        url = pdok_url(client.settings, CBS_PATH.format(year=jaar, level=level))
        try:
            features = _collect_features(client, url, params, max_age=CBS_MAX_AGE)
        except ServiceRejectedError as error:
            if error.status != 404:
                raise
            log.warning("CBS wijken en buurten %d not available; trying the year before", jaar)
            continue
        if not features:
            msg = f"CBS wijken en buurten {jaar} heeft geen {level} voor {code}; controleer de gemeente"
            raise InputFileError(msg)
        frame = _cbs_frame(features)
        frame.attrs["jaar"] = jaar
        return frame
    msg = (
        f"CBS wijken en buurten: jaargang {first} (en {first - 1}) niet (meer) beschikbaar bij PDOK; "
        "kies een andere jaargang (--jaar of GEO_CBS_YEAR)"
    )
    raise InputFileError(msg)


def _cbs_frame(features: list[dict[str, Any]]) -> gpd.GeoDataFrame:
    if not features:
        msg = "CBS wijken en buurten gaf geen gebieden terug; controleer gemeente en jaar"
        raise InputFileError(msg)
    frame = gpd.GeoDataFrame.from_features(features, crs=WGS84)
    frame.columns = [_snake(str(c)) for c in frame.columns]
    for column in frame.columns:
        if column != "geometry" and pd.api.types.is_numeric_dtype(frame[column]):
            frame[column] = frame[column].where(frame[column] >= 0)  # -99999999 etc.: geheim
    return frame.set_geometry("geometry")


def _select(
    frame: gpd.GeoDataFrame, wanted: Sequence[str], *, code: str, name: str, gemeente: str
) -> gpd.GeoDataFrame:
    if gemeente and not gemeente.upper().startswith("GM") and "gemeentenaam" in frame:
        frame = frame.loc[frame["gemeentenaam"].astype(str).str.casefold() == gemeente.casefold()]
    codes = frame.get(code, pd.Series("", index=frame.index)).astype(str).str.upper()
    names = frame.get(name, pd.Series("", index=frame.index)).astype(str).str.casefold()
    masks = [(codes == w.upper()) | (names == w.casefold()) for w in wanted]
    missing = [w for w, mask in zip(wanted, masks, strict=True) if not mask.any()]
    if missing:
        known = ", ".join(sorted(set(frame.get(name, pd.Series(dtype=str)).astype(str)))[:12])
        msg = (
            f"niet gevonden bij CBS: {', '.join(missing)}; bekende namen zijn onder andere: {known}"
        )
        raise InputFileError(msg)
    return frame.loc[np.logical_or.reduce(masks)]


def _snake(name: str) -> str:
    """``aantalInwoners`` -> ``aantal_inwoners``; snake_case stays as it is."""
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def _dissolve(geometries: gpd.GeoSeries, *, name: str) -> gpd.GeoDataFrame:
    crs = metric_crs(geometries)
    merged = shapely.make_valid(shapely.union_all(geometries.to_crs(crs).make_valid().to_numpy()))
    polygon = shapely.union_all(
        [g for g in shapely.get_parts(merged) if g.geom_type in {"Polygon", "MultiPolygon"}]
    )
    if polygon.is_empty or polygon.area == 0:
        msg = "de wijkgrens heeft geen oppervlakte"
        raise InputFileError(msg)
    return gpd.GeoDataFrame({"name": [name]}, geometry=[polygon], crs=crs).to_crs(WGS84)


def _collect_features(
    client: HttpClient, url: str, params: dict[str, object], *, max_age: float | None = None
) -> list[dict[str, Any]]:
    """All features of an OGC API Features collection, following ``links[rel=next]``."""
    features: list[dict[str, Any]] = []
    page: dict[str, Any] = client.get_json(url, params, max_age=max_age)
    for _ in range(_MAX_PAGES):
        if not isinstance(page, dict) or not isinstance(page.get("features"), list):
            msg = f"onverwacht antwoord van {url}: geen 'features'"
            raise InputFileError(msg)
        features.extend(page["features"])
        next_url = next(
            (link.get("href") for link in page.get("links", []) if link.get("rel") == "next"), None
        )
        if not next_url or not page["features"]:
            return features
        page = client.get_json(next_url, max_age=max_age)
    msg = f"meer dan {_MAX_PAGES} pagina's van {url}; kies een kleiner gebied"
    raise InputFileError(msg)


# --- streets -------------------------------------------------------------------------------


def read_streets(path: Path, boundary: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """Streets from ``.osm.pbf``, ``.osm`` XML, or a line file; clipped near ``boundary``."""
    name = path.name.lower()
    if name.endswith(".pbf"):
        frame = _streets_from_pbf(path, boundary)
    elif name.endswith(".osm"):
        frame = _streets_from_osm_xml(path)
    else:
        frame = _read_vector(path, layer="streets", columns=STREET_COLUMNS)
        frame = _single_lines(frame.loc[frame.geom_type.isin(["LineString", "MultiLineString"])])
        if frame.empty:
            msg = f"{path.name} bevat geen lijnen; straten zijn lijnen"
            raise InputFileError(msg)
    return _near(normalize_streets(frame), boundary, STREET_BUFFER_M)


def streets_from_osm(
    boundary: gpd.GeoDataFrame,
    *,
    settings: Settings | None = None,
    graph_from_polygon: Callable[..., Any] | None = None,
) -> gpd.GeoDataFrame:
    """Streets around ``boundary`` from OpenStreetMap via osmnx (Overpass, cached).

    The boundary is buffered by :data:`STREET_BUFFER_M` and edges crossing the buffer are kept
    whole (``truncate_by_edge``), so roads entering the wijk are complete. With ``settings``,
    osmnx uses our cache folder, user agent, timeout and Overpass server for this call.
    Overpass failures become a :class:`ServiceUnavailableError` with a Dutch message.
    """
    import osmnx as ox  # noqa: PLC0415 - heavy import, only for online fetches

    loader = graph_from_polygon or ox.graph_from_polygon
    crs = metric_crs(boundary)
    area = boundary.to_crs(crs).buffer(STREET_BUFFER_M).to_crs(WGS84).union_all()
    with osmnx_settings(settings), overpass_errors():
        graph = loader(
            area, network_type="all", simplify=True, retain_all=True, truncate_by_edge=True
        )
    return normalize_streets(_graph_edges(graph))


@contextmanager
def osmnx_settings(settings: Settings | None) -> Iterator[None]:
    """osmnx's global settings pointed at ours for the duration of the block, then restored."""
    if settings is None:
        yield
        return
    import osmnx as ox  # noqa: PLC0415

    wanted = {
        "cache_folder": settings.cache_dir / "osmnx",
        "http_user_agent": user_agent(settings),
        "overpass_url": settings.overpass_url.rstrip("/"),
        "requests_timeout": max(settings.http_timeout, 60.0),  # Overpass needs its time
    }
    before = {name: getattr(ox.settings, name) for name in wanted}
    for name, value in wanted.items():
        setattr(ox.settings, name, value)
    try:
        yield
    finally:
        for name, value in before.items():
            setattr(ox.settings, name, value)


@contextmanager
def overpass_errors() -> Iterator[None]:
    """Turn osmnx/requests failures of an Overpass query into our own Dutch errors."""
    import requests  # noqa: PLC0415
    from osmnx._errors import InsufficientResponseError, ResponseStatusCodeError  # noqa: PLC0415

    try:
        yield
    except ResponseStatusCodeError as error:
        busy = any(code in str(error) for code in ("429", "504", "503"))
        msg = (
            "Overpass (OpenStreetMap) is overbelast; probeer het later opnieuw"
            if busy
            else f"Overpass (OpenStreetMap) weigert het verzoek ({error})"
        )
        raise ServiceUnavailableError(msg) from None
    except InsufficientResponseError as error:
        msg = (
            "Overpass (OpenStreetMap) gaf geen bruikbaar antwoord; probeer het later opnieuw "
            f"of gebruik een lokaal stratenbestand (--streets) [{error}]"
        )
        raise ServiceUnavailableError(msg) from None
    except requests.RequestException as error:
        msg = (
            f"Overpass (OpenStreetMap) is niet bereikbaar ({type(error).__name__}); probeer het "
            "later opnieuw of gebruik een lokaal stratenbestand (--streets)"
        )
        raise ServiceUnavailableError(msg) from None
    except ValueError as error:
        if "no graph nodes" not in str(error).lower():
            raise
        msg = "OpenStreetMap heeft geen straten binnen of rond de wijkgrens"
        raise InputFileError(msg) from None


def _graph_edges(graph: Any) -> gpd.GeoDataFrame:
    import osmnx as ox  # noqa: PLC0415

    undirected = ox.convert.to_undirected(graph)
    return ox.convert.graph_to_gdfs(undirected, nodes=False).reset_index(drop=True)


def _streets_from_osm_xml(path: Path) -> gpd.GeoDataFrame:
    import osmnx as ox  # noqa: PLC0415

    try:
        graph = ox.graph_from_xml(path, simplify=True, retain_all=True)
    except (ValueError, KeyError, OSError) as error:
        msg = f"{path.name} is geen leesbaar OSM-bestand: {error}"
        raise InputFileError(msg) from None
    return _graph_edges(graph)


def _streets_from_pbf(path: Path, boundary: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    import pyrosm  # noqa: PLC0415

    bbox = None
    if boundary is not None:
        crs = metric_crs(boundary)
        bbox = list(boundary.to_crs(crs).buffer(STREET_BUFFER_M * 2).to_crs(WGS84).total_bounds)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pyrosm uses deprecated pandas/shapely internally
            edges = pyrosm.OSM(str(path), bounding_box=bbox).get_network(network_type="all")
    except Exception as error:  # pyrosm raises bare Exceptions and OSErrors for bad files
        msg = f"{path.name} is geen leesbaar .osm.pbf-bestand: {error}"
        raise InputFileError(msg) from None
    if edges is None or edges.empty:
        msg = f"{path.name} bevat geen straten binnen het gebied"
        raise InputFileError(msg)
    return edges


def normalize_streets(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Lines in WGS84 with :data:`STREET_COLUMNS` as text ("" when absent; OSM lists joined)."""
    if frame.crs is None:
        msg = "stratenbestand heeft geen coördinatenstelsel (CRS)"
        raise InputFileError(msg)
    blank = [""] * len(frame)
    data = {c: _text_column(frame[c]) if c in frame else blank for c in STREET_COLUMNS}
    geometry = frame.geometry.to_numpy()
    streets = gpd.GeoDataFrame(data, geometry=geometry, crs=frame.crs).to_crs(WGS84)
    streets = streets.loc[~streets.geometry.is_empty & streets.geometry.notna()]
    return _single_lines(streets).reset_index(drop=True)


def _single_lines(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``frame.explode(index_parts=False)``; a frame of single line strings as it is."""
    kinds = shapely.get_type_id(frame.geometry.to_numpy())
    if (kinds == shapely.GeometryType.LINESTRING).all():
        return frame
    return frame.explode(index_parts=False)


def _text_column(values: pd.Series) -> list[str]:
    if isinstance(values.dtype, pd.StringDtype):  # text or missing: no lists to join
        return [str(value) for value in values.fillna("").tolist()]

    def text(value: object) -> str:
        if isinstance(value, list | tuple | np.ndarray):
            return ";".join(str(v) for v in value if v is not None)
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return ""
        return str(value)

    return [text(v) for v in values]


# --- addresses -----------------------------------------------------------------------------


def no_addresses() -> gpd.GeoDataFrame:
    """The addresses layer of a wijk without register: no rows, the register's columns."""
    return gpd.GeoDataFrame({c: [] for c in ADDRESS_COLUMNS}, geometry=[], crs=WGS84)


def read_addresses(
    path: Path,
    boundary: gpd.GeoDataFrame | None = None,
    *,
    register: AddressRegister | None = None,
) -> gpd.GeoDataFrame:
    """Residential addresses from a register file (see :mod:`geo.register`), inside ``boundary``.

    ``register`` is that file already loaded (a command that geocodes with it reads it once).
    """
    found = _read_layer(path, "addresses") if path.suffix.lower() == ".gpkg" else None
    if found is not None:
        if found.empty:  # a wijk without register
            return no_addresses()
        return _inside(_checked(path, found), boundary)
    layer = find_layer(path, "addresses") if path.suffix.lower() == ".gpkg" else None
    if layer is not None:
        if pyogrio.read_info(path, layer=layer)["features"] == 0:  # a wijk without register
            return no_addresses()
        return _inside(_read_vector(path, layer=layer), boundary)
    table = (register if register is not None else AddressRegister.from_file(path)).frame
    points = gpd.points_from_xy(table["lon"], table["lat"], crs=WGS84)
    return _inside(gpd.GeoDataFrame(table.loc[:, list(ADDRESS_COLUMNS)], geometry=points), boundary)


def addresses_from_bag(client: HttpClient, boundary: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Lived-in residential verblijfsobjecten inside ``boundary``.

    Kept: ``gebruiksdoel`` has ``woonfunctie`` (a string or a list) and the status is one of
    :data:`BAG_IN_USE`; withdrawn, never-built or unused objects are no household.
    """
    west, south, east, north = boundary.to_crs(WGS84).total_bounds
    params = {
        "f": "json",
        "limit": _PAGE_LIMIT,
        "crs": CRS84,
        "bbox": f"{west:.6f},{south:.6f},{east:.6f},{north:.6f}",
    }
    url = pdok_url(client.settings, BAG_PATH)
    features = _collect_features(client, url, params, max_age=BAG_MAX_AGE)
    if not features:
        return _inside(
            gpd.GeoDataFrame({c: [] for c in ADDRESS_COLUMNS}, geometry=[], crs=WGS84), boundary
        )
    frame = gpd.GeoDataFrame.from_features(features, crs=WGS84)
    frame.columns = [_snake(str(c)) for c in frame.columns]
    purpose = frame.get("gebruiksdoel", pd.Series("", index=frame.index)).map(_text_of)
    in_use = (
        frame["status"].map(_text_of).isin(BAG_IN_USE)
        if "status" in frame
        else pd.Series(True, index=frame.index)
    )
    frame = frame.loc[purpose.str.contains("woonfunctie") & in_use]
    table = gpd.GeoDataFrame(
        {
            "straat": _pick(frame, "openbare_ruimte_naam", "openbareruimtenaam", "straatnaam"),
            "huisnummer": pd.to_numeric(_pick(frame, "huisnummer"), errors="coerce"),
            "huisletter": _pick(frame, "huisletter"),
            "toevoeging": _pick(frame, "toevoeging", "huisnummertoevoeging"),
            "postcode": _pick(frame, "postcode"),
            "woonplaats": _pick(frame, "woonplaats_naam", "woonplaatsnaam"),
            "bag_id": _pick(frame, "identificatie"),
        },
        geometry=frame.geometry.to_numpy(),
        crs=WGS84,
    )
    table = table.loc[table["huisnummer"].notna()]
    points = table.geometry.where(table.geom_type == "Point", table.geometry.representative_point())
    return _inside(table.set_geometry(points), boundary)


def _text_of(value: object) -> str:
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return "" if value is None else str(value)


def _pick(frame: pd.DataFrame, *names: str) -> list[str]:
    for name in names:
        if name in frame:
            return [_text_of(v) if v == v else "" for v in frame[name]]  # noqa: PLR0124 - NaN check
    return [""] * len(frame)


# --- files ---------------------------------------------------------------------------------


def save_wijk(wijk: Wijk, path: Path) -> None:
    """Write the three layers to one GeoPackage (WGS84), replacing the file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    for layer in LAYERS:
        getattr(wijk, layer).to_file(path, layer=layer, driver="GPKG", engine="pyogrio")


def load_wijk(path: Path) -> Wijk:
    """Read a GeoPackage written by :func:`save_wijk` (or by ``python -m geo fetch``)."""
    layers = _layers(path)
    missing = [layer for layer in LAYERS if layer_named(layers, layer) is None]
    if missing:
        msg = f"{path.name} mist de laag/lagen {', '.join(missing)} (verwacht: {', '.join(LAYERS)})"
        raise InputFileError(msg)
    boundary = read_boundary(path)
    return Wijk(boundary, read_streets(path, boundary), read_addresses(path, boundary))


def find_layer(path: Path, name: str) -> str | None:
    """The name of the layer of ``path`` called ``name`` (see :func:`layer_named`), or ``None``."""
    return layer_named(_layers(path), name)


def _layers(path: Path) -> list[str]:
    if not path.exists():
        msg = f"bestand niet gevonden: {path}"
        raise InputFileError(msg)
    try:
        return [str(name) for name in pyogrio.list_layers(path)[:, 0]]
    except (pyogrio.errors.DataSourceError, ValueError) as error:
        raise unreadable_geofile(path, error) from None


def _read_vector(
    path: Path, *, layer: str, columns: Sequence[str] | None = None
) -> gpd.GeoDataFrame:
    """Read a vector file; from a multi-layer GeoPackage the layer named ``layer``.

    ``columns``: only these attributes (those the file has) are needed.
    """
    package = path.suffix.lower() == ".gpkg"
    found = _read_layer(path, layer, columns) if package else None
    frame = found if found is not None else _read_chosen(path, layer, columns)
    return _checked(path, frame, layer=layer if package else None)


def _read_layer(
    path: Path, layer: str, columns: Sequence[str] | None = None
) -> gpd.GeoDataFrame | None:
    """The layer named ``layer`` read straight away, without listing the layers first;
    ``None`` if that fails (no such layer, no such file): then the layers are listed."""
    try:
        return _read_file(path, layer, columns)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError):
        return None


def _read_chosen(path: Path, layer: str, columns: Sequence[str] | None) -> gpd.GeoDataFrame:
    chosen = chosen_layer(path, _layers(path), layer)
    try:
        frame = _read_file(path, chosen, columns)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as error:
        raise unreadable_geofile(path, error) from None
    if not isinstance(frame, gpd.GeoDataFrame):  # a table (a CSV) reads without geometry
        msg = (
            f"{path.name} bevat geen geometrie (alleen een tabel); geef een kaartbestand: "
            "GeoJSON, GeoPackage of shapefile"
        )
        raise InputFileError(msg)
    return frame


def _read_file(path: Path, layer: str | None, columns: Sequence[str] | None) -> gpd.GeoDataFrame:
    """``gpd.read_file`` with pyogrio, of only ``columns`` if given.

    Text columns are read through Arrow, which is faster and gives the same frame; a frame
    with other columns (numbers, booleans: typed differently by Arrow) is read again without.
    """
    if columns is None:
        return gpd.read_file(path, layer=layer, engine="pyogrio")
    if _HAS_ARROW:
        frame = gpd.read_file(
            path, layer=layer, engine="pyogrio", columns=list(columns), use_arrow=True
        )
        if not isinstance(frame, gpd.GeoDataFrame):
            return frame  # a table without geometry: refused by the caller
        attributes = frame.drop(columns=frame.geometry.name).dtypes
        if all(isinstance(dtype, pd.StringDtype) for dtype in attributes):
            return frame
    return gpd.read_file(path, layer=layer, engine="pyogrio", columns=list(columns))


def _checked(path: Path, frame: gpd.GeoDataFrame, *, layer: str | None = None) -> gpd.GeoDataFrame:
    """A frame read from ``path`` (its ``layer``, in a GeoPackage), refused when empty or
    without a CRS; in WGS84."""
    if frame.empty:
        msg = f"{path.name}: de laag {layer!r} is leeg" if layer else f"{path.name} is leeg"
        raise InputFileError(msg)
    if frame.crs is None:
        msg = f"{path.name} heeft geen coördinatenstelsel (CRS); stel het in met QGIS"
        raise InputFileError(msg)
    west, south, east, north = frame.total_bounds
    if frame.crs.is_geographic and not (
        -180 <= west <= east <= 180 and -90 <= south <= north <= 90
    ):
        msg = (
            f"{path.name} heeft coördinaten in meters ({west:.0f}, {south:.0f}), maar zegt graden "
            "(WGS84, zoals GeoJSON zonder CRS); is het RD New (EPSG:28992)? Stel het "
            "coördinatenstelsel in met QGIS of sla het op als GeoPackage"
        )
        raise InputFileError(msg)
    return frame.to_crs(WGS84)


def _near(
    frame: gpd.GeoDataFrame, boundary: gpd.GeoDataFrame | None, distance: float
) -> gpd.GeoDataFrame:
    if boundary is None:
        return frame
    crs = metric_crs(boundary)
    zone = boundary.to_crs(crs).buffer(distance).to_crs(WGS84).union_all()
    shapely.prepare(zone)  # our own polygon: many lines are tested against it
    kept = frame.loc[shapely.intersects(zone, frame.geometry.to_numpy())].reset_index(drop=True)
    if kept.empty:
        msg = (
            "geen straten binnen of rond de wijkgrens; horen straten en grens bij hetzelfde gebied?"
        )
        raise InputFileError(msg)
    return kept


def _inside(frame: gpd.GeoDataFrame, boundary: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    frame = frame.to_crs(WGS84)
    if boundary is None:
        return frame.reset_index(drop=True)
    area: BaseGeometry = boundary.to_crs(WGS84).union_all()
    return frame.loc[frame.within(area)].reset_index(drop=True)


def union_names(names: Iterable[str]) -> str:
    """Join area names for display, without repeats."""
    return " + ".join(dict.fromkeys(n for n in names if n))
