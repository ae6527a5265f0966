"""The geocoding chain against recorded PDOK and Nominatim responses (no network)."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from geopy.exc import GeocoderParseError

from geo.address import Address, HouseNumber
from geo.config import Settings
from geo.errors import ServiceUnavailableError
from geo.geocode import (
    GeocodeCache,
    NominatimService,
    PdokService,
    QueryRejectedError,
    address_key,
    geocode_applicants,
)
from geo.intake import two_numbers_remark
from geo.pdok import parse_response
from geo.register import AddressRegister, Location
from tests.conftest import fake_adapter_factory, recorded, write_text

KERKSTRAAT = Address("Kerkstraat", HouseNumber(12, "A"), "6166 AB", "Geleen")
MARKT = Address("Markt", HouseNumber(7), "6161 GE", "Geleen")


def applicants(*addresses: Address, with_point: bool = False) -> pd.DataFrame:
    """Accepted-intake rows for fictitious people at ``addresses``."""
    rows = [
        {
            "row": i + 2,
            "naam": f"Deelnemer {i}",
            "straat": a.street,
            "huisnummer": a.house_number.number,
            "huisletter": a.house_number.letter,
            "toevoeging": a.house_number.addition,
            "postcode": a.postcode,
            "woonplaats": a.place,
            "telefoon": f"+3161234{i:04d}",
            "beheerder": False,
            "lat": 50.0 if with_point else float("nan"),
            "lon": 5.0 if with_point else float("nan"),
        }
        for i, a in enumerate(addresses)
    ]
    return pd.DataFrame(rows)


class CountingService:
    """An online service double: answers from a dict, counts calls, can be 'down'."""

    def __init__(
        self, name: str, answers: dict[str, Location | None], *, down_after: int | None = None
    ):
        self.name = name
        self.answers = answers
        self.down_after = down_after
        self.calls: list[str] = []

    def lookup(self, address: Address) -> Location | None:
        if self.down_after is not None and len(self.calls) >= self.down_after:
            raise ServiceUnavailableError(f"{self.name} niet bereikbaar (GeocoderUnavailable)")
        self.calls.append(address.street)
        return self.answers.get(address.street)


def loc(source: str, lat: float = 50.97, lon: float = 5.82) -> Location:
    return Location(lat=lat, lon=lon, source=source, match="adres")


# --- PDOK Locatieserver -------------------------------------------------------------------


def test_pdok_response_is_parsed_lon_lat_order() -> None:
    location = parse_response(recorded("pdok_free_adres.json"))
    assert location is not None
    assert (location.latitude, location.longitude) == (50.97251, 5.82745)
    assert location.raw["buurtcode"] == "BU18830101"
    assert parse_response(recorded("pdok_free_empty.json")) is None


@pytest.mark.parametrize(
    "page", [{}, {"response": None}, {"response": {"docs": [{"centroide_ll": "POINT(x y)"}]}}]
)
def test_malformed_pdok_response_is_a_parse_error(page: dict[str, Any]) -> None:
    with pytest.raises(GeocoderParseError):
        parse_response(page)


def test_pdok_service_sends_a_type_adres_query_and_keeps_bag_fields(settings: Settings) -> None:
    factory, calls = fake_adapter_factory(lambda path, query: recorded("pdok_free_adres.json"))
    found = PdokService(settings, adapter_factory=factory, error_wait=0).lookup(KERKSTRAAT)
    assert found is not None
    assert (found.lat, found.lon, found.source) == (50.97251, 5.82745, "pdok")
    assert (found.buurtcode, found.wijkcode, found.bag_id, found.score) == (
        "BU18830101",
        "WK188301",
        "1883010000012345",
        17.412,
    )
    path, query, headers = calls[0]
    assert path == "/bzk/locatieserver/search/v3_1/free"
    # with a postcode the search is filtered exactly
    assert query["fq"] == ["type:adres", "postcode:6166AB", "huisnummer:12", "huisletter:A"]
    assert query["q"] == ["Kerkstraat 12A 6166AB Geleen"]
    assert "huis_nlt" in query["fl"][0].split()
    assert headers["User-Agent"] == settings.user_agent


def test_pdok_best_hit_with_another_house_number_is_not_accepted(settings: Settings) -> None:
    factory, _ = fake_adapter_factory(lambda path, query: recorded("pdok_free_other_number.json"))
    assert PdokService(settings, adapter_factory=factory, error_wait=0).lookup(KERKSTRAAT) is None


# item 4: the exact document among several, never a near one

KERKSTRAAT_NO_POSTCODE = Address("Kerkstraat", HouseNumber(12, "A"), "", "Geleen")


@pytest.mark.parametrize("address", [KERKSTRAAT, KERKSTRAAT_NO_POSTCODE])
def test_pdok_finds_12a_when_12_ranks_first(settings: Settings, address: Address) -> None:
    factory, calls = fake_adapter_factory(lambda path, query: recorded("pdok_free_12_and_12a.json"))
    found = PdokService(settings, adapter_factory=factory, error_wait=0).lookup(address)
    assert found is not None and found.bag_id == "1883010000012345"  # row 2, "12A"
    assert int(calls[0][1]["rows"][0]) > 1


def test_pdok_number_without_the_letter_is_not_accepted_for_12a(settings: Settings) -> None:
    factory, _ = fake_adapter_factory(lambda path, query: recorded("pdok_free_only_12.json"))
    service = PdokService(settings, adapter_factory=factory, error_wait=0)
    assert service.lookup(KERKSTRAAT_NO_POSTCODE) is None
    plain = Address("Kerkstraat", HouseNumber(12), "", "Geleen")
    assert service.lookup(plain) is not None  # and "12" does find "12"


def test_pdok_picks_the_matching_toevoeging(settings: Settings) -> None:
    factory, _ = fake_adapter_factory(lambda path, query: recorded("pdok_free_toevoegingen.json"))
    service = PdokService(settings, adapter_factory=factory, error_wait=0)
    second = Address("Kerkstraat", HouseNumber(12, "A", "2"), "6166 AB", "Geleen")
    found = service.lookup(second)
    assert found is not None and found.bag_id == "1883010000012347"
    assert service.lookup(KERKSTRAAT) is None  # 12A without addition is neither 12A-1 nor 12A-2


# item 5: a refused query is no 'not found'


def test_pdok_query_text_is_solr_escaped(settings: Settings) -> None:
    factory, calls = fake_adapter_factory(lambda path, query: recorded("pdok_free_empty.json"))
    odd = Address("Rijksweg (Noord)", HouseNumber(3), "", "Geleen")
    PdokService(settings, adapter_factory=factory, error_wait=0).lookup(odd)
    assert calls[0][1]["q"] == ["Rijksweg \\(Noord\\) 3 Geleen"]


def test_pdok_400_is_not_retried_and_raises_rejected(settings: Settings) -> None:
    factory, calls = fake_adapter_factory(lambda path, query: 400)
    with pytest.raises(QueryRejectedError, match="pdok weigerde de zoekvraag"):
        PdokService(settings, adapter_factory=factory, error_wait=0).lookup(KERKSTRAAT)
    assert len(calls) == 1


def test_a_refused_query_is_not_cached_and_the_next_service_is_asked(
    settings: Settings, tmp_path: Path
) -> None:
    factory, _ = fake_adapter_factory(lambda path, query: 400)
    pdok = PdokService(settings, adapter_factory=factory, error_wait=0)
    nominatim = CountingService("nominatim", {"Markt": loc("nominatim")})
    with GeocodeCache(tmp_path / "cache.sqlite") as cache:
        outcome = geocode_applicants(
            applicants(MARKT, KERKSTRAAT), cache=cache, services=[pdok, nominatim]
        )
        answers = cache.get([address_key(MARKT), address_key(KERKSTRAAT)])
    assert outcome.located["geocode_source"].to_list() == ["nominatim"]
    assert nominatim.calls == ["Markt", "Kerkstraat"]  # pdok was not written off for the batch
    assert "pdok" not in answers.get(address_key(KERKSTRAAT), {})  # no poisoned 'not found'
    assert "pdok weigerde" in outcome.pending.loc[0, "reason"]  # a re-run asks again


def test_pdok_url_follows_the_settings(settings: Settings) -> None:
    factory, calls = fake_adapter_factory(lambda path, query: recorded("pdok_free_adres.json"))
    mirror = replace(settings, pdok_url="https://pdok.gemeente.example/spiegel")
    PdokService(mirror, adapter_factory=factory, error_wait=0).lookup(KERKSTRAAT)
    assert calls[0][0] == "/spiegel/bzk/locatieserver/search/v3_1/free"


def test_pdok_server_error_after_retries_means_unavailable(settings: Settings) -> None:
    factory, calls = fake_adapter_factory(lambda path, query: 503)
    with pytest.raises(ServiceUnavailableError, match="pdok niet bereikbaar"):
        PdokService(settings, adapter_factory=factory, error_wait=0).lookup(KERKSTRAAT)
    assert len(calls) == 3  # first try and two retries by geopy's RateLimiter


# --- Nominatim ----------------------------------------------------------------------------


def test_nominatim_structured_query_and_house_level_hit(settings: Settings) -> None:
    factory, calls = fake_adapter_factory(
        lambda path, query: recorded("nominatim_search_house.json")
    )
    found = NominatimService(settings, adapter_factory=factory, error_wait=0).lookup(MARKT)
    assert found is not None
    assert (found.lat, found.lon, found.source) == (50.97312, 5.82814, "nominatim")
    _, query, headers = calls[0]
    assert query["street"] == ["7 Markt"]
    assert query["postalcode"] == ["6161 GE"]
    assert query["countrycodes"] == ["nl,be,de"]
    assert headers["User-Agent"] == settings.user_agent


def test_nominatim_street_without_house_number_is_no_hit(settings: Settings) -> None:
    factory, _ = fake_adapter_factory(lambda path, query: recorded("nominatim_search_street.json"))
    assert NominatimService(settings, adapter_factory=factory, error_wait=0).lookup(MARKT) is None


# item 8: Nominatim's usage policy and exact hits


def _house(number: str, postcode: str = "6161 GE") -> list[dict[str, Any]]:
    page: list[dict[str, Any]] = recorded("nominatim_search_house.json")
    page[0]["address"].update(house_number=number, postcode=postcode)
    return page


@pytest.mark.parametrize(
    ("number", "hit"), [("7", True), ("7;9", True), ("70", False), ("71", False), ("17", False)]
)
def test_nominatim_house_number_must_be_exact(settings: Settings, number: str, hit: bool) -> None:
    factory, _ = fake_adapter_factory(lambda path, query: _house(number))
    found = NominatimService(settings, adapter_factory=factory, error_wait=0).lookup(MARKT)
    assert (found is not None) == hit


def test_nominatim_other_postcode_is_no_hit(settings: Settings) -> None:
    factory, _ = fake_adapter_factory(lambda path, query: _house("7", "6162 AA"))
    assert NominatimService(settings, adapter_factory=factory, error_wait=0).lookup(MARKT) is None


def test_nominatim_server_and_contact_come_from_the_settings(settings: Settings) -> None:
    factory, calls = fake_adapter_factory(lambda path, query: _house("7"))
    own = replace(
        settings,
        nominatim_url="http://nominatim.gemeente.example/osm",
        contact_email="wijkplatform@example.org",
    )
    NominatimService(own, adapter_factory=factory, error_wait=0).lookup(MARKT)
    path, query, headers = calls[0]
    assert path == "/osm/search"
    assert query["email"] == ["wijkplatform@example.org"]
    assert "wijkplatform@example.org" in headers["User-Agent"]


def test_one_nominatim_rate_limit_for_the_whole_application(settings: Settings) -> None:
    stamps: list[float] = []

    def answer(path: str, query: Any) -> Any:
        stamps.append(time.monotonic())
        return _house("7")

    factory, _ = fake_adapter_factory(answer)
    slow = replace(settings, nominatim_url="https://rate.example", nominatim_min_delay=0.3)
    first = NominatimService(slow, adapter_factory=factory, error_wait=0)
    second = NominatimService(slow, adapter_factory=factory, error_wait=0)  # another app session
    first.lookup(MARKT)
    second.lookup(MARKT)
    assert stamps[1] - stamps[0] >= 0.29


# --- the chain ----------------------------------------------------------------------------


def test_register_hit_needs_no_service_and_wins_over_the_cache(tmp_path: Path) -> None:
    register = AddressRegister.from_file(
        write_text(
            tmp_path / "bag.csv",
            "straat,huisnummer,huisletter,postcode,woonplaats,lat,lon\nKerkstraat,12,A,6166AB,Geleen,50.1,5.1\n",
        )
    )
    service = CountingService("pdok", {})
    with GeocodeCache(tmp_path / "cache.sqlite") as cache:
        cache.put(
            [(address_key(KERKSTRAAT), "pdok", loc("pdok", 51.0, 6.0))]
        )  # an older online answer
        outcome = geocode_applicants(
            applicants(KERKSTRAAT), register=register, cache=cache, services=[service]
        )
        assert service.calls == []
        assert outcome.located.loc[0, "geocode_source"] == "register"
        assert outcome.located.loc[0, "lat"] == 50.1
        assert "register" not in cache.get([address_key(KERKSTRAAT)])[address_key(KERKSTRAAT)]


def test_the_register_tells_a_floor_from_a_street_number(tmp_path: Path) -> None:
    """Review 53: "Kerkstraat 12 2, 6166 AB" was read as street "Kerkstraat 12", number 2,
    and the register placed the member at Kerkstraat 2 by postcode and number: the wrong
    house, as an exact match. The register knows a Kerkstraat and no "Kerkstraat 12": it is
    Kerkstraat 12-2 (or 12 where the floor is not in the register). Urk's "Wijk 2 12" stays."""
    register = AddressRegister.from_file(
        write_text(
            tmp_path / "bag.csv",
            "straat,huisnummer,toevoeging,postcode,woonplaats,lat,lon\n"
            "Kerkstraat,2,,6166AB,Geleen,50.10,5.10\n"
            "Kerkstraat,3,,6166AB,Geleen,50.11,5.11\n"
            "Kerkstraat,12,,6166AB,Geleen,50.20,5.20\n"
            "Kerkstraat,12,2,6166AB,Geleen,50.22,5.22\n"
            "Wijk 2,12,,8321AB,Urk,52.60,5.60\n"
            "Wijk 12,2,,8321AC,Urk,52.70,5.70\n",
        )
    )
    floor = Address("Kerkstraat 12", HouseNumber(2), "6166 AB", "Geleen")
    unknown_floor = Address("Kerkstraat 12", HouseNumber(3), "6166 AB", "Geleen")
    urk = Address("Wijk 2", HouseNumber(12), "8321 AB", "Urk")
    rows = applicants(floor, unknown_floor, urk)
    rows["opmerking"] = [two_numbers_remark(a) for a in (floor, unknown_floor, urk)]
    located = geocode_applicants(rows, register=register).located.set_index("row")
    assert located.loc[2, ["lat", "straat", "huisnummer", "toevoeging"]].tolist() == [
        50.22, "Kerkstraat", 12, "2",
    ]  # fmt: skip
    assert located.loc[2, "opmerking"] == (
        "adres gelezen als Kerkstraat 12-2: het adresregister kent geen straat 'Kerkstraat 12'"
    )
    assert located.loc[3, ["lat", "geocode_match"]].tolist() == [50.20, "postcode+nummer"]
    assert located.loc[4, ["lat", "straat", "huisnummer"]].tolist() == [52.60, "Wijk 2", 12]
    assert located.loc[4, "opmerking"].startswith("controleren: gelezen als straat 'Wijk 2'")


def test_cache_hit_means_no_lookup_at_all(tmp_path: Path) -> None:
    with GeocodeCache(tmp_path / "cache.sqlite") as cache:
        cache.put([(address_key(MARKT), "nominatim", loc("nominatim", 50.5, 5.5))])
    service = CountingService("pdok", {})
    with GeocodeCache(tmp_path / "cache.sqlite") as cache:  # a new connection: persisted on disk
        outcome = geocode_applicants(applicants(MARKT, MARKT), cache=cache, services=[service])
    assert service.calls == []
    assert outcome.located["lat"].to_list() == [50.5, 50.5]


def test_same_address_is_looked_up_once(tmp_path: Path) -> None:
    service = CountingService("pdok", {"Markt": loc("pdok")})
    geocode_applicants(applicants(MARKT, MARKT, MARKT), services=[service])
    assert service.calls == ["Markt"]


def test_first_hit_wins_and_not_found_is_remembered(tmp_path: Path) -> None:
    pdok = CountingService("pdok", {"Markt": None})
    nominatim = CountingService("nominatim", {"Markt": loc("nominatim")})
    with GeocodeCache(tmp_path / "cache.sqlite") as cache:
        outcome = geocode_applicants(
            applicants(MARKT, KERKSTRAAT), cache=cache, services=[pdok, nominatim]
        )
        assert outcome.located["geocode_source"].to_list() == ["nominatim"]
        reason = outcome.not_found.loc[0, "reason"]
        assert reason.startswith(
            "adres niet gevonden: Kerkstraat 12A, 6166 AB Geleen (gezocht in: pdok, nominatim)"
        )
        assert outcome.pending.empty
        geocode_applicants(applicants(MARKT, KERKSTRAAT), cache=cache, services=[pdok, nominatim])
    assert pdok.calls == ["Markt", "Kerkstraat"]  # the re-run asked nobody again
    assert nominatim.calls == ["Markt", "Kerkstraat"]


def test_service_down_mid_batch_keeps_finished_rows_and_resumes(tmp_path: Path) -> None:
    streets = [f"Straat {i}" for i in range(6)]
    addresses = [Address(s, HouseNumber(1), "6166 AB", "Geleen") for s in streets]
    answers = {s: loc("pdok", 50 + i / 100) for i, s in enumerate(streets)}
    flaky = CountingService("pdok", answers, down_after=2)
    with GeocodeCache(tmp_path / "cache.sqlite") as cache:
        first = geocode_applicants(applicants(*addresses), cache=cache, services=[flaky])
    assert len(first.located) == 2
    assert len(first.pending) == 4
    assert "pdok niet bereikbaar" in first.pending.loc[0, "reason"]
    assert flaky.calls == streets[:2]  # after the failure the service is not hammered

    healthy = CountingService("pdok", answers)
    with GeocodeCache(tmp_path / "cache.sqlite") as cache:
        second = geocode_applicants(applicants(*addresses), cache=cache, services=[healthy])
    assert healthy.calls == streets[2:]  # only what was pending
    assert second.located["lat"].to_list() == [pytest.approx(50 + i / 100) for i in range(6)]


def test_offline_without_register_leaves_rows_pending_with_a_reason() -> None:
    outcome = geocode_applicants(applicants(MARKT))
    assert outcome.located.empty
    assert "online zoeken staat uit" in outcome.pending.loc[0, "reason"]


def test_rows_with_coordinates_are_not_geocoded() -> None:
    service = CountingService("pdok", {})
    outcome = geocode_applicants(applicants(MARKT, with_point=True), services=[service])
    assert service.calls == []
    assert outcome.located.loc[0, "geocode_source"] == "invoer"


def test_cache_stores_no_names(tmp_path: Path) -> None:
    service = CountingService("pdok", {"Markt": loc("pdok")})
    with GeocodeCache(tmp_path / "cache.sqlite") as cache:
        geocode_applicants(applicants(MARKT), cache=cache, services=[service])
    content = (tmp_path / "cache.sqlite").read_bytes() + b"".join(
        p.read_bytes() for p in tmp_path.glob("cache.sqlite-*")
    )
    assert b"Deelnemer" not in content
    assert b"+31612" not in content
