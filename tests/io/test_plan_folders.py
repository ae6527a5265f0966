"""A plan folder read again: by ``project init``, ``assign`` and ``export``.

A small real-geometry wijk (a street grid near Geleen in RD New) planned once per module with
``python -m geo plan`` (offline) from fictitious sign-ups: most with coordinates, three
refused (too young, a broken phone number, no address) and one waiting for its address.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest

from geo.cli import EXIT_ERROR, main
from geo.store import Store
from tests.conftest import write_text
from tests.grids import RD, grid_boundary, grid_streets, members_along

COUNT = 40  # in areas of at most 12: some areas under 10 members, some not
REFUSED = {
    "Proef Jong": ("deelnemers moeten minimaal 18 jaar zijn (leeftijd 16)", "16"),
    "Proef Fout Nummer": ("telefoonnummer '0612' is geen geldig nummer", "40"),
    "Proef Zonder Adres": ("adres ontbreekt", "40"),
}
WAITING = "Proef Nergens"


def _wijk_files(folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    boundary = gpd.GeoDataFrame({"name": ["Rasterwijk"]}, geometry=[grid_boundary(4, 4)], crs=RD)
    boundary.to_crs(4326).to_file(folder / "grens.geojson")
    grid_streets(4, 4).to_crs(4326).to_file(folder / "straten.geojson")
    return folder / "grens.geojson", folder / "straten.geojson"


def _sheet(path: Path, count: int, *, seed: int, first: int = 0, odd: bool = True) -> Path:
    """Fictitious sign-ups with coordinates on the grid's streets, and (``odd``) the four
    people who are refused or wait for their address."""
    people = members_along(grid_streets(4, 4), count, seed=seed).to_crs(4326)
    lines = ["Naam;Straat;Huisnummer;Woonplaats;Leeftijd;Telefoon;Beheerder;lat;lon"]
    for n, row in enumerate(people.itertuples(), start=first):
        lines.append(
            f"Deelnemer {n};{row.straat};{row.huisnummer};Geleen;40;06{20_000_000 + n:08d};"
            f"{'ja' if n % 10 == 0 else ''};{row.geometry.y:.7f};{row.geometry.x:.7f}"
        )
    if odd:
        lines += [
            "Proef Jong;Laan 1;51;Geleen;16;0659000001;ja;;",
            "Proef Fout Nummer;Laan 1;53;Geleen;40;0612;nee;;",
            "Proef Zonder Adres;;;Geleen;40;0659000004;nee;;",
            f"{WAITING};Nergensweg;1;Geleen;40;0659000003;ja;;",
        ]
    return write_text(path, "\n".join(lines) + "\n")


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("planmap")
    boundary, streets = _wijk_files(root / "wijk")
    sheet = _sheet(root / "aanmeldingen.csv", COUNT, seed=3)
    out = root / "plan"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GEO_CACHE_DIR", str(root / "cache"))
        code = main(
            ["plan", "--boundary", str(boundary), "--streets", str(streets), "--applicants",
             str(sheet), "--offline", "--max-members", "12", "--out", str(out)]
        )  # fmt: skip
    assert code == 3  # done; one sign-up waits for its address
    return out


@pytest.fixture(scope="module")
def grown(planned: Path) -> Path:
    """The plan after ``assign``: three neighbours of its first member (one area grows to
    11 members, the others stay at 8) and one more refusal."""
    (first,) = _rows(planned / "members.csv")[:1]
    lines = ["Naam;Straat;Huisnummer;Woonplaats;Leeftijd;Telefoon;lat;lon"]
    lines += [
        f"Buur {n};{first['straat']};{first['huisnummer']};Geleen;40;062100000{n};"
        f"{first['lat']};{first['lon']}"
        for n in (1, 2, 3)
    ]
    lines.append("Proef Ook Jong;Laan 2;7;Geleen;15;0659000009;;")
    sheet = write_text(planned.parent / "buren.csv", "\n".join(lines) + "\n")
    out = planned.parent / "plan-2"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GEO_CACHE_DIR", str(planned.parent / "cache"))
        code = main(["assign", "--plan", str(planned), "--applicants", str(sheet), "--offline",
                     "--out", str(out)])  # fmt: skip
    assert code == 0
    return out


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


# --- project init --plan keeps everybody ------------------------------------------------------


def _people(project: Path, status: str) -> list[dict[str, object]]:
    store = Store.open(project)
    try:
        return store.applicants(status).to_dict("records")
    finally:
        store.close()


def test_a_project_from_a_plan_keeps_its_rejected_and_waiting_sign_ups(
    planned: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert len(_rows(planned / "rejects.csv")) == 3 and len(_rows(planned / "pending.csv")) == 1
    project = tmp_path / "wijk.sqlite"
    capsys.readouterr()
    assert main(["project", "init", "--project", str(project), "--plan", str(planned)]) == 0
    assert "3 afgewezen, 1 wacht op een adres" in capsys.readouterr().out
    store = Store.open(project)
    try:
        counts = store.status().applicants
    finally:
        store.close()
    members = len(_rows(planned / "members.csv"))
    assert (counts["accepted"], counts["rejected"], counts["pending"]) == (members, 3, 1)
    rejected = {str(r["naam"]): r for r in _people(project, "rejected")}
    assert set(rejected) == set(REFUSED)
    for name, (why, age) in REFUSED.items():
        assert rejected[name]["reason"] == why
        cells = json.loads(str(rejected[name]["original"]))  # as typed, to correct them
        assert cells["Naam"] == name and cells["Leeftijd"] == age and "uit_plan" not in cells
    (waiting,) = _people(project, "pending")
    assert waiting["naam"] == WAITING and waiting["telefoon"] == "+31659000003"
    assert waiting["straat"] == "Nergensweg" and int(str(waiting["huisnummer"])) == 1
    assert str(waiting["reason"]) == _rows(planned / "pending.csv")[0]["reason"]
    assert bool(waiting["beheerder"])


def test_a_project_from_an_assigned_plan_keeps_the_earlier_plans_rejects(
    grown: Path, planned: Path, tmp_path: Path
) -> None:
    """``assign`` carries a plan's rejects into its new folder (column ``uit_plan``): a
    project made from that folder holds them, and the new folder's own refusals."""
    assert {r["uit_plan"] for r in _rows(grown / "rejects.csv")} == {"", planned.name}
    project = tmp_path / "wijk.sqlite"
    assert main(["project", "init", "--project", str(project), "--plan", str(grown)]) == 0
    rejected = {str(r["naam"]) for r in _people(project, "rejected")}
    assert rejected == {*REFUSED, "Proef Ook Jong"}
    assert [r["naam"] for r in _people(project, "pending")] == [WAITING]
    assert len(_people(project, "accepted")) == COUNT + 3


# --- a damaged plan.json ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("{\n", "geen geldige JSON (regel 2, kolom 1)"),
        ("[1]", "geen JSON-object"),
        ('{"max_members": "veel"}', 'max_members moet een geheel getal vanaf 1 zijn, niet "veel"'),
        ('{"max_members": 12.5}', "max_members moet een geheel getal"),
        ('{"max_members": true}', "max_members moet een geheel getal"),
        ('{"areas": 4}', "max_members) ontbreekt"),
        ('{"max_members": 12, "fill": 2}', "fill moet een getal boven 0 en hoogstens 1 zijn"),
        ('{"max_members": 12, "fill": "vol"}', "fill moet een getal"),
        ("\udcff", "geen UTF-8-tekst"),
    ],
)
def test_a_damaged_plan_json_is_one_dutch_line_for_assign_export_and_project(
    planned: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    text: str,
    words: str,
) -> None:
    monkeypatch.setenv("GEO_CACHE_DIR", str(tmp_path / "cache"))
    plan = shutil.copytree(planned, tmp_path / "plan")
    (plan / "plan.json").write_bytes(text.encode("utf-8", "surrogateescape"))
    extra = _sheet(tmp_path / "nieuw.csv", 3, seed=5, first=700, odd=False)
    commands = [
        ["assign", "--plan", str(plan), "--applicants", str(extra), "--offline", "--out",
         str(tmp_path / "plan-2")],
        ["export", "--plan", str(plan), "--profile", "public", "--format", "csv", "--out",
         str(tmp_path / "export")],
        ["project", "init", "--project", str(tmp_path / "p.sqlite"), "--plan", str(plan)],
        ["pack", "--plan", str(plan), "--out", str(tmp_path / "pakket")],
    ]  # fmt: skip
    capsys.readouterr()
    for command in commands:
        assert main(command) == EXIT_ERROR, command[0]
        err = capsys.readouterr().err.strip()
        assert err.startswith(f"fout: {plan / 'plan.json'} is beschadigd: "), err
        assert words in err and "\n" not in err, err
    assert not (tmp_path / "plan-2" / "plan.json").exists()
    assert not (tmp_path / "export").exists() and not (tmp_path / "pakket").exists()


def test_a_plan_json_written_by_hand_with_numbers_as_text_still_reads(
    planned: Path, tmp_path: Path
) -> None:
    plan = shutil.copytree(planned, tmp_path / "plan")
    metrics = json.loads((plan / "plan.json").read_text(encoding="utf-8"))
    metrics.update(max_members="12", fill="0.8")
    (plan / "plan.json").write_text(json.dumps(metrics), encoding="utf-8")
    out = tmp_path / "export"
    assert main(["export", "--plan", str(plan), "--profile", "public", "--format", "csv",
                 "--out", str(out)]) == 0  # fmt: skip
    assert {r["area_id"] for r in _rows(out / "areas.csv")}


# --- whole numbers in exports -----------------------------------------------------------------


def _whole_or_empty(values: list[str]) -> bool:
    return all(v == "" or v.isdigit() for v in values)


def test_counts_in_a_public_csv_export_are_whole_numbers_or_hidden(
    grown: Path, tmp_path: Path
) -> None:
    out = tmp_path / "export"
    assert main(["export", "--plan", str(grown), "--profile", "public", "--format", "csv",
                 "--out", str(out)]) == 0  # fmt: skip
    areas = _rows(out / "areas.csv")
    members = [a["members"] for a in areas]
    assert sorted(members) == ["", "", "", "", "11"], "under 10 hidden, 11 shown"
    for column in ("area_id", "members", "capacity_left"):
        assert _whole_or_empty([a[column] for a in areas]), (column, areas)
    shown = [a for a in areas if a["members"]]
    assert all(int(a["members"]) >= 10 and a["capacity_left"].isdigit() for a in shown)
    coverage = _rows(out / "coverage.csv")
    assert _whole_or_empty([c["members"] for c in coverage])


def test_counts_in_a_private_csv_and_a_geopackage_are_integers(grown: Path, tmp_path: Path) -> None:
    out = tmp_path / "prive"
    assert main(["export", "--plan", str(grown), "--profile", "private", "--format", "csv",
                 "--out", str(out)]) == 0  # fmt: skip
    areas = _rows(out / "areas.csv")
    assert all(a["members"].isdigit() and a["capacity_left"].isdigit() for a in areas)
    assert sum(int(a["members"]) for a in areas) == COUNT + 3
    package = tmp_path / "openbaar.gpkg"
    assert main(["export", "--plan", str(grown), "--profile", "public", "--format", "gpkg",
                 "--out", str(package)]) == 0  # fmt: skip
    info = pyogrio.read_info(package, layer="areas")
    types = dict(zip(info["fields"], info["dtypes"], strict=True))
    assert types["members"] == types["capacity_left"] == "int64"
