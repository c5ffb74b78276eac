"""Outcome of a flown trajectory: what the CLI's ``--json`` reports.

"Touchdown" is the first surface contact, soft or not. The outcome is
``landed`` when that contact is within the landing envelope
(vertical <= 3 m/s, horizontal <= 2 m/s), ``crashed`` otherwise, and
``no_touchdown`` when the flight ended without reaching the surface.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..trajectory import Trajectory

#: landing envelope, m/s
MAX_SOFT_VERTICAL_MPS = 3.0
MAX_SOFT_HORIZONTAL_MPS = 2.0


def classify(vertical_mps: float, horizontal_mps: float) -> str:
    if abs(vertical_mps) <= MAX_SOFT_VERTICAL_MPS and horizontal_mps <= MAX_SOFT_HORIZONTAL_MPS:
        return "landed"
    return "crashed"


def _num(x: float) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def outcome_summary(traj: Trajectory) -> dict[str, Any]:
    from ..timebase import et_to_utc

    td = traj.event("touchdown")
    pd = traj.event("powered_descent")
    out: dict[str, Any] = {
        "scenario": getattr(traj.scenario, "name", None),
        "title": getattr(traj.scenario, "title", None),
        "outcome": "no_touchdown",
        "touchdown_utc": None,
        "touchdown_vertical_speed_mps": None,
        "touchdown_horizontal_speed_mps": None,
        "touchdown_lat_deg": None,
        "touchdown_lon_deg": None,
        "touchdown_miss_distance_m": None,
        "propellant_remaining_kg": _num(float(traj.mass_kg[-1] - traj.dry_mass_kg)),
        "powered_descent_start_utc": et_to_utc(pd.et_s) if pd else None,
        "planned_touchdown_utc": (et_to_utc(traj.planned_touchdown_et_s)
                                  if math.isfinite(traj.planned_touchdown_et_s) else None),
    }
    if td is not None:
        up = td.pos_m / np.linalg.norm(td.pos_m)
        vz = float(np.dot(td.vel_mps, up))
        vh = float(np.linalg.norm(td.vel_mps - vz * up))
        lat = math.degrees(math.atan2(td.pos_m[2], math.hypot(td.pos_m[0], td.pos_m[1])))
        lon = math.degrees(math.atan2(td.pos_m[1], td.pos_m[0]))
        st = traj.at(td.et_s)
        out.update(
            outcome=classify(vz, vh),
            touchdown_utc=et_to_utc(td.et_s),
            touchdown_vertical_speed_mps=abs(vz),
            touchdown_horizontal_speed_mps=vh,
            touchdown_lat_deg=lat,
            touchdown_lon_deg=lon,
            propellant_remaining_kg=float(st.mass_kg - traj.dry_mass_kg),
        )
        scn = traj.scenario
        if scn is not None:
            out["touchdown_miss_distance_m"] = great_circle_m(lat, lon, scn.site_lat_deg, scn.site_lon_deg)
    events = []
    for ev in traj.events:
        events.append({
            "name": ev.name,
            "utc": et_to_utc(ev.et_s),
            "alt_m": _num(float(ev.alt_m)),
            "speed_mps": _num(ev.speed_mps),
        })
    out["events"] = events
    return out


def great_circle_m(lat1, lon1, lat2, lon2, radius_m: float = 1737400.0):
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    d = 2 * radius_m * np.arcsin(np.sqrt(np.clip(a, 0, 1)))
    return float(d) if np.ndim(d) == 0 else d
