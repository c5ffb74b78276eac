"""The one step: guidance -> attitude -> engine -> dynamics -> navigation, for every run.

:func:`step_run` flies one run through one step of ``h`` seconds:

1. guidance (:func:`command`) turns the run's *estimated* state into a command:
   a thrust direction, the main-engine and auxiliary thrust and the fraction
   of the step the engine is on (coasts: retrograde, no thrust; deorbit: a
   fixed throttle until its delta-v is flown; braking/approach/terminal:
   :mod:`.guidance`);
2. the thrust axis slews towards the commanded direction (:func:`.dynamics.slew`);
3. the engine burns (:func:`.engine.burn`: propellant never below zero);
4. the truth is integrated (:func:`.dynamics.rk4`);
5. the estimate's error is propagated (:func:`.navigation.propagate`).

:func:`advance` repeats it for every run until a step limit or a stop
condition (a phase change of run 0, the inertial-unit window, the terrain or
the rangefinder coming into reach, ...) and records run 0. It is compiled with
numba when available (see :mod:`._jit`); the single flight, the viewer's
what-if (both :func:`lunarviz.physics.fly`) and the Monte Carlo all fly it.
The rangefinder and the touchdown test, which ask the terrain, run between
single steps in :mod:`.flight`.
"""

from __future__ import annotations

import math

import numpy as np

from . import engine, guidance, navigation, vec3
from ._jit import jit
from .dynamics import gravity, rk4, rotate, slew
from .state import (
    AUX_N,
    BIAS_UP,
    DO_DV,
    DO_THROTTLE,
    DRY,
    ENG_OUT_ALT,
    ENG_OUT_LOSS,
    ENG_OUT_TILT,
    ET_HG,
    ET_LG,
    ET_REF,
    GM,
    H_GAIN,
    HG_R,
    HG_V,
    HMAX,
    HMIN,
    IMU_OFF,
    IMU_ON,
    ISP_AUX_G0,
    ISP_MAIN_G0,
    LG_ALT,
    LG_R,
    LG_V,
    LRF_GATE,
    MAIN_MAX,
    MAX_RATE,
    NAV_ON,
    P_APPROACH,
    P_BRAKING,
    P_DCOAST,
    P_DEORBIT,
    P_FREEFALL,
    P_TERMINAL,
    R_MOON,
    R_SITE,
    RATE_GAIN,
    SITE0,
    SLEW_RAD_S,
    TD_RATE,
    THR_MAX,
    THR_MIN,
    W_HAT,
    W_MAG,
    State,
)

# ---- why advance() returned
DONE_STEPS, END, CHANGE, NEAR, EVENT, SURFACE, GONE = range(7)


@jit
def _vec(p, i):
    return (p[i], p[i + 1], p[i + 2])


@jit
def command(mode, t, re, ve, mass, dv_done, thrust_f, engine_on, site, p, h):
    """Guidance command from the estimate (re, ve): ``(u, main_n, aux_n, on_frac, throttle)``."""
    if mode < P_BRAKING:  # coasts and the deorbit burn: retrograde attitude
        u = vec3.unit(vec3.scale(ve, -1.0))
        if mode != P_DEORBIT:
            return u, 0.0, 0.0, 0.0, 0.0
        main_n = p[DO_THROTTLE] * p[MAIN_MAX] * thrust_f
        on = min(max((p[DO_DV] - dv_done) / (main_n / mass * h), 0.0), 1.0)
        return u, main_n, 0.0, on, p[DO_THROTTLE]
    g_e = gravity(re, p[GM])
    up = vec3.unit(re)
    if mode == P_BRAKING:
        a = guidance.e_guidance(re, ve, _vec(p, HG_R), _vec(p, HG_V), p[ET_HG] - t)
    elif mode == P_APPROACH:
        a = guidance.e_guidance(re, ve, _vec(p, LG_R), _vec(p, LG_V), p[ET_LG] - t)
    else:
        w = vec3.scale(_vec(p, W_HAT), p[W_MAG])
        v_rel = vec3.sub(ve, vec3.cross(w, re))
        a = guidance.terminal(v_rel, up, vec3.norm(re) - p[R_SITE], vec3.sub(site, re), vec3.norm(g_e),
                              p[RATE_GAIN], p[MAX_RATE], p[TD_RATE], p[H_GAIN])
    f = guidance.thrust_force(a, g_e, up, mass)
    f_mag = vec3.norm(f)
    u = vec3.scale(f, 1.0 / max(f_mag, 1e-9))
    aux = p[AUX_N] if mode == P_TERMINAL else 0.0
    thr = engine.throttle(f_mag, aux, p[MAIN_MAX], p[THR_MIN], p[THR_MAX])
    if not engine_on:
        return u, 0.0, 0.0, 0.0, thr
    return u, thr * p[MAIN_MAX] * thrust_f, aux * thrust_f, 1.0, thr


@jit
def step_run(i, t, h, engine_window, site, p, r, v, m, b, dr, dv, mode, exhausted, exh_et, burn_end_et,
             dv_done, thrust_f, isp_f, throttle):
    """Fly run ``i`` from ``t`` to ``t + h`` (state arrays updated in place); returns the
    phase to record."""
    ri, vi, mi = vec3.row(r, i), vec3.row(v, i), m[i]
    dri, dvi = vec3.row(dr, i), vec3.row(dv, i)
    re, ve = vec3.add(ri, dri), vec3.add(vi, dvi)
    md = mode[i]
    engine_on = engine_window and not exhausted[i]
    u, main_n, aux_n, on, thr = command(md, t, re, ve, mi, dv_done[i], thrust_f[i], engine_on, site, p, h)
    max_ang = p[SLEW_RAD_S] * h
    bi = slew(vec3.row(b, i), u, max_ang, math.cos(max_ang))
    f_dir = bi
    if md >= P_BRAKING and vec3.norm(ri) - p[R_SITE] < p[ENG_OUT_ALT]:  # a lost nozzle (nan: never)
        main_n *= 1.0 - p[ENG_OUT_LOSS]
        east = vec3.unit(vec3.cross(_vec(p, W_HAT), ri))
        f_dir = rotate(bi, east, p[ENG_OUT_TILT])  # what is left pushes off the body axis
    thrust, mdot, prop_frac, m1 = engine.burn(main_n, aux_n, p[ISP_MAIN_G0] * isp_f[i], p[ISP_AUX_G0], on,
                                              mi, p[DRY], h)
    r1, v1 = rk4(ri, vi, mi, mdot, vec3.scale(f_dir, thrust), h, p[GM])
    if p[NAV_ON] != 0.0:
        dri, dvi = navigation.propagate(dri, dvi, r1, h, p[BIAS_UP])
    vec3.put(r, i, r1)
    vec3.put(v, i, v1)
    vec3.put(b, i, bi)
    vec3.put(dr, i, dri)
    vec3.put(dv, i, dvi)
    m[i] = m1
    throttle[i] = thr if thrust > 0.0 else 0.0
    if on > 0.0 and prop_frac < 1.0:
        exhausted[i] = True
        exh_et[i] = t + prop_frac * h
    if md == P_DEORBIT:  # the delta-v really flown (none from an empty tank); the burn stops when it runs out
        dv_done[i] += thrust / mi * h
        if on < 1.0 or exhausted[i]:
            mode[i] = P_DCOAST
            burn_end_et[i] = min(t + h * on, exh_et[i]) if exhausted[i] else t + h * on
        return mode[i]
    if md >= P_BRAKING and (exhausted[i] or not engine_window):
        return P_FREEFALL
    return md


@jit
def near_surface_or_lrf(r, v, h, lrf_rejected, p):
    """True where a run might touch the terrain or get a rangefinder range within the step."""
    alt = vec3.norm(r) - p[R_MOON]
    reach = vec3.norm(v) * h + 10.0
    lrf_far = p[LRF_GATE] <= 0.0 or lrf_rejected or alt - p[HMIN] >= p[LRF_GATE]
    return not (lrf_far and alt - reach > p[HMAX] + 1.0)


@jit
def _update_modes(t, p, r, dr, mode, done):
    for i in range(r.shape[0]):
        if not done[i] and mode[i] >= P_BRAKING:
            alt_est = vec3.norm(vec3.add(vec3.row(r, i), vec3.row(dr, i))) - p[R_SITE]
            mode[i] = guidance.phase(mode[i], t, alt_est, p[ET_HG], p[ET_LG], p[LG_ALT])


@jit
def _any_near(h, p, r, v, done, lrf_rejected):
    for i in range(r.shape[0]):
        if not done[i] and near_surface_or_lrf(vec3.row(r, i), vec3.row(v, i), h, lrf_rejected[i], p):
            return True
    return False


@jit
def _active_with(mode, done, code):
    for i in range(mode.shape[0]):
        if not done[i] and mode[i] == code:
            return True
    return False


@jit
def _step_all(t, h, window, p, r, v, m, b, dr, dv, mode, done, exhausted, exh_et, burn_end_et, dv_done,
              thrust_f, isp_f, throttle):
    """One step of every run not done: (phase of run 0 to record, a coasting run went below the
    Moon's sphere)."""
    site = rotate(_vec(p, SITE0), _vec(p, W_HAT), p[W_MAG] * (t - p[ET_REF]))
    ph0, below = 0, False
    for i in range(r.shape[0]):
        if done[i]:
            continue
        ph = step_run(i, t, h, window, site, p, r, v, m, b, dr, dv, mode, exhausted, exh_et,
                      burn_end_et, dv_done, thrust_f, isp_f, throttle)
        if i == 0:
            ph0 = ph
        if mode[i] < P_BRAKING and vec3.norm(vec3.row(r, i)) < p[R_MOON]:
            below = True
    return ph0, below


@jit
def _record(rn, t, ph0, r, v, m, b, dr, throttle, lrf_valid, rt, rr, rv, rm, rb, rthr, rph, rdr, rlrf):
    rt[rn], rm[rn], rthr[rn], rph[rn], rlrf[rn] = t, m[0], throttle[0], ph0, lrf_valid[0]
    vec3.put(rr, rn, vec3.row(r, 0))
    vec3.put(rv, rn, vec3.row(v, 0))
    vec3.put(rb, rn, vec3.row(b, 0))
    vec3.put(rdr, rn, vec3.row(dr, 0))
    return rn + 1


@jit
def _stop_before(t, h, t_end, stop_change, stop_near, until_gone, mode_seen, window, window_seen, p,
                 r, v, dr, mode, done, lrf_rejected):
    """Why not to fly the step from ``t`` (-1: fly it); updates the runs' guidance phases."""
    if t >= t_end or done.all():
        return END
    if until_gone >= 0 and not _active_with(mode, done, until_gone):
        return GONE
    _update_modes(t, p, r, dr, mode, done)
    if stop_change and not done[0] and (mode[0] != mode_seen or window != window_seen):
        return CHANGE
    if stop_near and _any_near(h, p, r, v, done, lrf_rejected):
        return NEAR
    return -1


@jit
def _advance(t, h, k_max, t_end, stop_change, stop_near, until_gone, mode_seen, window_seen, p,
             r, v, m, b, dr, dv, mode, done, exhausted, exh_et, burn_end_et, dv_done, thrust_f, isp_f,
             throttle, lrf_valid, lrf_rejected, record, rt, rr, rv, rm, rb, rthr, rph, rdr, rlrf, rn):
    status = DONE_STEPS
    for _ in range(k_max):
        window = navigation.engine_enabled(t, p[IMU_ON], p[IMU_OFF])
        why = _stop_before(t, h, t_end, stop_change, stop_near, until_gone, mode_seen, window,
                           window_seen, p, r, v, dr, mode, done, lrf_rejected)
        if why >= 0:
            status = why
            break
        exh0, mode0 = exhausted[0], mode[0]
        ph0, below = _step_all(t, h, window, p, r, v, m, b, dr, dv, mode, done, exhausted, exh_et,
                               burn_end_et, dv_done, thrust_f, isp_f, throttle)
        t = t + h
        if record and not done[0]:
            rn = _record(rn, t, ph0, r, v, m, b, dr, throttle, lrf_valid, rt, rr, rv, rm, rb, rthr, rph,
                         rdr, rlrf)
        if below:
            status = SURFACE
            break
        if stop_change and not done[0] and (exhausted[0] != exh0 or mode[0] != mode0):
            status = EVENT
            break
    return status, t, rn


def advance(st: State, p: np.ndarray, h: float, k_max: int, rec, lrf_rejected: np.ndarray, *,
            t_end: float = math.inf, stop_change: bool = False, stop_near: bool = False,
            until_gone: int = -1, mode_seen: int = -1, window_seen: bool = True) -> int:
    """Fly up to ``k_max`` steps of ``h`` s (all runs), recording run 0 in ``rec`` (or not, None).

    Stops early at ``t_end``, when every run is done, when no run is left in the mode
    ``until_gone`` (>= 0), with ``stop_change`` before a step in which run 0's phase or the
    inertial-unit window differs from ``mode_seen``/``window_seen`` and after a step in
    which run 0's propellant ran out or its phase changed, with ``stop_near`` before a step
    in which a run could reach the terrain or the rangefinder. Returns why it stopped."""
    if rec is not None:
        rec.reserve(k_max)
        bufs, rn = (rec.t, rec.r, rec.v, rec.m, rec.b, rec.thr, rec.ph, rec.dr, rec.lrf), rec.count
    else:
        e1, e3 = np.zeros(1), np.zeros((1, 3))
        bufs, rn = (e1, e3, e3, e1, e3, e1, np.zeros(1, np.int64), e3, np.zeros(1, np.bool_)), 0
    status, t, rn = _advance(float(st.t), float(h), int(k_max), float(t_end), stop_change, stop_near,
                             int(until_gone), int(mode_seen), bool(window_seen), p, st.r, st.v, st.m,
                             st.b, st.dr, st.dv, st.mode, st.done, st.exhausted, st.exh_et,
                             st.burn_end_et, st.dv_done, st.thrust_f, st.isp_f, st.throttle,
                             st.lrf_valid, lrf_rejected, rec is not None, *bufs, rn)
    st.t = t
    if rec is not None:
        rec.count = rn
    return int(status)
