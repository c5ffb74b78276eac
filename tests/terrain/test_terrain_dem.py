"""Loading small generated DEM files (npy, GeoTIFF via Pillow, PDS3 IMG) into DemTerrain."""

import numpy as np
import pytest
from PIL import Image
from PIL.TiffImagePlugin import ImageFileDirectory_v2

from lunarviz.errors import ScenarioError
from lunarviz.terrain import DemTerrain, TerrainConfig, load_dem, make_terrain

MM = 1e-3


def grid(ny=41, nx=41):
    y, x = np.mgrid[0:ny, 0:nx]
    return (50.0 * np.sin(x / 7.0) + 3.0 * y - 60.0).astype(np.float32)


def check(terrain: DemTerrain, z, spacing):
    ny, nx = z.shape
    # grid node (row j, col i): east = (i - (nx-1)/2) s, north = ((ny-1)/2 - j) s, inside the taper-free core
    for j, i in ((20, 20), (15, 22), (25, 18)):
        e = (i - (nx - 1) / 2) * spacing
        n = ((ny - 1) / 2 - j) * spacing
        assert terrain.local_height_m(np.array([e]), np.array([n]))[0] == pytest.approx(z[j, i], abs=MM)
    # bilinear between nodes
    e = 0.5 * spacing
    mid = 0.5 * (z[20, 20] + z[20, 21])
    assert terrain.local_height_m(np.array([e]), np.array([0.0]))[0] == pytest.approx(mid, abs=MM)


def test_npy(tmp_path):
    z = grid()
    np.save(tmp_path / "dem.npy", z)
    cfg = TerrainConfig.from_mapping({"kind": "dem", "path": "dem.npy", "dem_spacing_m": 5.0},
                                     source=str(tmp_path / "s.toml"), site_lat_deg=10, site_lon_deg=20)
    t = make_terrain(cfg)
    assert isinstance(t, DemTerrain) and t.extent_m == 200.0
    check(t, z, 5.0)
    # one function: raycast hits the DEM surface
    origin = t.local_to_moon_me(0.0, 0.0, 500.0)
    down = -origin / np.linalg.norm(origin)
    assert t.raycast_m(origin, down, 2000.0) == pytest.approx(500.0 - z[20, 20], abs=0.01)


def test_geotiff_with_pixel_scale(tmp_path):
    z = grid()
    ifd = ImageFileDirectory_v2()
    ifd[33550] = (2.0, 2.0, 0.0)       # ModelPixelScale, metres
    ifd.tagtype[33550] = 12            # DOUBLE
    Image.fromarray(z, mode="F").save(tmp_path / "dem.tif", tiffinfo=ifd)
    zz, spacing = load_dem(tmp_path / "dem.tif")
    assert spacing == 2.0
    np.testing.assert_allclose(zz, z)
    check(DemTerrain(zz, spacing), z, 2.0)


def test_pds3_img_attached_label(tmp_path):
    z = grid()
    raw = ((z + 100.0) / 0.5).astype("<i2")          # stored as scaled integers
    rec = 2 * z.shape[1]
    label = (
        "PDS_VERSION_ID = PDS3\r\nRECORD_TYPE = FIXED_LENGTH\r\n"
        f"RECORD_BYTES = {rec}\r\n^IMAGE = 5\r\nOBJECT = IMAGE\r\n"
        f"  LINES = {z.shape[0]}\r\n  LINE_SAMPLES = {z.shape[1]}\r\n"
        "  SAMPLE_TYPE = LSB_INTEGER\r\n  SAMPLE_BITS = 16\r\n"
        "  SCALING_FACTOR = 0.5\r\n  OFFSET = -100.0\r\nEND_OBJECT = IMAGE\r\n"
        "OBJECT = IMAGE_MAP_PROJECTION\r\n  MAP_SCALE = 0.004 <KM/PIXEL>\r\nEND_OBJECT\r\nEND\r\n"
    ).encode()
    assert len(label) <= 4 * rec
    (tmp_path / "dem.img").write_bytes(label.ljust(4 * rec, b" ") + raw.tobytes())
    zz, spacing = load_dem(tmp_path / "dem.img")
    assert spacing == pytest.approx(4.0)
    np.testing.assert_allclose(zz, raw.astype(float) * 0.5 - 100.0)
    check(DemTerrain(zz, spacing), zz, 4.0)


def test_unreadable_dem_is_a_scenario_error(tmp_path):
    (tmp_path / "bad.tif").write_bytes(b"not a tiff")
    with pytest.raises(ScenarioError, match="bad.tif: cannot read DEM"):
        load_dem(tmp_path / "bad.tif")
    np.save(tmp_path / "flat.npy", np.zeros(5))
    with pytest.raises(ScenarioError, match="2-D grid"):
        load_dem(tmp_path / "flat.npy", 1.0)
    np.save(tmp_path / "ok.npy", np.zeros((5, 5)))
    with pytest.raises(ScenarioError, match="dem_spacing_m"):
        load_dem(tmp_path / "ok.npy")
