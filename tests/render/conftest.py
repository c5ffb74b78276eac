"""Shared fixtures for the render tests: a synthetic descent, a procedural terrain, small plotters."""

from __future__ import annotations

import os

import pytest
from render_helpers import SIZE


@pytest.fixture(scope="session")
def headless():
    from lunarviz.render.offscreen import check_headless

    return check_headless()


@pytest.fixture(scope="session")
def demo_traj():
    from lunarviz.render.synthetic import demo_trajectory

    return demo_trajectory(duration_s=1500.0, after_s=20.0, dt_s=2.0)


@pytest.fixture(scope="session")
def demo_terrain():
    from lunarviz.terrain import TerrainConfig, make_terrain

    cfg = TerrainConfig.from_mapping({"kind": "procedural", "seed": 7}, source="test",
                                     site_lat_deg=60.5, site_lon_deg=-4.6)
    return make_terrain(cfg)


@pytest.fixture(scope="session")
def scene_small(headless, demo_traj, demo_terrain):
    """One 320x180 off-screen scene (draft quality, no HUD) shared by the pixel tests."""
    from lunarviz.render import scene
    from lunarviz.render.offscreen import make_plotter

    p = make_plotter(SIZE)
    h = scene.build(p, demo_traj, quality="draft", hud=False, terrain=demo_terrain)
    yield h
    p.close()


# pytest-xvfb may set DISPLAY; the render tests still use the off-screen EGL window (no X round trips)
os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")
