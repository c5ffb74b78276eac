"""The down camera's detail tiles: readable ground away from the landing site's terrain."""

from __future__ import annotations

import numpy as np
import pytest

from lunarviz.render import detail, scene
from lunarviz.render.offscreen import make_plotter


@pytest.fixture
def small_tiles(monkeypatch):
    """Tiles as the scene builds them, at a test's size (their pixels and cells only)."""
    monkeypatch.setattr(detail, "TILE_PX", 64)
    monkeypatch.setattr(detail, "TILE_GRID", 8)


def test_tiles_are_asked_for_only_away_from_the_site(demo_terrain):
    site_half = 0.5 * demo_terrain.extent_m
    at_site = demo_terrain.local_to_unit(500.0, -800.0)
    assert detail.needed(demo_terrain, at_site, 2000.0, site_half) == []
    far = demo_terrain.local_to_unit(3.2 * detail.TILE_M, 0.4 * detail.TILE_M)
    keys = detail.needed(demo_terrain, far, 15000.0, site_half)
    assert keys[0] == (3, 0) and (0, 0) not in keys  # the one under the lens first; the site is never a tile
    assert 2 <= len(keys) <= detail.TILES_MAX
    assert detail.covers(demo_terrain, keys, far, 15000.0)
    assert not detail.covers(demo_terrain, keys[:1], far, 15000.0)
    # a frame reaching onto the site's own terrain asks for the tiles round it, not for the site's
    edge = demo_terrain.local_to_unit(0.6 * detail.TILE_M, 0.0)
    near_keys = detail.needed(demo_terrain, edge, 9000.0, site_half)
    assert (1, 0) in near_keys and (0, 0) not in near_keys


def _build(terrain, key):
    sun = terrain.basis[2] * 0.3 + terrain.basis[0]
    return detail.build(None, terrain, key, np.full((64, 128, 3), 120, np.uint8), sun / np.linalg.norm(sun),
                        dict(intensity=4.0, ambient=0.1), 4.0)


def test_neighbouring_tiles_meet_without_a_crack_and_a_tile_is_always_the_same(demo_terrain, small_tiles):
    a, b = _build(demo_terrain, (2, 1)), _build(demo_terrain, (3, 1))
    g = detail.TILE_GRID + 1
    wa = (a.points + a.centre_m).reshape(g, g, 3)
    wb = (b.points + b.centre_m).reshape(g, g, 3)
    assert np.abs(wa[:, -1] - wb[:, 0]).max() < 1e-3  # a's east edge is b's west edge, vertex for vertex
    r = np.linalg.norm(wa[:, -1], axis=1)
    assert np.abs(r - demo_terrain.radius_m).max() < 1e-3  # flat at the sphere there: no step between them
    inner = np.linalg.norm(wa[2:-2, 2:-2], axis=2) - demo_terrain.radius_m
    assert np.abs(inner).max() > 1.0  # and craters inside
    again = _build(demo_terrain, (2, 1))
    assert np.array_equal(again.image, a.image) and not np.array_equal(a.image, b.image)
    assert a.image.std() > 2.0


def test_the_down_camera_far_from_the_site_stands_over_tiles(headless, demo_traj, demo_terrain, small_tiles):
    p = make_plotter((320, 180))
    try:
        h = scene.build(p, demo_traj, quality="draft", hud=False, terrain=demo_terrain)
        far = next(t for t in demo_traj.et_s if _ground_km(demo_traj, t) > 80.0 and demo_traj.at(t).alt_m < 15e3)
        scene.update(h, float(far), "down")
        tiles = [a for name, a in h.plotter.actors.items() if name.startswith("tile_")]
        assert tiles and any(a.GetVisibility() for a in tiles)
        assert not (h.actors["moon_near"].GetVisibility() or h.actors["moon_far"].GetVisibility())
        scene.update(h, float(far), "chase")  # the other cameras keep the globe as it is
        assert not any(a.GetVisibility() for a in tiles)
        assert h.actors["moon_near"].GetVisibility() or h.actors["moon_far"].GetVisibility()
    finally:
        p.close()


def _ground_km(traj, et_s):
    u = np.asarray(traj.at(et_s).pos_m, float)
    end = np.asarray(traj.pos_m[-1], float)
    return 1737.4 * float(np.arccos(np.clip(u @ end / np.linalg.norm(u) / np.linalg.norm(end), -1, 1)))


def test_the_viewer_builds_tiles_in_a_thread_and_draws_each_once_ready(headless, demo_traj, demo_terrain,
                                                                         small_tiles):
    p = make_plotter((320, 180))
    try:
        h = scene.build(p, demo_traj, quality="draft", hud=False, terrain=demo_terrain, async_bake=True)
        far = next(t for t in demo_traj.et_s if _ground_km(demo_traj, t) > 80.0 and demo_traj.at(t).alt_m < 15e3)
        scene.update(h, float(far), "down")  # the frame is not held up: the first tile is on its way
        tiles = h.data["tiles"]
        assert not tiles["built"] and tiles["job"] is not None
        for _ in range(detail.TILES_MAX + 1):
            if tiles["job"] is not None:
                tiles["job"][0].join(timeout=60)
            scene.update(h, float(far), "down")
        shown = [a for _k, (_tb, a) in tiles["built"].items() if a.GetVisibility()]
        assert len(tiles["built"]) >= 2 and shown
    finally:
        p.close()


def test_a_scene_on_the_bare_sphere_gets_no_tiles(headless, demo_traj, small_tiles):
    from lunarviz.terrain import SphereTerrain

    p = make_plotter((320, 180))
    try:
        end = np.asarray(demo_traj.pos_m[-1], float)
        lat = float(np.degrees(np.arcsin(end[2] / np.linalg.norm(end))))
        lon = float(np.degrees(np.arctan2(end[1], end[0])))
        h = scene.build(p, demo_traj, quality="draft", hud=False, terrain=SphereTerrain(lat, lon))
        far = next(t for t in demo_traj.et_s if _ground_km(demo_traj, t) > 80.0 and demo_traj.at(t).alt_m < 15e3)
        scene.update(h, float(far), "down")
        assert not h.data["tiles"]["built"] and h.data["tiles"]["job"] is None
    finally:
        p.close()
