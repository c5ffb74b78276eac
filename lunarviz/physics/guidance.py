"""Guidance laws, computed from the navigation *estimate* (never the truth).

Braking and approach phases: **E-guidance** (Cherry 1964, the explicit
target-referenced guidance family the Apollo LM braking/approach programs
P63/P64 belong to). For a fixed time of arrival ``t_gate`` and an inertial gate
state (r_T, v_T), the acceleration profile linear in time that meets both
gives the commanded acceleration now::

    a_cmd = 6 (r_T - r) / T^2 - (4 v + 2 v_T) / T,   T = t_gate - t

and the thrust acceleration is ``a_cmd - g(r)``. The gates are target-referenced
(defined relative to the landing site and moved with the Moon's rotation to
where the site will be at ``t_gate``).

Terminal phase: a rate-of-descent schedule against the estimated altitude,
``v_down = min(v_max, v_td + k h_est)``, tracked with a first-order loop,
plus horizontal flight towards the site at a limited speed (pure
velocity nulling in the last ~50 m), with the thrust tilt limited to 30 deg.
"""

from __future__ import annotations

import numpy as np


def e_guidance(r: np.ndarray, v: np.ndarray, r_t: np.ndarray, v_t: np.ndarray,
               tgo_s: float) -> np.ndarray:
    """Commanded total acceleration (n,3) to reach (r_t, v_t) in tgo_s seconds."""
    t = max(tgo_s, 4.0)
    return 6.0 * (r_t - r) / (t * t) - (4.0 * v + 2.0 * v_t) / t


def terminal(r: np.ndarray, v_rel: np.ndarray, up: np.ndarray, alt_est: np.ndarray,
             site_rel: np.ndarray, g_mag: np.ndarray, *, rate_gain: float, max_rate: float,
             td_rate: float, h_gain: float, tau_v: float = 1.5, max_h_speed: float = 10.0,
             max_tilt_rad: float = np.radians(30.0)) -> np.ndarray:
    """Commanded total acceleration (n,3) in the terminal phase.

    ``v_rel``: estimated velocity relative to the ground; ``site_rel``: site minus
    estimated position; ``g_mag``: local gravity magnitude (n,).
    Vertical: track ``-min(max_rate, td_rate + rate_gain * h_est)`` with time
    constant ``tau_v`` (never commanding the thrust to point below the horizon).
    Horizontal: fly towards the site at ``h_gain/2 * distance`` (at most
    ``max_h_speed``), tracking that velocity with gain ``h_gain``.
    """
    v_up = np.einsum("ij,ij->i", v_rel, up)
    v_cmd = -np.minimum(max_rate, td_rate + rate_gain * np.maximum(alt_est, 0.0))
    a_up = np.maximum((v_cmd - v_up) / tau_v, -0.9 * g_mag)
    v_h = v_rel - v_up[:, None] * up
    p_h = site_rel - np.einsum("ij,ij->i", site_rel, up)[:, None] * up
    v_h_cmd = 0.5 * h_gain * p_h
    sp = np.linalg.norm(v_h_cmd, axis=1)
    v_h_cmd *= np.where(sp > max_h_speed, max_h_speed / np.maximum(sp, 1e-12), 1.0)[:, None]
    # close to the ground only null the horizontal velocity (no site seeking below ~50 m)
    v_h_cmd *= np.clip(alt_est / 100.0 - 0.5, 0.0, 1.0)[:, None]
    a_h = h_gain * (v_h_cmd - v_h)
    # limit horizontal acceleration so the thrust stays within max_tilt of vertical
    lim = np.tan(max_tilt_rad) * np.maximum(a_up + g_mag, 0.1)
    ah_n = np.linalg.norm(a_h, axis=1)
    scale = np.where(ah_n > lim, lim / np.maximum(ah_n, 1e-12), 1.0)
    return a_up[:, None] * up + a_h * scale[:, None]
