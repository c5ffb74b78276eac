"""What-if changes to a scenario (no Qt, no window)."""

import pytest

from lunarviz import scenario
from lunarviz.app.scenes import resolve_scene
from lunarviz.app.whatif_model import apply_changes, current_values, lrf_valid_from_m, outcome_text
from lunarviz.errors import ScenarioError


@pytest.fixture(scope="module")
def sc():
    return scenario.load(resolve_scene("resilience"))


def test_current_values_read_the_scenario(sc):
    v = current_values(sc)
    assert v["lrf_valid_below_m"] == min(sc.lrf.fault_valid_below_m, sc.lrf.max_range_m) == 900.0
    assert v["propellant_kg"] == sc.vehicle.propellant_kg
    assert (v["site_lat_deg"], v["site_lon_deg"]) == (sc.site.lat_deg, sc.site.lon_deg) == (60.5, -4.6)


def test_rangefinder_fault_and_repair(sc):
    healthy = apply_changes(sc, {"lrf_valid_below_m": 3000.0})
    assert healthy.lrf.fault_valid_below_m is None and healthy.lrf.max_range_m == 3000.0
    assert lrf_valid_from_m(healthy) == 3000.0
    worse = apply_changes(sc, {"lrf_valid_below_m": 400.0})
    assert worse.lrf.fault_valid_below_m == 400.0 and lrf_valid_from_m(worse) == 400.0
    better = apply_changes(sc, {"lrf_valid_below_m": 8000.0})
    assert better.lrf.max_range_m == 8000.0 and better.lrf.fault_valid_below_m is None
    assert sc.lrf.fault_valid_below_m == 900.0  # the original is untouched (frozen dataclasses)


def test_vehicle_and_site_changes(sc):
    new = apply_changes(sc, {"propellant_kg": 500.0, "main_thrust_n": 3000.0,
                             "site_lat_deg": 61.0, "site_lon_deg": -5.0})
    assert (new.vehicle.propellant_kg, new.vehicle.main_thrust_n) == (500.0, 3000.0)
    assert (new.site.lat_deg, new.site.lon_deg) == (61.0, -5.0)
    assert new.vehicle.dry_mass_kg == sc.vehicle.dry_mass_kg and new.title == sc.title
    assert apply_changes(sc, {}) is sc
    # the typed tables come along: the terrain moves with the site, the render settings stay
    assert (new.terrain.site_lat_deg, new.terrain.site_lon_deg) == (61.0, -5.0)
    assert new.terrain.seed == sc.terrain.seed and new.render == sc.render
    assert apply_changes(sc, {"site_lon_deg": -4.0}).terrain.site_lat_deg == 60.5


def test_a_site_moved_without_its_terrain_is_refused(sc):
    import dataclasses

    with pytest.raises(ValueError, match="moved_to"):
        dataclasses.replace(sc, site=dataclasses.replace(sc.site, lat_deg=10.0))


@pytest.mark.parametrize("changes, match", [
    ({"warp_drive": 1.0}, "unknown change 'warp_drive'"),
    ({"propellant_kg": -5.0}, "propellant_kg = -5.0"),
    ({"site_lat_deg": 95.0}, "site_lat_deg"),
    ({"main_thrust_n": float("nan")}, "main_thrust_n"),
])
def test_bad_changes_are_one_line_errors(sc, changes, match):
    with pytest.raises(ScenarioError, match=match):
        apply_changes(sc, changes)


def test_outcome_text_without_touchdown():
    assert outcome_text(None) == ""

