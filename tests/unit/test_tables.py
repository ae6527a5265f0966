"""Formula escaping: the quick test of the first character changes no cell, and reading undoes
exactly what writing did."""

from __future__ import annotations

import itertools
import re

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.tables import escape_column, escape_formula, unescape_column, unescape_formula


def _by_the_rule(value: object) -> object:
    """The escaping rule as written before the first-character shortcut."""
    if not isinstance(value, str):
        return value
    formula = value.startswith(("=", "+", "-", "@", "\t", "\r"))
    if (formula and not re.match(r"^[+-]?\d[\d.,]*$", value)) or re.match(r"^'+[=+\-@\t\r]", value):
        return "'" + value
    return value


def test_escaping_is_the_rule_for_every_short_text() -> None:
    alphabet = "=+-@\t\r'a1 .,"
    texts = ["".join(p) for n in range(4) for p in itertools.product(alphabet, repeat=n)]
    for value in [*texts, "+31612345678", "-1,5", "=SUM(A1)", "''=x", None, 3, 2.5]:
        assert escape_formula(value) == _by_the_rule(value), repr(value)
        if isinstance(value, str):
            assert unescape_formula(str(escape_formula(value))) == value


# Text that starts with the characters the escaping looks at more often than random text does.
_RISKY_TEXT = st.text(alphabet=st.sampled_from(list("=+-@\t\r'a1 .,\n")), max_size=6) | st.text()


@settings(max_examples=300, deadline=None)
@given(values=st.lists(_RISKY_TEXT, max_size=300), string_dtype=st.booleans())
def test_unescape_column_undoes_escape_column(values: list[str], string_dtype: bool) -> None:
    dtype = pd.StringDtype() if string_dtype else object
    column = pd.Series(values, dtype=dtype, name="naam")
    back = unescape_column(escape_column(column))
    assert back.to_list() == values
    if string_dtype:
        assert back.dtype == column.dtype
    assert back.name == "naam"


def test_unescape_column_is_unescape_formula_per_cell() -> None:
    cells = ["'=Bert", "''=x", "'abc", "'+31 6", "'\tx", "plain", "", "'", "'-1"]
    column = pd.Series(cells, dtype=pd.StringDtype(), index=range(10, 19))
    back = unescape_column(column)
    assert back.to_list() == [unescape_formula(cell) for cell in cells]
    assert back.index.to_list() == list(range(10, 19))


def test_unescape_column_returns_a_column_without_quotes_itself() -> None:
    column = pd.Series(["Bert", "=x", "+31612345678"], dtype=pd.StringDtype())
    assert unescape_column(column) is column
