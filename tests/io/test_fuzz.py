"""Fuzzing the front door: whatever a planner's file holds, the CLI answers without a traceback,
loses no row, and never writes a spreadsheet formula into a CSV.

Shapes from the hostile test of issue 12: stray quotes (rows in match the file's lines, or the
file is refused with a line number), formulas in header cells, UTF-16 and files mixing UTF-8
and Windows-1252 lines, invisible format characters, words next to phone numbers."""

from __future__ import annotations

import contextlib
import csv
import io
import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from geo.cli import main
from geo.tables import read_rows

FORMULAS = ["=cmd|' /C calc'!A0", '+HYPERLINK("http://x")', "-2+3", "@SUM(A1:A9)", "=1+1"]
HEADER = "Naam;Adres;Postcode;Woonplaats;Leeftijd;Telefoon;Beheerder"
NUMBER = re.compile(r"^[+-]?\d+([.,]\d+)?$")
OUTPUTS = ("applicants.csv", "rejects.csv", "pending.csv")


def run_intake(data: bytes, suffix: str) -> tuple[int, Path]:
    folder = Path(tempfile.mkdtemp(prefix="fuzz-"))
    source = folder / f"aanmeldingen{suffix}"
    source.write_bytes(data)
    code = main(
        ["intake", "--applicants", str(source), "--offline", "--cache-dir", str(folder / "c"),
         "--out", str(folder / "uit")]
    )  # fmt: skip
    return code, folder / "uit"


def assert_no_formula_written(out: Path) -> None:
    for name in OUTPUTS:
        path = out / name
        if not path.exists():
            continue
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.reader(handle):
                for cell in row:
                    if cell[:1] in {"=", "+", "-", "@"}:
                        assert NUMBER.match(cell), f"unescaped formula {cell!r} in {name}"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".csv", ".xlsx", ".txt", ""]))
def test_random_bytes_never_crash_the_cli(data: bytes, suffix: str) -> None:
    code, out = run_intake(data, suffix)
    assert code in {0, 1, 3}
    assert_no_formula_written(out)


def _one_line(cell: str) -> str:
    """A cell that stays one cell: no delimiter, quote or line break (a lone CR breaks lines too)."""
    return re.sub(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029\"]", " ", cell.replace(";", ","))


cells = st.one_of(
    st.sampled_from(FORMULAS),
    st.text(max_size=30),
    st.integers(2_000, 50_000).map(lambda n: ("Kerkstraat 12 " * n)[:n]),  # huge cells
    st.sampled_from(["0612345678 (werk)", "06-12345678 mob", "0612345678 na 18u", "0694071872",
                     "06-123456789", "0800 1234", "0900-8844", "31612345678", "3,16123E+10",
                     "18,5", "01-01-60", "Kerkstraat 18 boven", "'=Bert", "WAAR", "ONWAAR"]),
    st.sampled_from(["\u202e", "\u200b", "\ufeff", "\u2066"]).map(lambda c: f"Fenna{c} Fictief"),
)  # fmt: skip


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.lists(cells, min_size=7, max_size=7), min_size=1, max_size=12),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "mixed"]),
)
@example(rows=[[FORMULAS[0]] * 6 + ["\x00"]], encoding="utf-16")  # a NUL made rejects.csv binary
def test_odd_cells_and_encodings_lose_no_row_and_write_no_formula(
    rows: list[list[str]], encoding: str
) -> None:
    lines = [HEADER] + [";".join(_one_line(c) for c in row) for row in rows]
    if encoding == "mixed":  # UTF-8 and Windows-1252 lines in one file
        data = b"".join(
            (line + "\n").encode("cp1252" if i % 2 else "utf-8", errors="replace")
            for i, line in enumerate(lines)
        )
    else:
        data = ("\n".join(lines) + "\n").encode(encoding, errors="replace")
    code, out = run_intake(data, ".csv")
    assert code in {0, 1, 3}
    assert_no_formula_written(out)
    if code != 1:
        written = sum(len(read_rows(out / name)) - 1 for name in OUTPUTS)
        non_empty = sum(any(c.strip() for c in row) for row in rows)
        assert written == non_empty, "every row is accepted, rejected or pending"


def run_intake_quietly(data: bytes) -> tuple[int, Path, str]:
    """:func:`run_intake` on a CSV, with what the CLI printed as an error."""
    errors = io.StringIO()
    with contextlib.redirect_stderr(errors), contextlib.redirect_stdout(io.StringIO()):
        code, out = run_intake(data, ".csv")
    return code, out, errors.getvalue()


people = st.lists(
    st.tuples(st.integers(1, 999), st.sampled_from(["", '"'])), min_size=1, max_size=30
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=people,
    quote_column=st.integers(0, 6),
    extra=st.lists(st.sampled_from(FORMULAS), max_size=3, unique=True),
)
def test_stray_quotes_and_formula_headers(
    rows: list[tuple[int, str]], quote_column: int, extra: list[str]
) -> None:
    """A stray ``"`` at the start of a cell either is refused with its line number or costs no
    row; a header cell with a formula is written escaped and read back as it was."""
    labels = [*HEADER.split(";"), *(f.replace('"', "'") for f in extra)]
    lines = [";".join(labels)]
    for n, quote in rows:
        cells = [f"Deelnemer {n} Fictief", f"Kerkstraat {n}", "6166AB", "Geleen", "40",
                 f"06{10_000_000 + n:08d}", "", *("x" for _ in extra)]  # fmt: skip
        cells[quote_column] = quote + cells[quote_column]
        lines.append(";".join(cells))
    code, out, error = run_intake_quietly(("\n".join(lines) + "\n").encode())
    assert code in {0, 1, 3}
    assert_no_formula_written(out)
    if code == 1:
        assert re.search(r"regel \d+", error), error
        return
    written = sum(len(read_rows(out / name)) - 1 for name in OUTPUTS if (out / name).exists())
    assert written == len(rows), "rows in match the file's lines"
    rejects = out / "rejects.csv"
    if rejects.exists():
        assert set(labels) <= set(read_rows(rejects)[0]), "headers read back without the escape"
