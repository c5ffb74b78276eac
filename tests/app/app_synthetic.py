"""A stand-in descent trajectory for viewer tests that need no physics."""

from __future__ import annotations

import numpy as np

from lunarviz.geometry import MOON_RADIUS_M
from lunarviz.trajectory import Event, Trajectory


def synthetic_descent(n: int = 601, duration_s: float = 600.0, et0_s: float = 802_000_000.0) -> Trajectory:
    """A simple straight-in descent from 15 km to the ground over ``duration_s`` (a stand-in flight)."""
    t = et0_s + np.linspace(0.0, duration_s, n)
    u = np.linspace(0.0, 1.0, n)
    alt = 15_000.0 * (1 - u) ** 2
    lat = np.radians(60.5)
    lon = np.radians(-4.6) + (u - 1) * 0.01
    r = MOON_RADIUS_M + alt
    pos = np.c_[r * np.cos(lat) * np.cos(lon), r * np.cos(lat) * np.sin(lon), r * np.sin(lat)]
    vel = np.gradient(pos, t, axis=0)
    mass = np.linspace(900.0, 420.0, n)
    est = alt + 2000.0 * (1 - u)
    lrf = alt < 900.0
    events = [Event(name, float(t[i]), pos[i], vel[i]) for name, i in
              (("start", 0), ("powered_descent", 60), ("pitch_up", 300), ("lrf_first_valid", int(np.argmax(lrf))),
               ("touchdown", n - 1))]
    return Trajectory(
        et_s=t, pos_m=pos, vel_mps=vel, quat_wxyz=np.tile([1.0, 0, 0, 0], (n, 1)), mass_kg=mass,
        throttle=np.clip(1 - u, 0, 1), phase=(u > 0.5).astype(int), phase_names=("braking", "terminal"),
        alt_m=alt, est_alt_m=est, lrf_valid=lrf, events=tuple(events), dry_mass_kg=340.0,
        planned_touchdown_et_s=float(t[-1] + 60.0),
    )
