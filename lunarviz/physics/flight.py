"""Fly a scenario: coast, deorbit, descent coast, powered descent, touchdown.

This module only sequences the phases and records the events: every step of
every run is the one step of :mod:`.step` (guidance on the estimate, engine,
RK4, navigation), ``[sim] coast_step_s`` long in coasts and
``powered_step_s`` in powered flight. :func:`simulate` flies ``n`` runs at
once (rows of the same arrays; the Monte Carlo) in the Moon-centred J2000
frame. Far from the ground the compiled step runs many steps per call; near
it, the rangefinder (:class:`.navigation.Rangefinder`) measures before each
single step and the touchdown test runs after it. The truth only decides where
the lander really is, what the rangefinder sees and when it touches the terrain.
:func:`fly` flies the nominal run (no dispersions; ``seed`` drives sensor
noise) and returns a :class:`lunarviz.trajectory.Trajectory` in ``MOON_ME``.

Events inside a step are refined: propellant exhaustion exactly (mass is
linear in time within a step), touchdown by bisection on the cubic Hermite
interpolant of the step (position and velocity at both ends).
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import LunarvizError, ScenarioError
from ..geometry import MOON_RADIUS_M, enu_basis
from ..scenario import Scenario
from ..terrain import SphereTerrain, make_terrain
from ..trajectory import Event, Trajectory
from . import frames
from . import state as S
from .dynamics import kepler_state, rodrigues
from .navigation import GridTerrain, Rangefinder, engine_enabled, initial_errors
from .state import P_APPROACH, P_BRAKING, P_DCOAST, P_DEORBIT, P_FREEFALL, P_ORBIT, P_TERMINAL, Record, State
from .step import CHANGE, END, EVENT, NEAR, SURFACE, advance
from .vec3 import dot_rows, unit_rows

PHASES = ("orbit", "deorbit", "descent_coast", "braking", "approach", "terminal", "freefall", "surface")
P_SURFACE = S.P_SURFACE

#: longest coast from the start epoch to powered descent, s
MAX_COAST_S = 3 * 86400.0
#: how long after the planned touchdown a flight is followed before giving up, s
MAX_AFTER_PLANNED_S = 1800.0
#: below this grid-terrain altitude the exact terrain is asked about contact, m
TOUCHDOWN_PRECHECK_M = 60.0
#: how much the ground under a run may change before its height is asked again, m
HEIGHT_CACHE_M = 0.2
#: grid spacing of the rangefinder's terrain lookup, m
LRF_GRID_SPACING_M = 100.0
#: near the terrain, a step is also tested for contact every this many metres of its path (a ridge or a
#: scarp narrower than a step is not flown through), m
CONTACT_SUBSTEP_M = 2.0
#: the most intermediate contact tests in one step
MAX_CONTACT_SUBSTEPS = 16


def terrains_for(scn: Scenario) -> tuple[Any, Any]:
    """(terrain, the rangefinder's coarse lookup grid of it): the scenario's one cached terrain.

    The grid fills its tiles lazily, so a fresh one per flight costs nothing measurable
    (Resilience: 0.30 s warm either way) and needs no cache of its own.
    """
    terrain = make_terrain_for(scn)
    grid = terrain if isinstance(terrain, SphereTerrain) else GridTerrain(terrain, LRF_GRID_SPACING_M)
    return terrain, grid


def make_terrain_for(scn: Scenario):
    """The scenario's terrain: :func:`lunarviz.terrain.make_terrain` of its ``[terrain]`` config (cached there);
    a DEM that cannot be read is an error naming the scenario file and the key too."""
    try:
        return make_terrain(scn.terrain)
    except ScenarioError as exc:
        if scn.terrain.kind != "dem" or str(exc).startswith(scn.path):
            raise
        raise ScenarioError(f"{scn.path}: [terrain] path: {exc}") from None


@dataclass
class Plan:
    """Numbers derived from a scenario: times (ET), site geometry, frames."""

    gm: float
    et0: float
    et_td: float
    et_do: float | None
    et_pdi: float
    et_hg: float
    et_lg: float | None
    terrain: Any
    grid: Any
    h_site: float
    site_me: np.ndarray
    up_me: np.ndarray
    down_me: np.ndarray
    r_ref: np.ndarray      # R(et_ref) J2000 -> MOON_ME
    w: np.ndarray          # Moon angular velocity, J2000, rad/s
    et_ref: float
    imu_on: float | None = None
    imu_off: float | None = None
    extra: dict = field(default_factory=dict)

    @property
    def r_site_ref(self) -> float:
        """Radius the altitude estimate is measured from (site's reference level), m."""
        return MOON_RADIUS_M + self.h_site

    @property
    def w_mag(self) -> float:
        return float(np.linalg.norm(self.w))

    @property
    def w_hat(self) -> np.ndarray:
        return self.w / self.w_mag

    def me_to_in(self, vec_me: np.ndarray, et: float) -> np.ndarray:
        """MOON_ME -> J2000 at et (uniform rotation about w from et_ref)."""
        return rodrigues(vec_me @ self.r_ref, self.w_hat, self.w_mag * (et - self.et_ref))

    def in_to_me(self, vec_in: np.ndarray, et: float) -> np.ndarray:
        """J2000 -> MOON_ME at et (the same uniform rotation as :meth:`me_to_in`)."""
        return vec_in @ self.in_to_me_matrix(et).T

    def in_to_me_matrix(self, et: float) -> np.ndarray:
        cache = self.extra.get("m_in_to_me")
        if cache is not None and cache[0] == et:
            return cache[1]
        th = -self.w_mag * (et - self.et_ref)
        c, s_ = math.cos(th), math.sin(th)
        k = self.w_hat
        kx = np.array([[0.0, -k[2], k[1]], [k[2], 0.0, -k[0]], [-k[1], k[0], 0.0]])
        q = c * np.eye(3) + s_ * kx + (1.0 - c) * np.outer(k, k)
        mat = self.r_ref @ q
        self.extra["m_in_to_me"] = (et, mat)
        return mat

    def gate(self, uprange_m: float, alt_m: float, vh: float, vz: float, et: float):
        """Inertial target (r, v) at time et for a gate relative to the site."""
        r0 = MOON_RADIUS_M + self.h_site
        phi = uprange_m / r0
        u_g = math.cos(phi) * self.up_me - math.sin(phi) * self.down_me
        d_g = math.cos(phi) * self.down_me + math.sin(phi) * self.up_me
        r_me = (r0 + alt_m) * u_g
        v_me = vh * d_g + vz * u_g
        r_in = self.me_to_in(r_me, et)
        v_in = self.me_to_in(v_me, et) + np.cross(self.w, r_in)
        return r_in, v_in


def check_coverage(scn: Scenario) -> None:
    """Every time of the scenario inside the loaded kernels' coverage, else an error naming the file
    and the key that asked for it."""
    from .. import ephemeris

    lo, hi = ephemeris.coverage_et()
    for table, key, utc in scn.times():
        if not lo <= frames.utc_to_et(utc) <= hi:
            raise ScenarioError(f"{scn.path}: [{table}] {key} = {utc[:19]}: outside the SPICE kernel coverage "
                                f"{ephemeris.coverage_text()}; expected a time inside it")


def make_plan(scn: Scenario) -> Plan:
    check_coverage(scn)
    gm = frames.moon_gm_m3s2()
    u2e = frames.utc_to_et
    g = scn.guidance
    # a flight without [guidance] only orbits: its "powered descent" is the end of the flight
    et_pdi = u2e(g.braking.start_utc if g is not None else scn.start.end_utc)
    terrain, grid = terrains_for(scn)
    h_site = float(np.asarray(terrain.height_m(scn.site_lat_deg, scn.site_lon_deg)).reshape(-1)[0])
    enu = enu_basis(scn.site_lat_deg, scn.site_lon_deg)
    if scn.start.orbit is not None:
        hd = math.radians(scn.start.orbit.heading_deg)
        down_me = math.cos(hd) * enu[1] + math.sin(hd) * enu[0]
    else:  # a state start: downrange is the horizontal direction of the initial velocity at the site
        v0 = np.asarray(scn.start.state.vel_mps, float)
        down_me = v0 - np.dot(v0, enu[2]) * enu[2]
        nrm = float(np.linalg.norm(down_me))
        down_me = down_me / nrm if nrm > 1e-9 else enu[1]
    r_ref, w = frames.moon_angular_velocity(et_pdi)
    plan = Plan(
        gm=gm, et0=u2e(scn.start.epoch_utc), et_td=u2e(scn.site.planned_touchdown_utc),
        et_do=u2e(g.deorbit.start_utc) if g is not None and g.deorbit else None, et_pdi=et_pdi,
        et_hg=u2e(g.braking.end_utc) if g is not None else et_pdi,
        et_lg=u2e(g.approach.end_utc) if g is not None and g.approach else None,
        terrain=terrain, grid=grid, h_site=h_site, site_me=enu[2] * (MOON_RADIUS_M + h_site), up_me=enu[2],
        down_me=down_me, r_ref=r_ref, w=w, et_ref=et_pdi,
    )
    if scn.imu_reset is not None:
        plan.imu_on = u2e(scn.imu_reset.at_utc)
        plan.imu_off = plan.imu_on + scn.imu_reset.engine_off_s
    return plan


def initial_state(scn: Scenario, plan: Plan) -> tuple[np.ndarray, np.ndarray]:
    """Inertial (J2000) position and velocity at the start epoch."""
    if scn.start.state is not None:
        r_me = np.array(scn.start.state.pos_m)
        v_me = np.array(scn.start.state.vel_mps)
        rot, rdot = frames.rot_and_rate(plan.et0)
        r_in = rot.T @ r_me
        v_in = rot.T @ (v_me - rdot @ r_in)
        return r_in, v_in
    o = scn.start.orbit
    rot_td = frames.rot_j2000_to_me(plan.et_td)
    s_in = rot_td.T @ plan.up_me
    d_in = rot_td.T @ plan.down_me
    n_hat = np.cross(s_in, d_in)
    n_hat /= np.linalg.norm(n_hat)
    along = np.cross(n_hat, s_in)
    a = math.radians(o.anchor_uprange_deg)
    p_dir = math.cos(a) * s_in - math.sin(a) * along
    et_anchor = frames.utc_to_et(o.anchor_utc)
    rp = MOON_RADIUS_M + o.periapsis_alt_m
    ra = MOON_RADIUS_M + o.apoapsis_alt_m
    return kepler_state(plan.gm, rp, ra, p_dir, n_hat, plan.et0 - et_anchor)


def _check_above_terrain(scn: Scenario, plan: Plan, r0_in: np.ndarray) -> None:
    """The flight starts above the terrain (a [start.state] position can lie inside a hill or a scarp)."""
    r_me = np.asarray(scn.start.state.pos_m, float) if scn.start.state is not None else plan.in_to_me(r0_in, plan.et0)
    alt = float(np.asarray(plan.terrain.surface_altitude_m(r_me[None, :])).reshape(-1)[0])
    if not alt >= 0.0:
        key = "[start.state] pos_m" if scn.start.state is not None else "[start.orbit] periapsis_alt_m"
        raise ScenarioError(f"{scn.path}: {key}: the flight starts {-alt:.3g} m below the terrain; "
                            "expected a start above it")


def _check_dispersed_starts(scn: Scenario, plan: Plan, r_in: np.ndarray) -> None:
    """Every dispersed start lies above the terrain (``[dispersions] position_m`` can push a start that
    is close to the ground into it)."""
    alt = np.asarray(plan.terrain.surface_altitude_m(plan.in_to_me(r_in, plan.et0))).reshape(-1)
    below = ~(alt >= 0.0)
    if below.any():
        nominal = float(np.median(alt))
        raise ScenarioError(
            f"{scn.path}: [dispersions] position_m: {int(below.sum())} of {alt.size} dispersed starts lie up to "
            f"{-float(np.nanmin(alt)):.3g} m below the terrain (the start is {nominal:.3g} m above it); "
            "expected a smaller position_m or a higher start")


@dataclass
class RunResult:
    """Raw output of :func:`simulate` (inertial J2000 samples of run 0, per-run touchdowns)."""

    plan: Plan
    n: int
    samples: dict[str, np.ndarray] | None
    events: list[tuple[str, float, np.ndarray, np.ndarray]]
    td_et: np.ndarray
    td_r: np.ndarray
    td_v: np.ndarray
    td_mass: np.ndarray
    exhausted_et: np.ndarray


def _initial_runs(scn: Scenario, r0: np.ndarray, v0: np.ndarray, et0: float, n: int,
                  rng: np.random.Generator, dispersed: bool):
    """(State at the start epoch ``et0`` from the nominal start (r0, v0), per-run initial
    altitude-estimate error, rangefinder-noise scale, per-run (downrange, crossrange)
    knowledge errors (n, 2), m)."""
    r, v = np.tile(r0, (n, 1)), np.tile(v0, (n, 1))
    d = scn.dispersions
    thrust_f, isp_f, noise_f = np.ones(n), np.ones(n), np.ones(n)
    alt_err0 = np.full(n, scn.navigation.alt_error_m)
    horiz = np.zeros((n, 2))
    if dispersed and n > 0:
        r = r + rng.standard_normal((n, 3)) * d.position_m
        v = v + rng.standard_normal((n, 3)) * d.velocity_mps
        thrust_f = 1.0 + rng.standard_normal(n) * d.thrust_frac
        isp_f = 1.0 + rng.standard_normal(n) * d.isp_frac
        alt_err0 = alt_err0 + rng.standard_normal(n) * d.alt_error_m
        noise_f = np.abs(1.0 + rng.standard_normal(n) * d.lrf_noise_frac)
        # the lander steers to the site from what it believes its horizontal position is: without
        # this the guidance, knowing it exactly, nulls any cross-range error (a ~1 m wide ellipse)
        horiz = rng.standard_normal((n, 2)) * d.nav_horizontal_sigma_m
    st = State.start(et0, r, v, scn.vehicle.wet_mass_kg, thrust_f, isp_f)
    return st, alt_err0, noise_f, horiz


def _gates(scn: Scenario, plan: Plan):
    """Inertial (r, v) of the high gate and of the low gate (None without an approach phase)."""
    if scn.guidance is None:  # only orbits: no gates
        return (np.zeros(3), np.zeros(3)), None
    bp, ap = scn.guidance.braking, scn.guidance.approach
    high = plan.gate(bp.gate_uprange_m, bp.gate_alt_m, bp.gate_horizontal_speed_mps,
                     bp.gate_vertical_speed_mps, plan.et_hg)
    low = None if ap is None else plan.gate(ap.gate_uprange_m, ap.gate_alt_m, ap.gate_horizontal_speed_mps,
                                            ap.gate_vertical_speed_mps, plan.et_lg)
    return high, low


class _Flight:
    """Phase sequencing and events of ``n`` runs; every step is :func:`lunarviz.physics.step.advance`."""

    def __init__(self, scn: Scenario, n: int, rng: np.random.Generator, record: bool, dispersed: bool):
        self.scn, self.n = scn, n
        self.plan = plan = make_plan(scn)
        r0, v0 = initial_state(scn, plan)
        _check_above_terrain(scn, plan, r0)
        self.st, self.alt_err0, noise_f, self.horiz_err0 = _initial_runs(scn, r0, v0, plan.et0, n, rng, dispersed)
        if dispersed:
            _check_dispersed_starts(scn, plan, self.st.r)
        h = np.cross(r0, v0)
        self.n0 = h / np.linalg.norm(h)
        nav = scn.navigation
        self.rf = Rangefinder(scn.lrf, plan.grid, plan.r_site_ref, nav.filter_alt_gain_per_s,
                              nav.filter_vel_gain_per_s2, noise_f, rng)
        self.p = S.params(scn, plan, _gates(scn, plan), self.rf.reach_m())
        self.rec = Record() if record else None
        self.events: list[tuple[str, float, np.ndarray, np.ndarray]] = []
        self.td_et = np.full(n, np.nan)
        self.td_r = np.full((n, 3), np.nan)
        self.td_v = np.full((n, 3), np.nan)
        self.td_m = np.full(n, np.nan)
        self.h_cache_unit = np.full((n, 3), np.nan)
        self.h_cache_r = np.full(n, np.nan)
        self.seen = {"mode": -1, "window": True, "exhausted": False}

    # ------------------------------------------------------------------ helpers
    def event(self, name: str, et: float, r: np.ndarray | None = None, v: np.ndarray | None = None):
        if r is None:
            r, v = self.st.r[0], self.st.v[0]
        self.events.append((name, float(et), np.array(r, float), np.array(v, float)))

    def store(self, phase: int, t: float | None = None):
        if self.rec is not None:
            self.rec.append(self.st, phase, t)

    def _advance(self, h: float, k_max: int, **kw) -> int:
        status = advance(self.st, self.p, h, k_max, self.rec, self.rf.state.rejected, **kw)
        self._check_finite()
        return status

    def _check_finite(self) -> None:
        """A non-finite state (position, velocity, mass) ends the flight with an error naming the phase
        and the time."""
        st = self.st
        live = ~st.done
        ok = np.isfinite(st.r[live]).all() and np.isfinite(st.v[live]).all() and np.isfinite(st.m[live]).all()
        if ok and math.isfinite(st.t):
            return
        bad = int(np.nonzero(live & ~(np.isfinite(st.r).all(1) & np.isfinite(st.v).all(1)
                                      & np.isfinite(st.m)))[0][0]) if not ok else 0
        when = f"ET {st.t:.3f} s"
        if math.isfinite(st.t):
            with contextlib.suppress(LunarvizError):
                when = f"{frames.et_to_utc(st.t)} UTC ({st.t - self.plan.et0:.1f} s after the start)"
        run = f" (run {bad})" if self.n > 1 else ""
        raise ScenarioError(f"{self.scn.path}: the flight{run} became non-finite in phase "
                            f"{PHASES[int(st.mode[bad])]} at {when}; expected finite position, velocity and mass "
                            "(check [vehicle], [start] and [sim])")

    def start_nav_errors(self):
        nav, st = self.scn.navigation, self.st
        dr, dv = initial_errors(st.r, st.v, self.plan.w, self.alt_err0, nav.vz_error_mps,
                                nav.downrange_error_m + self.horiz_err0[:, 0],
                                nav.crossrange_error_m + self.horiz_err0[:, 1])
        st.dr += dr
        st.dv += dv
        self.p[S.NAV_ON] = 1.0

    # ------------------------------------------------------------------ phases
    def coast_to(self, et_end: float, phase: int):
        st = self.st
        span = et_end - st.t
        if span <= 0:
            return
        k = max(1, int(math.ceil(span / self.scn.sim.coast_step_s - 1e-9)))
        st.throttle[:] = 0.0
        st.mode[:] = phase
        first = self.rec.count if self.rec is not None else 0
        below_at = st.t if self._advance(span / k, k) == SURFACE else self._coast_under_terrain(first)
        if below_at is not None:
            raise ScenarioError(
                f"{self.scn.path}: the coast before powered descent reaches the surface at "
                f"ET {below_at:.0f} s; expected a [start] orbit or state that stays above it")

    def _coast_under_terrain(self, first: int) -> float | None:
        """The first time run 0's coast samples from ``first`` on (or any run's state at the end of
        the coast) lie under the terrain (the step itself only asks the sphere); None if none do."""
        plan, st = self.plan, self.st
        live = st.r[~st.done]
        t = np.concatenate([self.rec.t[first:self.rec.count] if self.rec is not None else [], np.full(len(live), st.t)])
        r = np.concatenate([self.rec.r[first:self.rec.count] if self.rec is not None else np.zeros((0, 3)), live])
        near = np.nonzero(np.sqrt(dot_rows(r, r)) - MOON_RADIUS_M < self.p[S.HMAX] + 1.0)[0]
        for k in near.tolist():
            if float(plan.terrain.surface_altitude_m(plan.in_to_me(r[k], float(t[k])))) < 0.0:
                return float(t[k])
        return None

    def deorbit(self):
        st, dt = self.st, self.scn.sim.powered_step_s
        self.event("deorbit", st.t)
        st.mode[:] = P_DEORBIT
        for _ in range(100):
            status = self._advance(dt, 2000, stop_change=True, until_gone=P_DEORBIT, mode_seen=int(st.mode[0]))
            if st.mode[0] == P_DCOAST and self.seen["mode"] != P_DCOAST:
                self.seen["mode"] = P_DCOAST
                self.event("deorbit_end", st.burn_end_et[0])
            if status != EVENT and status != CHANGE and status != 0:
                break
        st.throttle[:] = 0.0

    def powered(self):
        plan, st, dt = self.plan, self.st, self.scn.sim.powered_step_s
        t_end = max(plan.et_td, plan.et_hg, plan.et_lg or 0.0) + MAX_AFTER_PLANNED_S
        self.event("powered_descent", st.t)
        st.mode[~st.done] = P_BRAKING
        self.seen.update(mode=P_BRAKING, window=True)
        while not st.done.all() and st.t < t_end:
            t0 = st.t
            k_far = int((t_end - t0) / dt) + 2
            status = self._advance(dt, k_far, t_end=t_end, stop_change=True, stop_near=True,
                                   mode_seen=self.seen["mode"], window_seen=self.seen["window"])
            self._announce(st.t if status == CHANGE else t0)
            if status == NEAR:
                self._near_step(dt, t_end)
            elif status == END:
                break

    def _announce(self, t: float) -> None:
        """Events of run 0 (phase, inertial-unit window, propellant) not announced yet; ``t``:
        the start of the step in which the phase or the window changed."""
        st, seen = self.st, self.seen
        if st.done[0]:
            return
        mode = int(st.mode[0])
        if mode != seen["mode"]:
            if seen["mode"] < P_APPROACH <= mode:
                self.event("pitch_up", t)
            if seen["mode"] < P_TERMINAL <= mode:
                self.event("terminal", t)
            seen["mode"] = mode
        window = bool(engine_enabled(t, self.p[S.IMU_ON], self.p[S.IMU_OFF]))
        if window != seen["window"]:
            self.event("engine_restart" if window else "imu_reset", t)
            seen["window"] = window
        if st.exhausted[0] and not seen["exhausted"]:
            seen["exhausted"] = True
            self.event("propellant_exhausted", st.exh_et[0])

    def _near_step(self, dt: float, t_end: float) -> None:
        """One step close to the terrain or in the rangefinder's reach: rangefinder first,
        then the step, then the touchdown test on the truth."""
        st, t0 = self.st, self.st.t
        st.lrf_valid[:] = False
        gate = self.p[S.LRF_GATE]
        if gate > 0:
            rn = np.sqrt(dot_rows(st.r, st.r))
            cand = ~st.done & ~self.rf.state.rejected & (rn - MOON_RADIUS_M - self.p[S.HMIN] < gate)
            if np.any(cand):
                for name in self.rf.update(cand, t0, dt, st.r, st.b, st.dr, st.dv, st.lrf_valid,
                                           lambda x: self.plan.in_to_me(x, t0)):
                    self.event(name, t0)
        r0, v0, m0 = st.r.copy(), st.v.copy(), st.m.copy()
        active = ~st.done
        if self._advance(dt, 1, t_end=t_end) == END:
            return
        self._announce(t0)
        self._touchdown_test(active, t0, dt, r0, v0, m0)

    # ------------------------------------------------------------------ touchdown
    def _touchdown_test(self, active, t, dt, r0, v0, m0):
        plan, st = self.plan, self.st
        r1 = st.r
        rn1 = np.sqrt(dot_rows(r1, r1))
        near = active & (rn1 - MOON_RADIUS_M < self.p[S.HMAX] + 1.0)
        if not np.any(near):
            return
        idx = np.nonzero(near)[0]
        p_me = plan.in_to_me(r1[idx], t + dt)
        if plan.grid is not plan.terrain:  # cheap grid pre-check (its highest nodes), exact terrain near contact
            close = plan.grid.surface_altitude_m(p_me, highest=True) < TOUCHDOWN_PRECHECK_M
            idx, p_me = idx[close], p_me[close]
        alt1 = self._exact_altitude(idx, p_me) if idx.size else np.zeros(0)
        hit, hi = idx[alt1 <= 0.0], np.ones(int(np.count_nonzero(alt1 <= 0.0)))
        idx_in, u_in = self._inside_step(idx[alt1 > 0.0], t, dt, r0, v0)
        if idx_in.size:  # crossed a feature narrower than the step: contact at its first crossing
            hit, hi = np.concatenate([idx_in, hit]), np.concatenate([u_in, hi])
            order = np.argsort(hit)
            hit, hi = hit[order], hi[order]
        if hit.size:
            self._touchdown(hit, t, dt, r0, v0, m0, hi)

    def _inside_step(self, idx: np.ndarray, t: float, dt: float, r0, v0) -> tuple[np.ndarray, np.ndarray]:
        """The runs ``idx`` (above the terrain at both ends of the step) that are below it at an
        intermediate point of the step (every :data:`CONTACT_SUBSTEP_M` of the path), and the
        fraction of the step at the first such point."""
        if not idx.size:
            return idx, np.zeros(0)
        step_m = np.sqrt(dot_rows(self.st.r[idx] - r0[idx], self.st.r[idx] - r0[idx]))
        k = int(min(MAX_CONTACT_SUBSTEPS, math.ceil(float(step_m.max()) / CONTACT_SUBSTEP_M) - 1))
        if k < 1:
            return idx[:0], np.zeros(0)
        u = np.arange(1, k + 1) / (k + 1)
        pos, _ = self._hermite(idx, dt, r0, v0, np.repeat(u, idx.size), np.tile(np.arange(idx.size), k))
        p_me = self.plan.in_to_me(pos, t + 0.5 * dt)
        below = (np.asarray(self.plan.terrain.surface_altitude_m(p_me)) <= 0.0).reshape(k, idx.size)
        first = np.argmax(below, axis=0)
        hit = below.any(axis=0)
        return idx[hit], u[first[hit]]

    def _hermite(self, idx, dt, r0, v0, u, rows=None):
        """Position and velocity at fractions ``u`` of the step on its cubic Hermite interpolant (runs
        ``idx``; ``rows``: which of them each ``u`` belongs to)."""
        st = self.st
        p0, q0, p1, q1 = r0[idx], v0[idx], st.r[idx], st.v[idx]
        if rows is not None:
            p0, q0, p1, q1 = p0[rows], q0[rows], p1[rows], q1[rows]
        u = u[:, None]
        u2, u3 = u * u, u * u * u
        pos = (2 * u3 - 3 * u2 + 1) * p0 + (u3 - 2 * u2 + u) * dt * q0 + (-2 * u3 + 3 * u2) * p1 \
            + (u3 - u2) * dt * q1
        vel = ((6 * u2 - 6 * u) * p0 + (-6 * u2 + 6 * u) * p1) / dt + (3 * u2 - 4 * u + 1) * q0 \
            + (3 * u2 - 2 * u) * q1
        return pos, vel

    def _exact_altitude(self, idx: np.ndarray, p_me: np.ndarray) -> np.ndarray:
        """Altitude above the exact terrain; the height under a run is re-evaluated only after it
        moved far enough horizontally for the ground to change by :data:`HEIGHT_CACHE_M` on the
        terrain's steepest slope (a hovering lander costs nothing)."""
        rn = np.sqrt(dot_rows(p_me, p_me))
        unit = p_me / rn[:, None]
        moved = np.sqrt(dot_rows(unit - self.h_cache_unit[idx], unit - self.h_cache_unit[idx])) * MOON_RADIUS_M
        stale = ~(moved < HEIGHT_CACHE_M / self.plan.terrain.max_slope)
        if np.any(stale):
            j = idx[stale]
            h = rn[stale] - self.plan.terrain.surface_altitude_m(p_me[stale])  # = R + height
            self.h_cache_unit[j] = unit[stale]
            self.h_cache_r[j] = h
        return rn - self.h_cache_r[idx]

    def _touchdown(self, hit, t, dt, r0, v0, m0, hi):
        """Refine the contact by bisection on the step's cubic Hermite interpolant, between the step's
        start and ``hi`` (a fraction of the step below the terrain); hold the touchdown state of the
        runs ``hit``."""
        plan, terrain, st = self.plan, self.plan.terrain, self.st
        lo = np.zeros(hit.size)

        def herm(u):
            return self._hermite(hit, dt, r0, v0, u)

        for _ in range(30):
            mid = 0.5 * (lo + hi)
            pos, _ = herm(mid)
            below = terrain.surface_altitude_m(plan.in_to_me(pos, t + float(np.mean(mid)) * dt)) <= 0.0
            hi = np.where(below, mid, hi)
            lo = np.where(below, lo, mid)
        pos, vel = herm(hi)
        self.td_et[hit] = t + hi * dt
        self.td_r[hit], self.td_v[hit] = pos, vel
        self.td_m[hit] = m0[hit] + (st.m[hit] - m0[hit]) * hi
        st.done[hit] = True
        st.r[hit], st.v[hit], st.m[hit] = pos, vel, self.td_m[hit]
        if hit[0] == 0:
            self.event("touchdown", self.td_et[0], pos[0], vel[0])
            if self.rec is not None:  # the step's sample is replaced by the touchdown
                self.rec.count -= 1
                last = self.rec.ph[self.rec.count - 1]
                ph = P_FREEFALL if (st.exhausted[0] or st.throttle[0] == 0) else int(last)
                self.store(ph, float(self.td_et[0]))


def _engine_out_event(sim: _Flight, samples: dict) -> None:
    """``engine_out``: the first powered sample of run 0 below ``[faults.engine_out] below_alt_m``."""
    eo = sim.scn.engine_out
    if eo is None:
        return
    alt = np.linalg.norm(samples["r"], axis=1) - sim.plan.r_site_ref
    hit = np.nonzero((samples["ph"] >= P_BRAKING) & (samples["ph"] != P_SURFACE) & (alt < eo.below_alt_m))[0]
    if hit.size:
        k = int(hit[0])
        sim.event("engine_out", float(samples["t"][k]), samples["r"][k], samples["v"][k])


def simulate(scn: Scenario, n: int = 1, seed: int = 0, *, record: bool = True,
             dispersed: bool = False) -> RunResult:
    """Fly ``n`` runs of ``scn`` together; record samples of run 0 when ``record``."""
    rng = np.random.default_rng(seed)
    sim = _Flight(scn, n, rng, record, dispersed)
    plan = sim.plan
    if plan.et_pdi - plan.et0 > MAX_COAST_S:
        raise ScenarioError(
            f"{scn.path}: [start] epoch_utc is {(plan.et_pdi - plan.et0) / 86400:.1f} days before the "
            f"powered descent; expected at most {MAX_COAST_S / 86400:.0f} days")
    sim.event("start", sim.st.t)
    sim.store(P_ORBIT)
    if scn.navigation.start == "start":
        sim.start_nav_errors()
    if plan.et_do is not None:
        if plan.et_do < plan.et0:
            raise ScenarioError(f"{scn.path}: [guidance.deorbit] start_utc is before [start] epoch_utc")
        sim.coast_to(plan.et_do, P_ORBIT)
        sim.deorbit()
        coast_phase = P_DCOAST
    else:
        coast_phase = P_ORBIT
    if sim.st.t > plan.et_pdi:
        raise ScenarioError(f"{scn.path}: [guidance.braking] start_utc comes before the deorbit burn "
                            "has ended; expected a later powered-descent start")
    sim.coast_to(plan.et_pdi, coast_phase)
    if scn.guidance is not None:
        if scn.navigation.start == "powered_descent":
            sim.start_nav_errors()
        sim.powered()
    samples = None
    if record:
        samples = sim.rec.arrays()
        samples["n0"] = sim.n0
        _engine_out_event(sim, samples)
    return RunResult(plan=plan, n=n, samples=samples, events=sim.events, td_et=sim.td_et,
                     td_r=sim.td_r, td_v=sim.td_v, td_mass=sim.td_m, exhausted_et=sim.st.exh_et)


# ---------------------------------------------------------------------- output
def _quat_from_axes(z: np.ndarray, x_ref: np.ndarray) -> np.ndarray:
    """(N,4) quaternions (w,x,y,z) of frames with body +Z = z and +X towards x_ref."""
    z = unit_rows(z)
    x = x_ref - dot_rows(x_ref, z)[:, None] * z
    xn = np.linalg.norm(x, axis=1)
    fallback = np.cross(z, np.array([0.0, 0.0, 1.0]))
    x = np.where((xn > 1e-9)[:, None], x, fallback)
    x = unit_rows(x)
    y = np.cross(z, x)
    m = np.stack([x, y, z], axis=2)  # columns
    tr = m[:, 0, 0] + m[:, 1, 1] + m[:, 2, 2]
    w = 0.5 * np.sqrt(np.maximum(0.0, 1 + tr))
    qx = 0.5 * np.sqrt(np.maximum(0.0, 1 + m[:, 0, 0] - m[:, 1, 1] - m[:, 2, 2]))
    qy = 0.5 * np.sqrt(np.maximum(0.0, 1 - m[:, 0, 0] + m[:, 1, 1] - m[:, 2, 2]))
    qz = 0.5 * np.sqrt(np.maximum(0.0, 1 - m[:, 0, 0] - m[:, 1, 1] + m[:, 2, 2]))
    qx = np.copysign(qx, m[:, 2, 1] - m[:, 1, 2])
    qy = np.copysign(qy, m[:, 0, 2] - m[:, 2, 0])
    qz = np.copysign(qz, m[:, 1, 0] - m[:, 0, 1])
    q = np.stack([w, qx, qy, qz], axis=1)
    return q / np.linalg.norm(q, axis=1, keepdims=True)


def _hermite_positions(t_s: np.ndarray, pos: np.ndarray, vel: np.ndarray, et: np.ndarray) -> np.ndarray:
    et = np.clip(np.asarray(et, float), t_s[0], t_s[-1])
    i = np.clip(np.searchsorted(t_s, et, side="right") - 1, 0, len(t_s) - 2)
    dt = t_s[i + 1] - t_s[i]
    u = ((et - t_s[i]) / dt)[:, None]
    u2, u3 = u * u, u * u * u
    return ((2 * u3 - 3 * u2 + 1) * pos[i] + (u3 - 2 * u2 + u) * dt[:, None] * vel[i]
            + (-2 * u3 + 3 * u2) * pos[i + 1] + (u3 - u2) * dt[:, None] * vel[i + 1])


#: spacing of the SPICE J2000 -> MOON_ME rotations that the samples' rotations are interpolated from, s
ROT_NODE_SPACING_S = 20.0


def _rot_and_rate_dense(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """R(t) J2000 -> MOON_ME and dR/dt at many sorted epochs (a 10 Hz powered descent).

    SPICE is asked at nodes every :data:`ROT_NODE_SPACING_S` (R and its rate,
    :func:`frames.rot_and_rate`), and each matrix element is a cubic Hermite
    interpolant of those: the Moon's orientation changes on time scales of
    hours to weeks (rotation 27.3 d, librations), so the interpolation error
    ~ (w dt)^4 / 384 is far below double precision. What remains is SPICE's own
    round-off on the accumulated rotation angle (~1e-12): the matrices agree
    with SPICE's to < 1e-11 at every sample (< 0.1 mm at the Moon's surface;
    tested), for ~1/30 of the SPICE calls.
    """
    t = np.asarray(t, float)
    if t.size < 64:
        return frames.rot_and_rate(t)
    k = max(1, int(math.ceil((t[-1] - t[0]) / ROT_NODE_SPACING_S)))
    nodes = t[0] + (t[-1] - t[0]) * np.arange(k + 1) / k
    nodes[-1] = t[-1]
    rn, rdn = frames.rot_and_rate(nodes)
    i = np.clip(np.searchsorted(nodes, t, side="right") - 1, 0, k - 1)
    h = (nodes[i + 1] - nodes[i])[:, None, None]
    u = (t - nodes[i])[:, None, None] / h
    u2, u3 = u * u, u * u * u
    p0, p1, d0, d1 = rn[i], rn[i + 1], rdn[i] * h, rdn[i + 1] * h
    rot = (2 * u3 - 3 * u2 + 1) * p0 + (u3 - 2 * u2 + u) * d0 + (-2 * u3 + 3 * u2) * p1 + (u3 - u2) * d1
    rdot = ((6 * u2 - 6 * u) * p0 + (3 * u2 - 4 * u + 1) * d0 + (-6 * u2 + 6 * u) * p1
            + (3 * u2 - 2 * u) * d1) / h
    return rot, rdot


def to_trajectory(scn: Scenario, res: RunResult) -> Trajectory:
    plan, s = res.plan, res.samples
    t = s["t"]
    # drop (near-)duplicate times (e.g. a touchdown on a step boundary)
    keep = np.concatenate([[True], np.diff(t) > 1e-6])
    s = {k: (v[keep] if k != "n0" and isinstance(v, np.ndarray) and v.ndim >= 1 and len(v) == len(keep) else v)
         for k, v in s.items()}
    t = s["t"]
    rot, rdot = _rot_and_rate_dense(t)
    pos = np.einsum("nij,nj->ni", rot, s["r"])
    vel = np.einsum("nij,nj->ni", rot, s["v"]) + np.einsum("nij,nj->ni", rdot, s["r"])
    z_me = np.einsum("nij,nj->ni", rot, s["b"])
    # body +X: perpendicular to the thrust axis, in the plane of the initial orbit
    x_ref = np.cross(np.einsum("nij,j->ni", rot, s["n0"]), z_me)
    quat = _quat_from_axes(z_me, x_ref)
    est = s["r"] + s["dr"]
    est_alt = np.linalg.norm(est, axis=1) - (MOON_RADIUS_M + plan.h_site)
    alt = np.asarray(plan.terrain.surface_altitude_m(pos), float)
    mass, thr, ph, lrf = s["m"], s["thr"], s["ph"], s["lrf"]
    events = []
    for name, et, r_in, v_in in res.events:
        ro, rd = frames.rot_and_rate(et)
        p = ro @ r_in
        v = ro @ v_in + rd @ r_in
        a = float(np.asarray(plan.terrain.surface_altitude_m(p[None, :])).reshape(-1)[0])
        events.append(Event(name=name, et_s=et, pos_m=p, vel_mps=v, alt_m=max(a, 0.0) if name == "touchdown" else a))
    # Earthrise / Earthset from orbit, along the coast before powered descent
    try:
        from .. import ephemeris

        coast_end = plan.et_pdi
        if coast_end - t[0] > 60.0:
            def fn(et):
                return _hermite_positions(t, pos, vel, et)

            for name, et in ephemeris.find_earth_rise_set(fn, float(t[0]), float(min(coast_end, t[-1])),
                                                           step_s=30.0):
                p = fn(np.array([et]))[0]
                j = int(np.clip(np.searchsorted(t, et), 1, len(t) - 1))
                v = vel[j - 1] + (vel[j] - vel[j - 1]) * (et - t[j - 1]) / (t[j] - t[j - 1])
                a = float(np.linalg.norm(p) - MOON_RADIUS_M)
                events.append(Event(name=name, et_s=float(et), pos_m=p, vel_mps=v, alt_m=a))
    except ImportError:  # pragma: no cover
        pass
    # rest on the surface after touchdown
    if np.isfinite(res.td_et[0]) and scn.sim.max_after_touchdown_s > 0:
        extra = np.concatenate([[0.05], np.arange(1.0, scn.sim.max_after_touchdown_s + 0.5, 1.0)])
        k = extra.size
        t_td = t[-1]
        t = np.concatenate([t, t_td + extra])
        pos = np.concatenate([pos, np.repeat(pos[-1:], k, 0)])
        vel = np.concatenate([vel, np.zeros((k, 3))])
        quat = np.concatenate([quat, np.repeat(quat[-1:], k, 0)])
        mass = np.concatenate([mass, np.repeat(mass[-1:], k)])
        thr = np.concatenate([thr, np.zeros(k)])
        ph = np.concatenate([ph, np.full(k, P_SURFACE)])
        alt = np.concatenate([alt, np.zeros(k)])
        est_alt = np.concatenate([est_alt, np.repeat(est_alt[-1:], k)])
        lrf = np.concatenate([lrf, np.zeros(k, bool)])
    alt = np.where(ph == P_SURFACE, 0.0, alt)
    return Trajectory(
        et_s=t, pos_m=pos, vel_mps=vel, quat_wxyz=quat, mass_kg=mass, throttle=thr, phase=ph,
        phase_names=PHASES, alt_m=alt, est_alt_m=est_alt, lrf_valid=lrf, events=tuple(events),
        dry_mass_kg=scn.vehicle.dry_mass_kg, planned_touchdown_et_s=plan.et_td, scenario=scn,
        terrain=plan.terrain,
    )


def fly(scenario: Scenario, seed: int = 0) -> Trajectory:
    """Fly the scenario's nominal run (no dispersions) and return its Trajectory (MOON_ME)."""
    res = simulate(scenario, 1, seed, record=True, dispersed=False)
    return to_trajectory(scenario, res)
