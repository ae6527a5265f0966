"""Settings, built once from the environment and passed explicitly."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import phonenumbers

from geo.errors import ConfigError
from geo.wording import decimal

DEFAULT_USER_AGENT = "buurtpreventie-planner/0.1 (wijkplatform Oud-Geleen)"
WHATSAPP_GROUP_SIZE = 256  # WhatsApp's limit per group, everyone included
MAX_MEMBERS = WHATSAPP_GROUP_SIZE - 1  # the largest cap a plan may use: always below the limit
DEFAULT_CBS_YEAR = 2025
DEFAULT_PDOK_URL = "https://api.pdok.nl"
DEFAULT_NOMINATIM_URL = "https://nominatim.openstreetmap.org"
DEFAULT_OVERPASS_URL = "https://overpass-api.de/api"
_SERVICE_URLS = {
    "GEO_PDOK_URL": "pdok_url",
    "GEO_NOMINATIM_URL": "nominatim_url",
    "GEO_OVERPASS_URL": "overpass_url",
}


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
    cbs_year
        Jaargang of CBS wijken en buurten (the newest by default; a missing one falls back a year).
    pdok_url, nominatim_url, overpass_url
        Base URLs of the online services (a municipality's own mirror may replace them).
    contact_email
        Sent to Nominatim and in the user agent, as its usage policy asks.
    platform_email
        The wijkplatform's address for sign-ups (``GEO_PLATFORM_EMAIL``): the recruitment
        flyers' QR code opens a pre-filled e-mail to it.
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
    cbs_year: int = DEFAULT_CBS_YEAR
    pdok_url: str = DEFAULT_PDOK_URL
    nominatim_url: str = DEFAULT_NOMINATIM_URL
    overpass_url: str = DEFAULT_OVERPASS_URL
    contact_email: str = ""
    platform_email: str = ""

    def __post_init__(self) -> None:
        if self.max_members < 1:
            msg = (
                "het maximum aantal leden per groep (--max-members of GEO_MAX_MEMBERS) moet "
                f"minstens 1 zijn, niet {self.max_members!r}"
            )
            raise ConfigError(msg)
        if self.max_members > MAX_MEMBERS:
            msg = (
                f"een WhatsApp-groep heeft plaats voor {WHATSAPP_GROUP_SIZE} deelnemers; het "
                f"maximum per gebied is {MAX_MEMBERS}, niet {self.max_members}"
            )
            raise ConfigError(msg)
        unknown = [r for r in self.phone_regions if r not in phonenumbers.SUPPORTED_REGIONS]
        if not self.phone_regions or unknown:
            msg = "GEO_PHONE_REGIONS moet landcodes noemen zoals 'NL,BE,DE'" + (
                f"; onbekend: {', '.join(unknown)}" if unknown else "; er staat er geen"
            )
            raise ConfigError(msg)
        if not 0 < self.fill <= 1:
            msg = (
                "de vulgraad (--fill of GEO_FILL) moet boven 0 en hoogstens 1 zijn, niet "
                f"{decimal(self.fill, 6)}"
            )
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
        for key, name in _SERVICE_URLS.items():
            if env.get(key):
                kwargs[name] = env[key].rstrip("/")
        if "GEO_CONTACT_EMAIL" in env:
            kwargs["contact_email"] = env["GEO_CONTACT_EMAIL"].strip()
        if "GEO_PLATFORM_EMAIL" in env:
            kwargs["platform_email"] = env["GEO_PLATFORM_EMAIL"].strip()
        if "GEO_CBS_YEAR" in env:
            try:
                kwargs["cbs_year"] = int(env["GEO_CBS_YEAR"])
            except ValueError:
                msg = f"GEO_CBS_YEAR heeft een ongeldige waarde: {env['GEO_CBS_YEAR']!r}"
                raise ConfigError(msg) from None
        if "GEO_PHONE_REGIONS" in env:
            regions = (r.strip().upper() for r in env["GEO_PHONE_REGIONS"].split(","))
            kwargs["phone_regions"] = tuple(r for r in regions if r)
        for name, convert in (("max_members", int), ("fill", float)):
            key = f"GEO_{name.upper()}"
            if key in env:
                try:
                    kwargs[name] = convert(env[key].strip().replace(",", "."))  # "0,8" too
                except ValueError:
                    msg = f"{key} heeft een ongeldige waarde: {env[key]!r}"
                    raise ConfigError(msg) from None
        return cls(**kwargs)  # type: ignore[arg-type]
