"""The printable map (issue 17): streets with their names, a scale bar in metres, a north arrow.

A small street grid near Geleen (RD New) with fictitious sign-ups that carry coordinates, so the
plan needs no register or network; the PDF's text is read back with pypdf.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pytest
from pypdf import PdfReader
from shapely import LineString

from geo.cli import main
from geo.errors import InputFileError
from geo.print_map import print_map
from tests.grids import ORIGIN, RD, grid_boundary, grid_streets
from tests.io.test_plan_safety import people, write_people

MAIN_STREET = "Rijksweg Zuid"
SEGMENTS = 4  # the main street comes in pieces, one per block


def streets_with_a_main_road() -> gpd.GeoDataFrame:
    """The 4 × 3 grid; its second row is a secondary road cut into one line per block."""
    grid = grid_streets(4, 3)
    road = grid.iloc[1]
    coords = list(road.geometry.coords)
    pieces = [LineString(coords[k : k + 2]) for k in range(SEGMENTS)]
    blocks = gpd.GeoDataFrame(
        {"name": [MAIN_STREET] * SEGMENTS, "highway": ["secondary"] * SEGMENTS},
        geometry=pieces,
        crs=RD,
    )
    rest = grid.drop(index=grid.index[1])
    return gpd.GeoDataFrame(
        [*rest.to_dict("records"), *blocks.to_dict("records")], geometry="geometry", crs=RD
    )


@pytest.fixture(scope="module")
def plan_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("printplan")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GEO_CACHE_DIR", str(folder / "cache"))
        patch.delenv("GEO_MAX_MEMBERS", raising=False)
        boundary = gpd.GeoDataFrame(
            {"name": ["Rasterwijk"]}, geometry=[grid_boundary(4, 3)], crs=RD
        )
        boundary.to_crs(4326).to_file(folder / "grens.geojson")
        streets_with_a_main_road().to_crs(4326).to_file(folder / "straten.geojson")
        applicants = write_people(folder / "a.csv", people(12))
        out = folder / "plan"
        arguments = ["plan", "--boundary", str(folder / "grens.geojson"), "--streets",
                     str(folder / "straten.geojson"), "--applicants", str(applicants),
                     "--offline", "--max-members", "5", "--out", str(out)]  # fmt: skip
        assert main(arguments) == 0
        yield out


def export(plan_dir: Path, fmt: str, out: Path) -> int:
    return main(["export", "--plan", str(plan_dir), "--profile", "public", "--format", fmt,
                 "--out", str(out)])  # fmt: skip


def pages(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def has_scale_and_north(text: str) -> bool:
    lines = [line.strip() for line in text.splitlines()]
    return bool(re.search(r"\b\d+(\.\d+)? k?m\b", text)) and "N" in lines


def test_pdf_prints_street_names_a_metric_scale_and_north(plan_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "kaart.pdf"
    assert export(plan_dir, "pdf", out) == 0
    texts = pages(out)
    areas = gpd.read_file(plan_dir / "areas.geojson")
    assert len(texts) == 1 + len(areas) > 2, "the whole wijk, then a page per area"
    first = texts[0]
    assert MAIN_STREET in first, "main streets are named on the overview"
    assert 1 <= first.count(MAIN_STREET) <= 2 < SEGMENTS, "a name once or twice, not per segment"
    assert "Rasterwijk" in first
    for text in texts:
        assert has_scale_and_north(text), text
    missing = [n for n in set(streets_with_a_main_road()["name"]) if n not in "\n".join(texts)]
    assert not missing, "every street is named, at least on its area's page"
    for area_id, text in zip(sorted(areas["area_id"]), texts[1:], strict=True):
        assert f"Gebied {area_id}" in text


def test_pdf_and_png_hold_nobody(plan_dir: Path, tmp_path: Path) -> None:
    assert export(plan_dir, "png", tmp_path / "kaart.png") == 0
    assert (tmp_path / "kaart.png").read_bytes().startswith(b"\x89PNG")
    assert export(plan_dir, "pdf", tmp_path / "kaart.pdf") == 0
    text = "\n".join(pages(tmp_path / "kaart.pdf"))
    data = (tmp_path / "kaart.pdf").read_bytes()
    for person in people(12):
        name, phone = person[0], person[6]
        assert name not in text and phone not in text
        assert name.encode() not in data and phone.encode() not in data


def one_area() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    boundary = gpd.GeoDataFrame(geometry=[grid_boundary(2, 2)], crs=RD)  # no name either
    areas = gpd.GeoDataFrame(
        {"area_id": [1], "name": ["Laan 1 e.o."]}, geometry=[grid_boundary(2, 2)], crs=RD
    )
    return boundary, areas


def test_streets_without_any_attribute_still_print(tmp_path: Path) -> None:
    boundary, areas = one_area()
    bare = grid_streets(2, 2)[["geometry"]]
    no_signs = gpd.GeoDataFrame(geometry=[], crs=RD)
    out = print_map(areas, boundary, no_signs, tmp_path / "kaal.pdf", streets=bare)
    texts = pages(out)
    assert len(texts) == 1, "one area: the overview is its page"
    assert has_scale_and_north(texts[0]) and "1. Laan 1 e.o." in texts[0]
    png = print_map(areas, boundary, no_signs, tmp_path / "kaal.png", streets=bare)
    assert png.read_bytes().startswith(b"\x89PNG")


def test_names_without_road_classes_are_written_and_a_long_street_twice_at_most(
    tmp_path: Path,
) -> None:
    boundary, areas = one_area()
    x0, y0 = ORIGIN
    long_street = [LineString([(x0 + 10 * k, y0 + 100), (x0 + 10 * (k + 1), y0 + 100)])
                   for k in range(20)]  # fmt: skip
    streets = gpd.GeoDataFrame(
        {"name": ["Lange Straat"] * 20 + [None]},
        geometry=[*long_street, LineString([(x0, y0), (x0, y0 + 200)])],
        crs=RD,
    )
    out = print_map(areas, boundary, gpd.GeoDataFrame(geometry=[], crs=RD), tmp_path / "k.pdf",
                    streets=streets)  # fmt: skip
    text = pages(out)[0]
    assert 1 <= text.count("Lange Straat") <= 2


def test_a_print_map_is_png_or_pdf(tmp_path: Path) -> None:
    boundary, areas = one_area()
    with pytest.raises(InputFileError, match=r"\.png of \.pdf"):
        print_map(areas, boundary, gpd.GeoDataFrame(geometry=[], crs=RD), tmp_path / "k.jpg")
    assert not list(tmp_path.iterdir())
