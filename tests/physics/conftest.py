"""Shared, cached flights for the physics tests (each scenario flown once per session)."""

from pathlib import Path

import pytest

from lunarviz import physics, scenario

SCENES = Path(__file__).resolve().parents[2] / "scenes"
_CACHE: dict = {}


def flown(name: str):
    if name not in _CACHE:
        scn = scenario.load(SCENES / f"{name}.toml")
        _CACHE[name] = physics.fly(scn, seed=0)
    return _CACHE[name]


@pytest.fixture(scope="session")
def fly_scene():
    return flown
