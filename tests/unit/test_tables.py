"""Formula escaping: the quick test of the first character changes no cell."""

from __future__ import annotations

import itertools
import re

from geo.tables import escape_formula, unescape_formula


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
