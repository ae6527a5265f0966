"""A local address register (e.g. a BAG extract): load it and match addresses against it.

Matching order: postcode + full house number; postcode + number (letter/addition ignored);
street + full house number + place; street + number + place.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from geo.address import (
    Address,
    HouseNumber,
    addition_reading,
    normalize_name,
    postcode_key,
    street_key,
)
from geo.errors import InputFileError, unreadable_geofile
from geo.intake import fold_header
from geo.layers import chosen_layer
from geo.tables import read_rows

REGISTER_ALIASES: dict[str, tuple[str, ...]] = {
    "straat": (
        "straat",
        "straatnaam",
        "openbareruimte",
        "openbareruimtenaam",
        "street",
        "addrstreet",
    ),
    "huisnummer": ("huisnummer", "housenumber", "number", "addrhousenumber"),
    "huisletter": ("huisletter", "letter"),
    "toevoeging": ("toevoeging", "huisnummertoevoeging", "addition"),
    "postcode": ("postcode", "postalcode", "zipcode", "addrpostcode"),
    "woonplaats": ("woonplaats", "woonplaatsnaam", "plaats", "city", "addrcity"),
    "lat": ("lat", "latitude"),
    "lon": ("lon", "lng", "longitude"),
    "bag_id": ("bagid", "identificatie", "adresseerbaarobjectid", "nummeraanduidingid", "id"),
    "buurtcode": ("buurtcode",),
    "wijkcode": ("wijkcode",),
}
REGISTER_COLUMNS = tuple(REGISTER_ALIASES)
_GEO_SUFFIXES = {".gpkg", ".geojson", ".json", ".shp", ".fgb", ".parquet"}
_ADDRESS_LAYER = "addresses"  # the layer of a wijk GeoPackage (geo.sources.LAYERS)


@dataclass(frozen=True)
class Location:
    """A geocoded point (WGS84) with where it came from and how well it matched."""

    lat: float
    lon: float
    source: str
    match: str
    buurtcode: str = ""
    wijkcode: str = ""
    bag_id: str = ""
    score: float | None = None


class AddressRegister:
    """In-memory index of a register with the columns of :data:`REGISTER_COLUMNS`."""

    def __init__(self, frame: pd.DataFrame, *, name: str = "adresregister") -> None:
        missing = {"huisnummer", "lat", "lon"} - set(frame.columns)
        if missing or not ({"postcode", "straat"} & set(frame.columns)):
            msg = f"{name}: kolommen ontbreken (nodig: postcode of straat, huisnummer, lat, lon)"
            raise InputFileError(msg)
        self.name = name
        self.frame = _normalize_register(frame, name=name)
        self._exact: dict[str, int] = {}
        self._loose: dict[str, int] = {}
        for column in ("postcode_key", "street_key"):
            self._exact.update(_first_positions(self.frame[column]))
        for column in ("postcode_loose", "street_loose"):
            self._loose.update(_first_positions(self.frame[column]))
        self._streets = {normalize_name(street) for street in self.frame["straat"].tolist()} - {""}
        # the columns a match returns, as Python lists: a row of the frame costs ~0.25 ms
        self._lat, self._lon = self.frame["lat"].to_list(), self.frame["lon"].to_list()
        self._buurtcode = self.frame["buurtcode"].to_list()
        self._wijkcode = self.frame["wijkcode"].to_list()
        self._bag_id = self.frame["bag_id"].to_list()

    def __len__(self) -> int:
        return len(self.frame)

    @classmethod
    def from_file(cls, path: Path) -> AddressRegister:
        """Load a register from CSV/XLSX (with lat/lon columns) or any vector file (points)."""
        if path.suffix.lower() in _GEO_SUFFIXES:
            return cls(_read_vector_register(path), name=path.name)
        rows = read_rows(path)
        header = [_register_field(cell) for cell in rows[0]]
        columns = {name: i for i, name in reversed(list(enumerate(header))) if name}
        data = {
            name: [row[i] if i < len(row) else "" for row in rows[1:]]
            for name, i in columns.items()
        }
        return cls(pd.DataFrame(data), name=path.name)

    def reading(self, address: Address) -> Address:
        """``address`` as the register knows it: "Kerkstraat 12 2" is Kerkstraat 12-2 when the
        register has a Kerkstraat and no street "Kerkstraat 12" (Urk's "Wijk 2 12" stays: its
        street is "Wijk 2"); without street names in the register, as typed."""
        other = addition_reading(address)
        if other is None:
            return address
        typed, stripped = normalize_name(address.street), normalize_name(other.street)
        return other if stripped in self._streets and typed not in self._streets else address

    def lookup(self, address: Address) -> Location | None:
        """Find ``address``; ``None`` when no rule matches."""
        number = address.house_number
        bare = HouseNumber(number.number)
        attempts: list[tuple[dict[str, int], str, str]] = []
        if address.postcode:
            attempts += [
                (self._exact, postcode_key(address.postcode, number), "postcode+huisnummer"),
                (self._loose, postcode_key(address.postcode, bare), "postcode+nummer"),
            ]
        if address.street:
            attempts += [
                (
                    self._exact,
                    street_key(address.street, number, address.place),
                    "straat+huisnummer",
                ),
                (self._loose, street_key(address.street, bare, address.place), "straat+nummer"),
            ]
        for index, key, match in attempts:
            position = index.get(key)
            if position is not None:
                return self._location(position, match)
        return None

    def _location(self, position: int, match: str) -> Location:
        return Location(
            lat=float(self._lat[position]),
            lon=float(self._lon[position]),
            source="register",
            match=match,
            buurtcode=str(self._buurtcode[position]),
            wijkcode=str(self._wijkcode[position]),
            bag_id=str(self._bag_id[position]),
        )


def _register_field(header: str) -> str:
    folded = fold_header(header)
    for name, aliases in REGISTER_ALIASES.items():
        if folded in aliases:
            return name
    return ""


def _read_vector_register(path: Path) -> pd.DataFrame:
    """Read points (or polygons) of a vector file; a wijk GeoPackage's ``addresses`` layer.

    Of several layers the one named ``addresses`` (in any case, as :mod:`geo.sources` finds
    it) is read; a file with several layers and none of that name is refused.
    """
    try:
        layers = [str(name) for name in pyogrio.list_layers(path)[:, 0]]
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as error:
        raise unreadable_geofile(path, error) from None
    layer = chosen_layer(path, layers, _ADDRESS_LAYER)
    try:
        frame = gpd.read_file(path, layer=layer, engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as error:
        raise unreadable_geofile(path, error) from None
    if frame.crs is None:
        msg = f"{path.name} heeft geen coördinatenstelsel (CRS); voeg het toe in QGIS"
        raise InputFileError(msg)
    points = frame.geometry.to_crs(4326)
    points = points.where(points.geom_type == "Point", points.representative_point())
    renamed = {
        col: _register_field(str(col)) for col in frame.columns if col != frame.geometry.name
    }
    table = pd.DataFrame(frame.drop(columns=frame.geometry.name)).rename(columns=renamed)
    table = table.loc[:, [c for c in table.columns if c in REGISTER_ALIASES]]
    table = table.loc[:, ~table.columns.duplicated()]
    table["lat"], table["lon"] = points.y.to_numpy(), points.x.to_numpy()
    return table


def _normalize_register(frame: pd.DataFrame, *, name: str) -> pd.DataFrame:
    table = pd.DataFrame({c: frame.get(c, "") for c in REGISTER_COLUMNS})
    text_columns = [c for c in REGISTER_COLUMNS if c not in {"lat", "lon"}]
    for column in text_columns:  # a column at a time: DataFrame.apply costs more than the work
        table[column] = table[column].fillna("").astype(str).str.strip()
    number = table["huisnummer"].str.extract(r"^(\d+)", expand=False)
    table["lat"] = pd.to_numeric(table["lat"].astype(str).str.replace(",", "."), errors="coerce")
    table["lon"] = pd.to_numeric(table["lon"].astype(str).str.replace(",", "."), errors="coerce")
    usable = number.notna() & table["lat"].between(-90, 90) & table["lon"].between(-180, 180)
    if not usable.any():
        msg = f"{name}: geen enkel adres met huisnummer en geldige lat/lon"
        raise InputFileError(msg)
    table = table.loc[usable].reset_index(drop=True)
    table["huisnummer"] = number.loc[usable].astype(int).to_numpy()
    table["huisletter"] = table["huisletter"].str.upper()
    table["toevoeging"] = table["toevoeging"].str.upper()
    postcode = table["postcode"].str.replace(r"\s+", "", regex=True).str.upper()
    table["postcode"] = np.where(
        postcode.str.fullmatch(r"[1-9]\d{3}[A-Z]{2}"), postcode.str[:4] + " " + postcode.str[4:], ""
    )
    _add_keys(table)
    return table


def _add_keys(table: pd.DataFrame) -> None:
    """The match keys of every row, as :func:`~geo.address.postcode_key` and
    :func:`~geo.address.street_key` make them (empty without a postcode or street).

    Made in plain Python: a column operation costs more than the work on a wijk's addresses.
    """
    numbers = [str(number) for number in table["huisnummer"].tolist()]
    postcodes = [postcode.replace(" ", "") for postcode in table["postcode"].tolist()]
    streets = [normalize_name(street) for street in table["straat"].tolist()]
    places = [normalize_name(place) for place in table["woonplaats"].tolist()]
    rows = list(
        zip(numbers, table["huisletter"].tolist(), table["toevoeging"].tolist(), strict=True)
    )
    full = [f"{number}|{letter}|{addition}" for number, letter, addition in rows]
    table["postcode_key"] = _keys(
        postcodes, [f"{p}|{f}" for p, f in zip(postcodes, full, strict=True)]
    )
    table["postcode_loose"] = _keys(
        postcodes, [f"{p}|{n}||" for p, n in zip(postcodes, numbers, strict=True)]
    )
    table["street_key"] = _keys(
        streets, [f"{s}|{f}|{p}" for s, f, p in zip(streets, full, places, strict=True)]
    )
    table["street_loose"] = _keys(
        streets, [f"{s}|{n}|||{p}" for s, n, p in zip(streets, numbers, places, strict=True)]
    )


def _keys(parts: list[str], keys: list[str]) -> np.ndarray:
    """``keys`` where ``parts`` (postcode or street) is given, else ``""`` (as text objects)."""
    result = np.empty(len(keys), dtype=object)
    result[:] = [key if part else "" for part, key in zip(parts, keys, strict=True)]
    return result


def _first_positions(keys: pd.Series) -> dict[str, int]:
    """Each non-empty key with the index label of its first row."""
    first: dict[str, int] = {}
    for label, key in zip(keys.index.to_list(), keys.to_list(), strict=True):
        if key and key not in first:
            first[key] = label
    return first
