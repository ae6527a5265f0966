"""A static map of the plan for print (PNG or PDF): areas, streets with names, signs, boundary,
a scale bar in metres and a north arrow; nothing personal.

Drawn with matplotlib in the wijk's metric CRS (so distances look right on paper), without a
tile basemap: the planner hands it to a meeting, often printed, and it must work offline. The
streets are drawn by road class (main streets thick, paths thin and dashed) with their names
written along them once (twice along a long street), so the print shows where a boundary runs.
A PDF has the whole wijk on its first page and then one page per area, zoomed in, with the
names of all its streets; a PNG is the first page.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from geo.errors import InputFileError
from geo.maps import area_colour
from geo.outputs import replacing
from geo.sources import metric_crs

if TYPE_CHECKING:  # matplotlib is imported when a map is drawn: commands without one skip it
    from matplotlib.figure import Figure

    from geo.map_drawing import Bounds

PRINT_FORMATS = ("png", "pdf")
A4_LANDSCAPE_INCH = (11.69, 8.27)
MAP_RECT = (0.03, 0.07, 0.94, 0.86)  # the map's axes on the page: left, bottom, width, height
AREA_EDGE = "#b0166e"  # area boundaries: a colour no street has
AREA_LABEL_PT = 9.0
LEGEND = (
    "Paarse lijnen: grenzen tussen de gebieden; zwart: de wijkgrens. Straten: dik de "
    "hoofdwegen, dun de woonstraten, gestreept de fiets- en voetpaden. "
    "▲ rood: bord bij een hoofdingang (met rangnummer), groen: bij een fiets- of voetpad. "
    "Kaartgegevens © OpenStreetMap-bijdragers."
)


def print_map(
    areas: gpd.GeoDataFrame,
    boundary: gpd.GeoDataFrame,
    signs: gpd.GeoDataFrame,
    path: Path,
    *,
    streets: gpd.GeoDataFrame | None = None,
) -> Path:
    """Write an A4 landscape map of ``areas`` with ``streets`` and ``signs`` to ``path``
    (``.png``: the whole wijk; ``.pdf``: the whole wijk, then one page per area)."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in PRINT_FORMATS:
        msg = f"een printkaart is .png of .pdf, niet {path.name!r}"
        raise InputFileError(msg)
    import matplotlib as mpl  # noqa: PLC0415 - heavy, only when a map is printed
    from matplotlib.backends.backend_pdf import PdfPages  # noqa: PLC0415

    crs = metric_crs(boundary)
    areas = areas.to_crs(crs).reset_index(drop=True)
    areas = areas.loc[areas.geometry.notna() & ~areas.geometry.is_empty].reset_index(drop=True)
    boundary, signs = boundary.to_crs(crs), signs.to_crs(crs)
    if streets is None:
        streets = gpd.GeoDataFrame(geometry=[], crs=crs)
    streets = streets.to_crs(crs)
    streets = streets.loc[streets.geometry.notna() & ~streets.geometry.is_empty]
    wijk = str(boundary["name"].iloc[0]).strip() if "name" in boundary and len(boundary) else ""
    title = f"{wijk + ': ' if wijk else ''}{len(areas)} BuurtWhatsApp-gebied{'' if len(areas) == 1 else 'en'}"
    whole = boundary.union_all().union(areas.union_all())
    pages = [_page(areas, boundary, streets, signs, whole, title=title, focus=None)]
    if suffix == "pdf" and len(areas) > 1:
        for area_id, name, polygon in zip(
            areas["area_id"], _names(areas), areas.geometry, strict=True
        ):
            heading = f"Gebied {int(area_id)}{': ' + name if name else ''}"
            pages.append(
                _page(areas, boundary, streets, signs, polygon, title=heading, focus=int(area_id))
            )
    with replacing(path) as temporary:
        if suffix == "png":
            pages[0].savefig(temporary, dpi=200, format="png")
        else:
            with (
                mpl.rc_context({"pdf.fonttype": 42}),  # real text: searchable, extractable
                PdfPages(temporary, metadata={"Title": title}) as document,
            ):
                for page in pages:
                    document.savefig(page)
    return path


def _names(areas: gpd.GeoDataFrame) -> list[str]:
    if "name" not in areas:
        return [""] * len(areas)
    return [str(n).strip() for n in areas["name"].fillna("")]


def _page(
    areas: gpd.GeoDataFrame,
    boundary: gpd.GeoDataFrame,
    streets: gpd.GeoDataFrame,
    signs: gpd.GeoDataFrame,
    around: BaseGeometry,
    *,
    title: str,
    focus: int | None,
) -> Figure:
    """One A4 page: the map around ``around``; with ``focus`` that area stands out."""
    from matplotlib.collections import LineCollection  # noqa: PLC0415 - see print_map
    from matplotlib.figure import Figure  # noqa: PLC0415

    from geo.map_drawing import (  # noqa: PLC0415
        decorate,
        draw_signs,
        draw_streets,
        label_streets,
        patch,
        segments,
        view_bounds,
    )

    figure = Figure(figsize=A4_LANDSCAPE_INCH)
    axes = figure.add_axes(MAP_RECT)
    width_in = A4_LANDSCAPE_INCH[0] * MAP_RECT[2]
    height_in = A4_LANDSCAPE_INCH[1] * MAP_RECT[3]
    bounds = view_bounds(around, width_in / height_in)
    axes.set_xlim(bounds[0], bounds[2])
    axes.set_ylim(bounds[1], bounds[3])
    axes.set_aspect("equal")
    axes.set_axis_off()
    metres_per_point = (bounds[2] - bounds[0]) / (width_in * 72)

    ids = [int(a) for a in areas["area_id"]]
    for area_id, polygon in zip(ids, areas.geometry, strict=True):
        faded = focus is not None and area_id != focus
        axes.add_artist(
            patch(
                [polygon], fc="#eeeeee" if faded else area_colour(area_id),
                alpha=0.8 if faded else 0.35, ec="none", zorder=1,
            )
        )  # fmt: skip
    view = shapely.box(*bounds)
    near = (
        streets.iloc[streets.sindex.query(view, predicate="intersects")]
        if len(streets)
        else streets
    )
    draw_streets(axes, near, zorder=3)
    axes.add_collection(
        LineCollection(
            segments(areas.geometry.boundary), colors=AREA_EDGE, linewidths=1.8, zorder=5
        )
    )
    axes.add_collection(
        LineCollection(segments(boundary.boundary), colors="black", linewidths=2.4, zorder=6)
    )
    taken = _area_labels(axes, areas, bounds, focus=focus, metres_per_point=metres_per_point)
    visible = signs.loc[signs.intersects(view)] if len(signs) else signs
    draw_signs(axes, visible)
    _sign_ranks(axes, visible)
    label_streets(axes, near, bounds, metres_per_point=metres_per_point, taken=taken)
    decorate(axes, bounds)
    figure.suptitle(title, x=MAP_RECT[0], y=0.975, ha="left", fontsize=13, weight="bold")
    figure.text(MAP_RECT[0], 0.035, LEGEND, fontsize=7, wrap=True)
    return figure


def _area_labels(
    axes: Any,
    areas: gpd.GeoDataFrame,
    bounds: Bounds,
    *,
    focus: int | None,
    metres_per_point: float,
) -> list[BaseGeometry]:
    """Every area's number and name (on an area's page: the others as 'gebied N'); returns
    the boxes they take, so street names keep clear of them."""
    from geo.map_drawing import haloed_text, label_box  # noqa: PLC0415 - see print_map

    view = shapely.box(*bounds)
    inner = view.buffer(-0.05 * (bounds[2] - bounds[0]))
    boxes = []
    for area_id, name, polygon in zip(areas["area_id"], _names(areas), areas.geometry, strict=True):
        shown = polygon.intersection(inner)
        if shown.is_empty or shown.area <= 0:
            continue
        point = shown.representative_point()
        other = focus is not None and int(area_id) != focus
        text = f"gebied {int(area_id)}" if other or not name else f"{int(area_id)}. {name}"
        size = AREA_LABEL_PT - 1 if other else AREA_LABEL_PT
        style: dict[str, Any] = {
            "ha": "center", "va": "center", "fontsize": size, "zorder": 9,
            "weight": "normal" if other else "bold", "style": "italic" if other else "normal",
        }  # fmt: skip
        if other:
            haloed_text(axes, point.x, point.y, text, color="#555555", **style)
        else:
            box = {"boxstyle": "round,pad=0.2", "fc": "white", "alpha": 0.75, "lw": 0}
            axes.text(point.x, point.y, text, color="black", bbox=box, **style)
        boxes.append(
            label_box(
                point.x, point.y, text, fontsize=size * 1.15, angle=0.0,
                metres_per_point=metres_per_point,
            )
        )  # fmt: skip
    return boxes


def _sign_ranks(axes: Any, signs: gpd.GeoDataFrame) -> None:
    """The rank number next to every sign at a main entrance."""
    if signs.empty or "rank" not in signs:
        return
    main = signs["kind"] == "main" if "kind" in signs else signs["rank"].notna()
    for point, rank in zip(signs.geometry[main], signs["rank"][main], strict=True):
        if pd.isna(rank):
            continue
        number = pd.to_numeric(rank, errors="coerce")
        axes.annotate(
            str(rank) if pd.isna(number) else f"{number:g}", (point.x, point.y),
            fontsize=6, xytext=(3, 3), textcoords="offset points", zorder=9,
        )  # fmt: skip
