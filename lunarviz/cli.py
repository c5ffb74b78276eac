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
from .i18n import LANGUAGES, N_, _, ngettext, set_language

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


#: argparse's own words that a person reads (argparse looks them up through :func:`lunarviz.i18n._`)
ARGPARSE_MESSAGES = (
    N_("usage: "), N_("positional arguments"), N_("options"), N_("show this help message and exit"),
    N_("show program's version number and exit"), N_("%(prog)s: error: %(message)s\n"),
    N_("argument %(argument_name)s: %(message)s"), N_("expected one argument"),
    N_("expected at least one argument"), N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("the following arguments are required: %s"), N_("unrecognized arguments: %s"),
    N_("invalid %(type)s value: %(value)r"), N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("not allowed with argument %s"),
)
argparse._ = _
argparse.ngettext = ngettext


def language_argument(argv: list[str]) -> str | None:
    """The value of ``--lang`` wherever it stands before ``--`` (it must be known before the parser is
    built: the ``--help`` texts are in that language), or None."""
    for i, word in enumerate(argv):
        if word == "--":
            break
        if word == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if word.startswith("--lang="):
            return word.split("=", 1)[1]
    return None


def _add_language_option(parser: argparse.ArgumentParser, top: bool) -> None:
    """``--lang`` on ``parser`` and every subcommand under it (read early by :func:`language_argument`)."""
    parser.add_argument("--lang", metavar="LANG", default=None if top else argparse.SUPPRESS,
                        help=_("language of every text: {langs} (default: $LUNARVIZ_LANG, then the system "
                               "locale, then en)").format(langs=", ".join(LANGUAGES)))
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                _add_language_option(sub, False)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="lunarviz",
        description=_("Fly and watch lunar descents and landings in 3D, with real SPICE ephemerides."),
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
    _add_language_option(parser, True)
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
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        set_language(language_argument(argv))  # None: $LUNARVIZ_LANG, then the system locale
    except LunarvizError as exc:
        set_language("en")  # no language could be chosen: the error in English
        print(_("lunarviz: error: {message}").format(message=one_line(str(exc))), file=sys.stderr)
        return 2
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
        print(_("lunarviz {command}: error: {message}").format(command=args.command, message=one_line(str(exc))),
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(_("lunarviz {command}: interrupted").format(command=args.command), file=sys.stderr)
        return 130
    except BrokenPipeError:
        # output piped into e.g. `head`, which closed early: not an error
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
