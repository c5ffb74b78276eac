"""Fly a scenario: coast, deorbit, descent coast, powered descent, touchdown.

:func:`simulate` integrates ``n`` runs at once (arrays of shape ``(n, 3)``)
in the Moon-centred J2000 frame with a fixed-step RK4 (``[sim]
coast_step_s`` in coasts, ``powered_step_s`` in powered flight). Guidance
acts on the navigation estimate; the truth only decides where the lander
really is, what the rangefinder sees and when it touches the terrain.
:func:`fly` flies the nominal run (no dispersions; ``seed`` drives sensor
noise) and returns a :class:`lunarviz.trajectory.Trajectory` in ``MOON_ME``.

Events inside a step are refined: propellant exhaustion exactly (mass is
linear in time within a step), touchdown by bisection on the cubic Hermite
interpolant of the step (position and velocity at both ends).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import ScenarioError
from ..scenario import Scenario
from ..geometry import MOON_RADIUS_M, enu_basis
from ..terrain import SphereTerrain, make_terrain
from ..trajectory import Event, Trajectory
from . import frames
from .dynamics import G0_MPS2, _rk4_one, cross3, gravity, kepler_state, rk4_step, rodrigues, slew
from .guidance import e_guidance, terminal
from .navigation import GridTerrain, LrfState, slant_range

PHASES = ("orbit", "deorbit", "descent_coast", "braking", "approach", "terminal", "freefall", "surface")
(P_ORBIT, P_DEORBIT, P_DCOAST, P_BRAKING, P_APPROACH, P_TERMINAL, P_FREEFALL, P_SURFACE) = range(8)

#: longest coast from the start epoch to powered descent, s
MAX_COAST_S = 3 * 86400.0
#: how long after the planned touchdown a flight is followed before giving up, s
MAX_AFTER_PLANNED_S = 1800.0
#: below this grid-terrain altitude the exact terrain is asked about contact, m
TOUCHDOWN_PRECHECK_M = 60.0
#: grid spacing of the rangefinder's terrain lookup, m
LRF_GRID_SPACING_M = 100.0
#: the rangefinder jump test compares with a reference measurement renewed this often, s
JUMP_WINDOW_S = 2.0
#: innovation clip for the velocity channel of the LRF filter, m
VEL_INNOVATION_CLIP_M = 30.0


def terrains_for(scn: Scenario) -> tuple[Any, Any]:
    """(terrain, the rangefinder's coarse lookup grid of it): the scenario's one cached terrain.

    The grid fills its tiles lazily, so a fresh one per flight costs nothing measurable
    (Resilience: 0.30 s warm either way) and needs no cache of its own.
    """
    terrain = make_terrain_for(scn)
    grid = terrain if isinstance(terrain, SphereTerrain) else GridTerrain(terrain, LRF_GRID_SPACING_M)
    return terrain, grid


def make_terrain_for(scn: Scenario):
    """The scenario's terrain: :func:`lunarviz.terrain.make_terrain` of its ``[terrain]`` config (cached there)."""
    return make_terrain(scn.terrain)


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


def make_plan(scn: Scenario) -> Plan:
    gm = frames.moon_gm_m3s2()
    u2e = frames.utc_to_et
    g = scn.guidance
    et_pdi = u2e(g.braking.start_utc)
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
        et_do=u2e(g.deorbit.start_utc) if g.deorbit else None, et_pdi=et_pdi,
        et_hg=u2e(g.braking.end_utc), et_lg=u2e(g.approach.end_utc) if g.approach else None,
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


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.sqrt(np.einsum("ij,ij->i", x, x))[:, None]


def _dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.einsum("ij,ij->i", a, b)


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


class _FastCtx:
    """Constants of the single-run fast path of the powered loop, as Python floats."""

    def __init__(self, sim: "_Sim", t_end: float, dt: float, hg_r, hg_v, lg_r, lg_v, isp_main: float,
                 lrf_gate: float, hmin_terrain: float, hmax_terrain: float):
        plan, g = sim.plan, sim.scn.guidance
        self.t_end, self.dt, self.isp_main = t_end, dt, isp_main
        self.targets = {P_BRAKING: (hg_r, hg_v, hg_r.tolist(), hg_v.tolist(), plan.et_hg)}
        if lg_r is not None:
            self.targets[P_APPROACH] = (lg_r, lg_v, lg_r.tolist(), lg_v.tolist(), plan.et_lg)
        self.et_hg = plan.et_hg
        self.et_lg = plan.et_lg if g.approach is not None else None
        self.lg_alt = g.approach.gate_alt_m if g.approach is not None else None
        self.imu = (plan.imu_on - 2 * dt, plan.imu_off + 2 * dt) if plan.imu_on is not None else None
        self.lrf_gate, self.hmin, self.hmax = lrf_gate, hmin_terrain, hmax_terrain


class _Sim:
    def __init__(self, scn: Scenario, n: int, rng: np.random.Generator, record: bool,
                 dispersed: bool):
        self.scn, self.n, self.rng, self.record = scn, n, rng, record
        self.plan = plan = make_plan(scn)
        veh = scn.vehicle
        r0, v0 = initial_state(scn, plan)
        self.r = np.tile(r0, (n, 1))
        self.v = np.tile(v0, (n, 1))
        d = scn.dispersions
        self.thrust_f = np.ones(n)
        self.isp_f = np.ones(n)
        self.noise_f = np.ones(n)
        self.alt_err0 = np.full(n, scn.navigation.alt_error_m)
        if dispersed and n > 0:
            self.r = self.r + rng.standard_normal((n, 3)) * d.position_m
            self.v = self.v + rng.standard_normal((n, 3)) * d.velocity_mps
            self.thrust_f = 1.0 + rng.standard_normal(n) * d.thrust_frac
            self.isp_f = 1.0 + rng.standard_normal(n) * d.isp_frac
            self.alt_err0 = self.alt_err0 + rng.standard_normal(n) * d.alt_error_m
            self.noise_f = np.abs(1.0 + rng.standard_normal(n) * d.lrf_noise_frac)
        self.m = np.full(n, veh.wet_mass_kg)
        self.dry = veh.dry_mass_kg
        self.b = _unit(-self.v)  # thrust axis starts retrograde
        h = np.cross(r0, v0)
        self.n0 = h / np.linalg.norm(h)
        self.dr = np.zeros((n, 3))
        self.dv = np.zeros((n, 3))
        self.nav_bias_on = False
        self.done = np.zeros(n, bool)
        self.exhausted = np.zeros(n, bool)
        self.exh_et = np.full(n, np.nan)
        self.td_et = np.full(n, np.nan)
        self.td_r = np.full((n, 3), np.nan)
        self.td_v = np.full((n, 3), np.nan)
        self.td_m = np.full(n, np.nan)
        self.lrf = LrfState(n)
        self.lrf_valid_now = np.zeros(n, bool)
        self.throttle = np.zeros(n)
        self.events: list[tuple[str, float, np.ndarray, np.ndarray]] = []
        self.rec: dict[str, list] = {k: [] for k in ("t", "r", "v", "m", "b", "thr", "ph", "dr", "lrf")}
        self.t = plan.et0
        self.main_max = veh.main_thrust_n
        self.slew_rad_s = math.radians(veh.slew_rate_deg_s)
        lrf = scn.lrf
        self.cos_max_off = math.cos(math.radians(lrf.max_off_nadir_deg))
        self.r_site_ref = MOON_RADIUS_M + plan.h_site
        self.lrf_terrain = plan.grid
        self.h_cache_unit = np.full((n, 3), np.nan)
        self.h_cache_r = np.full(n, np.nan)

    # ------------------------------------------------------------------ helpers
    def event(self, name: str, et: float, r: np.ndarray | None = None, v: np.ndarray | None = None):
        if r is None:
            r, v = self.r[0].copy(), self.v[0].copy()
        self.events.append((name, float(et), np.array(r, float), np.array(v, float)))

    def store(self, phase: np.ndarray | int):
        if not self.record:
            return
        rec = self.rec
        rec["t"].append(self.t)
        rec["r"].append(self.r[0].copy())
        rec["v"].append(self.v[0].copy())
        rec["m"].append(float(self.m[0]))
        rec["b"].append(self.b[0].copy())
        rec["thr"].append(float(self.throttle[0]))
        rec["ph"].append(int(phase if np.ndim(phase) == 0 else phase[0]))
        rec["dr"].append(self.dr[0].copy())
        rec["lrf"].append(bool(self.lrf_valid_now[0]))

    # ------------------------------------------------------------------ coast
    def coast_to(self, et_end: float, phase: int):
        step = self.scn.sim.coast_step_s
        span = et_end - self.t
        if span <= 0:
            return
        k = max(1, int(math.ceil(span / step - 1e-9)))
        h = span / k
        self.throttle[:] = 0.0
        if self.n == 1:
            self._coast_one(k, h, phase)
            return
        for _ in range(k):
            self.b = slew(self.b, _unit(-(self.v + self.dv)), self.slew_rad_s * h)
            self.r, self.v = rk4_step(self.r, self.v, self.m, None, None, h, self.plan.gm)
            if _dot(self.r, self.r).min() < MOON_RADIUS_M ** 2:
                raise ScenarioError(
                    f"{self.scn.path}: the coast before powered descent reaches the surface at "
                    f"ET {self.t + h:.0f} s; expected a [start] orbit or state that stays above it")
            self._propagate_nav(h)
            self.t += h
            self.store(phase)

    # ---- single-run paths on Python floats (numpy's per-call overhead dominates on 3-vectors).
    # They repeat the array code operation for operation: a 3-vector dot product is summed as
    # numpy's einsum sums it, (x0*y0 + x2*y2) + x1*y1, so a lone flight is bitwise the same
    # whichever path flies it.
    def _one_state(self):
        return (self.r[0].tolist(), self.v[0].tolist(), self.dr[0].tolist(), self.dv[0].tolist(),
                self.b[0].tolist(), float(self.m[0]))

    def _set_one_state(self, r, v, dr, dv, b, m) -> None:
        self.r = np.array([r], float)
        self.v = np.array([v], float)
        self.dr = np.array([dr], float)
        self.dv = np.array([dv], float)
        self.b = np.array([b], float)
        self.m = np.array([m], float)

    def _nav_one(self, r, dr, dv, h):
        """:meth:`_propagate_nav` for one run on floats; returns (dr, dv)."""
        if self.nav_bias_on:
            bias = self.scn.navigation.accel_bias_up_mps2
            if bias:
                p0, p1, p2 = r[0] + dr[0], r[1] + dr[1], r[2] + dr[2]
                pn = math.sqrt((p0 * p0 + p2 * p2) + p1 * p1)
                bh = bias * h
                dv = [dv[0] + bh * (p0 / pn), dv[1] + bh * (p1 / pn), dv[2] + bh * (p2 / pn)]
            dr = [dr[0] + dv[0] * h, dr[1] + dv[1] * h, dr[2] + dv[2] * h]
        return dr, dv

    def _retro_slew_one(self, b, v, dv, max_ang, cos_max):
        """slew(b, _unit(-(v + dv)), max_ang) for one run on floats."""
        x0, x1, x2 = -(v[0] + dv[0]), -(v[1] + dv[1]), -(v[2] + dv[2])
        xn = math.sqrt((x0 * x0 + x2 * x2) + x1 * x1)
        u0, u1, u2 = x0 / xn, x1 / xn, x2 / xn
        c = min(max((b[0] * u0 + b[2] * u2) + b[1] * u1, -1.0), 1.0)
        if c >= cos_max:
            un = math.sqrt((u0 * u0 + u2 * u2) + u1 * u1)
            return [u0 / un, u1 / un, u2 / un]
        return slew(np.array([b]), np.array([[u0, u1, u2]]), max_ang)[0].tolist()

    def _store_one(self, t, r, v, m, b, thr, phase, dr) -> None:
        if self.record:
            rec = self.rec
            rec["t"].append(t)
            rec["r"].append(r)
            rec["v"].append(v)
            rec["m"].append(m)
            rec["b"].append(b)
            rec["thr"].append(thr)
            rec["ph"].append(phase)
            rec["dr"].append(dr)
            rec["lrf"].append(False)

    def _coast_one(self, k: int, h: float, phase: int) -> None:
        r, v, dr, dv, b, m = self._one_state()
        gm = self.plan.gm
        max_ang = self.slew_rad_s * h
        cos_max = math.cos(max_ang)
        r2min = MOON_RADIUS_M ** 2
        lrf_now = bool(self.lrf_valid_now[0])
        t = self.t
        for _ in range(k):
            b = self._retro_slew_one(b, v, dv, max_ang, cos_max)
            r, v = _rk4_one(r, v, m, 0.0, None, h, gm)
            if (r[0] * r[0] + r[2] * r[2]) + r[1] * r[1] < r2min:
                raise ScenarioError(
                    f"{self.scn.path}: the coast before powered descent reaches the surface at "
                    f"ET {t + h:.0f} s; expected a [start] orbit or state that stays above it")
            dr, dv = self._nav_one(r, dr, dv, h)
            t += h
            if lrf_now:  # (never in a coast; kept for an exact record)
                self.t = t
                self._set_one_state(r, v, dr, dv, b, m)
                self.store(phase)
            else:
                self._store_one(t, r, v, m, b, 0.0, phase, dr)
        self.t = t
        self._set_one_state(r, v, dr, dv, b, m)

    def _deorbit_one(self) -> None:
        plan, veh, dob = self.plan, self.scn.vehicle, self.scn.guidance.deorbit
        dt = self.scn.sim.powered_step_s
        r, v, dr, dv, b, m = self._one_state()
        max_ang = self.slew_rad_s * dt
        cos_max = math.cos(max_ang)
        f_main = dob.throttle * self.main_max * float(self.thrust_f[0])
        isp_g0 = veh.isp_s * float(self.isp_f[0]) * G0_MPS2
        dv_done = 0.0
        t = self.t
        self.lrf_valid_now[0] = False
        for _ in range(200000):
            b = self._retro_slew_one(b, v, dv, max_ang, cos_max)
            acc = f_main / m
            frac = min(max((dob.delta_v_mps - dv_done) / (acc * dt), 0.0), 1.0)
            mdot = f_main / isp_g0 * frac
            fr = f_main * frac
            thr = dob.throttle if frac > 0 else 0.0
            r, v = _rk4_one(r, v, m, mdot, [fr * b[0], fr * b[1], fr * b[2]], dt, plan.gm)
            m = m - mdot * dt
            dv_done += acc * frac * dt
            t += dt
            ended = frac < 1.0
            if ended:
                self.event("deorbit_end", t - dt * (1 - frac), r, v)
            dr, dv = self._nav_one(r, dr, dv, dt)
            self._store_one(t, r, v, m, b, thr, P_DCOAST if ended else P_DEORBIT, dr)
            if ended:
                break
        self.t = t
        self._set_one_state(r, v, dr, dv, b, m)
        self.throttle = np.zeros(1)

    def _propagate_nav(self, h: float):
        if self.nav_bias_on:
            bias = self.scn.navigation.accel_bias_up_mps2
            if bias:
                self.dv = self.dv + bias * h * _unit(self.r + self.dr)
            self.dr = self.dr + self.dv * h

    def start_nav_errors(self):
        nav = self.scn.navigation
        up = _unit(self.r)
        self.dr = self.dr + self.alt_err0[:, None] * up
        if nav.downrange_error_m or nav.crossrange_error_m:
            # horizontal knowledge error in the local frame of the ground track (relative velocity)
            v_rel = self.v - np.cross(self.plan.w, self.r)
            along = _unit(v_rel - _dot(v_rel, up)[:, None] * up)
            right = np.cross(along, up)
            self.dr = self.dr + nav.downrange_error_m * along + nav.crossrange_error_m * right
        self.dv = self.dv + nav.vz_error_mps * up
        self.nav_bias_on = True

    # ------------------------------------------------------------------ deorbit
    def deorbit(self):
        plan, veh, dob = self.plan, self.scn.vehicle, self.scn.guidance.deorbit
        dt = self.scn.sim.powered_step_s
        dv_done = np.zeros(self.n)
        burning = np.ones(self.n, bool)
        self.event("deorbit", self.t)
        if self.n == 1:
            self._deorbit_one()
            return
        guard = 0
        while np.any(burning) and guard < 200000:
            guard += 1
            u = _unit(-(self.v + self.dv))
            self.b = slew(self.b, u, self.slew_rad_s * dt)
            f_main = dob.throttle * self.main_max * self.thrust_f
            acc = f_main / self.m
            frac = np.clip((dob.delta_v_mps - dv_done) / (acc * dt), 0.0, 1.0) * burning
            mdot = f_main / (veh.isp_s * self.isp_f * G0_MPS2) * frac
            force = (f_main * frac)[:, None] * self.b
            self.throttle = dob.throttle * (frac > 0)
            self.r, self.v = rk4_step(self.r, self.v, self.m, mdot, force, dt, plan.gm)
            self.m = self.m - mdot * dt
            dv_done += acc * frac * dt
            ended = burning & (frac < 1.0)
            self.t += dt
            if ended[0] and burning[0]:
                self.event("deorbit_end", self.t - dt * (1 - frac[0]))
            burning &= ~ended
            self._propagate_nav(dt)
            self.store(np.where(burning, P_DEORBIT, P_DCOAST))
        self.throttle[:] = 0.0

    # ------------------------------------------------------------------ powered
    def powered(self):
        scn, plan, veh = self.scn, self.plan, self.scn.vehicle
        g = scn.guidance
        term = g.terminal
        dt = scn.sim.powered_step_s
        lrf = scn.lrf
        terrain = plan.terrain
        gm = plan.gm
        t_end = max(plan.et_td, plan.et_hg, plan.et_lg or 0.0) + MAX_AFTER_PLANNED_S
        bp = g.braking
        hg_r, hg_v = plan.gate(bp.gate_uprange_m, bp.gate_alt_m, bp.gate_horizontal_speed_mps,
                               bp.gate_vertical_speed_mps, plan.et_hg)
        if g.approach is not None:
            ap = g.approach
            lg_r, lg_v = plan.gate(ap.gate_uprange_m, ap.gate_alt_m, ap.gate_horizontal_speed_mps,
                                   ap.gate_vertical_speed_mps, plan.et_lg)
        site_in0 = plan.site_me @ plan.r_ref  # inertial at et_ref
        isp_main = veh.isp_s * self.isp_f * G0_MPS2
        isp_aux = veh.aux_isp_s * G0_MPS2
        hmax_terrain = float(getattr(terrain, "max_height_m", 0.0))
        hmin_terrain = float(getattr(terrain, "min_height_m", 0.0))
        # evaluate the LRF only where it could return a valid range (cheap pre-filter)
        lrf_reach = lrf.max_range_m
        if lrf.fault_valid_below_m is not None:
            lrf_reach = min(lrf_reach, lrf.fault_valid_below_m / max(self.cos_max_off, 1e-3))
        lrf_gate = (lrf_reach + max(hmax_terrain, 0.0) + 50.0) if lrf.enabled else -1.0
        k1 = scn.navigation.filter_alt_gain_per_s
        k2 = scn.navigation.filter_vel_gain_per_s2
        self.event("powered_descent", self.t)
        fired_pitch = fired_term = fired_imu = fired_restart = False
        n = self.n
        ph_arr = np.full(n, P_BRAKING)
        fast = None
        while not np.all(self.done) and self.t < t_end:
            t = self.t
            active = ~self.done
            all_active = not self.done.any()
            # ---------------- phase: time-tagged gates; terminal early when the estimate is below the low gate
            if t < plan.et_hg - 1e-9:
                ph_t = P_BRAKING
            elif g.approach is not None and t < plan.et_lg - 1e-9:
                ph_t = P_APPROACH
            else:
                ph_t = P_TERMINAL
            ph_arr = np.maximum(ph_arr, ph_t)
            if g.approach is not None and ph_t <= P_APPROACH and ph_arr.max() == P_APPROACH:
                # below the low gate: go terminal (no climbing back to it)
                alt_e0 = np.sqrt(_dot(self.r + self.dr, self.r + self.dr)) - self.r_site_ref
                ph_arr = np.where((ph_arr == P_APPROACH) & (alt_e0 < g.approach.gate_alt_m), P_TERMINAL, ph_arr)
            if not fired_pitch and ph_arr[0] >= P_APPROACH:
                fired_pitch = True
                self.event("pitch_up", t)
            if not fired_term and ph_arr[0] >= P_TERMINAL:
                fired_term = True
                self.event("terminal", t)
            # ---------------- fast path: one run, E-guidance, far from the surface and the LRF
            if n == 1 and ph_arr[0] != P_TERMINAL and not self.exhausted[0] and (
                    plan.imu_on is None or not (plan.imu_on - 2 * dt <= t < plan.imu_off + 2 * dt)):
                rr = self.r[0].tolist()
                rn0 = math.sqrt(rr[0] * rr[0] + rr[1] * rr[1] + rr[2] * rr[2])
                alt_sph = rn0 - MOON_RADIUS_M
                vv = self.v[0].tolist()
                reach = math.sqrt(vv[0] * vv[0] + vv[1] * vv[1] + vv[2] * vv[2]) * dt + 10.0
                lrf_far = lrf_gate <= 0 or self.lrf.rejected[0] or alt_sph - hmin_terrain >= lrf_gate
                if lrf_far and alt_sph - reach > hmax_terrain + 1.0:
                    if fast is None:
                        fast = _FastCtx(self, t_end, dt, hg_r, hg_v, lg_r if g.approach is not None else None,
                                        lg_v if g.approach is not None else None, float(isp_main[0]),
                                        lrf_gate, hmin_terrain, hmax_terrain)
                    self._fast_loop(fast, int(ph_arr[0]))
                    continue
            # ---------------- rangefinder + filter (at the start of the step)
            r_e = self.r + self.dr
            self.lrf_valid_now[:] = False
            if lrf_gate > 0:
                rn_true = np.sqrt(_dot(self.r, self.r))
                cand = active & ~self.lrf.rejected & (rn_true - MOON_RADIUS_M - hmin_terrain < lrf_gate)
                if np.any(cand):
                    self._lrf_update(cand, t, dt, r_e, k1, k2)
                    r_e = self.r + self.dr
            v_e = self.v + self.dv
            # ---------------- guidance on the estimate
            g_e = gravity(r_e, gm)
            a_cmd = np.empty_like(r_e)
            uniform = ph_arr.min() == ph_arr.max()
            for code in ((int(ph_arr[0]),) if uniform else np.unique(ph_arr)):
                sel = slice(None) if uniform else (ph_arr == code)
                rs, vs = r_e[sel], v_e[sel]
                if code == P_BRAKING:
                    a_cmd[sel] = e_guidance(rs, vs, hg_r, hg_v, plan.et_hg - t)
                elif code == P_APPROACH:
                    a_cmd[sel] = e_guidance(rs, vs, lg_r, lg_v, plan.et_lg - t)
                else:
                    up_e = _unit(rs)
                    v_rel = vs - cross3(plan.w, rs)
                    site_in = rodrigues(site_in0, plan.w_hat, plan.w_mag * (t - plan.et_ref))
                    alt_est = np.sqrt(_dot(rs, rs)) - self.r_site_ref
                    gs = g_e[sel]
                    a_cmd[sel] = terminal(rs, v_rel, up_e, alt_est, site_in[None, :] - rs,
                                          np.sqrt(_dot(gs, gs)), rate_gain=term.rate_gain_per_s,
                                          max_rate=term.max_descent_rate_mps,
                                          td_rate=term.touchdown_rate_mps,
                                          h_gain=term.horizontal_gain_per_s)
            f_cmd = (a_cmd - g_e) * self.m[:, None]
            # an engine cannot push the lander down: drop any downward component of the command
            up_all = _unit(r_e)
            f_up = _dot(f_cmd, up_all)
            if f_up.min() < 0.0:
                f_cmd = f_cmd - np.minimum(f_up, 0.0)[:, None] * up_all
            f_mag = np.sqrt(_dot(f_cmd, f_cmd))
            u = f_cmd / np.maximum(f_mag, 1e-9)[:, None]
            aux = (ph_arr == P_TERMINAL) * (veh.aux_thrust_n if term.aux_thrusters else 0.0)
            thr = np.clip((f_mag - aux) / self.main_max, veh.throttle_min, veh.throttle_max)
            engine = active & ~self.exhausted
            if plan.imu_on is not None and plan.imu_on <= t < plan.imu_off:
                engine = np.zeros(n, bool)
                if not fired_imu:
                    fired_imu = True
                    self.event("imu_reset", t)
            elif fired_imu and not fired_restart and plan.imu_off is not None and t >= plan.imu_off:
                fired_restart = True
                self.event("engine_restart", t)
            if all_active:
                self.b = slew(self.b, u, self.slew_rad_s * dt)
            else:
                self.b = np.where(active[:, None], slew(self.b, u, self.slew_rad_s * dt), self.b)
            f_main = thr * self.main_max * self.thrust_f * engine
            f_aux = aux * self.thrust_f * engine
            mdot = f_main / isp_main + f_aux / isp_aux
            prop = self.m - self.dry
            frac = np.minimum(prop / np.maximum(mdot * dt, 1e-300), 1.0) * (mdot > 0)
            newly_exh = engine & (frac < 1.0)
            mdot_eff = mdot * frac
            force = ((f_main + f_aux) * frac)[:, None] * self.b
            self.throttle = thr * engine * (frac > 0)
            r1, v1 = rk4_step(self.r, self.v, self.m, mdot_eff, force, dt, gm)
            m1 = np.where(newly_exh, self.dry, self.m - mdot_eff * dt)
            if np.any(newly_exh):
                for i in np.nonzero(newly_exh)[0]:
                    self.exh_et[i] = t + frac[i] * dt
                if newly_exh[0]:
                    self.event("propellant_exhausted", t + frac[0] * dt)
                self.exhausted |= newly_exh
            # ---------------- touchdown detection on the truth
            t1 = t + dt
            rn1 = np.sqrt(_dot(r1, r1))
            near = active & (rn1 - MOON_RADIUS_M < hmax_terrain + 1.0)
            if np.any(near):
                idx = np.nonzero(near)[0]
                p_me = plan.in_to_me(r1[idx], t1)
                if self.lrf_terrain is not terrain:  # cheap grid pre-check, exact terrain near contact
                    close = self.lrf_terrain.surface_altitude_m(p_me) < TOUCHDOWN_PRECHECK_M
                    idx, p_me = idx[close], p_me[close]
                alt1 = self._exact_altitude(idx, p_me) if idx.size else np.zeros(0)
                hit = idx[alt1 <= 0.0]
                if hit.size:
                    self._touchdown(hit, t, dt, r1, v1, m1)
            # runs that are done (now or earlier) hold their touchdown state
            newly_done = self.done & active
            if self.done.any():
                self.r = np.where(self.done[:, None], self.r, r1)
                self.v = np.where(self.done[:, None], self.v, v1)
                self.m = np.where(self.done, self.m, m1)
            else:
                self.r, self.v, self.m = r1, v1, m1
            self._propagate_nav(dt)
            self.t = t1
            phase_now = ph_arr.copy()
            phase_now[self.exhausted | ~engine] = P_FREEFALL
            if self.done[0] and newly_done[0]:
                # run 0 stored separately at its exact touchdown
                continue
            if not self.done[0]:
                self.store(phase_now)

    def _fast_loop(self, c: _FastCtx, phase: int) -> None:
        """Consecutive :meth:`_fast_step` steps of one run, with the state kept in Python floats
        between steps (the same arithmetic, operation for operation, so the flight is bitwise the
        same). Returns to the general loop as soon as anything the fast path does not handle may
        happen: a phase change, the low gate, the inertial-unit window, the rangefinder's reach,
        the terrain's reach, the end of the flight, or propellant running out in the next step
        (that step is flown by :meth:`_fast_step` itself)."""
        veh, gm = self.scn.vehicle, self.plan.gm
        sq = math.sqrt
        rk4 = _rk4_one
        dt, isp_main = c.dt, c.isp_main
        rt_np, vt_np, rt, vt, et_gate = c.targets[phase]
        main_max, thr_lo, thr_hi = self.main_max, veh.throttle_min, veh.throttle_max
        max_ang = self.slew_rad_s * dt
        cos_max = math.cos(max_ang)
        thrust_f = float(self.thrust_f[0])
        dry = self.dry
        nav_on = self.nav_bias_on
        bias = self.scn.navigation.accel_bias_up_mps2 if nav_on else 0.0
        bias_dt = bias * dt
        lrf_rejected = bool(self.lrf.rejected[0])
        rec = self.rec if self.record else None
        r_site = self.r_site_ref
        r = self.r[0].tolist()
        v = self.v[0].tolist()
        dr = self.dr[0].tolist()
        dv = self.dv[0].tolist()
        b = self.b[0].tolist()
        m = float(self.m[0])
        t = self.t
        thr = None
        while True:
            re0, re1, re2 = r[0] + dr[0], r[1] + dr[1], r[2] + dr[2]
            ve0, ve1, ve2 = v[0] + dv[0], v[1] + dv[1], v[2] + dv[2]
            tgo = et_gate - t
            tt = max(tgo, 4.0)
            tt2 = tt * tt
            rne = sq(re0 * re0 + re1 * re1 + re2 * re2)
            kg = -gm / (rne * rne * rne)
            f0 = (6.0 * (rt[0] - re0) / tt2 - (4.0 * ve0 + 2.0 * vt[0]) / tt - kg * re0) * m
            f1 = (6.0 * (rt[1] - re1) / tt2 - (4.0 * ve1 + 2.0 * vt[1]) / tt - kg * re1) * m
            f2 = (6.0 * (rt[2] - re2) / tt2 - (4.0 * ve2 + 2.0 * vt[2]) / tt - kg * re2) * m
            u0, u1, u2 = re0 / rne, re1 / rne, re2 / rne
            fup = f0 * u0 + f1 * u1 + f2 * u2
            if fup < 0.0:
                f0, f1, f2 = f0 - fup * u0, f1 - fup * u1, f2 - fup * u2
            fmag = sq(f0 * f0 + f1 * f1 + f2 * f2)
            fm = max(fmag, 1e-9)
            u0, u1, u2 = f0 / fm, f1 / fm, f2 / fm
            thr_new = min(max(fmag / main_max, thr_lo), thr_hi)
            f_main = thr_new * main_max * thrust_f
            mdot = f_main / isp_main
            frac = min((m - dry) / max(mdot * dt, 1e-300), 1.0) if mdot > 0 else 0.0
            if frac < 1.0:  # propellant runs out within this step: the reference step flies it
                self._fast_sync(t, r, v, dr, dv, b, m, thr)
                self._fast_step(t, dt, (rt_np, vt_np, tgo), isp_main, phase)
                return
            thr = thr_new
            cb = min(max(b[0] * u0 + b[1] * u1 + b[2] * u2, -1.0), 1.0)
            if cb >= cos_max:
                un = sq(u0 * u0 + u1 * u1 + u2 * u2)
                b = [u0 / un, u1 / un, u2 / un]
            else:
                b = slew(np.array([b]), np.array([[u0, u1, u2]]), max_ang)[0].tolist()
            fr = f_main * frac
            mdot_eff = mdot * frac
            r1, v1 = rk4(r, v, m, mdot_eff, [fr * b[0], fr * b[1], fr * b[2]], dt, gm)
            m = m - mdot_eff * dt
            if nav_on:
                if bias:
                    p0, p1, p2 = r1[0] + dr[0], r1[1] + dr[1], r1[2] + dr[2]
                    pn = sq(p0 * p0 + p1 * p1 + p2 * p2)
                    dv = [dv[0] + bias_dt * p0 / pn, dv[1] + bias_dt * p1 / pn, dv[2] + bias_dt * p2 / pn]
                dr = [dr[0] + dv[0] * dt, dr[1] + dv[1] * dt, dr[2] + dv[2] * dt]
            r, v = r1, v1
            t = t + dt
            if rec is not None:
                rec["t"].append(t)
                rec["r"].append(r)
                rec["v"].append(v)
                rec["m"].append(m)
                rec["b"].append(b)
                rec["thr"].append(thr)
                rec["ph"].append(phase)
                rec["dr"].append(dr)
                rec["lrf"].append(False)
            # ---- would the general loop take the fast path again with this phase?
            if t >= c.t_end:
                break
            if t < c.et_hg - 1e-9:
                ph_t = P_BRAKING
            elif c.et_lg is not None and t < c.et_lg - 1e-9:
                ph_t = P_APPROACH
            else:
                ph_t = P_TERMINAL
            if ph_t > phase:
                break
            if phase == P_APPROACH:
                q0, q1, q2 = r[0] + dr[0], r[1] + dr[1], r[2] + dr[2]
                if sq(q0 * q0 + q1 * q1 + q2 * q2) - r_site < c.lg_alt + 1.0:
                    break  # at the low gate: the general loop decides (exactly as always)
            if c.imu is not None and c.imu[0] <= t < c.imu[1]:
                break
            alt_sph = sq(r[0] * r[0] + r[1] * r[1] + r[2] * r[2]) - MOON_RADIUS_M
            reach = sq(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]) * dt + 10.0
            lrf_far = c.lrf_gate <= 0 or lrf_rejected or alt_sph - c.hmin >= c.lrf_gate
            if not (lrf_far and alt_sph - reach > c.hmax + 1.0):
                break
        self._fast_sync(t, r, v, dr, dv, b, m, thr)

    def _fast_sync(self, t, r, v, dr, dv, b, m, thr) -> None:
        self.t = t
        self.r = np.array([r], float)
        self.v = np.array([v], float)
        self.dr = np.array([dr], float)
        self.dv = np.array([dv], float)
        self.b = np.array([b], float)
        self.m = np.array([m], float)
        if thr is not None:
            self.throttle = np.array([thr])
            self.lrf_valid_now[0] = False

    def _fast_step(self, t: float, dt: float, target, isp_main: float, phase: int) -> None:
        """One powered step of a single run on Python floats (E-guidance phases, far from the
        surface and out of rangefinder reach). Same model as the general step in :meth:`powered`."""
        veh, gm = self.scn.vehicle, self.plan.gm
        sq = math.sqrt
        r = self.r[0].tolist()
        v = self.v[0].tolist()
        dr = self.dr[0].tolist()
        dv = self.dv[0].tolist()
        b = self.b[0].tolist()
        m = float(self.m[0])
        re = [r[i] + dr[i] for i in range(3)]
        ve = [v[i] + dv[i] for i in range(3)]
        rt, vt, tgo = target
        tt = max(tgo, 4.0)
        rne = sq(re[0] * re[0] + re[1] * re[1] + re[2] * re[2])
        kg = -gm / (rne * rne * rne)
        f = [(6.0 * (rt[i] - re[i]) / (tt * tt) - (4.0 * ve[i] + 2.0 * vt[i]) / tt - kg * re[i]) * m
             for i in range(3)]
        up = [re[i] / rne for i in range(3)]
        fup = f[0] * up[0] + f[1] * up[1] + f[2] * up[2]
        if fup < 0.0:
            f = [f[i] - fup * up[i] for i in range(3)]
        fmag = sq(f[0] * f[0] + f[1] * f[1] + f[2] * f[2])
        u = [f[i] / max(fmag, 1e-9) for i in range(3)]
        thr = min(max(fmag / self.main_max, veh.throttle_min), veh.throttle_max)
        # slew (as dynamics.slew)
        max_ang = self.slew_rad_s * dt
        c = min(max(b[0] * u[0] + b[1] * u[1] + b[2] * u[2], -1.0), 1.0)
        if c >= math.cos(max_ang):
            un = sq(u[0] * u[0] + u[1] * u[1] + u[2] * u[2])
            b = [u[i] / un for i in range(3)]
        else:
            b = slew(self.b, np.array([u]), max_ang)[0].tolist()
        self.b = np.array([b])
        f_main = thr * self.main_max * float(self.thrust_f[0])
        mdot = f_main / isp_main
        prop = m - self.dry
        frac = min(prop / max(mdot * dt, 1e-300), 1.0) if mdot > 0 else 0.0
        newly_exh = frac < 1.0
        mdot_eff = mdot * frac
        force = [f_main * frac * b[i] for i in range(3)]
        self.throttle = np.array([thr * (frac > 0)])
        from .dynamics import _rk4_one

        r1, v1 = _rk4_one(r, v, m, mdot_eff, force, dt, gm)
        m1 = self.dry if newly_exh else m - mdot_eff * dt
        if newly_exh:
            self.exh_et[0] = t + frac * dt
            self.event("propellant_exhausted", t + frac * dt)
            self.exhausted[0] = True
        self.r = np.array([r1])
        self.v = np.array([v1])
        self.m = np.array([m1])
        self.lrf_valid_now[0] = False
        # navigation error propagation (as _propagate_nav)
        if self.nav_bias_on:
            bias = self.scn.navigation.accel_bias_up_mps2
            if bias:
                p = [r1[i] + dr[i] for i in range(3)]
                pn = sq(p[0] * p[0] + p[1] * p[1] + p[2] * p[2])
                dv = [dv[i] + bias * dt * p[i] / pn for i in range(3)]
                self.dv = np.array([dv])
            self.dr = np.array([[dr[i] + dv[i] * dt for i in range(3)]])
        self.t = t + dt
        self.store(P_FREEFALL if self.exhausted[0] else phase)

    def _exact_altitude(self, idx: np.ndarray, p_me: np.ndarray) -> np.ndarray:
        """Altitude above the exact terrain; the height under a run is re-evaluated only
        after it moved > 0.2 m horizontally (a hovering lander costs nothing)."""
        rn = np.sqrt(_dot(p_me, p_me))
        unit = p_me / rn[:, None]
        moved = np.sqrt(_dot(unit - self.h_cache_unit[idx], unit - self.h_cache_unit[idx])) * MOON_RADIUS_M
        stale = ~(moved < 0.2)
        if np.any(stale):
            j = idx[stale]
            h = rn[stale] - self.plan.terrain.surface_altitude_m(p_me[stale])  # = R + height
            self.h_cache_unit[j] = unit[stale]
            self.h_cache_r[j] = h
        return rn - self.h_cache_r[idx]

    def _lrf_update(self, cand, t, dt, r_e, k1, k2):
        plan, lrf = self.plan, self.scn.lrf
        idx = np.nonzero(cand)[0]
        up_in = _unit(self.r[idx])
        cos_off = _dot(self.b[idx], up_in)  # beam = body -Z
        pointing = cos_off >= self.cos_max_off
        if not np.any(pointing):
            return
        idx, cos_off = idx[pointing], cos_off[pointing]
        r_me = plan.in_to_me(self.r[idx], t)
        beam_me = plan.in_to_me(-self.b[idx], t)
        rng_m = slant_range(self.lrf_terrain, r_me, beam_me, cos_off)
        h_true_beam = rng_m * cos_off
        ok = np.isfinite(rng_m) & (rng_m <= lrf.max_range_m) & (rng_m > 0) & (cos_off >= self.cos_max_off)
        if lrf.fault_valid_below_m is not None:
            ok &= h_true_beam <= lrf.fault_valid_below_m
        noise = self.rng.standard_normal(idx.size) * lrf.noise_m * self.noise_f[idx]
        h_meas = h_true_beam + noise
        r_e_i = r_e[idx]
        up_e = _unit(r_e_i)
        h_est = np.sqrt(_dot(r_e_i, r_e_i)) - self.r_site_ref
        st = self.lrf
        if lrf.jump_reject_m is not None:
            # change of the measured altitude since the last accepted one, beyond what the
            # (inertial) estimate says the lander descended meanwhile
            had = ok & np.isfinite(st.prev_h[idx])
            pred = st.prev_h[idx] + (h_est - st.prev_est[idx])
            jump = had & (np.abs(h_meas - pred) > lrf.jump_reject_m)
            if np.any(jump):
                j = idx[jump]
                st.rejected[j] = True
                st.rejected_t[j] = t
                if jump[0] and idx[0] == 0:
                    self.event("lrf_rejected", t)
                ok &= ~jump
        if not np.any(ok):
            return
        sel = idx[ok]
        # the jump test's reference measurement is renewed every JUMP_WINDOW_S
        renew = sel[~(t - st.prev_t[sel] < JUMP_WINDOW_S)]
        okr = np.isin(idx, renew) & ok
        st.prev_h[renew] = h_meas[okr]
        st.prev_est[renew] = h_est[okr]
        st.prev_t[renew] = t
        first = np.isnan(st.first_valid_t[sel])
        if np.any(first):
            st.first_valid_t[sel[first]] = t
            if sel[0] == 0 and first[0]:
                self.event("lrf_first_valid", t)
        y = (h_meas - h_est)[ok]
        self.dr[sel] += (k1 * dt * y)[:, None] * up_e[ok]
        # the velocity correction sees a clipped innovation, so a large first-fix
        # altitude correction does not kick the velocity estimate
        self.dv[sel] += (k2 * dt * np.clip(y, -VEL_INNOVATION_CLIP_M, VEL_INNOVATION_CLIP_M))[:, None] * up_e[ok]
        self.lrf_valid_now[sel] = True

    def _touchdown(self, hit, t, dt, r1, v1, m1):
        plan, terrain = self.plan, self.plan.terrain
        p0, q0 = self.r[hit], self.v[hit]
        p1, q1 = r1[hit], v1[hit]
        lo = np.zeros(hit.size)
        hi = np.ones(hit.size)

        def herm(u):
            u = u[:, None]
            u2, u3 = u * u, u * u * u
            pos = (2 * u3 - 3 * u2 + 1) * p0 + (u3 - 2 * u2 + u) * dt * q0 + (-2 * u3 + 3 * u2) * p1 \
                + (u3 - u2) * dt * q1
            vel = ((6 * u2 - 6 * u) * p0 + (-6 * u2 + 6 * u) * p1) / dt + (3 * u2 - 4 * u + 1) * q0 \
                + (3 * u2 - 2 * u) * q1
            return pos, vel

        for _ in range(30):
            mid = 0.5 * (lo + hi)
            pos, _ = herm(mid)
            alt = terrain.surface_altitude_m(plan.in_to_me(pos, t + float(np.mean(mid)) * dt))
            below = alt <= 0.0
            hi = np.where(below, mid, hi)
            lo = np.where(below, lo, mid)
        u = hi
        pos, vel = herm(u)
        self.td_et[hit] = t + u * dt
        self.td_r[hit] = pos
        self.td_v[hit] = vel
        self.td_m[hit] = self.m[hit] + (m1[hit] - self.m[hit]) * u
        self.done[hit] = True
        # hold the state at touchdown for these runs
        self.r[hit] = pos
        self.v[hit] = vel
        self.m[hit] = self.td_m[hit]
        if hit[0] == 0:
            self.event("touchdown", self.td_et[0], pos[0], vel[0])
            if self.record:
                keep_t = self.t
                self.t = float(self.td_et[0])
                ph = P_FREEFALL if (self.exhausted[0] or self.throttle[0] == 0) else self.rec["ph"][-1]
                self.store(ph)
                self.t = keep_t


def simulate(scn: Scenario, n: int = 1, seed: int = 0, *, record: bool = True,
             dispersed: bool = False) -> RunResult:
    """Fly ``n`` runs of ``scn`` together; record samples of run 0 when ``record``."""
    rng = np.random.default_rng(seed)
    sim = _Sim(scn, n, rng, record, dispersed)
    plan = sim.plan
    if plan.et_pdi - plan.et0 > MAX_COAST_S:
        raise ScenarioError(
            f"{scn.path}: [start] epoch_utc is {(plan.et_pdi - plan.et0) / 86400:.1f} days before the "
            f"powered descent; expected at most {MAX_COAST_S / 86400:.0f} days")
    sim.event("start", sim.t)
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
    if sim.t > plan.et_pdi:
        raise ScenarioError(f"{scn.path}: [guidance.braking] start_utc comes before the deorbit burn "
                            "has ended; expected a later powered-descent start")
    sim.coast_to(plan.et_pdi, coast_phase)
    if scn.navigation.start == "powered_descent":
        sim.start_nav_errors()
    sim.powered()
    samples = None
    if record:
        samples = {k: np.array(v) for k, v in sim.rec.items()}
        samples["n0"] = sim.n0
    return RunResult(plan=plan, n=n, samples=samples, events=sim.events, td_et=sim.td_et,
                     td_r=sim.td_r, td_v=sim.td_v, td_mass=sim.td_m, exhausted_et=sim.exh_et)


# ---------------------------------------------------------------------- output
def _quat_from_axes(z: np.ndarray, x_ref: np.ndarray) -> np.ndarray:
    """(N,4) quaternions (w,x,y,z) of frames with body +Z = z and +X towards x_ref."""
    z = _unit(z)
    x = x_ref - _dot(x_ref, z)[:, None] * z
    xn = np.linalg.norm(x, axis=1)
    fallback = np.cross(z, np.array([0.0, 0.0, 1.0]))
    x = np.where((xn > 1e-9)[:, None], x, fallback)
    x = _unit(x)
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
    s = {k: (v[keep] if isinstance(v, np.ndarray) and v.ndim >= 1 and len(v) == len(keep) else v)
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
            fn = lambda et: _hermite_positions(t, pos, vel, et)  # noqa: E731
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
