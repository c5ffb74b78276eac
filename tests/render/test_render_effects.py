"""Touchdown effects: ballistic ejecta in lunar gravity, the flash, the wreck, the landing dust."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from lunarviz.render import effects as fx
from lunarviz.render import scene
from lunarviz.render.offscreen import grab, make_plotter

SIZE = (320, 180)


def test_ejecta_fly_parabolas_and_settle():
    ej = fx.Ejecta(48.0, np.array([8.0, 0.0, -48.0]))
    # independent reference: z(t) = z0 + vz t - g t^2 / 2 until the grain is back on the ground
    t = 3.0
    p = ej.positions(t)
    flying = ej.t_land > t
    z_ref = ej.start[flying, 2] + ej.v[flying, 2] * t - 0.5 * 1.62 * t * t
    assert np.allclose(p[flying, 2], np.maximum(z_ref, 0.05), atol=1e-9)
    # after every grain has landed nothing moves, and nothing is under the ground
    late = ej.t_land.max() + 1.0
    assert np.array_equal(ej.positions(late), ej.positions(late + 50.0))
    assert (ej.positions(late)[:, 2] >= 0.0).all()
    # a curtain: launch elevations ~45 deg, so a grain's range after landing is ~v^2/g
    r = np.hypot(*(ej.positions(late)[:, :2] - ej.start[:, :2] - 0.25 * np.array([8.0, 0.0])[None, :]
                   * ej.t_land[:, None]).T)
    v = np.linalg.norm(ej.v - np.r_[0.25 * 8.0, 0.0, 0.0], axis=1)
    assert np.median(np.abs(r / (v * v / 1.62) - 1.0)) < 0.1
    # deterministic: same seed, same grains
    assert np.array_equal(fx.Ejecta(48.0, np.array([8.0, 0.0, -48.0])).positions(2.0), ej.positions(2.0))


def test_flash_and_wreck_timing():
    assert fx.flash(-0.01)[1] == 0.0 and fx.flash(fx.FLASH_S)[1] == 0.0
    assert fx.flash(0.0)[1] == pytest.approx(1.0)
    r0, o0 = fx.flash(0.1)
    r1, o1 = fx.flash(0.5)
    assert r1 > r0 and o1 < o0
    axis = np.array([1.0, 0.0, 0.0])
    R = fx.wreck_rotation(5.0, axis)
    assert np.allclose(R @ R.T, np.eye(3), atol=1e-12)
    tilt = math.degrees(math.acos(np.clip(R[2, 2], -1, 1)))
    assert tilt == pytest.approx(fx.WRECK_TILT_DEG, abs=1e-6)
    assert np.allclose(fx.wreck_rotation(0.0, axis), np.eye(3))


def test_dust_only_low_and_with_engine():
    assert fx.dust_strength(100.0, 0.5) == 0.0
    assert fx.dust_strength(5.0, 0.0) == 0.0
    assert 0.0 < fx.dust_strength(20.0, 0.4) < fx.dust_strength(2.0, 0.4) <= 1.0


def _crashed(traj, speed):
    evs = []
    for ev in traj.events:
        if ev.name == "touchdown":
            ev = dataclasses.replace(ev, vel_mps=-np.asarray(ev.pos_m) / np.linalg.norm(ev.pos_m) * speed)
        evs.append(ev)
    out = dataclasses.replace(traj, events=tuple(evs))
    return out


def test_crash_shows_flash_and_curtain(headless, demo_traj, demo_terrain):
    traj = _crashed(demo_traj, 45.0)
    td = traj.event("touchdown").et_s
    p = make_plotter(SIZE)
    try:
        h = scene.build(p, traj, quality="draft", hud=False, terrain=demo_terrain)
        assert "ejecta" in h.actors and "dust" not in h.actors
        scene.update(h, td - 0.5, "site")
        before = grab(p).astype(float)
        assert not h.actors["ejecta"].GetVisibility() and not h.actors["impact_flash"].GetVisibility()
        scene.update(h, td + 0.15, "site")
        flash = grab(p).astype(float)
        assert h.actors["impact_flash"].GetVisibility()
        # the flash: a bright glow round the impact point where there was none
        xy = scene.project_to_pixels(h, np.asarray(traj.event("touchdown").pos_m))
        assert xy is not None
        x, y = int(xy[0]), int(xy[1])
        win = (slice(max(0, y - 40), y + 10), slice(max(0, x - 40), x + 40))
        bright_now = int((flash[win].min(axis=-1) > 150).sum())
        bright_before = int((before[win].min(axis=-1) > 150).sum())
        assert bright_now > bright_before + 40, (bright_now, bright_before)
        scene.update(h, td + 3.0, "site")
        grab(p)
        assert h.actors["ejecta"].GetVisibility() and not h.actors["impact_flash"].GetVisibility()
        # the wreck is tipped over: the lander's up axis is far from the local vertical
        m = h.actors["lander"].GetUserMatrix()
        z_axis = np.array([m.GetElement(i, 2) for i in range(3)])
        up = np.asarray(traj.event("touchdown").pos_m) / np.linalg.norm(traj.event("touchdown").pos_m)
        st = traj.at(td + 3.0)
        from lunarviz.trajectory import quat_to_matrix

        z_before = quat_to_matrix(st.quat_wxyz)[:, 2]
        ang_now = math.degrees(math.acos(np.clip(np.dot(z_axis, up), -1, 1)))
        ang_before = math.degrees(math.acos(np.clip(np.dot(z_before, up), -1, 1)))
        assert ang_now > ang_before + 45.0
    finally:
        p.close()


def test_soft_landing_raises_dust_then_settles(headless, demo_traj, demo_terrain):
    td = demo_traj.event("touchdown").et_s
    p = make_plotter(SIZE)
    try:
        h = scene.build(p, demo_traj, quality="draft", hud=False, terrain=demo_terrain)
        assert "dust" in h.actors and "ejecta" not in h.actors
        low = [t for t in np.arange(td - 30.0, td, 0.5) if fx.dust_strength(demo_traj.at(t).alt_m,
                                                                            demo_traj.at(t).throttle) > 0.2]
        assert low, "the demo descent never gets low with the engine on"
        scene.update(h, float(low[-1]), "chase")
        assert h.actors["dust"].GetVisibility()
        scene.update(h, td + 2.0, "chase")
        assert not h.actors["dust"].GetVisibility()
        # a soft landing leaves the lander upright
        m = h.actors["lander"].GetUserMatrix()
        z_axis = np.array([m.GetElement(i, 2) for i in range(3)])
        up = np.asarray(demo_traj.at(td + 2.0).pos_m)
        up = up / np.linalg.norm(up)
        assert np.dot(z_axis, up) > math.cos(math.radians(15))
    finally:
        p.close()


def test_tracker_marks_a_far_lander_in_the_site_view(headless, demo_traj, demo_terrain):
    td = demo_traj.event("touchdown").et_s
    p = make_plotter((640, 360))
    try:
        h = scene.build(p, demo_traj, quality="draft", hud=False, terrain=demo_terrain)
        scene.update(h, td - 400.0, "site")  # far away and high: a dot
        grab(p)
        assert h.actors["tracker"].GetVisibility()
        # the brackets are centred on the lander's projected pixel
        st = demo_traj.at(td - 400.0)
        x, y = scene.project_to_pixels(h, st.pos_m + st.up * 1.2)
        pts = np.array([h.data["tracker_pd"].GetPoint(i)[:2] for i in range(16)])
        assert np.allclose(pts.mean(axis=0), [x, 360 - y], atol=1.0)
        assert "km" in h.actors["tracker_label"].GetInput()
        scene.update(h, td - 400.0, "chase")  # only the site view uses them
        assert not h.actors["tracker"].GetVisibility()
    finally:
        p.close()


def test_stars_dim_over_a_sunlit_surface(headless, demo_traj, demo_terrain):
    assert scene.star_exposure(0.0) == pytest.approx(1.0)
    assert scene.star_exposure(1.0) == pytest.approx(scene.STARS_MIN_GAIN)
    assert scene.star_exposure(0.2) > scene.star_exposure(0.4)
    p = make_plotter((320, 180))
    try:
        h = scene.build(p, demo_traj, quality="draft", hud=False, terrain=demo_terrain)
        td = demo_traj.event("touchdown").et_s
        scene.update(h, td - 5.0, "down")  # straight down at the sunlit site: all surface
        sun = scene._sun_dir(td)
        assert scene.sunlit_fraction(h, h.origin_m, sun) > 0.95
        assert h.data["star_gain"] == pytest.approx(scene.STARS_MIN_GAIN)
        # independent check of the ray test: a camera far out looking away from the Moon sees none of it
        vc = h.renderer.GetActiveCamera()
        far = h.origin_m / np.linalg.norm(h.origin_m) * 5e6
        vc.SetFocalPoint(*(far / np.linalg.norm(far) * 100.0))
        assert scene.sunlit_fraction(h, far, sun) == 0.0
    finally:
        p.close()


def _crater_shadow_edge(near: str) -> np.ndarray:
    """Column of the shadow's edge inside a 16 m fresh crater, row by row (Sun 12 deg up, east-north-east);
    ``near``: "" (the geometric march only), "window" (the crater's window every half texel), "all",
    "fine" (as the fine patch round the end of a flight is marched)."""
    from lunarviz.geometry import MOON_RADIUS_M
    from lunarviz.render.terrain_mesh import TerrainPatch, bake_lighting

    n, half = 256, 32.0
    c = -half + (np.arange(n) + 0.5) * (2 * half / n)
    E, N = np.meshgrid(c, c[::-1])
    h = fx.crater_height_m(np.hypot(E, N), 16.0).astype(np.float64)
    basis = np.eye(3)  # east, north, up = MOON_ME x, y, z at a site on the +z axis
    patch = TerrainPatch(half, n, h, np.ones((n, n, 3), np.float32), basis)
    el = np.radians(12.0)
    sun = np.array([np.cos(el), 0.6 * np.cos(el), np.sin(el)]) * 1.5e11 + np.array([0, 0, MOON_RADIUS_M])
    window = {"": None, "window": [((n // 2 - 64, n // 2 + 64, n // 2 - 64, n // 2 + 64), 24.0)],
              "all": [((0, n, 0, n), 24.0)], "fine": scene._fine_march("patch_fine", patch)}[near]
    img, _ = bake_lighting(patch, sun / np.linalg.norm(sun), ambient=0.0, near=window)
    lit = img[..., 0] > 0.05
    rows = range(n // 2 - 12, n // 2 + 12)  # across the middle of the bowl: the rim's shadow, then light
    return np.array([np.argmax(~lit[r, n // 2 - 28:n // 2 + 28]) for r in rows], float)


def test_a_fresh_craters_shadow_edge_is_a_smooth_curve():
    # the geometric horizon march alone (a third further each step) cut notches of 3 texels into the
    # rim's shadow (texel-block teeth up close); the crater's window is marched every half texel
    edge, dense = _crater_shadow_edge("window"), _crater_shadow_edge("all")
    assert np.abs(edge - dense).max() <= 1.0
    assert np.all(np.diff(edge) >= 0)  # the round rim's shadow edge moves one way down the rows
    assert edge.min() > 0  # lit west wall, then the shadow of the east rim, on every row
    # the craters the terrain itself has round the end of the flight: the fine patch is marched so too
    assert np.abs(_crater_shadow_edge("fine") - dense).max() <= 1.0
    assert np.abs(_crater_shadow_edge("") - dense).max() >= 2.0  # the teeth it would have otherwise


def test_baked_highlights_roll_off_instead_of_clipping():
    # a sunlit slope facing a low Sun is several times as bright as the flat ground the exposure is set
    # for: it keeps its shading (brighter is still brighter) instead of one flat white
    from lunarviz.render.terrain_mesh import TONE_KNEE, TerrainPatch, bake_patch, tone_shoulder

    x = np.linspace(0.0, 6.0, 601)
    y = tone_shoulder(x)
    below = x <= TONE_KNEE
    assert np.allclose(y[below], x[below], atol=1e-6)  # the mid-tones are untouched
    assert np.all(np.diff(y) > 0) and y.max() < 1.0  # the highlights still climb, never reach white
    n, half = 128, 32.0
    c = -half + (np.arange(n) + 0.5) * (2 * half / n)
    E, N = np.meshgrid(c, c[::-1])
    patch = TerrainPatch(half, n, fx.crater_height_m(np.hypot(E, N), 16.0).astype(np.float64),
                         np.full((n, n, 3), 0.5, np.float32), np.eye(3))
    el = np.radians(12.0)
    sun = np.array([np.cos(el), 0.0, np.sin(el)])
    # exposed so that flat ground sits at 0.58: the wall facing the Sun is far over the top
    img = bake_patch(patch, sun, intensity=0.58 / (0.5 * np.sin(el)), ambient=0.0)[..., 0]
    wall = img[n // 2 - 4:n // 2 + 4, n // 2 - 30:n // 2 - 4]  # the western wall, facing the eastern Sun
    flat = img[4:12, 4:12]
    assert abs(float(np.median(flat)) - 0.58 * 255) < 3
    assert wall.max() < 255 and len(np.unique(wall[wall > flat.max()])) >= 8


def test_the_landers_shadow_has_an_antialiased_edge():
    # the decal's texels are ~0.1 m: an outline drawn without antialiasing stair-steps up close
    from lunarviz.render.scene import SHADOW_TEX, shadow_mask

    slope = 1 / 7
    quad = np.array([[-3.0, -3.0], [3.0, -3.0 + 6 * slope], [3.0, 3.0], [-3.0, 3.0]])
    m = shadow_mask(quad, 4.0, 0.0)
    assert m.shape == (SHADOW_TEX, SHADOW_TEX)
    cols = range(SHADOW_TEX // 2 - 40, SHADOW_TEX // 2 + 40)
    lower_edge = np.array([m[:, j].sum() for j in cols])  # the tilted lower edge, column by column
    # the edge rises 1/7 texel per texel, so the covered height falls as much (not by whole texels)
    assert np.abs(-np.diff(lower_edge) - slope).max() < 0.12


def test_a_lander_that_tipped_over_topples_about_its_foot_and_rests_on_the_ground():
    # [story.rest]: SLIM came to rest on its nose, IM-1 on its side; told by the story, drawn after touchdown
    import types

    from lunarviz.scenario import RestAttitude

    box = np.array([[x, y, z] for x in (-1.0, 1.0) for y in (-1.0, 1.0) for z in (0.0, 3.0)])
    h = types.SimpleNamespace(data={"lander_vertices": box})
    rest = RestAttitude(tilt_deg=90.0, after_s=0.5, duration_s=2.0)
    basis = np.eye(3)  # columns east, north, up
    d = {"basis": basis, "rest": (rest, scene._fall_direction(rest, basis, np.array([1.0, 0.0, 0.0])))}
    R0, rel0 = np.eye(3), np.array([10.0, 0.0, 0.0])
    R, rel = scene._tipped(h, d, 0.4, R0, rel0)  # still standing for after_s
    assert np.allclose(R, R0) and np.allclose(rel, rel0)
    for dt, angle in ((1.5, 22.5), (2.5, 90.0), (9.0, 90.0)):  # eased in, then lying still
        R, rel = scene._tipped(h, d, dt, R0, rel0)
        assert math.degrees(math.acos(R[2, 2])) == pytest.approx(angle, abs=1e-6)
        world = rel + box @ R.T
        assert world[:, 2].min() == pytest.approx(0.0, abs=1e-9)  # resting on the ground, not in it
        assert R[0, 2] > 0  # the top falls the way it was moving (east)
    assert world[:, 0].max() == pytest.approx(10.0 + 1.0 + 3.0)  # it lies beyond the foot it pivoted on
    south = RestAttitude(tilt_deg=30.0, azimuth_deg=180.0)  # an azimuth given: falls to the south
    assert np.allclose(scene._fall_direction(south, basis, np.array([1.0, 0.0, 0.0])), [0.0, -1.0, 0.0])
