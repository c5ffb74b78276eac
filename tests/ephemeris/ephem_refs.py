"""Named tolerances and small independent helpers for the ephemeris tests.

(Kept out of conftest.py so that test modules can import them by a unique name.)
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

#: named tolerances
METRE = 1.0
MILLIMETRE = 1e-3
ARCSECOND_DEG = 1.0 / 3600.0
MILLISECOND = 1e-3

KERNEL_DIR = Path(__file__).resolve().parents[2] / "assets" / "kernels"


def jd_tdb(et_s):
    return 2451545.0 + np.asarray(et_s, dtype=float) / 86400.0


def rot_axis(axis: int, angle_rad: float) -> np.ndarray:
    """Passive (frame) rotation about axis 1, 2 or 3, as SPICE's ROTATE."""
    c, s = np.cos(angle_rad), np.sin(angle_rad)
    if axis == 1:
        return np.array([[1, 0, 0], [0, c, s], [0, -s, c]])
    if axis == 2:
        return np.array([[c, 0, -s], [0, 1, 0], [s, 0, c]])
    return np.array([[c, s, 0], [-s, c, 0], [0, 0, 1]])


def jpl_state_km(spk, target: int, observer: int, et):
    """Geometric J2000 state (km, km/s) target-observer from jplephem.

    Bodies: 10 Sun, 399 Earth, 301 Moon; the chains go through the SSB (0)
    and the Earth-Moon barycentre (3).
    """
    jd = jd_tdb(et)

    def ssb(body):
        if body == 10:
            p, v = spk[0, 10].compute_and_differentiate(jd)
        else:
            p3, v3 = spk[0, 3].compute_and_differentiate(jd)
            pb, vb = spk[3, body].compute_and_differentiate(jd)
            p, v = p3 + pb, v3 + vb
        return np.asarray(p).T, np.asarray(v).T / 86400.0

    pt, vt = ssb(target)
    po, vo = ssb(observer)
    return pt - po, vt - vo


def moon_me_matrix_independent(et: float) -> np.ndarray:
    """J2000 -> MOON_ME rebuilt from the binary PCK (read by jplephem) and the
    MOON_ME_DE421 angles published in moon_080317.tf."""
    from jplephem.pck import PCK

    pck = PCK.open(str(KERNEL_DIR / "moon_pa_de421_1900-2050.bpc"))
    try:
        seg = pck.segments[0]
        phi, delta, w = seg.compute(jd_tdb(et), 0.0, False)
    finally:
        pck.close()
    j2000_to_pa = rot_axis(3, w) @ rot_axis(1, delta) @ rot_axis(3, phi)
    text = (KERNEL_DIR / "moon_080317.tf").read_text()
    m = re.search(r"TKFRAME_31007_ANGLES\s*=\s*\(\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\)", text)
    a1, a2, a3 = np.radians(np.array([float(g) for g in m.groups()]) / 3600.0)
    me_to_pa = rot_axis(3, a1) @ rot_axis(2, a2) @ rot_axis(1, a3)  # axes (3, 2, 1)
    return me_to_pa.T @ j2000_to_pa


def az_el_independent(target_j2000_km, site_lat, site_lon, et):
    """Azimuth/elevation from a MOON_ME site, computed without SPICE."""
    r = moon_me_matrix_independent(et)
    lat, lon = np.radians(site_lat), np.radians(site_lon)
    up = np.array([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])
    east = np.array([-np.sin(lon), np.cos(lon), 0.0])
    north = np.cross(up, east)
    rel = r @ target_j2000_km - 1737.4 * up
    e, n, u = rel @ east, rel @ north, rel @ up
    return np.degrees(np.arctan2(e, n)) % 360.0, np.degrees(np.arctan2(u, np.hypot(e, n)))
