"""Time specifications for ``--start``, ``--end``, ``--at`` and camera keyframes, resolved on a flight.

The syntax (ISO UTC times, event names, aliases such as ``pdi``, offsets such
as ``touchdown-120s``) is defined once in :mod:`lunarviz.timespec`, where
scenario files are checked at load; this module resolves a spec against a
:class:`~lunarviz.trajectory.Trajectory`. ``earthrise``/``earthset`` are the
first such events seen from the lander, found with the ephemeris event search
when the trajectory does not carry them.

:func:`parse_time_spec` returns ET seconds and raises
:class:`~lunarviz.errors.TimeError` with a one-line message otherwise.
"""

from __future__ import annotations

import math

import numpy as np

from .. import timespec
from ..errors import TimeError, shown
from ..trajectory import Trajectory


def _search_earth_event(traj: Trajectory, name: str) -> float | None:
    from .. import ephemeris

    def pos(et):
        et = np.atleast_1d(np.asarray(et, float))
        return np.array([traj.at(float(t)).pos_m for t in et])

    events = ephemeris.find_earth_rise_set(pos, traj.start_et_s, traj.end_et_s, step_s=10.0)
    for ev_name, et in events:
        if ev_name == name:
            return float(et)
    return None


def event_time(name: str, traj: Trajectory) -> float:
    """ET of a named moment of ``traj`` (a canonical name of :mod:`lunarviz.timespec`)."""
    key = timespec.ALIASES.get(name.lower(), name.lower())
    if key == "start":
        return traj.start_et_s
    if key == "end":
        return traj.end_et_s
    if key in ("planned", "planned_touchdown"):
        if not math.isfinite(traj.planned_touchdown_et_s):
            raise TimeError(f"time {shown(name)}: this flight has no planned touchdown")
        return float(traj.planned_touchdown_et_s)
    ev = traj.event(key)
    if ev is not None:
        return float(ev.et_s)
    if key in ("earthrise", "earthset"):
        et = _search_earth_event(traj, key)
        if et is None:
            raise TimeError(f"time {shown(name)}: the Earth does not {key[5:]} as seen from the lander during this "
                            f"flight")
        return et
    names = sorted({"start", "end", "planned", "pdi", "earthrise", "earthset", *traj.event_names()})
    raise TimeError(f"time {shown(name)}: not an event of this flight; events: {', '.join(names)}")


def parse_time_spec(spec: str | float, traj: Trajectory, *, clamp: bool = False) -> float:
    """ET seconds for ``spec`` (see :mod:`lunarviz.timespec`).

    Numbers are taken as ET seconds. With ``clamp`` the result is clamped to
    the flight's span; otherwise a time outside it raises ``TimeError``.
    """
    if isinstance(spec, int | float) and not isinstance(spec, bool):
        et = float(spec)
    else:
        ts = timespec.parse(str(spec))
        if ts.utc is not None:
            from ..timebase import utc_to_et

            base = float(utc_to_et(ts.utc))
        else:
            base = event_time(ts.moment, traj)
        et = base + ts.offset_s
    lo, hi = traj.start_et_s, traj.end_et_s
    if clamp:
        return min(max(et, lo), hi)
    tol = 1e-6
    if et < lo - tol or et > hi + tol:
        from ..timebase import et_to_utc

        raise TimeError(f"time {shown(spec)} = {et_to_utc(et, 1)} UTC is outside the flight "
                        f"({et_to_utc(lo, 1)} to {et_to_utc(hi, 1)} UTC)")
    return min(max(et, lo), hi)
