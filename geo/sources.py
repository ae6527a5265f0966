"""Wijk data: boundary, streets and address register, online (cached) or from local files.

Every layer is returned in WGS84 (EPSG:4326) with a fixed set of columns; metric work projects
with :func:`metric_crs`. Online: CBS wijken en buurten and BAG through PDOK's OGC API Features,
streets from OpenStreetMap through osmnx (which caches its own Overpass responses). Offline:
GeoJSON/GeoPackage/Shapefile boundaries, ``.osm.pbf``/``.osm``/line files for streets, and the
register formats of :mod:`geo.register`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from shapely.geometry.base import BaseGeometry

from geo._http import HttpClient
from geo.errors import InputFileError
from geo.register import AddressRegister

WGS84 = "EPSG:4326"
RD_NEW = "EPSG:28992"
CBS_URL = "https://api.pdok.nl/cbs/wijken-en-buurten-{year}/ogc/v1/collections/{level}/items"
BAG_URL = "https://api.pdok.nl/kadaster/bag/ogc/v2/collections/verblijfsobject/items"
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
_PAGE_LIMIT = 1000
_MAX_PAGES = 500


@dataclass
class Wijk:
    """The three layers of a wijk, all in WGS84."""

    boundary: gpd.GeoDataFrame
    streets: gpd.GeoDataFrame
    addresses: gpd.GeoDataFrame

    @property
    def crs(self) -> str:
        """The metric CRS for this wijk (RD New in the Netherlands, else the local UTM zone)."""
        return metric_crs(self.boundary)

    def addresses_in(self, crs: str) -> gpd.GeoDataFrame | None:
        """The register's addresses in ``crs``; ``None`` for a wijk without a register."""
        return self.addresses.to_crs(crs) if len(self.addresses) else None


def metric_crs(frame: gpd.GeoDataFrame | gpd.GeoSeries) -> str:
    """RD New for geometry inside the Netherlands, otherwise the local UTM zone."""
    west, south, east, north = frame.to_crs(WGS84).total_bounds
    nl_west, nl_south, nl_east, nl_north = _NL_BOUNDS
    if west >= nl_west and east <= nl_east and south >= nl_south and north <= nl_north:
        return RD_NEW
    return str(frame.to_crs(WGS84).estimate_utm_crs().to_string())


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
    year: int,
    gemeente: str = "",
    wijk: str = "",
    buurten: Sequence[str] = (),
) -> gpd.GeoDataFrame:
    """A wijk, or a union of buurten, from CBS wijken en buurten (PDOK OGC API Features).

    ``gemeente`` is a name or code (``Sittard-Geleen`` or ``GM1883``); ``wijk`` a name or code
    (``WK188301``); ``buurten`` names or codes (``BU18830101``). Negative CBS values (secret or
    unknown) become missing.
    """
    if not wijk and not buurten:
        msg = "geef een wijk (met gemeente) of één of meer buurten op"
        raise InputFileError(msg)
    level = "buurten" if buurten else "wijken"
    frame = cbs_areas(client, year=year, level=level, gemeente=gemeente)
    wanted = list(buurten) if buurten else [wijk]
    prefix = "buurt" if buurten else "wijk"
    chosen = _select(frame, wanted, code=f"{prefix}code", name=f"{prefix}naam", gemeente=gemeente)
    return _dissolve(chosen.geometry, name=union_names(chosen[f"{prefix}naam"].astype(str)))


def cbs_areas(client: HttpClient, *, year: int, level: str, gemeente: str = "") -> gpd.GeoDataFrame:
    """All wijken or buurten of a gemeente with their CBS figures (snake_case, secret → missing)."""
    params: dict[str, object] = {"f": "json", "limit": _PAGE_LIMIT}
    if gemeente.upper().startswith("GM"):
        params["gemeentecode"] = gemeente.upper()
    elif gemeente:
        params["gemeentenaam"] = gemeente
    return _cbs_frame(_collect_features(client, CBS_URL.format(year=year, level=level), params))


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
    client: HttpClient, url: str, params: dict[str, object]
) -> list[dict[str, Any]]:
    """All features of an OGC API Features collection, following ``links[rel=next]``."""
    features: list[dict[str, Any]] = []
    page: dict[str, Any] = client.get_json(url, params)
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
        page = client.get_json(next_url)
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
        frame = _read_vector(path, layer="streets")
        frame = frame.loc[frame.geom_type.isin(["LineString", "MultiLineString"])].explode(
            index_parts=False
        )
        if frame.empty:
            msg = f"{path.name} bevat geen lijnen; straten zijn lijnen"
            raise InputFileError(msg)
    return _near(normalize_streets(frame), boundary, STREET_BUFFER_M)


def streets_from_osm(
    boundary: gpd.GeoDataFrame,
    *,
    graph_from_polygon: Callable[..., Any] | None = None,
) -> gpd.GeoDataFrame:
    """Streets around ``boundary`` from OpenStreetMap via osmnx (its own cache is used).

    The boundary is buffered by :data:`STREET_BUFFER_M` and edges crossing the buffer are kept
    whole (``truncate_by_edge``), so roads entering the wijk are complete.
    """
    import osmnx as ox  # noqa: PLC0415 - heavy import, only for online fetches

    loader = graph_from_polygon or ox.graph_from_polygon
    crs = metric_crs(boundary)
    area = boundary.to_crs(crs).buffer(STREET_BUFFER_M).to_crs(WGS84).union_all()
    graph = loader(area, network_type="all", simplify=True, retain_all=True, truncate_by_edge=True)
    return normalize_streets(_graph_edges(graph))


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
    return streets.explode(index_parts=False).reset_index(drop=True)


def _text_column(values: pd.Series) -> list[str]:
    def text(value: object) -> str:
        if isinstance(value, list | tuple | np.ndarray):
            return ";".join(str(v) for v in value if v is not None)
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return ""
        return str(value)

    return [text(v) for v in values]


# --- addresses -----------------------------------------------------------------------------


def read_addresses(path: Path, boundary: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """Residential addresses from a register file (see :mod:`geo.register`), inside ``boundary``."""
    if path.suffix.lower() == ".gpkg" and "addresses" in _layers(path):
        if pyogrio.read_info(path, layer="addresses")["features"] == 0:  # a wijk without register
            return gpd.GeoDataFrame({c: [] for c in ADDRESS_COLUMNS}, geometry=[], crs=WGS84)
        return _inside(_read_vector(path, layer="addresses"), boundary)
    table = AddressRegister.from_file(path).frame
    points = gpd.points_from_xy(table["lon"], table["lat"], crs=WGS84)
    return _inside(gpd.GeoDataFrame(table.loc[:, list(ADDRESS_COLUMNS)], geometry=points), boundary)


def addresses_from_bag(client: HttpClient, boundary: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Residential verblijfsobjecten (``gebruiksdoel`` has ``woonfunctie``) inside ``boundary``."""
    west, south, east, north = boundary.to_crs(WGS84).total_bounds
    params = {
        "f": "json",
        "limit": _PAGE_LIMIT,
        "bbox": f"{west:.6f},{south:.6f},{east:.6f},{north:.6f}",
    }
    features = _collect_features(client, BAG_URL, params)
    if not features:
        return _inside(
            gpd.GeoDataFrame({c: [] for c in ADDRESS_COLUMNS}, geometry=[], crs=WGS84), boundary
        )
    frame = gpd.GeoDataFrame.from_features(features, crs=WGS84)
    frame.columns = [_snake(str(c)) for c in frame.columns]
    purpose = frame.get("gebruiksdoel", pd.Series("", index=frame.index)).map(_text_of)
    frame = frame.loc[purpose.str.contains("woonfunctie")]
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
    missing = [layer for layer in LAYERS if layer not in _layers(path)]
    if missing:
        msg = f"{path.name} mist de laag/lagen {', '.join(missing)} (verwacht: {', '.join(LAYERS)})"
        raise InputFileError(msg)
    boundary = read_boundary(path)
    return Wijk(boundary, read_streets(path, boundary), read_addresses(path, boundary))


def _layers(path: Path) -> list[str]:
    if not path.exists():
        msg = f"bestand niet gevonden: {path}"
        raise InputFileError(msg)
    try:
        return [str(name) for name in pyogrio.list_layers(path)[:, 0]]
    except (pyogrio.errors.DataSourceError, ValueError) as error:
        msg = f"{path.name} is geen leesbaar geodatabestand: {error}"
        raise InputFileError(msg) from None


def _read_vector(path: Path, *, layer: str) -> gpd.GeoDataFrame:
    """Read a vector file; from a multi-layer GeoPackage the layer named ``layer``."""
    layers = _layers(path)
    chosen = layer if layer in layers else None
    if chosen is None and len(layers) > 1:
        msg = f"{path.name} heeft meerdere lagen ({', '.join(layers)}) en geen laag '{layer}'"
        raise InputFileError(msg)
    try:
        frame = gpd.read_file(path, layer=chosen, engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as error:
        msg = f"{path.name} is geen leesbaar geodatabestand: {error}"
        raise InputFileError(msg) from None
    if frame.empty:
        msg = f"{path.name} is leeg"
        raise InputFileError(msg)
    if frame.crs is None:
        msg = f"{path.name} heeft geen coördinatenstelsel (CRS); stel het in met QGIS"
        raise InputFileError(msg)
    return frame.to_crs(WGS84)


def _near(
    frame: gpd.GeoDataFrame, boundary: gpd.GeoDataFrame | None, distance: float
) -> gpd.GeoDataFrame:
    if boundary is None:
        return frame
    crs = metric_crs(boundary)
    zone = boundary.to_crs(crs).buffer(distance).to_crs(WGS84).union_all()
    kept = frame.loc[frame.intersects(zone)].reset_index(drop=True)
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
