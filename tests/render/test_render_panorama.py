"""Dome (fisheye) and 360° (equirect) frames, checked on geometry: Sun and Earth where the ephemeris says."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lunarviz import ephemeris
from lunarviz.errors import RenderError
from lunarviz.render import camera as cam
from lunarviz.render import panorama, scene
from lunarviz.render.frames import FrameSettings, FrameSource


def _unit(v):
    v = np.asarray(v, float)
    return v / np.linalg.norm(v)


def _predicted(kind, spec, v, size, fov_deg=180.0, tilt_deg=0.0):
    """Independent of the module: where a direction must land in a dome master / equirectangular frame."""
    w, h = size
    pos = np.asarray(spec.position_m, float)
    d = _unit(np.asarray(spec.focal_m) - pos)
    u = _unit(np.asarray(spec.up) - np.dot(spec.up, d) * d)
    v = _unit(v)
    if kind == "fisheye":
        t = math.radians(tilt_deg)
        axis, top = math.cos(t) * d + math.sin(t) * u, -math.sin(t) * d + math.cos(t) * u
        right = np.cross(axis, top)
        r = math.acos(np.dot(v, axis)) / math.radians(fov_deg / 2)
        phi = math.atan2(np.dot(v, top), np.dot(v, right))
        return (1 + r * math.cos(phi)) / 2 * w, (1 - r * math.sin(phi)) / 2 * h
    up = _unit(pos)
    front = _unit(d - np.dot(d, up) * up)
    right = np.cross(front, up)
    lon = math.atan2(np.dot(v, right), np.dot(v, front))
    lat = math.asin(np.dot(v, up))
    return (1 + lon / math.pi) / 2 * w, (1 - lat / (math.pi / 2)) / 2 * h


def _centroid(mask):
    yy, xx = np.nonzero(mask)
    assert len(xx) > 3, "body not found in the frame"
    return xx.mean() + 0.5, yy.mean() + 0.5


@pytest.mark.parametrize("kind,size,tilt", [("fisheye", (2048, 2048), 25.0), ("equirect", (2048, 1024), 0.0)])
def test_sun_and_earth_land_at_the_predicted_pixels(headless, demo_traj, kind, size, tilt):
    src = FrameSource(demo_traj, FrameSettings(size=size, quality="draft", hud=False,
                                               projection=panorama.Projection(kind, 180.0, tilt)))
    try:
        h = src.handles
        et = demo_traj.planned_touchdown_et_s - 60.0
        eye = demo_traj.at(et).pos_m + _unit(demo_traj.at(et).pos_m) * 5000.0
        sun = ephemeris.position_m("SUN", et, frame="MOON_ME") - eye
        earth = ephemeris.position_m("EARTH", et, frame="MOON_ME") - eye
        look = _unit(_unit(sun) + _unit(earth))  # between the two: both inside a 180° dome
        spec = cam.CameraSpec(eye, eye + look * 1e6, _unit(eye), 50.0, hide_lander=True)
        scene.update(h, et, spec)
        # paint the two bodies in pure colours and hide everything else: their centroids are then exact
        ren_props = h.renderer.GetViewProps()
        ren_props.InitTraversal()
        for _ in range(ren_props.GetNumberOfItems()):
            ren_props.GetNextProp().SetVisibility(False)
        for actor, _ in h.data["star_actors"]:
            actor.SetVisibility(False)
        h.actors["sun_glow"].SetVisibility(False)
        h.actors["sun"].GetProperty().SetColor(1.0, 0.0, 0.0)
        h.actors["earth"].SetTexture(None)
        h.actors["earth"].GetProperty().SetColor(0.0, 1.0, 0.0)
        img = src.remap.apply(panorama.render_faces(h, src.remap, lambda: src._grab(False)))
    finally:
        src.close()
    assert img.shape == (size[1], size[0], 3)
    red = (img[..., 0] > 128) & (img[..., 1] < 60)
    green = (img[..., 1] > 128) & (img[..., 0] < 60)
    for mask, v in ((red, sun), (green, earth)):
        got = _centroid(mask)
        want = _predicted(kind, spec, v, size, tilt_deg=tilt)
        assert math.dist(got, want) < 2.0, (kind, got, want)


def test_equirect_has_no_seam_between_cube_faces(headless, demo_traj):
    src = FrameSource(demo_traj, FrameSettings(size=(512, 256), camera="chase", quality="draft", hud=False,
                                               projection=panorama.Projection("equirect")))
    try:
        img = src.frame(demo_traj.planned_touchdown_et_s - 30.0)["beauty"].astype(np.float32)
        faces = src.remap.face_of_pixel
    finally:
        src.close()
    dx = np.abs(img[:, 1:] - img[:, :-1]).sum(-1)
    across = faces[:, 1:] != faces[:, :-1]
    dy = np.abs(img[1:] - img[:-1]).sum(-1)
    across_y = faces[1:] != faces[:-1]
    # the ground (textured, lower half): steps across a face edge are like steps anywhere nearby
    rows = slice(140, 250)
    for d, a in ((dx, across), (dy, across_y)):
        d, a = d[rows], a[rows]
        near = np.zeros_like(a)
        for s in (-3, -2, 2, 3):
            near |= np.roll(a, s, axis=1) | np.roll(a, s, axis=0)
        near &= ~a
        assert a.sum() > 50 and near.sum() > 50
        assert d[a].mean() < 1.5 * d[near].mean() + 2.0, (d[a].mean(), d[near].mean())


def test_projection_options_are_checked():
    with pytest.raises(RenderError, match="square"):
        panorama.check_projection("fisheye", (1920, 1080), None, None)
    with pytest.raises(RenderError, match="220"):
        panorama.check_projection("fisheye", (1024, 1024), 230.0, None)
    with pytest.raises(RenderError, match="2:1"):
        panorama.check_projection("equirect", (1920, 1080), None, None)
    with pytest.raises(RenderError, match="fisheye only"):
        panorama.check_projection("equirect", (2048, 1024), 200.0, None)
    p = panorama.check_projection("fisheye", (1024, 1024), 220.0, -10.0)
    assert (p.fov_deg, p.tilt_deg) == (220.0, -10.0)
    # a 220° dome's rim looks 20° behind the camera; a 180° one's rim is square to it
    v, valid = panorama.directions(p, (64, 64))
    assert v[..., 0][valid].min() == pytest.approx(math.cos(math.radians(110.0)), abs=0.02)
    v, valid = panorama.directions(panorama.Projection("fisheye", 180.0), (64, 64))
    assert v[..., 0][valid].min() == pytest.approx(0.0, abs=0.03)
    assert 1 not in panorama.Remap(panorama.Projection("fisheye", 180.0), (64, 64)).faces_used


def test_still_dome_master_is_round_and_square(headless, tmp_path):
    from PIL import Image

    from lunarviz.cli import main

    out = tmp_path / "dome.png"
    assert main(["still", "resilience", "--at", "touchdown-20s", "--camera", "site", "-o", str(out), "--size",
                 "128x128", "--quality", "draft", "--antialias", "none", "--projection", "fisheye",
                 "--fov-deg", "200", "--tilt-deg", "20"]) == 0
    img = np.asarray(Image.open(out))
    assert img.shape == (128, 128, 3)
    assert img[:3, :3].max() == 0 and img[-3:, -3:].max() == 0  # outside the circle: black
    assert img[100:120, 40:88].mean() > 10  # the HUD panel and the ground at the front of the dome
