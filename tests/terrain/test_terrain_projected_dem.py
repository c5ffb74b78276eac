"""Projected DEMs read through GDAL (rasterio): a known feature lands at its latitude and longitude (issue #15).

The files are written by GDAL itself: an equirectangular GeoTIFF (as LOLA/LROC DTMs near the
equator) and a polar-stereographic ISIS3 cube (as south-pole LOLA products).
"""

import numpy as np
import pytest
import rasterio
from affine import Affine
from rasterio.crs import CRS
from rasterio.warp import transform as warp

from lunarviz.geometry import MOON_RADIUS_M, great_circle_m
from lunarviz.terrain import TerrainConfig, make_terrain

R = MOON_RADIUS_M
GEO = CRS.from_proj4(f"+proj=longlat +R={R:.1f} +no_defs")


def _write(path, driver, crs, site_lat, site_lon, feature, post=20.0, n=241):
    """A flat DEM with one 300 m Gaussian hill at ``feature`` (lat, lon), centred on the site, in ``crs``."""
    (x0,), (y0,) = warp(GEO, crs, [site_lon], [site_lat])
    (xf,), (yf,) = warp(GEO, crs, [feature[1]], [feature[0]])
    left, top = x0 - post * n / 2, y0 + post * n / 2
    tf = Affine(post, 0.0, left, 0.0, -post, top)  # north up
    cols, rows = np.meshgrid(np.arange(n), np.arange(n))
    x, y = tf.c + tf.a * (cols + 0.5), tf.f + tf.e * (rows + 0.5)  # pixel centres (north up)
    z = (300.0 * np.exp(-((x - xf) ** 2 + (y - yf) ** 2) / (2 * 60.0 ** 2)) - 1200.0).astype("float32")
    with rasterio.open(path, "w", driver=driver, width=n, height=n, count=1, dtype="float32", crs=crs,
                       transform=tf) as ds:
        ds.write(z, 1)
    return post


def _peak_latlon(path, site_lat, site_lon, spacing_guess=None):
    cfg = TerrainConfig(kind="dem", path=str(path), site_lat_deg=site_lat, site_lon_deg=site_lon,
                        extent_m=4000.0, dem_spacing_m=spacing_guess)
    t = make_terrain(cfg)
    j, i = np.unravel_index(np.argmax(t.z), t.z.shape)
    east = i * t.spacing_m - t._half_x
    north = t._half_y - j * t.spacing_m
    lat, lon = t.local_to_latlon(east, north)
    return float(lat), float(lon), t


@pytest.mark.parametrize("driver,suffix,proj,site,feature", [
    ("GTiff", ".tif", f"+proj=eqc +lat_ts=0 +lon_0=0 +R={R:.1f} +units=m +no_defs", (10.0, 20.0), (10.012, 20.021)),
    ("ISIS3", ".cub", f"+proj=stere +lat_0=-90 +lon_0=0 +k=1 +R={R:.1f} +units=m +no_defs", (-85.0, 30.0),
     (-85.015, 30.09)),
])
def test_a_known_feature_lands_at_its_latitude_and_longitude_within_one_post(tmp_path, driver, suffix, proj,
                                                                              site, feature):
    path = tmp_path / f"dem{suffix}"
    post = _write(path, driver, CRS.from_proj4(proj), *site, feature)
    with rasterio.open(path) as ds:  # GDAL wrote the projection the reader places the grid by
        assert ds.crs.is_projected and ds.driver == driver
    lat, lon, t = _peak_latlon(path, *site)
    assert t.spacing_m == pytest.approx(post)
    assert great_circle_m(lat, lon, *feature) <= post
    # heights keep their datum (the 1737.4 km sphere): the plain around the hill is 1,200 m below it
    assert np.median(t.z) == pytest.approx(-1200.0, abs=1.0) and t.z.max() == pytest.approx(-900.0, abs=15.0)
    # a wrong guess of dem_spacing_m no longer moves it: the projection places the grid
    lat2, lon2, t2 = _peak_latlon(path, *site, spacing_guess=5.0)
    assert (lat2, lon2) == (lat, lon) and t2.spacing_m == pytest.approx(post)
    assert np.isfinite(t.z).all()
