"""argparse that speaks Dutch to the planner: usage, headings and the errors of a mistyped
command (argparse writes them in English, through gettext, with no Dutch catalogue)."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable
from typing import NoReturn

_TYPES = {"int": "een geheel getal", "float": "een getal", "decimal_number": "een getal"}
# argparse's messages (Python 3.11), an argument's own without its "argument X: " in front.
_MESSAGES = tuple(
    (re.compile(english), dutch)
    for english, dutch in (
        (r"the following arguments are required: (.*)", r"deze argumenten ontbreken: \1"),
        (r"one of the arguments (.*) is required", r"een van deze argumenten is nodig: \1"),
        (r"unrecognized arguments: (.*)", r"onbekende argumenten: \1"),
        (r"ambiguous option: (.*?) could match (.*)", r"onduidelijke optie \1: dat kan \2 zijn"),
        (r"invalid choice: (.*?) \(choose from (.*)\)", r"ongeldige keuze \1 (kies uit \2)"),
        (r"expected one argument", "hier hoort een waarde bij"),
        (r"expected at least one argument", "hier hoort minstens één waarde bij"),
        (r"expected (\d+) arguments", r"hier horen \1 waarden bij"),
        (r"not allowed with argument (.*)", r"niet samen met \1"),
        (r"ignored explicit argument (.*)", r"hier hoort geen waarde bij (\1)"),
    )
)
_ARGUMENT = re.compile(r"argument (.*?): (.*)", re.DOTALL)
_INVALID_VALUE = re.compile(r"invalid (\w+) value: (.*)", re.DOTALL)


def dutch(message: str) -> str:
    """argparse's English error ``message`` in Dutch (as it is when it is not one of them)."""
    argument = _ARGUMENT.fullmatch(message)
    if argument:
        return f"argument {argument[1]}: {_dutch_message(argument[2])}"
    return _dutch_message(message)


def _dutch_message(message: str) -> str:
    invalid = _INVALID_VALUE.fullmatch(message)
    if invalid:
        return f"ongeldige waarde {invalid[2]} (verwacht {_TYPES.get(invalid[1], invalid[1])})"
    for pattern, replacement in _MESSAGES:
        if pattern.fullmatch(message):
            return pattern.sub(replacement, message)
    return message


def decimal_number(text: str) -> float:
    """An argument's number with a decimal point or, as planners write it, comma (``0,8``)."""
    return float(text.strip().replace(",", "."))


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
