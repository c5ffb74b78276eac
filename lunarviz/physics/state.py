"""The state of ``n`` runs flown together, the constants of a flight, and the record.

All vectors are inertial (Moon-centred, J2000 axes), metres / seconds /
kilograms, one row per run. The *estimate* of a run is the truth plus the
navigation error: ``r + dr``, ``v + dv``.

A flight's constants travel to the compiled step in one float array laid out
by the index names below; :func:`params` fills it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..geometry import MOON_RADIUS_M
from .dynamics import G0_MPS2

# ---- indices into the parameter array (one float each; HG_R..W_HAT are 3-vectors)
GM, R_MOON, MAIN_MAX, THR_MIN, THR_MAX, AUX_N, ISP_MAIN_G0, ISP_AUX_G0, DRY, SLEW_RAD_S = range(10)
BIAS_UP, NAV_ON, ET_HG, ET_LG, LG_ALT, R_SITE, RATE_GAIN, MAX_RATE, TD_RATE, H_GAIN = range(10, 20)
DO_THROTTLE, DO_DV, IMU_ON, IMU_OFF, W_MAG, ET_REF, LRF_GATE, HMIN, HMAX = range(20, 29)
HG_R, HG_V, LG_R, LG_V, SITE0, W_HAT = 29, 32, 35, 38, 41, 44
ENG_OUT_ALT, ENG_OUT_LOSS, ENG_OUT_TILT = 47, 48, 49   # [faults.engine_out] (nan altitude: none)
N_PARAMS = 50

# ---- phase codes (flight.PHASES)
P_ORBIT, P_DEORBIT, P_DCOAST, P_BRAKING, P_APPROACH, P_TERMINAL, P_FREEFALL, P_SURFACE = range(8)


@dataclass
class State:
    """The truth, the estimate's error and the bookkeeping of ``n`` runs at time ``t``."""

    t: float                 # ET, s
    r: np.ndarray            # (n, 3) position, m
    v: np.ndarray            # (n, 3) velocity, m/s
    m: np.ndarray            # (n,) mass, kg
    b: np.ndarray            # (n, 3) thrust axis (body +Z), unit
    dr: np.ndarray           # (n, 3) estimate minus truth, m
    dv: np.ndarray           # (n, 3) estimate minus truth, m/s
    mode: np.ndarray         # (n,) int phase code the run's guidance is in
    thrust_f: np.ndarray     # (n,) thrust scale factor (dispersion)
    isp_f: np.ndarray        # (n,) Isp scale factor (dispersion)
    done: np.ndarray         # (n,) bool: touched down (state held)
    exhausted: np.ndarray    # (n,) bool: propellant ran out
    exh_et: np.ndarray       # (n,) when the propellant ran out, ET s
    burn_end_et: np.ndarray  # (n,) when the deorbit burn ended, ET s
    dv_done: np.ndarray      # (n,) deorbit delta-v flown, m/s
    throttle: np.ndarray     # (n,) main-engine throttle in the last step
    lrf_valid: np.ndarray    # (n,) bool: a rangefinder measurement was used at the step's start

    @classmethod
    def start(cls, t: float, r: np.ndarray, v: np.ndarray, mass_kg: float,
              thrust_f: np.ndarray, isp_f: np.ndarray) -> State:
        n = r.shape[0]
        b = -v / np.linalg.norm(v, axis=1, keepdims=True)  # thrust axis starts retrograde
        return cls(t=t, r=r, v=v, m=np.full(n, float(mass_kg)), b=b, dr=np.zeros((n, 3)),
                   dv=np.zeros((n, 3)), mode=np.zeros(n, np.int64), thrust_f=thrust_f, isp_f=isp_f,
                   done=np.zeros(n, bool), exhausted=np.zeros(n, bool), exh_et=np.full(n, np.nan),
                   burn_end_et=np.full(n, np.nan), dv_done=np.zeros(n), throttle=np.zeros(n),
                   lrf_valid=np.zeros(n, bool))

    @property
    def n(self) -> int:
        return self.r.shape[0]


class Record:
    """Samples of run 0 (preallocated, grown as needed; the compiled step writes into them)."""

    FIELDS = ("t", "r", "v", "m", "b", "thr", "ph", "dr", "lrf")

    def __init__(self, capacity: int = 4096):
        self.count = 0
        self._alloc(capacity)

    def _alloc(self, cap: int) -> None:
        old = getattr(self, "t", None)
        new = {"t": np.zeros(cap), "r": np.zeros((cap, 3)), "v": np.zeros((cap, 3)), "m": np.zeros(cap),
               "b": np.zeros((cap, 3)), "thr": np.zeros(cap), "ph": np.zeros(cap, np.int64),
               "dr": np.zeros((cap, 3)), "lrf": np.zeros(cap, np.bool_)}
        for k, arr in new.items():
            if old is not None:
                arr[:self.count] = getattr(self, k)[:self.count]
            setattr(self, k, arr)
        self.capacity = cap

    def reserve(self, extra: int) -> None:
        """Room for ``extra`` more samples."""
        if self.count + extra > self.capacity:
            self._alloc(max(2 * self.capacity, self.count + extra + 16))

    def append(self, st: State, phase: int, t: float | None = None) -> None:
        """Store run 0 of ``st`` (at ``t``, default ``st.t``)."""
        self.reserve(1)
        i = self.count
        self.t[i] = st.t if t is None else t
        self.r[i], self.v[i], self.b[i], self.dr[i] = st.r[0], st.v[0], st.b[0], st.dr[0]
        self.m[i], self.thr[i], self.ph[i], self.lrf[i] = st.m[0], st.throttle[0], phase, st.lrf_valid[0]
        self.count += 1

    def arrays(self) -> dict[str, np.ndarray]:
        return {k: getattr(self, k)[:self.count].copy() for k in self.FIELDS}


def params(scn, plan, gates, lrf_gate_m: float) -> np.ndarray:
    """The flight's constants as the compiled step reads them (see the index names).

    ``plan``: :class:`lunarviz.physics.flight.Plan`; ``gates``: inertial (r, v) of the high
    gate and of the low gate (None without an approach phase)."""
    veh, g, nav = scn.vehicle, scn.guidance, scn.navigation
    p = np.full(N_PARAMS, np.nan)
    p[GM], p[R_MOON] = plan.gm, MOON_RADIUS_M
    p[MAIN_MAX], p[THR_MIN], p[THR_MAX] = veh.main_thrust_n, veh.throttle_min, veh.throttle_max
    p[AUX_N] = veh.aux_thrust_n if g is not None and g.terminal.aux_thrusters else 0.0
    p[ISP_MAIN_G0], p[ISP_AUX_G0], p[DRY] = veh.isp_s * G0_MPS2, veh.aux_isp_s * G0_MPS2, veh.dry_mass_kg
    p[SLEW_RAD_S] = np.radians(veh.slew_rate_deg_s)
    p[BIAS_UP], p[NAV_ON] = nav.accel_bias_up_mps2, 0.0
    p[ET_HG], p[R_SITE] = plan.et_hg, plan.r_site_ref
    if g is not None:  # None: a flight that only orbits
        if g.approach is not None:
            p[ET_LG], p[LG_ALT] = plan.et_lg, g.approach.gate_alt_m
        term = g.terminal
        p[RATE_GAIN], p[MAX_RATE] = term.rate_gain_per_s, term.max_descent_rate_mps
        p[TD_RATE], p[H_GAIN] = term.touchdown_rate_mps, term.horizontal_gain_per_s
        if g.deorbit is not None:
            p[DO_THROTTLE], p[DO_DV] = g.deorbit.throttle, g.deorbit.delta_v_mps
    if plan.imu_on is not None:
        p[IMU_ON], p[IMU_OFF] = plan.imu_on, plan.imu_off
    p[W_MAG], p[ET_REF] = plan.w_mag, plan.et_ref
    eo = scn.engine_out
    if eo is not None:
        p[ENG_OUT_ALT], p[ENG_OUT_LOSS], p[ENG_OUT_TILT] = eo.below_alt_m, eo.thrust_loss_frac, np.radians(eo.tilt_deg)
    p[LRF_GATE] = lrf_gate_m
    p[HMIN] = float(plan.terrain.min_height_m)
    p[HMAX] = float(plan.terrain.max_height_m)
    (hg_r, hg_v), low = gates
    p[HG_R:HG_R + 3], p[HG_V:HG_V + 3] = hg_r, hg_v
    if low is not None:
        p[LG_R:LG_R + 3], p[LG_V:LG_V + 3] = low
    p[SITE0:SITE0 + 3] = plan.site_me @ plan.r_ref
    p[W_HAT:W_HAT + 3] = plan.w_hat
    return p
