"""The shipped scenarios reach their historical outcomes through the physics (issue #3)."""

import numpy as np
import pytest

from lunarviz.physics import outcome_summary
from lunarviz.timebase import utc_to_et

# named tolerances
RESILIENCE_IMPACT_MPS = (25.0, 70.0)      # FACTS: ~42 m/s (one summary: up to 66 m/s)
NOMINAL_TD_WINDOW_S = 90.0                # "about 19:17 UTC"
NOMINAL_MAX_VERTICAL_MPS = 2.0            # issue: < 2 m/s vertical
NOMINAL_MAX_MISS_M = 3000.0               # "near 60.5 N 4.6 W"
M1_HOVER_ALT_M = (3500.0, 6500.0)         # FACTS: ~5 km up
M1_IMPACT_MPS = (100.0, 150.0)            # FACTS: ~127 m/s
APOLLO_PD_DURATION_S = (11 * 60.0, 14 * 60.0)   # FACTS: ~12-minute powered descent


def test_resilience_as_flown_hits_too_fast_before_planned_time(fly_scene):
    tr = fly_scene("resilience")
    s = outcome_summary(tr)
    assert s["outcome"] == "crashed"
    assert RESILIENCE_IMPACT_MPS[0] < s["touchdown_vertical_speed_mps"] < RESILIENCE_IMPACT_MPS[1]
    td = tr.event("touchdown").et_s
    planned = utc_to_et("2025-06-05T19:17:00")
    assert planned - 300.0 < td < planned          # shortly before 19:17:00
    lrf = tr.event("lrf_first_valid")
    assert lrf is not None and lrf.alt_m < 950.0   # FACTS: first valid value only below ~900 m
    # the lander believed it was higher than it was, by hundreds of metres or more, before the fix
    i = np.searchsorted(tr.et_s, lrf.et_s) - 1
    assert tr.est_alt_m[i] - tr.alt_m[i] > 300.0


def test_resilience_nominal_lands_softly_near_the_site_at_1917(fly_scene):
    tr = fly_scene("resilience-nominal")
    s = outcome_summary(tr)
    assert s["outcome"] == "landed"
    assert s["touchdown_vertical_speed_mps"] < NOMINAL_MAX_VERTICAL_MPS
    td = tr.event("touchdown").et_s
    assert abs(td - utc_to_et("2025-06-05T19:17:00")) < NOMINAL_TD_WINDOW_S
    assert s["touchdown_miss_distance_m"] < NOMINAL_MAX_MISS_M
    assert abs(s["touchdown_lat_deg"] - 60.5) < 0.1 and abs(s["touchdown_lon_deg"] + 4.6) < 0.2
    assert tr.event("lrf_first_valid").alt_m > 2000.0   # working LRF: valid from ~3 km slant range


@pytest.mark.parametrize("name", ["resilience", "resilience-nominal"])
def test_resilience_timeline_follows_facts(fly_scene, name):
    tr = fly_scene(name)
    start, deorbit = tr.event("start"), tr.event("deorbit")
    assert deorbit.et_s - start.et_s >= 7000.0          # >= one ~2 h orbit before the deorbit burn
    assert tr.event("earthrise") is not None            # seen from orbit
    burn = tr.event("deorbit_end").et_s - deorbit.et_s
    assert 40.0 < burn < 90.0                           # ~1 min deorbit burn
    pd = tr.event("powered_descent")
    assert 40 * 60 < pd.et_s - deorbit.et_s < 60 * 60   # ~50 min coast
    assert 15e3 < pd.alt_m < 25e3                       # down to ~20 km
    pu = tr.event("pitch_up")
    assert 8 * 60 < pu.et_s - pd.et_s < 11 * 60         # ~10 min braking
    assert 80.0 < pu.speed_mps < 130.0                  # to ~380 km/h (105 m/s)


def test_hakuto_m1_hovers_kilometres_up_then_falls(fly_scene):
    tr = fly_scene("hakuto-r-m1")
    s = outcome_summary(tr)
    assert tr.event("lrf_rejected") is not None
    ex = tr.event("propellant_exhausted")
    assert ex is not None and M1_HOVER_ALT_M[0] < ex.alt_m < M1_HOVER_ALT_M[1]
    # it had stopped descending (< 1 m/s) before the propellant ran out
    st = tr.at(ex.et_s - 30.0)
    assert abs(st.vertical_speed_mps) < 3.0 and st.est_alt_m < 50.0
    assert s["outcome"] == "crashed"
    assert M1_IMPACT_MPS[0] < s["touchdown_vertical_speed_mps"] < M1_IMPACT_MPS[1]
    assert s["propellant_remaining_kg"] == pytest.approx(0.0, abs=1e-6)


def test_apollo11_lands_with_little_propellant(fly_scene):
    tr = fly_scene("apollo11")
    s = outcome_summary(tr)
    assert s["outcome"] == "landed"
    pd = tr.event("powered_descent")
    td = tr.event("touchdown")
    assert APOLLO_PD_DURATION_S[0] < td.et_s - pd.et_s < APOLLO_PD_DURATION_S[1]
    assert 12e3 < pd.alt_m < 17e3
    prop0 = tr.mass_kg[0] - tr.dry_mass_kg
    assert 0.0 < s["propellant_remaining_kg"] < 0.1 * prop0
    assert abs(td.et_s - utc_to_et("1969-07-20T20:17:40")) < 60.0


def test_beresheet_imu_reset_cuts_engine_and_it_crashes(fly_scene):
    tr = fly_scene("beresheet")
    reset, restart = tr.event("imu_reset"), tr.event("engine_restart")
    assert reset is not None and 12e3 < reset.alt_m < 16e3          # FACTS: fault ~14 km up
    k = (tr.et_s > reset.et_s + 0.05) & (tr.et_s < restart.et_s - 0.05)
    assert np.all(tr.throttle[k] == 0.0)                              # engine really off
    s = outcome_summary(tr)
    assert s["outcome"] == "crashed" and s["touchdown_vertical_speed_mps"] > 50.0
