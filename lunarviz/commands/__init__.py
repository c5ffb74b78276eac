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
