"""Shot QA: every camera preset on every shipped scene, sampled through the whole flight, has its subject.

Geometric (no rendering) for all scenes: the subject -- the lander for ``chase``/``site`` (the ground
towards it while it is below the site's horizon), the ground below for ``down`` (the lander once the
camera hovers over it), the Earth on the limb for ``earthrise``, the landing site on the lit disc for
``orbit`` -- projects inside the frame and nothing (the Moon, the terrain) stands in front of it.
Then a few small frames are rendered to check that no frame with sunlit ground in view is black.
"""

from __future__ import annotations

import numpy as np
import pytest

from lunarviz import ephemeris, scenario
from lunarviz.geometry import MOON_RADIUS_M, unit_to_latlon
from lunarviz.render import camera as cam

SCENES = scenario.shipped_scenes()
ASPECT = 16 / 9
#: a subject must stand this far inside the frame edges (share of the half-width / half-height)
MARGIN = 0.03


@pytest.fixture(scope="module")
def flights():
    from lunarviz.commands.flights import load_flight

    return {name: load_flight(name) for name in SCENES}


def _ndc(spec: cam.CameraSpec, point: np.ndarray) -> tuple[float, float, float]:
    """Independent pinhole projection: (x, y) in -1..1 across the frame, and the depth along the view."""
    fwd = spec.focal_m - spec.position_m
    fwd = fwd / np.linalg.norm(fwd)
    right = np.cross(fwd, spec.up)
    right /= np.linalg.norm(right)
    up = np.cross(right, fwd)
    v = np.asarray(point, float) - spec.position_m
    z = float(np.dot(v, fwd))
    t = np.tan(np.radians(spec.view_angle_deg) / 2)
    return float(np.dot(v, right)) / z / (t * ASPECT), float(np.dot(v, up)) / z / t, z


def _inside(spec, point) -> bool:
    x, y, z = _ndc(spec, point)
    return z > 0 and abs(x) < 1 - MARGIN and abs(y) < 1 - MARGIN


def _clear_line(a: np.ndarray, b: np.ndarray, height_fn, n: int = 48, tol_m: float = 0.5) -> bool:
    """True when the straight line a->b stays above the terrain (sampled) and the sphere."""
    s = np.linspace(0.0, 1.0, n)[1:-1, None]
    pts = a[None, :] + s * (b - a)[None, :]
    r = np.linalg.norm(pts, axis=1)
    ground = np.full(len(pts), MOON_RADIUS_M)
    if height_fn is not None:
        lat, lon = unit_to_latlon(pts / r[:, None])
        ground = ground + np.asarray(height_fn(lat, lon), float)
    return bool(np.all(r > ground - tol_m))


def _ground_in_frame(spec: cam.CameraSpec, height_fn) -> bool:
    """True when the ray through the bottom middle of the frame meets the ground within 60 km."""
    fwd = spec.focal_m - spec.position_m
    fwd = fwd / np.linalg.norm(fwd)
    right = np.cross(fwd, spec.up)
    right /= np.linalg.norm(right)
    up = np.cross(right, fwd)
    ray = fwd - 0.9 * np.tan(np.radians(spec.view_angle_deg) / 2) * up
    ray /= np.linalg.norm(ray)
    far = spec.position_m + 60e3 * ray
    return not _clear_line(spec.position_m, far, height_fn, n=400, tol_m=0.0)


def _ctx(traj, et, height_fn):
    sun = ephemeris.position_m("SUN", et, frame="MOON_ME")
    sc = traj.scenario
    from lunarviz.geometry import latlon_to_moon_me

    target = latlon_to_moon_me(sc.site.lat_deg, sc.site.lon_deg)
    return cam.CameraContext(traj, float(et), traj.at(float(et)), ephemeris.position_m("EARTH", et, frame="MOON_ME"),
                             sun / np.linalg.norm(sun), target, height_fn=height_fn, aspect=ASPECT)


def _times(traj) -> np.ndarray:
    td = traj.event("touchdown")
    t_end = td.et_s if td is not None else traj.end_et_s
    whole = np.linspace(traj.start_et_s, traj.end_et_s, 24)
    final = np.linspace(max(traj.start_et_s, t_end - 150.0), traj.end_et_s, 30)
    return np.unique(np.r_[whole, final])


def _height_fn(traj):
    from lunarviz.terrain import SphereTerrain

    t = traj.terrain
    return None if t is None or isinstance(t, SphereTerrain) else t.height_m


def _check(name: str, ctx: cam.CameraContext, spec: cam.CameraSpec, hf) -> str | None:
    """None if the shot has its subject, else what is wrong."""
    st = ctx.state
    eye = np.asarray(spec.position_m, float)
    lander = st.pos_m + st.up * 1.2
    if name == "chase" or (name == "down" and not spec.hide_lander):
        if not _inside(spec, lander):
            return "lander outside the frame"
        return None if _clear_line(eye, lander, hf) else "lander hidden by the ground"
    if name == "site":
        up = eye / np.linalg.norm(eye)
        el = np.degrees(np.arcsin(np.dot(up, (lander - eye) / np.linalg.norm(lander - eye))))
        if el < 60.0 and not _ground_in_frame(spec, hf):
            return "no ground in the frame"
        if _clear_line(eye, lander, None, tol_m=1.0):  # above the site's (smooth) horizon
            if not _inside(spec, lander):
                return "lander outside the frame"
            if _clear_line(eye, lander, hf, tol_m=1.5):
                return None
            # behind far terrain (a crater rim kilometres away): as below the horizon, no tripod sees it
            if np.linalg.norm(lander - eye) < 10e3:
                return "lander hidden by the terrain"
        # below the horizon (or behind a crater rim): the frame must show ground towards it
        return None if _ground_in_frame(spec, hf) else "no ground towards the hidden lander"
    if name == "down":
        below = eye / np.linalg.norm(eye) * MOON_RADIUS_M
        x, y, z = _ndc(spec, below)
        return None if z > 0 and abs(x) < 0.05 and abs(y) < 0.05 else "not looking at the ground below"
    if name == "earthrise":
        if not _inside(spec, ctx.earth_pos_m):
            return "Earth outside the frame"
        if not _clear_line(eye, eye + (ctx.earth_pos_m - eye) * 1e-3, None, n=200):
            return "Earth behind the Moon"
        # on the limb: the limb point right below the Earth is in the frame too
        up = eye / np.linalg.norm(eye)
        r = np.linalg.norm(eye)
        dip = np.arccos(MOON_RADIUS_M / r)
        hz = ctx.earth_pos_m - eye
        hz = hz - np.dot(hz, up) * up
        hz /= np.linalg.norm(hz)
        limb = eye + 1e6 * (np.cos(dip) * hz - np.sin(dip) * up)
        return None if _inside(spec, limb) else "limb not in the frame"
    if name == "orbit":
        tgt = ctx.target_m
        if not _inside(spec, tgt):
            return "site outside the frame"
        facing = float(np.dot(tgt / np.linalg.norm(tgt), eye - tgt)) > 0
        lit = float(np.dot(tgt / np.linalg.norm(tgt), ctx.sun_dir)) > 0
        return None if facing and lit else "site on the far or night side"
    raise AssertionError(name)


@pytest.mark.parametrize("scene_name", SCENES)
def test_every_preset_keeps_its_subject_through_the_flight(flights, scene_name):
    traj = flights[scene_name]
    hf = _height_fn(traj)
    bad = []
    # a flight that only orbits (no [guidance]) lands nowhere: the presets that frame its landing
    # site (site, orbit) have no subject there, and are checked on the landing scenes only
    names = cam.PRESET_NAMES if traj.scenario.guidance is not None else \
        tuple(n for n in cam.PRESET_NAMES if n not in ("site", "orbit"))
    for et in _times(traj):
        ctx = _ctx(traj, et, hf)
        for name in names:
            spec = cam.preset(name, ctx)
            why = _check(name, ctx, spec, hf)
            if why:
                bad.append(f"{name} at {et - traj.end_et_s:+.0f} s: {why}")
    # the scene's keyframed path: the lander never swings out of the frame between cameras
    path = cam.camera_path(traj.scenario.render, traj)
    for et in (np.arange(traj.start_et_s, traj.end_et_s, 0.5) if path is not None else ()):
        ctx = _ctx(traj, et, hf)
        spec = path.spec(ctx)
        st = ctx.state
        if not spec.hide_lander and spec.name != "orbit" and not _inside(spec, st.pos_m + st.up * 1.2):
            bad.append(f"scenario ({spec.name}) at {et - traj.end_et_s:+.1f} s: lander outside the frame")
    assert not bad, f"{scene_name}: {len(bad)} bad shots, e.g. " + "; ".join(bad[:6])


def test_no_black_frame_where_sunlit_ground_is_in_view(headless, flights):
    """Small real frames of the as-flown Resilience scene: each camera at moments through the
    descent; where the geometry says sunlit ground is in view, at most 95 % of pixels are black."""
    from lunarviz.render import scene
    from lunarviz.render.offscreen import grab, make_plotter

    traj = flights["resilience"]
    td = traj.event("touchdown").et_s
    p = make_plotter((160, 90))
    try:
        h = scene.build(p, traj, quality="draft", hud=False)
        checked = 0
        for et in (td - 400.0, td - 20.0, td + 6.0):
            for name in cam.PRESET_NAMES:
                scene.update(h, et, name)
                img = grab(p)
                lit = scene.sunlit_fraction(h, h.origin_m, scene._sun_dir(et))
                if lit > 0.05:
                    checked += 1
                    black = float((img.max(axis=2) < 12).mean())
                    assert black <= 0.95, f"{name} at touchdown{et - td:+.0f}s: {100 * black:.0f} % black"
        assert checked >= 8
    finally:
        p.close()
