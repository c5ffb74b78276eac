"""The subcommands of ``lunarviz`` (one module each) and the arguments they share."""

from __future__ import annotations

import argparse


def add_scene_argument(parser: argparse.ArgumentParser) -> None:
    """The optional ``SCENE`` positional, described and defaulted the same in every command."""
    from ..scenario import DEFAULT_SCENE, shipped_scenes

    names = ", ".join(shipped_scenes()) or "none found"
    parser.add_argument("scene", metavar="SCENE", nargs="?", default=DEFAULT_SCENE,
                        help=f"scenario TOML file, or the name of a shipped scene ({names}) "
                             f"[default: {DEFAULT_SCENE}]")


def add_units_argument(parser: argparse.ArgumentParser) -> None:
    """``--units metric|imperial`` for a command that shows numbers to a person (:mod:`lunarviz.units`).

    Not checked by argparse (``choices``), so that a wrong value, from the option or from
    ``$LUNARVIZ_UNITS``, gives the one-line error of :func:`lunarviz.units.set_units` (exit 2);
    :func:`lunarviz.cli.main` applies it before the command runs.
    """
    from ..units import SYSTEMS

    parser.add_argument("--units", default=None, metavar="SYSTEM",
                        help=f"units of the numbers shown: {' or '.join(SYSTEMS)} (ft, ft/s, mph, lb); "
                             f"files for programs (JSON, CSV) stay SI [$LUNARVIZ_UNITS, else {SYSTEMS[0]}]")
