"""The flown trajectory: immutable arrays over time plus named events.

A :class:`Trajectory` is what :func:`lunarviz.physics.fly` returns and what the
renderer and the viewer consume. All arrays are read-only numpy arrays sampled
at increasing ET (TDB seconds past J2000). Positions and velocities are in the
Moon-fixed ``MOON_ME`` frame in metres and metres per second; the velocity is
the time derivative of the ``MOON_ME`` position, i.e. relative to the rotating
surface. Attitude is a unit quaternion ``(w, x, y, z)`` rotating lander-body
vectors into ``MOON_ME``; the body +Z axis is the lander's "up", which is also
the direction of main-engine thrust.

:meth:`Trajectory.at` interpolates between samples: position by cubic Hermite
using the stored velocities (C1-smooth, so 60 fps playback between 10 Hz
samples shows no kinks), attitude by spherical linear interpolation, scalars
linearly, and categorical values (phase, rangefinder validity) from the sample
at or before the requested time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .geometry import unit_to_latlon

if TYPE_CHECKING:  # the core modules import each other only for annotations here
    from .scenario import Scenario
    from .terrain import Terrain

#: the names a flight's events may have (what ``[story.captions]`` and time specs may name)
EVENT_NAMES = (
    "start",                   # the start epoch of the scenario
    "earthrise", "earthset",   # the Earth rising / setting as seen from the lander in orbit
    "deorbit", "deorbit_end",  # deorbit burn: ignition and cut-off
    "powered_descent",         # powered descent initiation (PDI)
    "pitch_up",                # braking done: the pitch-up towards vertical
    "terminal",                # terminal descent begins
    "imu_reset",               # an injected IMU reset (engine off)
    "engine_restart",          # the engine back on after it
    "engine_out",              # an injected engine fault: a lost nozzle (thrust down, off-axis)
    "lrf_first_valid",         # the laser rangefinder's first accepted range
    "lrf_rejected",            # a rangefinder measurement rejected by the jump test
    "propellant_exhausted",    # the tanks ran dry
    "touchdown",               # first surface contact, soft or not
)


@dataclass(frozen=True)
class Event:
    """A named moment of the flight (``deorbit``, ``touchdown``, ...).

    ``pos_m`` and ``vel_mps`` are the true state in ``MOON_ME`` (m, m/s).
    ``alt_m`` is the true altitude above the terrain at that moment.
    """

    name: str
    et_s: float
    pos_m: np.ndarray
    vel_mps: np.ndarray
    alt_m: float = float("nan")
    note: str = ""

    @property
    def speed_mps(self) -> float:
        return float(np.linalg.norm(self.vel_mps))


@dataclass(frozen=True)
class State:
    """The lander's state at one instant, interpolated from a trajectory.

    Vectors are in ``MOON_ME``; units are in the names.
    """

    et_s: float
    pos_m: np.ndarray
    vel_mps: np.ndarray
    quat_wxyz: np.ndarray
    mass_kg: float
    throttle: float
    phase_name: str
    alt_m: float
    est_alt_m: float
    lrf_valid: bool
    propellant_kg: float
    propellant_fraction: float

    @property
    def radius_m(self) -> float:
        return float(np.linalg.norm(self.pos_m))

    @property
    def up(self) -> np.ndarray:
        """Local vertical (unit radial vector) at the lander, MOON_ME."""
        return self.pos_m / np.linalg.norm(self.pos_m)

    @property
    def vertical_speed_mps(self) -> float:
        """Radial speed, positive upwards (m/s)."""
        return float(np.dot(self.vel_mps, self.up))

    @property
    def horizontal_speed_mps(self) -> float:
        """Speed along the local horizontal (m/s)."""
        v = self.vel_mps - self.vertical_speed_mps * self.up
        return float(np.linalg.norm(v))

    @property
    def speed_mps(self) -> float:
        return float(np.linalg.norm(self.vel_mps))

    @property
    def lat_deg(self) -> float:
        return float(unit_to_latlon(self.pos_m)[0])

    @property
    def lon_deg(self) -> float:
        return float(unit_to_latlon(self.pos_m)[1])

    @property
    def body_up(self) -> np.ndarray:
        """The lander's body +Z axis (thrust direction) in MOON_ME."""
        return quat_rotate(self.quat_wxyz, np.array([0.0, 0.0, 1.0]))


def _readonly(a: Any, dtype=float) -> np.ndarray:
    arr = np.array(a, dtype=dtype, copy=True)
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True)
class Trajectory:
    """Immutable, time-ordered samples of one flight plus its events.

    Parameters are arrays of length N (N >= 2) unless noted:

    et_s : ET seconds, strictly increasing.
    pos_m, vel_mps : (N, 3) position and velocity in ``MOON_ME``, m and m/s.
    quat_wxyz : (N, 4) attitude, body -> ``MOON_ME``.
    mass_kg : total mass, kg. throttle : main-engine throttle, 0..1.
    phase : int codes into ``phase_names``.
    alt_m : true altitude above the terrain, m. est_alt_m : the lander's own estimate, m.
    lrf_valid : whether the laser rangefinder delivered a valid, accepted range.
    events : named moments, in time order.
    dry_mass_kg : the vehicle's dry mass, to compute propellant remaining.
    planned_touchdown_et_s : the mission's planned touchdown time (nan if none).
    scenario : the Scenario that produced this trajectory (None for synthetic ones).
    terrain : the terrain it was flown over (a ``SphereTerrain`` without a ``[terrain]``
        table; None for synthetic trajectories), so a renderer draws exactly the
        ground the physics hit without rebuilding it.
    """

    et_s: np.ndarray
    pos_m: np.ndarray
    vel_mps: np.ndarray
    quat_wxyz: np.ndarray
    mass_kg: np.ndarray
    throttle: np.ndarray
    phase: np.ndarray
    phase_names: tuple[str, ...]
    alt_m: np.ndarray
    est_alt_m: np.ndarray
    lrf_valid: np.ndarray
    events: tuple[Event, ...] = ()
    dry_mass_kg: float = 0.0
    planned_touchdown_et_s: float = float("nan")
    scenario: Scenario | None = field(default=None, compare=False, repr=False)
    terrain: Terrain | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        et = _readonly(self.et_s)
        n = et.shape[0]
        if et.ndim != 1 or n < 2:
            raise ValueError("Trajectory needs at least two samples in a 1-D et_s array")
        if not np.all(np.diff(et) > 0):
            raise ValueError("Trajectory et_s must be strictly increasing")
        shapes = {
            "pos_m": (n, 3), "vel_mps": (n, 3), "quat_wxyz": (n, 4), "mass_kg": (n,),
            "throttle": (n,), "alt_m": (n,), "est_alt_m": (n,),
        }
        object.__setattr__(self, "et_s", et)
        for name, shape in shapes.items():
            arr = _readonly(getattr(self, name))
            if arr.shape != shape:
                raise ValueError(f"Trajectory.{name} has shape {arr.shape}, expected {shape}")
            object.__setattr__(self, name, arr)
        phase = _readonly(self.phase, dtype=np.int16)
        lrf = _readonly(self.lrf_valid, dtype=bool)
        for name, arr in (("phase", phase), ("lrf_valid", lrf)):
            if arr.shape != (n,):
                raise ValueError(f"Trajectory.{name} has shape {arr.shape}, expected {(n,)}")
        if phase.min() < 0 or phase.max() >= len(self.phase_names):
            raise ValueError("Trajectory.phase holds codes outside phase_names")
        object.__setattr__(self, "phase", phase)
        object.__setattr__(self, "lrf_valid", lrf)
        object.__setattr__(self, "phase_names", tuple(self.phase_names))
        object.__setattr__(self, "events", tuple(sorted(self.events, key=lambda e: e.et_s)))

    # ------------------------------------------------------------------ basics
    def __len__(self) -> int:
        return int(self.et_s.shape[0])

    @property
    def start_et_s(self) -> float:
        return float(self.et_s[0])

    @property
    def end_et_s(self) -> float:
        return float(self.et_s[-1])

    @property
    def duration_s(self) -> float:
        return self.end_et_s - self.start_et_s

    def event(self, name: str) -> Event | None:
        """The first event called ``name``, or None."""
        for ev in self.events:
            if ev.name == name:
                return ev
        return None

    def event_names(self) -> list[str]:
        return [ev.name for ev in self.events]

    @property
    def propellant_kg(self) -> np.ndarray:
        return self.mass_kg - self.dry_mass_kg

    # ------------------------------------------------------------------ export
    def to_csv(self, path) -> None:
        """Write the time series as ``lunarviz fly --csv`` does (same columns, >= 1 Hz, atomically)."""
        from .commands.fly import write_csv

        write_csv(self, path)

    def to_spk(self, path, naif_id: int = -999) -> None:
        """Write the trajectory as a SPICE SPK (type 13, centre MOON, J2000), as ``fly --spk`` does."""
        from .commands.fly import write_spk

        write_spk(self, path, naif_id)

    def to_dataframe(self):
        """The ``to_csv`` table as a :class:`pandas.DataFrame` (needs pandas; numbers as floats).

        Columns as in the CSV; ``utc`` stays a string, ``lrf_valid`` is a bool.
        """
        try:
            import pandas as pd
        except ImportError as exc:
            from .errors import LunarvizError

            raise LunarvizError("Trajectory.to_dataframe needs pandas: pip install pandas") from exc
        from .commands.fly import CSV_HEADER, csv_rows

        df = pd.DataFrame(list(csv_rows(self)), columns=CSV_HEADER)
        for col in CSV_HEADER[1:-2]:
            df[col] = df[col].astype(float)
        df["lrf_valid"] = df["lrf_valid"].astype(bool)
        return df

    # ----------------------------------------------------------- interpolation
    def _locate(self, et_s: float) -> tuple[int, float, float]:
        """Index i of the interval [t_i, t_i+1] holding et, the fraction in it, and dt."""
        t = self.et_s
        et = min(max(float(et_s), t[0]), t[-1])
        i = int(np.searchsorted(t, et, side="right")) - 1
        i = min(max(i, 0), len(t) - 2)
        dt = float(t[i + 1] - t[i])
        return i, (et - float(t[i])) / dt, dt

    def at(self, et_s: float) -> State:
        """Interpolated state at ``et_s`` (clamped to the trajectory's span)."""
        i, u, dt = self._locate(et_s)
        j = i + 1
        # cubic Hermite on position with velocities as tangents
        u2, u3 = u * u, u * u * u
        h00 = 2 * u3 - 3 * u2 + 1
        h10 = u3 - 2 * u2 + u
        h01 = -2 * u3 + 3 * u2
        h11 = u3 - u2
        p0, p1 = self.pos_m[i], self.pos_m[j]
        v0, v1 = self.vel_mps[i], self.vel_mps[j]
        pos = h00 * p0 + h10 * dt * v0 + h01 * p1 + h11 * dt * v1
        # derivative of the Hermite curve, for a velocity consistent with the position
        d00 = (6 * u2 - 6 * u) / dt
        d10 = 3 * u2 - 4 * u + 1
        d01 = (-6 * u2 + 6 * u) / dt
        d11 = 3 * u2 - 2 * u
        vel = d00 * p0 + d10 * v0 + d01 * p1 + d11 * v1
        # categorical values from the sample at or before et (exact at sample times)
        k = j if u >= 1.0 else i

        def lerp(a: np.ndarray) -> float:
            return float(a[i] + (a[j] - a[i]) * u)

        mass = lerp(self.mass_kg)
        prop0 = float(self.mass_kg[0] - self.dry_mass_kg)
        prop = mass - self.dry_mass_kg
        return State(
            et_s=float(self.et_s[i] + u * dt),
            pos_m=pos,
            vel_mps=vel,
            quat_wxyz=quat_slerp(self.quat_wxyz[i], self.quat_wxyz[j], u),
            mass_kg=mass,
            throttle=lerp(self.throttle),
            phase_name=self.phase_names[int(self.phase[k])],
            alt_m=lerp(self.alt_m),
            est_alt_m=lerp(self.est_alt_m),
            lrf_valid=bool(self.lrf_valid[k]),
            propellant_kg=prop,
            propellant_fraction=(prop / prop0) if prop0 > 0 else 0.0,
        )

    def positions_between(self, et0_s: float, et1_s: float) -> np.ndarray:
        """Sampled MOON_ME positions (m) with et0 <= et <= et1, for drawing trails."""
        lo = int(np.searchsorted(self.et_s, et0_s, side="left"))
        hi = int(np.searchsorted(self.et_s, et1_s, side="right"))
        return self.pos_m[lo:hi]

    def vertical_speed_mps(self) -> np.ndarray:
        """Radial speed at every sample, positive upwards (m/s)."""
        up = self.pos_m / np.linalg.norm(self.pos_m, axis=1, keepdims=True)
        return np.einsum("ij,ij->i", self.vel_mps, up)

    def horizontal_speed_mps(self) -> np.ndarray:
        """Speed along the local horizontal at every sample (m/s)."""
        up = self.pos_m / np.linalg.norm(self.pos_m, axis=1, keepdims=True)
        vz = np.einsum("ij,ij->i", self.vel_mps, up)
        return np.linalg.norm(self.vel_mps - vz[:, None] * up, axis=1)


# ---------------------------------------------------------------- quaternions
def quat_rotate(q_wxyz: Sequence[float] | np.ndarray, v: np.ndarray) -> np.ndarray:
    """Rotate vector(s) ``v`` (..., 3) by unit quaternion ``q_wxyz`` (w, x, y, z)."""
    q = np.asarray(q_wxyz, dtype=float)
    w, u = q[..., :1], q[..., 1:]
    v = np.asarray(v, dtype=float)
    t = 2.0 * np.cross(u, v)
    return v + w * t + np.cross(u, t)


def quat_to_matrix(q_wxyz: Sequence[float] | np.ndarray) -> np.ndarray:
    """3x3 rotation matrix (body -> frame) of unit quaternion (w, x, y, z)."""
    w, x, y, z = np.asarray(q_wxyz, dtype=float)
    return np.array([
        [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
        [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
        [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
    ])


def quat_from_matrix(m: np.ndarray) -> np.ndarray:
    """Unit quaternion (w, x, y, z) of a 3x3 rotation matrix, with w >= 0."""
    m = np.asarray(m, dtype=float)
    tr = m[0, 0] + m[1, 1] + m[2, 2]
    if tr > 0:
        s = np.sqrt(tr + 1.0) * 2
        q = [0.25 * s, (m[2, 1] - m[1, 2]) / s, (m[0, 2] - m[2, 0]) / s, (m[1, 0] - m[0, 1]) / s]
    elif m[0, 0] > m[1, 1] and m[0, 0] > m[2, 2]:
        s = np.sqrt(1.0 + m[0, 0] - m[1, 1] - m[2, 2]) * 2
        q = [(m[2, 1] - m[1, 2]) / s, 0.25 * s, (m[0, 1] + m[1, 0]) / s, (m[0, 2] + m[2, 0]) / s]
    elif m[1, 1] > m[2, 2]:
        s = np.sqrt(1.0 + m[1, 1] - m[0, 0] - m[2, 2]) * 2
        q = [(m[0, 2] - m[2, 0]) / s, (m[0, 1] + m[1, 0]) / s, 0.25 * s, (m[1, 2] + m[2, 1]) / s]
    else:
        s = np.sqrt(1.0 + m[2, 2] - m[0, 0] - m[1, 1]) * 2
        q = [(m[1, 0] - m[0, 1]) / s, (m[0, 2] + m[2, 0]) / s, (m[1, 2] + m[2, 1]) / s, 0.25 * s]
    q = np.array(q)
    q /= np.linalg.norm(q)
    return -q if q[0] < 0 else q


def quat_slerp(q0: np.ndarray, q1: np.ndarray, u: float) -> np.ndarray:
    """Spherical linear interpolation between unit quaternions, shortest path."""
    q0 = np.asarray(q0, dtype=float)
    q1 = np.asarray(q1, dtype=float)
    d = float(np.dot(q0, q1))
    if d < 0.0:
        q1, d = -q1, -d
    if d > 0.9995:
        q = q0 + u * (q1 - q0)
        return q / np.linalg.norm(q)
    theta = np.arccos(d)
    s = np.sin(theta)
    return (np.sin((1 - u) * theta) * q0 + np.sin(u * theta) * q1) / s
