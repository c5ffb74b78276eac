"""Landing dispersion on the terrain: Monte Carlo touchdown points and the 1-sigma / 3-sigma ellipses.

An overlay on a built scene (:func:`lunarviz.render.scene.build`), used by the
viewer's "Run Monte Carlo" and by ``lunarviz still --dispersions N``:
:func:`build_dispersion` adds the actors from a
:class:`~lunarviz.physics.montecarlo.MonteCarloResult`, :func:`update_dispersion`
places them for a frame after ``scene.update`` (floating origin). Points and
ellipses lie on the terrain (a little above it, so they are not buried).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lunarviz.geometry import MOON_RADIUS_M, enu_basis, unit_to_latlon

#: touchdown point colours by outcome (RGB 0..1)
OUTCOME_RGB = {"landed": (0.35, 0.9, 0.45), "hard_landing": (1.0, 0.7, 0.2), "crashed": (1.0, 0.3, 0.25)}
#: the ellipses drawn, sigma multiples and colours
ELLIPSES = ((1.0, (1.0, 1.0, 1.0)), (3.0, (1.0, 0.85, 0.3)))
#: height of the overlay above the ground, m
LIFT_M = 4.0


@dataclass
class DispersionHandles:
    actors: dict[str, Any] = field(default_factory=dict)


def _on_ground(h, east_m: np.ndarray, north_m: np.ndarray) -> np.ndarray:
    """Site-relative MOON_ME points (n, 3) on the terrain at local (east, north) offsets from the target."""
    sc = h.traj.scenario
    lat0, lon0 = (sc.site.lat_deg, sc.site.lon_deg) if sc is not None else unit_to_latlon(h.site_m)
    E, N, U = enu_basis(lat0, lon0)
    p = U * MOON_RADIUS_M + np.outer(east_m, E) + np.outer(north_m, N)
    u = p / np.linalg.norm(p, axis=1, keepdims=True)
    height = np.zeros(len(u))
    if h.height_fn is not None:
        lat, lon = unit_to_latlon(u)
        height = np.asarray(h.height_fn(lat, lon), float)
    return u * (MOON_RADIUS_M + height + LIFT_M)[:, None] - np.asarray(h.site_m, float)


def ellipse_points(center, axes, azimuth_deg: float, n: int = 360) -> tuple[np.ndarray, np.ndarray]:
    """(east, north) of a closed ellipse: ``axes`` (major, minor), major axis at ``azimuth_deg`` from north."""
    t = np.linspace(0.0, 2 * math.pi, n + 1)
    a, b = axes
    az = math.radians(azimuth_deg)
    major = np.array([math.sin(az), math.cos(az)])
    minor = np.array([math.cos(az), -math.sin(az)])
    pts = np.outer(a * np.cos(t), major) + np.outer(b * np.sin(t), minor) + np.asarray(center, float)
    return pts[:, 0], pts[:, 1]


def build_dispersion(h, result) -> DispersionHandles:
    """Add the touchdown points and ellipses of a Monte Carlo ``result`` to the scene ``h``."""
    import pyvista as pv

    d = DispersionHandles()
    ok = np.isfinite(result.east_m) & np.isfinite(result.north_m)
    if ok.any():
        pts = _on_ground(h, result.east_m[ok], result.north_m[ok])
        rgb = np.array([OUTCOME_RGB.get(str(o), (0.8, 0.8, 0.8)) for o in result.outcome[ok]])
        cloud = pv.PolyData(pts)
        cloud.point_data["rgb"] = (rgb * 255).astype(np.uint8)
        d.actors["points"] = h.plotter.add_mesh(cloud, scalars="rgb", rgb=True, point_size=6,
                                                render_points_as_spheres=True, lighting=False,
                                                name="mc_points", reset_camera=False, show_scalar_bar=False)
    for k, color in ELLIPSES:
        e, n = ellipse_points(result.ellipse_center_m, result.sigma_axes_m(k), result.ellipse_azimuth_deg)
        if not (np.isfinite(e).all() and np.isfinite(n).all()):
            continue
        line = pv.lines_from_points(_on_ground(h, e, n))
        d.actors[f"ellipse_{k:g}"] = h.plotter.add_mesh(line, color=color, line_width=3, lighting=False,
                                                        name=f"mc_ellipse_{k:g}", reset_camera=False)
    return d


def update_dispersion(h, d: DispersionHandles) -> None:
    """Place the overlay for the frame ``scene.update`` just prepared."""
    from .scene import _place

    trans = np.asarray(h.site_m, float) - np.asarray(h.origin_m, float)
    for a in d.actors.values():
        _place(a, trans=trans)


def remove_dispersion(h, d: DispersionHandles | None) -> None:
    if d is not None:
        for a in d.actors.values():
            h.renderer.RemoveActor(a)
