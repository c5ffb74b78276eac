"""Integrator, mass flow, attitude, frames and event accuracy."""

import math

import numpy as np

from lunarviz.physics import dynamics, frames
from lunarviz.physics.dynamics import G0_MPS2

ENERGY_REL_TOL = 1e-9        # relative drift of the specific energy over one orbit (RK4, 10 s)
MOMENTUM_REL_TOL = 1e-9
MASS_REL_TOL = 1e-9
TOUCHDOWN_ALT_TOL_M = 1e-3   # touchdown refined by bisection on the step's Hermite interpolant
FALLBACK_POS_TOL_M = 1e-9    # uncompiled vs compiled step, every sample


def test_coast_conserves_energy_and_angular_momentum():
    gm = frames.moon_gm_m3s2()
    r0 = 1737.4e3 + 100e3
    r = np.array([[r0, 0.0, 0.0]])
    v = np.array([[0.0, math.sqrt(gm / r0) * 0.99, 30.0]])
    e0 = dynamics.orbital_energy(r, v, gm)
    h0 = np.linalg.norm(np.cross(r, v))
    period = 2 * math.pi * math.sqrt(r0 ** 3 / gm)
    n = int(period / 10.0)
    for _ in range(n):
        r, v = dynamics.rk4_step(r, v, np.ones(1), None, None, 10.0, gm)
    e1 = dynamics.orbital_energy(r, v, gm)
    h1 = np.linalg.norm(np.cross(r, v))
    assert abs((e1 - e0) / e0) < ENERGY_REL_TOL
    assert abs((h1 - h0) / h0) < MOMENTUM_REL_TOL


def test_kepler_state_matches_integration():
    gm = frames.moon_gm_m3s2()
    rp, ra = 1737.4e3 + 15e3, 1737.4e3 + 110e3
    p, nrm = np.array([1.0, 0, 0]), np.array([0, 0, 1.0])
    r, v = dynamics.kepler_state(gm, rp, ra, p, nrm, 0.0)
    rr, vv = r[None], v[None]
    for _ in range(300):
        rr, vv = dynamics.rk4_step(rr, vv, np.ones(1), None, None, 5.0, gm)
    r2, _ = dynamics.kepler_state(gm, rp, ra, p, nrm, 1500.0)
    assert np.linalg.norm(rr[0] - r2) < 0.01  # m


def test_propellant_used_matches_thrust_isp_integral(fly_scene):
    tr = fly_scene("apollo11")          # no auxiliary thrusters, no dispersions
    scn = tr.scenario
    veh = scn.vehicle
    pd = tr.event("powered_descent").et_s
    td = tr.event("touchdown").et_s
    k = np.nonzero((tr.et_s > pd + 1e-6) & (tr.et_s < td - 1e-6))[0]
    # every powered step is exactly powered_step_s long (stored ET values ~1e9 s carry
    # ~1e-7 s rounding, so the step length is taken from the scenario)
    assert np.allclose(np.diff(tr.et_s)[k - 1], scn.sim.powered_step_s, atol=1e-6)
    dt = scn.sim.powered_step_s
    dm = tr.mass_kg[k - 1] - tr.mass_kg[k]
    expected = tr.throttle[k] * veh.main_thrust_n * dt / (veh.isp_s * G0_MPS2)
    assert np.allclose(dm, expected, rtol=MASS_REL_TOL, atol=1e-9)
    assert dm.sum() > 7000.0


def test_touchdown_event_is_on_the_surface(fly_scene):
    for name in ("resilience", "apollo11"):
        tr = fly_scene(name)
        td = tr.event("touchdown")
        terrain_alt = tr.at(td.et_s).alt_m
        assert abs(td.alt_m) < TOUCHDOWN_ALT_TOL_M
        assert abs(terrain_alt) < 0.05
        # the sample just before touchdown is above the surface
        i = np.searchsorted(tr.et_s, td.et_s) - 1
        assert tr.alt_m[i] > 0.0


def test_free_fall_time_matches_analytic(fly_scene):
    """HAKUTO-R M1: from propellant exhaustion to impact is a free fall (event times to < 0.5 s)."""
    tr = fly_scene("hakuto-r-m1")
    ex, td = tr.event("propellant_exhausted"), tr.event("touchdown")
    gm = frames.moon_gm_m3s2()
    r = np.linalg.norm(ex.pos_m)
    r_surf = np.linalg.norm(td.pos_m)
    up = ex.pos_m / r
    v0 = float(np.dot(ex.vel_mps, up))
    g = gm / (0.5 * (r + r_surf)) ** 2
    h = r - r_surf
    t = (v0 + math.sqrt(v0 * v0 + 2 * g * h)) / g
    assert abs((td.et_s - ex.et_s) - t) < 0.5


def test_slew_rate_limit_and_visible_pitch_up(fly_scene):
    tr = fly_scene("resilience-nominal")
    scn = tr.scenario
    z = np.array([0.0, 0.0, 1.0])
    from lunarviz.trajectory import quat_rotate

    body_up = quat_rotate(tr.quat_wxyz, np.tile(z, (len(tr), 1)))
    pd = tr.event("powered_descent").et_s
    td = tr.event("touchdown").et_s
    k = np.nonzero((tr.et_s > pd) & (tr.et_s < td))[0]
    ang = np.degrees(np.arccos(np.clip(np.einsum("ij,ij->i", body_up[k], body_up[k - 1]), -1, 1)))
    dt = np.diff(tr.et_s)[k - 1]
    # the MOON_ME axis also turns with the Moon (~1.5e-4 deg/s): tiny allowance
    assert np.all(ang <= scn.vehicle.slew_rate_deg_s * dt + 1e-3)
    up = tr.pos_m / np.linalg.norm(tr.pos_m, axis=1, keepdims=True)
    tilt = np.degrees(np.arccos(np.clip(np.einsum("ij,ij->i", body_up, up), -1, 1)))
    pu = tr.event("pitch_up").et_s
    before = tilt[(tr.et_s > pu - 30) & (tr.et_s < pu)]
    after = tilt[(tr.et_s > pu + 20) & (tr.et_s < pu + 40)]
    assert before.min() > 50.0 and after.max() < 40.0


def test_moon_me_velocity_is_derivative_of_position(fly_scene):
    tr = fly_scene("resilience")
    # coast samples (10 s): central difference of the MOON_ME position vs stored velocity
    i = np.arange(5, 200)
    fd = (tr.pos_m[i + 1] - tr.pos_m[i - 1]) / (tr.et_s[i + 1] - tr.et_s[i - 1])[:, None]
    err = np.linalg.norm(fd - tr.vel_mps[i], axis=1)
    assert err.max() < 0.05  # m/s (central-difference error ~ a dt^2 / 6)


def test_determinism_bitwise(fly_scene):
    from lunarviz import physics

    a = fly_scene("hakuto-r-m1")
    b = physics.fly(a.scenario, seed=0)
    for name in ("et_s", "pos_m", "vel_mps", "quat_wxyz", "mass_kg", "throttle", "phase",
                 "alt_m", "est_alt_m", "lrf_valid"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert [e.name for e in a.events] == [e.name for e in b.events]


def test_state_start_in_moon_me_reproduces_orbit_start(fly_scene):
    """[start.state] (MOON_ME position/velocity, incl. the rotating-frame velocity) flies
    the same descent as the equivalent [start.orbit]."""
    import re
    from pathlib import Path

    from lunarviz import physics, scenario

    tr = fly_scene("apollo11")
    st = tr.at(tr.start_et_s)
    text = (Path(__file__).resolve().parents[2] / "scenes" / "apollo11.toml").read_text()
    state = (f"[start.state]\npos_m = {[float(x) for x in st.pos_m]}\n"
             f"vel_mps = {[float(x) for x in st.vel_mps]}\n\n")
    text = re.sub(r"\[start.orbit\].*?\n\n", state, text, flags=re.S)
    tr2 = physics.fly(scenario.loads(text, "state.toml"))
    td1, td2 = tr.event("touchdown"), tr2.event("touchdown")
    assert abs(td1.et_s - td2.et_s) < 0.05
    assert np.linalg.norm(td1.pos_m - td2.pos_m) < 1.0


def test_a_lone_flight_and_runs_flown_together_take_the_same_steps(fly_scene):
    """The single flight and the vectorised runs (Monte Carlo) fly the one step: two identical
    runs flown together touch down exactly where the lone run does (sensor noise off, since
    each run draws its own)."""
    import dataclasses

    from lunarviz import physics
    from lunarviz.physics import frames, simulate

    scn = fly_scene("resilience").scenario
    quiet = dataclasses.replace(scn, lrf=dataclasses.replace(scn.lrf, noise_m=0.0))
    single = physics.fly(quiet).event("touchdown")
    res = simulate(quiet, 2, seed=0, record=False, dispersed=False)
    assert res.td_et[0] == res.td_et[1] == single.et_s
    assert np.array_equal(res.td_r[0], res.td_r[1])
    rot = frames.rot_j2000_to_me(single.et_s)
    assert np.linalg.norm(rot @ res.td_r[0] - single.pos_m) < 1e-6


def test_uncompiled_fallback_flies_the_same_trajectory(fly_scene, tmp_path):
    """With ``LUNARVIZ_NO_JIT=1`` the same step runs as plain Python (numba missing or
    switched off): HAKUTO-R M1 (rangefinder rejection, hover, empty tank, free fall) flies
    the same samples to 1e-9 m as the compiled step."""
    import os
    import subprocess
    import sys

    from lunarviz.physics import simulate

    out = tmp_path / "plain.npz"
    code = ("import sys, numpy as np; from lunarviz import scenario; from lunarviz.physics import simulate;"
            "from lunarviz.physics._jit import COMPILED; assert not COMPILED;"
            "r = simulate(scenario.load(sys.argv[1]), 1, 0).samples;"
            "np.savez(sys.argv[2], t=r['t'], r=r['r'], m=r['m'])")
    env = dict(os.environ, LUNARVIZ_NO_JIT="1")
    path = str(fly_scene("hakuto-r-m1").scenario.path)
    subprocess.run([sys.executable, "-W", "error", "-c", code, path, str(out)], env=env, check=True,
                   timeout=300)
    plain = np.load(out)
    compiled = simulate(fly_scene("hakuto-r-m1").scenario, 1, 0).samples
    assert plain["t"].shape == compiled["t"].shape
    assert np.abs(plain["r"] - compiled["r"]).max() < FALLBACK_POS_TOL_M
    assert np.abs(plain["m"] - compiled["m"]).max() < 1e-9


def test_first_compile_without_a_writable_cache_is_silent(tmp_path):
    """A cold compile (a whole flight) whose cache folder cannot be created prints nothing
    (warnings are errors)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_")}
    env.update(LUNARVIZ_CACHE=str(blocker / "cache"))
    code = ("import sys; from lunarviz import physics, scenario;"
            "print(physics.fly(scenario.load(sys.argv[1])).event('touchdown') is not None)")
    scene = Path(__file__).resolve().parents[2] / "scenes" / "apollo11.toml"
    res = subprocess.run([sys.executable, "-W", "error", "-c", code, str(scene)], env=env,
                         capture_output=True, text=True, timeout=300, check=False)
    assert res.returncode == 0 and res.stdout.strip() == "True" and res.stderr == "", res.stderr
