"""Choosing a layer of a multi-layer geodata file (a wijk GeoPackage) by its name."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from geo.errors import InputFileError


def layer_named(layers: Sequence[str], name: str) -> str | None:
    """The layer called ``name`` among ``layers``: that exact name, else the first in any case
    (``Addresses``, ``STREETS``: GDAL opens a GeoPackage layer so too); ``None`` if none."""
    if name in layers:
        return name
    folded = name.casefold()
    return next((layer for layer in layers if layer.casefold() == folded), None)


def chosen_layer(path: Path, layers: Sequence[str], name: str) -> str | None:
    """The layer of ``path`` to read for ``name``: the one so called, else ``None`` for a file
    of one layer (read that); a file of several layers without it is refused."""
    chosen = layer_named(layers, name)
    if chosen is None and len(layers) > 1:
        msg = f"{path.name} heeft meerdere lagen ({', '.join(layers)}) en geen laag '{name}'"
        raise InputFileError(msg)
    return chosen
