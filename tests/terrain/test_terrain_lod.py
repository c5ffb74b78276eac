"""Level-of-detail meshes and tiles sample the one height function without cracks."""

import numpy as np
import pytest

from lunarviz.terrain import CliffConfig, TerrainConfig, make_terrain

MM = 1e-3


@pytest.fixture(scope="module")
def terrain():
    return make_terrain(TerrainConfig(seed=2, site_lat_deg=0.6741, site_lon_deg=23.4730))


def test_lod_mesh_is_crack_free(terrain):
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    mesh = terrain.lod_mesh(37.0, -12.0, finest_spacing_m=1.0, cells_per_side=32)
    e, n = terrain.latlon_to_local(mesh.lat_deg, mesh.lon_deg)
    levels = int(mesh.level.max()) + 1
    assert levels == terrain.lod_levels_needed(1.0, 32)
    assert 16 * 2 ** (levels - 1) >= terrain.extent_m / 2
    table = {(round(a, 2), round(b, 2)): h for a, b, h in zip(e, n, mesh.height_m, strict=True)}
    assert len(table) == len(e)  # no duplicated vertices
    ce, cn = np.median(e[mesh.level == 0]), np.median(n[mesh.level == 0])
    for k in range(levels - 1):
        s = 2.0 ** k
        fine = np.nonzero(mesh.level == k)[0]
        rel = np.maximum(np.abs(e[fine] - ce), np.abs(n[fine] - cn))
        edge = fine[np.isclose(rel, rel.max(), atol=0.01)]
        odd = 0
        for i in edge:
            along_e = abs(abs(n[i] - cn) - rel.max()) < 0.01
            d = (s, 0.0) if along_e else (0.0, s)
            a = table.get((round(e[i] - d[0], 2), round(n[i] - d[1], 2)))
            b = table.get((round(e[i] + d[0], 2), round(n[i] + d[1], 2)))
            ie = int(round((e[i] - ce + 16 * s) / s)) if along_e else int(round((n[i] - cn + 16 * s) / s))
            if ie % 2 == 1:  # odd vertex: must lie on the coarse edge between its neighbours
                assert mesh.height_m[i] == pytest.approx(0.5 * (a + b), abs=MM)
                odd += 1
        assert odd == 4 * 16
    # the rings share their boundary vertices: one connected mesh
    f = mesh.faces
    adj = coo_matrix((np.ones(3 * len(f)), (np.r_[f[:, 0], f[:, 1], f[:, 2]], np.r_[f[:, 1], f[:, 2], f[:, 0]])),
                     shape=(len(e), len(e)))
    assert connected_components(adj, directed=False)[0] == 1


def test_mesh_heights_are_the_height_function(terrain):
    mesh = terrain.lod_mesh(finest_spacing_m=2.0, cells_per_side=16)
    interior = np.ones(len(mesh.height_m), bool)
    h = terrain.height_m(mesh.lat_deg, mesh.lon_deg)
    # all but the stitched odd edge vertices carry the exact height
    exact = np.isclose(h, mesh.height_m, atol=MM)
    assert exact.mean() > 0.8
    # points lie at radius R + h along their lat/lon direction
    r = np.linalg.norm(mesh.points_m, axis=1)
    np.testing.assert_allclose(r - terrain.radius_m, mesh.height_m, atol=MM)
    # local frame is the site ENU frame
    np.testing.assert_allclose(mesh.site_m + mesh.local_m @ mesh.basis, mesh.points_m, atol=MM)
    assert mesh.faces.max() < len(mesh.points_m) and mesh.faces.dtype == np.int32
    # faces wind counter-clockwise seen from above: normals point up
    p = mesh.local_m
    nrm = np.cross(p[mesh.faces[:, 1]] - p[mesh.faces[:, 0]], p[mesh.faces[:, 2]] - p[mesh.faces[:, 0]])
    assert (nrm[:, 2] > 0).mean() > 0.99
    uv = mesh.uv_global()
    assert uv.shape == (len(p), 2) and 0 <= uv.min() and uv.max() <= 1
    del interior


def test_tiles_at_two_spacings_agree_on_shared_points(terrain):
    fine = terrain.tile_grid(100.0, 200.0, half_size_m=64.0, spacing_m=1.0)
    coarse = terrain.tile_grid(100.0, 200.0, half_size_m=64.0, spacing_m=2.0)
    np.testing.assert_allclose(fine.height_m[::2, ::2], coarse.height_m, atol=MM)
    assert fine.points_m.shape == fine.height_m.shape + (3,)


def test_cliff_gives_a_three_km_step():
    cliff = CliffConfig(height_m=3000.0, offset_m=-4000.0, azimuth_deg=90.0, width_m=1500.0,
                        back_slope_m=15000.0)
    t = make_terrain(TerrainConfig(seed=1, extent_m=60000.0, site_lat_deg=47.581, site_lon_deg=44.094,
                                   cliff=cliff))
    above = t.local_height_m(np.array([-6000.0]), np.array([0.0]))[0]
    below = t.local_height_m(np.array([-2000.0]), np.array([0.0]))[0]
    assert above - below == pytest.approx(3000.0, rel=0.1)
    # a rangefinder pointing down while flying east at 5 km jumps by ~3 km over the cliff
    ranges = []
    for e in (-6000.0, -2000.0):
        origin = t.local_to_moon_me(e, 0.0, 5000.0)
        ranges.append(t.raycast_m(origin, -origin / np.linalg.norm(origin), 10000.0))
    assert ranges[1] - ranges[0] == pytest.approx(3000.0, rel=0.1)


def test_a_cliff_sharper_than_the_globe_mesh_is_drawn_as_a_slope_not_spikes():
    # HAKUTO-R M1's 3 km scarp is 150 m wide; ~2.5 km from the site the near globe's vertices are
    # ~200 m apart, so vertices on one ring straddle the step at random and drew a sawtooth
    from lunarviz.geometry import MOON_RADIUS_M
    from lunarviz.render.terrain_mesh import globe_mesh, graded_ring_angles

    cliff = CliffConfig(height_m=3000.0, offset_m=-2500.0, azimuth_deg=0.0, width_m=150.0, back_slope_m=7000.0)
    t = make_terrain(TerrainConfig(seed=3, site_lat_deg=47.581, site_lon_deg=44.094, cliff=cliff))
    rings = graded_ring_angles(2.0, 1.08, 30e3, 1.25)
    n_seg = 96
    sharp = globe_mesh(47.581, 44.094, rings, n_seg, t.height_m, 0.72 * t.extent_m)
    drawn = globe_mesh(47.581, 44.094, rings, n_seg, t.height_m, 0.72 * t.extent_m,
                       mesh_height_fn=t.mesh_height_m)

    def worst_step(mesh):  # the largest height change between neighbours along a ring, 2-6 km out
        d = rings * MOON_RADIUS_M
        sel = np.nonzero((d > 2000) & (d < 6000))[0]
        h = mesh.height_m[1:1 + len(rings) * n_seg].reshape(len(rings), n_seg)[sel]
        return float(np.abs(np.diff(h, axis=1, append=h[:, :1])).max())

    # the triangles between vertices on either side of the step make a sawtooth along the scarp
    assert worst_step(sharp) > 0.9 * cliff.height_m  # the whole step between two neighbours
    assert worst_step(drawn) < 0.6 * cliff.height_m  # a steep slope across several vertices instead
    # drawing only: physics flies the true scarp, and away from the cliff the mesh is the terrain
    assert t.height_m(47.5, 44.094) == pytest.approx(make_terrain(t.config).height_m(47.5, 44.094))
    far = np.abs(drawn.height_m - sharp.height_m)
    assert np.median(far) < 1e-6 and far.max() > 100.0
