"""Errors a planner can act on.

Every error raised for bad input or an unreachable service is a :class:`GeoError`;
its message is Dutch and says what is wrong and with which value. The CLI and the app
show the message and never a traceback. Anything else that escapes is a bug.
"""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger(__name__)


class GeoError(Exception):
    """Base class for all errors with a message meant for a planner."""


class InputFileError(GeoError, ValueError):
    """An input file is missing, unreadable, empty or lacks a required column."""


class ConfigError(GeoError, ValueError):
    """A setting has an invalid value."""


class ServiceUnavailableError(GeoError, ConnectionError):
    """An online service (PDOK, Nominatim, ...) could not be reached or answered with an error."""


def unreadable_geofile(path: Path, error: Exception) -> InputFileError:
    """The Dutch error for a file GDAL cannot read; GDAL's own (English) reason goes to the
    log (``-v``), not to the planner."""
    log.debug("GDAL kan %s niet lezen: %s", path.name, error)
    return InputFileError(
        f"{path.name} is geen leesbaar geodatabestand (GeoJSON, GeoPackage of shapefile)"
    )
