"""The engine and the navigation filter on their own: mass flow, empty tanks, the rangefinder's
acceptance and rejection, the inertial-unit reset."""

import math
from types import SimpleNamespace

import numpy as np
import pytest

from lunarviz.physics import engine, navigation
from lunarviz.physics.dynamics import G0_MPS2

R_M = 1737.4e3
ISP_G0 = 311.0 * G0_MPS2


def test_burn_mass_flow_is_thrust_over_isp():
    thrust, mdot, frac, m1 = engine.burn(4000.0, 0.0, ISP_G0, ISP_G0, 1.0, 1500.0, 1000.0, 0.1)
    assert frac == 1.0 and thrust == 4000.0
    assert mdot == pytest.approx(4000.0 / ISP_G0)
    assert m1 == pytest.approx(1500.0 - mdot * 0.1)


def test_burn_stops_at_an_empty_tank_and_never_goes_below_dry_mass():
    dry = 1000.0
    mdot_full = 4000.0 / ISP_G0
    prop = 0.25 * mdot_full * 0.1                   # lasts a quarter of the step
    thrust, mdot, frac, m1 = engine.burn(4000.0, 0.0, ISP_G0, ISP_G0, 1.0, dry + prop, dry, 0.1)
    assert frac == pytest.approx(0.25) and m1 == dry
    assert thrust == pytest.approx(1000.0) and mdot * 0.1 == pytest.approx(prop)
    # empty tank: no thrust at all, mass stays dry
    assert engine.burn(4000.0, 50.0, ISP_G0, ISP_G0, 1.0, dry, dry, 0.1) == (0.0, 0.0, 0.0, dry)
    # many steps at full throttle: the mass never drops below dry
    m = dry + 3.0
    for _ in range(100):
        m = engine.burn(4000.0, 0.0, ISP_G0, ISP_G0, 1.0, m, dry, 0.1)[3]
        assert m >= dry
    assert m == dry


def test_engine_off_burns_nothing():
    assert engine.burn(0.0, 0.0, ISP_G0, ISP_G0, 0.0, 1500.0, 1000.0, 0.1) == (0.0, 0.0, 1.0, 1500.0)


def test_throttle_limits():
    assert engine.throttle(100.0, 0.0, 4000.0, 0.1, 1.0) == 0.1
    assert engine.throttle(9000.0, 0.0, 4000.0, 0.1, 1.0) == 1.0
    assert engine.throttle(2100.0, 100.0, 4000.0, 0.1, 1.0) == pytest.approx(0.5)


def test_imu_reset_window_cuts_the_engine():
    assert navigation.engine_enabled(9.9, 10.0, 20.0)
    assert not navigation.engine_enabled(10.0, 10.0, 20.0)
    assert not navigation.engine_enabled(19.9, 10.0, 20.0)
    assert navigation.engine_enabled(20.0, 10.0, 20.0)
    assert navigation.engine_enabled(15.0, math.nan, math.nan)      # no reset


def test_inertial_propagation_with_an_accelerometer_bias():
    dr, dv = (0.0, 0.0, 0.0), (0.0, 0.0, 1.0)
    r = (0.0, 0.0, R_M)
    dr, dv = navigation.propagate(dr, dv, r, 2.0, 0.01)
    assert dv == pytest.approx((0.0, 0.0, 1.02))
    assert dr == pytest.approx((0.0, 0.0, 2.04))


class _Ground:
    """A flat-on-the-sphere terrain with a step of ``cliff_m`` where the x coordinate is > 0."""

    radius_m = R_M
    min_height_m = 0.0

    def __init__(self, cliff_m=0.0):
        self.cliff_m = cliff_m
        self.max_height_m = max(cliff_m, 0.0)

    def surface_altitude_m(self, pos):
        pos = np.asarray(pos, float)
        h = np.where(pos[..., 0] > 0.0, self.cliff_m, 0.0)
        return np.linalg.norm(pos, axis=-1) - R_M - h


def _lrf(**kw):
    base = dict(enabled=True, max_range_m=8000.0, fault_valid_below_m=None, noise_m=0.0,
                max_off_nadir_deg=45.0, jump_reject_m=None)
    base.update(kw)
    return SimpleNamespace(**base)


def _look(rf, alt_true_m, est_err_m, t=0.0, x_m=-10.0):
    """One rangefinder update of one lander above (x_m, 0) pointing straight down."""
    r = np.array([[x_m, 0.0, R_M + alt_true_m]])
    b = np.array([[0.0, 0.0, 1.0]])                  # thrust up, beam (-Z) down
    dr, dv = np.array([[0.0, 0.0, est_err_m]]), np.zeros((1, 3))
    valid = np.zeros(1, bool)
    events = rf.update(np.ones(1, bool), t, 0.1, r, b, dr, dv, valid, lambda x: x)
    return dr[0, 2], dv[0, 2], bool(valid[0]), events


def _rangefinder(terrain, **kw):
    return navigation.Rangefinder(_lrf(**kw), terrain, R_M, 0.5, 0.05, np.ones(1), np.random.default_rng(0))


def test_rangefinder_corrects_the_estimate_towards_the_measurement():
    rf = _rangefinder(_Ground())
    dr, dv, valid, events = _look(rf, 1000.0, 300.0)   # believes it is 300 m higher
    assert valid and events == ["lrf_first_valid"]
    assert dr == pytest.approx(300.0 - 0.5 * 0.1 * 300.0)            # K1 dt y
    assert dv == pytest.approx(-0.05 * 0.1 * navigation.VEL_INNOVATION_CLIP_M)   # clipped


def test_degraded_rangefinder_is_valid_only_below_its_altitude_limit():
    rf = _rangefinder(_Ground(), fault_valid_below_m=900.0)
    dr, _, valid, events = _look(rf, 1500.0, 300.0)
    assert not valid and dr == 300.0 and events == []
    dr, _, valid, events = _look(rf, 850.0, 300.0, t=1.0)
    assert valid and dr < 300.0 and events == ["lrf_first_valid"]


def test_rangefinder_out_of_range_or_off_nadir_is_not_used():
    rf = _rangefinder(_Ground(), max_range_m=500.0)
    assert not _look(rf, 800.0, 0.0)[2]
    rf = _rangefinder(_Ground())
    r = np.array([[0.0, 0.0, R_M + 500.0]])
    b = np.array([[math.sin(1.0), 0.0, math.cos(1.0)]])     # 57 deg off nadir
    valid = np.zeros(1, bool)
    rf.update(np.ones(1, bool), 0.0, 0.1, r, b, np.zeros((1, 3)), np.zeros((1, 3)), valid, lambda x: x)
    assert not valid[0]


def test_a_jump_in_the_measured_altitude_rejects_the_rangefinder_for_good():
    ground = _Ground(cliff_m=0.0)
    rf = _rangefinder(ground, jump_reject_m=200.0)
    assert _look(rf, 3000.0, 0.0, t=0.0)[2]
    # a 50 m step is within the limit
    ground.cliff_m = ground.max_height_m = 50.0
    assert _look(rf, 3000.0, 0.0, t=0.5, x_m=10.0)[2]
    # then a 1,000 m cliff under the lander: the measurement jumps, the rangefinder is rejected
    ground.cliff_m = ground.max_height_m = 1050.0
    dr, _, valid, events = _look(rf, 3000.0, 0.0, t=1.0, x_m=10.0)
    assert not valid and events == ["lrf_rejected"] and dr == 0.0
    assert rf.state.rejected[0] and rf.state.rejected_t[0] == 1.0
