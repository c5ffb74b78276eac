"""Finding the shipped scenarios for the viewer's picker (no Qt)."""

from __future__ import annotations

from pathlib import Path

#: the scene `lunarviz view` opens when none is named
DEFAULT_SCENE = "resilience.toml"


def scenes_dir() -> Path | None:
    """The folder of shipped scenes, or None if it is not there."""
    try:
        from lunarviz.scenario import scenes_dir as _dir
        d = _dir()
    except ImportError:  # pragma: no cover - scenario module always ships
        d = Path(__file__).resolve().parents[2] / "scenes"
    return d if d.is_dir() else None


def bundled_scenes() -> list[Path]:
    """Shipped ``*.toml`` scenes, sorted by name."""
    d = scenes_dir()
    return sorted(d.glob("*.toml")) if d is not None else []


def resolve_scene(name: str | Path | None) -> Path:
    """A path for ``name``: an existing file, else a shipped scene (``resilience`` or ``resilience.toml``)."""
    if name is None:
        name = DEFAULT_SCENE
    p = Path(name)
    if p.exists():
        return p
    d = scenes_dir()
    if d is not None and p.parent == Path("."):
        for cand in (d / p.name, d / f"{p.name}.toml"):
            if cand.is_file():
                return cand
    return p
