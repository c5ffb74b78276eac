"""One frame of a flight as pixels: the path shared by ``lunarviz still`` and :func:`lunarviz.still`."""

from __future__ import annotations

import os

import numpy as np

from ..errors import RenderError


def render_still(traj, at, *, camera: str = "chase", size: tuple[int, int] = (1920, 1080),
                 quality: str = "high", antialias: str | None = "msaa", hud: bool = True,
                 projection=None, dispersion=None) -> np.ndarray:
    """Render ``traj`` at time ``at`` off-screen; returns an ``(H, W, 3)`` uint8 image.

    ``at`` is ET seconds (TDB past J2000) or a time spec (``"touchdown-20s"``,
    an event name, an ISO UTC time); ``camera`` a preset name or ``"scenario"``;
    ``size`` is (width, height) in pixels; ``antialias`` ``"msaa"`` or None; ``projection`` a
    :class:`~lunarviz.render.panorama.Projection` for a dome master or a 360° frame; ``dispersion``
    a Monte Carlo result whose touchdown points and ellipses are drawn on the terrain (flat frames only).
    """
    from . import scene as scene_mod
    from .camera import check_camera
    from .offscreen import check_headless, grab, make_plotter
    from .timespec import parse_time_spec

    check_camera(camera)
    et_s = parse_time_spec(at, traj)
    check_headless()
    if projection is not None and projection.panoramic:
        if dispersion is not None:
            raise RenderError("the landing-dispersion overlay is drawn on flat frames only: "
                              "leave out --dispersions or --projection")
        from .frames import FrameSettings, FrameSource

        source = FrameSource(traj, FrameSettings(size=tuple(size), camera=camera, quality=quality, hud=hud,
                                                 antialias=antialias, projection=projection))
        try:
            return source.frame(et_s)["beauty"]
        finally:
            source.close()
    plotter = make_plotter(tuple(size), antialias=antialias)
    try:
        handles = scene_mod.build(plotter, traj, quality=quality, hud=hud)
        scene_mod.update(handles, et_s, camera)
        if dispersion is not None:
            from .dispersion import build_dispersion, update_dispersion

            update_dispersion(handles, build_dispersion(handles, dispersion))
        return grab(plotter)
    finally:
        plotter.close()


def check_png_path(path: str | os.PathLike) -> None:
    """A :class:`RenderError` unless ``path`` names a ``.png`` file (checked before rendering)."""
    if not str(path).lower().endswith(".png"):
        raise RenderError(f"{path}: a still must be written to a .png file")


def write_png(img: np.ndarray, path: str | os.PathLike) -> None:
    """Write ``img`` as a PNG atomically (a temporary file renamed when complete)."""
    from PIL import Image

    from ..fileio import atomic_output
    from .offscreen import make_readable

    check_png_path(path)
    with atomic_output(path) as tmp:
        Image.fromarray(img).save(tmp, format="PNG")
    make_readable(path)
