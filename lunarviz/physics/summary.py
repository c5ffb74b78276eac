"""Outcome of a flown trajectory: what the CLI's ``--json`` reports.

"Touchdown" is the first surface contact, soft or not; its ``outcome``
(``landed``, ``hard_landing``, ``crashed`` or ``no_touchdown``) is decided by
:mod:`lunarviz.physics.outcome`, where the thresholds and their rationale live.
"""

from __future__ import annotations

import math
from typing import Any

from ..geometry import great_circle_m, moon_me_to_latlon
from ..trajectory import Trajectory
from .outcome import classify, touchdown_speeds


def _num(x: float) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def outcome_summary(traj: Trajectory) -> dict[str, Any]:
    from ..timebase import et_to_utc

    td = traj.event("touchdown")
    pd = traj.event("powered_descent")
    out: dict[str, Any] = {
        "scenario": traj.scenario.name if traj.scenario is not None else None,
        "title": traj.scenario.title if traj.scenario is not None else None,
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
        vz, vh = (float(x) for x in touchdown_speeds(td.pos_m, td.vel_mps))
        lat, lon = (float(x) for x in moon_me_to_latlon(td.pos_m)[:2])
        st = traj.at(td.et_s)
        out.update(
            outcome=classify(vz, vh).value,
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

