"""A mistyped command gets its usage and error in Dutch, as everything else the planner reads."""

from __future__ import annotations

import pytest

from geo.cli import build_parser
from geo.dutch_argparse import dutch


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["plan", "--max-members", "x"], "argument --max-members: ongeldige waarde 'x' (verwacht een geheel getal)"),
        (["plan", "--out", "uit"], "deze argumenten ontbreken: --boundary, --streets, --applicants"),
        (["plannen"], "argument COMMAND: ongeldige keuze 'plannen' (kies uit 'intake'"),
        (["export", "--plan", "p", "--format", "xls", "--out", "u"], "argument --format: ongeldige keuze 'xls' (kies uit 'geojson'"),
        (["demo", "--out"], "argument --out: hier hoort een waarde bij"),
        (["demo", "--out", "u", "--snel"], "onbekende argumenten: --snel"),
        (["fetch", "--buurt", "--out", "w.gpkg"], "argument --buurt: hier hoort minstens één waarde bij"),
    ],
)  # fmt: skip
def test_a_mistyped_command_is_answered_in_dutch(
    argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        build_parser().parse_args(argv)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("gebruik: python -m geo"), err
    assert "fout: " + expected in err, err
    assert "error" not in err and "usage" not in err


def test_help_is_headed_in_dutch(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["plan", "--help"])
    out = capsys.readouterr().out
    assert out.startswith("gebruik: python -m geo plan")
    assert "opties:" in out and "deze hulp tonen en stoppen" in out


def test_a_message_argparse_has_no_dutch_for_passes_unchanged() -> None:
    assert dutch("iets nieuws") == "iets nieuws"
