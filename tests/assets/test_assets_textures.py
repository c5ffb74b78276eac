"""Texture orientation: Plato's dark floor shows at 51.6 N, 9.4 W through the sphere's texture coordinates."""

import numpy as np
import pytest
from PIL import Image

from lunarviz import assets

PLATO = (51.6, -9.4)        # IAU: Plato, 51.62 N, 9.38 W, 101 km across, dark lava floor
ARISTARCHUS = (23.7, -47.4)  # the brightest large crater on the near side


def luminance(img):
    return np.asarray(img, float)[..., :3] @ np.array([0.299, 0.587, 0.114])


@pytest.fixture(scope="module")
def moon2k():
    with Image.open(assets.asset_path("moon_color_2k")) as im:
        return luminance(im)


def ring_mean(img, lat, lon, r0_deg, r1_deg):
    a = np.linspace(0, 2 * np.pi, 72, endpoint=False)
    vals = []
    for r in np.linspace(r0_deg, r1_deg, 4):
        la = lat + r * np.sin(a)
        lo = lon + r * np.cos(a) / np.cos(np.radians(lat))
        vals.append(assets.sample_equirect(img, la, lo))
    return float(np.mean(vals))


def test_plato_dark_and_aristarchus_bright_in_the_map(moon2k):
    plato = float(np.mean(assets.sample_equirect(moon2k, PLATO[0] + np.array([0, .4, -.4, 0, 0]),
                                                 PLATO[1] + np.array([0, 0, 0, .6, -.6]))))
    surround = ring_mean(moon2k, *PLATO, 3.0, 4.5)
    assert plato < 0.75 * surround
    # a flip in longitude or latitude would put Plato elsewhere: those spots are not dark
    for lat, lon in ((PLATO[0], -PLATO[1]), (-PLATO[0], PLATO[1])):
        assert float(assets.sample_equirect(moon2k, lat, lon)) > 1.2 * plato
    assert float(assets.sample_equirect(moon2k, *ARISTARCHUS)) > 1.5 * ring_mean(moon2k, *ARISTARCHUS, 4, 6)


def test_all_moon_levels_agree(moon2k):
    lat = np.linspace(-60, 60, 25)
    lon = np.linspace(-170, 170, 25)
    for name in ("moon_color_4k", "moon_color_full"):
        with Image.open(assets.asset_path(name)) as im:
            other = luminance(im.resize((2048, 1024)))
        a = assets.sample_equirect(moon2k, lat[:, None], lon[None, :])
        b = assets.sample_equirect(other, lat[:, None], lon[None, :])
        assert np.corrcoef(a.ravel(), b.ravel())[0, 1] > 0.95


def test_plato_dark_on_a_rendered_textured_sphere():
    """End to end through VTK: a sphere with texture coordinates from equirect_uv, viewed over Plato."""
    import pyvista as pv
    R = 1737.4
    sphere = pv.Sphere(radius=R, theta_resolution=360, phi_resolution=180)
    p = np.asarray(sphere.points, float)
    lat = np.degrees(np.arcsin(np.clip(p[:, 2] / R, -1, 1)))
    lon = np.degrees(np.arctan2(p[:, 1], p[:, 0]))
    sphere.active_texture_coordinates = assets.equirect_uv(lat, lon).astype(np.float32)
    tex = pv.read_texture(str(assets.asset_path("moon_color_2k")))
    pl = pv.Plotter(off_screen=True, window_size=(300, 300))
    try:
        pl.add_mesh(sphere, texture=tex, ambient=1.0, diffuse=0.0, specular=0.0, lighting=False)
        la, lo = np.radians(PLATO)
        d = np.array([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])
        pl.camera.position = (d * (R + 400.0)).tolist()
        pl.camera.focal_point = (d * R).tolist()
        pl.camera.up = (0, 0, 1)
        pl.camera.view_angle = 40.0   # ~290 km wide at the surface: Plato fills the middle third
        img = luminance(pl.screenshot(return_img=True))
    finally:
        pl.close()
    centre = img[135:165, 135:165].mean()
    border = np.concatenate([img[:40].ravel(), img[-40:].ravel(), img[:, :40].ravel(), img[:, -40:].ravel()]).mean()
    assert centre < 0.75 * border


def test_relief_map_orientation():
    """The relief map is centred on 0 deg like the colour map: Orientale's basin and SPA are low ground."""
    z = assets.load_moon_relief()
    assert z.shape == (512, 1024)
    orientale = (-19.4, -94.7)  # Mare Orientale basin centre
    centre = float(assets.sample_equirect(z, *orientale))
    assert centre < 0.75 * ring_mean(z, *orientale, 10.0, 14.0)
    mirrored = float(assets.sample_equirect(z, -19.4, 94.7))
    assert mirrored > centre + 0.08
    spa = float(assets.sample_equirect(z, -53.0, -169.0))   # South Pole-Aitken, the lowest ground
    assert spa < np.percentile(z, 10)


@pytest.mark.parametrize("size", ["2k", "4k"])
def test_earth_maps_orientation(size):
    """Day: Sahara bright, Pacific dark, ice caps white. Night: city lights at New York, Paris, Tokyo."""
    with Image.open(assets.asset_path(f"earth_day_{size}")) as im:
        day = luminance(im)
    with Image.open(assets.asset_path(f"earth_night_{size}")) as im:
        night = luminance(im)
    at = assets.sample_equirect
    sahara, pacific = float(at(day, 23.0, 10.0)), float(at(day, 0.0, -150.0))
    assert sahara > 4 * pacific
    assert float(at(day, -23.0, -10.0)) < 0.3 * sahara          # mirrored: South Atlantic
    assert float(at(day, 72.0, -40.0)) > 200                     # Greenland ice
    for lat, lon in ((40.7, -74.0), (48.85, 2.35), (35.7, 139.7)):
        city = float(at(night, lat, lon))
        assert city > 1.8 * float(at(night, 0.0, -150.0))        # brighter than the dark Pacific
        assert city > 1.5 * float(at(night, 23.0, 10.0))         # and than the empty Sahara
