"""Settings, built once from the environment and passed explicitly."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from geo.errors import ConfigError

DEFAULT_USER_AGENT = "buurtpreventie-planner/0.1 (wijkplatform Oud-Geleen)"


def _default_cache_dir(environ: Mapping[str, str]) -> Path:
    base = environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "buurtpreventie"


@dataclass(frozen=True)
class Settings:
    """All tunable settings of the planner.

    Parameters
    ----------
    max_members
        Members per WhatsApp group, beheerder included (a group holds at most 256).
    fill
        Target fill of a fresh plan as a fraction of ``max_members`` (room to grow).
    cache_dir
        Where the geocoding cache and downloaded wijk data are kept.
    user_agent
        Sent to every online service, as their usage policies require.
    phone_regions
        Countries whose phone numbers are accepted (Geleen borders Belgium and Germany).
    nominatim_min_delay
        Seconds between Nominatim requests (its policy: at most one per second).
    pdok_min_delay
        Seconds between PDOK Locatieserver requests.
    http_timeout
        Seconds before an online request is abandoned.
    metric_crs
        CRS for metric work (RD New inside the Netherlands).
    """

    max_members: int = 255
    fill: float = 0.8
    cache_dir: Path = field(default_factory=lambda: _default_cache_dir(os.environ))
    user_agent: str = DEFAULT_USER_AGENT
    phone_regions: tuple[str, ...] = ("NL", "BE", "DE")
    nominatim_min_delay: float = 1.0
    pdok_min_delay: float = 0.1
    http_timeout: float = 10.0
    metric_crs: str = "EPSG:28992"

    def __post_init__(self) -> None:
        if self.max_members < 1:
            msg = f"max_members moet minstens 1 zijn, niet {self.max_members!r}"
            raise ConfigError(msg)
        if not 0 < self.fill <= 1:
            msg = f"fill moet tussen 0 en 1 liggen, niet {self.fill!r}"
            raise ConfigError(msg)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``GEO_*`` environment variables (unset ones keep defaults)."""
        env = os.environ if environ is None else environ
        kwargs: dict[str, object] = {"cache_dir": _default_cache_dir(env)}
        if "GEO_CACHE_DIR" in env:
            kwargs["cache_dir"] = Path(env["GEO_CACHE_DIR"])
        if "GEO_USER_AGENT" in env:
            kwargs["user_agent"] = env["GEO_USER_AGENT"]
        if "GEO_PHONE_REGIONS" in env:
            regions = (r.strip().upper() for r in env["GEO_PHONE_REGIONS"].split(","))
            kwargs["phone_regions"] = tuple(r for r in regions if r)
        for name, convert in (("max_members", int), ("fill", float)):
            key = f"GEO_{name.upper()}"
            if key in env:
                try:
                    kwargs[name] = convert(env[key])
                except ValueError:
                    msg = f"{key} heeft een ongeldige waarde: {env[key]!r}"
                    raise ConfigError(msg) from None
        return cls(**kwargs)  # type: ignore[arg-type]
