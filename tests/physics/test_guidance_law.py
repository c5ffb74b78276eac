"""The guidance laws on their own: E-guidance, the terminal descent-rate schedule, the phases."""

import math

import numpy as np
import pytest

from lunarviz.physics import guidance, vec3

G_MOON = 1.62                  # uniform gravity for the tests, m/s^2
GATE_POS_TOL_M = 0.5           # closed loop vs the open-loop profile (10 ms hold), position
GATE_VEL_TOL_MPS = 0.05        # and velocity


def _fly_e_guidance(r, v, r_t, v_t, t_go, t_fly, dt=0.01):
    """Closed loop in uniform gravity for ``t_fly`` s: the thrust gives a_cmd - g, re-commanded
    every dt."""
    g = (0.0, 0.0, -G_MOON)
    for k in range(round(t_fly / dt)):
        a_cmd = guidance.e_guidance(r, v, r_t, v_t, t_go - k * dt)
        a = vec3.add(vec3.sub(a_cmd, g), g)
        r = vec3.add(vec3.axpy(dt, v, r), vec3.scale(a, 0.5 * dt * dt))
        v = vec3.axpy(dt, a, v)
    return np.array(r), np.array(v)


def test_e_guidance_flies_the_linear_acceleration_profile_to_its_gate():
    r0, v0 = np.array([0.0, 0.0, 2000.0]), np.array([120.0, 5.0, -20.0])
    r_t, v_t = np.array([4000.0, 100.0, 150.0]), np.array([10.0, 0.0, -3.0])
    big_t = 60.0
    # the open-loop profile a(s) = a0 + j s that meets the gate at big_t
    a0 = np.array(guidance.e_guidance(tuple(r0), tuple(v0), tuple(r_t), tuple(v_t), big_t))
    j = 2.0 * (v_t - v0 - a0 * big_t) / big_t ** 2
    assert np.allclose(r0 + v0 * big_t + a0 * big_t ** 2 / 2 + j * big_t ** 3 / 6, r_t)
    # re-commanded every step, the law keeps to that profile until its time-to-go floor
    s = big_t - guidance.MIN_TGO_S
    r, v = _fly_e_guidance(tuple(r0), tuple(v0), tuple(r_t), tuple(v_t), big_t, s)
    assert np.linalg.norm(r - (r0 + v0 * s + a0 * s * s / 2 + j * s ** 3 / 6)) < GATE_POS_TOL_M
    assert np.linalg.norm(v - (v0 + a0 * s + j * s * s / 2)) < GATE_VEL_TOL_MPS


def test_e_guidance_commands_nothing_on_the_straight_path_to_its_gate():
    v_t = (30.0, -4.0, -2.0)
    r_t = (1000.0, 0.0, 100.0)
    t_go = 40.0
    r = vec3.axpy(-t_go, v_t, r_t)           # already coasting into the gate
    assert np.allclose(guidance.e_guidance(r, v_t, r_t, v_t, t_go), 0.0, atol=1e-12)


def test_e_guidance_is_the_linear_acceleration_profile():
    r, v, r_t, v_t, t = (0.0, 0.0, 0.0), (1.0, 2.0, 3.0), (100.0, -50.0, 20.0), (0.0, 0.0, -1.0), 20.0
    a = guidance.e_guidance(r, v, r_t, v_t, t)
    for i in range(3):
        assert a[i] == pytest.approx(6 * (r_t[i] - r[i]) / t ** 2 - (4 * v[i] + 2 * v_t[i]) / t)


def test_terminal_descent_rate_schedule():
    k, v_max, v_td = 0.1, 20.0, 1.0
    assert guidance.descent_rate(0.0, k, v_max, v_td) == -v_td
    assert guidance.descent_rate(-5.0, k, v_max, v_td) == -v_td          # below the site level
    assert guidance.descent_rate(50.0, k, v_max, v_td) == pytest.approx(-6.0)
    assert guidance.descent_rate(5000.0, k, v_max, v_td) == -v_max


def _terminal(v_rel, alt, site_rel=None, k=0.1, v_max=20.0, v_td=1.0, h_gain=0.2):
    up = (0.0, 0.0, 1.0)
    site_rel = (0.0, 0.0, -alt) if site_rel is None else site_rel
    return np.array(guidance.terminal(v_rel, up, alt, site_rel, G_MOON, k, v_max, v_td, h_gain))


def test_terminal_on_schedule_above_the_site_commands_nothing():
    assert np.allclose(_terminal((0.0, 0.0, -6.0), 50.0), 0.0, atol=1e-12)


def test_terminal_tracks_the_schedule_with_its_time_constant():
    a = _terminal((0.0, 0.0, -9.0), 50.0)          # 3 m/s faster down than commanded
    assert a[2] == pytest.approx(3.0 / guidance.TAU_V_S)
    a = _terminal((0.0, 0.0, 30.0), 50.0)          # climbing hard: never below -0.9 g
    assert a[2] == pytest.approx(-0.9 * G_MOON)


def test_terminal_tilt_limit_and_no_site_seeking_near_the_ground():
    a = _terminal((40.0, 0.0, -6.0), 50.0)         # large horizontal speed to null
    tilt = math.degrees(math.atan2(math.hypot(a[0], a[1]), a[2] + G_MOON))
    assert tilt == pytest.approx(30.0)
    # 40 m up, 300 m from the site, hovering: nulls the (zero) horizontal velocity only
    a = _terminal((0.0, 0.0, -5.0), 40.0, site_rel=(300.0, 0.0, -40.0))
    assert abs(a[0]) < 1e-12 and abs(a[1]) < 1e-12
    # higher up it flies towards the site
    assert _terminal((0.0, 0.0, -11.0), 100.0, site_rel=(300.0, 0.0, -100.0))[0] > 0.0


def test_thrust_never_pushes_down():
    up = (0.0, 0.0, 1.0)
    f = guidance.thrust_force((1.0, 0.0, -5.0), (0.0, 0.0, -1.62), up, 1000.0)
    assert f[2] == 0.0 and f[0] == pytest.approx(1000.0)


def test_phases_follow_the_clock_and_the_low_gate_and_never_go_back():
    et_hg, et_lg, lg_alt = 100.0, 200.0, 500.0
    ph = guidance.phase
    assert ph(guidance.P_BRAKING, 50.0, 5000.0, et_hg, et_lg, lg_alt) == guidance.P_BRAKING
    assert ph(guidance.P_BRAKING, 150.0, 5000.0, et_hg, et_lg, lg_alt) == guidance.P_APPROACH
    assert ph(guidance.P_APPROACH, 150.0, 400.0, et_hg, et_lg, lg_alt) == guidance.P_TERMINAL
    assert ph(guidance.P_TERMINAL, 150.0, 5000.0, et_hg, et_lg, lg_alt) == guidance.P_TERMINAL
    assert ph(guidance.P_BRAKING, 250.0, 5000.0, et_hg, et_lg, lg_alt) == guidance.P_TERMINAL
    # no approach phase (nan gate): terminal straight after braking
    assert ph(guidance.P_BRAKING, 150.0, 5000.0, et_hg, math.nan, math.nan) == guidance.P_TERMINAL
