"""Sites, limb geometry, event search and the `lunarviz ephem` command."""

from __future__ import annotations

import json

import numpy as np
import pytest
from ephem_refs import METRE

from lunarviz import ephemeris as eph
from lunarviz.cli import main
from lunarviz.commands import ephem as ephem_cmd
from lunarviz.timebase import utc_to_et

# ---------------------------------------------------------------- sites


def test_latlon_round_trip_and_enu_basis():
    rng = np.random.default_rng(1)
    lat = rng.uniform(-90, 90, 200)
    lon = rng.uniform(-180, 180, 200)
    h = rng.uniform(-5000, 100000, 200)
    pos = eph.latlon_to_moon_me(lat, lon, h)
    assert pos.shape == (200, 3)
    lat2, lon2, h2 = eph.moon_me_to_latlon(pos)
    np.testing.assert_allclose(lat2, lat, atol=1e-9)
    np.testing.assert_allclose(((lon2 - lon + 180) % 360) - 180, 0, atol=1e-9)
    np.testing.assert_allclose(h2, h, atol=1e-6 * METRE)
    basis = eph.enu_basis(lat, lon)
    assert basis.shape == (200, 3, 3)
    np.testing.assert_allclose(basis @ np.swapaxes(basis, -1, -2), np.broadcast_to(np.eye(3), basis.shape),
                               atol=1e-14)
    # right-handed, and "up" is the radial direction
    np.testing.assert_allclose(np.cross(basis[:, 0], basis[:, 1]), basis[:, 2], atol=1e-14)
    np.testing.assert_allclose(basis[:, 2], pos / np.linalg.norm(pos, axis=1)[:, None], atol=1e-12)
    b0 = eph.enu_basis(0.0, 0.0)
    np.testing.assert_allclose(b0, [[0, 1, 0], [0, 0, 1], [1, 0, 0]], atol=1e-15)
    np.testing.assert_allclose(eph.latlon_to_moon_me(90.0, 0.0), [0, 0, 1737400.0], atol=1e-9)


def test_earth_above_limb_simple_cases():
    et = utc_to_et("2025-06-05T19:17:00")
    earth = eph.position_m("EARTH", et)
    toward = earth / np.linalg.norm(earth)
    near_side = toward * (eph.MOON_RADIUS_M + 100e3)
    far_side = -toward * (eph.MOON_RADIUS_M + 100e3)
    assert eph.earth_above_limb(near_side, et) is True
    assert eph.earth_above_limb(far_side, et) is False
    both = eph.earth_above_limb(np.stack([near_side, far_side]), np.array([et, et]))
    assert both.tolist() == [True, False]
    # on the surface, 'above the limb' is 'above the horizon'
    site = eph.latlon_to_moon_me(60.5, -4.6)
    _az, el = eph.az_el_deg("EARTH", 60.5, -4.6, et)
    assert eph.earth_limb_margin_deg(site, et) == pytest.approx(el, abs=1e-9)


def _circular_orbit(et0, alt_m=100e3, incl_deg=90.0):
    """Polar circular orbit, fixed in inertial space, expressed in MOON_ME."""
    r = eph.MOON_RADIUS_M + alt_m
    n = np.sqrt(eph.moon_gm_m3s2() / r**3)
    inc = np.radians(incl_deg)

    def pos(et):
        et = np.atleast_1d(np.asarray(et, dtype=float))
        u = n * (et - et0)
        p_j2000 = r * np.stack([np.cos(u), np.sin(u) * np.cos(inc), np.sin(u) * np.sin(inc)], -1)
        rot = eph.rotation("J2000", "MOON_ME", et)
        return np.einsum("nij,nj->ni", rot, p_j2000)

    return pos, 2 * np.pi / n


def test_earth_rise_set_along_an_orbit_matches_dense_sampling():
    et0 = utc_to_et("2025-05-28T09:00:00")
    pos, period = _circular_orbit(et0)
    assert 6500 < period < 7300  # ~2 h at 100 km
    et1 = et0 + 3 * period
    events = eph.find_earth_rise_set(pos, et0, et1, step_s=20.0)
    names = [n for n, _ in events]
    assert set(names) == {"earthrise", "earthset"}
    assert all(a != b for a, b in zip(names, names[1:], strict=False))  # they alternate
    assert 5 <= len(events) <= 7
    for name, t in events:
        m = eph.earth_limb_margin_deg(pos(np.array([t]))[0], t)
        assert abs(m) < 1e-4  # deg; refined root
        before = eph.earth_above_limb(pos(np.array([t - 5.0]))[0], t - 5.0)
        after = eph.earth_above_limb(pos(np.array([t + 5.0]))[0], t + 5.0)
        assert (before, after) == ((False, True) if name == "earthrise" else (True, False))
    # dense independent sampling (1 s) finds the same transitions
    grid = np.arange(et0, et1, 1.0)
    vis = eph.earth_above_limb(pos(grid), grid)
    flips = grid[1:][vis[1:] != vis[:-1]]
    assert len(flips) == len(events)
    np.testing.assert_allclose(flips, [t for _, t in events], atol=1.0)


def test_sun_rise_set_at_resilience_site():
    lat, lon = 60.5, -4.6
    et_land = utc_to_et("2025-06-05T19:17:00")
    events = eph.find_sun_rise_set(lat, lon, et_land - 20 * 86400, et_land + 20 * 86400)
    names = [n for n, _ in events]
    assert names == ["sunset", "sunrise", "sunset"]
    rise = events[1][1]
    # first-quarter Moon 2025-06-03: sunrise over Mare Frigoris ~2 days before landing
    assert et_land - 4 * 86400 < rise < et_land
    # the Sun's upper limb is on the horizon at the event
    sun_r = eph.angular_radius_deg("SUN", eph.latlon_to_moon_me(lat, lon), rise)
    _az, el = eph.az_el_deg("SUN", lat, lon, rise)
    assert el + sun_r == pytest.approx(0.0, abs=1e-4)
    # lunar day length: sunset to sunset is one synodic month (29.53 d)
    assert (events[2][1] - events[0][1]) / 86400 == pytest.approx(29.53, abs=0.3)


def test_event_search_rejects_bad_intervals():
    with pytest.raises(Exception, match="interval"):
        eph.find_sun_rise_set(0.0, 0.0, 10.0, 5.0)
    with pytest.raises(Exception, match="step"):
        eph.find_earth_rise_set(lambda et: np.zeros((len(et), 3)), 0.0, 10.0, step_s=0.0)


# ---------------------------------------------------------------- CLI


def test_cli_json_has_the_six_keys(capsys):
    rc = main(["ephem", "--utc", "2025-06-05T19:17:00", "--site", "60.5,-4.6", "--json"])
    assert rc == 0
    data = json.loads(capsys.readouterr().out)
    for key in ephem_cmd.JSON_KEYS:
        assert isinstance(data[key], float)
    et = utc_to_et("2025-06-05T19:17:00")
    az, el = eph.az_el_deg("EARTH", 60.5, -4.6, et)
    assert data["earth_az_deg"] == pytest.approx(az) and data["earth_el_deg"] == pytest.approx(el)
    assert 356_000 < data["earth_moon_distance_km"] < 407_000
    assert 0.0 <= data["earth_illuminated_fraction"] <= 1.0


def test_cli_json_values_match_independent_reference(capsys, jpl_spk):
    """The issue's acceptance command, checked against jplephem + a hand-built
    MOON_ME rotation (no SPICE in the reference path)."""
    from ephem_refs import az_el_independent, jpl_state_km, moon_me_matrix_independent

    rc = main(["ephem", "--utc", "2025-06-05T19:17:00", "--site", "60.5,-4.6", "--json"])
    assert rc == 0
    data = json.loads(capsys.readouterr().out)
    et = data["et_s"]
    earth_km, _ = jpl_state_km(jpl_spk, 399, 301, et)
    sun_km, _ = jpl_state_km(jpl_spk, 10, 301, et)
    assert data["earth_moon_distance_km"] == pytest.approx(np.linalg.norm(earth_km), abs=1e-3)
    e_az, e_el = az_el_independent(earth_km, 60.5, -4.6, et)
    s_az, s_el = az_el_independent(sun_km, 60.5, -4.6, et)
    tol_deg = 1e-5
    assert abs(data["earth_az_deg"] - e_az) < tol_deg and abs(data["earth_el_deg"] - e_el) < tol_deg
    assert abs(data["sun_az_deg"] - s_az) < tol_deg and abs(data["sun_el_deg"] - s_el) < tol_deg
    lat, lon = np.radians(60.5), np.radians(-4.6)
    site_me_km = 1737.4 * np.array([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])
    site_km = moon_me_matrix_independent(et).T @ site_me_km  # J2000, from the Moon's centre
    earth_to_sun = sun_km - earth_km
    earth_to_site = site_km - earth_km
    cos_phase = earth_to_sun @ earth_to_site / (np.linalg.norm(earth_to_sun) * np.linalg.norm(earth_to_site))
    assert data["earth_illuminated_fraction"] == pytest.approx((1 + cos_phase) / 2, abs=1e-9)
    # docs/facts.md: Earth ~30 deg high in the south; first-quarter Moon -> Earth a waning crescent-ish
    assert 0.15 < data["earth_illuminated_fraction"] < 0.40


def test_cli_subprocess_end_to_end():
    import subprocess
    import sys

    ok = subprocess.run([sys.executable, "-m", "lunarviz", "ephem", "--utc", "2025-06-05T19:17:00",
                         "--site", "60.5,-4.6", "--json"], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert set(ephem_cmd.JSON_KEYS) <= set(json.loads(ok.stdout))
    bad = subprocess.run([sys.executable, "-m", "lunarviz", "ephem", "--utc", "2101-01-01",
                          "--site", "0,0"], capture_output=True, text=True)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and "coverage" in bad.stderr


def test_cli_table(capsys):
    rc = main(["ephem", "--utc", "2025-06-05T19:17:00", "--site", "60.5,-4.6"])
    out = capsys.readouterr().out
    assert rc == 0
    assert "Earth" in out and "Sun" in out and "60.5000 N, 4.6000 W" in out and " S " in out
    # the same events find_sun_rise_set gives (see test_sun_rise_set_at_resilience_site)
    assert "sunrise 2025-06-03T18:17:26 UTC" in out and "sunset 2025-06-19T01:02:50 UTC" in out


@pytest.mark.parametrize(
    "argv,needle",
    [
        (["--utc", "2025-06-31T00:00", "--site", "0,0"], "day 31"),
        (["--utc", "yesterday", "--site", "0,0"], "not understood"),
        (["--utc", "2077-01-01", "--site", "0,0"], "coverage"),
        (["--utc", "2025-06-05", "--site", "91,0"], "latitude 91"),
        (["--utc", "2025-06-05", "--site=-90.01,0"], "latitude -90.01"),
        (["--utc", "2025-06-05", "--site", "10"], "LAT,LON"),
        (["--utc", "2025-06-05", "--site", "a,b"], "two numbers"),
        (["--utc", "2025-06-05", "--site", "10,400"], "longitude 400"),
        (["--utc", "2025-06-05", "--site", "nan,1"], "finite"),
    ],
)
def test_cli_errors_are_one_line(capsys, argv, needle):
    rc = main(["ephem", *argv])
    err = capsys.readouterr().err
    assert rc == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert needle in err and err.startswith("lunarviz ephem: error:")


def test_cli_site_longitude_wraps(capsys):
    assert ephem_cmd.parse_site("10, 355.4") == (10.0, pytest.approx(-4.6))
    assert ephem_cmd.parse_site("-10,-180") == (-10.0, 180.0)
