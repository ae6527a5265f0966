"""Dutch wording a planner reads, shared by the command line and the app (one rule, one place).

Pure: no store, no UI, no imports beyond the standard library, so the CLI can use it without
loading anything heavy.
"""

from __future__ import annotations


def noun(count: int, one: str, many: str) -> str:
    """The Dutch word (or words) for ``count`` of something: ``one`` for 1, else ``many``.

    Also for a verb that goes with the count: ``noun(n, "staat", "staan")``.
    """
    return one if count == 1 else many


def counted(count: int, one: str, many: str) -> str:
    """A count with the Dutch word for one or for more: ``1 lid``, ``2 leden``, ``0 leden``.

    ``one`` and ``many`` may carry more words: ``counted(n, "lid wacht", "leden wachten")``.
    """
    return f"{count} {noun(count, one, many)}"


def decimal(value: float, places: int = 2) -> str:
    """``value`` to ``places`` decimals with the Dutch decimal comma, without trailing zeros:
    ``0,8``, ``2,5``, ``94,5``, ``45``."""
    text = f"{value:.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")
