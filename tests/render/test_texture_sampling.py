"""Sampling the equirectangular globe texture: pixel centres exact, longitude wraps, poles clamp."""

import numpy as np

from lunarviz.render.terrain_mesh import sample_equirect_bilinear


def _image(h=64, w=128):
    rng = np.random.default_rng(7)
    return rng.integers(0, 256, (h, w, 3), dtype=np.uint8)


def _centre(img, r, c):
    h, w = img.shape[:2]
    return 90.0 - (r + 0.5) * 180.0 / h, (c + 0.5) * 360.0 / w - 180.0


def test_pixel_centres_give_the_pixels_exactly():
    img = _image()
    rows, cols = np.meshgrid(np.arange(10, 20), np.arange(30, 45), indexing="ij")
    lat, lon = _centre(img, rows, cols)
    got = sample_equirect_bilinear(img, lat, lon)
    np.testing.assert_allclose(got, img[rows, cols] / 255.0, atol=1e-6)


def test_longitude_wraps_between_the_last_and_the_first_column():
    img = _image()
    lat, _ = _centre(img, 5, 0)
    # 180 E / 180 W lies half-way between column w-1 and column 0, from either side
    got = sample_equirect_bilinear(img, np.array([lat, lat, lat]), np.array([180.0, -180.0, 179.9999999]))
    mid = (img[5, -1].astype(float) + img[5, 0]) / 2 / 255.0
    np.testing.assert_allclose(got, np.vstack([mid, mid, mid]), atol=1e-5)


def test_a_patch_across_the_antimeridian_is_continuous():
    img = _image()
    lat = np.full(200, 10.0)
    lon = np.linspace(178.0, 182.0, 200)
    lon = (lon + 180.0) % 360.0 - 180.0
    got = sample_equirect_bilinear(img, lat, lon)
    steps = np.abs(np.diff(got, axis=0)).max()
    # adjacent samples are 0.02 deg apart, 0.007 of a pixel: no jump to the far side of the image
    assert steps < 0.02


def test_the_poles_clamp_to_the_first_and_last_rows():
    img = _image()
    _, lon = _centre(img, 0, 17)
    got = sample_equirect_bilinear(img, np.array([90.0, -90.0]), np.array([lon, lon]))
    np.testing.assert_allclose(got, np.vstack([img[0, 17], img[-1, 17]]) / 255.0, atol=1e-6)


def test_points_all_round_the_globe_agree_with_a_periodic_reference():
    from scipy.ndimage import map_coordinates

    img = _image()
    h, w = img.shape[:2]
    rng = np.random.default_rng(3)
    lat, lon = rng.uniform(-85, 85, 500), rng.uniform(-180, 180, 500)  # rows inside: no clamping
    got = sample_equirect_bilinear(img, lat, lon)
    row, col = (90 - lat) / 180 * h - 0.5, ((lon + 180) / 360 * w - 0.5) % w
    for k in range(3):
        ref = map_coordinates(img[..., k].astype(float), [row, col], order=1, mode="grid-wrap") / 255.0
        np.testing.assert_allclose(got[:, k], ref, atol=1e-5)
