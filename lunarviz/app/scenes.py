"""Finding the shipped scenarios for the viewer's picker (no Qt)."""

from __future__ import annotations

from pathlib import Path

from lunarviz import scenario
from lunarviz.scenario import DEFAULT_SCENE, resolve


def scenes_dir() -> Path | None:
    """The folder of shipped scenes, or None if it is not there."""
    d = scenario.scenes_dir()
    return d if d.is_dir() else None


def bundled_scenes() -> list[Path]:
    """Shipped ``*.toml`` scenes, sorted by name."""
    d = scenes_dir()
    return sorted(d.glob("*.toml")) if d is not None else []


def resolve_scene(name: str | Path | None) -> Path:
    """A path for ``name`` (None: :data:`~lunarviz.scenario.DEFAULT_SCENE`); see :func:`lunarviz.scenario.resolve`."""
    return resolve(DEFAULT_SCENE if name is None else name)
