"""Guidance: a command from the navigation *estimate* (never the truth).

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

Phases (the codes of :data:`lunarviz.physics.flight.PHASES`) follow the clock
(braking until the high gate's time, approach until the low gate's) and never
go back; an approach whose estimated altitude is below the low gate goes
terminal early. Vectors are 3-tuples in the inertial frame (m, m/s, m/s^2).
"""

from __future__ import annotations

import math

from . import vec3
from ._jit import jit
from .state import P_APPROACH, P_BRAKING, P_TERMINAL

#: shortest time-to-go E-guidance divides by, s
MIN_TGO_S = 4.0
#: time constant of the terminal descent-rate loop, s
TAU_V_S = 1.5
#: fastest horizontal speed the terminal phase flies towards the site, m/s
MAX_H_SPEED_MPS = 10.0
#: largest thrust tilt from the local vertical in the terminal phase
TAN_MAX_TILT = math.tan(math.radians(30.0))


@jit
def phase(current, t, alt_est_m, et_hg, et_lg, lg_alt_m):
    """Guidance phase at ``t`` (ET s) from the current one; ``et_lg``/``lg_alt_m`` nan without
    an approach phase."""
    if t < et_hg - 1e-9:
        by_clock = P_BRAKING
    elif t < et_lg - 1e-9:
        by_clock = P_APPROACH
    else:
        by_clock = P_TERMINAL
    ph = max(current, by_clock)
    if ph == P_APPROACH and alt_est_m < lg_alt_m:  # below the low gate: no climbing back to it
        ph = P_TERMINAL
    return ph


@jit
def e_guidance(r, v, r_t, v_t, tgo_s):
    """Commanded total acceleration to reach (r_t, v_t) in tgo_s seconds."""
    t = max(tgo_s, MIN_TGO_S)
    t2 = t * t
    return (6.0 * (r_t[0] - r[0]) / t2 - (4.0 * v[0] + 2.0 * v_t[0]) / t,
            6.0 * (r_t[1] - r[1]) / t2 - (4.0 * v[1] + 2.0 * v_t[1]) / t,
            6.0 * (r_t[2] - r[2]) / t2 - (4.0 * v[2] + 2.0 * v_t[2]) / t)


@jit
def descent_rate(alt_est_m, rate_gain, max_rate, td_rate):
    """Commanded vertical speed (m/s, negative down) of the terminal schedule."""
    return -min(max_rate, td_rate + rate_gain * max(alt_est_m, 0.0))


@jit
def terminal(v_rel, up, alt_est_m, site_rel, g_mag, rate_gain, max_rate, td_rate, h_gain):
    """Commanded total acceleration in the terminal phase.

    ``v_rel``: estimated velocity relative to the ground; ``up``: estimated
    local vertical; ``site_rel``: site minus estimated position; ``g_mag``:
    local gravity (m/s^2). Vertical: track :func:`descent_rate` with time
    constant :data:`TAU_V_S` (never commanding the thrust below the horizon).
    Horizontal: fly towards the site at ``h_gain/2 * distance`` (at most
    :data:`MAX_H_SPEED_MPS`), tracking that velocity with gain ``h_gain``.
    """
    v_up = vec3.dot(v_rel, up)
    v_cmd = descent_rate(alt_est_m, rate_gain, max_rate, td_rate)
    a_up = max((v_cmd - v_up) / TAU_V_S, -0.9 * g_mag)
    v_h = vec3.axpy(-v_up, up, v_rel)
    p_h = vec3.axpy(-vec3.dot(site_rel, up), up, site_rel)
    v_h_cmd = vec3.scale(p_h, 0.5 * h_gain)
    sp = vec3.norm(v_h_cmd)
    if sp > MAX_H_SPEED_MPS:
        v_h_cmd = vec3.scale(v_h_cmd, MAX_H_SPEED_MPS / max(sp, 1e-12))
    # close to the ground only null the horizontal velocity (no site seeking below ~50 m)
    v_h_cmd = vec3.scale(v_h_cmd, min(max(alt_est_m / 100.0 - 0.5, 0.0), 1.0))
    a_h = vec3.scale(vec3.sub(v_h_cmd, v_h), h_gain)
    # limit the horizontal acceleration so the thrust stays within the tilt limit
    lim = TAN_MAX_TILT * max(a_up + g_mag, 0.1)
    ah_n = vec3.norm(a_h)
    if ah_n > lim:
        a_h = vec3.scale(a_h, lim / max(ah_n, 1e-12))
    return vec3.axpy(a_up, up, a_h)


@jit
def thrust_force(a_cmd, g, up, mass_kg):
    """Force (N) that gives ``a_cmd`` against gravity ``g``; an engine cannot push the
    lander down, so any downward component (along ``-up``) is dropped."""
    f = vec3.scale(vec3.sub(a_cmd, g), mass_kg)
    f_up = vec3.dot(f, up)
    if f_up < 0.0:
        f = vec3.axpy(-f_up, up, f)
    return f
