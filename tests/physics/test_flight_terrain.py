"""The Trajectory carries the terrain it was flown over: one cached terrain per [terrain] config."""

from pathlib import Path

from lunarviz import physics, scenario, terrain
from lunarviz.physics import flight
from lunarviz.trajectory import EVENT_NAMES

SCENES = Path(__file__).resolve().parents[2] / "scenes"


def test_trajectory_carries_the_one_cached_terrain(fly_scene):
    tr = fly_scene("resilience")
    assert tr.scenario is not None and isinstance(tr.scenario.terrain, terrain.TerrainConfig)
    assert tr.terrain is terrain.make_terrain(tr.scenario.terrain)      # the one cache
    assert flight.make_terrain_for(tr.scenario) is tr.terrain
    # the touchdown altitude was measured against the very terrain the trajectory carries
    td = tr.event("touchdown")
    assert abs(float(tr.terrain.surface_altitude_m(td.pos_m[None, :])[0])) < 0.5


def test_an_equal_scenario_loaded_again_shares_the_terrain(fly_scene):
    a = scenario.load(SCENES / "resilience.toml")
    assert terrain.make_terrain(a.terrain) is fly_scene("resilience").terrain


def test_no_terrain_table_flies_over_the_sphere(tmp_path):
    text = (SCENES / "apollo11.toml").read_text()
    start = text.index("[terrain]")
    end = text.find("\n[", start + 1)
    p = tmp_path / "bare.toml"
    p.write_text(text[:start] + (text[end:] if end >= 0 else ""))
    tr = physics.fly(scenario.load(p))
    assert isinstance(tr.terrain, terrain.SphereTerrain)


def test_every_event_physics_emits_is_a_known_event_name(fly_scene):
    """[story.captions] and time specs are checked against EVENT_NAMES at load: it must cover the physics."""
    seen = set()
    for p in sorted(SCENES.glob("*.toml")):
        seen |= set(fly_scene(p.stem).event_names())
    assert seen <= set(EVENT_NAMES), seen - set(EVENT_NAMES)
    assert {"touchdown", "powered_descent", "deorbit", "lrf_first_valid", "imu_reset"} <= seen
