"""The shortcuts that make a flight fast give the same numbers as the direct computations."""

import numpy as np

from lunarviz.physics import flight, frames
from lunarviz.physics.navigation import GridTerrain

ROT_TOL = 2e-11          # rotation-matrix elements vs SPICE (SPICE's own round-off is ~1e-12)
ROT_RATE_TOL = 1e-11     # 1/s, rate elements (|dR/dt| ~ 2.7e-6 /s)
POS_TOL_M = 1e-4         # MOON_ME position of the samples, m
GRID_TOL_M = 1e-9        # lazily tiled vs eagerly filled rangefinder grid, m


def test_interpolated_moon_me_rotation_matches_spice(fly_scene):
    tr = fly_scene("resilience")
    res = flight.simulate(tr.scenario, 1, 0)
    t, r_in = res.samples["t"], res.samples["r"]
    rot_i, rate_i = flight._rot_and_rate_dense(t)
    rot_s, rate_s = frames.rot_and_rate(t)
    assert np.abs(rot_i - rot_s).max() < ROT_TOL
    assert np.abs(rate_i - rate_s).max() < ROT_RATE_TOL
    dpos = np.einsum("nij,nj->ni", rot_i - rot_s, r_in)
    assert np.linalg.norm(dpos, axis=1).max() < POS_TOL_M


def test_lazy_rangefinder_grid_is_the_eager_grid_in_any_fill_order(fly_scene):
    scn = fly_scene("resilience").scenario
    terrain = flight.make_terrain_for(scn)
    assert flight.make_terrain_for(scn) is terrain            # cached per terrain settings
    a, b = GridTerrain(terrain, 100.0), GridTerrain(terrain, 100.0)
    n_tiles = a._nt * a._nt
    a._fill(np.arange(n_tiles)[::-1])
    b._fill(np.random.default_rng(7).permutation(n_tiles))
    assert np.array_equal(a.grid, b.grid)                      # order cannot change a node
    e, n = np.meshgrid(a.axis, a.axis, indexing="xy")
    eager = np.asarray(terrain.local_height_m(e.ravel(), n.ravel()), float).reshape(a.k, a.k)
    assert np.abs(a.grid - eager).max() < GRID_TOL_M
    # lookups between nodes agree too, and a lookup fills only the tiles it needs
    c = GridTerrain(terrain, 100.0)
    rng = np.random.default_rng(3)
    pe, pn = rng.uniform(-2000, 2000, 500), rng.uniform(-2000, 2000, 500)
    assert np.array_equal(c.height_local(pe, pn), a.height_local(pe, pn))
    assert 0 < c._done.sum() < n_tiles // 4
