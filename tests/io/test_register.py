"""The local address register: loading (CSV, GeoPackage in RD New) and matching rules."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from shapely import Point, box

from geo.address import Address, HouseNumber
from geo.errors import InputFileError
from geo.register import AddressRegister
from tests.conftest import write_text

REGISTER_CSV = """straat;huisnummer;huisletter;toevoeging;postcode;woonplaats;lat;lon;identificatie
Kerkstraat;12;A;;6166AB;Geleen;50,9725;5,8274;0001
Kerkstraat;12;B;;6166AB;Geleen;50,9726;5,8275;0002
Kerkstraat;14;;2;6166 ab;Geleen;50.9727;5.8276;0003
Markt;7;;;6161GE;Geleen;50.9731;5.8281;0004
Rijksweg Zuid;3;;;;Geleen;50.9700;5.8300;0005
Zonder Punt;1;;;6161GE;Geleen;;;0006
"""


@pytest.fixture
def register(tmp_path: Path) -> AddressRegister:
    return AddressRegister.from_file(write_text(tmp_path / "bag.csv", REGISTER_CSV))


@pytest.mark.parametrize(
    ("address", "bag_id", "match"),
    [
        (
            Address("Kerkstraat", HouseNumber(12, "B"), "6166 AB", "Geleen"),
            "0002",
            "postcode+huisnummer",
        ),
        (
            Address("Kerkstraat", HouseNumber(14, "", "2"), "6166 AB", ""),
            "0003",
            "postcode+huisnummer",
        ),
        (Address("Kerkstraat", HouseNumber(14, "", "9"), "6166 AB", ""), "0003", "postcode+nummer"),
        (Address("Verkeerde straat", HouseNumber(7), "6161 GE", ""), "0004", "postcode+huisnummer"),
        (Address("Rijksweg-Zuid", HouseNumber(3), "", "geleen"), "0005", "straat+huisnummer"),
        (Address("Markt", HouseNumber(7, "", "1"), "", "Geleen"), "0004", "straat+nummer"),
    ],
)
def test_matching_rules_in_order(
    register: AddressRegister, address: Address, bag_id: str, match: str
) -> None:
    found = register.lookup(address)
    assert found is not None
    assert (found.bag_id, found.match, found.source) == (bag_id, match, "register")


def test_decimal_commas_and_rows_without_point(register: AddressRegister) -> None:
    found = register.lookup(Address("Kerkstraat", HouseNumber(12, "A"), "6166 AB", ""))
    assert found is not None
    assert (found.lat, found.lon) == (pytest.approx(50.9725), pytest.approx(5.8274))
    assert len(register) == 5  # "Zonder Punt" has no coordinates and is left out
    assert register.lookup(Address("Zonder Punt", HouseNumber(1), "6161 GE", "Geleen")) is None


def test_unknown_address_is_no_match(register: AddressRegister) -> None:
    assert register.lookup(Address("Kerkstraat", HouseNumber(99), "6166 AB", "Geleen")) is None
    assert register.lookup(Address("Markt", HouseNumber(7), "", "Sittard")) is None


def test_geopackage_in_rd_new_is_reprojected(tmp_path: Path) -> None:
    # A BAG-like layer in RD New: one point, one polygon (its representative point is used).
    frame = gpd.GeoDataFrame(
        {
            "openbareruimtenaam": ["Markt", "Kerkstraat"],
            "huisnummer": [7, 12],
            "postcode": ["6161GE", "6166AB"],
            "woonplaatsnaam": ["Geleen", "Geleen"],
        },
        geometry=[Point(186_000, 331_000), box(186_100, 331_100, 186_120, 331_120)],
        crs="EPSG:28992",
    )
    path = tmp_path / "bag.gpkg"
    frame.to_file(path, engine="pyogrio")
    register = AddressRegister.from_file(path)
    found = register.lookup(Address("Markt", HouseNumber(7), "6161 GE", ""))
    expected = gpd.GeoSeries([Point(186_000, 331_000)], crs=28992).to_crs(4326).iloc[0]
    assert found is not None
    assert (found.lon, found.lat) == (pytest.approx(expected.x), pytest.approx(expected.y))
    assert 50 < found.lat < 52 and 5 < found.lon < 7  # lat/lon not swapped: Limburg


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("geen-lat.csv", "straat;huisnummer;postcode\nMarkt;7;6161GE\n", "kolommen ontbreken"),
        ("geen-punten.csv", "straat;huisnummer;lat;lon\nMarkt;x;;\n", "geen enkel adres"),
        ("kapot.gpkg", "dit is geen geopackage", "geen leesbaar geodatabestand"),
    ],
)
def test_bad_register_files(tmp_path: Path, name: str, content: str, message: str) -> None:
    with pytest.raises(InputFileError, match=message):
        AddressRegister.from_file(write_text(tmp_path / name, content))


def _fictitious_points() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"straat": ["Markt"], "huisnummer": [7], "postcode": ["6161GE"], "woonplaats": ["Geleen"]},
        geometry=[Point(5.8281, 50.9731)],
        crs="EPSG:4326",
    )


def _boundary() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"naam": ["Fictieve wijk"]}, geometry=[box(5.82, 50.97, 5.84, 50.98)], crs="EPSG:4326"
    )


def test_a_geopackage_with_several_layers_and_none_named_addresses_is_refused(
    tmp_path: Path,
) -> None:
    path = tmp_path / "wijk.gpkg"
    _boundary().to_file(path, layer="grens", engine="pyogrio")
    _fictitious_points().to_file(path, layer="adressen_bag", engine="pyogrio")
    with pytest.raises(InputFileError, match=r"meerdere lagen \(grens, adressen_bag\)") as error:
        AddressRegister.from_file(path)
    assert "addresses" in str(error.value)
    assert "kolommen ontbreken" not in str(error.value)


@pytest.mark.parametrize("layer", ["addresses", "Addresses", "ADDRESSES"])
def test_the_addresses_layer_is_found_in_any_case(tmp_path: Path, layer: str) -> None:
    path = tmp_path / "wijk.gpkg"
    _boundary().to_file(path, layer="boundary", engine="pyogrio")  # first: read by default
    _fictitious_points().to_file(path, layer=layer, engine="pyogrio")
    register = AddressRegister.from_file(path)
    found = register.lookup(Address("Markt", HouseNumber(7), "6161 GE", ""))
    assert found is not None
    assert (found.lat, found.lon) == (pytest.approx(50.9731), pytest.approx(5.8281))


def test_a_geopackage_with_one_layer_of_another_name_is_read(tmp_path: Path) -> None:
    path = tmp_path / "bag.gpkg"
    _fictitious_points().to_file(path, layer="verblijfsobjecten", engine="pyogrio")
    assert len(AddressRegister.from_file(path)) == 1
