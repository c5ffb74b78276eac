"""What a handout says, gathered from a flight without any PDF library: moments, timeline,
what-if, questions and sources. Every text a person reads is translated here (:func:`_`) and
every number goes through :mod:`lunarviz.units`, so :mod:`lunarviz.handout.pdf` only lays it out.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import units
from ..errors import TimeError
from ..formatting import format_l_minus, format_utc
from ..i18n import _

#: the key moments a handout shows, in order of preference: (time spec, camera); the first
#: :data:`MAX_STILLS` a flight has, at least :data:`MIN_APART_S` apart, are drawn in time order
MOMENTS = (
    ("powered_descent+30s", "chase"),
    ("terminal", "chase"),
    ("touchdown", "chase"),
    ("lrf_rejected+20s", "chase"),
    ("pitch_up", "chase"),
    ("touchdown-20s", "site"),
    ("lrf_first_valid", "chase"),
    ("start", "orbit"),
)
MAX_STILLS = 4
MIN_APART_S = 8.0
#: seconds of the plots before the powered descent begins and after touchdown
PLOT_BEFORE_S, PLOT_AFTER_S = 30.0, 5.0


@dataclass(frozen=True)
class Question:
    """One question of the lesson: the prompt and optional answer choices."""

    prompt: str
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class TimelineRow:
    utc: str
    l_minus: str
    event: str
    altitude: str
    speed: str


@dataclass(frozen=True)
class Content:
    """Everything on a handout, as text and images ready to lay out."""

    title: str
    mission: str
    subtitle: str = ""
    stills: list = field(default_factory=list)          # (PIL image, caption)
    plot_png: bytes = b""
    timeline: list[TimelineRow] = field(default_factory=list)
    whatif: tuple[str, str] = ("", "")                   # (as flown, with a working rangefinder)
    questions: list[Question] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


def scene_text(text) -> str:
    """A scenario's own text (title, description, a lesson's prompt) translated where shown, as the
    viewer does: the catalogues hold the shipped scenes' texts, any other reads as written."""
    text = str(text or "")
    return _(text) if text else text  # gettext gives the catalogue's header for ""


def key_moments(traj) -> list:
    """The :class:`~lunarviz.render.lookbook.Shot` list of the stills: the first :data:`MAX_STILLS`
    moments of :data:`MOMENTS` the flight has, in time order."""
    from ..render.lookbook import Shot
    from ..render.timespec import parse_time_spec

    shots = []
    for spec, camera in MOMENTS:
        try:
            et = parse_time_spec(spec, traj)
        except TimeError:
            continue  # the flight has no such event (no rejection, no terminal phase)
        if any(abs(et - s.et_s) < MIN_APART_S for s in shots):
            continue  # all but the same picture as one already chosen
        shots.append(Shot(camera, spec, et))
        if len(shots) == MAX_STILLS:
            break
    return sorted(shots, key=lambda s: s.et_s)


def still_caption(traj, shot) -> str:
    """``L-00:01:45 · 19:15:15 UTC · 530 m up (believed 2.6 km)``: when, and how high it was."""
    st = traj.at(shot.et_s)
    parts = [p for p in (format_l_minus(shot.et_s, traj.planned_touchdown_et_s), format_utc(shot.et_s)[11:]) if p]
    height = _("{alt} up").format(alt=units.altitude(st.alt_m))
    if abs(st.est_alt_m - st.alt_m) > max(50.0, 0.1 * abs(st.alt_m)):
        height += " " + _("(believed {alt})").format(alt=units.altitude(st.est_alt_m))
    return " · ".join(parts + [height, units.fmt(st.speed_mps, "speed", ".0f")])


def event_name(name: str) -> str:
    """An event's name as a person reads it (the viewer's labels, translated)."""
    from ..app.playback import event_label  # Qt-free: the viewer's event labels, defined once

    return _(event_label(name))


def timeline(traj) -> list[TimelineRow]:
    """The flight's events from the deorbit burn on (all of them for a flight without one)."""
    first = traj.event("deorbit") or traj.event("powered_descent")
    rows = []
    for ev in traj.events:
        if first is not None and ev.et_s < first.et_s:
            continue
        st = traj.at(ev.et_s)
        rows.append(TimelineRow(format_utc(ev.et_s), format_l_minus(ev.et_s, traj.planned_touchdown_et_s),
                                event_name(ev.name), units.altitude(st.alt_m), units.fmt(ev.speed_mps, "speed")))
    return rows


def whatif_flight(traj):
    """The flight again with the rangefinder working as designed, as the viewer's what-if flies it
    (:func:`lunarviz.app.whatif_model.apply_changes`); None when it already worked."""
    from ..app.whatif_model import apply_changes, lrf_valid_from_m
    from ..physics import fly

    sc = traj.scenario
    if sc is None or not sc.lrf.enabled or lrf_valid_from_m(sc) >= sc.lrf.max_range_m and \
            traj.event("lrf_rejected") is None:
        return None
    return fly(apply_changes(sc, {"lrf_valid_below_m": float(sc.lrf.max_range_m)}), seed=0)


def whatif_texts(traj, ghost) -> tuple[str, str]:
    """(how the flight ended, how it ends with a working rangefinder) as one line each."""
    from ..app.whatif_model import outcome_text

    flown = outcome_text(traj)
    if ghost is None:
        return flown, _("The rangefinder worked in this flight: there is no what-if to fly.")
    return flown, outcome_text(ghost)


def questions(traj, ghost) -> list[Question]:
    """The lesson's questions (``[[lesson.steps]]`` prompts and choices) or, for a scenario
    without a lesson, a few derived from its events."""
    sc = traj.scenario
    steps = getattr(getattr(sc, "lesson", None), "steps", None) or ()
    asked = [Question(scene_text(getattr(s, "prompt", "")),
                      tuple(scene_text(c) for c in (getattr(s, "choices", None) or ())))
             for s in steps if getattr(s, "prompt", "")]
    return asked or derived_questions(traj, ghost)


def derived_questions(traj, ghost) -> list[Question]:
    """Questions from the flight itself: the largest belief error, the touchdown, the what-if."""
    out = []
    k = _largest_belief_error(traj)
    if k is not None:
        out.append(Question(_("At {when} the lander believed it was {believed} up; it was really {true} up. "
                              "What will happen if it trusts its belief?").format(
            when=format_l_minus(float(traj.et_s[k]), traj.planned_touchdown_et_s) or format_utc(float(traj.et_s[k])),
            believed=units.altitude(float(traj.est_alt_m[k])), true=units.altitude(float(traj.alt_m[k])))))
    td = traj.event("touchdown")
    if td is not None:
        out.append(Question(_("The lander reached the surface at {speed}. Is that a safe landing? "
                              "How fast would you touch down?").format(speed=units.fmt(td.speed_mps, "speed")),
                            (_("safe"), _("too fast"), _("cannot tell"))))
    if ghost is not None:
        ending = whatif_texts(traj, ghost)[1]
        out.append(Question(_("With a working rangefinder the flight ends: {outcome}. Why does measuring the "
                              "height above the ground change the ending?").format(outcome=ending)))
    out.append(Question(_("Name one thing the lander measures and one thing it only calculates.")))
    return out


def _largest_belief_error(traj) -> int | None:
    """The sample of powered flight where believed and true altitude differed most (None: never far)."""
    from ..render.hud import show_estimate

    if not show_estimate(traj):
        return None
    pd = traj.event("powered_descent")
    td = traj.event("touchdown")
    lo = np.searchsorted(traj.et_s, pd.et_s) if pd is not None else 0
    hi = np.searchsorted(traj.et_s, td.et_s) if td is not None else len(traj.et_s)
    d = np.abs(np.asarray(traj.est_alt_m[lo:hi]) - np.asarray(traj.alt_m[lo:hi]))
    if not d.size or not np.isfinite(d).any():
        return None
    return int(lo + np.nanargmax(d))


def sources(traj) -> list[str]:
    """Where the handout's figures come from: the scenario's published values, the mission facts
    and the data files (``assets/SOURCES.md``)."""
    sc = traj.scenario
    out: list[str] = []
    for e in (sc.records if sc is not None else ()):
        text = e.source.removeprefix("FACTS:").strip()  # the scenario files' mark for docs/facts.md
        line = f"{e.label}: {text}" if text else str(e.label)
        if line not in out:
            out.append(line)
    out.append(_("Mission facts: public reporting collected in docs/facts.md of lunarviz."))
    if sc is not None:
        out.append(_("Scenario file: {name} (its comments cite each figure).").format(name=Path(sc.path).name))
    sections = _asset_sections()
    if sections:
        out.append(_("Maps, imagery and ephemerides: {list} (assets/SOURCES.md of lunarviz).").format(
            list=", ".join(sections)))
    return out


def _asset_sections() -> list[str]:
    from ..assets import assets_dir

    try:
        text = (assets_dir() / "SOURCES.md").read_text(encoding="utf-8")
    except OSError:  # an install without the list: the line is left out
        return []
    skip = {"hash registry", "optional downloads (not embedded)"}
    names = [ln[3:].strip() for ln in text.splitlines() if ln.startswith("## ")]
    return [re.sub(r"\s*\(.*\)$", "", n) for n in names if n.lower() not in skip]  # "Labels (code, not a file)"


def plot_window(traj) -> tuple[float, float]:
    """ET span of the plots: the powered descent, a little before and after (the whole flight without one)."""
    pd = traj.event("powered_descent")
    td = traj.event("touchdown")
    t0 = max(traj.start_et_s, pd.et_s - PLOT_BEFORE_S) if pd is not None else traj.start_et_s
    t1 = min(traj.end_et_s, td.et_s + PLOT_AFTER_S) if td is not None else traj.end_et_s
    return (t0, t1) if t1 > t0 and math.isfinite(t0) else (traj.start_et_s, traj.end_et_s)


def subtitle(traj) -> str:
    """``Mare Frigoris (centre), 60.50° N 4.60° W · planned touchdown 2025-06-05 19:17:00 UTC``."""
    sc = traj.scenario
    if sc is None:
        return ""
    lat, lon = sc.site.lat_deg, sc.site.lon_deg
    where = _("{site}, {lat:.2f}° {ns} {lon:.2f}° {ew}").format(
        site=scene_text(sc.site.name), lat=abs(lat), ns=_("N") if lat >= 0 else _("S"), lon=abs(lon),
        ew=_("E") if lon >= 0 else _("W"))
    if not math.isfinite(traj.planned_touchdown_et_s):
        return where
    return where + " · " + _("planned touchdown {utc}").format(utc=format_utc(traj.planned_touchdown_et_s))
