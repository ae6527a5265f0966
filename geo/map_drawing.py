"""Drawing helpers for the static (matplotlib) maps: the beheerder packs and the print map.

Everything works in a metric CRS (metres), so the scale bar is true: map views, (multi)polygon
patches, line segments, streets by road class with de-duplicated names, signs, and the scale
bar in metres with a north arrow.

The beheerder packs draw only the picture with matplotlib (areas, streets, signs) and put the
words on it in the PDF (:class:`MapPicture`, placed by :meth:`geo.pdf.Document.map_picture`):
street names, area numbers, scale bar and north arrow are then sharp at any zoom, searchable,
and cost a fraction of matplotlib's text rendering (about 6 ms a label).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path as MplPath
from PIL import Image
from shapely.geometry.base import BaseGeometry

from geo.signs import MAIN_ROADS, MINOR_ROADS

Bounds = tuple[float, float, float, float]

HALO = [patheffects.withStroke(linewidth=2.2, foreground="white")]
HALO_STROKE = patheffects.Stroke(linewidth=3.0, foreground="white")

# Road classes of the print map: (line colour, line width in points, line style).
MAIN_CLASS, STREET_CLASS, PATH_CLASS = 0, 1, 2
ROAD_CLASS_STYLES = {
    MAIN_CLASS: ("#3a3a3a", 2.4, "solid"),
    STREET_CLASS: ("#6e6e6e", 1.0, "solid"),
    PATH_CLASS: ("#8a8a8a", 0.5, "dashed"),
}
MAIN_RANK = 3  # MAIN_ROADS rank up to tertiary: a main street
LABEL_FONT_PT = {MAIN_CLASS: 7.5, STREET_CLASS: 6.0, PATH_CLASS: 5.0}
TWO_LABELS_FROM = 0.45  # a street this long (share of the view's width) is named twice


@dataclass(frozen=True)
class MapLabel:
    """A word on a map, set in the PDF: centred on (``x``, ``y``) in the map's metres."""

    x: float
    y: float
    text: str
    size: float  # points
    angle: float = 0.0  # degrees, counter-clockwise
    style: str = ""  # "", "B" (bold) or "I" (italic)
    grey: bool = False  # grey instead of near-black
    halo: bool = True  # a white outline under the letters


@dataclass(frozen=True)
class MapPicture:
    """A map drawn without words, the view it shows and the words to put on it; the PDF adds
    a scale bar in metres (bottom left), a north arrow (top right) and the ``credit``."""

    image: Image.Image
    bounds: Bounds
    labels: tuple[MapLabel, ...] = ()
    credit: str = ""


_BLANK: dict[tuple[tuple[float, float], int], tuple[Figure, Any]] = {}


def blank_map(bounds: Bounds, size_in: tuple[float, float], dpi: int) -> tuple[Figure, Any]:
    """A figure of ``size_in`` inches whose one axes fill it and show exactly ``bounds``,
    without anything drawn on it.

    One figure per size is made once per process and emptied for the next map (making the
    axes costs a quarter of a pack map); the picture is the same as on a new figure.
    """
    key = (size_in, dpi)
    if key not in _BLANK:
        figure = Figure(figsize=size_in, dpi=dpi)
        axes = figure.add_axes((0, 0, 1, 1))
        axes.set_aspect("equal")
        axes.set_axis_off()
        _BLANK[key] = figure, axes
    figure, axes = _BLANK[key]
    for artist in [*axes.collections, *axes.patches, *axes.artists, *axes.lines, *axes.texts]:
        artist.remove()
    axes.set_xlim(bounds[0], bounds[2])
    axes.set_ylim(bounds[1], bounds[3])
    return figure, axes


def render(figure: Figure) -> Image.Image:
    """The figure drawn as an RGB image (no PNG round trip: fpdf2 compresses it once)."""
    canvas = FigureCanvasAgg(figure)
    canvas.draw()  # type: ignore[no-untyped-call]
    width, height = canvas.get_width_height()
    rgba = canvas.buffer_rgba()  # type: ignore[no-untyped-call]
    return Image.frombuffer("RGBA", (width, height), rgba).convert("RGB")


def nice_length(width_m: float) -> float:
    """A round scale-bar length of at most a fifth of the map's width."""
    steps = [m * 10**e for e in range(6) for m in (1, 2, 2.5, 5)]
    fitting = [s for s in steps if s <= width_m / 5]
    return max(fitting) if fitting else 1.0


def view_bounds(geometry: BaseGeometry, aspect: float) -> Bounds:
    """Bounds around ``geometry`` with a margin, widened to the map's aspect (width/height)."""
    minx, miny, maxx, maxy = geometry.bounds
    pad = max(40.0, 0.08 * max(maxx - minx, maxy - miny))
    minx, miny, maxx, maxy = minx - pad, miny - pad, maxx + pad, maxy + pad
    width, height = maxx - minx, maxy - miny
    if width / height < aspect:
        grow = (height * aspect - width) / 2
        minx, maxx = minx - grow, maxx + grow
    else:
        grow = (width / aspect - height) / 2
        miny, maxy = miny - grow, maxy + grow
    return minx, miny, maxx, maxy


def segments(geometries: Iterable[BaseGeometry]) -> list[np.ndarray]:
    """The coordinates of every line part of ``geometries`` (for a :class:`LineCollection`)."""
    parts = []
    for geometry in geometries:
        if geometry is None or geometry.is_empty:
            continue
        for line in getattr(geometry, "geoms", [geometry]):
            if line.geom_type == "LineString" and not line.is_empty:
                parts.append(np.asarray(line.coords)[:, :2])
            elif hasattr(line, "geoms"):
                parts.extend(segments(line.geoms))
    return parts


def patch(polygons: Iterable[BaseGeometry], **style: Any) -> PathPatch:
    """One matplotlib patch of (multi)polygons, holes included (faster than geopandas' plot)."""
    paths = []
    for geometry in polygons:
        if geometry is None or geometry.is_empty:
            continue
        for part in getattr(geometry, "geoms", [geometry]):
            if part.geom_type != "Polygon":
                continue
            for ring in (part.exterior, *part.interiors):
                coords = np.asarray(ring.coords)[:, :2]
                codes = np.full(len(coords), MplPath.LINETO, dtype=np.uint8)
                codes[0], codes[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
                paths.append(MplPath(coords, codes))
    path = MplPath.make_compound_path(*paths) if paths else MplPath(np.zeros((0, 2)))
    return PathPatch(path, **style)


def decorate(axes: Any, bounds: Bounds) -> None:
    """Scale bar in metres (bottom left) and north arrow (top right)."""
    minx, miny, maxx, maxy = bounds
    length = nice_length(maxx - minx)
    x0, y0 = minx + 0.04 * (maxx - minx), miny + 0.04 * (maxy - miny)
    bar = 0.012 * (maxy - miny)
    for part in range(2):
        axes.add_patch(
            Rectangle(
                (x0 + part * length / 2, y0), length / 2, bar,
                facecolor="black" if part == 0 else "white", edgecolor="black", lw=0.8, zorder=9,
            )
        )  # fmt: skip
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    axes.text(x0, y0 + 1.6 * bar, "0", fontsize=7, ha="center", zorder=9)
    axes.text(x0 + length, y0 + 1.6 * bar, label, fontsize=7, ha="center", zorder=9)
    axes.annotate(
        "N", xy=(0.95, 0.97), xytext=(0.95, 0.87), xycoords="axes fraction",
        ha="center", va="center", fontsize=11, weight="bold", zorder=9,
        arrowprops={"facecolor": "black", "width": 3, "headwidth": 10, "headlength": 10},
    )  # fmt: skip


def draw_signs(axes: Any, signs: gpd.GeoDataFrame) -> None:
    """Signs as triangles: dark red at a main entrance, green at a cycle or foot path."""
    if signs.empty:
        return
    main = (signs["kind"] == "main").to_numpy() if "kind" in signs else np.ones(len(signs), bool)
    points = signs.geometry
    axes.scatter(points.x[main], points.y[main], marker="^", s=45, color="darkred", zorder=8)
    axes.scatter(points.x[~main], points.y[~main], marker="^", s=25, color="green", zorder=8)


# --- streets by road class, with their names --------------------------------------------------


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    """A text column, ``""`` where it is missing or empty (street files without attributes)."""
    if column not in frame:
        return pd.Series("", index=frame.index, dtype=object)
    return frame[column].fillna("").astype(str).str.strip()


def road_class(highway: str) -> int:
    """:data:`MAIN_CLASS`, :data:`STREET_CLASS` or :data:`PATH_CLASS` of an OSM highway value."""
    if highway == "motorway" or MAIN_ROADS.get(highway, (99, ""))[0] <= MAIN_RANK:
        return MAIN_CLASS
    return PATH_CLASS if highway in MINOR_ROADS else STREET_CLASS


def street_classes(streets: gpd.GeoDataFrame) -> np.ndarray:
    """The road class of every street line (a street without ``highway`` is a street)."""
    return np.array([road_class(h) for h in _text(streets, "highway")], dtype=int)


def draw_streets(axes: Any, streets: gpd.GeoDataFrame, *, zorder: float = 3) -> None:
    """The street lines, paths thin and dashed, main streets thick."""
    classes = street_classes(streets)
    for number in (PATH_CLASS, STREET_CLASS, MAIN_CLASS):
        chosen = streets.geometry.to_numpy()[classes == number]
        if len(chosen) == 0:
            continue
        colour, width, style = ROAD_CLASS_STYLES[number]
        axes.add_collection(
            LineCollection(
                segments(chosen), colors=colour, linewidths=width, linestyles=style,
                capstyle="round", zorder=zorder + 0.1 * (2 - number),
            )
        )  # fmt: skip


def label_box(
    x: float, y: float, text: str, *, fontsize: float, angle: float, metres_per_point: float
) -> BaseGeometry:
    """The (rotated) box a label of ``text`` takes on the map, in metres."""
    half_width = 0.3 * fontsize * len(text) * metres_per_point
    half_height = 0.65 * fontsize * metres_per_point
    box = shapely.box(-half_width, -half_height, half_width, half_height)
    radians = np.radians(angle)
    cos, sin = float(np.cos(radians)), float(np.sin(radians))
    return shapely.affinity.affine_transform(box, [cos, -sin, sin, cos, x, y])


def _upright_angle(line: BaseGeometry, along: float) -> float:
    """The line's direction at ``along`` in degrees, turned so text is never upside down."""
    before = line.interpolate(max(0.0, along - 5))
    after = line.interpolate(min(line.length, along + 5))
    angle = float(np.degrees(np.arctan2(after.y - before.y, after.x - before.x)))
    if angle > 90:
        angle -= 180
    elif angle < -90:
        angle += 180
    return angle


def label_streets(
    axes: Any,
    streets: gpd.GeoDataFrame,
    bounds: Bounds,
    *,
    metres_per_point: float,
    taken: list[BaseGeometry] | None = None,
) -> list[str]:
    """Write street names along the streets: once per street (twice along a long one), not
    per segment; main streets first and always, the other streets where their name fits.

    ``taken`` holds the boxes of labels already on the map (they are added to); returns the
    names written, in the order they were placed.
    """
    placed = [] if taken is None else taken
    view = shapely.box(*bounds)
    names = _text(streets, "name")
    classes = street_classes(streets)
    keep = (names != "").to_numpy()
    if not keep.any():
        return []
    frame = pd.DataFrame(
        {"name": names.to_numpy()[keep], "cls": classes[keep], "geometry": streets.geometry.to_numpy()[keep]}
    )  # fmt: skip
    plan = []
    for name, group in frame.groupby("name", sort=False):
        clipped = shapely.intersection(shapely.union_all(group["geometry"].to_numpy()), view)
        merged = shapely.line_merge(clipped) if not clipped.is_empty else clipped
        pieces = sorted(
            (p for p in shapely.get_parts(merged) if p.geom_type == "LineString" and p.length > 0),
            key=lambda p: -p.length,
        )
        if pieces:
            plan.append(
                (int(group["cls"].min()), -sum(p.length for p in pieces), str(name), pieces)
            )
    written = []
    width = bounds[2] - bounds[0]
    for cls, minus_length, name, pieces in sorted(plan):
        fontsize = LABEL_FONT_PT[cls]
        wanted = 2 if -minus_length >= TWO_LABELS_FROM * width else 1
        label_width = 0.6 * fontsize * len(name) * metres_per_point
        boxes: list[BaseGeometry] = []
        first_try: tuple[float, float, float, BaseGeometry] | None = None
        for piece in pieces[:4]:
            for fraction in (0.5, 0.3, 0.7, 0.15, 0.85):
                if len(boxes) >= wanted:
                    break
                along = fraction * piece.length
                point = piece.interpolate(along)
                angle = _upright_angle(piece, along)
                box = label_box(
                    point.x, point.y, name, fontsize=fontsize, angle=angle,
                    metres_per_point=metres_per_point,
                )  # fmt: skip
                first_try = first_try or (point.x, point.y, angle, box)
                long_enough = cls == MAIN_CLASS or piece.length >= 0.8 * label_width
                apart = all(b.distance(box) > 0.25 * width for b in boxes)
                if (
                    long_enough
                    and apart
                    and view.contains(box)
                    and not any(box.intersects(other) for other in placed)
                ):
                    boxes.append(box)
                    placed.append(box)
                    _write(
                        axes, box.centroid.x, box.centroid.y, name,
                        fontsize=fontsize, angle=angle, cls=cls,
                    )  # fmt: skip
        if not boxes and cls == MAIN_CLASS and first_try is not None:
            x, y, angle, box = first_try  # a main street is always named, even where it is busy
            placed.append(box)
            _write(axes, x, y, name, fontsize=fontsize, angle=angle, cls=cls)
            boxes.append(box)
        if boxes:
            written.append(name)
    return written


def _write(
    axes: Any, x: float, y: float, text: str, *, fontsize: float, angle: float, cls: int
) -> None:
    haloed_text(
        axes, x, y, text, fontsize=fontsize, rotation=angle, rotation_mode="anchor",
        ha="center", va="center", zorder=8, weight="bold" if cls == MAIN_CLASS else "normal",
        color="#1a1a1a",
    )  # fmt: skip


def haloed_text(axes: Any, x: float, y: float, text: str, **style: Any) -> None:
    """Text with a white halo that stays text in a PDF (searchable, extractable).

    A path effect turns text into outlines, so the halo is a separate stroke-only copy under
    the text itself.
    """
    under = {**style, "color": "white", "zorder": float(style.get("zorder", 8)) - 0.01}
    axes.text(x, y, text, path_effects=[HALO_STROKE], **under)
    axes.text(x, y, text, **style)
