"""Time specifications for ``--start``, ``--end``, ``--at`` and camera keyframes.

A spec is one of

* an ISO UTC time: ``2025-06-05T19:15:00`` (a trailing ``Z`` is allowed);
* an event of the flight: ``touchdown``, ``pdi`` (= ``powered_descent``),
  ``deorbit``, ``pitch_up``, ``terminal``, ``earthrise``, ``start``, ``end``,
  ``planned`` (the planned touchdown), ... -- ``earthrise``/``earthset`` are the
  first such events seen from the lander, found with the ephemeris event
  search when the trajectory does not carry them;
* either of those plus or minus an offset: ``touchdown-120s``,
  ``pdi+1.5min``, ``start+2h``, ``touchdown-1m30s``.

:func:`parse_time_spec` returns ET seconds and raises
:class:`~lunarviz.errors.TimeError` with a one-line message otherwise.
"""

from __future__ import annotations

import math
import re

import numpy as np

from ..errors import TimeError
from ..trajectory import Trajectory

ALIASES = {"pdi": "powered_descent", "td": "touchdown", "landing": "touchdown", "impact": "touchdown"}
_UNITS = {"s": 1.0, "sec": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0, "hr": 3600.0}
_OFFSET = re.compile(r"^(?P<base>.*?)\s*(?P<sign>[+-])\s*(?P<off>(?:\d+(?:\.\d*)?|\.\d+)\s*(?:h|hr|min|m|sec|s)?"
                     r"(?:\s*(?:\d+(?:\.\d*)?|\.\d+)\s*(?:h|hr|min|m|sec|s))*)$")
_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)\s*(h|hr|min|m|sec|s)?")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?Z?$")


def _offset_s(text: str, spec: str) -> float:
    total = 0.0
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _PART.match(text, pos)
        if not m:
            raise TimeError(f"time {spec!r}: cannot read the offset {text!r}; expected e.g. 120s, 2min, 1h")
        total += float(m.group(1)) * _UNITS[m.group(2) or "s"]
        pos = m.end()
        while pos < len(text) and text[pos] == " ":
            pos += 1
    return total


def _search_earth_event(traj: Trajectory, name: str) -> float | None:
    from .. import ephemeris  # noqa: PLC0415

    def pos(et):
        et = np.atleast_1d(np.asarray(et, float))
        return np.array([traj.at(float(t)).pos_m for t in et])

    events = ephemeris.find_earth_rise_set(pos, traj.start_et_s, traj.end_et_s, step_s=10.0)
    for ev_name, et in events:
        if ev_name == name:
            return float(et)
    return None


def event_time(name: str, traj: Trajectory) -> float:
    """ET of a named moment of ``traj`` (see the module docstring)."""
    key = ALIASES.get(name.lower(), name.lower())
    if key == "start":
        return traj.start_et_s
    if key == "end":
        return traj.end_et_s
    if key in ("planned", "planned_touchdown"):
        if not math.isfinite(traj.planned_touchdown_et_s):
            raise TimeError(f"time {name!r}: this flight has no planned touchdown")
        return float(traj.planned_touchdown_et_s)
    ev = traj.event(key)
    if ev is not None:
        return float(ev.et_s)
    if key in ("earthrise", "earthset"):
        et = _search_earth_event(traj, key)
        if et is None:
            raise TimeError(f"time {name!r}: the Earth does not {key[5:]} as seen from the lander during this "
                            f"flight")
        return et
    names = sorted({"start", "end", "planned", "pdi", "earthrise", "earthset", *traj.event_names()})
    raise TimeError(f"time {name!r}: not an ISO UTC time or an event of this flight; events: {', '.join(names)}")


def parse_time_spec(spec: str | float, traj: Trajectory, *, clamp: bool = False) -> float:
    """ET seconds for ``spec`` (see the module docstring).

    Numbers are taken as ET seconds. With ``clamp`` the result is clamped to
    the flight's span; otherwise a time outside it raises ``TimeError``.
    """
    if isinstance(spec, int | float) and not isinstance(spec, bool):
        et = float(spec)
    else:
        text = str(spec).strip()
        if not text:
            raise TimeError("time '': empty; expected an ISO UTC time, an event name or e.g. touchdown-120s")
        if _ISO.match(text):
            et = _utc(text, spec)
        else:
            m = _OFFSET.match(text)
            if m and m.group("base").strip():
                base = m.group("base").strip()
                off = _offset_s(m.group("off"), str(spec))
                sign = 1.0 if m.group("sign") == "+" else -1.0
                base_et = _utc(base, spec) if _ISO.match(base) else event_time(base, traj)
                et = base_et + sign * off
            else:
                et = event_time(text, traj)
    lo, hi = traj.start_et_s, traj.end_et_s
    if clamp:
        return min(max(et, lo), hi)
    tol = 1e-6
    if et < lo - tol or et > hi + tol:
        from ..timebase import et_to_utc  # noqa: PLC0415

        raise TimeError(f"time {spec!r} = {et_to_utc(et, 1)} UTC is outside the flight "
                        f"({et_to_utc(lo, 1)} to {et_to_utc(hi, 1)} UTC)")
    return min(max(et, lo), hi)


def _utc(text: str, spec) -> float:
    from ..timebase import utc_to_et  # noqa: PLC0415

    t = text.rstrip("Z").replace(" ", "T")
    try:
        return float(utc_to_et(t))
    except TimeError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parse failure is the user's time string
        raise TimeError(f"time {spec!r}: not a valid ISO UTC time ({exc})") from None
