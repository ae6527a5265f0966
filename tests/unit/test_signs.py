"""Sign placement on hand-made entrances: what counts, what merges, where the sign stands."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely import LineString, Point, box

from geo.signs import _nearest_along_streets, clip_lines, find_signs, signs_per_area, without_counts
from tests.grids import RD

WIJK = box(0, 0, 1000, 1000)


def streets(*rows: dict[str, object]) -> gpd.GeoDataFrame:
    """Street lines with OSM-like attributes (missing ones empty)."""
    table = [
        {
            "name": "",
            "highway": "residential",
            "access": "",
            "junction": "",
            "oneway": "",
            **row,
        }
        for row in rows
    ]
    return gpd.GeoDataFrame(table, geometry="geometry", crs=RD)


def assert_placed_well(signs: gpd.GeoDataFrame, boundary=WIJK) -> None:  # type: ignore[no-untyped-def]
    assert signs.within(boundary).all(), "every sign stands inside the wijk"
    assert (signs.distance(boundary.exterior) <= 25).all(), "and near its edge"


def test_a_road_through_the_wijk_is_two_entrances_facing_the_traffic() -> None:
    road = streets({"name": "Rijksweg", "geometry": LineString([(-100, 500), (1100, 500)])})
    signs = find_signs(WIJK, road)
    assert len(signs) == 2
    assert sorted(signs["bearing_deg"]) == [90.0, 270.0]  # eastbound at the west, westbound east
    assert set(signs["street"]) == {"Rijksweg"}
    assert_placed_well(signs)
    west = signs.loc[signs["bearing_deg"] == 90.0].geometry.iloc[0]
    assert west.x == pytest.approx(10.0) and west.y == pytest.approx(500.0)


def test_a_road_clipping_a_corner_twice_is_one_entrance() -> None:
    road = streets({"geometry": LineString([(-50, 30), (30, -50)])})
    signs = find_signs(WIJK, road)  # enters at (0, -20)… leaves 28 m further: one entrance
    assert len(signs) <= 1
    assert_placed_well(signs)


def test_a_dual_carriageway_is_one_entrance_on_the_incoming_lane() -> None:
    lanes = streets(
        {"name": "Kerkweg", "highway": "secondary", "oneway": "yes",
         "geometry": LineString([(-100, 500), (400, 500)])},
        {"name": "Kerkweg", "highway": "secondary", "oneway": "yes",
         "geometry": LineString([(400, 518), (-100, 518)])},
    )  # fmt: skip
    signs = find_signs(WIJK, lanes)
    assert len(signs) == 1
    assert signs.geometry.iloc[0].y == pytest.approx(500.0), "on the lane that comes in"
    assert signs["bearing_deg"].iloc[0] == 90.0


def test_a_roundabout_on_the_edge_is_one_entrance() -> None:
    ring = Point(0, 500).buffer(25, quad_segs=16).exterior
    roads = streets(
        {"name": "Rotonde", "junction": "roundabout", "highway": "tertiary", "geometry": ring},
        {"name": "Steenweg", "highway": "tertiary", "geometry": LineString([(-200, 500), (-25, 500)])},
        {"name": "Dorpsstraat", "highway": "tertiary", "geometry": LineString([(25, 500), (400, 500)])},
    )  # fmt: skip
    signs = find_signs(WIJK, roads)
    assert len(signs) == 1
    assert_placed_well(signs)


def test_roads_along_or_outside_the_boundary_and_motorways_are_no_entrances() -> None:
    roads = streets(
        {"name": "Grensweg", "geometry": LineString([(-5, 0), (-5, 1000)])},  # just outside
        {"name": "Randweg", "geometry": LineString([(1000, 100), (1000, 900)])},  # on the edge
        {"name": "Doodlopend", "geometry": LineString([(-100, 700), (-3, 700)])},  # dead end
        {"name": "A2", "highway": "motorway", "geometry": LineString([(-100, 300), (1100, 300)])},
        {"name": "N276", "highway": "trunk", "geometry": LineString([(300, -100), (300, 1100)])},
    )
    assert find_signs(WIJK, roads).empty


def test_a_trunk_road_with_a_junction_inside_is_an_entrance() -> None:
    roads = streets(
        {"name": "N276", "highway": "trunk",
         "geometry": LineString([(300, -100), (300, 500), (300, 1100)])},
        {"name": "Kerkstraat", "geometry": LineString([(300, 500), (700, 500)])},
    )  # fmt: skip
    signs = find_signs(WIJK, roads)
    assert len(signs) == 2 and set(signs["street"]) == {"N276"}


def test_paths_are_minor_and_private_or_service_roads_are_left_out() -> None:
    roads = streets(
        {"name": "Molenpad", "highway": "footway", "geometry": LineString([(500, -50), (500, 300)])},
        {"name": "Hoofdstraat", "geometry": LineString([(-50, 200), (300, 200)])},
        {"name": "Oprit", "highway": "service", "geometry": LineString([(-50, 800), (300, 800)])},
        {"name": "Privéweg", "access": "private", "geometry": LineString([(-50, 900), (300, 900)])},
    )  # fmt: skip
    signs = find_signs(WIJK, roads)
    assert list(signs["street"]) == ["Hoofdstraat", "Molenpad"], "main entrances rank first"
    assert list(signs["kind"]) == ["main", "minor"]
    assert list(signs["rank"]) == [1, 2]


def test_plain_lines_without_attributes_all_count() -> None:
    lines = gpd.GeoDataFrame(
        geometry=[LineString([(-50, 200), (1050, 200)]), LineString([(600, -50), (600, 400)])],
        crs=RD,
    )
    signs = find_signs(WIJK, lines)
    assert len(signs) == 3
    assert (signs["kind"] == "main").all()
    assert_placed_well(signs)


def test_entrances_rank_by_the_homes_they_lead_to() -> None:
    roads = streets(
        {"name": "Westweg", "geometry": LineString([(-100, 200), (500, 200)])},
        {"name": "Oostweg", "geometry": LineString([(1100, 800), (500, 800)])},
    )
    xs = np.linspace(100, 450, 30)
    homes = gpd.GeoDataFrame(
        geometry=[Point(x, 212) for x in xs] + [Point(x, 788) for x in (600, 650, 700)], crs=RD
    )
    signs = find_signs(WIJK, roads, homes)
    assert list(signs["street"]) == ["Westweg", "Oostweg"]
    assert list(signs["homes"]) == [30, 3]
    assert "leidt naar 30 adressen" in signs["reason"].iloc[0]


def test_members_rank_the_signs_but_their_counts_stay_out() -> None:
    roads = streets(
        {"name": "Westweg", "geometry": LineString([(-100, 200), (500, 200)])},
        {"name": "Oostweg", "geometry": LineString([(1100, 800), (500, 800)])},
    )
    members = gpd.GeoDataFrame(
        geometry=[Point(x, 788) for x in np.linspace(600, 900, 12)] + [Point(300, 212)], crs=RD
    )
    counted = find_signs(WIJK, roads, members)
    hidden = find_signs(WIJK, roads, members, show_counts=False)
    assert list(hidden["street"]) == list(counted["street"]) == ["Oostweg", "Westweg"]
    assert hidden["homes"].isna().all()
    assert not hidden["reason"].str.contains("leidt naar").any()
    assert list(hidden.drop(columns=["homes", "reason"]).columns) == list(
        counted.drop(columns=["homes", "reason"]).columns
    )
    assert "leidt naar 12 adressen" in counted["reason"].iloc[0]
    later = without_counts(counted)  # signs written with their counts, made public later
    assert later["homes"].isna().all() and list(later["reason"]) == list(hidden["reason"])


def test_an_entrance_to_one_home_reads_in_the_singular() -> None:
    road = streets({"name": "Westweg", "geometry": LineString([(-100, 200), (500, 200)])})
    home = gpd.GeoDataFrame(geometry=[Point(300, 212)], crs=RD)
    signs = find_signs(WIJK, road, home)
    assert list(signs["homes"]) == [1]
    assert signs["reason"].iloc[0].endswith("; leidt naar 1 adres"), signs["reason"].iloc[0]


def test_signs_per_area_include_entrances_from_the_neighbouring_area() -> None:
    areas = gpd.GeoDataFrame(
        {"area_id": [1, 2]}, geometry=[box(0, 0, 500, 1000), box(500, 0, 1000, 1000)], crs=RD
    )
    road = streets({"name": "Rijksweg", "geometry": LineString([(-100, 500), (1100, 500)])})
    signs = signs_per_area(areas, road)
    assert sorted(signs.groupby("area_id").size().to_list()) == [2, 2]
    assert signs["sign_id"].is_unique
    for area_id, polygon in zip(areas["area_id"], areas.geometry, strict=True):
        assert_placed_well(signs.loc[signs["area_id"] == area_id], polygon)


def test_no_streets_crossing_means_no_signs() -> None:
    inner = streets({"geometry": LineString([(100, 100), (900, 100)])})
    signs = find_signs(WIJK, inner)
    assert signs.empty and {"sign_id", "rank", "bearing_deg", "reason"} <= set(signs.columns)


def test_lines_clipped_to_a_polygon_are_what_the_overlay_gives() -> None:
    """Lines kept whole (well inside) and lines overlaid give the very geometries of
    ``shapely.intersection``, coordinate for coordinate, in every kind of case."""
    polygon = box(0, 0, 100, 100).difference(box(40, 40, 60, 60))  # with a hole
    rng = np.random.default_rng(7)
    starts = rng.uniform(-20, 120, size=(300, 2))
    lines = [LineString([start, start + rng.uniform(-30, 30, 2)]) for start in starts]
    lines += [
        LineString([(10, 10), (20, 10), (20, 20)]),  # inside
        LineString([(10, 10), (10, 10), (20, 10)]),  # a repeated point
        LineString([(10, 10), (30, 30), (30, 10), (10, 30)]),  # crosses itself
        LineString([(10, 10), (20, 10), (20, 20), (10, 10)]),  # closed
        LineString([(0, 10), (20, 10)]),  # touches the edge
        LineString([(10, 50), (90, 50)]),  # through the hole
        LineString([(5, 5, 1), (15, 5, 2)]),  # with heights
        shapely.MultiLineString([[(10, 10), (20, 10)], [(20, 10), (30, 10)]]),
        LineString([(200, 200), (210, 210)]),  # outside
        None,
        LineString(),
    ]
    shapes = np.array(lines, dtype=object)
    meets, cut = clip_lines(shapes, polygon)
    expected = shapely.intersects(shapes, polygon)
    assert meets.tolist() == expected.tolist()
    overlaid = shapely.intersection(shapes[expected], polygon)
    assert shapely.to_wkb(cut).tolist() == shapely.to_wkb(overlaid).tolist()
    assert not shapely.is_prepared(polygon)  # the caller's polygon is left as it was


def nearest(lines: list[LineString], signs: list[Point], homes: list[Point]) -> list[int]:
    """Per home, the index of the nearest sign along ``lines`` (-1: none)."""
    network = gpd.GeoDataFrame({"highway": ["residential"] * len(lines)}, geometry=lines, crs=RD)
    points = (np.array(signs, dtype=object), np.array(homes, dtype=object))
    return _nearest_along_streets(network, *points).tolist()  # type: ignore[no-any-return]


def test_a_home_goes_to_the_sign_nearer_along_the_streets_not_as_the_crow_flies() -> None:
    lines = [
        LineString([(0, 0), (200, 0)]),
        LineString([(0, 20), (200, 20)]),  # parallel, joined to the first only at the far end
        LineString([(200, 0), (200, 20)]),
        LineString([(0, 100), (50, 100)]),  # a street on its own
    ]
    signs = [Point(0, 0), Point(200, 10)]
    homes = [Point(10, 18), Point(10, 2), Point(20, 101)]
    # (10, 18) is 18 m from sign 0 as the crow flies but some 400 m along the streets
    assert nearest(lines, signs, homes) == [1, 0, -1]


def test_a_tie_goes_to_the_lower_sign_index() -> None:
    lines = [LineString([(0, 0), (50, 0), (100, 0)]), LineString([(50, 0), (50, 40)])]
    homes = [Point(50, 30), Point(50, 10), Point(50, 0)]  # each as far from both ends
    assert nearest(lines, [Point(0, 0), Point(100, 0)], homes) == [0, 0, 0]
    assert nearest(lines, [Point(100, 0), Point(0, 0)], homes) == [0, 0, 0]


def test_of_parallel_segments_the_shorter_counts() -> None:
    lines = [
        LineString([(-50, 0), (0, 0)]),
        LineString([(0, 0), (100, 0)]),  # 100 m straight…
        LineString([(0, 0), (50, 50), (100, 0)]),  # …and 141 m round between the same ends
        LineString([(100, 0), (400, 0)]),
        LineString([(100, 0), (100, -200)]),
    ]
    signs = [Point(-40, 0), Point(100, -170)]
    # home: 171 m from sign 0 straight, 212 m round (241 m if both counted), 201 m from sign 1
    assert nearest(lines, signs, [Point(130, 1)]) == [0]
    assert nearest(lines[:2] + lines[3:], signs, [Point(130, 1)]) == [0]
    assert nearest(lines[:1] + lines[2:], signs, [Point(130, 1)]) == [1]


def test_a_sign_on_a_junction_is_joined_to_it() -> None:
    lines = [
        LineString([(0, 0), (100, 0)]),
        LineString([(0, 0), (0, 100)]),
        LineString([(0, 100), (0, 300)]),
    ]
    # sign 1 stands on the junction at (0, 0), nought metres from it: 50 m from the home
    # against 150 m from sign 0 (and as far, or farther, were that edge left out)
    assert nearest(lines, [Point(0, 200), Point(0, 0)], [Point(0, 50)]) == [1]


def test_a_sign_on_a_loop_street_counts_the_short_way_round() -> None:
    lines = [
        LineString([(-100, 0), (0, 0)]),
        LineString([(0, 0), (0, -10), (200, -10), (200, 10), (0, 10), (0, 0)]),  # a loop
    ]
    signs = [Point(1, -8), Point(-80, 0)]  # sign 0: 8 m from the junction, 412 m the other way
    # the home is 30 m from the junction: 39 m from sign 0 the short way, 51 m from sign 1
    assert nearest(lines, signs, [Point(-30, 1)]) == [0]


def test_signs_per_area_are_those_of_each_area_on_its_own() -> None:
    """The streets are prepared once for all areas: each area still gets what it would alone,
    the trunk rule and the home counts included."""
    areas = gpd.GeoDataFrame(
        {"area_id": [1, 2]}, geometry=[box(0, 0, 500, 1000), box(500, 0, 1000, 1000)], crs=RD
    )
    roads = streets(
        {"name": "N276", "highway": "trunk",
         "geometry": LineString([(-100, 300), (250, 300), (1100, 300)])},
        {"name": "Kerkstraat", "geometry": LineString([(250, 300), (250, 800)])},
        {"name": "Rijksweg", "geometry": LineString([(-100, 600), (1100, 600)])},
        {"name": "Molenpad", "highway": "footway",
         "geometry": shapely.MultiLineString([[(700, -50), (700, 200)], [(800, -50), (800, 200)]])},
    )  # fmt: skip
    homes = gpd.GeoDataFrame(
        geometry=[Point(x, 605) for x in range(20, 1000, 40)] + [Point(255, 500), Point(702, 50)],
        crs=RD,
    )
    together = signs_per_area(areas, roads, homes)
    for area_id, polygon in zip(areas["area_id"], areas.geometry, strict=True):
        alone = find_signs(polygon, roads, homes)
        mine = together.loc[together["area_id"] == area_id].drop(columns=["area_id", "sign_id"])
        expected = alone.drop(columns=["sign_id"])
        assert mine.reset_index(drop=True).to_wkb().equals(expected.to_wkb())
    west = together.loc[together["area_id"] == 1]
    east = together.loc[together["area_id"] == 2]
    assert "N276" in set(west["street"]), "the trunk road has a junction in the west"
    assert "N276" not in set(east["street"]), "but none in the east"
    assert sorted(east.loc[east["street"] == "Molenpad", "bearing_deg"]) == [0.0, 0.0]
    assert west["homes"].sum() > 0 and east["homes"].sum() > 0


def test_a_road_drawn_outwards_faces_the_traffic_coming_in() -> None:
    inwards = streets({"name": "Inweg", "geometry": LineString([(-100, 400), (400, 400)])})
    outwards = streets({"name": "Inweg", "geometry": LineString([(400, 400), (-100, 400)])})
    from_edge = streets({"name": "Inweg", "geometry": LineString([(0, 400), (400, 400)])})
    for roads in (inwards, outwards, from_edge):
        signs = find_signs(WIJK, roads)
        assert list(signs["bearing_deg"]) == [90.0]
        assert signs.geometry.iloc[0].equals(Point(10, 400))


def test_multi_part_streets_count_as_their_parts() -> None:
    parts = [LineString([(-100, 200), (300, 200)]), LineString([(1100, 700), (600, 700)])]
    homes = gpd.GeoDataFrame(geometry=[Point(x, 205) for x in (50, 100, 150)], crs=RD)
    single = find_signs(WIJK, streets(*({"name": "Lus", "geometry": p} for p in parts)), homes)
    multi = find_signs(
        WIJK, streets({"name": "Lus", "geometry": shapely.MultiLineString(parts)}), homes
    )
    assert len(multi) == 2
    assert multi.to_wkb().equals(single.to_wkb())


def test_lines_with_repeated_points_anywhere_are_overlaid() -> None:
    polygon = box(0, 0, 100, 100)
    lines = np.array(
        [
            LineString([(10, 10), (20, 10), (20, 10)]),  # repeated at the end
            LineString([(10, 10), (15, 10), (15, 10), (15, 10), (30, 12)]),  # three in a row
            LineString([(10, 10), (20, 10), (30, 20)]),  # none: kept whole
            LineString([(10, 10), (20, 10), (10, 10), (20, 10)]),  # again, not in a row
        ],
        dtype=object,
    )
    meets, cut = clip_lines(lines, polygon)
    assert meets.all()
    assert (
        shapely.to_wkb(cut).tolist()
        == shapely.to_wkb(shapely.intersection(lines, polygon)).tolist()
    )
    assert cut[2] is lines[2], "a plain line well inside is kept as it is"
    assert shapely.get_num_coordinates(cut[:2]).tolist() == [2, 3]


def test_a_road_class_outside_the_osm_list_is_an_ordinary_street() -> None:
    """A planner's own classes ('woonweg', Dutch 'fietspad') give signs; known non-roads do not."""
    roads = streets(
        {"name": "Dorpsweg", "highway": "Woonweg", "geometry": LineString([(-50, 200), (300, 200)])},
        {"name": "Beekpad", "highway": "fietspad", "geometry": LineString([(-50, 400), (300, 400)])},
        {"name": "Laan", "highway": "woonstraat", "geometry": LineString([(-50, 600), (300, 600)])},
        {"name": "Oprit", "highway": "service", "geometry": LineString([(-50, 800), (300, 800)])},
        {"name": "Nieuwbouw", "highway": "construction", "geometry": LineString([(-50, 900), (300, 900)])},
    )  # fmt: skip
    signs = find_signs(WIJK, roads)
    assert list(signs["street"]) == ["Dorpsweg", "Laan", "Beekpad"]
    assert list(signs["kind"]) == ["main", "main", "minor"]
    assert list(signs["road_class"]) == ["woonweg", "residential", "cycleway"]
    assert signs["reason"].iloc[0] == "hoofdingang via Dorpsweg (woonweg)"
    assert_placed_well(signs)


def test_a_road_class_outside_the_osm_list_leads_to_its_homes() -> None:
    road = streets({"name": "Dorpsweg", "highway": "woonweg", "geometry": LineString([(-50, 500), (600, 500)])})  # fmt: skip
    homes = gpd.GeoDataFrame(geometry=[Point(x, 510) for x in (100, 200, 300)], crs=RD)
    signs = find_signs(WIJK, road, homes)
    assert list(signs["homes"]) == [3]


def test_bearings_are_compass_degrees_from_0_up_to_but_not_360() -> None:
    """A road heading 0.03° west of north enters at bearing 0.0 (never 360.0) in the south."""
    road = streets({"name": "Noordweg", "geometry": LineString([(500.628, -100), (500, 1100)])})
    signs = find_signs(WIJK, road)
    south = signs.loc[signs.geometry.y < 500, "bearing_deg"].tolist()
    north = signs.loc[signs.geometry.y > 500, "bearing_deg"].tolist()
    assert south == [0.0] and north == [180.0]
    assert ((signs["bearing_deg"] >= 0) & (signs["bearing_deg"] < 360)).all()
