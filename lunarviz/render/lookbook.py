"""The look book: every camera preset at the key moments of a flight, on one labelled contact sheet.

``lunarviz lookbook SCENE -o sheet.png`` renders :func:`shots` (one row per camera, one
column per moment) at the chosen frame size, scales each frame to a tile and labels it
with the camera, the moment and the UTC time. Moments a flight does not have (no
``terminal`` phase, a flight that ends before ``touchdown+8s``) are clamped or skipped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import TimeError
from ..formatting import format_utc
from .camera import PRESET_NAMES

#: the moments of each camera's row (time specs, see :mod:`lunarviz.timespec`)
MOMENTS: dict[str, tuple[str, ...]] = {
    "chase": ("powered_descent+60s", "touchdown-40s", "touchdown+4s"),
    "site": ("touchdown-90s", "touchdown-20s", "touchdown+8s"),
    "down": ("powered_descent", "touchdown-30s", "touchdown+4s"),
    "earthrise": ("start", "powered_descent", "touchdown"),
    "orbit": ("start", "powered_descent", "touchdown"),
}
assert set(MOMENTS) == set(PRESET_NAMES), "one row of moments per camera preset"


@dataclass(frozen=True)
class Shot:
    camera: str
    moment: str
    et_s: float


def shots(traj) -> list[Shot]:
    """The (camera, moment) pairs of the sheet, resolved on ``traj`` (clamped to the flight)."""
    from .timespec import parse_time_spec

    out = []
    for camera in PRESET_NAMES:
        for moment in MOMENTS[camera]:
            try:
                et = parse_time_spec(moment, traj, clamp=True)
            except TimeError:
                continue  # e.g. no powered descent in this flight
            out.append(Shot(camera, moment, et))
    return out


def render_frames(traj, shot_list, *, size=(1920, 1080), quality="high", antialias="msaa", hud=True):
    """One image per shot (one scene build for all of them)."""
    from . import scene as scene_mod
    from .offscreen import check_headless, grab, make_plotter

    check_headless()
    plotter = make_plotter(tuple(size), antialias=antialias)
    try:
        h = scene_mod.build(plotter, traj, quality=quality, hud=hud)
        frames = []
        for s in shot_list:
            scene_mod.update(h, s.et_s, s.camera)
            frames.append(grab(plotter))
        return frames
    finally:
        plotter.close()


def contact_sheet(frames, shot_list, title: str, tile_w: int = 640) -> np.ndarray:
    """Tiles in rows by camera, each labelled ``camera · moment · UTC``; returns RGB uint8."""
    from PIL import Image, ImageDraw

    rows: dict[str, list[int]] = {}
    for i, s in enumerate(shot_list):
        rows.setdefault(s.camera, []).append(i)
    h0, w0 = frames[0].shape[:2]
    tile_h = int(round(tile_w * h0 / w0))
    pad, label_h, head = 12, 26, 44
    ncol = max(len(v) for v in rows.values())
    W = pad + ncol * (tile_w + pad)
    H = head + len(rows) * (tile_h + label_h + pad) + pad
    sheet = Image.new("RGB", (W, H), (24, 24, 28))
    draw = ImageDraw.Draw(sheet)
    font = _font(18)
    draw.text((pad, 10), title, fill=(235, 235, 235), font=_font(24))
    for r, idx in enumerate(rows.values()):
        y = head + r * (tile_h + label_h + pad)
        for c, i in enumerate(idx):
            x = pad + c * (tile_w + pad)
            tile = Image.fromarray(frames[i]).resize((tile_w, tile_h), Image.Resampling.LANCZOS)
            sheet.paste(tile, (x, y + label_h))
            s = shot_list[i]
            draw.text((x, y + 3), f"{s.camera} · {s.moment} · {format_utc(s.et_s)[:19]}",
                      fill=(250, 214, 120), font=font)
    return np.asarray(sheet)


def _font(px: int):
    from PIL import ImageFont

    for name in ("DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"):
        try:
            return ImageFont.truetype(name, px)
        except OSError:
            continue
    return ImageFont.load_default()


def frame_name(s: Shot) -> str:
    """File name of one shot's full-size frame: ``site_touchdown-20s.png``."""
    safe = "".join(ch if ch.isalnum() or ch in "+-_" else "_" for ch in s.moment)
    return f"{s.camera}_{safe}.png"

