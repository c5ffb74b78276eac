"""The ``lunarviz`` command line: one entry point, one module per subcommand.

Each module in :mod:`lunarviz.commands` exposes ``register(subparsers)`` which
adds its parser and sets ``func`` to a handler ``(args) -> int``. Modules are
imported only when listed here, and heavy imports (VTK, Qt) happen inside the
handlers so that ``lunarviz --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys

from . import __version__
from .errors import LunarvizError

#: subcommand modules, in the order they appear in ``--help``
COMMANDS = ("ephem", "fly", "assets", "still", "render", "lookbook", "handout", "view", "serve")
#: the subcommands that show numbers to a person: they take ``--units`` (:func:`add_units_option`)
UNITS_COMMANDS = ("fly", "still", "render", "lookbook", "handout", "view", "serve")


#: a word that starts like a negative number (``-80.13,1.44``, ``-60s``, ``-.5``): always a value
_VALUE_LIKE = re.compile(r"^-\.?\d")


class Parser(argparse.ArgumentParser):
    """``argparse`` that reads a word starting with ``-`` and a digit as a value, never as an option.

    Plain argparse lets through only words that are exactly a negative number
    (``-80.13``); anything else with a leading ``-`` (``--site -80.13,1.44``,
    ``--start -60s``) counts as an unknown option, so the option before it
    fails with "expected one argument". No lunarviz option is spelt ``-`` +
    digit (a test checks), so such words are values, wherever they stand.
    Subparsers are made with the parser's own class, so this holds for every
    subcommand.
    """

    def _parse_optional(self, arg_string):
        if _VALUE_LIKE.match(arg_string) and arg_string not in self._option_string_actions:
            return None  # a positional / an option's value
        return super()._parse_optional(arg_string)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="lunarviz",
        description="Fly and watch lunar descents and landings in 3D, with real SPICE ephemerides.",
    )
    parser.add_argument("--version", action="version", version=f"lunarviz {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"lunarviz.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"lunarviz.commands.{name}":
                continue  # subcommand not built into this version
            raise
        module.register(sub)
        if name in UNITS_COMMANDS:
            add_units_option(sub.choices[name])
    return parser


def add_units_option(parser: argparse.ArgumentParser) -> None:
    """``--units metric|imperial`` for a command that shows numbers to a person (:mod:`lunarviz.units`).

    Not checked by argparse (``choices``), so that a wrong value, from the option or from
    ``$LUNARVIZ_UNITS``, gives the one-line error of :func:`lunarviz.units.set_units` (exit 2);
    :func:`main` applies it before the command runs.
    """
    from .units import SYSTEMS

    parser.add_argument("--units", default=None, metavar="SYSTEM",
                        help=f"units of the numbers shown: {' or '.join(SYSTEMS)} (ft, ft/s, mph, lb); "
                             f"files for programs (JSON, CSV) stay SI [$LUNARVIZ_UNITS, else {SYSTEMS[0]}]")


def one_line(text: str) -> str:
    """A message as one line: control characters and every other line break ``str.splitlines`` knows (a
    newline in a path, NEL, U+2028) written as escapes (``\\n``, ``\\x85``)."""
    return re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]", lambda m: m.group().encode("unicode_escape").decode(),
                  text)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        if hasattr(args, "units"):  # a command showing numbers: its --units, else $LUNARVIZ_UNITS
            from .units import set_units

            set_units(args.units)
        return int(args.func(args) or 0)
    except LunarvizError as exc:
        print(f"lunarviz {args.command}: error: {one_line(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"lunarviz {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # output piped into e.g. `head`, which closed early: not an error
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
