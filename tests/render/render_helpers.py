"""Helpers shared by the render tests (a uniquely named module: several test folders have a conftest)."""

from __future__ import annotations

import numpy as np

#: render tests run small: 320x180 is enough to check geometry on real pixels
SIZE = (320, 180)


def render(h, et, camera):
    from lunarviz.render import scene
    from lunarviz.render.offscreen import grab

    spec = scene.update(h, et, camera)
    return grab(h.plotter), spec


def project(spec, size, point_m):
    """Independent pinhole projection of a MOON_ME point for a CameraSpec -> (x, y) pixels, y down."""
    w, hgt = size
    pos = np.asarray(spec.position_m, float)
    d = np.asarray(spec.focal_m, float) - pos
    d /= np.linalg.norm(d)
    up = np.asarray(spec.up, float)
    up = up - np.dot(up, d) * d
    up /= np.linalg.norm(up)
    right = np.cross(d, up)
    rel = np.asarray(point_m, float) - pos
    z = float(np.dot(rel, d))
    t = np.tan(np.radians(spec.view_angle_deg) / 2)
    x = float(np.dot(rel, right)) / z / (t * w / hgt)
    y = float(np.dot(rel, up)) / z / t
    return (x + 1) / 2 * w, (1 - y) / 2 * hgt
