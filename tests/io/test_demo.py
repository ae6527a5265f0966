"""The embedded demo wijk: real Helsinki streets and addresses, fictitious applicants."""

from __future__ import annotations

import phonenumbers
import pytest

from geo.demo import demo_applicants, demo_wijk
from geo.sources import Wijk
from geo.workflow import register_from_points
from tests.demo_members import located_demo_members

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wijk() -> Wijk:
    return demo_wijk()


def test_demo_wijk_is_real_geography(wijk: Wijk) -> None:
    area = wijk.boundary.to_crs(wijk.crs).area.iloc[0]
    assert 0.8e6 < area < 2.5e6  # about a square kilometre of central Helsinki
    assert wijk.crs == "EPSG:32635"
    boundary = wijk.boundary.geometry.iloc[0]
    assert wijk.addresses.within(boundary).all()
    assert len(wijk.addresses) > 300
    crossing = wijk.streets.loc[wijk.streets.crosses(boundary.exterior)]
    assert len(crossing) > 20  # roads enter the wijk: there are entrances for signs
    assert {"primary", "residential", "footway"} <= set(wijk.streets["highway"])


def test_demo_applicants_are_reproducible_and_fictitious(wijk: Wijk) -> None:
    register = register_from_points(wijk.addresses)
    first = demo_applicants(register, count=400, seed=5)
    again = demo_applicants(register, count=400, seed=5)
    other = demo_applicants(register, count=400, seed=6)
    assert first.equals(again)
    assert not first.equals(other)
    valid = [p for p in first["Telefoon"] if p != "06-123"]
    assert all(phonenumbers.is_valid_number(phonenumbers.parse(p, "NL")) for p in valid)
    streets = set(register["straat"])
    assert all(a.rsplit(" ", 1)[0] in streets for a in first["Adres"] if a)
    full = demo_applicants(register, count=1500)
    per_address = full["Adres"].str.replace(r"-\d+$", "", regex=True).value_counts()
    assert per_address.max() >= 8  # apartment buildings hold several sign-ups
    assert (per_address >= 2).sum() > 200


def test_plan_on_the_real_helsinki_streets(wijk: Wijk) -> None:
    import shapely

    from geo.partition import make_plan

    members = located_demo_members(wijk, count=1500, seed=11)
    boundary = wijk.boundary.to_crs(wijk.crs).geometry.iloc[0]
    plan = make_plan(
        boundary,
        wijk.streets.to_crs(wijk.crs),
        members,
        wijk.addresses.to_crs(wijk.crs),
        max_members=255,
    )
    metrics = plan.metrics
    assert metrics["areas"] == 8 and metrics["all_under_cap"]
    assert metrics["contiguous_areas"] == 8
    assert metrics["max_deviation_from_mean_pct"] <= 5.0
    assert metrics["gap_m2"] < 1.0 and abs(metrics["overlap_m2"]) < 1.0
    assert (
        shapely.union_all(plan.areas.geometry.to_numpy()).symmetric_difference(boundary).area < 1.0
    )
    assert plan.areas["households"].sum() == len(wijk.addresses)
    assert all(plan.areas["neighbours"] != "")
