"""lunarviz.geometry: the Moon radius is the kernels' own, and the conversions are each other's inverses."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from lunarviz import ephemeris, geometry
from lunarviz.errors import LunarvizError
from lunarviz.geometry import (
    MOON_RADIUS_M,
    enu_basis,
    enu_basis_from_up,
    great_circle_m,
    latlon_to_moon_me,
    latlon_to_unit,
    moon_me_to_latlon,
    unit_to_latlon,
)

KERNEL = Path(__file__).resolve().parents[2] / "assets" / "kernels" / "lunarviz_constants.tpc"


def test_moon_radius_is_the_kernels_value():
    np.testing.assert_array_equal(ephemeris.body_radii_m("MOON"), [MOON_RADIUS_M] * 3)
    m = re.search(r"BODY301_RADII\s*=\s*\(\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\)", KERNEL.read_text())
    assert [float(x) * 1000.0 for x in m.groups()] == [MOON_RADIUS_M] * 3


def test_geometry_is_numpy_only():
    import ast

    tree = ast.parse(Path(geometry.__file__).read_text())
    roots = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    roots |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level == 0}
    assert roots <= {"__future__", "numpy"}


def test_enu_basis_rows_are_orthonormal_and_vectorised():
    lat = np.array([[-80.13, 0.0], [60.5, 89.0]])
    lon = np.array([[1.44, 0.0], [-4.6, 170.0]])
    b = enu_basis(lat, lon)
    assert b.shape == (2, 2, 3, 3)
    np.testing.assert_allclose(b @ np.swapaxes(b, -1, -2), np.broadcast_to(np.eye(3), b.shape), atol=1e-15)
    np.testing.assert_allclose(np.linalg.det(b), 1.0, atol=1e-15)  # right-handed: east x north = up
    np.testing.assert_allclose(b[..., 2, :], latlon_to_unit(lat, lon), atol=1e-15)
    assert b[1, 0, 1, 2] > 0  # north has a +Z component in the northern hemisphere
    np.testing.assert_allclose(enu_basis(0.0, 0.0), [[0, 1, 0], [0, 0, 1], [1, 0, 0]], atol=1e-15)
    np.testing.assert_array_equal(enu_basis(60.5, -4.6), b[1, 0])


def test_basis_from_up_is_the_same_basis():
    for lat, lon in ((60.5, -4.6), (-69.37, 32.3), (0.0, 180.0)):
        pos = latlon_to_moon_me(lat, lon, 1234.0)
        np.testing.assert_allclose(enu_basis_from_up(pos), enu_basis(lat, lon), atol=1e-12)
    pole = enu_basis_from_up([0.0, 0.0, 5.0])
    np.testing.assert_allclose(pole @ pole.T, np.eye(3), atol=1e-15)


def test_latlon_round_trips():
    lat = np.array([-89.9, -69.373, 0.0, 60.5, 89.9])
    lon = np.array([-179.9, 32.319, 0.0, -4.6, 180.0])
    h = np.array([-2000.0, 0.0, 10.0, 1e5, 3.0])
    pos = latlon_to_moon_me(lat, lon, h)
    np.testing.assert_allclose(np.linalg.norm(pos, axis=1), MOON_RADIUS_M + h, rtol=1e-15)
    lat2, lon2, h2 = moon_me_to_latlon(pos)
    np.testing.assert_allclose(lat2, lat, atol=1e-10)
    np.testing.assert_allclose(np.cos(np.radians(lon2 - lon)), 1.0, atol=1e-15)
    np.testing.assert_allclose(h2, h, atol=1e-6)
    lat3, lon3 = unit_to_latlon(pos * 7.0)  # any length
    np.testing.assert_allclose(lat3, lat, atol=1e-10)


def test_bad_latitude_names_the_value():
    with pytest.raises(LunarvizError, match="latitude 91 deg is outside -90..90"):
        latlon_to_moon_me(91.0, 0.0)
    with pytest.raises(LunarvizError, match="longitude"):
        latlon_to_moon_me(0.0, float("inf"))


def test_great_circle():
    quarter = np.pi / 2 * MOON_RADIUS_M
    assert great_circle_m(0.0, 0.0, 0.0, 90.0) == pytest.approx(quarter, rel=1e-14)
    assert great_circle_m(90.0, 0.0, -90.0, 45.0) == pytest.approx(2 * quarter, rel=1e-14)
    assert great_circle_m(60.5, -4.6, 60.5, -4.6) == 0.0
    # 1 km due north is 1 km; vectorised; and it agrees with the chord for short distances
    d_lat = np.degrees(1000.0 / MOON_RADIUS_M)
    d = great_circle_m(np.array([60.5, 0.0]), -4.6, np.array([60.5 + d_lat, d_lat]), -4.6)
    np.testing.assert_allclose(d, [1000.0, 1000.0], rtol=1e-9)
    a, b = latlon_to_moon_me(60.5, -4.6), latlon_to_moon_me(60.49, -4.58)
    assert great_circle_m(60.5, -4.6, 60.49, -4.58) == pytest.approx(np.linalg.norm(a - b), rel=1e-6)
