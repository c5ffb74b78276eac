"""The shipped scenarios reach their historical outcomes through the physics (issue #3)."""

import numpy as np
import pytest

from lunarviz.physics import outcome_summary
from lunarviz.timebase import utc_to_et

# named tolerances ("FACTS:" cites docs/facts.md)
RESILIENCE_IMPACT_MPS = (35.0, 55.0)      # FACTS: ~42 m/s (one summary: up to 66 m/s)
NOMINAL_TD_WINDOW_S = 90.0                # "about 19:17 UTC"
NOMINAL_MAX_VERTICAL_MPS = 2.0            # issue: < 2 m/s vertical
NOMINAL_MAX_MISS_M = 3000.0               # "near 60.5 N 4.6 W"
M1_HOVER_ALT_M = (3500.0, 6500.0)         # FACTS: ~5 km up
M1_IMPACT_MPS = (100.0, 150.0)            # FACTS: ~127 m/s
APOLLO_PD_DURATION_S = (11 * 60.0, 14 * 60.0)   # FACTS: ~12-minute powered descent
RESILIENCE_LRO_SITE_NE_M = (-282.0, 236.0)  # FACTS: LRO crater ~282 m south, ~236 m east of the target
RESILIENCE_LRO_MAX_DIST_M = 200.0         # how close the as-flown impact must come to the LRO crater


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


def _north_east_of(lat_deg, lon_deg, lat0_deg, lon0_deg):
    """Local north/east offsets (m) on the 1737.4 km sphere (small distances)."""
    r = 1737.4e3
    north = np.radians(lat_deg - lat0_deg) * r
    east = np.radians(lon_deg - lon0_deg) * r * np.cos(np.radians(lat0_deg))
    return north, east


def test_resilience_impact_is_near_the_lro_crater(fly_scene):
    # the horizontal navigation error (downrange/crossrange) of the scene puts the as-flown
    # impact where LRO found the new crater; without it the impact was ~540 m north of the target
    s = outcome_summary(fly_scene("resilience"))
    north, east = _north_east_of(s["touchdown_lat_deg"], s["touchdown_lon_deg"], 60.5, -4.6)
    dist = np.hypot(north - RESILIENCE_LRO_SITE_NE_M[0], east - RESILIENCE_LRO_SITE_NE_M[1])
    assert dist < RESILIENCE_LRO_MAX_DIST_M, (north, east, dist)
    assert north < 0.0 and east > 0.0      # south-east of the target, as the crater


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


# named tolerances for the two landings added from the FACTS library table
BLUE_GHOST_TD_WINDOW_S = 90.0             # FACTS: touchdown 08:34 UTC (to the minute)
BLUE_GHOST_MAX_MISS_M = 300.0             # FACTS: landed ~118 m from target
CH3_TD_WINDOW_S = 90.0                    # FACTS: touchdown 12:33 UTC (to the minute)
CH3_ROUGH_BRAKING_S = (10.5 * 60, 12.5 * 60)   # FACTS: 30 km -> 7.2 km in ~11.5 min
CH3_ROUGH_BRAKING_END_ALT_M = (6000.0, 8500.0)  # FACTS: ~7.2 km
SOFT_VERTICAL_MPS = 2.0


def test_blue_ghost_m1_lands_softly_near_its_target_at_0834(fly_scene):
    tr = fly_scene("blue-ghost-m1")
    s = outcome_summary(tr)
    assert s["outcome"] == "landed"
    assert s["touchdown_vertical_speed_mps"] < SOFT_VERTICAL_MPS
    assert abs(tr.event("touchdown").et_s - utc_to_et("2025-03-02T08:34:00")) < BLUE_GHOST_TD_WINDOW_S
    assert s["touchdown_miss_distance_m"] < BLUE_GHOST_MAX_MISS_M
    assert abs(s["touchdown_lat_deg"] - 18.5623) < 0.02 and abs(s["touchdown_lon_deg"] - 61.8103) < 0.02
    assert s["propellant_remaining_kg"] > 0.0


def test_chandrayaan3_brakes_from_30_km_and_lands_softly_at_1233(fly_scene):
    tr = fly_scene("chandrayaan-3")
    s = outcome_summary(tr)
    assert s["outcome"] == "landed"
    assert s["touchdown_vertical_speed_mps"] < SOFT_VERTICAL_MPS
    pd, rough_end = tr.event("powered_descent"), tr.event("pitch_up")
    assert 28e3 < pd.alt_m < 32e3                                     # FACTS: braking from 30 km
    assert CH3_ROUGH_BRAKING_S[0] < rough_end.et_s - pd.et_s < CH3_ROUGH_BRAKING_S[1]
    assert CH3_ROUGH_BRAKING_END_ALT_M[0] < rough_end.alt_m < CH3_ROUGH_BRAKING_END_ALT_M[1]
    assert abs(tr.event("touchdown").et_s - utc_to_et("2023-08-23T12:33:00")) < CH3_TD_WINDOW_S
    assert abs(s["touchdown_lat_deg"] + 69.373) < 0.05 and abs(s["touchdown_lon_deg"] - 32.319) < 0.1
