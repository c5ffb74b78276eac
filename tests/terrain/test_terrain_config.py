"""TerrainConfig.from_mapping: defaults, validation messages naming file and key."""

import pytest

from lunarviz.errors import ScenarioError
from lunarviz.terrain import CliffConfig, SphereTerrain, TerrainConfig, make_terrain


def cfg(table, **kw):
    return TerrainConfig.from_mapping(table, source="scenes/demo.toml", site_lat_deg=kw.get("lat", 60.5),
                                      site_lon_deg=kw.get("lon", -4.6))


def test_defaults_and_values():
    c = cfg({})
    assert c.kind == "procedural" and c.seed == 0 and c.extent_m == 20000.0
    c = cfg({"kind": "procedural", "seed": 7, "extent_m": 30000, "relief_m": 10.0,
             "cliff": {"height_m": 3000, "offset_m": -2000, "azimuth_deg": 90}})
    assert c.seed == 7 and c.extent_m == 30000.0 and c.site_lat_deg == 60.5
    assert c.cliff == CliffConfig(height_m=3000.0, offset_m=-2000.0, azimuth_deg=90.0)
    assert isinstance(make_terrain(cfg({"kind": "sphere"})), SphereTerrain)


@pytest.mark.parametrize(
    "table, key",
    [
        ({"colour": 1}, "colour"),
        ({"kind": "voxels"}, "kind"),
        ({"seed": -1}, "seed"),
        ({"seed": 1.5}, "seed"),
        ({"extent_m": "big"}, "extent_m"),
        ({"extent_m": 10}, "extent_m"),
        ({"relief_m": float("nan")}, "relief_m"),
        ({"fresh_fraction": 2}, "fresh_fraction"),
        ({"max_crater_m": 1.0}, "max_crater_m"),
        ({"cliff": {"height": 3}}, "height"),
        ({"cliff": {"width_m": 0}}, "[terrain.cliff] width_m"),
        ({"cliff": 5}, "cliff"),
        ({"kind": "dem"}, "path"),
        ({"kind": "dem", "path": "nope.tif"}, "path"),
    ],
)
def test_bad_values_name_file_and_key(table, key):
    with pytest.raises(ScenarioError) as info:
        cfg(table)
    msg = str(info.value)
    assert msg.startswith("scenes/demo.toml: ")
    assert key in msg
    assert "\n" not in msg


def test_config_is_hashable_and_cached():
    a, b = cfg({"seed": 4}), cfg({"seed": 4})
    assert a == b and hash(a) == hash(b)
    assert make_terrain(a) is make_terrain(b)
