"""Star catalogue contents and the lander model's size, orientation and colours."""

import numpy as np
import pytest

from lunarviz import assets

HOUR = 15.0  # degrees of RA per hour


@pytest.fixture(scope="module")
def stars():
    return assets.load_stars()


def test_catalogue_size_and_range(stars):
    assert len(stars) >= 5000
    assert stars.vmag.max() <= 6.5
    assert np.all((0 <= stars.ra_deg) & (stars.ra_deg < 360))
    assert np.all(np.abs(stars.dec_deg) <= 90)
    assert stars.bv_known.mean() > 0.99
    assert not stars.ra_deg.flags.writeable


def test_polaris_sirius_vega(stars):
    """Against the Hipparcos/SIMBAD J2000 positions (tolerance 0.01 deg)."""
    def star(hip):
        i = int(np.nonzero(stars.hip == hip)[0][0])
        return stars.ra_deg[i], stars.dec_deg[i], stars.vmag[i], stars.bv[i]

    ra, dec, v, _ = star(11767)          # Polaris: RA 02h31m49s = 2.5303 h, Dec +89 15' 51"
    assert ra / HOUR == pytest.approx(2.5303, abs=0.01)
    assert dec == pytest.approx(89.2641, abs=0.01)
    assert v == pytest.approx(1.97, abs=0.1)
    ra, dec, v, bv = star(32349)         # Sirius: RA 06h45m09s, Dec -16 42' 58", V -1.46
    assert ra / HOUR == pytest.approx(6.7525, abs=0.01)
    assert dec == pytest.approx(-16.716, abs=0.01)
    assert stars.hip[0] == 32349  # brightest first
    ra, dec, _, bv = star(91262)         # Vega: RA 18h36m56s, Dec +38 47'
    assert ra / HOUR == pytest.approx(18.6156, abs=0.01)
    assert bv == pytest.approx(0.0, abs=0.05)
    u = stars.unit_vectors()
    np.testing.assert_allclose(np.linalg.norm(u, axis=1), 1.0)


def test_star_colours(stars):
    rgb = assets.bv_to_rgb([-0.3, 0.65, 1.8])
    assert rgb[0, 2] > rgb[0, 0]        # hot stars blue-white
    assert rgb[2, 0] > rgb[2, 2]        # cool stars orange-red
    assert stars.rgb().shape == (len(stars), 3)


@pytest.fixture(scope="module")
def lander():
    return assets.load_lander()


def test_lander_size_and_frame(lander):
    lo, hi = lander.bounds
    assert hi[2] - lo[2] == pytest.approx(assets.LANDER_HEIGHT_M, abs=0.05)
    assert lo[2] == pytest.approx(0.0, abs=1e-3)                      # footpad plane at z = 0
    assert hi[0] - lo[0] == pytest.approx(assets.LANDER_WIDTH_M, abs=0.1)
    assert hi[1] - lo[1] == pytest.approx(assets.LANDER_WIDTH_M, abs=0.1)
    assert np.allclose((lo + hi)[:2] / 2, 0.0, atol=0.05)             # centred on the axis
    # +Z up: most of the mass (area) is in the body, above the legs
    c = lander.triangles_center
    w = lander.area_faces
    assert np.average(c[:, 2], weights=w) > 0.8


def test_lander_has_feet_nozzle_and_colours(lander):
    v = lander.vertices
    col = lander.visual.vertex_colors[:, :3].astype(int)
    # four footpads touching z = 0, one on each of +-X, +-Y
    feet = v[v[:, 2] < 0.01]
    for axis, sign in ((0, 1), (0, -1), (1, 1), (1, -1)):
        assert np.any(sign * feet[:, axis] > 1.0)
    # nozzle exit ring at LANDER_NOZZLE_EXIT_M, open towards -Z, below the body
    ex = np.array(assets.LANDER_NOZZLE_EXIT_M)
    ring = np.abs(v[:, 2] - ex[2]) < 1e-3
    rad = np.linalg.norm(v[ring, :2] - ex[:2], axis=1)
    assert rad.size and rad.max() == pytest.approx(assets.LANDER_NOZZLE_EXIT_RADIUS_M, abs=0.01)
    assert not np.any((np.linalg.norm(v[:, :2], axis=1) < 0.1) & (v[:, 2] < ex[2] - 1e-3))
    # HAKUTO-R-like colours: gold MLI, dark solar panels, white/silver
    gold = (col[:, 0] > 180) & (col[:, 1] > 130) & (col[:, 2] < 100)
    solar = (col[:, 2] > col[:, 0] + 20) & (col.sum(1) < 200)
    white = col.min(1) > 180
    assert gold.mean() > 0.05 and solar.mean() > 0.01 and white.mean() > 0.05
