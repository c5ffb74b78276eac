"""Translational dynamics about the Moon: gravity and the one integrator.

Frame: Moon-centred inertial with J2000 axes; metres, seconds, kilograms.

* Gravity: point-mass Moon, ``a = -GM r / |r|^3`` with GM from the kernel set.
* Thrust: held constant in magnitude and direction over one step
  (zero-order hold from guidance), mass decreasing linearly at ``mdot``
  (see :mod:`.engine`), so the propellant used is exactly the thrust/Isp
  integral over the step.
* Integrator: classical fixed-step RK4 (:func:`rk4`), on one run's 3-tuples;
  :func:`rk4_step` applies it to every row of (n, 3) arrays.
* Attitude: the thrust axis (body +Z) turns towards the commanded direction
  at no more than the slew-rate limit (rotation in the plane of the two).
"""

from __future__ import annotations

import math

import numpy as np

from . import vec3
from ._jit import jit

G0_MPS2 = 9.80665  # standard gravity for Isp, m/s^2


@jit
def gravity(p, gm):
    """Point-mass gravitational acceleration (tuple, m/s^2) at inertial position p (tuple, m)."""
    r2 = p[0] * p[0] + p[1] * p[1] + p[2] * p[2]
    k = -gm / (r2 * math.sqrt(r2))
    return (k * p[0], k * p[1], k * p[2])


@jit
def rk4(r, v, m0, mdot, force, h, gm):
    """One RK4 step of r'' = g(r) + F/m(t), m(t) = m0 - mdot t, F constant over the step.

    ``r``, ``v``, ``force``: 3-tuples (m, m/s, N); returns (r1, v1)."""
    h2 = 0.5 * h
    f0 = vec3.scale(force, 1.0 / m0)
    fh = vec3.scale(force, 1.0 / (m0 - h2 * mdot))
    f1 = vec3.scale(force, 1.0 / (m0 - h * mdot))
    a1 = vec3.add(gravity(r, gm), f0)
    v2 = vec3.axpy(h2, a1, v)
    a2 = vec3.add(gravity(vec3.axpy(h2, v, r), gm), fh)
    v3 = vec3.axpy(h2, a2, v)
    a3 = vec3.add(gravity(vec3.axpy(h2, v2, r), gm), fh)
    v4 = vec3.axpy(h, a3, v)
    a4 = vec3.add(gravity(vec3.axpy(h, v3, r), gm), f1)
    h6 = h / 6.0
    dr = (v[0] + 2.0 * v2[0] + 2.0 * v3[0] + v4[0], v[1] + 2.0 * v2[1] + 2.0 * v3[1] + v4[1],
          v[2] + 2.0 * v2[2] + 2.0 * v3[2] + v4[2])
    dv = (a1[0] + 2.0 * a2[0] + 2.0 * a3[0] + a4[0], a1[1] + 2.0 * a2[1] + 2.0 * a3[1] + a4[1],
          a1[2] + 2.0 * a2[2] + 2.0 * a3[2] + a4[2])
    return vec3.axpy(h6, dr, r), vec3.axpy(h6, dv, v)


def rk4_step(r: np.ndarray, v: np.ndarray, m0: np.ndarray, mdot: np.ndarray | None,
             force: np.ndarray | None, h: float, gm: float) -> tuple[np.ndarray, np.ndarray]:
    """:func:`rk4` for every row of (n, 3) arrays (masses, mass flows (n,)); ``None``: no thrust."""
    rn, vn = np.empty_like(r), np.empty_like(v)
    for i in range(r.shape[0]):
        f = (0.0, 0.0, 0.0) if force is None else vec3.row(force, i)
        a, b = rk4(vec3.row(r, i), vec3.row(v, i), float(m0[i]), 0.0 if mdot is None else float(mdot[i]),
                   f, h, gm)
        rn[i], vn[i] = a, b
    return rn, vn


@jit
def slew(b, u, max_angle_rad, cos_max):
    """Turn unit vector b towards unit vector u by at most ``max_angle_rad`` (tuples).

    ``cos_max`` is ``cos(max_angle_rad)``."""
    c = min(max(vec3.dot(b, u), -1.0), 1.0)
    if c >= cos_max:  # reachable this step
        return vec3.unit(u)
    ang = math.acos(c)
    perp = vec3.axpy(-c, b, u)
    pn = vec3.norm(perp)
    if pn < 1e-12 and ang > 1.0:  # exactly opposite: any perpendicular
        perp = vec3.cross(b, (0.0, 0.0, 1.0))
        if vec3.norm(perp) <= 1e-6:
            perp = vec3.cross(b, (1.0, 0.0, 0.0))
        pn = vec3.norm(perp)
    if pn < 1e-15:
        pn = 1.0
    step = min(ang, max_angle_rad)
    return vec3.unit(vec3.axpy(math.sin(step) / pn, perp, vec3.scale(b, math.cos(step))))


def rodrigues(v: np.ndarray, axis: np.ndarray, angle: float) -> np.ndarray:
    """Rotate vectors v (...,3) about unit ``axis`` by ``angle`` (right-handed)."""
    c, s = math.cos(angle), math.sin(angle)
    return v * c + np.cross(axis, v) * s + np.outer(np.atleast_2d(v) @ axis, axis).reshape(np.shape(v)) * (1 - c)


def kepler_state(gm: float, rp_m: float, ra_m: float, p_dir: np.ndarray, n_hat: np.ndarray,
                 dt_s: float) -> tuple[np.ndarray, np.ndarray]:
    """State dt_s after periapsis passage of the orbit (rp, ra) with periapsis direction p_dir
    and orbit normal n_hat (both unit, inertial). dt_s may be negative."""
    a = 0.5 * (rp_m + ra_m)
    e = (ra_m - rp_m) / (ra_m + rp_m)
    nm = math.sqrt(gm / a ** 3)
    mean = nm * dt_s
    mean = math.remainder(mean, 2 * math.pi)
    ecc_anom = mean if e < 0.8 else math.pi
    for _ in range(50):
        f = ecc_anom - e * math.sin(ecc_anom) - mean
        d = f / (1 - e * math.cos(ecc_anom))
        ecc_anom -= d
        if abs(d) < 1e-14:
            break
    nu = 2 * math.atan2(math.sqrt(1 + e) * math.sin(ecc_anom / 2), math.sqrt(1 - e) * math.cos(ecc_anom / 2))
    p = a * (1 - e * e)
    r = p / (1 + e * math.cos(nu))
    q_dir = np.cross(n_hat, p_dir)
    pos = r * (math.cos(nu) * p_dir + math.sin(nu) * q_dir)
    k = math.sqrt(gm / p)
    vel = k * (-math.sin(nu) * p_dir + (e + math.cos(nu)) * q_dir)
    return pos, vel


def orbital_energy(r: np.ndarray, v: np.ndarray, gm: float) -> np.ndarray:
    """Specific orbital energy (J/kg) for inertial states (..., 3)."""
    return 0.5 * np.sum(v * v, axis=-1) - gm / np.linalg.norm(r, axis=-1)


@jit
def rotate(vec, axis, angle):
    """Rotate tuple ``vec`` about unit tuple ``axis`` by ``angle`` rad (right-handed)."""
    c, s = math.cos(angle), math.sin(angle)
    return vec3.axpy((1.0 - c) * vec3.dot(axis, vec), axis,
                     vec3.axpy(s, vec3.cross(axis, vec), vec3.scale(vec, c)))
