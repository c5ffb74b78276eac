"""Thin adapter to :mod:`lunarviz.ephemeris` / :mod:`lunarviz.timebase` for the physics.

Everything the flight needs from SPICE goes through here: the Moon's GM (from
the loaded kernels), UTC -> ET, and the J2000 -> MOON_ME rotation (vectorised
over ET). Vectors are in metres / seconds.
"""

from __future__ import annotations

import numpy as np

from .. import ephemeris, timebase


def moon_gm_m3s2() -> float:
    """GM of the Moon from the kernel set (m^3/s^2)."""
    return float(ephemeris.moon_gm_m3s2())


def utc_to_et(utc: str) -> float:
    return float(timebase.utc_to_et(utc))


def et_to_utc(et_s, digits: int = 3):
    return timebase.et_to_utc(et_s, digits)


def rot_j2000_to_me(et_s) -> np.ndarray:
    """Rotation matrices taking J2000 vectors to MOON_ME: (3,3) or (N,3,3)."""
    return np.asarray(ephemeris.rotation("J2000", "MOON_ME", et_s), dtype=float)


def rot_and_rate(et_s, h_s: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """R(t) J2000->MOON_ME and its time derivative (central difference, h = 0.5 s).

    MOON_ME velocity of an inertial state: ``v_me = R v + Rdot r``.
    """
    et = np.atleast_1d(np.asarray(et_s, dtype=float))
    allr = rot_j2000_to_me(np.concatenate([et, et - h_s, et + h_s])).reshape(3, len(et), 3, 3)
    rdot = (allr[2] - allr[1]) / (2 * h_s)
    if np.ndim(et_s) == 0:
        return allr[0][0], rdot[0]
    return allr[0], rdot


def moon_angular_velocity(et_s: float) -> tuple[np.ndarray, np.ndarray]:
    """(R, w): rotation J2000->MOON_ME at et and the Moon's angular velocity w (J2000, rad/s)."""
    r, rdot = rot_and_rate(float(et_s))
    w_hat = -r.T @ rdot  # [w]x
    return r, np.array([w_hat[2, 1], w_hat[0, 2], w_hat[1, 0]])

