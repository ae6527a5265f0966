"""The command line: exit codes, one-line errors, files written owner-only, the demo."""

from __future__ import annotations

import csv
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from geo.cli import EXIT_ERROR, EXIT_PENDING, main
from tests.conftest import write_text

APPLICANTS = """Naam;Adres;Postcode;Woonplaats;Leeftijd;Telefoon;Beheerder
Fenna Fictief;Kerkstraat 12a;6166AB;Geleen;44;0612345678;ja
Gijs Gefingeerd;Kerkstraat 14-2;6166AB;Geleen;16;0687654321;
Hanna Verzonnen;Markt 7;6161GE;Geleen;70;0611223344;nee
Ids Onbekend;Nergensweg 1;6161GE;Geleen;33;0655443322;
"""
REGISTER = """straat,huisnummer,huisletter,toevoeging,postcode,woonplaats,lat,lon
Kerkstraat,12,A,,6166AB,Geleen,50.9725,5.8274
Markt,7,,,6161GE,Geleen,50.9731,5.8281
"""


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    return write_text(tmp_path / "aanmeldingen.csv", APPLICANTS, "cp1252"), write_text(
        tmp_path / "bag.csv", REGISTER
    )


def test_intake_offline_writes_every_row_somewhere(
    tmp_path: Path, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    applicants, register = files
    out = tmp_path / "uit"
    code = main(
        [
            "intake",
            "--applicants",
            str(applicants),
            "--addresses",
            str(register),
            "--offline",
            "--cache-dir",
            str(tmp_path / "c"),
            "--out",
            str(out),
        ]
    )
    assert code == EXIT_PENDING  # "Nergensweg 1" is not in the register and we are offline
    accepted, rejects, pending = (
        read(out / "applicants.csv"),
        read(out / "rejects.csv"),
        read(out / "pending.csv"),
    )
    assert [r["naam"] for r in accepted] == ["Fenna Fictief", "Hanna Verzonnen"]
    assert [r["row"] for r in rejects] == ["3"]
    assert [r["row"] for r in pending] == ["5"]
    required = {
        "row",
        "naam",
        "straat",
        "huisnummer",
        "huisletter",
        "toevoeging",
        "postcode",
        "woonplaats",
        "telefoon",
        "beheerder",
        "lat",
        "lon",
        "geocode_source",
    }
    assert required <= set(accepted[0])
    assert accepted[0]["telefoon"] == "+31612345678"
    for name in ("applicants.csv", "rejects.csv", "pending.csv"):
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o600
    summary = capsys.readouterr().out
    assert "4 aanmeldingen gelezen: 2 aangenomen, 1 afgewezen, 1 nog niet gevonden" in summary
    assert "Fenna" not in summary  # no personal data on screen


@pytest.mark.parametrize(
    ("content", "message"),
    [("", "leeg"), ("Adres;Telefoon\nKerkstraat 1;0612345678\n", "geen kolom met de naam")],
)
def test_bad_file_is_one_line_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    path = write_text(tmp_path / "a.csv", content)
    code = main(["intake", "--applicants", str(path), "--offline", "--out", str(tmp_path / "uit")])
    err = capsys.readouterr().err
    assert code == EXIT_ERROR
    assert err.startswith("fout: ") and message in err
    assert err.count("\n") == 1
    assert not (tmp_path / "uit").exists()


def test_unreadable_register_is_a_clear_error(
    tmp_path: Path, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    applicants, _ = files
    code = main(
        [
            "intake",
            "--applicants",
            str(applicants),
            "--addresses",
            str(tmp_path / "nope.csv"),
            "--offline",
            "--out",
            str(tmp_path),
        ]
    )
    assert code == EXIT_ERROR
    assert "bestand niet gevonden" in capsys.readouterr().err


def test_help_lists_the_commands() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "geo", "--help"], capture_output=True, text=True, check=True
    )
    assert "intake" in result.stdout and "demo" in result.stdout


@pytest.mark.slow
def test_demo_runs_offline_on_the_embedded_data(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "geo", "demo", "--out", str(tmp_path), "--count", "300"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "300 aanmeldingen gelezen" in result.stdout
    deviation = re.search(r"afwijking van het gemiddelde hoogstens (\S+)%", result.stdout)
    assert deviation and re.fullmatch(r"\d+(,\d+)?", deviation.group(1)), "a decimal comma"
    accepted, rejects = read(tmp_path / "applicants.csv"), read(tmp_path / "rejects.csv")
    assert len(accepted) + len(rejects) == 300
    assert 4 <= len(rejects) < 20  # the demo spoils a few rows on purpose
    lats = [float(r["lat"]) for r in accepted]
    assert all(60.16 < lat < 60.18 for lat in lats)  # central Helsinki
    assert "Traceback" not in result.stderr


def test_fetch_from_local_files_writes_one_geopackage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import geopandas as gpd
    import pyogrio
    from shapely import box

    from tests.conftest import FIXTURES

    boundary = tmp_path / "grens.geojson"
    gpd.GeoDataFrame(
        {"naam": ["Mini"]}, geometry=[box(5.819, 50.969, 5.827, 50.975)], crs=4326
    ).to_file(boundary)
    register = write_text(
        tmp_path / "bag.csv", "straat,huisnummer,lat,lon\nKerkstraat,1,50.971,5.821\n"
    )
    out = tmp_path / "wijk.gpkg"
    code = main(
        [
            "fetch",
            "--boundary",
            str(boundary),
            "--streets",
            str(FIXTURES / "mini.osm"),
            "--addresses",
            str(register),
            "--out",
            str(out),
        ]
    )
    assert code == 0
    assert sorted(pyogrio.list_layers(out)[:, 0]) == ["addresses", "boundary", "streets"]
    assert "Mini: 5 straatdelen, 1 woonadres -> " in capsys.readouterr().out


def test_fetch_online_without_network_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import requests

    def no_network(*args: object, **kwargs: object) -> None:
        raise requests.ConnectionError("Name or service not known")

    waits: list[float] = []
    monkeypatch.setattr(requests.Session, "get", no_network)
    monkeypatch.setattr("geo._http.time.sleep", waits.append)
    monkeypatch.setenv("GEO_CACHE_DIR", str(tmp_path / "cache"))
    code = main(
        [
            "fetch",
            "--buurt",
            "BU18830101",
            "--gemeente",
            "GM1883",
            "--out",
            str(tmp_path / "w.gpkg"),
        ]
    )
    err = capsys.readouterr().err
    assert code == EXIT_ERROR
    assert err.startswith("fout: api.pdok.nl is niet bereikbaar (ConnectionError, 4 pogingen)")
    assert waits == [2.0, 4.0, 8.0]


def test_fetch_wijk_needs_a_gemeente(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fetch", "--wijk", "Geleen", "--out", str(tmp_path / "w.gpkg")]) == EXIT_ERROR
    assert "--gemeente" in capsys.readouterr().err


@pytest.mark.slow
def test_plan_then_assign_from_the_command_line(tmp_path: Path) -> None:
    import json

    import geopandas as gpd

    demo = tmp_path / "demo"
    assert main(["demo", "--out", str(demo), "--count", "900"]) == 0
    everyone = read(demo / "aanmeldingen.csv")
    header = list(everyone[0])
    first, later = everyone[:700], everyone[700:]

    def write(rows: list[dict[str, str]], name: str) -> Path:
        lines = [";".join(header)] + [";".join(r[h] for h in header) for r in rows]
        return write_text(tmp_path / name, "\n".join(lines) + "\n")

    wijk = demo / "wijk.gpkg"
    plan_dir = tmp_path / "plan"
    code = main(
        [
            "plan",
            "--boundary",
            str(wijk),
            "--streets",
            str(wijk),
            "--applicants",
            str(write(first, "eerst.csv")),
            "--offline",
            "--per-area",
            "--out",
            str(plan_dir),
        ]
    )
    assert code == 0
    areas = gpd.read_file(plan_dir / "areas.geojson")
    assert areas.crs.to_epsg() == 4326
    assert set(areas.columns) >= {
        "area_id",
        "name",
        "members",
        "capacity_left",
        "streets",
        "beheerder_needed",
        "neighbours",
    }
    metrics = json.loads((plan_dir / "plan.json").read_text())
    assert metrics["all_under_cap"] and metrics["contiguous_areas"] == metrics["areas"]
    public = "".join(
        (plan_dir / name).read_text(encoding="utf-8")
        for name in ("areas.geojson", "plan.json", "signs.geojson", "signs_map.html", "map.html")
    )
    signs = gpd.read_file(plan_dir / "signs.geojson")
    assert set(signs["area_id"]) == set(areas["area_id"]), "signs at the entrances of every area"
    for person in first:
        assert person["Naam"] not in public and person["Telefoon"] not in public
    roster = read(plan_dir / "members.csv")
    assert stat.S_IMODE((plan_dir / "members.csv").stat().st_mode) == 0o600
    assert sum(r["is_beheerder"] == "True" for r in roster) <= len(areas)

    out = tmp_path / "plan2"
    code = main(
        [
            "assign",
            "--plan",
            str(plan_dir),
            "--applicants",
            str(write(later, "later.csv")),
            "--offline",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    before = {r["telefoon"]: r["area_id"] for r in roster}
    after = {r["telefoon"]: r["area_id"] for r in read(out / "members.csv")}
    assert len(after) > len(before)
    assert all(after[phone] == area for phone, area in before.items()), (
        "nobody moved (no area passed the cap)"
    )


# --- issue 12: project store messages (owned by the project-store fixes; append others below) ---


def _grid_project(tmp_path: Path) -> tuple[Path, Path]:
    """A project on a small street grid and a sheet of 12 fictitious sign-ups with coordinates."""
    import geopandas as gpd

    from geo.sources import Wijk, save_wijk
    from tests.grids import RD, grid_boundary, grid_streets, members_along

    streets = grid_streets(3, 3)
    boundary = gpd.GeoDataFrame({"name": ["Oud-Geleen"]}, geometry=[grid_boundary(3, 3)], crs=RD)
    addresses = gpd.GeoDataFrame({"straat": [], "huisnummer": []}, geometry=[], crs=RD)
    save_wijk(
        Wijk(boundary.to_crs(4326), streets.to_crs(4326), addresses.to_crs(4326)),
        tmp_path / "wijk.gpkg",
    )
    project = tmp_path / "p.sqlite"
    argv = ["project", "init", "--project", str(project), "--wijk", str(tmp_path / "wijk.gpkg")]
    assert main(argv) == 0
    lines = ["Naam;Straat;Huisnummer;Woonplaats;Leeftijd;Telefoon;lat;lon"]
    for n, row in enumerate(members_along(streets, 12, seed=1).to_crs(4326).itertuples()):
        lines.append(
            f"Proef Persoon {n};{row.straat};{row.huisnummer};Geleen;40;06{30_000_000 + n:08d};"
            f"{row.geometry.y:.7f};{row.geometry.x:.7f}"
        )
    return project, write_text(tmp_path / "aanmeldingen.csv", "\n".join(lines) + "\n")


def test_project_import_names_the_members_whose_group_changed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review 58: the command line only counted "10 bestaande leden verplaatst"; the planner
    could not tell those people that their WhatsApp group changed."""
    monkeypatch.setenv("GEO_MAX_MEMBERS", "5")
    project, sheet = _grid_project(tmp_path)
    header, *rows = sheet.read_text(encoding="utf-8").splitlines()
    first = write_text(tmp_path / "een.csv", "\n".join([header, *rows[:4]]) + "\n")
    rest = write_text(tmp_path / "twee.csv", "\n".join([header, *rows[4:]]) + "\n")
    assert main(_imports(project, first)) == 0
    capsys.readouterr()
    assert main(_imports(project, rest)) == 0
    out = capsys.readouterr().out
    moved = int(out.split(" bestaande leden verplaatst")[0].rsplit(" ", 1)[-1])
    listed = [line for line in out.splitlines() if line.startswith("  Proef Persoon ")]
    assert moved > 0 and "van groep veranderd (laat het ze weten):" in out
    assert len(listed) == moved and all("→ gebied" in line for line in listed)


def test_project_restore_from_a_missing_backup_says_the_backup_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["project", "restore", "--project", str(tmp_path / "p.sqlite")]
    assert main([*argv, "--from", str(tmp_path / "nergens.sqlite")]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert err.startswith("fout: reservekopie ") and "nergens.sqlite bestaat niet" in err
    assert "project init" not in err and "project backup" in err
    assert not (tmp_path / "p.sqlite").exists()


def test_project_import_twice_reports_al_aangemeld(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project, sheet = _grid_project(tmp_path)
    argv = ["project", "import", "--project", str(project), "--applicants", str(sheet), "--offline"]
    assert main(argv) == 0
    assert "12 aangenomen" in capsys.readouterr().out
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "0 aangenomen, 0 afgewezen" in out and "12 al aangemeld" in out
    assert "aanmeldingen: 12 aangenomen, 0 afgewezen" in out, "no reject rows stored again"


def test_project_with_a_cap_above_whatsapp_is_clamped_and_said(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import sqlite3

    project, _ = _grid_project(tmp_path)
    with sqlite3.connect(project) as raw:
        raw.execute("UPDATE meta SET value = '400' WHERE key = 'max_members'")
    raw.close()
    assert main(["project", "status", "--project", str(project)]) == 0
    err = capsys.readouterr().err
    assert err.startswith("let op: ") and "400" in err and "255" in err


# --- counts in the summaries: one thing in the singular (1 lid, 1 gebied, 1 wacht) ---


def _one_and_one_waiting(tmp_path: Path) -> tuple[Path, Path]:
    """A project on a small grid and a sheet of two fictitious sign-ups: one with coordinates
    (accepted), one without (waits for an address: offline, and the wijk has no register)."""
    from tests.grids import grid_streets, members_along

    project, _ = _grid_project(tmp_path)
    row = next(members_along(grid_streets(3, 3), 1, seed=2).to_crs(4326).itertuples())
    sheet = write_text(
        tmp_path / "twee.csv",
        "Naam;Straat;Huisnummer;Woonplaats;Leeftijd;Telefoon;Beheerder;lat;lon\n"
        f"Enig Lid;{row.straat};{row.huisnummer};Geleen;40;0630000100;ja;"
        f"{row.geometry.y:.7f};{row.geometry.x:.7f}\n"
        "Wachtend Persoon;Onvindbaarstraat;9;Geleen;50;0630000101;;;\n",
    )
    return project, sheet


def _imports(project: Path, sheet: Path) -> list[str]:
    return ["project", "import", "--project", str(project), "--applicants", str(sheet), "--offline"]


def test_project_summaries_say_one_in_the_singular(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project, sheet = _one_and_one_waiting(tmp_path)
    capsys.readouterr()
    assert main(_imports(project, sheet)) == 0
    out = capsys.readouterr().out
    assert "2 aanmeldingen gelezen: 1 aangenomen, 0 afgewezen, 1 nog niet gevonden" in out
    assert "1 lid geplaatst; 0 bestaande leden verplaatst" in out
    assert "1 wacht op een adres; 1 gebied\n" in out
    assert "  gebied 1: 1 lid\n" in out
    assert "wachten" not in out and "1 leden" not in out and "1 gebieden" not in out
    first = write_text(tmp_path / "een.csv", "\n".join(sheet.read_text().splitlines()[:2]) + "\n")
    assert main(_imports(project, first)) == 0
    out = capsys.readouterr().out
    assert "1 aanmelding gelezen: 0 aangenomen" in out
    assert "1 al aangemeld (stond al in het project)" in out
    assert main(["project", "forget", "--project", str(project), "--telefoon", "0630000100"]) == 0
    out = capsys.readouterr().out
    assert "1 aanmelding verwijderd" in out and "aanmelding(en)" not in out


def test_notify_summaries_say_one_in_the_singular(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project, sheet = _one_and_one_waiting(tmp_path)
    assert main(_imports(project, sheet)) == 0
    capsys.readouterr()
    notify = ["notify", "--project", str(project), "--area", "1"]
    assert main([*notify, "--toegevoegd", "--operationeel"]) == 0
    out = capsys.readouterr().out
    assert "1 lid van gebied 1 staat nu als toegevoegd" in out
    assert "gebied 1: 1 lid — " in out
    assert "gebied 1: 1 bericht te versturen (0 per e-mail, 1 via WhatsApp-link" in out
    assert "0 leden hadden al bericht" in out
    assert " leden van gebied" not in out and "1 berichten" not in out
    assert main([*notify, "--eml-dir", str(tmp_path / "concepten")]) == 0
    out = capsys.readouterr().out
    assert "1 lid zonder e-mail: maak de WhatsApp-link met --wa-links FILE" in out


def test_a_plan_of_one_waiting_sign_up_says_so_in_the_singular(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, sheet = _one_and_one_waiting(tmp_path)
    waiting = write_text(
        tmp_path / "een.csv", "\n".join(sheet.read_text(encoding="utf-8").splitlines()[::2]) + "\n"
    )
    wijk = str(tmp_path / "wijk.gpkg")
    argv = ["plan", "--boundary", wijk, "--streets", wijk, "--applicants", str(waiting)]
    assert main([*argv, "--offline", "--out", str(tmp_path / "uit")]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert err.startswith("fout: de aanmelding is niet aangenomen (0 afgewezen, 1 wacht op een ")
    assert "geen van de 1 " not in err


def test_intake_summary_says_one_sign_up_and_one_empty_row_in_the_singular(
    tmp_path: Path, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _, register = files
    header, first = APPLICANTS.splitlines()[:2]
    applicants = write_text(tmp_path / "een.csv", f"{header}\n;;;;;;\n{first}\n")
    argv = ["intake", "--applicants", str(applicants), "--addresses", str(register), "--offline"]
    assert main([*argv, "--cache-dir", str(tmp_path / "c"), "--out", str(tmp_path / "uit")]) == 0
    out = capsys.readouterr().out
    assert "1 aanmelding gelezen: 1 aangenomen, 0 afgewezen, 0 nog niet gevonden" in out
    assert "(1 lege regel overgeslagen)" in out


def test_fetch_offline_builds_a_wijk_from_files_without_a_register(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import geopandas as gpd
    import pyogrio

    import geo.workflow
    from tests.grids import RD, grid_boundary, grid_streets

    def no_network(*_: object, **__: object) -> None:
        raise AssertionError("--offline asked a service")

    monkeypatch.setattr(geo.workflow, "addresses_from_bag", no_network)
    monkeypatch.setattr(geo.workflow, "boundary_from_cbs", no_network)
    boundary, streets = tmp_path / "grens.geojson", tmp_path / "straten.geojson"
    gpd.GeoDataFrame({"name": ["Raster"]}, geometry=[grid_boundary(2, 2)], crs=RD).to_file(boundary)
    grid_streets(2, 2).to_file(streets)
    out = tmp_path / "wijk.gpkg"
    args = ["fetch", "--boundary", str(boundary), "--streets", str(streets), "--offline"]
    assert main([*args, "--out", str(out)]) == 0
    assert "0 woonadressen" in capsys.readouterr().out
    assert pyogrio.read_info(out, layer="addresses")["features"] == 0
    assert (
        main(["project", "init", "--project", str(tmp_path / "p.sqlite"), "--wijk", str(out)]) == 0
    )
    capsys.readouterr()
    assert main(["fetch", "--wijk", "Oud-Geleen", "--gemeente", "GM1883", "--offline",
                 "--out", str(tmp_path / "w2.gpkg")]) == EXIT_ERROR  # fmt: skip
    assert "--boundary" in capsys.readouterr().err


def test_a_beheerder_chosen_on_the_command_line_lets_the_group_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from geo.store import Store

    project, sheet = _one_and_one_waiting(tmp_path)
    write_text(sheet, sheet.read_text(encoding="utf-8").replace(";ja;", ";;"))  # nobody offers
    assert main(_imports(project, sheet)) == 0
    notify = ["notify", "--project", str(project), "--area", "1", "--operationeel"]
    capsys.readouterr()
    assert main(notify) == EXIT_ERROR
    assert "project beheerder" in capsys.readouterr().err
    store = Store.open(project)
    (number,) = store.applicants("accepted")["id"]
    store.close()
    choose = ["project", "beheerder", "--project", str(project), "--gebied", "1"]
    assert main([*choose, "--nummer", str(number)]) == 0
    assert f"aanmelding nr. {number} is de beheerder" in capsys.readouterr().out
    assert main(notify) == 0
    assert main([*choose, "--nummer", "999"]) == EXIT_ERROR
    assert "aanmelding nr. 999 bestaat niet in dit project" in capsys.readouterr().err
    forget = ["project", "forget", "--project", str(project), "--nummer", "999"]
    assert main(forget) == EXIT_ERROR, "review 58: a typo in the number is no success"
    assert "dit nummer staat niet in het project" in capsys.readouterr().err
    choose[-1] = "7"  # no such area
    assert main([*choose, "--nummer", str(number)]) == EXIT_ERROR
    assert "gebied 7 bestaat niet" in capsys.readouterr().err
    assert main(["notify", "--project", str(project), "--area", "7"]) == EXIT_ERROR
    assert "gebied 7 bestaat niet" in capsys.readouterr().err
    name = ["project", "naam", "--project", str(project), "--gebied", "1", "--naam", "Kerkbuurt"]
    assert main(name) == 0
    assert "gebied 1 heet nu 'Kerkbuurt'" in capsys.readouterr().out
    assert main(name) == 0
    assert "gebied 1 heet al 'Kerkbuurt'" in capsys.readouterr().out
