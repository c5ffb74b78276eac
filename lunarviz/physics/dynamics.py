"""Translational dynamics about the Moon, vectorised across Monte Carlo runs.

Frame: Moon-centred inertial with J2000 axes; metres, seconds, kilograms.
Arrays carry a leading run axis: positions ``(n, 3)``, masses ``(n,)``.

* Gravity: point-mass Moon, ``a = -GM r / |r|^3`` with GM from the kernel set.
* Thrust: held constant in magnitude and direction over one step
  (zero-order hold from guidance), mass decreasing linearly at
  ``mdot = F / (Isp g0)`` so the propellant used is exactly the thrust/Isp
  integral over the step.
* Integrator: classical fixed-step RK4.
* Attitude: the thrust axis (body +Z) turns towards the commanded direction
  at no more than the slew-rate limit (rotation in the plane of the two).
"""

from __future__ import annotations

import math

import numpy as np

G0_MPS2 = 9.80665  # standard gravity for Isp, m/s^2


def gravity(r: np.ndarray, gm: float) -> np.ndarray:
    """Point-mass gravitational acceleration (n,3) at inertial positions r (n,3)."""
    rn = np.sqrt(np.einsum("ij,ij->i", r, r))
    return r * (-gm / (rn * rn * rn))[:, None]


def _rk4_one(r, v, m0, mdot, force, h, gm):
    """RK4 for a single run on Python floats (numpy's per-call overhead dominates at n = 1)."""
    x, y, z = r
    vx, vy, vz = v
    if force is None:
        fx0 = fy0 = fz0 = fxh = fyh = fzh = fx1 = fy1 = fz1 = 0.0
    else:
        fx, fy, fz = force
        i0, ih, i1 = 1.0 / m0, 1.0 / (m0 - 0.5 * h * mdot), 1.0 / (m0 - h * mdot)
        fx0, fy0, fz0 = fx * i0, fy * i0, fz * i0
        fxh, fyh, fzh = fx * ih, fy * ih, fz * ih
        fx1, fy1, fz1 = fx * i1, fy * i1, fz * i1
    sq = math.sqrt

    def acc(px, py, pz):
        r2 = px * px + py * py + pz * pz
        k = -gm / (r2 * sq(r2))
        return k * px, k * py, k * pz

    h2 = 0.5 * h
    a1x, a1y, a1z = acc(x, y, z)
    a1x += fx0
    a1y += fy0
    a1z += fz0
    v2x, v2y, v2z = vx + h2 * a1x, vy + h2 * a1y, vz + h2 * a1z
    a2x, a2y, a2z = acc(x + h2 * vx, y + h2 * vy, z + h2 * vz)
    a2x += fxh
    a2y += fyh
    a2z += fzh
    v3x, v3y, v3z = vx + h2 * a2x, vy + h2 * a2y, vz + h2 * a2z
    a3x, a3y, a3z = acc(x + h2 * v2x, y + h2 * v2y, z + h2 * v2z)
    a3x += fxh
    a3y += fyh
    a3z += fzh
    v4x, v4y, v4z = vx + h * a3x, vy + h * a3y, vz + h * a3z
    a4x, a4y, a4z = acc(x + h * v3x, y + h * v3y, z + h * v3z)
    a4x += fx1
    a4y += fy1
    a4z += fz1
    h6 = h / 6.0
    rn = (x + h6 * (vx + 2 * v2x + 2 * v3x + v4x), y + h6 * (vy + 2 * v2y + 2 * v3y + v4y),
          z + h6 * (vz + 2 * v2z + 2 * v3z + v4z))
    vn = (vx + h6 * (a1x + 2 * a2x + 2 * a3x + a4x), vy + h6 * (a1y + 2 * a2y + 2 * a3y + a4y),
          vz + h6 * (a1z + 2 * a2z + 2 * a3z + a4z))
    return rn, vn


def rk4_step(r: np.ndarray, v: np.ndarray, m0: np.ndarray, mdot: np.ndarray,
             force: np.ndarray | None, h: float, gm: float) -> tuple[np.ndarray, np.ndarray]:
    """One RK4 step of r'' = g(r) + F/m(t), m(t) = m0 - mdot t, F constant over the step."""
    if r.shape[0] == 1:
        rn, vn = _rk4_one(r[0].tolist(), v[0].tolist(), float(m0[0]),
                          0.0 if mdot is None else float(mdot[0]),
                          None if force is None else force[0].tolist(), h, gm)
        return np.array([rn]), np.array([vn])
    if force is None:
        a1 = gravity(r, gm)
        r2 = r + 0.5 * h * v
        v2 = v + 0.5 * h * a1
        a2 = gravity(r2, gm)
        r3 = r + 0.5 * h * v2
        v3 = v + 0.5 * h * a2
        a3 = gravity(r3, gm)
        r4 = r + h * v3
        v4 = v + h * a3
        a4 = gravity(r4, gm)
    else:
        f0 = force / m0[:, None]
        fh = force / (m0 - 0.5 * h * mdot)[:, None]
        f1 = force / (m0 - h * mdot)[:, None]
        a1 = gravity(r, gm) + f0
        r2 = r + 0.5 * h * v
        v2 = v + 0.5 * h * a1
        a2 = gravity(r2, gm) + fh
        r3 = r + 0.5 * h * v2
        v3 = v + 0.5 * h * a2
        a3 = gravity(r3, gm) + fh
        r4 = r + h * v3
        v4 = v + h * a3
        a4 = gravity(r4, gm) + f1
    rn = r + (h / 6.0) * (v + 2 * v2 + 2 * v3 + v4)
    vn = v + (h / 6.0) * (a1 + 2 * a2 + 2 * a3 + a4)
    return rn, vn


def slew(b: np.ndarray, u: np.ndarray, max_angle_rad: float) -> np.ndarray:
    """Turn unit vectors b (n,3) towards unit vectors u by at most ``max_angle_rad``."""
    c = np.clip(np.einsum("ij,ij->i", b, u), -1.0, 1.0)
    if c.min() >= math.cos(max_angle_rad):  # every run can reach its command this step
        return u / np.sqrt(np.einsum("ij,ij->i", u, u))[:, None]
    ang = np.arccos(c)
    perp = u - c[:, None] * b
    pn = np.linalg.norm(perp, axis=1)
    # exactly opposite: pick any perpendicular
    bad = pn < 1e-12
    if np.any(bad & (ang > 1.0)):
        alt = np.cross(b, np.array([0.0, 0.0, 1.0]))
        alt2 = np.cross(b, np.array([1.0, 0.0, 0.0]))
        alt = np.where((np.linalg.norm(alt, axis=1) > 1e-6)[:, None], alt, alt2)
        perp = np.where(bad[:, None], alt, perp)
        pn = np.linalg.norm(perp, axis=1)
    pn = np.where(pn < 1e-15, 1.0, pn)
    step = np.minimum(ang, max_angle_rad)
    out = np.cos(step)[:, None] * b + (np.sin(step) / pn)[:, None] * perp
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def cross3(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``np.cross`` for (..., 3) arrays, the same products and differences in the same order
    (bitwise equal) without its axis handling, which costs more than the arithmetic on a few
    vectors."""
    a, b = np.asarray(a), np.asarray(b)
    a0, a1, a2 = a[..., 0], a[..., 1], a[..., 2]
    b0, b1, b2 = b[..., 0], b[..., 1], b[..., 2]
    return np.stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], axis=-1)


def rodrigues(v: np.ndarray, axis: np.ndarray, angle: float) -> np.ndarray:
    """Rotate vectors v (...,3) about unit ``axis`` by ``angle`` (right-handed)."""
    c, s = math.cos(angle), math.sin(angle)
    return v * c + cross3(axis, v) * s + np.outer(np.atleast_2d(v) @ axis, axis).reshape(np.shape(v)) * (1 - c)


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
