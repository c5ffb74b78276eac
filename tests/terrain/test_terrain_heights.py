"""Procedural terrain: craters, continuity, one height function for physics and rendering."""

import numpy as np
import pytest

from lunarviz.terrain import (
    MOON_RADIUS_M,
    ProceduralTerrain,
    SphereTerrain,
    TerrainConfig,
    cumulative_density_per_m2,
    make_terrain,
)

METER = 1.0
MM = 1e-3
SITE = dict(site_lat_deg=60.5, site_lon_deg=-4.6)  # HAKUTO-R M2 target, Mare Frigoris (docs/facts.md)


@pytest.fixture(scope="module")
def terrain() -> ProceduralTerrain:
    return make_terrain(TerrainConfig(seed=11, **SITE))


def test_deterministic_and_seeded(terrain):
    e = np.linspace(-3000, 3000, 500)
    n = np.linspace(2000, -2500, 500)
    again = ProceduralTerrain(TerrainConfig(seed=11, **SITE))
    other = ProceduralTerrain(TerrainConfig(seed=12, **SITE))
    np.testing.assert_array_equal(terrain.local_height_m(e, n), again.local_height_m(e, n))
    assert np.abs(terrain.local_height_m(e, n) - other.local_height_m(e, n)).max() > 1.0


def test_crater_density_matches_target_sfd(terrain):
    """Generated counts per size band lie within a factor of 2 of the target cumulative SFD."""
    cfg = terrain.config
    for d_lo in (4.0, 8.0, 16.0, 64.0):
        band = next(b for b in terrain.bands if b.d_lo_m == d_lo)
        hw = min(band.half_width_m, 2000.0)
        count = terrain.craters_in(hw, d_lo, 2 * d_lo).size
        n_lo, n_hi = cumulative_density_per_m2([d_lo, 2 * d_lo], cfg.crater_density, cfg.sfd_break_m)
        expected = (n_lo - n_hi) * (2 * hw) ** 2
        assert 0.5 < count / expected < 2.0, (d_lo, count, expected)
    # the target itself: below the empirical equilibrium density of small lunar craters
    # (Gault 1970: N(>D) = 10**-1.1 D**-2 per m^2) and not far below it on mature mare
    gault = 10 ** -1.1 * 10.0 ** -2
    ours = cumulative_density_per_m2(10.0, cfg.crater_density, cfg.sfd_break_m)
    assert 0.15 * gault < ours < gault


def test_fresh_crater_depth_to_diameter():
    """Fresh craters: rim-to-floor depth ~0.2 D and raised rims, measured on the height field."""
    t = ProceduralTerrain(TerrainConfig(seed=5, relief_m=0.0, roughness=0.0, **SITE))
    ratios, rims = [], []
    for band in t.bands:
        for i in np.nonzero((band.smooth < 0.05) & (band.diameter_m > 20))[0][:10]:
            e0, n0, d = band.east_m[i], band.north_m[i], band.diameter_m[i]
            if max(abs(e0), abs(n0)) > 8000:
                continue
            r = np.linspace(0, 1.3 * d / 2, 200)
            ang = np.linspace(0, 2 * np.pi, 8, endpoint=False)
            e = e0 + np.outer(np.cos(ang), r)
            n = n0 + np.outer(np.sin(ang), r)
            h = t.local_height_m(e, n)
            floor = np.median(h[:, 0])
            rim = np.median(h.max(axis=1))
            far = np.median(h[:, -1])
            ratios.append((rim - floor) / d)
            rims.append((rim - far) / d)
    assert len(ratios) >= 5
    assert 0.15 < np.median(ratios) < 0.25
    assert 0.01 < np.median(rims) < 0.06


def test_height_fades_to_sphere_at_extent_edge(terrain):
    half = terrain.extent_m / 2
    s = np.linspace(-half, half, 2001)
    for e, n in ((s, np.full_like(s, half)), (np.full_like(s, -half), s)):
        np.testing.assert_allclose(terrain.local_height_m(e, n), 0.0, atol=MM)
    assert terrain.local_height_m(np.array([half + 50.0]), np.array([0.0]))[0] == 0.0
    # and no step just inside the edge: neighbouring samples 1 m apart differ by < 1 m
    e = np.linspace(half - 3000, half, 3001)
    assert np.abs(np.diff(terrain.local_height_m(e, np.full_like(e, 1234.0)))).max() < 1.0 * METER


def test_latlon_and_local_paths_agree(terrain):
    e = np.array([0.0, 150.0, -2200.0, 7000.0])
    n = np.array([0.0, -80.0, 3100.0, -6000.0])
    lat, lon = terrain.local_to_latlon(e, n)
    np.testing.assert_allclose(terrain.height_m(lat, lon), terrain.local_height_m(e, n), atol=MM)
    e2, n2 = terrain.latlon_to_local(lat, lon)
    np.testing.assert_allclose(e2, e, atol=MM)
    np.testing.assert_allclose(n2, n, atol=MM)
    # far side of the Moon: no terrain
    assert terrain.height_m(-60.5, 175.4) == 0.0


def test_surface_altitude(terrain):
    e = np.array([10.0, -500.0, 4000.0])
    n = np.array([-20.0, 900.0, 0.0])
    h = terrain.local_height_m(e, n)
    pos = terrain.local_to_moon_me(e, n, h + 100.0)
    np.testing.assert_allclose(terrain.surface_altitude_m(pos), 100.0, atol=MM)
    assert terrain.surface_altitude_m(pos[0]).shape == ()


def test_raycast_sphere_matches_analytic():
    t = SphereTerrain(60.5, -4.6)
    origin = t.site_unit * (MOON_RADIUS_M + 3000.0)
    assert t.raycast_m(origin, -t.site_unit, 10000.0) == pytest.approx(3000.0, abs=MM)
    # 30 deg off vertical: law of cosines, slant range to a sphere
    d = -np.cos(np.radians(30)) * t.site_unit + np.sin(np.radians(30)) * t.basis[0]
    r0, R = MOON_RADIUS_M + 3000.0, MOON_RADIUS_M
    c = np.cos(np.radians(30))
    expected = r0 * c - np.sqrt(R * R - r0 * r0 * (1 - c * c))
    assert t.raycast_m(origin, d, 10000.0) == pytest.approx(expected, abs=MM)
    assert np.isnan(t.raycast_m(origin, t.site_unit, 10000.0))
    assert np.isnan(t.raycast_m(origin, -t.site_unit, 2000.0))


def test_raycast_hits_the_drawn_surface(terrain):
    rng = np.random.default_rng(1)
    for _ in range(5):
        e, n = rng.uniform(-3000, 3000, 2)
        origin = terrain.local_to_moon_me(e, n, terrain.local_height_m(e, n) + rng.uniform(50, 3000))
        tilt = rng.uniform(0, 0.6)
        d = -terrain.site_unit + tilt * terrain.basis[0] + 0.3 * tilt * terrain.basis[1]
        d = d / np.linalg.norm(d)
        r = terrain.raycast_m(origin, d, 20000.0)
        assert np.isfinite(r)
        # the hit point is on the surface ...
        assert abs(terrain.surface_altitude_m(origin + r * d)) < 0.02 * METER
        # ... and no point of the beam before it is below the surface (0.25 m sampling)
        s = np.arange(0.0, r - 0.05, 0.25)
        assert terrain.surface_altitude_m(origin + s[:, None] * d).min() > 0.0
    # vertical beam: slant range = altitude above the local surface
    origin = terrain.local_to_moon_me(120.0, -40.0, terrain.local_height_m(120.0, -40.0) + 777.0)
    down = -origin / np.linalg.norm(origin)
    assert terrain.raycast_m(origin, down, 5000.0) == pytest.approx(777.0, abs=0.01)
    assert terrain.raycast_m(origin + 800.0 * down, down, 5000.0) == 0.0  # origin below ground


def test_raycast_batch(terrain):
    origin = terrain.local_to_moon_me(np.array([0.0, 100.0]), np.array([0.0, 0.0]), np.array([500.0, 600.0]))
    ranges = terrain.raycast_m(origin, -terrain.site_unit, 5000.0)
    assert ranges.shape == (2,)
    assert ranges[0] == pytest.approx(terrain.raycast_m(origin[0], -terrain.site_unit, 5000.0))


def test_one_batch_call_equals_point_calls(terrain):
    # physics asks for many points at once; the speed of that call is timed in benchmarks/bench_terrain.py
    rng = np.random.default_rng(2)
    lat = 60.5 + rng.uniform(-0.3, 0.3, 100_000)
    lon = -4.6 + rng.uniform(-0.6, 0.6, 100_000)
    h = terrain.height_m(lat, lon)
    assert h.shape == (100_000,) and np.all(np.isfinite(h))
    for i in (0, 4_321, 99_999):
        assert float(terrain.height_m(lat[i], lon[i])) == pytest.approx(h[i], abs=1e-9)


def test_fresh_ejecta_brighter(terrain):
    fresh, old = [], []
    for band in terrain.bands[2:6]:
        for i in range(min(200, band.diameter_m.size)):
            r = 0.5 * band.diameter_m[i]
            a = terrain.local_albedo(np.array([band.east_m[i] + 1.3 * r]), np.array([band.north_m[i]]))[0]
            (fresh if band.smooth[i] < 0.1 else old).append(a)
    assert np.median(fresh) > 1.15
    assert np.median(old) == pytest.approx(1.0, abs=0.05)
