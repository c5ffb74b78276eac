"""Published telemetry as data: a scenario's ``[[record]]`` entries compared with the flight.

A ``[[record]]`` entry (validated in :mod:`lunarviz.scenario`, the one schema)
names a moment (``at``: a time spec such as ``planned-105s`` or ``touchdown``;
or ``at_altitude_m``: the first instant the true altitude is at or below that
height), a quantity of :data:`QUANTITIES` with a unit of its own, the value the
source published, the source, and how far the simulation may differ
(``tolerance``, in the entry's unit) or why the value is doubted (``doubt``).
Entries marked ``must_match`` are what ``lunarviz fly --check-record`` fails on.

:func:`check` evaluates every entry on a trajectory (a :class:`Check` each);
:func:`hud_text` is the line the HUD shows beside the simulated values, and
:func:`plot_points` the markers the viewer's plots draw. Core module: numpy
only, no VTK, no Qt.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .geometry import MOON_RADIUS_M, great_circle_m, moon_me_to_latlon
from .i18n import _
from .units import FOOT_M, HOUR_S, MILE_M, POUND_KG

if TYPE_CHECKING:
    from .scenario import RecordEntry
    from .trajectory import Trajectory

_LENGTHS = {"m": 1.0, "km": 1000.0, "ft": FOOT_M, "mi": MILE_M}
_SPEEDS = {"m/s": 1.0, "km/h": 1000.0 / HOUR_S, "ft/s": FOOT_M, "mph": MILE_M / HOUR_S}
#: quantity -> (SI unit, {unit: factor to SI}, what it is); ``time`` and ``event`` take no unit factor
#: (the factors are :mod:`lunarviz.units`' exact definitions)
QUANTITIES: dict[str, tuple[str, dict[str, float], str]] = {
    "altitude": ("m", _LENGTHS, "true altitude above the ground"),
    "believed_altitude": ("m", _LENGTHS, "the lander's own altitude estimate"),
    "speed": ("m/s", _SPEEDS, "speed relative to the surface"),
    "descent_rate": ("m/s", _SPEEDS, "downward vertical speed"),
    "horizontal_speed": ("m/s", _SPEEDS, "horizontal speed"),
    "mass": ("kg", {"kg": 1.0, "lb": POUND_KG}, "total mass"),
    "distance_to_target": ("m", _LENGTHS, "ground distance from the target site"),
    "north_of_target": ("m", _LENGTHS, "metres north of the target (south negative)"),
    "east_of_target": ("m", _LENGTHS, "metres east of the target (west negative)"),
    "time": ("s", {"s": 1.0}, "the UTC instant of the moment (value: a UTC time; tolerance in s)"),
    "event": ("", {"": 1.0}, "the moment happens in the flight (no value)"),
}
#: seconds a record line stays on the HUD after its moment
HUD_SECONDS = 20.0
#: a published ``time`` with a tolerance of at least this many seconds gives the day only: it is shown as a date
DAY_ONLY_S = 12 * HOUR_S


@dataclass(frozen=True)
class Check:
    """One record entry evaluated on a flight (values in the entry's unit; ``time`` in ET s)."""

    entry: RecordEntry
    et_s: float            # when the entry applies (nan: the moment never came)
    published: float       # the published value in the entry's unit (ET s for ``time``, 1 for ``event``)
    simulated: float       # the flight's value, same unit (nan when it cannot be evaluated)
    problem: str = ""      # why it could not be evaluated

    @property
    def difference(self) -> float:
        return self.simulated - self.published

    @property
    def ok(self) -> bool:
        """Within tolerance (always True for entries without one, except a moment that never came)."""
        if self.problem or not math.isfinite(self.simulated):
            return False
        tol = self.entry.tolerance
        return tol is None or abs(self.difference) <= tol + 1e-9

    @property
    def failed(self) -> bool:
        return self.entry.must_match and not self.ok

    def status(self) -> str:
        if self.ok:
            return "ok" if self.entry.must_match else "info"
        return "FAIL" if self.entry.must_match else "differs"


def _moment_et(traj: Trajectory, e: RecordEntry) -> tuple[float, str]:
    from .errors import TimeError
    from .render.timespec import parse_time_spec

    if e.at_altitude_m is not None:
        alt = np.asarray(traj.alt_m)
        below = np.nonzero(alt <= e.at_altitude_m)[0]
        if not below.size:
            return math.nan, f"the flight never comes down to {e.at_altitude_m:g} m"
        i = int(below[0])
        if i == 0:
            return float(traj.et_s[0]), ""
        a0, a1 = alt[i - 1], alt[i]  # linear crossing between the two samples
        u = (a0 - e.at_altitude_m) / (a0 - a1) if a0 != a1 else 1.0
        return float(traj.et_s[i - 1] + u * (traj.et_s[i] - traj.et_s[i - 1])), ""
    try:
        return parse_time_spec(e.at, traj), ""
    except TimeError as exc:
        return math.nan, str(exc)


def _si_value(traj: Trajectory, quantity: str, et_s: float, e: RecordEntry) -> float:
    ev = traj.event(e.at) if e.at is not None else None
    if ev is not None and e.at_altitude_m is None:  # a bare event: its exact state
        pos, vel, alt = np.asarray(ev.pos_m), np.asarray(ev.vel_mps), float(ev.alt_m)
        st = traj.at(ev.et_s)
    else:
        st = traj.at(et_s)
        pos, vel, alt = st.pos_m, st.vel_mps, st.alt_m
    up = pos / np.linalg.norm(pos)
    vz = float(np.dot(vel, up))
    if quantity == "altitude":
        return alt
    if quantity == "believed_altitude":
        return float(st.est_alt_m)
    if quantity == "speed":
        return float(np.linalg.norm(vel))
    if quantity == "descent_rate":
        return -vz
    if quantity == "horizontal_speed":
        return float(np.linalg.norm(vel - vz * up))
    if quantity == "mass":
        return float(st.mass_kg)
    scn = traj.scenario
    lat, lon = (float(x) for x in moon_me_to_latlon(pos)[:2])
    if quantity == "distance_to_target":
        return float(great_circle_m(lat, lon, scn.site_lat_deg, scn.site_lon_deg))
    if quantity == "north_of_target":
        return math.radians(lat - scn.site_lat_deg) * MOON_RADIUS_M
    if quantity == "east_of_target":
        dlon = (lon - scn.site_lon_deg + 180.0) % 360.0 - 180.0
        return math.radians(dlon) * MOON_RADIUS_M * math.cos(math.radians(scn.site_lat_deg))
    raise ValueError(f"unknown record quantity {quantity!r}")


def evaluate(traj: Trajectory, e: RecordEntry) -> Check:
    """One entry on one flight."""
    from .timebase import utc_to_et

    et, problem = _moment_et(traj, e)
    if e.quantity == "time":
        published = float(utc_to_et(e.value))
    elif e.quantity == "event":
        published = 1.0
    else:
        published = float(e.value)
    if problem:
        return Check(e, math.nan, published, math.nan, problem)
    if e.quantity == "time":
        return Check(e, et, published, et)
    if e.quantity == "event":
        return Check(e, et, published, 1.0)
    factor = QUANTITIES[e.quantity][1][e.unit]
    return Check(e, et, published, _si_value(traj, e.quantity, et, e) / factor)


def check(traj: Trajectory) -> list[Check]:
    """Every ``[[record]]`` entry of the flight's scenario, evaluated (empty without a scenario)."""
    scn = traj.scenario
    return [evaluate(traj, e) for e in (scn.records if scn is not None else ())]


def format_value(e: RecordEntry, v: float, *, signed: bool = False, delta: bool = False,
                 unit: str | None = None, published: bool = False) -> str:
    """A value of entry ``e`` as a person reads it: ``187 km/h``, ``19:23:00 UTC``; a ``delta``
    (difference, tolerance) of a ``time`` entry in seconds: ``+12.5 s``. ``unit`` (a key of
    the quantity's units) shows the value converted to it instead of the entry's own unit.
    A ``published`` time known to the day only (:data:`DAY_ONLY_S`) is shown as its date."""
    if unit is not None and unit != e.unit:
        factors = QUANTITIES[e.quantity][1]
        v = v * factors[e.unit] / factors[unit]
    unit = e.unit if unit is None else unit
    if not math.isfinite(v):
        return "-"
    if e.quantity == "event":
        return "happens" if v else "does not happen"
    if e.quantity == "time" and not (signed or delta):
        from .timebase import et_to_utc

        if published and (e.tolerance or 0.0) >= DAY_ONLY_S:
            return et_to_utc(v, 0)[:10]
        return et_to_utc(v, 1).replace("T", " ") + " UTC"
    mag = abs(v)
    digits = 0 if mag >= 100 else (1 if mag >= 1 else 2)
    if unit in ("km", "mi") and mag < 100:
        digits = 2 if mag < 10 else 1
    text = f"{v:+,.{digits}f}" if signed else f"{v:,.{digits}f}"
    return f"{text} {unit}".rstrip()


def report_lines(checks: list[Check]) -> list[str]:
    """The table ``fly --check-record`` prints: published, simulated, difference, tolerance, status."""
    rows = [("status", "label", "moment", "quantity", "published", "simulated", "difference", "tolerance")]
    for c in checks:
        e = c.entry
        moment = e.at if e.at is not None else f"alt {e.at_altitude_m:g} m"
        tol = "-" if e.tolerance is None else f"±{format_value(e, e.tolerance, delta=True)}"
        diff = c.problem or ("-" if e.quantity == "event" else format_value(e, c.difference, signed=True))
        rows.append((c.status(), e.label, moment, e.quantity, format_value(e, c.published, published=True),
                     format_value(e, c.simulated), diff, tol))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    out = ["  ".join(f"{cell:<{w}}" for cell, w in zip(r[:-1], widths, strict=True)) + "  " + r[-1]
           for r in rows]
    for c in checks:
        if c.entry.doubt:
            out.append(f"  note ({c.entry.label}, {c.entry.quantity}): {c.entry.doubt}")
    return out


def hud_text(traj: Trajectory, et_s: float, checks: list[Check] | None = None, max_lines: int = 3) -> str:
    """The record lines of the moments within the last :data:`HUD_SECONDS` before ``et_s`` (latest first), or ''.

    Entries of one label at one moment share a line: ``livestream: 187 km/h, 52 m at L-01:45
    (sim 187 km/h, 530 m)``.
    """
    checks = check(traj) if checks is None else checks
    live = [c for c in checks if c.entry.quantity != "event" and math.isfinite(c.et_s)
            and c.et_s <= et_s < c.et_s + HUD_SECONDS]
    groups: dict[tuple[float, str], list[Check]] = {}
    for c in sorted(live, key=lambda c: -c.et_s):
        groups.setdefault((round(c.et_s, 3), c.entry.label), []).append(c)
    lines = []
    for (_et, label), cs in list(groups.items())[:max_lines]:
        when = _moment_text(traj, cs[0])
        pub = ", ".join(_hud_value(c.entry, c.published, published=True) for c in cs)
        sim = ", ".join(_hud_value(c.entry, c.simulated) for c in cs)
        lines.append(_("REC  {label}: {published} {when}").format(label=label, published=pub, when=when).rstrip()
                     + "  " + _("(sim {simulated})").format(simulated=sim))
    return "\n".join(lines)


def _hud_value(e: RecordEntry, v: float, published: bool = False) -> str:
    """As :func:`format_value`, times as ``19:17:00 UTC`` (the HUD's date is on its clock line); with
    imperial units a metric value in its imperial counterpart (:func:`lunarviz.units.counterpart`)."""
    from .units import counterpart

    shown_unit = counterpart(e.unit)[0] if e.unit in QUANTITIES[e.quantity][1] else e.unit
    text = format_value(e, v, unit=shown_unit, published=published)
    timed = e.quantity == "time" and math.isfinite(v) and len(text) > 10
    return text[11:19] + " UTC" if timed else text


def _moment_text(traj: Trajectory, c: Check) -> str:
    from .formatting import format_l_minus

    if c.entry.quantity == "time":
        return ""
    lm = format_l_minus(c.et_s, traj.planned_touchdown_et_s)
    return _("at {moment}").format(moment=lm.replace("L-00:", "L-").replace("L+00:", "L+")) if lm else ""


def plot_points(checks: list[Check], quantity: str, unit: str) -> list[tuple[float, float, str, bool]]:
    """Published values of ``quantity`` as (ET s, value in ``unit``, label, within tolerance) for a plot."""
    out = []
    for c in checks:
        e = c.entry
        if e.quantity != quantity or not math.isfinite(c.et_s):
            continue
        si = c.published * QUANTITIES[quantity][1][e.unit]
        out.append((c.et_s, si / QUANTITIES[quantity][1][unit], e.label, c.ok))
    return out


def failures(checks: list[Check]) -> list[Check]:
    return [c for c in checks if c.failed]


def as_dict(c: Check) -> dict[str, Any]:
    """One check as JSON-ready data (``fly --check-record --json``)."""
    from .timebase import et_to_utc

    e = c.entry
    return {"label": e.label, "at": e.at, "at_altitude_m": e.at_altitude_m, "quantity": e.quantity,
            "unit": e.unit, "published": c.published if e.quantity != "time" else e.value,
            "simulated": (None if not math.isfinite(c.simulated) else
                          (et_to_utc(c.simulated) if e.quantity == "time" else c.simulated)),
            "difference": None if not math.isfinite(c.difference) else c.difference,
            "tolerance": e.tolerance, "must_match": e.must_match, "status": c.status(),
            "source": e.source, "doubt": e.doubt, "problem": c.problem}
