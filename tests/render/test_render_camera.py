"""Camera presets as geometry (no rendering): where the `site` tripod stands and what it frames."""

from __future__ import annotations

import numpy as np

from lunarviz import ephemeris
from lunarviz.render import camera as cam


def _ctx(traj, et, height_fn=None):
    sun = ephemeris.position_m("SUN", et, frame="MOON_ME")
    return cam.CameraContext(traj, et, traj.at(et), ephemeris.position_m("EARTH", et, frame="MOON_ME"),
                             sun / np.linalg.norm(sun), traj.pos_m[-1], height_fn=height_fn)


def _frame_y(spec: cam.CameraSpec, point: np.ndarray) -> float:
    """Height of ``point`` in the frame, 0 at the bottom edge and 1 at the top (pinhole camera)."""
    fwd = spec.focal_m - spec.position_m
    fwd /= np.linalg.norm(fwd)
    right = np.cross(fwd, spec.up)
    right /= np.linalg.norm(right)
    up = np.cross(right, fwd)
    v = point - spec.position_m
    t = np.tan(np.radians(spec.view_angle_deg) / 2)
    return 0.5 + 0.5 * float(np.dot(v, up) / np.dot(v, fwd)) / t


def test_site_tripod_has_the_sun_behind_it_and_frames_lander_and_ground(demo_traj, demo_terrain):
    td = demo_traj.event("touchdown").et_s
    height_fn = demo_terrain.height_m  # as the scene passes it to the cameras
    fovs, low_seen = [], 0
    for et in np.arange(td - 120.0, td + 15.0, 0.5):
        ctx = _ctx(demo_traj, float(et), height_fn)
        spec = cam.site(ctx)
        up = ctx.target_m / np.linalg.norm(ctx.target_m)
        look = spec.focal_m - spec.position_m
        look_h = look - np.dot(look, up) * up
        sun_h = ctx.sun_dir - np.dot(ctx.sun_dir, up) * up
        # looking away from the Sun: the lander and the ground in view are lit from behind the camera
        assert np.dot(look_h, sun_h) < 0.0
        st = demo_traj.at(float(et))
        lander_y = _frame_y(spec, st.pos_m + st.up * 1.2)
        assert 0.05 < lander_y < 0.95, (et - td, lander_y)
        to_l = st.pos_m - spec.position_m
        el_l = np.degrees(np.arcsin(np.dot(to_l, up) / np.linalg.norm(to_l)))
        if el_l < 15.0:  # low in the sky: the wide shot, horizon about a quarter up the frame
            far_horizon = spec.position_m + 50e3 * look_h / np.linalg.norm(look_h)
            assert 0.15 < _frame_y(spec, far_horizon) < 0.4, (et - td, el_l)
            low_seen += 1
        fovs.append(spec.view_angle_deg)
    assert low_seen > 20  # the test saw the low part of the descent
    fovs = np.array(fovs)
    assert fovs.min() >= 4.0 - 1e-9 and fovs.max() <= cam.SITE_FOV_MAX + 1e-9
    # the lens zooms smoothly: no jump between frames half a second apart
    assert np.abs(np.diff(np.log(fovs))).max() < np.log(1.25)
