"""A plan folder chain as a hostile or careless user drives it (issue 12).

A small real-geometry wijk (a street grid near Geleen in RD New) with fictitious sign-ups that
carry their own coordinates, so no register or network is needed and every run is quick.
"""

from __future__ import annotations

import csv
import errno
import json
import os
import stat
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from openpyxl import Workbook
from shapely import LineString, Point

from geo.cli import EXIT_ERROR, main
from tests.conftest import write_text
from tests.grids import RD, grid_boundary, grid_streets

HEADER = ["Naam", "Straat", "Huisnummer", "Postcode", "Woonplaats", "Leeftijd", "Telefoon", "lat", "lon"]  # fmt: skip
INSIDE = (186_150.0, 331_050.0)


def _wgs(x: float, y: float) -> tuple[float, float]:
    point = gpd.GeoSeries([Point(x, y)], crs=RD).to_crs(4326).iloc[0]
    return point.y, point.x


def people(count: int, *, start: int = 0, age: str = "40", outside: int = 0) -> list[list[str]]:
    """``count`` fictitious people on the grid; the last ``outside`` of them live outside it."""
    rows = []
    for n in range(start, start + count):
        far = n >= start + count - outside
        x, y = (
            (190_000.0, 335_000.0) if far else (INSIDE[0] + 7 * (n % 40), INSIDE[1] + 9 * (n // 40))
        )
        lat, lon = _wgs(x, y)
        phone = f"06{20000000 + n:08d}"
        rows.append(
            [f"Fictief Persoon {n}", "Dwarsstraat 1", str(n + 1), "6163AB", "Geleen", age, phone, f"{lat:.7f}", f"{lon:.7f}"]
        )  # fmt: skip
    return rows


MINOR = ["Jong Fictief", "Laan 2", "9", "6163AB", "Geleen", "16", "0612399999", "", ""]


def mistyped_phone() -> list[str]:
    """A fictitious adult on the grid whose phone number misses digits (refused)."""
    somebody = people(1, start=80)[0]
    return ["Fout Fictief", *somebody[1:6], "0612", *somebody[7:]]


def write_people(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def wijk(tmp_path: Path) -> tuple[Path, Path]:
    """Boundary and streets files of a 4 × 3 block grid (WGS84 GeoJSON, as exported by GIS)."""
    folder = tmp_path / "wijk"
    folder.mkdir()
    boundary = gpd.GeoDataFrame({"name": ["Rasterwijk"]}, geometry=[grid_boundary(4, 3)], crs=RD)
    boundary.to_crs(4326).to_file(folder / "grens.geojson")
    grid_streets(4, 3).to_crs(4326).to_file(folder / "straten.geojson")
    return folder / "grens.geojson", folder / "straten.geojson"


def plan(wijk: tuple[Path, Path], applicants: Path, out: Path, *extra: str) -> int:
    boundary, streets = wijk
    return main(
        [
            "plan",
            "--boundary",
            str(boundary),
            "--streets",
            str(streets),
            "--applicants",
            str(applicants),
            "--offline",
            *extra,
            "--out",
            str(out),
        ]
    )


def assign(plan_dir: Path, applicants: Path, out: Path, *extra: str) -> int:
    return main(
        ["assign", "--plan", str(plan_dir), "--applicants", str(applicants), "--offline", *extra, "--out", str(out)]
    )  # fmt: skip


def one_line_error(capsys: pytest.CaptureFixture[str], *words: str) -> str:
    err = capsys.readouterr().err.strip()
    assert err.startswith("fout: ") and "\n" not in err, err
    for word in words:
        assert word in err, err
    return err


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEO_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("GEO_MAX_MEMBERS", raising=False)


def test_a_one_area_wijk_is_planned_with_every_map(wijk: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "plan"
    assert plan(wijk, write_people(tmp_path / "a.csv", people(5)), out) == 0
    metrics = json.loads((out / "plan.json").read_text())
    assert metrics["areas"] == 1 and metrics["members"] == 5
    assert (out / "gebieden" / "gebied-1.html").stat().st_size > 1000
    assert "Gebied 1" in (out / "gebieden" / "gebied-1.html").read_text(encoding="utf-8")


def test_without_a_register_the_public_signs_do_not_count_members(
    wijk: tuple[Path, Path], tmp_path: Path
) -> None:
    boundary, streets = wijk
    road_in = gpd.GeoDataFrame(  # from the west into the grid's junction at Dwarsstraat 2
        {"name": ["Rijksweg"], "highway": ["secondary"]},
        geometry=[LineString([(185_700, 331_100), (186_000, 331_100)])],
        crs=RD,
    ).to_crs(4326)
    with_road = tmp_path / "straten.geojson"
    pd.concat([gpd.read_file(streets), road_in], ignore_index=True).to_file(with_road)
    out = tmp_path / "plan"
    assert plan((boundary, with_road), write_people(tmp_path / "a.csv", people(3)), out) == 0
    signs = json.loads((out / "signs.geojson").read_text(encoding="utf-8"))["features"]
    assert [sign["properties"]["street"] for sign in signs] == ["Rijksweg"]
    assert all(sign["properties"]["homes"] is None for sign in signs)
    assert not any("leidt naar" in sign["properties"]["reason"] for sign in signs)
    assert "leidt naar" not in (out / "signs_map.html").read_text(encoding="utf-8")


def test_streets_without_any_attribute_plan_and_map(
    wijk: tuple[Path, Path], tmp_path: Path
) -> None:
    boundary, streets = wijk
    bare = tmp_path / "kaal.geojson"
    gpd.read_file(streets)[["geometry"]].to_file(bare)
    out = tmp_path / "plan"
    assert plan((boundary, bare), write_people(tmp_path / "a.csv", people(12)), out, "--max-members", "5") == 0  # fmt: skip
    assert len(list((out / "gebieden").glob("gebied-*.html"))) == json.loads((out / "plan.json").read_text())["areas"]  # fmt: skip


@pytest.mark.parametrize("extra", [("--max-members", "1"), ("--fill", "0.01"), ("--fill", "0,01")])
def test_tiny_caps_plan(wijk: tuple[Path, Path], tmp_path: Path, extra: tuple[str, str]) -> None:
    out = tmp_path / "plan"
    assert plan(wijk, write_people(tmp_path / "a.csv", people(4)), out, *extra) == 0
    for row in read(out / "members.csv"):
        assert row["area_id"]
    if extra[0] == "--fill":  # a decimal comma as planners write it
        assert json.loads((out / "plan.json").read_text())["fill"] == 0.01


@pytest.mark.parametrize("how", ["flag", "env"])
def test_a_cap_above_whatsapp_is_refused_before_anything_is_written(
    wijk: tuple[Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    how: str,
) -> None:
    extra: tuple[str, ...] = ("--max-members", "300")
    if how == "env":
        monkeypatch.setenv("GEO_MAX_MEMBERS", "1000")
        extra = ()
    out = tmp_path / "plan"
    assert plan(wijk, write_people(tmp_path / "a.csv", people(5)), out, *extra) == EXIT_ERROR
    one_line_error(capsys, "256", "255")
    assert not out.exists()


def test_assign_keeps_the_plans_cap_and_carries_rejects_forward(
    wijk: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    minor = ["Jong Fictief", "Laan 2", "9", "6163AB", "Geleen", "16", "0612399999", "", ""]
    first = [*people(6), minor]
    plan_dir = tmp_path / "plan"
    assert plan(wijk, write_people(tmp_path / "a.csv", first), plan_dir, "--max-members", "4") == 0
    later = write_people(tmp_path / "b.csv", people(9, start=100))
    out = tmp_path / "plan-2"
    assert assign(plan_dir, later, out) == 0
    roster = read(out / "members.csv")
    sizes = [sum(r["area_id"] == a for r in roster) for a in {r["area_id"] for r in roster}]
    assert len(roster) == 15 and max(sizes) <= 4, "the plan's cap of 4 holds, not the default 255"
    assert json.loads((out / "plan.json").read_text())["max_members"] == 4
    carried = read(out / "rejects.csv")
    assert [r["uit_plan"] for r in carried if r["naam"] == "Jong Fictief"] == ["plan"]
    before = {r["member_id"]: r["area_id"] for r in read(plan_dir / "members.csv")}
    changed = {(r["member_id"], before[r["member_id"]], r["area_id"])
               for r in roster if r["member_id"] in before and before[r["member_id"]] != r["area_id"]}  # fmt: skip
    assert changed, "a full area split: someone changed group"
    listed = {(r["member_id"], r["van_gebied"], r["naar_gebied"]) for r in read(out / "verplaatst.csv")}  # fmt: skip
    assert listed == changed
    assert stat.S_IMODE((out / "verplaatst.csv").stat().st_mode) == 0o600
    capsys.readouterr()
    assert assign(out, later, tmp_path / "plan-3", "--max-members", "200") == EXIT_ERROR
    one_line_error(capsys, "hoogstens 4", "nieuw plan")
    # Review 58: the legal 255, asked for, was taken silently as "the default"
    assert assign(out, later, tmp_path / "plan-3", "--max-members", "255") == EXIT_ERROR
    one_line_error(capsys, "hoogstens 4", "(255)")
    assert assign(out, later, tmp_path / "plan-3", "--max-members", "4") != EXIT_ERROR


def test_a_chain_of_assigns_keeps_where_each_reject_came_from_and_drops_the_corrected(
    wijk: tuple[Path, Path], tmp_path: Path
) -> None:
    minor = ["Jong Fictief", "Laan 2", "9", "6163AB", "Geleen", "16", "0612399999", "", ""]
    partner = ["Partner Fictief", *people(1)[0][1:]]  # shares the phone of a member: refused
    first, second, third = tmp_path / "een", tmp_path / "twee", tmp_path / "drie"
    assert plan(wijk, write_people(tmp_path / "a.csv", [*people(6), minor, partner]), first) == 0
    later_minor = ["Ook Jong Fictief", "Laan 2", "11", "6163AB", "Geleen", "15", "0612388888", "", ""]  # fmt: skip
    assert assign(first, write_people(tmp_path / "b.csv", [*people(2, start=50), later_minor]), second) == 0  # fmt: skip
    grown_up = [*people(1, start=90)[0][:5], "40", "06 12 39 99 99", *people(1, start=90)[0][7:]]
    grown_up[0] = "Jong Fictief"
    assert assign(second, write_people(tmp_path / "c.csv", [grown_up]), third) == 0
    carried = {r["naam"]: r["uit_plan"] for r in read(third / "rejects.csv")}
    assert carried == {"Ook Jong Fictief": "twee", "Partner Fictief": "een"}, (
        "the corrected sign-up is a member now; the partner sharing a member's phone is not"
    )
    assert "+31612399999" in {r["telefoon"] for r in read(third / "members.csv")}


def test_tables_sent_in_again_replace_the_rows_they_carry(
    wijk: tuple[Path, Path], tmp_path: Path
) -> None:
    minor, typo = MINOR, mistyped_phone()
    waiting = ["Wacht Fictief", *people(1, start=70)[0][1:7], "", ""]  # offline, no register
    original = write_people(tmp_path / "a.csv", [*people(4), minor, typo, waiting])
    first, second = tmp_path / "een", tmp_path / "twee"
    assert plan(wijk, original, first) == 3, "one waits for an address"
    assert assign(first, write_people(tmp_path / "b.csv", people(2, start=50)), second) == 0
    rejects = (second / "rejects.csv").read_text(encoding="utf-8-sig")
    corrected = write_text(tmp_path / "verbeterd.csv", rejects.replace(",0612,", ",0612345699,"))

    assert assign(second, corrected, tmp_path / "drie") == 0
    assert not (tmp_path / "drie" / "verplaatst.csv").exists(), "nobody changed group"
    assert "Fout Fictief" in {r["naam"] for r in read(tmp_path / "drie" / "members.csv")}
    assert [r["naam"] for r in read(tmp_path / "drie" / "rejects.csv")] == ["Jong Fictief"]
    assert [r["naam"] for r in read(tmp_path / "drie" / "pending.csv")] == ["Wacht Fictief"]

    assert assign(second, second / "pending.csv", tmp_path / "vier") == 3
    assert [r["naam"] for r in read(tmp_path / "vier" / "pending.csv")] == ["Wacht Fictief"]
    assert [r["leeftijd"] for r in read(tmp_path / "vier" / "pending.csv")] == ["18+"]
    assert sorted(r["naam"] for r in read(tmp_path / "vier" / "rejects.csv")) == [
        "Fout Fictief",
        "Jong Fictief",
    ], "waiting adults sent in again are not refused for their age"

    assert assign(second, original, tmp_path / "vijf") == 3, "one still waits"
    again = [r["naam"] for r in read(tmp_path / "vijf" / "rejects.csv")]
    assert sorted(name for name in again if "Fictief" in name and "Persoon" not in name) == [
        "Fout Fictief",
        "Jong Fictief",
    ], "the original sign-ups again: each refused once, not once more per run"
    assert [r["naam"] for r in read(tmp_path / "vijf" / "pending.csv")] == ["Wacht Fictief"]


def test_only_the_sheet_read_and_copies_of_tables_decide_what_is_sent_again(
    wijk: tuple[Path, Path], tmp_path: Path
) -> None:
    minor, typo = MINOR, mistyped_phone()
    first, second, third = tmp_path / "een", tmp_path / "twee", tmp_path / "drie"
    assert plan(wijk, write_people(tmp_path / "a.csv", [*people(3), minor]), first) == 0
    assert assign(first, write_people(tmp_path / "b.csv", [typo]), second) == 0
    kept = list(csv.reader((second / "rejects.csv").read_text(encoding="utf-8-sig").splitlines()))
    book = Workbook()
    book.active.append(HEADER)
    book.active.append(people(1, start=60)[0])
    book.create_sheet("oude afwijzingen").append(kept[0])  # kept for reference only
    for row in kept[1:]:
        book["oude afwijzingen"].append(row)
    book.save(tmp_path / "nieuw.xlsx")
    assert assign(second, tmp_path / "nieuw.xlsx", third) == 0
    assert sorted(r["naam"] for r in read(third / "rejects.csv")) == [
        "Fout Fictief",
        "Jong Fictief",
    ]

    # The second folder's rejects corrected beside them, sent into a later plan: their own
    # rows (empty uit_plan: of the folder they lie in) replace what the later one carries.
    text = (
        (second / "rejects.csv").read_text(encoding="utf-8-sig").replace(",0612,", ",0612345699,")
    )
    assert assign(third, write_text(second / "verbeterd.csv", text), tmp_path / "vier") == 0
    assert "Fout Fictief" in {r["naam"] for r in read(tmp_path / "vier" / "members.csv")}
    assert [r["naam"] for r in read(tmp_path / "vier" / "rejects.csv")] == ["Jong Fictief"]


def test_a_nameless_row_sent_again_never_takes_another_carried_row_along(
    wijk: tuple[Path, Path], tmp_path: Path
) -> None:
    nameless = ["", "Laan 2", "9", "6163AB", "Geleen", "40", "0612345620", "", ""]
    first, second = tmp_path / "een", tmp_path / "twee"
    assert plan(wijk, write_people(tmp_path / "a.csv", [*people(2), nameless]), first) == 0
    other = [*nameless[:6], "0612345630", "", ""]
    later = write_people(tmp_path / "b.csv", [*people(2, start=50), other])  # the same row
    assert assign(first, later, second) == 0
    lines = (second / "rejects.csv").read_text(encoding="utf-8-sig").splitlines()
    own = [line for line in lines[1:] if line.startswith(",")]  # the second folder's own rows
    sent = write_text(second / "terug.csv", "\n".join([lines[0], *own]) + "\n")
    assert assign(second, sent, tmp_path / "drie") == 0
    carried = [r for r in read(tmp_path / "drie" / "rejects.csv") if r["uit_plan"] == "een"]
    assert [r["Telefoon"] for r in carried] == ["0612345620"], "the first folder's row stays"


def test_a_reject_corrected_in_its_name_or_its_number_is_replaced_by_the_member(
    wijk: tuple[Path, Path], tmp_path: Path
) -> None:
    somebody, other = people(2, start=60)
    nameless = ["", *somebody[1:]]  # refused: no name
    too_young = ["Jong Fictif", *other[1:5], "16", *other[6:]]  # a typo in the name and age
    first, second = tmp_path / "een", tmp_path / "twee"
    assert (
        plan(wijk, write_people(tmp_path / "a.csv", [*people(3), nameless, too_young]), first) == 0
    )
    assert len(read(first / "rejects.csv")) == 2
    table = pd.read_csv(first / "rejects.csv", dtype=str, keep_default_na=False)
    table.loc[table["naam"] == "Jong Fictif", ["naam", "Leeftijd"]] = ["Jong Fictief", "61"]
    table.to_csv(first / "verbeterd.csv", index=False)  # the nameless one not yet

    assert assign(first, first / "verbeterd.csv", second) == 0
    assert "Jong Fictief" in {r["naam"] for r in read(second / "members.csv")}
    assert [r["reason"] for r in read(second / "rejects.csv")] == ["naam ontbreekt"], "once"

    later = pd.read_csv(second / "rejects.csv", dtype=str, keep_default_na=False)
    later.loc[later["naam"] == "", "naam"] = "Naamloos Fictief"
    later.to_csv(second / "verbeterd.csv", index=False)
    assert assign(second, second / "verbeterd.csv", tmp_path / "drie") == 0
    assert "Naamloos Fictief" in {r["naam"] for r in read(tmp_path / "drie" / "members.csv")}
    assert read(tmp_path / "drie" / "rejects.csv") == [], "no stale reject beside its member"


def test_a_sign_up_with_a_members_name_and_address_is_marked_for_checking(
    wijk: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = tmp_path / "een", tmp_path / "twee"
    assert plan(wijk, write_people(tmp_path / "a.csv", people(3)), first) == 0
    again = [*people(1)[0][:6], "0629999999", *people(1)[0][7:]]  # a new phone
    capsys.readouterr()
    assert (
        assign(first, write_people(tmp_path / "b.csv", [again, *people(1, start=9)]), second) == 0
    )
    remarks = {r["telefoon"]: r["opmerking"] for r in read(second / "applicants.csv")}
    assert remarks["+31629999999"].startswith("controleren: zelfde naam en adres")
    assert remarks["+31620000009"] == ""
    # review 58: the summary said nothing of it
    assert (
        "1 aanmelding te controleren (kolom opmerking in applicants.csv)" in capsys.readouterr().out
    )


def test_a_member_who_moved_or_is_now_under_18_is_told_apart_in_the_rejects(
    wijk: tuple[Path, Path], tmp_path: Path
) -> None:
    """Review 58: a member's sign-up with a new address was refused as plainly "al aangemeld",
    one with an age of 17 as any minor's. Review 60: a spelling of the same address was
    taken for a move, and a household member on the phone for the member."""
    first, second, third = tmp_path / "een", tmp_path / "twee", tmp_path / "drie"
    assert plan(wijk, write_people(tmp_path / "a.csv", people(4)), first) == 0
    moved = people(1)[0]
    moved[2], moved[-2] = "99", f"{float(moved[-2]) + 0.002:.7f}"  # another house, 200 m on
    young = people(1, start=1, age="17")[0]
    same = people(1, start=2)[0]
    same[1] = "dwarsstraat 1"  # the same address typed otherwise: nothing to do
    child = ["Kind Persoon", *people(1, start=3, age="12")[0][1:]]  # on a member's phone
    rows = [moved, young, same, child]
    assert assign(first, write_people(tmp_path / "b.csv", rows), second) == 0
    reasons = {r["naam"]: r["reason"] for r in read(second / "rejects.csv")}
    area = {r["naam"]: r["area_id"] for r in read(first / "members.csv")}
    assert reasons["Fictief Persoon 0"].endswith(
        f"(al aangemeld, lid van gebied {area['Fictief Persoon 0']}) met een ander adres: "
        "verhuisd? pas het adres van het lid aan"
    )
    assert reasons["Fictief Persoon 1"].endswith(
        f"(let op: deze persoon is lid van gebied {area['Fictief Persoon 1']})"
    )
    assert "lid van gebied" not in reasons["Fictief Persoon 2"]
    assert "lid van gebied" not in reasons["Kind Persoon"]
    assert assign(second, write_people(tmp_path / "c.csv", people(1, start=30)), third) == 0
    carried = {r["naam"] for r in read(third / "rejects.csv")}
    assert carried == {"Kind Persoon"}, "a member's own reject is said once, not carried for ever"


def test_a_members_sign_off_mail_names_the_area_in_the_rejects(
    wijk: tuple[Path, Path], tmp_path: Path
) -> None:
    from email.message import EmailMessage

    first, second = tmp_path / "een", tmp_path / "twee"
    assert plan(wijk, write_people(tmp_path / "a.csv", people(4)), first) == 0
    message = EmailMessage()
    message["From"], message["To"] = "Fictief Persoon 2 <fp2@example.org>", "wp@example.org"
    message["Subject"], message["Message-ID"] = "Afmelden", "<af@example.org>"
    message.set_content("Ik wil me graag afmelden.\n\nGroet,\nFictief Persoon 2\n")
    (tmp_path / "afmelding.eml").write_bytes(bytes(message))
    assert assign(first, tmp_path / "afmelding.eml", second) == 0
    area = {r["naam"]: r["area_id"] for r in read(first / "members.csv")}["Fictief Persoon 2"]
    (reject,) = read(second / "rejects.csv")
    assert reject["reason"].startswith("afmelding, geen aanmelding")
    assert reject["reason"].endswith(f"(let op: deze persoon is lid van gebied {area})")


def test_assign_from_inside_the_plan_folder_names_it_in_uit_plan(
    wijk: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    minor = ["Jong Fictief", "Laan 2", "9", "6163AB", "Geleen", "16", "0612399999", "", ""]
    first = tmp_path / "een"
    assert plan(wijk, write_people(tmp_path / "a.csv", [*people(3), minor]), first) == 0
    monkeypatch.chdir(first)
    later = write_people(tmp_path / "b.csv", people(1, start=50))
    assert assign(Path(), later, tmp_path / "twee") == 0  # --plan .
    assert [r["uit_plan"] for r in read(tmp_path / "twee" / "rejects.csv")] == ["een"]


def test_assign_refuses_a_roster_that_no_longer_matches_its_plan(
    wijk: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan_dir = tmp_path / "plan"
    assert plan(wijk, write_people(tmp_path / "a.csv", people(8)), plan_dir) == 0
    roster = (plan_dir / "members.csv").read_text(encoding="utf-8-sig").splitlines()
    later = write_people(tmp_path / "b.csv", people(2, start=50))
    (plan_dir / "members.csv").write_text("\n".join(roster[:3]) + "\n", encoding="utf-8")
    assert assign(plan_dir, later, tmp_path / "kort") == EXIT_ERROR
    one_line_error(capsys, "telt 2 leden en plan.json 8")
    (plan_dir / "members.csv").write_text("\n".join(roster[:2]) + "\n", encoding="utf-8")
    assert assign(plan_dir, later, tmp_path / "een") == EXIT_ERROR
    one_line_error(capsys, "telt 1 lid en plan.json 8")
    rows = list(csv.DictReader(roster))
    for row in rows[:2]:
        row["is_beheerder"] = "True"
    with (plan_dir / "members.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert assign(plan_dir, later, tmp_path / "twee") == EXIT_ERROR
    one_line_error(capsys, "meer dan één beheerder in gebied 1")
    assert not (tmp_path / "kort").exists() and not (tmp_path / "twee").exists()


def test_assign_into_its_own_plan_folder_is_refused(
    wijk: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan_dir = tmp_path / "plan"
    assert plan(wijk, write_people(tmp_path / "a.csv", people(5)), plan_dir) == 0
    before = {p.name: p.read_bytes() for p in plan_dir.iterdir() if p.is_file()}
    later = write_people(tmp_path / "b.csv", people(3, start=50))
    assert assign(plan_dir, later, plan_dir) == EXIT_ERROR
    one_line_error(capsys, "planmap zelf")
    assert before == {p.name: p.read_bytes() for p in plan_dir.iterdir() if p.is_file()}


def test_a_plan_in_the_output_folder_is_replaced_only_when_asked(
    wijk: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = tmp_path / "eerste", tmp_path / "tweede"
    assert plan(wijk, write_people(tmp_path / "a.csv", people(30)), first) == 0
    assert plan(wijk, write_people(tmp_path / "b.csv", people(5, start=100)), second) == 0
    kept = {p.name: p.read_bytes() for p in second.iterdir() if p.is_file()}
    later = write_people(tmp_path / "c.csv", people(3, start=50))
    attempts = {
        "plan": lambda *extra: plan(wijk, later, second, *extra),
        "assign": lambda *extra: assign(first, later, second, *extra),
        "export": lambda *extra: main(["export", "--plan", str(first), "--out", str(second), *extra]),
        "export into a file of it": lambda *extra: main(
            ["export", "--plan", str(first), "--format", "gpkg", "--out", str(second / "plan.gpkg"), *extra]
        ),
        "plan by a detour": lambda *extra: plan(wijk, later, tmp_path / "nergens" / ".." / "tweede", *extra),
    }  # fmt: skip
    for command, attempt in attempts.items():
        capsys.readouterr()
        assert attempt() == EXIT_ERROR, command
        one_line_error(capsys, "staat al een plan", "--overschrijven")
        assert kept == {p.name: p.read_bytes() for p in second.iterdir() if p.is_file()}, command
    assert attempts["assign"]("--overschrijven") == 0
    assert json.loads((second / "plan.json").read_text())["members"] == 33


def test_the_demo_replaces_only_a_folder_it_made(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demo = tmp_path / "demo"
    assert main(["demo", "--out", str(demo), "--count", "40"]) == 0
    assert main(["demo", "--out", str(demo), "--count", "40"]) == 0, "its own folder: made anew"
    (demo / "demo.txt").unlink()  # a planner's plan, with files named like the demo's
    kept = (demo / "aanmeldingen.csv").read_bytes()
    capsys.readouterr()
    assert main(["demo", "--out", str(demo), "--count", "40"]) == EXIT_ERROR
    one_line_error(capsys, "staat al een plan")
    assert (demo / "aanmeldingen.csv").read_bytes() == kept


def test_when_everyone_waits_for_an_address_the_error_names_the_waiting_list(
    wijk: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    unplaced = [[*row[:-2], "", ""] for row in people(3)]  # no coordinates, offline, no register
    assert plan(wijk, write_people(tmp_path / "a.csv", unplaced), tmp_path / "uit") == EXIT_ERROR
    err = one_line_error(capsys, "3 wachten op een adres", "pending.csv")
    assert "rejects.csv" not in err, "nobody was rejected: that file is empty"


def test_an_input_inside_the_output_folder_is_never_written_over(
    wijk: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "plan"
    out.mkdir()
    applicants = write_people(out / "applicants.csv", people(5))
    original = applicants.read_bytes()
    assert plan(wijk, applicants, out) == EXIT_ERROR
    one_line_error(capsys, "invoerbestand")
    assert applicants.read_bytes() == original
    assert main(["intake", "--applicants", str(applicants), "--offline", "--out", str(out)]) == EXIT_ERROR  # fmt: skip
    assert applicants.read_bytes() == original


def test_export_never_writes_into_the_plan_folder(
    wijk: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan_dir = tmp_path / "plan"
    assert plan(wijk, write_people(tmp_path / "a.csv", people(5)), plan_dir) == 0
    layers = (plan_dir / "plan.gpkg").read_bytes()
    for fmt, out in (("gpkg", plan_dir / "plan.gpkg"), ("geojson", plan_dir)):
        capsys.readouterr()
        assert main(["export", "--plan", str(plan_dir), "--format", fmt, "--out", str(out)]) == EXIT_ERROR  # fmt: skip
        one_line_error(capsys, "invoerbestand")
    assert (plan_dir / "plan.gpkg").read_bytes() == layers
    folder = tmp_path / "uit"
    folder.mkdir()
    assert main(["export", "--plan", str(plan_dir), "--format", "gpkg", "--out", str(folder)]) == EXIT_ERROR  # fmt: skip
    one_line_error(capsys, "bestandsnaam")


def test_outputs_replace_links_instead_of_following_them(
    wijk: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "plan"
    out.mkdir()
    victim = tmp_path / "belangrijk.txt"
    victim.write_text("niet aankomen")
    victim.chmod(0o644)
    (out / "rejects.csv").symlink_to(victim)
    assert plan(wijk, write_people(tmp_path / "a.csv", people(5)), out) == 0
    assert victim.read_text() == "niet aankomen"
    assert stat.S_IMODE(victim.stat().st_mode) == 0o644
    assert not (out / "rejects.csv").is_symlink()
    assert stat.S_IMODE((out / "rejects.csv").stat().st_mode) == 0o600


def test_a_full_disk_leaves_no_folder_that_counts_as_a_plan(
    wijk: tuple[Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import folium

    def full(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(folium.Map, "save", full)
    out = tmp_path / "plan"
    assert plan(wijk, write_people(tmp_path / "a.csv", people(5)), out) == EXIT_ERROR
    one_line_error(capsys, "schijf is vol")
    assert not (out / "plan.json").exists()
    assert not list(out.rglob(".*tmp*")), "no temporary files left"
    assert assign(out, tmp_path / "a.csv", tmp_path / "plan-2") == EXIT_ERROR
    one_line_error(capsys, "geen planmap")


def test_cache_dir_that_is_a_file_or_a_corrupt_cache_is_one_line(
    wijk: tuple[Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    applicants = write_people(tmp_path / "a.csv", people(3))
    not_a_folder = tmp_path / "bestand"
    not_a_folder.write_text("x")
    monkeypatch.setenv("GEO_CACHE_DIR", str(not_a_folder))
    assert main(["intake", "--applicants", str(applicants), "--offline", "--out", str(tmp_path / "u")]) == EXIT_ERROR  # fmt: skip
    one_line_error(capsys, "geen map")
    cache = tmp_path / "kapot"
    cache.mkdir()
    (cache / "geocode.sqlite").write_bytes(b"dit is geen database" * 100)
    monkeypatch.setenv("GEO_CACHE_DIR", str(cache))
    assert main(["intake", "--applicants", str(applicants), "--offline", "--out", str(tmp_path / "u")]) == EXIT_ERROR  # fmt: skip
    one_line_error(capsys, "geocodeercache", "beschadigd", "verwijder")


def test_counts_add_up_and_outside_rejects_keep_their_contact(
    wijk: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "plan"
    assert plan(wijk, write_people(tmp_path / "a.csv", people(10, outside=3)), out) == 0
    summary = capsys.readouterr().out
    assert "10 aanmeldingen gelezen: 7 aangenomen, 3 afgewezen, 0 nog niet gevonden" in summary
    rejects = read(out / "rejects.csv")
    assert len(rejects) == 3 and all(r["telefoon"].startswith("+316") for r in rejects)
    assert len(read(out / "applicants.csv")) == 7 == len(read(out / "members.csv"))


def test_everybody_rejected_says_so(
    wijk: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "plan"
    assert plan(wijk, write_people(tmp_path / "a.csv", people(3, age="16")), out) == EXIT_ERROR
    one_line_error(capsys, "geen van de 3 aanmeldingen is aangenomen", "3 afgewezen")
    assert len(read(out / "rejects.csv")) == 3


def test_budget_zero_is_refused_before_writing(
    wijk: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "plan"
    assert plan(wijk, write_people(tmp_path / "a.csv", people(3)), out, "--budget", "0") == EXIT_ERROR  # fmt: skip
    one_line_error(capsys, "--budget")
    assert not out.exists()


def test_a_roster_edited_in_dutch_excel_is_read_back(
    wijk: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan_dir = tmp_path / "plan"
    assert plan(wijk, write_people(tmp_path / "a.csv", people(6)), plan_dir) == 0
    roster = plan_dir / "members.csv"
    rows = read(roster)
    with roster.open("w", encoding="cp1252", newline="") as handle:  # as Dutch Excel saves it
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter=";")
        writer.writeheader()
        for row in rows:
            row["lat"], row["lon"] = row["lat"].replace(".", ","), row["lon"].replace(".", ",")
            row["telefoon"] = row["telefoon"].lstrip("+")
            for flag in ("beheerder", "is_beheerder"):
                row[flag] = "WAAR" if row[flag] == "True" else "ONWAAR"
            writer.writerow(row)
        handle.write(";" * (len(rows[0]) - 1) + "\r\n")
    again = write_people(tmp_path / "b.csv", people(6))  # the same people sign up again
    out = tmp_path / "plan-2"
    assert assign(plan_dir, again, out) == 0
    assert len(read(out / "members.csv")) == 6, "nobody becomes a member twice"
    assert all("al aangemeld" in r["reason"] for r in read(out / "rejects.csv"))
    assert sum(r["is_beheerder"] == "True" for r in read(out / "members.csv")) == sum(
        r["is_beheerder"] == "True" for r in rows
    )
    bad = roster.read_text(encoding="cp1252").replace(rows[1]["area_id"] + ";", "twee;", 1)
    roster.write_text(bad, encoding="cp1252")
    capsys.readouterr()
    assert assign(plan_dir, again, tmp_path / "plan-3") == EXIT_ERROR
    one_line_error(capsys, "members.csv regel")


def test_signs_from_a_roster_instead_of_areas_is_one_line(
    wijk: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan_dir = tmp_path / "plan"
    assert plan(wijk, write_people(tmp_path / "a.csv", people(5)), plan_dir) == 0
    boundary, streets = wijk
    code = main(
        ["signs", "--boundary", str(boundary), "--streets", str(streets), "--areas", str(plan_dir / "members.csv"), "--out", str(tmp_path / "borden")]
    )  # fmt: skip
    assert code == EXIT_ERROR
    one_line_error(capsys, "members.csv")


def test_rejects_keep_where_a_sign_up_came_from(wijk: tuple[Path, Path], tmp_path: Path) -> None:
    """A sign-up read from e-mail and refused later still names its message (issue 15)."""
    rows = people(4, outside=1)
    path = tmp_path / "a.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow([*HEADER, "Bericht-ID"])
        writer.writerows([*row, f"<bericht-{n}@voorbeeld.nl>"] for n, row in enumerate(rows))
    out = tmp_path / "plan"
    assert plan(wijk, path, out) == 0
    [outside] = read(out / "rejects.csv")
    assert outside["bericht_id"] == "<bericht-3@voorbeeld.nl>"


def test_a_formula_in_a_name_keeps_one_quote_through_plan_rejects_and_assign(
    wijk: tuple[Path, Path], tmp_path: Path
) -> None:
    rows = people(8, outside=2)
    rows[0][0] = "=1+1 Fictief"  # inside the wijk: applicants.csv, then members.csv
    rows[-1][0] = "=2+2 Fictief"  # outside the wijk: moved from applicants.csv to rejects.csv
    out = tmp_path / "plan"
    assert plan(wijk, write_people(tmp_path / "a.csv", rows), out) == 0
    later = people(3, start=100, outside=1)
    later[0][0] = "@SUM(A1) Fictief"
    again = tmp_path / "plan-2"
    assert assign(out, write_people(tmp_path / "b.csv", later), again) == 0

    for folder in (out, again):
        names = {r["naam"] for name in ("members.csv", "rejects.csv") for r in read(folder / name)}
        assert {"'=1+1 Fictief", "'=2+2 Fictief"} <= names  # escaped once, however often
        assert not any(name.startswith(("=", "''")) for name in names)  # it is rewritten
    assert "'@SUM(A1) Fictief" in {r["naam"] for r in read(again / "members.csv")}


def test_a_person_is_known_by_the_phone_column_the_intake_reads() -> None:
    from geo.workflow import _row_people

    table = pd.DataFrame(
        {"naam": ["Kees Fictief", "Anna Fictief"], "WhatsApp": ["ja", "ja"],
         "Telefoon": ["06 1234 5678", ""], "telefoon": ["", "+31612345222"]}
    )  # fmt: skip
    assert _row_people(table, ("NL",)) == [
        ("+31612345678", "kees fictief"),
        ("+31612345222", "anna fictief"),
    ], "a yes/no WhatsApp column is no number; the cleaned column stands in for an empty one"
