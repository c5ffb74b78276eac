"""Checks on real rendered pixels: Earth, lander, stars, determinism."""

from __future__ import annotations

import numpy as np
import pytest
from render_helpers import SIZE, project, render

from lunarviz import ephemeris
from lunarviz.render import camera as cam
from lunarviz.render import scene

#: how far (pixels) a rendered body's centre may be from where the ephemeris puts it
CENTRE_TOL_PX = 2.0
#: a pixel counts as lit Earth above this max-channel value (0..255)
LIT = 28
#: terminator position along the Sun axis, in Earth radii (Lambert fades to black near it)
TERMINATOR_TOL = 0.15
#: two renders of the same frame may differ by at most this (8-bit levels)
LSB = 1


def _earth_view(h, et, offset_deg=0.6, fov=5.0):
    st = h.traj.at(et)
    eye = st.pos_m + st.up * 3.0
    earth = ephemeris.position_m("EARTH", et)
    d = earth - eye
    d /= np.linalg.norm(d)
    side = np.cross(d, st.up)
    side /= np.linalg.norm(side)
    look = d * np.cos(np.radians(offset_deg)) + side * np.sin(np.radians(offset_deg))
    return cam.CameraSpec(eye, eye + look * 1e6, st.up, fov, hide_lander=True), earth


def test_earth_where_ephemeris_says_lit_towards_sun(scene_small):
    h = scene_small
    et = h.traj.planned_touchdown_et_s
    spec, earth = _earth_view(h, et)
    img, _ = render(h, et, spec)
    ex, ey = project(spec, SIZE, earth)
    # the Earth's disc radius in pixels from its true angular radius
    dist = np.linalg.norm(earth - spec.position_m)
    ang = np.arcsin(6371e3 / dist)
    r_px = np.tan(ang) / np.tan(np.radians(spec.view_angle_deg) / 2) * SIZE[1] / 2
    assert 25 < r_px < 40  # ~0.95 deg radius in a 5 deg field, 180 px high
    from scipy import ndimage

    lit = img.max(axis=2) > LIT
    labels, n = ndimage.label(lit)
    assert n >= 1
    sizes = ndimage.sum(lit, labels, range(1, n + 1))
    lit = labels == (1 + int(np.argmax(sizes)))  # the Earth: the largest bright blob (not stars)
    yy, xx = np.nonzero(lit)
    assert len(xx) > 0.05 * np.pi * r_px ** 2, "too few lit Earth pixels"
    # every bright pixel lies on the projected disc
    rr = np.hypot(xx + 0.5 - ex, yy + 0.5 - ey)
    assert np.all(rr <= r_px + CENTRE_TOL_PX), np.sort(rr)[-5:]
    # the disc's full outline (lit + night) is centred where the ephemeris says: use any non-black pixel
    anylight = img.max(axis=2) > 3
    lab2, _ = ndimage.label(anylight)
    anylight = lab2 == lab2[yy[0], xx[0]]
    oy, ox = np.nonzero(anylight)
    # (the atmosphere's limb glow reaches out to EARTH_LIMB_EXTENT radii)
    on_disc = np.hypot(ox + 0.5 - ex, oy + 0.5 - ey) <= r_px * scene.EARTH_LIMB_EXTENT + CENTRE_TOL_PX
    assert on_disc.mean() > 0.95
    # the lit side faces the Sun: centroid of lit pixels offset towards the Sun's direction in the image
    sun = ephemeris.position_m("SUN", et)
    towards = earth + (sun - earth) / np.linalg.norm(sun - earth) * 2e7
    sx, sy = project(spec, SIZE, towards)
    v_sun = np.array([sx - ex, sy - ey])
    v_lit = np.array([xx.mean() + 0.5 - ex, yy.mean() + 0.5 - ey])
    cosang = v_sun @ v_lit / np.linalg.norm(v_sun) / np.linalg.norm(v_lit)
    assert cosang > 0.9, f"lit side points {np.degrees(np.arccos(cosang)):.0f} deg away from the Sun"
    # phase: along the Sun axis the lit part reaches from the sunward limb to the terminator at
    # x = R (1 - 2k) (k: illuminated fraction from the ephemeris); compare near the axis
    k = ephemeris.earth_illuminated_fraction(spec.position_m, et)
    u = v_sun / np.linalg.norm(v_sun)
    rel = np.stack([xx + 0.5 - ex, yy + 0.5 - ey], 1)
    along, across = rel @ u, rel @ np.array([-u[1], u[0]])
    near_axis = np.abs(across) < 0.3 * r_px
    x_term = along[near_axis].min() / r_px
    assert abs(x_term - (1 - 2 * k)) < TERMINATOR_TOL, (x_term, 1 - 2 * k)


def test_lander_in_frame_in_chase(scene_small):
    h = scene_small
    et = h.traj.planned_touchdown_et_s - 60
    img, spec = render(h, et, "chase")
    h.actors["lander"].SetVisibility(False)
    for n in ("plume_core", "plume_glow"):
        h.actors[n].SetVisibility(False)
    from lunarviz.render.offscreen import grab

    without = grab(h.plotter)
    diff = np.abs(img.astype(int) - without.astype(int)).max(axis=2) > 12
    yy, xx = np.nonzero(diff)
    assert len(xx) > 40, "the lander covers too few pixels in the chase view"
    st = h.traj.at(et)
    lx, ly = project(spec, SIZE, st.pos_m + st.body_up * 1.0)
    assert 0 <= lx < SIZE[0] and 0 <= ly < SIZE[1]
    assert abs(np.median(xx) - lx) < 15 and abs(np.median(yy) - ly) < 15


def test_stars_on_black_sky(scene_small):
    h = scene_small
    et = h.traj.planned_touchdown_et_s
    # from the landing site look at the zenith region away from Sun and Earth
    st = h.traj.at(et)
    up = st.up
    sun = ephemeris.position_m("SUN", et)
    away = -(sun - np.dot(sun, up) * up)
    away /= np.linalg.norm(away)
    look = np.cos(np.radians(70)) * away + np.sin(np.radians(70)) * up
    eye = st.pos_m + up * 2
    spec = cam.CameraSpec(eye, eye + look * 1e3, up, 60.0, hide_lander=True)
    img, _ = render(h, et, spec)
    lum = img.max(axis=2)
    assert np.median(lum) == 0, "the sky is not black"
    assert np.mean(lum > 40) < 0.02
    # the brightest catalogue stars in the field are drawn where their J2000 direction says
    from lunarviz.render import resources

    stars = resources.stars(5.5)
    rot = ephemeris.rotation("J2000", "MOON_ME", et)
    dirs = stars.dir_j2000 @ rot.T
    hits = checked = 0
    for d, vmag in zip(dirs, stars.vmag, strict=True):
        if vmag > 2.5:
            continue
        x, y = project(spec, SIZE, eye + d * 1e9)
        if not (3 <= x < SIZE[0] - 3 and 3 <= y < SIZE[1] - 3) or np.dot(d, look) <= 0:
            continue
        checked += 1
        xi, yi = int(x), int(y)
        if lum[yi - 2:yi + 3, xi - 2:xi + 3].max() > 80:
            hits += 1
    assert checked >= 2, "test view should contain bright stars"
    assert hits == checked


def test_same_frame_twice_is_identical(headless, demo_traj, demo_terrain):
    from lunarviz.render.offscreen import grab, make_plotter

    imgs = []
    for _ in range(2):
        p = make_plotter(SIZE)
        h = scene.build(p, demo_traj, quality="draft", hud=True, terrain=demo_terrain)
        scene.update(h, demo_traj.planned_touchdown_et_s - 45.5, "chase")
        imgs.append(grab(p))
        p.close()
    assert np.abs(imgs[0].astype(int) - imgs[1].astype(int)).max() <= LSB


def test_project_to_pixels_matches_vtk_camera(scene_small):
    # scene.project_to_pixels (used by callers) agrees with an independent pinhole model
    h = scene_small
    et = h.traj.planned_touchdown_et_s - 100
    _, spec = render(h, et, "chase")
    p = h.traj.at(et).pos_m
    a = scene.project_to_pixels(h, p)
    b = project(spec, SIZE, p)
    assert a is not None
    assert np.allclose(a, b, atol=0.5)


@pytest.mark.parametrize("name", ["chase", "orbit", "site", "earthrise", "down"])
def test_every_preset_renders_something(scene_small, name):
    h = scene_small
    img, spec = render(h, h.traj.planned_touchdown_et_s - 90, name)
    assert img.shape == (SIZE[1], SIZE[0], 3)
    assert img.max() > 60, f"{name}: the frame is black"
    assert np.isfinite(spec.position_m).all()


def test_async_bake_keeps_old_lighting_then_swaps(headless, demo_traj, demo_terrain):
    from lunarviz.render.offscreen import grab, make_plotter

    p = make_plotter(SIZE)
    try:
        h = scene.build(p, demo_traj, quality="draft", hud=False, terrain=demo_terrain, async_bake=True)
        td = demo_traj.planned_touchdown_et_s
        scene.update(h, td - 700.0, "site")  # first bake: synchronous (the site camera is near the terrain)
        def tex():
            return h.actors["patch_inner"].GetTexture().GetAddressAsString("vtkObject")

        tex0 = tex()
        scene.update(h, td - 60.0, "site")  # the Sun has moved a 10-minute step: re-bake in a thread
        assert tex() == tex0
        job = h.data["bake_job"]
        job[1].join(timeout=60)
        scene.update(h, td - 59.0, "site")
        assert tex() != tex0
        assert grab(p).max() > 60
    finally:
        p.close()


def test_the_terrain_levels_step_down_gently_from_the_extent_to_the_site(scene_small):
    # the inner level (~3-5 m a pixel) went straight into the outer one (~40-50 m): the down camera
    # saw its edge as a line between sharp and blurred ground; a middle level keeps each step small
    levels = {name: (patch, parent) for name, patch, parent in scene_small.data["patches"]}
    assert [n for n in ("patch_outer", "patch_mid", "patch_inner", "patch_fine") if n in levels] == [
        "patch_outer", "patch_mid", "patch_inner", "patch_fine"]
    chain = ["patch_outer", "patch_mid", "patch_inner"]
    for coarse, fine in zip(chain, chain[1:], strict=False):
        assert levels[fine][1] is levels[coarse][0]  # each blends into the one round it
        ratio = levels[coarse][0].step_m / levels[fine][0].step_m
        assert 1.5 < ratio < 4.5, (coarse, fine, ratio)
