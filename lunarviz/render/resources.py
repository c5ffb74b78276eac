"""Data the scene draws: textures at a chosen width, the star catalogue, the lander mesh.

Everything comes from :mod:`lunarviz.assets` (texture pyramids ``moon_color``,
``earth_day``, ``earth_night``; ``load_stars``; ``load_lander``). Textures are
decoded once, resized to the requested power-of-two width (llvmpipe samples a
2k/4k texture much faster than the 11k original) and cached in memory and on
disk, so that a second process starts quickly.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import threading
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import AssetError


def _asset_path(name: str) -> Path:
    from .. import assets

    return Path(assets.asset_path(name))


def _texture_source(name: str, width: int) -> Path:
    """The smallest embedded texture of ``name`` at least ``width`` wide (else the largest)."""
    from .. import assets

    levels = assets.TEXTURE_PYRAMIDS.get(name)
    if not levels:
        return _asset_path(name)
    for level, w in levels:
        if w >= width:
            return Path(assets.asset_path(level))
    return Path(assets.asset_path(levels[-1][0]))


def cache_dir() -> Path:
    """Resized textures, sampled terrain patches and their lighting bakes: ``render/`` in the one
    user cache (:func:`lunarviz.assets.cache_dir`, i.e. ``$LUNARVIZ_CACHE`` or ``~/.cache/lunarviz``)."""
    from .. import assets

    return assets.cache_dir() / "render"


def cached_arrays(path: Path | None, compute: Callable[[], dict[str, np.ndarray]], *,
                  keep: int | None = None) -> dict[str, np.ndarray]:
    """``compute()``'s named arrays, kept on disk in the ``.npz`` file ``path`` (``None``: not kept).

    The file's name is its key: the caller puts in it everything that decides the arrays. A file
    that cannot be read is computed again; one that cannot be written only costs the next process
    the work. It is written under a temporary name and renamed, so processes racing for the same
    key (a render farm's workers) never read half a file. ``keep``: after a write, only the newest
    ``keep`` files of the folder that share the name's first word (up to ``-``) stay; reading a
    file makes it the newest.
    """
    if path is not None and path.is_file():
        try:
            with open(path, "rb") as f, np.load(f) as z:
                out = {k: z[k] for k in z.files}
            with contextlib.suppress(OSError):
                os.utime(path)
            return out
        except (OSError, ValueError, EOFError, zipfile.BadZipFile):
            pass
    out = compute()
    if path is None:
        return out
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.stem}.{os.getpid()}.{threading.get_ident()}.tmp.npz")
        np.savez(tmp, **out)
        os.replace(tmp, path)
        if keep is not None:
            _keep_newest(path.parent, path.name.split("-", 1)[0] + "-", keep)
    except OSError:
        pass
    return out


def _keep_newest(folder: Path, prefix: str, keep: int) -> None:
    files = []
    for f in folder.glob(prefix + "*.npz"):
        with contextlib.suppress(OSError):
            files.append((f.stat().st_mtime, f))
    for _, f in sorted(files, reverse=True)[keep:]:
        with contextlib.suppress(OSError):
            f.unlink()


@functools.lru_cache(maxsize=16)
def texture(name: str, width: int) -> np.ndarray:
    """RGB uint8 image ``(width // 2, width, 3)`` of an equirectangular texture.

    Column 0 is longitude -180 deg, row 0 is latitude +90 deg (the layout of
    the LROC and Blue Marble maps). Resized with a Lanczos filter; cached on
    disk keyed by the source file's size and modification time.
    """
    src = _texture_source(name, width)
    st = src.stat()
    key = hashlib.sha1(f"{src.resolve()}|{st.st_size}|{st.st_mtime_ns}|{width}".encode()).hexdigest()[:16]
    return cached_arrays(cache_dir() / f"{name}-{width}-{key}.npz", lambda: {"rgb": _decode(src, width)})["rgb"]


def _decode(src: Path, width: int) -> np.ndarray:
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = max(Image.MAX_IMAGE_PIXELS or 0, 200_000_000)
    try:
        with Image.open(src) as im:
            im = im.convert("RGB")
            if im.size != (width, width // 2):
                im = im.resize((width, width // 2), Image.Resampling.LANCZOS)
            return np.asarray(im, dtype=np.uint8).copy()
    except OSError as exc:
        raise AssetError(f"{src}: cannot read texture {src.stem!r}: {exc}") from exc


@dataclass(frozen=True)
class StarField:
    """Unit direction vectors (J2000), V magnitudes and B-V colour indices."""

    dir_j2000: np.ndarray
    vmag: np.ndarray
    bv: np.ndarray


@functools.lru_cache(maxsize=2)
def stars(max_vmag: float = 6.5) -> StarField:
    """Stars brighter than ``max_vmag`` from the project catalogue."""
    from .. import assets

    st = assets.load_stars()
    ra, dec = np.asarray(st.ra_deg, float), np.asarray(st.dec_deg, float)
    vmag, bv = np.asarray(st.vmag, float), np.asarray(st.bv, float)
    bv = np.where(np.isfinite(bv), bv, 0.6)
    keep = np.isfinite(vmag) & (vmag <= max_vmag)
    ra_r, dec_r = np.radians(ra[keep]), np.radians(dec[keep])
    d = np.stack([np.cos(dec_r) * np.cos(ra_r), np.cos(dec_r) * np.sin(ra_r), np.sin(dec_r)], axis=1)
    return StarField(dir_j2000=d, vmag=vmag[keep], bv=bv[keep])


def bv_to_rgb(bv: np.ndarray) -> np.ndarray:
    """Approximate star colour (linear-ish RGB in 0..1) from the B-V index.

    A blackbody temperature from Ballesteros' formula, then a smooth fit of
    blackbody chromaticity (blue-white at B-V ~ -0.3, white at ~0.3, orange-red
    at ~1.5), normalised so the largest channel is 1.
    """
    bv = np.clip(np.asarray(bv, float), -0.4, 2.0)
    t = 4600.0 * (1.0 / (0.92 * bv + 1.7) + 1.0 / (0.92 * bv + 0.62))
    # Tanner Helland-style fit of blackbody colour, t in kelvin
    x = t / 100.0
    r = np.where(x <= 66, 255.0, 329.698727446 * np.power(np.maximum(x - 60, 1e-6), -0.1332047592))
    g = np.where(x <= 66, 99.4708025861 * np.log(x) - 161.1195681661,
                 288.1221695283 * np.power(np.maximum(x - 60, 1e-6), -0.0755148492))
    b = np.where(x >= 66, 255.0,
                 np.where(x <= 19, 0.0, 138.5177312231 * np.log(np.maximum(x - 10, 1e-6)) - 305.0447927307))
    rgb = np.clip(np.stack([r, g, b], axis=-1), 0, 255) / 255.0
    # keep colours gentle: mix 60 % towards white, as the eye sees stars
    rgb = 0.4 * rgb + 0.6 * rgb.max(axis=-1, keepdims=True)
    return rgb / rgb.max(axis=-1, keepdims=True)


@dataclass(frozen=True)
class LanderMesh:
    """Triangle mesh in lander body coordinates (m, +Z up, origin at the footpad plane)."""

    vertices: np.ndarray  # (N, 3) float
    faces: np.ndarray  # (M, 3) int
    colors: np.ndarray | None  # (N, 3) uint8 or None
    nozzle_exit_m: np.ndarray  # (3,) body coordinates of the main-engine exit centre
    height_m: float


def _fallback_lander() -> LanderMesh:
    """A simple stand-in lander (body box, tanks, legs, nozzle) built from trimesh primitives."""
    import trimesh

    parts = []

    def add(mesh, rgb):
        mesh.visual.vertex_colors = np.array([*rgb, 255], dtype=np.uint8)
        parts.append(mesh)

    body = trimesh.creation.box(extents=(1.6, 1.6, 1.0))
    body.apply_translation((0, 0, 1.25))
    add(body, (200, 160, 60))  # gold foil
    top = trimesh.creation.box(extents=(1.7, 1.7, 0.06))
    top.apply_translation((0, 0, 1.78))
    add(top, (210, 210, 215))
    for sx in (-1, 1):  # solar panels on the sides
        panel = trimesh.creation.box(extents=(0.04, 1.3, 0.8))
        panel.apply_translation((sx * 0.83, 0, 1.3))
        add(panel, (40, 50, 90))
    mast = trimesh.creation.cylinder(radius=0.05, height=0.5, sections=12)
    mast.apply_translation((0.5, 0.5, 2.05))
    add(mast, (220, 220, 220))
    nozzle = trimesh.creation.cone(radius=0.25, height=0.45, sections=24)
    nozzle.apply_transform(trimesh.transformations.rotation_matrix(np.pi, (1, 0, 0)))
    nozzle.apply_translation((0, 0, 0.75 + 0.45))
    add(nozzle, (90, 90, 95))
    for ang in np.radians([45, 135, 225, 315]):
        d = np.array([np.cos(ang), np.sin(ang), 0.0])
        top_pt = d * 0.75 + np.array([0, 0, 1.0])
        foot = d * 1.25 + np.array([0, 0, 0.05])
        leg = trimesh.creation.cylinder(radius=0.04, segment=(top_pt, foot), sections=8)
        add(leg, (170, 170, 175))
        pad = trimesh.creation.cylinder(radius=0.16, height=0.05, sections=16)
        pad.apply_translation(foot - np.array([0, 0, 0.025]))
        add(pad, (170, 170, 175))
    mesh = trimesh.util.concatenate(parts)
    return LanderMesh(np.asarray(mesh.vertices, float), np.asarray(mesh.faces, np.int64),
                      np.asarray(mesh.visual.vertex_colors)[:, :3].astype(np.uint8),
                      np.array([0.0, 0.0, 0.75]), float(mesh.bounds[1, 2]))


@functools.cache
def lander(model: str = "hakuto-r") -> LanderMesh:
    """The lander mesh of ``model`` (:data:`lunarviz.scenario.LANDER_MODELS`): ``hakuto-r`` from
    :func:`lunarviz.assets.load_lander` (or a built-in stand-in), the others built by
    :mod:`lunarviz.render.landers`."""
    if model != "hakuto-r":
        from .landers import BUILDERS

        mesh, nozzle = BUILDERS[model]()
        return LanderMesh(np.asarray(mesh.vertices, float), np.asarray(mesh.faces, np.int64),
                          np.asarray(mesh.visual.vertex_colors)[:, :3].astype(np.uint8),
                          np.asarray(nozzle, float), float(np.asarray(mesh.bounds)[1, 2]))
    try:
        from .. import assets
    except ImportError:
        assets = None
    if assets is None or not hasattr(assets, "load_lander"):
        return _fallback_lander()
    mesh = assets.load_lander()
    colors = None
    try:
        vc = np.asarray(mesh.visual.vertex_colors)
        if vc.shape[0] == len(mesh.vertices):
            colors = vc[:, :3].astype(np.uint8)
    except (AttributeError, ValueError):
        colors = None
    nozzle = getattr(assets, "LANDER_NOZZLE_EXIT_M", None)
    if nozzle is None:
        # the lowest point on the axis above the footpad plane: the nozzle exit
        v = np.asarray(mesh.vertices, float)
        near_axis = v[np.hypot(v[:, 0], v[:, 1]) < 0.3]
        z = float(near_axis[:, 2].min()) if len(near_axis) else 0.5
        nozzle = (0.0, 0.0, z)
    return LanderMesh(np.asarray(mesh.vertices, float), np.asarray(mesh.faces, np.int64), colors,
                      np.asarray(nozzle, float), float(np.asarray(mesh.bounds)[1, 2]))


def lander_for(scenario) -> LanderMesh:
    """The lander a scenario's ``[vehicle] model`` names (HAKUTO-R without a scenario)."""
    return lander(scenario.vehicle.model if scenario is not None else "hakuto-r")
