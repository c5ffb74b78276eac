"""A synthetic descent trajectory for render tests and demos (no physics needed).

:func:`demo_trajectory` makes a smooth, plausible descent to a site: a 100 km
orbit arc, a coast down to ~15 km, braking with the engine on, a pitch-up to
vertical near 3 km and a terminal descent to a soft touchdown -- kinematic
only, but with consistent positions, velocities, attitude and throttle, so
the renderer can be exercised before (or without) the flight simulator.
"""

from __future__ import annotations

import numpy as np

from ..geometry import MOON_RADIUS_M, enu_basis
from ..trajectory import Event, Trajectory, quat_from_matrix

PHASES = ("coast", "braking", "pitch_up", "terminal", "landed")


def demo_trajectory(touchdown_et_s: float = 802423089.0, lat_deg: float = 60.5, lon_deg: float = -4.6,
                    duration_s: float = 2400.0, after_s: float = 30.0, heading_deg: float = 20.0,
                    dt_s: float = 1.0, scenario=None) -> Trajectory:
    """Descent ending at (lat, lon) at ``touchdown_et_s`` (default 2025-06-05 19:17:00 UTC).

    ``heading_deg``: direction of travel at touchdown, from north through east.
    """
    from scipy.interpolate import PchipInterpolator

    e, n, u = enu_basis(lat_deg, lon_deg)
    hd = np.radians(heading_deg)
    fwd = np.cos(hd) * n + np.sin(hd) * e  # direction of travel at the site
    t_td = touchdown_et_s
    t = np.arange(t_td - duration_s, t_td + after_s + 1e-9, dt_s)
    rel = t - t_td
    # down-range distance to go (m) from a speed profile, and altitude (m)
    v_orbit = 1633.0
    t_brake, t_pitch, t_term = -720.0, -150.0, -100.0
    knots_t = np.array([-duration_s, t_brake, t_pitch, t_term, -20.0, 0.0])
    knots_v = np.array([v_orbit, v_orbit * 0.99, 100.0, 30.0, 2.0, 0.0])
    vh = PchipInterpolator(knots_t, knots_v)(np.minimum(rel, 0.0))
    vh = np.where(rel >= 0, 0.0, vh)
    # distance to go = integral of vh from t to touchdown
    seg = np.concatenate([[0.0], np.cumsum(0.5 * (vh[1:] + vh[:-1]) * np.diff(t))])
    s_td = np.interp(0.0, rel, seg)
    togo = s_td - seg
    togo = np.where(rel >= 0, 0.0, togo)
    alt_t = np.array([-duration_s, -duration_s + 120, t_brake, t_pitch, t_term, -20.0, 0.0])
    alt_v = np.array([100e3, 99e3, 15e3, 3.2e3, 1.5e3, 25.0, 0.0])
    alt = PchipInterpolator(alt_t, alt_v)(np.minimum(rel, 0.0))
    alt = np.where(rel >= 0, 0.0, alt)
    ang = togo / MOON_RADIUS_M
    dirs = np.cos(ang)[:, None] * u - np.sin(ang)[:, None] * fwd
    pos = dirs * (MOON_RADIUS_M + alt)[:, None]
    vel = np.gradient(pos, t, axis=0)
    # attitude: thrust axis against the velocity while braking, vertical near the ground
    quats = np.zeros((len(t), 4))
    thr = np.zeros(len(t))
    phase = np.zeros(len(t), np.int16)
    for i in range(len(t)):
        up = dirs[i]
        v = vel[i]
        vn = np.linalg.norm(v)
        w_vert = np.clip((rel[i] - t_pitch) / (t_term - t_pitch), 0.0, 1.0) if rel[i] > t_pitch else 0.0
        if rel[i] < t_brake:
            z = up
        else:
            retro = -v / vn if vn > 1e-3 else up
            z = (1 - w_vert) * retro + w_vert * up
            z = z / np.linalg.norm(z)
        x = fwd - np.dot(fwd, z) * z
        x /= np.linalg.norm(x)
        y = np.cross(z, x)
        quats[i] = quat_from_matrix(np.stack([x, y, z], axis=1))
        if rel[i] >= 0:
            phase[i], thr[i] = 4, 0.0
        elif rel[i] >= t_term:
            phase[i], thr[i] = 3, 0.45
        elif rel[i] >= t_pitch:
            phase[i], thr[i] = 2, 0.7
        elif rel[i] >= t_brake:
            phase[i], thr[i] = 1, 0.9
    dry = 340.0
    burn = np.cumsum(thr) * dt_s * 0.25
    mass = 1000.0 - 220.0 - burn
    events = []
    for name, et in (("start", t[0]), ("powered_descent", t_td + t_brake), ("pitch_up", t_td + t_pitch),
                     ("terminal", t_td + t_term), ("touchdown", t_td)):
        i = int(np.argmin(np.abs(t - et)))
        events.append(Event(name, float(t[i]), pos[i].copy(), vel[i].copy(), float(alt[i])))
    return Trajectory(et_s=t, pos_m=pos, vel_mps=vel, quat_wxyz=quats, mass_kg=mass, throttle=thr, phase=phase,
                      phase_names=PHASES, alt_m=alt, est_alt_m=alt, lrf_valid=alt < 3000, events=tuple(events),
                      dry_mass_kg=dry, planned_touchdown_et_s=t_td, scenario=scenario)
