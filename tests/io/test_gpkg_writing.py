"""A plan's GeoPackage: every layer written whole, GDAL's settings left as they were."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio
from shapely import LineString, Point, box

from geo.export import write_gpkg


def test_the_geopackage_has_every_layer_and_gdal_keeps_its_settings(tmp_path: Path) -> None:
    layers = {
        "boundary": gpd.GeoDataFrame({"name": ["Wijk"]}, geometry=[box(5, 52, 5.1, 52.1)]),
        "streets": gpd.GeoDataFrame(
            {"name": ["Kerkstraat", "Molenweg"]},
            geometry=[LineString([(5, 52), (5.1, 52.1)]), LineString([(5, 52.1), (5.1, 52)])],
        ),
        "addresses": gpd.GeoDataFrame({"straat": ["Kerkstraat"]}, geometry=[Point(5.05, 52.05)]),
    }
    layers = {name: frame.set_crs(4326) for name, frame in layers.items()}
    before = pyogrio.get_gdal_config_option("OGR_SQLITE_SYNCHRONOUS")
    path = tmp_path / "plan.gpkg"
    write_gpkg(layers, path, private=False)
    assert pyogrio.get_gdal_config_option("OGR_SQLITE_SYNCHRONOUS") == before
    assert [str(n) for n in pyogrio.list_layers(path)[:, 0]] == list(layers)
    for name, frame in layers.items():
        back = gpd.read_file(path, layer=name)
        assert back.drop(columns="geometry").equals(frame.drop(columns="geometry"))
        assert back.geometry.geom_equals_exact(frame.geometry, 0).all()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.gpkg"]  # no temporary left
