"""argparse that speaks Dutch to the planner: usage, headings and the errors of a mistyped
command (argparse writes them in English, through gettext, with no Dutch catalogue)."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable
from typing import NoReturn

_TYPES = {"int": "een geheel getal", "float": "een getal"}
_ERRORS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"the following arguments are required: (.*)"), r"deze argumenten ontbreken: \1"),
    (re.compile(r"one of the arguments (.*) is required"), r"een van deze argumenten is nodig: \1"),
    (re.compile(r"unrecognized arguments: (.*)"), r"onbekende argumenten: \1"),
    (
        re.compile(r"argument (.*?): invalid choice: (.*?) \(choose from (.*)\)"),
        r"argument \1: ongeldige keuze \2 (kies uit \3)",
    ),
    (
        re.compile(r"argument (.*?): expected one argument"),
        r"argument \1: hier hoort een waarde bij",
    ),
    (
        re.compile(r"argument (.*?): expected at least one argument"),
        r"argument \1: hier hoort minstens één waarde bij",
    ),
    (
        re.compile(r"argument (.*?): expected (\d+) arguments"),
        r"argument \1: hier horen \2 waarden bij",
    ),
    (
        re.compile(r"argument (.*?): not allowed with argument (.*)"),
        r"argument \1: niet samen met \2",
    ),
    (
        re.compile(r"argument (.*?): ignored explicit argument (.*)"),
        r"argument \1: hier hoort geen waarde bij (\2)",
    ),
    (
        re.compile(r"ambiguous option: (.*?) could match (.*)"),
        r"onduidelijke optie \1: dat kan \2 zijn",
    ),
)
_INVALID_VALUE = re.compile(r"argument (.*?): invalid (\w+) value: (.*)")


def dutch(message: str) -> str:
    """argparse's English error ``message`` in Dutch (as it is when it is not one of them)."""
    invalid = _INVALID_VALUE.fullmatch(message)
    if invalid:
        expected = _TYPES.get(invalid[2], invalid[2])
        return f"argument {invalid[1]}: ongeldige waarde {invalid[3]} (verwacht {expected})"
    for pattern, replacement in _ERRORS:
        if pattern.fullmatch(message):
            return pattern.sub(replacement, message)
    return message


class DutchHelpFormatter(argparse.HelpFormatter):
    """Help and usage headed ``gebruik:``."""

    def add_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[argparse._MutuallyExclusiveGroup],
        prefix: str | None = None,
    ) -> None:
        super().add_usage(usage, actions, groups, "gebruik: " if prefix is None else prefix)


class DutchArgumentParser(argparse.ArgumentParser):
    """An :class:`argparse.ArgumentParser` (and its sub-command parsers) in Dutch."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("formatter_class", DutchHelpFormatter)
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._positionals.title = "argumenten"
        self._optionals.title = "opties"
        self.add_argument("-h", "--help", action="help", help="deze hulp tonen en stoppen")

    def error(self, message: str) -> NoReturn:
        """Usage and the error in Dutch, exit code 2 (as argparse)."""
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: fout: {dutch(message)}\n")
