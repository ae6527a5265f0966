"""Fast paths of intake, geocoding and CSV writing give what the plain per-cell code gives."""

from __future__ import annotations

import csv
import math
import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo.geocode import _records
from geo.intake import _digits, normalize_phone
from geo.register import AddressRegister
from geo.tables import _MANY_RISKY, _clean_cells, escape_column, escape_formula, write_csv

MIXED = ["=1+2", "+hoi", "-min", "@at", "\tTab", "\rCR", "'=al", "''=twee", "'gewoon", "Fenna",
         "+31612345678", "-1,5", "+1\n", "+\u0663\u0661", "=", "'", "", "Zoë", "+", "-12a"]  # fmt: skip


def _reference_write(frame: pd.DataFrame, path: Path) -> None:
    """write_csv cell by cell: a deep copy, escape_formula on every cell of text columns, and
    every cell quoted when a text cell or header holds a lone carriage return."""
    safe = frame.copy()
    text = [
        c for c in safe.columns if safe[c].dtype == object or pd.api.types.is_string_dtype(safe[c])
    ]
    for column in text:
        safe[column] = safe[column].map(escape_formula)
    safe.columns = pd.Index([escape_formula(column) for column in safe.columns])
    cells = [*safe.columns, *(v for c in text for v in safe[escape_formula(c)])]
    quote_all = any(isinstance(cell, str) and "\r" in cell for cell in cells)
    quoting = csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
    safe.to_csv(path, index=False, encoding="utf-8-sig", quoting=quoting)


@pytest.mark.parametrize("dtype", ["str", "string", "string[python]", object, "category"])
@pytest.mark.parametrize("size", [3, len(MIXED), 4 * _MANY_RISKY])
def test_escape_column_is_escape_formula_on_every_cell(
    dtype: str | type[object], size: int
) -> None:
    values: list[object] = [MIXED[i % len(MIXED)] for i in range(size)]
    values[1] = None  # a missing cell
    column = pd.Series(values, dtype=dtype, index=range(10, 10 + size), name="naam")
    expected = column.map(escape_formula)
    escaped = escape_column(column)
    pd.testing.assert_series_equal(escaped, expected)
    assert column.tolist()[0] == values[0]  # the column itself is not changed


@pytest.mark.parametrize("dtype", ["str", "string"])
def test_many_plus_numbers_are_plain_and_the_rest_is_escaped(dtype: str) -> None:
    numbers = [f"+3161234{i:04d}" for i in range(2 * _MANY_RISKY)]
    values = [*numbers, "+31 6 12", "+\u0663\u0661", "+1\n", "-5", "=1", None]
    column = pd.Series(values, dtype=dtype)
    pd.testing.assert_series_equal(escape_column(column), column.map(escape_formula))


def test_a_plain_text_column_is_returned_itself() -> None:
    column = pd.Series(["Fenna", None, "Kerkstraat 12", "6166 AB"], dtype="str")
    assert escape_column(column) is column


def test_write_csv_bytes_equal_the_per_cell_writer(tmp_path: Path) -> None:
    size = 3 * _MANY_RISKY
    frame = pd.DataFrame(
        {
            "=kop": pd.Series([MIXED[i % len(MIXED)] for i in range(size)], dtype="str"),
            "telefoon": pd.Series([f"+3161234{i:04d}" for i in range(size)], dtype="str"),
            "plain": pd.Series(["Fenna"] * (size - 1) + [None], dtype="str"),
            "string": pd.Series([None, "=x", *["y"] * (size - 2)], dtype="string"),
            "object": pd.Series([1, "=x", None, 2.5, *["'=a"] * (size - 4)], dtype=object),
            "none": pd.Series([None] * size, dtype=object),
            "huisnummer": pd.Series([1, None, *[3] * (size - 2)], dtype="Int64"),
            "lat": [52.1, math.nan, *[1e-05] * (size - 2)],
            "beheerder": [True, False, *[True] * (size - 2)],
        },
        index=[i // 2 for i in range(size)],  # a repeated index
    )
    before = frame.copy()
    write_csv(frame, tmp_path / "fast.csv", private=True)
    _reference_write(frame, tmp_path / "reference.csv")
    assert (tmp_path / "fast.csv").read_bytes() == (tmp_path / "reference.csv").read_bytes()
    pd.testing.assert_frame_equal(frame, before)  # the caller's frame is untouched


def _reference_clean(cell: str) -> str:
    text = "".join(c for c in cell if unicodedata.category(c) != "Cf").strip()
    return text[1:] if re.match(r"^'+[=+\-@\t\r]", text) else text


def test_clean_cells_is_the_per_cell_rule() -> None:
    cells = [" '=x ", "''=x", "'x", "\u200b'=x", "a\u202eb", " Zoë ", "", "'", "'\t1", "=y"]
    assert _clean_cells(cells) == [_reference_clean(cell) for cell in cells]


def _same_value(a: object, b: object) -> bool:
    if type(a) is not type(b):
        return False
    return a is b or a == b or (isinstance(a, float) and math.isnan(a) and math.isnan(b))  # type: ignore[arg-type]


def test_records_are_to_dict_records() -> None:
    frame = pd.DataFrame(
        {
            "row": [2, 3, 4],
            "naam": pd.Series(["Fenna", None, "Zoë"], dtype="str"),
            "string": pd.Series(["a", None, pd.NA], dtype="string"),
            "python": pd.Series(["a", None, "b"], dtype="string[python]"),
            "huisnummer": pd.Series([1, None, 3], dtype="Int64"),
            "fraction": pd.Series([1.5, None, 2], dtype="Float64"),
            "flag": pd.Series([True, None, False], dtype="boolean"),
            "beheerder": [True, False, True],
            "lat": [52.1, math.nan, 5.0],
            "small": pd.Series([1, 2, 3], dtype="int8"),
            "object": pd.Series([None, np.int64(3), "x"], dtype=object),
            "arrow": pd.Series([1, None, 3], dtype="int64[pyarrow]"),
            "category": pd.Series(["a", None, "a"], dtype="category"),
            "when": pd.to_datetime(pd.Series(["2026-01-01", None, "2026-02-01"])),
            7: [1, 2, 3],
        }
    )
    for subset in (frame, frame.iloc[0:0]):
        expected = [{str(k): v for k, v in r.items()} for r in subset.to_dict("records")]
        found = _records(subset)
        assert [list(r) for r in found] == [list(r) for r in expected]
        for got, want in zip(found, expected, strict=True):
            assert all(_same_value(got[k], want[k]) for k in want), (got, want)


def test_digit_count_keeps_unicode_digits() -> None:
    assert _digits("06 (werk) \u0663\u0661 \u00b2") == 5  # str.isdigit, as before


@pytest.mark.parametrize(
    ("text", "expected"),
    [("612345678.0", "+31612345678"), ("06-12.34.56.78", "+31612345678")],
)
def test_phone_patterns_still_read(text: str, expected: str) -> None:
    assert normalize_phone(text)[0] == expected


@pytest.mark.parametrize("text", ["06 12345678 / 06 87654321", "0612345678 en 0687654321"])
def test_two_numbers_in_a_cell_are_still_refused(text: str) -> None:
    with pytest.raises(ValueError, match="meer dan één nummer"):
        normalize_phone(text)


def test_register_text_columns_are_stripped_one_by_one() -> None:
    frame = pd.DataFrame(
        {
            "straat": [" Kerkstraat ", None, "Dorpsweg"],
            "huisnummer": ["12a", " 3 ", 7],
            "huisletter": [" a", None, ""],
            "postcode": ["6166ab", " 1234 AB", np.nan],
            "lat": ["51,1", "51.2", 51.3],
            "lon": [5.1, "5,2", 5],
            "bag_id": [1, None, "x"],
        }
    )
    table = AddressRegister(frame, name="proef").frame
    assert table["straat"].tolist() == ["Kerkstraat", "", "Dorpsweg"]
    assert table["huisletter"].tolist() == ["A", "", ""]
    assert table["bag_id"].tolist() == ["1", "", "x"]
    assert table["postcode"].tolist() == ["6166 AB", "1234 AB", ""]
