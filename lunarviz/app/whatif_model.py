"""What-if changes to a scenario (no Qt): the model behind the viewer's what-if panel.

:func:`apply_changes` builds a new frozen Scenario with
``dataclasses.replace``; the window flies it in a worker thread and shows the
result beside the original as a ghost trail and dashed plot curves.

Changes (all optional):

``lrf_valid_below_m``  the rangefinder gives valid ranges from this altitude down, m
                       (at or above its design range it counts as healthy)
``propellant_kg``      propellant loaded, kg
``main_thrust_n``      main-engine thrust, N
``site_lat_deg``, ``site_lon_deg``  the target site, degrees (MOON_ME)
"""

from __future__ import annotations

import dataclasses
import math

from lunarviz import units
from lunarviz.errors import ScenarioError, shown
from lunarviz.i18n import N_, _
from lunarviz.physics.outcome import Outcome, touchdown_outcome

LIMITS = {
    "lrf_valid_below_m": (1.0, 100e3),
    "propellant_kg": (0.0, 1e6),
    "main_thrust_n": (1.0, 1e7),
    "site_lat_deg": (-90.0, 90.0),
    "site_lon_deg": (-360.0, 360.0),
}


def lrf_valid_from_m(sc) -> float:
    """Altitude (m) below which the scenario's rangefinder delivers valid ranges (0 if disabled)."""
    lrf = sc.lrf
    if not lrf.enabled:
        return 0.0
    if lrf.fault_valid_below_m is None:
        return float(lrf.max_range_m)
    return float(min(lrf.fault_valid_below_m, lrf.max_range_m))


def current_values(sc) -> dict[str, float]:
    """The values the panel starts from for scenario ``sc``."""
    return {
        "lrf_valid_below_m": lrf_valid_from_m(sc),
        "propellant_kg": float(sc.vehicle.propellant_kg),
        "main_thrust_n": float(sc.vehicle.main_thrust_n),
        "site_lat_deg": float(sc.site.lat_deg),
        "site_lon_deg": float(sc.site.lon_deg),
    }


def apply_changes(sc, changes: dict):
    """A new Scenario equal to ``sc`` with ``changes`` applied (unknown keys are errors)."""
    unknown = set(changes) - set(LIMITS)
    if unknown:
        raise ScenarioError(f"what-if: unknown change {sorted(unknown)[0]!r}; expected one of {', '.join(LIMITS)}")
    for key, value in changes.items():
        lo, hi = LIMITS[key]
        if not isinstance(value, (int, float)) or not math.isfinite(value) or not lo <= value <= hi:
            raise ScenarioError(f"what-if: {key} = {shown(value)}: expected a number from {lo:g} to {hi:g}")
    new = sc
    if "lrf_valid_below_m" in changes:
        v = float(changes["lrf_valid_below_m"])
        lrf = new.lrf
        if v >= lrf.max_range_m:  # healthy (or better than designed)
            lrf = dataclasses.replace(lrf, enabled=True, fault_valid_below_m=None, max_range_m=v)
        else:
            lrf = dataclasses.replace(lrf, enabled=True, fault_valid_below_m=v)
        new = dataclasses.replace(new, lrf=lrf)
    veh = {}
    if "propellant_kg" in changes:
        veh["propellant_kg"] = float(changes["propellant_kg"])
    if "main_thrust_n" in changes:
        veh["main_thrust_n"] = float(changes["main_thrust_n"])
    if veh:
        new = dataclasses.replace(new, vehicle=dataclasses.replace(new.vehicle, **veh))
    if "site_lat_deg" in changes or "site_lon_deg" in changes:  # the terrain moves with the site
        new = new.moved_to(float(changes.get("site_lat_deg", new.site.lat_deg)),
                           float(changes.get("site_lon_deg", new.site.lon_deg)))
    return new


#: how the what-if panel words each touchdown outcome
_VERDICTS = {Outcome.LANDED: N_("soft touchdown"), Outcome.HARD_LANDING: N_("hard landing"),
             Outcome.CRASHED: N_("hard impact")}


def outcome_text(traj) -> str:
    """One line: how a flight ended (touchdown speed, propellant left), in the units in use."""
    if traj is None:
        return ""
    ev = traj.event("touchdown")
    prop = float(traj.propellant_kg[-1])
    if ev is None:
        return _("no touchdown in the simulated span; {mass} propellant left").format(
            mass=units.fmt(prop, "mass", ".0f"))
    s = traj.at(ev.et_s)
    v = ev.speed_mps
    verdict = _(_VERDICTS[touchdown_outcome(traj)])
    return _("{verdict} at {speed} ({road_speed}); {mass} propellant left").format(
        verdict=verdict, speed=units.fmt(v, "speed"), road_speed=units.fmt(v, "speed_road", ".0f"),
        mass=units.fmt(max(s.propellant_kg, 0), "mass", ".0f"))
