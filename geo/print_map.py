"""A static map of the plan for print (PNG or PDF): areas, names, signs, boundary; nothing personal.

Drawn with matplotlib in the wijk's metric CRS (so distances look right on paper), without a
tile basemap: the planner hands it to a meeting, often printed, and it must work offline.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import matplotlib as mpl

mpl.use("Agg")  # no screen: render to files only
import matplotlib.pyplot as plt

from geo.errors import InputFileError
from geo.maps import area_colour
from geo.outputs import replacing
from geo.sources import metric_crs

PRINT_FORMATS = ("png", "pdf")
A4_LANDSCAPE_INCH = (11.69, 8.27)


def print_map(
    areas: gpd.GeoDataFrame, boundary: gpd.GeoDataFrame, signs: gpd.GeoDataFrame, path: Path
) -> Path:
    """Write an A4 landscape map of ``areas`` with ``signs`` to ``path`` (``.png`` or ``.pdf``)."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in PRINT_FORMATS:
        msg = f"een printkaart is .png of .pdf, niet {path.name!r}"
        raise InputFileError(msg)
    crs = metric_crs(boundary)
    areas, boundary, signs = areas.to_crs(crs), boundary.to_crs(crs), signs.to_crs(crs)
    figure, axes = plt.subplots(figsize=A4_LANDSCAPE_INCH)
    try:
        areas.plot(
            ax=axes,
            color=[area_colour(a) for a in areas["area_id"]],
            edgecolor="#333333",
            linewidth=0.8,
            alpha=0.6,
        )
        boundary.boundary.plot(ax=axes, color="black", linewidth=2)
        for row in areas.itertuples():
            if row.geometry is None or row.geometry.is_empty:
                continue
            point = row.geometry.representative_point()
            axes.annotate(
                f"{row.area_id}. {row.name}",
                (point.x, point.y),
                ha="center",
                fontsize=8,
                weight="bold",
                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "alpha": 0.7, "lw": 0},
            )
        if len(signs):
            main = signs["kind"] == "main"
            signs.loc[main].plot(ax=axes, color="darkred", markersize=30, marker="^", zorder=5)
            signs.loc[~main].plot(ax=axes, color="green", markersize=15, marker="^", zorder=5)
            for row in signs.loc[main].itertuples():
                axes.annotate(str(row.rank), (row.geometry.x, row.geometry.y), fontsize=6,
                              xytext=(3, 3), textcoords="offset points")  # fmt: skip
        axes.set_axis_off()
        axes.set_title(
            f"{boundary['name'].iloc[0]}: {len(areas)} BuurtWhatsApp-gebieden"
            if "name" in boundary
            else f"{len(areas)} BuurtWhatsApp-gebieden"
        )
        axes.text(
            0.0,
            -0.02,
            "▲ rood: bord bij een hoofdingang (met rangnummer), groen: bij een fiets- of voetpad. "
            "Kaartgegevens © OpenStreetMap-bijdragers.",
            transform=axes.transAxes,
            fontsize=7,
        )
        with replacing(path) as temporary:
            figure.savefig(temporary, dpi=200, bbox_inches="tight", format=suffix)
    finally:
        plt.close(figure)
    return path
