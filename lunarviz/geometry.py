"""The Moon's reference sphere and the vectors on it: the one place for shared geometry.

numpy only (no SPICE, no VTK, no Qt), so physics, terrain, render and the app
all import it. Conventions used everywhere in lunarviz:

* positions are in the Moon-fixed ``MOON_ME`` frame, metres;
* latitude/longitude are planetocentric degrees in ``MOON_ME``, longitude
  east-positive in (-180, 180];
* heights are above the reference sphere of radius :data:`MOON_RADIUS_M`;
* a local basis is a ``(3, 3)`` array whose **rows** are the east, north and
  up unit vectors, so ``basis @ v`` gives a vector's (east, north, up)
  components and ``basis.T`` is the matrix whose columns are those axes
  (what VTK placement wants).

:data:`MOON_RADIUS_M` is the value of ``BODY301_RADII`` in the project's own
text PCK, ``assets/kernels/lunarviz_constants.tpc`` (written by
``scripts/make_text_pck.py``: the IAU/LOLA mean sphere, 1737.4 km, all three
axes equal). It is a literal here rather than read from the kernel at import
time because the kernel directory is resolved by :mod:`lunarviz.ephemeris`
(environment overrides, installed assets), the only module allowed to talk to
SPICE; ``tests/core/test_geometry.py`` asserts that
``ephemeris.body_radii_m("MOON")`` (the loaded kernels' value) and the text of
the shipped kernel both equal it, so the two cannot drift apart.
"""

from __future__ import annotations

import numpy as np

from .errors import LunarvizError

__all__ = [
    "MOON_RADIUS_M",
    "enu_basis",
    "enu_basis_from_up",
    "latlon_to_unit",
    "unit_to_latlon",
    "latlon_to_moon_me",
    "moon_me_to_latlon",
    "great_circle_m",
]

#: radius of the Moon's reference sphere (BODY301_RADII of the shipped text PCK), metres
MOON_RADIUS_M = 1737400.0


def _check_latlon(lat_deg, lon_deg) -> tuple[np.ndarray, np.ndarray]:
    lat = np.asarray(lat_deg, dtype=float)
    lon = np.asarray(lon_deg, dtype=float)
    if not np.all(np.isfinite(lat)):
        raise LunarvizError(f"latitude {lat_deg} deg is not a finite number")
    if np.any(np.abs(lat) > 90.0):
        bad = float(lat.flat[int(np.argmax(np.abs(lat)))])
        raise LunarvizError(f"latitude {bad:g} deg is outside -90..90 deg")
    if not np.all(np.isfinite(lon)):
        raise LunarvizError(f"longitude {lon_deg} deg is not a finite number")
    return lat, lon


def enu_basis(lat_deg, lon_deg) -> np.ndarray:
    """Local east, north, up unit vectors (rows) in ``MOON_ME`` at a site.

    Shape ``(3, 3)`` for scalar inputs, ``(..., 3, 3)`` for arrays (broadcast).
    ``enu_basis(lat, lon) @ v_moon_me`` gives the (east, north, up) components.
    """
    lat = np.radians(np.asarray(lat_deg, dtype=float))
    lon = np.radians(np.asarray(lon_deg, dtype=float))
    lat, lon = np.broadcast_arrays(lat, lon)
    sl, cl, so, co = np.sin(lat), np.cos(lat), np.sin(lon), np.cos(lon)
    zero = np.zeros_like(lat)
    east = np.stack([-so, co, zero], axis=-1)
    north = np.stack([-sl * co, -sl * so, cl], axis=-1)
    up = np.stack([cl * co, cl * so, sl], axis=-1)
    return np.stack([east, north, up], axis=-2)


def enu_basis_from_up(up) -> np.ndarray:
    """The east, north, up rows of :func:`enu_basis` at the point whose radial direction is ``up``.

    ``up`` is any non-zero vector (a position, or a direction to face); east is
    horizontal (perpendicular to the ``MOON_ME`` +Z axis), and at the poles,
    where east is undefined, it is taken along +X. One vector, shape ``(3, 3)``.
    """
    up = np.asarray(up, dtype=float)
    up = up / np.linalg.norm(up)
    east = np.cross([0.0, 0.0, 1.0], up)
    if np.linalg.norm(east) < 1e-9:
        east = np.array([1.0, 0.0, 0.0])
    east /= np.linalg.norm(east)
    north = np.cross(up, east)
    return np.stack([east, north, up])


def latlon_to_unit(lat_deg, lon_deg) -> np.ndarray:
    """Unit ``MOON_ME`` radial direction(s) of lat/lon (deg); broadcasts, shape ``(..., 3)``. No checks (hot path)."""
    lat = np.radians(np.asarray(lat_deg, dtype=float))
    lon = np.radians(np.asarray(lon_deg, dtype=float))
    lat, lon = np.broadcast_arrays(lat, lon)
    cl = np.cos(lat)
    return np.stack([cl * np.cos(lon), cl * np.sin(lon), np.sin(lat)], axis=-1)


def unit_to_latlon(vec) -> tuple[np.ndarray, np.ndarray]:
    """Latitude and longitude (deg) of the direction of ``MOON_ME`` vector(s) ``(..., 3)`` (any length)."""
    v = np.asarray(vec, dtype=float)
    x, y, z = v[..., 0], v[..., 1], v[..., 2]
    return np.degrees(np.arctan2(z, np.hypot(x, y))), np.degrees(np.arctan2(y, x))


def latlon_to_moon_me(lat_deg, lon_deg, height_m=0.0) -> np.ndarray:
    """``MOON_ME`` position (m) of a selenographic site ``height_m`` above the reference sphere.

    Broadcasts; result shape ``(..., 3)``. A latitude outside -90..90 or a
    non-finite value raises :class:`lunarviz.errors.LunarvizError` naming it.
    """
    lat, lon = _check_latlon(lat_deg, lon_deg)
    r = MOON_RADIUS_M + np.asarray(height_m, dtype=float)
    unit, r = np.broadcast_arrays(latlon_to_unit(lat, lon), r[..., None])
    return unit * r


def moon_me_to_latlon(pos_m) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Inverse of :func:`latlon_to_moon_me`: ``(lat_deg, lon_deg in (-180, 180], height_m)``."""
    p = np.asarray(pos_m, dtype=float)
    lat, lon = unit_to_latlon(p)
    return lat, lon, np.linalg.norm(p, axis=-1) - MOON_RADIUS_M


def great_circle_m(lat1_deg, lon1_deg, lat2_deg, lon2_deg, radius_m: float = MOON_RADIUS_M):
    """Great-circle (haversine) distance between two lat/lon points on a sphere, m.

    Broadcasts; a ``float`` for scalar inputs, an array otherwise.
    """
    p1, p2 = np.radians(lat1_deg), np.radians(lat2_deg)
    dl = np.radians(np.asarray(lon2_deg) - np.asarray(lon1_deg))
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    d = 2 * radius_m * np.arcsin(np.sqrt(np.clip(a, 0, 1)))
    return float(d) if np.ndim(d) == 0 else d
