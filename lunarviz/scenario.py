"""Scenario files: TOML -> frozen, validated dataclasses.

A scenario (``scenes/*.toml``) describes one descent: the vehicle, where and
when the flight starts, the landing site, the guidance plan per phase, the
navigation and sensor models (with fault injections), Monte Carlo dispersions,
terrain, render hints and story captions. :func:`load` reads and validates the
file; every problem raises :class:`lunarviz.errors.ScenarioError` with a
single line naming the file, the line, the key and what was expected, e.g.::

    scenes/x.toml:12: [vehicle] dry_mass_kg = -3.0: expected a number > 0

Tables (keys marked * are required):

``[story]``      title*, description, ``[story.captions]`` event name -> text, ``[story.rest]``
                 (tilt_deg*, azimuth_deg, after_s, duration_s: how it came to rest) -> :class:`RestAttitude`
``[site]``       lat_deg*, lon_deg*, planned_touchdown_utc*, name
``[vehicle]``    dry_mass_kg*, propellant_kg*, main_thrust_n*, throttle_min*,
                 throttle_max*, isp_s*, aux_thrust_n, aux_isp_s, slew_rate_deg_s*, model (the lander drawn)
``[start]``      epoch_utc*, end_utc (only without [guidance]: a flight that only orbits),
                 then exactly one of ``[start.orbit]`` (periapsis_alt_m*,
                 apoapsis_alt_m*, heading_deg*, anchor_utc*, anchor_uprange_deg*)
                 or ``[start.state]`` (pos_m*, vel_mps* in MOON_ME)
``[guidance.deorbit]``  start_utc*, delta_v_mps*, throttle*  (optional table)
``[guidance.braking]``  start_utc*, end_utc*, gate_uprange_m*, gate_alt_m*,
                 gate_horizontal_speed_mps*, gate_vertical_speed_mps*
``[guidance.approach]`` end_utc*, the same gate keys (optional table)
``[guidance.terminal]`` rate_gain_per_s*, max_descent_rate_mps*, touchdown_rate_mps*,
                 horizontal_gain_per_s, aux_thrusters
``[navigation]`` start ("powered_descent"/"start"), alt_error_m, vz_error_mps,
                 accel_bias_up_mps2, filter_alt_gain_per_s, filter_vel_gain_per_s2,
                 downrange_error_m, crossrange_error_m
``[sensors.lrf]`` enabled, max_range_m, fault_valid_below_m, max_off_nadir_deg,
                 noise_m, jump_reject_m (the beam is the body -Z axis)
``[faults.imu_reset]`` at_utc*, engine_off_s* (optional table)
``[faults.engine_out]`` below_alt_m*, thrust_loss_frac*, tilt_deg* (optional table: a lost nozzle)
``[dispersions]`` position_m, velocity_mps, thrust_frac, isp_frac, alt_error_m, lrf_noise_frac
``[sim]``        coast_step_s, powered_step_s, max_after_touchdown_s
``[terrain]``    kind, seed, extent_m, relief_m, crater_density, min_crater_m, max_crater_m,
                 sfd_break_m, fresh_fraction, roughness, path, dem_spacing_m, ``[terrain.cliff]``
                 -> :class:`lunarviz.terrain.TerrainConfig` (no table: a bare sphere)
``[render]``     camera, start, end, fps, speed, size, codec, ``[[render.keyframes]]`` (at*,
                 camera*, transition_s, camera options) -> :class:`RenderSettings`
``[lesson]``     title, intro, start, speed, ``[[lesson.steps]]`` (at*, prompt*, choices, answer, explain,
                 camera, reveal, reveal_camera, whatif, scene, replay_from, speed) -> :class:`Lesson`
``[[record]]``   published telemetry: at* (a time spec) or at_altitude_m*, quantity*, unit*,
                 value* (a UTC time for quantity "time"; none for "event"), source*, label,
                 tolerance, must_match, doubt -> :class:`RecordEntry` (:mod:`lunarviz.record`)

Every table goes through the one validator (:class:`_Table`, reporting through
:class:`_Ctx`), so every message has the same shape and the line of the key.
Times relative to events stay unresolved specs until a flight exists, but their
syntax and names are checked here (:mod:`lunarviz.timespec`), as are camera
names (:data:`CAMERA_NAMES`) and their options (:data:`CAMERA_OPTIONS`).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import difflib
import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from . import timespec
from .errors import ScenarioError, TimeError, shown
from .geometry import MOON_RADIUS_M
from .i18n import _
from .terrain import CliffConfig, TerrainConfig
from .trajectory import EVENT_NAMES

_REQ = object()


# --------------------------------------------------------------------------- dataclasses
@dataclass(frozen=True)
class Vehicle:
    dry_mass_kg: float
    propellant_kg: float
    main_thrust_n: float
    throttle_min: float
    throttle_max: float
    isp_s: float
    aux_thrust_n: float
    aux_isp_s: float
    slew_rate_deg_s: float
    #: which lander model the renderer draws (:data:`LANDER_MODELS`)
    model: str = "hakuto-r"

    @property
    def wet_mass_kg(self) -> float:
        return self.dry_mass_kg + self.propellant_kg


@dataclass(frozen=True)
class OrbitStart:
    """A Keplerian orbit whose plane passes over the site at the planned touchdown.

    At ``anchor_utc`` the lander is at periapsis, ``anchor_uprange_deg`` of arc
    before the site (measured in the orbit plane); the ground track crosses the
    site heading ``heading_deg`` (azimuth from north through east).
    """

    periapsis_alt_m: float
    apoapsis_alt_m: float
    heading_deg: float
    anchor_utc: str
    anchor_uprange_deg: float


@dataclass(frozen=True)
class StateStart:
    pos_m: tuple[float, float, float]
    vel_mps: tuple[float, float, float]


@dataclass(frozen=True)
class Start:
    epoch_utc: str
    orbit: OrbitStart | None
    state: StateStart | None
    #: the end of a flight without ``[guidance]`` (one that only orbits, e.g. a photo from orbit)
    end_utc: str | None = None


@dataclass(frozen=True)
class Site:
    lat_deg: float
    lon_deg: float
    planned_touchdown_utc: str
    name: str


@dataclass(frozen=True)
class DeorbitPlan:
    start_utc: str
    delta_v_mps: float
    throttle: float


@dataclass(frozen=True)
class GatePlan:
    """Target-referenced gate: position uprange of / above the site, velocity along track."""

    start_utc: str | None
    end_utc: str
    gate_uprange_m: float
    gate_alt_m: float
    gate_horizontal_speed_mps: float
    gate_vertical_speed_mps: float


@dataclass(frozen=True)
class TerminalPlan:
    rate_gain_per_s: float
    max_descent_rate_mps: float
    touchdown_rate_mps: float
    horizontal_gain_per_s: float
    aux_thrusters: bool


@dataclass(frozen=True)
class Guidance:
    deorbit: DeorbitPlan | None
    braking: GatePlan
    approach: GatePlan | None
    terminal: TerminalPlan


@dataclass(frozen=True)
class Navigation:
    start: str
    alt_error_m: float
    vz_error_mps: float
    accel_bias_up_mps2: float
    filter_alt_gain_per_s: float
    filter_vel_gain_per_s2: float
    #: horizontal position-knowledge error when navigation starts: the estimate lies this far
    #: ahead of the truth along the ground track / to the right of it (m)
    downrange_error_m: float = 0.0
    crossrange_error_m: float = 0.0


@dataclass(frozen=True)
class Rangefinder:
    enabled: bool
    max_range_m: float
    fault_valid_below_m: float | None
    max_off_nadir_deg: float
    noise_m: float
    jump_reject_m: float | None


@dataclass(frozen=True)
class ImuReset:
    at_utc: str
    engine_off_s: float


@dataclass(frozen=True)
class EngineOut:
    """``[faults.engine_out]``: below ``below_alt_m`` (true, above the site) the main engine loses
    ``thrust_loss_frac`` of its thrust and what is left pushes ``tilt_deg`` off the body axis
    (a lost nozzle: SLIM); the attitude control leans the lander to compensate."""

    below_alt_m: float
    thrust_loss_frac: float
    tilt_deg: float


@dataclass(frozen=True)
class RestAttitude:
    """``[story.rest]``: how a lander that did not stay upright came to rest -- told by the story,
    not simulated (SLIM on its nose, IM-1 on its side). From ``after_s`` after the touchdown it tips
    ``tilt_deg`` over its foot on the side ``azimuth_deg`` (from north through east; None: the way
    it was moving at the touchdown) in ``duration_s``. A crash's wreck lies in its crater instead."""

    tilt_deg: float
    azimuth_deg: float | None = None
    after_s: float = 0.5
    duration_s: float = 1.5


@dataclass(frozen=True)
class RecordEntry:
    """One ``[[record]]`` entry: a published value, where it came from and how far the flight may differ.

    Exactly one of ``at`` (an unresolved time spec) and ``at_altitude_m`` (the first instant the true
    altitude is at or below it) is set. ``value`` is a number in ``unit`` (a canonical UTC string for
    quantity ``time``, None for ``event``); ``tolerance`` is in ``unit`` (seconds for ``time``).
    """

    quantity: str
    unit: str
    value: float | str | None
    source: str
    label: str = "record"
    at: str | None = None
    at_altitude_m: float | None = None
    tolerance: float | None = None
    must_match: bool = False
    doubt: str = ""
    line: int | None = field(default=None, compare=False)


#: what a lesson step does when the teacher reveals it (docs/scenario-format.md, "The [lesson] table")
REVEALS = ("resume", "camera", "whatif", "plot", "scene")
#: the most [[lesson.steps]] a lesson may hold
MAX_LESSON_STEPS = 40
#: the most answer choices of one step
MAX_CHOICES = 6
#: the longest prompt, explanation or intro, characters (a few lines of large text)
MAX_LESSON_TEXT_CHARS = 600
#: the longest answer choice, characters
MAX_CHOICE_CHARS = 120


@dataclass(frozen=True)
class LessonStep:
    """One ``[[lesson.steps]]`` entry: at ``at`` the lesson pauses and asks ``prompt``; the teacher reveals.

    ``answer`` is the index (from 0) of the right one of ``choices``. ``reveal`` is one of
    :data:`REVEALS`: ``resume`` plays on, ``camera`` switches to ``reveal_camera``, ``whatif`` flies
    ``whatif`` (keys of :data:`lunarviz.app.whatif_model.LIMITS`), ``plot`` shows the telemetry plots,
    ``scene`` switches to the scene file ``scene``. After the reveal the flight plays on from
    ``replay_from`` (default ``at``) at ``speed`` (default the lesson's) until the next step's moment.
    Times are unresolved specs (:mod:`lunarviz.timespec`), resolved on the flight shown.
    """

    at: str
    prompt: str
    reveal: str = "resume"
    choices: tuple[str, ...] = ()
    answer: int | None = None
    explain: str = ""
    camera: str | None = None
    reveal_camera: str | None = None
    whatif: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    scene: str | None = None
    replay_from: str | None = None
    speed: float | None = None
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Lesson:
    """The ``[lesson]`` table: a predict-observe-explain lesson over the scenario (:mod:`lunarviz.lesson`)."""

    title: str
    intro: str
    steps: tuple[LessonStep, ...]
    #: where the lesson starts playing before its first step (None: 30 s before it)
    start: str | None = None
    #: playback speed between steps, simulated seconds per second
    speed: float = 10.0


#: the lander models a scenario may name in ``[vehicle] model`` (lunarviz.render.landers builds each)
LANDER_MODELS = ("hakuto-r", "apollo-lm", "vikram", "blue-ghost", "beresheet", "slim", "nova-c", "chang-e-3")
#: the most [[record]] entries a scenario may hold
MAX_RECORDS = 100


@dataclass(frozen=True)
class Dispersions:
    position_m: float = 0.0
    velocity_mps: float = 0.0
    thrust_frac: float = 0.0
    isp_frac: float = 0.0
    alt_error_m: float = 0.0
    lrf_noise_frac: float = 0.0
    #: 1-sigma error, per horizontal axis, of what the lander knows of its start position, m
    #: (None: ``position_m`` -- it knows where it was delivered no better than the delivery's spread)
    nav_horizontal_m: float | None = None

    @property
    def nav_horizontal_sigma_m(self) -> float:
        return self.position_m if self.nav_horizontal_m is None else self.nav_horizontal_m


@dataclass(frozen=True)
class SimSettings:
    coast_step_s: float = 10.0
    powered_step_s: float = 0.1
    max_after_touchdown_s: float = 20.0


#: the camera presets a scene may name (``lunarviz.render.camera`` implements one per name)
CAMERA_NAMES = ("chase", "orbit", "site", "earthrise", "down")
#: per camera, the keyframe options it reads and their bounds (min, max); all optional
CAMERA_OPTIONS: dict[str, dict[str, tuple[float, float]]] = {
    "chase": {"fov_deg": (1.0, 150.0), "distance_m": (1.0, 100e3), "elevation_deg": (-89.0, 89.0),
              "azimuth_deg": (-360.0, 360.0)},
    "orbit": {"fov_deg": (1.0, 150.0), "distance_m": (1e3, 1e9)},
    "site": {"fov_deg": (1.0, 150.0), "distance_m": (1.0, 100e3), "eye_height_m": (0.1, 1000.0)},
    "earthrise": {"fov_deg": (1.0, 150.0)},
    "down": {"fov_deg": (1.0, 150.0)},
}
#: output formats of ``lunarviz render``
CODECS = ("h264", "prores", "png")
#: the highest frame rate of a video, frames per second (``[render] fps``, ``render --fps``)
MAX_FPS = 240.0
#: allowed playback speeds, simulated seconds per video second (``[render] speed``, ``render --speed``)
SPEED_RANGE = (1e-3, 1e5)
#: the most frames one render may have (~4 h of rendering at ~30 ms/frame); ``$LUNARVIZ_MAX_FRAMES`` raises it
MAX_FRAMES = 500_000
#: allowed frame width and height, pixels
FRAME_SIDE_PX = (16, 8192)
_SIZE_RE = re.compile(r"^\s*(\d+)\s*[xX*]\s*(\d+)\s*$")


def frame_size(text: Any) -> tuple[int, int] | None:
    """``"1920x1080"`` -> ``(1920, 1080)``; None unless WIDTHxHEIGHT with each side in :data:`FRAME_SIDE_PX`."""
    m = _SIZE_RE.match(text) if isinstance(text, str) else None
    if not m:
        return None
    w, h = int(m.group(1)), int(m.group(2))
    lo, hi = FRAME_SIDE_PX
    return (w, h) if lo <= w <= hi and lo <= h <= hi else None


@dataclass(frozen=True)
class Keyframe:
    """One ``[[render.keyframes]]`` entry: from ``at`` on, camera ``camera``, blended in over ``transition_s``.

    ``at`` is an unresolved time spec (syntax checked at load, see :mod:`lunarviz.timespec`);
    ``options`` holds only the options given, each one the camera reads (:data:`CAMERA_OPTIONS`).
    """

    at: str
    camera: str
    transition_s: float = 4.0
    options: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    #: the line of ``at`` in the file, for errors found only when ``at`` is resolved on a flight
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class RenderSettings:
    """The ``[render]`` table: defaults for ``lunarviz render``/``still`` (None = the command's own) and keyframes."""

    camera: str | None = None
    start: str | None = None
    end: str | None = None
    fps: float | None = None
    speed: float | None = None
    size: tuple[int, int] | None = None
    codec: str | None = None
    keyframes: tuple[Keyframe, ...] = ()
    #: the moment and camera the viewer opens on (None: the viewer's default, a chase shot near the end)
    open_at: str | None = None
    open_camera: str | None = None


@dataclass(frozen=True)
class Scenario:
    path: str
    title: str
    description: str
    captions: Mapping[str, str]
    site: Site
    vehicle: Vehicle
    start: Start
    guidance: Guidance | None
    navigation: Navigation
    lrf: Rangefinder
    imu_reset: ImuReset | None
    dispersions: Dispersions
    sim: SimSettings
    #: the ``[terrain]`` table (a bare sphere round the site when the file has none)
    terrain: TerrainConfig | None = None
    render: RenderSettings = field(default_factory=RenderSettings)
    #: the ``[[record]]`` entries: published telemetry to compare the flight with
    records: tuple[RecordEntry, ...] = ()
    #: ``[faults.engine_out]`` (None: the engine stays whole)
    engine_out: EngineOut | None = None
    #: ``[lesson]`` with its ``[[lesson.steps]]`` (None: the scenario has no lesson)
    lesson: Lesson | None = None
    #: ``[story.rest]`` (None: the lander stays as it touched down)
    rest: RestAttitude | None = None

    def __post_init__(self) -> None:
        if self.terrain is None:
            object.__setattr__(self, "terrain", TerrainConfig(
                kind="sphere", site_lat_deg=self.site.lat_deg, site_lon_deg=self.site.lon_deg, source=self.path))
        t = self.terrain
        if (t.site_lat_deg, t.site_lon_deg) != (self.site.lat_deg, self.site.lon_deg):
            raise ValueError(f"Scenario terrain is centred on ({t.site_lat_deg}, {t.site_lon_deg}) but the site is "
                             f"({self.site.lat_deg}, {self.site.lon_deg}); use Scenario.moved_to")

    def moved_to(self, lat_deg: float, lon_deg: float) -> Scenario:
        """This scenario with the site (and the terrain centred on it) at ``lat_deg, lon_deg``."""
        return replace(self, site=replace(self.site, lat_deg=float(lat_deg), lon_deg=float(lon_deg)),
                       terrain=replace(self.terrain, site_lat_deg=float(lat_deg), site_lon_deg=float(lon_deg)))

    def replace(self, **changes: Any) -> Scenario:
        """A what-if: this scenario with ``changes`` applied (it stays frozen and unchanged).

        The viewer's what-if keys (one model, :mod:`lunarviz.app.whatif_model`, no Qt):
        ``lrf_valid_below_m``, ``propellant_kg``, ``main_thrust_n``, ``site_lat_deg``,
        ``site_lon_deg``; any other field of the dataclass (``vehicle=...``, ``title=...``)
        is replaced as :func:`dataclasses.replace` does. An unknown key or a value out of
        range is a one-line :class:`~lunarviz.errors.ScenarioError`.

        >>> import lunarviz
        >>> sc = lunarviz.load("resilience")
        >>> healthy = sc.replace(lrf_valid_below_m=10_000)
        >>> healthy.lrf.fault_valid_below_m is None, sc.lrf.fault_valid_below_m is None
        (True, False)
        """
        from dataclasses import fields

        from .app.whatif_model import LIMITS, apply_changes

        own = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - set(LIMITS) - own)
        if unknown:
            raise ScenarioError(f"{self.path}: replace({unknown[0]}=...): unknown key; expected one of "
                                f"{', '.join([*LIMITS, *sorted(own)])}")
        new = apply_changes(self, {k: v for k, v in changes.items() if k in LIMITS})
        rest = {k: v for k, v in changes.items() if k not in LIMITS}
        return replace(new, **rest) if rest else new

    @property
    def site_lat_deg(self) -> float:
        return self.site.lat_deg

    @property
    def site_lon_deg(self) -> float:
        return self.site.lon_deg

    @property
    def planned_touchdown_utc(self) -> str:
        return self.site.planned_touchdown_utc

    @property
    def name(self) -> str:
        return Path(self.path).stem

    def times(self) -> list[tuple[str, str, str]]:
        """Every UTC time of the file as (table, key, normalised UTC), in the file's order."""
        g, o = self.guidance, self.start.orbit
        out = [("site", "planned_touchdown_utc", self.site.planned_touchdown_utc),
               ("start", "epoch_utc", self.start.epoch_utc)]
        if o is not None:
            out.append(("start.orbit", "anchor_utc", o.anchor_utc))
        if self.start.end_utc is not None:
            out.append(("start", "end_utc", self.start.end_utc))
        if g is not None:  # None: a flight that only orbits
            if g.deorbit is not None:
                out.append(("guidance.deorbit", "start_utc", g.deorbit.start_utc))
            out += [("guidance.braking", "start_utc", g.braking.start_utc),
                    ("guidance.braking", "end_utc", g.braking.end_utc)]
            if g.approach is not None:
                out.append(("guidance.approach", "end_utc", g.approach.end_utc))
        if self.imu_reset is not None:
            out.append(("faults.imu_reset", "at_utc", self.imu_reset.at_utc))
        return out


# --------------------------------------------------------------------------- validation helpers
_HEADER_RE = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
#: ``key = VALUE  # comment`` with a scalar VALUE (no string, array or table)
_RAW_VALUE_RE = re.compile(r"^[^=]+=\s*([^\s#\"'\[\]{},]+)\s*(#.*)?$")
_KEY_RE = re.compile(r"^\s*([A-Za-z0-9_\-\". ]+?)\s*=")

#: a key path inside the file: table names, keys and array indices, e.g. ("render", "keyframes", 2, "camera")
Path_ = tuple[str | int, ...]


def _dotted(text: str) -> tuple[str, ...]:
    return tuple(p.strip().strip('"').strip("'") for p in text.split("."))


class _Lines:
    """Best-effort 1-based line of every table header and key of a TOML text (arrays of tables indexed)."""

    def __init__(self, text: str):
        self.where: dict[Path_, int] = {}
        counts: dict[tuple[str, ...], int] = {}
        current: Path_ = ()
        for i, raw in enumerate(text.splitlines(), 1):
            m = _HEADER_RE.match(raw)
            if m:
                names = _dotted(m.group(2))
                if m.group(1) == "[[":
                    n = counts.get(names, 0)
                    counts[names] = n + 1
                    current = (*names, n)
                else:
                    current = names
                self.where.setdefault(current, i)
                continue
            km = _KEY_RE.match(raw)
            if km:
                self.where.setdefault((*current, *_dotted(km.group(1))), i)

    def line_of(self, path: Path_) -> int | None:
        """The line of ``path``, else of the nearest enclosing table or key that is in the text."""
        for n in range(len(path), 0, -1):
            if path[:n] in self.where:
                return self.where[path[:n]]
        return None


def _short(name: str, limit: int = 40) -> str:
    """A table or key name as a message shows it: at most ``limit`` characters."""
    return name if len(name) <= limit else name[:limit - 3] + "..."


def _what(path: Path_, key: str | None) -> str:
    """How a message names a place: ``[vehicle] dry_mass_kg``, or ``render.keyframes[2].camera`` in arrays
    (each name shortened as :func:`lunarviz.errors.shown` does)."""
    path = tuple(p if isinstance(p, int) else _short(p) for p in path)
    key = None if key is None else _short(key)
    if any(isinstance(p, int) for p in path):
        s = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
        return f"{s}.{key}" if key else s
    tname = f"[{'.'.join(path)}]" if path else "(top level)"
    return f"{tname} {key}" if key else tname


class _Ctx:
    """The one error-reporting path of the schema: ``file:line: where: what was wrong; expected ...``."""

    def __init__(self, source: str, text: str = ""):
        self.source = source
        self.text_lines = text.splitlines()
        self.lines = _Lines(text)

    def error(self, table: str | Path_, key: str | None, msg: str) -> ScenarioError:
        path = tuple(table.split(".")) if isinstance(table, str) and table else tuple(table or ())
        line = self.lines.line_of((*path, key) if key is not None else path)
        where = f"{self.source}:{line}" if line else self.source
        sep = " " if msg.startswith("= ") else ": "
        return ScenarioError(f"{where}: {_what(path, key)}{sep}{msg}")


def _fmt(v: Any) -> str:
    return shown(v)


def _g(x: float) -> str:
    """A bound as a person writes it: ``0.01``, ``1e6``, ``-3e-05``."""
    return re.sub(r"e([+-])0*(\d)", lambda m: "e" + ("-" if m.group(1) == "-" else "") + m.group(2), f"{x:g}")


def _bounds_text(gt, ge, lt, le) -> str:
    bounds = [f"{op} {_g(b)}" for op, b in ((">", gt), (">=", ge), ("<", lt), ("<=", le)) if b is not None]
    return _(" and ").join(bounds)


class _Table:
    """One table of the file being read: typed getters that raise through :class:`_Ctx` (key and line known)."""

    def __init__(self, ctx: _Ctx, name: str | Path_, data: Any, *, required: bool = True):
        self.ctx = ctx
        self.path: Path_ = tuple(name.split(".")) if isinstance(name, str) and name else tuple(name or ())
        if data is None:
            data = {}
        if not isinstance(data, Mapping):
            raise ctx.error(self.path[:-1], str(self.path[-1]) if self.path else None,
                            _("= {value}: expected a table").format(value=_fmt(data)))
        self.data = dict(data)
        self.used: set[str] = set()

    @property
    def name(self) -> str:
        return ".".join(str(p) for p in self.path)

    def has(self, key: str) -> bool:
        return key in self.data

    def _get(self, key: str, default: Any) -> Any:
        self.used.add(key)
        if key not in self.data:
            if default is _REQ:
                close = difflib.get_close_matches(key, [str(k) for k in self.data if len(str(k)) <= 80], n=1)
                if close:
                    raise self.ctx.error(self.path, close[0],
                                         _("unknown key; expected the required key '{key}'").format(key=key))
                raise self.ctx.error(self.path, None, _("missing required key '{key}'").format(key=key))
            return default
        return self.data[key]

    def fail(self, key: str, value: Any, expected: str) -> ScenarioError:
        return self.ctx.error(self.path, key, _("= {value}: expected {expected}").format(
            value=self.as_written(key, value), expected=expected))

    def as_written(self, key: str, value: Any) -> str:
        """``value`` as the file spells it (``1e9``, not ``1000000000.0``) when its line holds it alone,
        else as :func:`lunarviz.errors.shown` writes it; at most 80 characters."""
        line = self.ctx.lines.where.get((*self.path, key))
        if line is not None and not isinstance(value, (str, list, dict)) and line <= len(self.ctx.text_lines):
            m = _RAW_VALUE_RE.match(self.ctx.text_lines[line - 1])
            if m:
                with contextlib.suppress(tomllib.TOMLDecodeError, RecursionError, ValueError):
                    same = tomllib.loads(f"x = {m.group(1)}")["x"]
                    if same == value or (same != same and value != value):
                        return shown(m.group(1))[1:-1] if len(m.group(1)) <= 78 else _fmt(value)
        return _fmt(value)

    def num(self, key: str, default: Any = _REQ, *, gt: float | None = None,
            ge: float | None = None, le: float | None = None, lt: float | None = None,
            allow_none: bool = False) -> Any:
        v = self._get(key, default)
        if v is None and allow_none:
            return None
        if v is default and default is not _REQ and key not in self.data:
            return v
        bounds = _bounds_text(gt, ge, lt, le)
        expected = _("a number {bounds}").format(bounds=bounds) if bounds else _("a number")
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise self.fail(key, v, expected)
        v = float(v)
        if not math.isfinite(v):
            raise self.fail(key, v, _("a finite number"))
        if (gt is not None and not v > gt) or (ge is not None and not v >= ge) or \
                (lt is not None and not v < lt) or (le is not None and not v <= le):
            raise self.fail(key, v, expected)
        return v

    def integer(self, key: str, default: Any = _REQ, *, ge: int, le: int) -> int:
        v = self._get(key, default)
        if key not in self.data:
            return v
        if isinstance(v, bool) or not isinstance(v, int) or not ge <= v <= le:
            raise self.fail(key, v, _("an integer from {lo} to {hi}").format(lo=ge, hi=le))
        return v

    def string(self, key: str, default: Any = _REQ, choices: tuple[str, ...] | None = None,
               max_len: int | None = None) -> Any:
        v = self._get(key, default)
        if v is None and default is None:
            return None
        if not isinstance(v, str):
            raise self.fail(key, v, _("a string"))
        if choices and v not in choices:
            raise self.fail(key, v, _("one of {choices}").format(choices=", ".join(repr(c) for c in choices)))
        if max_len is not None and (len(v) > max_len or "\n" in v):
            raise self.fail(key, v, _("one line of at most {n} characters").format(n=max_len))
        return v

    def boolean(self, key: str, default: Any = _REQ) -> bool:
        v = self._get(key, default)
        if not isinstance(v, bool):
            raise self.fail(key, v, _("true or false"))
        return v

    def utc(self, key: str, default: Any = _REQ) -> Any:
        v = self._get(key, default)
        if v is None and default is None:
            return None
        if isinstance(v, _dt.datetime):
            if v.tzinfo is not None:
                off = v.utcoffset()
                if off is None or off.total_seconds() != 0:
                    raise self.fail(key, str(v), "a UTC time (no offset other than Z)")
                v = v.replace(tzinfo=None)
            return v.isoformat(timespec="milliseconds")
        if not isinstance(v, str):
            raise self.fail(key, v, "a UTC time string like '2025-06-05T19:17:00'")
        s = v.strip()
        if s.endswith("Z"):
            s = s[:-1]
        s = s.replace(" ", "T", 1)
        try:
            d = _dt.datetime.fromisoformat(s)
        except ValueError:
            raise self.fail(key, v, "a UTC time string like '2025-06-05T19:17:00'") from None
        if d.tzinfo is not None:
            raise self.fail(key, v, "a UTC time without a zone offset")
        return d.isoformat(timespec="milliseconds")

    def time_spec(self, key: str, default: Any = _REQ) -> Any:
        """A time specification (``touchdown-120s``), syntax and names checked, left unresolved."""
        v = self._get(key, default)
        if key not in self.data:
            return v
        if not isinstance(v, str):
            raise self.fail(key, v, "a time such as 'touchdown-120s', 'start' or '2025-06-05T19:10:00'")
        try:
            timespec.parse(v)
        except TimeError as exc:
            raise self.ctx.error(self.path, key, str(exc)) from None
        return v.strip()

    def vec3(self, key: str) -> tuple[float, float, float]:
        v = self._get(key, _REQ)
        if not isinstance(v, list) or len(v) != 3 or any(
                isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(float(x))
                for x in v):
            raise self.fail(key, v, "a list of three finite numbers")
        return (float(v[0]), float(v[1]), float(v[2]))

    def sub(self, key: str, required: bool = True) -> _Table | None:
        self.used.add(key)
        if key not in self.data:
            if required:
                raise self.ctx.error(self.path, None, f"missing required table [{self._child(key)}]")
            return None
        return _Table(self.ctx, (*self.path, key), self.data[key])

    def tables(self, key: str, max_n: int) -> list[_Table]:
        """An array of tables (``[[render.keyframes]]``), each element a :class:`_Table`."""
        self.used.add(key)
        v = self.data.get(key, [])
        if not isinstance(v, list):
            raise self.fail(key, v, f"an array of tables [[{self._child(key)}]]")
        if len(v) > max_n:
            raise self.fail(key, f"{len(v)} entries", f"at most {max_n} [[{self._child(key)}]] entries")
        for i, item in enumerate(v):
            if not isinstance(item, Mapping):
                raise self.ctx.error((*self.path, key, i), None, f"= {_fmt(item)}: expected a table")
        return [_Table(self.ctx, (*self.path, key, i), item) for i, item in enumerate(v)]

    def _child(self, key: str) -> str:
        return f"{self.name}.{key}" if self.path else key

    def finish(self) -> None:
        unknown = [k for k in self.data if k not in self.used]
        if unknown:
            k = unknown[0]
            allowed = ", ".join(sorted(self.used)) or _("none")
            raise self.ctx.error(self.path, k, _("unknown key (allowed here: {allowed})").format(allowed=allowed))


def _et_order(ctx: _Ctx, items: list[tuple[str, str, str | None]]) -> None:
    """Check that (table, key, utc) items are strictly increasing in time."""
    prev = None
    for table, key, utc in items:
        if utc is None:
            continue
        t = _dt.datetime.fromisoformat(utc)
        if prev is not None and not t > prev[2]:
            raise ctx.error(table, key, f"= {utc!r}: expected a time after [{prev[0]}] {prev[1]} = {prev[3]!r}")
        prev = (table, key, t, utc)


# --------------------------------------------------------------------------- parse
def _gate(t: _Table, with_start: bool) -> GatePlan:
    g = GatePlan(
        start_utc=t.utc("start_utc") if with_start else None,
        end_utc=t.utc("end_utc"),
        gate_uprange_m=t.num("gate_uprange_m", ge=-500e3, le=2000e3),
        gate_alt_m=t.num("gate_alt_m", ge=0.0, le=200e3),
        gate_horizontal_speed_mps=t.num("gate_horizontal_speed_mps", ge=0.0, le=3000.0),
        gate_vertical_speed_mps=t.num("gate_vertical_speed_mps", ge=-3000.0, le=3000.0),
    )
    t.finish()
    return g


def _guidance(ctx: _Ctx, root: _Table, veh: Vehicle, start: Start) -> Guidance | None:
    """``[guidance]``; None for a flight that only orbits (then ``[start] end_utc`` says until when)."""
    gt = root.sub("guidance", required=start.end_utc is None)
    if gt is None:
        _et_order(ctx, [("start", "epoch_utc", start.epoch_utc), ("start", "end_utc", start.end_utc)])
        return None
    if start.end_utc is not None:
        raise ctx.error("start", "end_utc", "= " + repr(start.end_utc) + ": expected no end_utc in a flight "
                        "with [guidance] (it ends on the ground); end_utc is for a flight that only orbits")
    dt_ = gt.sub("deorbit", required=False)
    deorbit = None
    if dt_ is not None:
        deorbit = DeorbitPlan(
            start_utc=dt_.utc("start_utc"),
            delta_v_mps=dt_.num("delta_v_mps", gt=0.0, le=2000.0),
            throttle=dt_.num("throttle", gt=0.0, le=1.0),
        )
        if not veh.throttle_min <= deorbit.throttle <= veh.throttle_max:
            raise dt_.fail("throttle", deorbit.throttle,
                           f"a value within the vehicle's throttle range "
                           f"{veh.throttle_min:g}..{veh.throttle_max:g}")
        dt_.finish()
    braking = _gate(gt.sub("braking"), True)
    at = gt.sub("approach", required=False)
    approach = _gate(at, False) if at is not None else None
    tt = gt.sub("terminal")
    terminal = TerminalPlan(
        rate_gain_per_s=tt.num("rate_gain_per_s", gt=0.0, le=10.0),
        max_descent_rate_mps=tt.num("max_descent_rate_mps", gt=0.0, le=1000.0),
        touchdown_rate_mps=tt.num("touchdown_rate_mps", gt=0.0, le=20.0),
        horizontal_gain_per_s=tt.num("horizontal_gain_per_s", 0.2, gt=0.0, le=10.0),
        aux_thrusters=tt.boolean("aux_thrusters", False),
    )
    if terminal.touchdown_rate_mps > terminal.max_descent_rate_mps:
        raise tt.fail("touchdown_rate_mps", terminal.touchdown_rate_mps,
                      f"a value <= max_descent_rate_mps ({terminal.max_descent_rate_mps:g})")
    tt.finish()
    guidance = Guidance(deorbit=deorbit, braking=braking, approach=approach, terminal=terminal)
    gt.finish()
    order = [("start", "epoch_utc", start.epoch_utc)]
    if deorbit is not None:
        order.append(("guidance.deorbit", "start_utc", deorbit.start_utc))
    order += [("guidance.braking", "start_utc", braking.start_utc),
              ("guidance.braking", "end_utc", braking.end_utc)]
    if approach is not None:
        order.append(("guidance.approach", "end_utc", approach.end_utc))
    _et_order(ctx, order)

    return guidance


def parse(data: Mapping[str, Any], text: str, source: str) -> Scenario:
    ctx = _Ctx(source, text)
    root = _Table(ctx, "", data)

    story = root.sub("story")
    title = story.string("title")
    description = story.string("description", "")
    captions = _captions(story.sub("captions", required=False))
    rest = _rest(story.sub("rest", required=False))
    story.finish()

    st = root.sub("site")
    site = Site(
        lat_deg=st.num("lat_deg", ge=-90.0, le=90.0),
        lon_deg=st.num("lon_deg", ge=-360.0, le=360.0),
        planned_touchdown_utc=st.utc("planned_touchdown_utc"),
        name=st.string("name", ""),
    )
    st.finish()

    vt = root.sub("vehicle")
    veh = Vehicle(
        dry_mass_kg=vt.num("dry_mass_kg", ge=1.0, le=1e6),
        propellant_kg=vt.num("propellant_kg", ge=0.0, le=1e6),
        main_thrust_n=vt.num("main_thrust_n", ge=1.0, le=1e7),
        throttle_min=vt.num("throttle_min", ge=0.0, le=1.0),
        throttle_max=vt.num("throttle_max", gt=0.0, le=1.0),
        isp_s=vt.num("isp_s", ge=MIN_ISP_S, le=1000.0),
        aux_thrust_n=vt.num("aux_thrust_n", 0.0, ge=0.0, le=1e6),
        aux_isp_s=vt.num("aux_isp_s", 280.0, ge=MIN_ISP_S, le=1000.0),
        slew_rate_deg_s=vt.num("slew_rate_deg_s", gt=0.0, le=180.0),
        model=vt.string("model", "hakuto-r", choices=LANDER_MODELS),
    )
    if veh.throttle_min > veh.throttle_max:
        raise vt.fail("throttle_min", veh.throttle_min,
                      f"a value <= throttle_max ({veh.throttle_max:g})")
    vt.finish()

    sst = root.sub("start")
    epoch = sst.utc("epoch_utc")
    ot = sst.sub("orbit", required=False)
    xt = sst.sub("state", required=False)
    if (ot is None) == (xt is None):
        raise ctx.error("start", None, "expected exactly one of [start.orbit] or [start.state]")
    orbit = state = None
    if ot is not None:
        orbit = OrbitStart(
            periapsis_alt_m=ot.num("periapsis_alt_m", gt=0.0, le=1e8),
            apoapsis_alt_m=ot.num("apoapsis_alt_m", gt=0.0, le=1e8),
            heading_deg=ot.num("heading_deg", ge=-360.0, le=360.0),
            anchor_utc=ot.utc("anchor_utc"),
            anchor_uprange_deg=ot.num("anchor_uprange_deg", ge=-360.0, le=360.0),
        )
        if orbit.apoapsis_alt_m < orbit.periapsis_alt_m:
            raise ot.fail("apoapsis_alt_m", orbit.apoapsis_alt_m,
                          f"a value >= periapsis_alt_m ({orbit.periapsis_alt_m:g})")
        ot.finish()
    if xt is not None:
        state = _state_start(xt)
    start = Start(epoch_utc=epoch, orbit=orbit, state=state, end_utc=sst.utc("end_utc", None))
    sst.finish()
    guidance = _guidance(ctx, root, veh, start)
    if guidance is not None:
        _et_order(ctx, [("guidance.braking", "start_utc", guidance.braking.start_utc),
                        ("site", "planned_touchdown_utc", site.planned_touchdown_utc)])
    nt = root.sub("navigation", required=False) or _Table(ctx, "navigation", {})
    nav = Navigation(
        start=nt.string("start", "powered_descent", choices=("powered_descent", "start")),
        alt_error_m=nt.num("alt_error_m", 0.0, ge=-100e3, le=100e3),
        vz_error_mps=nt.num("vz_error_mps", 0.0, ge=-1000.0, le=1000.0),
        accel_bias_up_mps2=nt.num("accel_bias_up_mps2", 0.0, ge=-1.0, le=1.0),
        filter_alt_gain_per_s=nt.num("filter_alt_gain_per_s", 0.3, gt=0.0, le=10.0),
        filter_vel_gain_per_s2=nt.num("filter_vel_gain_per_s2", 0.03, ge=0.0, le=10.0),
        downrange_error_m=nt.num("downrange_error_m", 0.0, ge=-100e3, le=100e3),
        crossrange_error_m=nt.num("crossrange_error_m", 0.0, ge=-100e3, le=100e3),
    )
    nt.finish()

    sen = root.sub("sensors", required=False) or _Table(ctx, "sensors", {})
    lt = sen.sub("lrf", required=False) or _Table(ctx, "sensors.lrf", {})
    lrf = Rangefinder(
        enabled=lt.boolean("enabled", True),
        max_range_m=lt.num("max_range_m", 3000.0, gt=0.0, le=100e3),
        fault_valid_below_m=lt.num("fault_valid_below_m", None, gt=0.0, le=100e3, allow_none=True),
        max_off_nadir_deg=lt.num("max_off_nadir_deg", 30.0, ge=0.0, lt=90.0),
        noise_m=lt.num("noise_m", 1.0, ge=0.0, le=1000.0),
        jump_reject_m=lt.num("jump_reject_m", None, gt=0.0, le=100e3, allow_none=True),
    )
    lt.finish()
    sen.finish()

    ft = root.sub("faults", required=False)
    imu = engine_out = None
    if ft is not None:
        it = ft.sub("imu_reset", required=False)
        if it is not None:
            imu = ImuReset(at_utc=it.utc("at_utc"), engine_off_s=it.num("engine_off_s", gt=0.0, le=1e5))
            _et_order(ctx, [("start", "epoch_utc", epoch), ("faults.imu_reset", "at_utc", imu.at_utc)])
            it.finish()
        et_ = ft.sub("engine_out", required=False)
        if et_ is not None:
            engine_out = EngineOut(below_alt_m=et_.num("below_alt_m", gt=0.0, le=100e3),
                                   thrust_loss_frac=et_.num("thrust_loss_frac", ge=0.0, lt=1.0),
                                   tilt_deg=et_.num("tilt_deg", ge=-45.0, le=45.0))
            et_.finish()
        ft.finish()

    dtab = root.sub("dispersions", required=False) or _Table(ctx, "dispersions", {})
    disp = Dispersions(
        position_m=dtab.num("position_m", 0.0, ge=0.0, le=1e5),
        velocity_mps=dtab.num("velocity_mps", 0.0, ge=0.0, le=100.0),
        thrust_frac=dtab.num("thrust_frac", 0.0, ge=0.0, le=0.5),
        isp_frac=dtab.num("isp_frac", 0.0, ge=0.0, le=0.5),
        alt_error_m=dtab.num("alt_error_m", 0.0, ge=0.0, le=1e5),
        lrf_noise_frac=dtab.num("lrf_noise_frac", 0.0, ge=0.0, le=10.0),
        nav_horizontal_m=dtab.num("nav_horizontal_m", None, ge=0.0, le=1e5, allow_none=True),
    )
    dtab.finish()

    simt = root.sub("sim", required=False) or _Table(ctx, "sim", {})
    if guidance is not None:
        g = guidance
        sim = _sim(simt, epoch, g.braking.start_utc, max(x for x in (site.planned_touchdown_utc, g.braking.end_utc,
                                                                     g.approach and g.approach.end_utc) if x))
    else:
        sim = _sim(simt, epoch, start.end_utc, start.end_utc)

    _captions_possible(ctx, captions, deorbit=guidance is not None and guidance.deorbit is not None,
                       imu=imu is not None, lrf=lrf)
    tt_ = root.sub("terrain", required=False)
    terrain = _terrain(tt_, site.lat_deg, site.lon_deg) if tt_ is not None else None
    rt = root.sub("render", required=False)
    render = _render(rt) if rt is not None else RenderSettings()
    records = tuple(_record(t) for t in root.tables("record", MAX_RECORDS))
    lt_ = root.sub("lesson", required=False)
    lesson = _lesson(lt_, title) if lt_ is not None else None
    root.finish()
    return Scenario(
        path=source, title=title, description=description,
        captions=MappingProxyType(captions), site=site, vehicle=veh, start=start,
        guidance=guidance, navigation=nav, lrf=lrf, imu_reset=imu, dispersions=disp,
        sim=sim, terrain=terrain, render=render, records=records, engine_out=engine_out, lesson=lesson,
        rest=rest,
    )


def _rest(t: _Table | None) -> RestAttitude | None:
    """``[story.rest]`` (see :class:`RestAttitude`)."""
    if t is None:
        return None
    rest = RestAttitude(tilt_deg=t.num("tilt_deg", gt=0.0, le=180.0),
                        azimuth_deg=t.num("azimuth_deg", None, ge=-360.0, le=360.0),
                        after_s=t.num("after_s", 0.5, ge=0.0, le=60.0),
                        duration_s=t.num("duration_s", 1.5, gt=0.0, le=30.0))
    t.finish()
    return rest


#: the lowest specific impulse a [vehicle] may have, s (cold-gas thrusters are ~50-70 s)
MIN_ISP_S = 50.0
#: the highest speed and altitude a [start.state] may have: a lunar descent starts below escape speed
#: (~2.4 km/s at the surface) and within the reach of an [start.orbit] apoapsis (1e8 m)
MAX_START_SPEED_MPS = 5000.0
MAX_START_ALT_M = 1e8
#: allowed integration steps, s ([sim] coast_step_s, powered_step_s)
COAST_STEP_S = (0.1, 60.0)
POWERED_STEP_S = (0.01, 1.0)
#: the most integration steps a flight may take (each one is recorded: ~200 bytes), before it starts
MAX_FLIGHT_STEPS = 2_000_000


def _state_start(xt: _Table) -> StateStart:
    """``[start.state]``: a position above the Moon's sphere and below MAX_START_ALT_M, a speed below
    MAX_START_SPEED_MPS."""
    pos = xt.vec3("pos_m")
    alt = math.hypot(*pos) - MOON_RADIUS_M
    if not 0.0 <= alt <= MAX_START_ALT_M:
        raise xt.fail("pos_m", list(pos), f"a MOON_ME position 0..{MAX_START_ALT_M:g} m above the 1737.4 km "
                                          f"sphere (this one is {alt:.4g} m)")
    vel = xt.vec3("vel_mps")
    speed = math.hypot(*vel)
    if speed > MAX_START_SPEED_MPS:
        raise xt.fail("vel_mps", list(vel), f"a speed of at most {MAX_START_SPEED_MPS:g} m/s for a lunar descent "
                                            f"(this one is {speed:.4g} m/s)")
    xt.finish()
    return StateStart(pos_m=pos, vel_mps=vel)


def _step(t: _Table, key: str, default: float, bounds: tuple[float, float], span_s: float) -> float:
    """One ``[sim]`` step: within ``bounds``, and the ``span_s`` it integrates within MAX_FLIGHT_STEPS."""
    v = t.num(key, default, gt=0.0)
    lo, hi = bounds
    steps = max(span_s, 0.0) / v
    if not lo <= v <= hi or steps > MAX_FLIGHT_STEPS:
        why = f"{v:g} s would need {steps:.1e} steps over {span_s:.0f} s" if steps > MAX_FLIGHT_STEPS else f"{v:g} s"
        budget = f" (at most {MAX_FLIGHT_STEPS:.0e} steps)" if steps > MAX_FLIGHT_STEPS else ""
        raise t.ctx.error(t.path, key, f"{why}; expected {lo:g}..{hi:g} s{budget}")
    return v


def _sim(t: _Table, epoch: str, pdi: str, last: str) -> SimSettings:
    """``[sim]``, its steps checked against the time they integrate (start -> powered descent -> the last
    planned time + 30 min)."""
    def ts(u: str) -> float:
        return _dt.datetime.fromisoformat(u).timestamp()

    coast_span, powered_span = ts(pdi) - ts(epoch), ts(last) - ts(pdi) + 1800.0
    sim = SimSettings(
        coast_step_s=_step(t, "coast_step_s", 10.0, COAST_STEP_S, coast_span),
        powered_step_s=_step(t, "powered_step_s", 0.1, POWERED_STEP_S, powered_span),
        max_after_touchdown_s=t.num("max_after_touchdown_s", 20.0, ge=0.0, le=3600.0),
    )
    t.finish()
    return sim


#: the most keyframes a [render] table may hold
MAX_KEYFRAMES = 200
#: the longest caption, characters (one line on a 16:9 frame)
MAX_CAPTION_CHARS = 160


def _captions(t: _Table | None) -> dict[str, str]:
    """``[story.captions]``: event name -> one-line text; the names are those a flight's events may have."""
    if t is None:
        return {}
    out = {}
    for k in list(t.data):
        if k not in EVENT_NAMES:
            close = difflib.get_close_matches(k, EVENT_NAMES, n=1) if len(k) <= 80 else []
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise t.ctx.error(t.path, k, f"unknown event{hint}; expected one of {', '.join(EVENT_NAMES)}")
        out[k] = t.string(k, max_len=MAX_CAPTION_CHARS)
    t.finish()
    return out


def _captions_possible(ctx: _Ctx, captions: Mapping[str, str], *, deorbit: bool, imu: bool,
                       lrf: Rangefinder) -> None:
    """A caption only for an event this scenario can have (no deorbit caption without a deorbit burn)."""
    needs = {"deorbit": (deorbit, "a [guidance.deorbit] table"),
             "deorbit_end": (deorbit, "a [guidance.deorbit] table"),
             "imu_reset": (imu, "a [faults.imu_reset] table"),
             "engine_restart": (imu, "a [faults.imu_reset] table"),
             "lrf_first_valid": (lrf.enabled, "[sensors.lrf] enabled = true"),
             "lrf_rejected": (lrf.enabled and lrf.jump_reject_m is not None,
                              "[sensors.lrf] enabled = true and jump_reject_m")}
    for name in captions:
        ok, what = needs.get(name, (True, ""))
        if not ok:
            raise ctx.error("story.captions", name, f"a caption for an event this scenario cannot have; "
                                                    f"expected {what} (or no caption)")


def _cliff(t: _Table) -> CliffConfig:
    d = CliffConfig()
    c = CliffConfig(
        height_m=t.num("height_m", d.height_m, ge=-20e3, le=20e3),
        offset_m=t.num("offset_m", d.offset_m, ge=-500e3, le=500e3),
        azimuth_deg=t.num("azimuth_deg", d.azimuth_deg, ge=-360.0, le=360.0),
        width_m=t.num("width_m", d.width_m, gt=0.0, le=100e3),
        back_slope_m=t.num("back_slope_m", d.back_slope_m, gt=0.0, le=1e6),
        length_m=t.num("length_m", d.length_m, ge=0.0, le=1e6),
    )
    t.finish()
    return c


def _terrain(t: _Table, site_lat_deg: float, site_lon_deg: float) -> TerrainConfig:
    """``[terrain]`` -> :class:`lunarviz.terrain.TerrainConfig` (a relative DEM path is relative to the file)."""
    d = TerrainConfig()
    kind = t.string("kind", "procedural", choices=("procedural", "sphere", "dem"))
    dmin = t.num("min_crater_m", d.min_crater_m, ge=1e-3, le=100e3)
    dmax = t.num("max_crater_m", d.max_crater_m, gt=0.0, le=100e3)
    if not dmax > dmin:
        raise t.fail("max_crater_m", dmax, f"a value > min_crater_m ({dmin:g})")
    cliff_t = t.sub("cliff", required=False)
    path = t.string("path", None)
    if path is not None:
        if not path:
            raise t.fail("path", path, "a DEM file path")
        p = Path(path).expanduser()
        path = str(p if p.is_absolute() else Path(t.ctx.source).parent / p)
    if kind == "dem" and path is None:
        raise t.ctx.error(t.path, "path", 'missing: kind = "dem" needs path = "<DEM file>"')
    if kind == "dem" and not Path(path).is_file():
        raise t.fail("path", t.data["path"], f"an existing DEM file (looked for {path})")
    if kind != "dem" and path is not None:
        raise t.fail("path", t.data["path"], 'no path unless kind = "dem"')
    cfg = TerrainConfig(
        kind=kind, site_lat_deg=float(site_lat_deg), site_lon_deg=float(site_lon_deg),
        seed=t.integer("seed", d.seed, ge=0, le=2**32 - 1),
        extent_m=t.num("extent_m", d.extent_m, gt=100.0, le=500e3),
        relief_m=t.num("relief_m", d.relief_m, ge=0.0, le=5000.0),
        crater_density=t.num("crater_density", d.crater_density, ge=0.0, le=1.0),
        min_crater_m=dmin, max_crater_m=dmax,
        sfd_break_m=t.num("sfd_break_m", d.sfd_break_m, gt=0.0, le=100e3),
        fresh_fraction=t.num("fresh_fraction", d.fresh_fraction, ge=0.0, le=1.0),
        roughness=t.num("roughness", d.roughness, ge=0.0, le=10.0),
        cliff=_cliff(cliff_t) if cliff_t is not None else None,
        path=path,
        dem_spacing_m=t.num("dem_spacing_m", None, gt=0.0, le=10e3, allow_none=True),
        source=t.ctx.source,
    )
    t.finish()
    if kind == "procedural":
        _crater_budget(t, cfg)
    return cfg


def _crater_budget(t: _Table, cfg: TerrainConfig) -> None:
    """Refuse, before drawing them, more craters than :data:`lunarviz.terrain.MAX_CRATERS`."""
    from .terrain import CRATER_BYTES, MAX_CRATERS, expected_craters

    n = expected_craters(cfg)
    if n > MAX_CRATERS:
        key = "min_crater_m" if "min_crater_m" in t.data else "crater_density" if "crater_density" in t.data \
            else "extent_m"
        raise t.ctx.error(t.path, key, f"= {_fmt(t.data.get(key, getattr(cfg, key)))}: the terrain would hold "
                          f"~{n:.1e} craters (~{n * CRATER_BYTES / 2**30:.3g} GiB); expected at most "
                          f"{MAX_CRATERS:.0e} (raise min_crater_m or lower crater_density)")


def _record(t: _Table) -> RecordEntry:
    """One ``[[record]]`` entry (quantities and units: :data:`lunarviz.record.QUANTITIES`)."""
    from .record import QUANTITIES

    if t.has("at") == t.has("at_altitude_m"):
        raise t.ctx.error(t.path, "at", "expected exactly one of at (a time such as 'touchdown-20s') "
                                        "or at_altitude_m (a height in m)")
    at = t.time_spec("at", None)
    at_alt = t.num("at_altitude_m", None, ge=0.0, le=1e6, allow_none=True)
    q = t.string("quantity", choices=tuple(QUANTITIES))
    units = QUANTITIES[q][1]
    unit = t.string("unit", {"event": "", "time": "s"}.get(q, _REQ), choices=tuple(units))
    if q == "time":
        value = t.utc("value")
    elif q == "event":
        if t.has("value"):
            raise t.fail("value", t.data["value"], 'no value for quantity "event" (it checks that the moment happens)')
        if at is None:
            raise t.ctx.error(t.path, "at_altitude_m", 'quantity "event" needs at = "<event name>"')
        value = None
    else:
        value = t.num("value", ge=-1e9, le=1e9)
    entry = RecordEntry(
        quantity=q, unit=unit, value=value, source=t.string("source"),
        label=t.string("label", "record", max_len=40), at=at, at_altitude_m=at_alt,
        tolerance=t.num("tolerance", None, ge=0.0, le=1e9, allow_none=True),
        must_match=t.boolean("must_match", False), doubt=t.string("doubt", "", max_len=400),
        line=t.ctx.lines.line_of(t.path),
    )
    if entry.must_match and entry.tolerance is None and q != "event":
        raise t.ctx.error(t.path, "tolerance", "missing: must_match = true needs a tolerance (in the entry's unit)")
    t.finish()
    return entry


def _camera(t: _Table, key: str, default: Any = None) -> str | None:
    """A camera name (:data:`CAMERA_NAMES`), with a did-you-mean hint; ``default`` when absent (None: optional)."""
    cam = t._get(key, default)
    if cam is None:
        return None
    if cam not in CAMERA_NAMES:
        close = difflib.get_close_matches(str(cam)[:80], CAMERA_NAMES, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise t.ctx.error(t.path, key, f"unknown camera {_fmt(cam)}{hint}; expected one of "
                          f"{', '.join(CAMERA_NAMES)}")
    return cam


def _choices(t: _Table) -> tuple[str, ...]:
    v = t._get("choices", [])
    if not isinstance(v, list) or not 2 <= len(v) <= MAX_CHOICES or not all(
            isinstance(c, str) and c.strip() and len(c) <= MAX_CHOICE_CHARS and "\n" not in c for c in v):
        raise t.fail("choices", v, f"a list of 2 to {MAX_CHOICES} one-line texts of at most "
                                   f"{MAX_CHOICE_CHARS} characters")
    return tuple(v)


def _answer(t: _Table, choices: tuple[str, ...]) -> int | None:
    """``answer``: 1..len(choices) (1 = the first choice) or the text of one choice -> index from 0."""
    v = t._get("answer", None)
    if v is None:
        return None
    if not choices:
        raise t.fail("answer", v, "no answer without choices = [...]")
    if isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= len(choices):
        return v - 1
    if isinstance(v, str) and v in choices:
        return choices.index(v)
    raise t.fail("answer", v, f"a choice number from 1 to {len(choices)} (1 = the first) or the text of one "
                              "of the choices")


def _whatif(t: _Table) -> dict[str, float]:
    """``whatif = { key = value }``: the viewer's what-if changes (:data:`lunarviz.app.whatif_model.LIMITS`)."""
    from .app.whatif_model import LIMITS

    wt = t.sub("whatif", required=False)
    if wt is None:
        return {}
    out = {}
    for k in list(wt.data):
        if k not in LIMITS:
            raise wt.ctx.error(wt.path, k, f"unknown what-if change; expected one of {', '.join(LIMITS)}")
        lo, hi = LIMITS[k]
        out[k] = wt.num(k, ge=lo, le=hi)
    if not out:
        raise t.fail("whatif", {}, f"at least one change, e.g. {{ {next(iter(LIMITS))} = 3000.0 }}")
    wt.finish()
    return out


def _lesson_scene(t: _Table) -> str | None:
    """``scene``: a shipped scene name or a file (relative to this file) -> the path as given or found."""
    v = t.string("scene", None)
    if v is None:
        return None
    p = Path(v).expanduser()
    near = p if p.is_absolute() else Path(t.ctx.source).parent / p
    if near.is_file():
        return str(near)
    try:
        return str(resolve(v))
    except ScenarioError:
        raise t.fail("scene", v, "a shipped scene (" + ", ".join(shipped_scenes()) + ") or a scenario file") \
            from None


def _needs(t: _Table, reveal: str, key: str, value: Any) -> None:
    """``key`` goes with ``reveal = "<r>"`` and only with it (``whatif`` with "whatif", ...)."""
    wanted = {"reveal_camera": "camera", "whatif": "whatif", "scene": "scene"}[key]
    if reveal == wanted and not value:
        raise t.ctx.error(t.path, "reveal", f'= "{reveal}": expected {key} = ... beside it '
                                            f'(what the reveal {"switches to" if key != "whatif" else "flies"})')
    if reveal != wanted and value:
        raise t.fail(key, t.data[key], f'no {key} unless reveal = "{wanted}"')


def _lesson_step(t: _Table, speeds: tuple[float, float]) -> LessonStep:
    text = MAX_LESSON_TEXT_CHARS
    at = t.time_spec("at")
    prompt = t.string("prompt")
    if not prompt.strip() or len(prompt) > text:
        raise t.fail("prompt", prompt, f"a question of 1 to {text} characters")
    choices = _choices(t) if t.has("choices") else ()
    reveal = t.string("reveal", "resume", choices=REVEALS)
    step = LessonStep(
        at=at, prompt=prompt, reveal=reveal, choices=choices, answer=_answer(t, choices),
        explain=t.string("explain", ""), camera=_camera(t, "camera"), reveal_camera=_camera(t, "reveal_camera"),
        whatif=MappingProxyType(_whatif(t)), scene=_lesson_scene(t), replay_from=t.time_spec("replay_from", None),
        speed=t.num("speed", None, ge=speeds[0], le=speeds[1], allow_none=True),
        line=t.ctx.lines.line_of((*t.path, "at")),
    )
    if len(step.explain) > text:
        raise t.fail("explain", step.explain, f"at most {text} characters")
    for key, value in (("reveal_camera", step.reveal_camera), ("whatif", step.whatif), ("scene", step.scene)):
        _needs(t, reveal, key, value)
    t.finish()
    return step


def _lesson(t: _Table, scenario_title: str) -> Lesson:
    """``[lesson]`` and its ``[[lesson.steps]]`` -> :class:`Lesson` (times stay unresolved specs)."""
    from .app.playback import MAX_SPEED, MIN_SPEED

    speeds = (MIN_SPEED, MAX_SPEED)
    steps = tuple(_lesson_step(s, speeds) for s in t.tables("steps", MAX_LESSON_STEPS))
    if not steps:
        raise t.ctx.error(t.path, "steps", "missing: a lesson needs at least one [[lesson.steps]] entry")
    lesson = Lesson(
        title=t.string("title", scenario_title, max_len=MAX_CAPTION_CHARS),
        intro=t.string("intro", ""), steps=steps, start=t.time_spec("start", None),
        speed=t.num("speed", 10.0, ge=speeds[0], le=speeds[1]),
    )
    if len(lesson.intro) > MAX_LESSON_TEXT_CHARS:
        raise t.fail("intro", lesson.intro, f"at most {MAX_LESSON_TEXT_CHARS} characters")
    t.finish()
    return lesson


def _keyframe(t: _Table) -> Keyframe:
    at = t.time_spec("at")
    cam = _camera(t, "camera", _REQ)
    trans = t.num("transition_s", 4.0, ge=0.0, le=3600.0)
    allowed = CAMERA_OPTIONS[cam]
    opts = {}
    for k in list(t.data):
        if k in ("at", "camera", "transition_s"):
            continue
        if k not in allowed:
            known = {o for table in CAMERA_OPTIONS.values() for o in table}
            what = f"not an option of camera {cam!r}" if k in known else "unknown key"
            raise t.ctx.error(t.path, k, f"{what}; expected at, camera, transition_s, {', '.join(allowed)}")
        lo, hi = allowed[k]
        opts[k] = t.num(k, ge=lo, le=hi)
    t.finish()
    return Keyframe(at=at, camera=cam, transition_s=trans, options=MappingProxyType(opts),
                    line=t.ctx.lines.line_of((*t.path, "at")))


def _render(t: _Table) -> RenderSettings:
    """``[render]`` -> :class:`RenderSettings` (keyframes included); times stay unresolved specs."""
    size = t._get("size", None)
    if size is not None and frame_size(size) is None:
        lo, hi = FRAME_SIDE_PX
        raise t.fail("size", size, f"WIDTHxHEIGHT in pixels, each {lo}..{hi}, e.g. '1920x1080'")
    rs = RenderSettings(
        camera=t.string("camera", None, choices=(*CAMERA_NAMES, "scenario")),
        start=t.time_spec("start", None),
        end=t.time_spec("end", None),
        fps=t.num("fps", None, gt=0.0, le=MAX_FPS, allow_none=True),
        speed=t.num("speed", None, ge=SPEED_RANGE[0], le=SPEED_RANGE[1], allow_none=True),
        size=frame_size(size) if size is not None else None,
        codec=t.string("codec", None, choices=CODECS),
        keyframes=tuple(_keyframe(k) for k in t.tables("keyframes", MAX_KEYFRAMES)),
        open_at=t.time_spec("open_at", None),
        open_camera=t.string("open_camera", None, choices=CAMERA_NAMES),
    )
    t.finish()
    return rs


def terrain_config(table: Mapping[str, Any] | None, *, source: str, site_lat_deg: float,
                   site_lon_deg: float) -> TerrainConfig:
    """A ``[terrain]`` table given as a mapping (not read from a file) -> TerrainConfig; errors name ``source``."""
    return _terrain(_Table(_Ctx(source), "terrain", table), site_lat_deg, site_lon_deg)


def render_settings(table: Mapping[str, Any] | None, *, source: str, text: str = "") -> RenderSettings:
    """A ``[render]`` table given as a mapping -> RenderSettings; errors name ``source`` (and lines, given ``text``)."""
    return _render(_Table(_Ctx(source, text), "render", table))


def loads(text: str, source: str = "<string>") -> Scenario:
    """Parse scenario TOML text; errors name ``source``."""
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise ScenarioError(f"{source}: nesting too deep (arrays or tables inside each other); "
                            "expected a scenario file") from None
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
        core = re.sub(r"\s*\(at line \d+, column \d+\)", "", msg)
        where = f"{source}:{m.group(1)}" if m else source
        raise ScenarioError(_("{where}: TOML syntax error: {error}; expected valid TOML").format(
            where=where, error=core)) from None
    except (ValueError, TypeError) as exc:  # pragma: no cover - defensive
        raise ScenarioError(f"{source}: could not parse: {exc}") from None
    try:
        return parse(data, text, source)
    except ScenarioError:
        raise
    except RecursionError:
        raise ScenarioError(f"{source}: nesting too deep; expected a scenario file") from None


def load(path: str | Path) -> Scenario:
    """Read and validate a scenario file (see the module docstring for the tables)."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise ScenarioError(f"{p}: scenario file not found") from None
    except OSError as exc:
        raise ScenarioError(f"{p}: cannot read scenario file ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{p}: byte {exc.start}: expected UTF-8 text") from None
    return loads(text, str(p))


def scenes_dir() -> Path:
    """The folder holding the shipped scenarios.

    ``scenes/`` in the repository (a checkout or an editable install), else
    ``<prefix>/share/lunarviz/scenes`` where a wheel installs them.
    """
    here = Path(__file__).resolve().parents[1] / "scenes"
    if here.is_dir():
        return here
    import sys

    for prefix in (sys.prefix, sys.base_prefix):
        installed = Path(prefix) / "share" / "lunarviz" / "scenes"
        if installed.is_dir():
            return installed
    return here


#: the shipped scene a command flies when none is named
DEFAULT_SCENE = "resilience"


def shipped_scenes() -> list[str]:
    """Names of the shipped scenes (``scenes/NAME.toml``), sorted."""
    d = scenes_dir()
    return sorted(p.stem for p in d.glob("*.toml")) if d.is_dir() else []


def resolve(name_or_path: str | Path) -> Path:
    """A scene path from a file path or a shipped scene name (``resilience`` or ``resilience.toml``).

    A path with a folder in it is returned as given (:func:`load` reports a
    missing file). A bare name that is neither a file here nor a shipped
    scene raises :class:`ScenarioError` naming the shipped scenes and the
    closest one.
    """
    p = Path(name_or_path)
    if p.exists() or p.parent != Path("."):
        return p
    stem = p.stem if p.suffix == ".toml" else p.name
    cand = scenes_dir() / f"{stem}.toml"
    if cand.is_file():
        return cand
    names = shipped_scenes()
    close = difflib.get_close_matches(stem, names, n=1, cutoff=0.5)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise ScenarioError(f"{name_or_path}: no such scenario file or shipped scene{hint} "
                        f"(shipped scenes: {', '.join(names) or 'none'})")
