"""Fixtures of the fuzz suite: DEM files of every kind the terrain reader may meet."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))


def pds3(lines: int, samples: int, bits: str, stype: str, data_bytes: int | None = None, scale: str = "1") -> bytes:
    """A PDS3 image with an attached label (fields as given, even nonsense)."""
    label = (f"PDS_VERSION_ID = PDS3\r\nRECORD_TYPE = FIXED_LENGTH\r\nRECORD_BYTES = 64\r\n^IMAGE = 9\r\n"
             f"OBJECT = IMAGE\r\n  LINES = {lines}\r\n  LINE_SAMPLES = {samples}\r\n  SAMPLE_TYPE = {stype}\r\n"
             f"  SAMPLE_BITS = {bits}\r\n  SCALING_FACTOR = {scale}\r\nEND_OBJECT = IMAGE\r\n"
             f"OBJECT = IMAGE_MAP_PROJECTION\r\n  MAP_SCALE = 5 <METERS/PIXEL>\r\nEND_OBJECT\r\nEND\r\n").encode()
    n = 8 * 64 - len(label)
    body = np.linspace(-20, 20, 32 * 32).astype("<f4").tobytes()
    return label + b" " * max(n, 0) + body[:data_bytes]


def write_dems(folder: Path) -> list[str]:
    """DEM files, good and bad; returns their paths (and two that are not DEM files)."""
    out = []

    def add(name, data=None, array=None):
        p = folder / name
        if array is not None:
            np.save(p, array, allow_pickle=True)
        else:
            p.write_bytes(data)
        out.append(str(p))

    add("ok.npy", array=np.random.default_rng(1).normal(0, 5, (40, 40)))
    add("flat.npy", array=np.zeros(7))
    add("nan.npy", array=np.full((8, 8), np.nan))
    add("huge.npy", array=np.full((8, 8), 1e300))
    add("spike.npy", array=np.pad(np.full((1, 1), 5000.0), 20))
    add("objects.npy", array=np.array([["a", None], [1, 2]], dtype=object))
    add("ok.img", pds3(32, 32, "32", "PC_REAL"))
    add("bits12.img", pds3(32, 32, "12", "PC_REAL"))
    add("bits0.img", pds3(32, 32, "0", "LSB_INTEGER"))
    add("bitsx.img", pds3(32, 32, "lots", "MSB_UNSIGNED_INTEGER"))
    add("nolines.img", pds3(-3, 32, "32", "PC_REAL"))
    add("bigsize.img", pds3(10**9, 10**9, "32", "PC_REAL"))
    add("truncated.img", pds3(32, 32, "32", "PC_REAL", data_bytes=1000))
    add("nanscale.img", pds3(32, 32, "32", "PC_REAL", scale="nan"))
    add("bad.tif", b"II*\x00garbage")
    add("text.lbl", b"LINES = 3\n")
    add("dem.xyz", b"1 2 3\n")
    out.append(str(folder / "missing.npy"))
    out.append(str(folder))
    return out


@pytest.fixture(scope="session")
def dem_paths(tmp_path_factory) -> list[str]:
    return write_dems(tmp_path_factory.mktemp("dems"))
