"""Off-screen plumbing shared by ``lunarviz still`` and ``lunarviz render``.

* :func:`check_headless` -- make sure VTK can open an off-screen OpenGL
  context *before* touching VTK (without libEGL or OSMesa VTK segfaults);
* :func:`parse_size` -- ``1920x1080`` -> ``(1920, 1080)`` with a clear error;
* :func:`make_plotter` / :func:`grab` -- an off-screen plotter and its pixels.
"""

from __future__ import annotations

import ctypes.util
import glob
import os

import numpy as np

from ..errors import RenderError, shown
from ..scenario import FRAME_SIDE_PX, frame_size

APT_LINE = ("apt-get install -y --no-install-recommends libegl1 libgl1-mesa-dri"
            "   (or libosmesa6 for OSMesa)")


def _has_mesa_driver() -> bool:
    pats = ["/usr/lib/*/dri/swrast_dri.so", "/usr/lib/*/dri/*_dri.so", "/usr/lib/dri/*_dri.so",
            "/usr/lib/*/libgallium*.so", "/usr/lib64/dri/*_dri.so"]
    return any(glob.glob(p) for p in pats)


def check_headless() -> str:
    """Pick an off-screen OpenGL window type that exists here, or raise :class:`RenderError`.

    Returns the kind chosen: ``"x"`` (a display is set), ``"egl"`` or ``"osmesa"``.
    """
    forced = os.environ.get("VTK_DEFAULT_OPENGL_WINDOW", "")
    if os.environ.get("DISPLAY") and not forced:
        return "x"
    egl = ctypes.util.find_library("EGL")
    osmesa = ctypes.util.find_library("OSMesa")
    if forced == "vtkOSOpenGLRenderWindow" and osmesa:
        return "osmesa"
    if egl and (_has_mesa_driver() or os.environ.get("LUNARVIZ_TRUST_EGL")):
        os.environ["VTK_DEFAULT_OPENGL_WINDOW"] = "vtkEGLRenderWindow"
        return "egl"
    if osmesa:
        os.environ["VTK_DEFAULT_OPENGL_WINDOW"] = "vtkOSOpenGLRenderWindow"
        return "osmesa"
    if egl:  # EGL without a Mesa driver we recognise: a GPU vendor's EGL, probably fine
        os.environ["VTK_DEFAULT_OPENGL_WINDOW"] = "vtkEGLRenderWindow"
        return "egl"
    raise RenderError(f"no off-screen OpenGL found (neither libEGL nor libOSMesa); install it with: {APT_LINE}")


def parse_size(text: str, *, what: str = "--size") -> tuple[int, int]:
    """``WIDTHxHEIGHT`` in pixels, each side within :data:`lunarviz.scenario.FRAME_SIDE_PX`."""
    size = frame_size(str(text))
    if size is None:
        lo, hi = FRAME_SIDE_PX
        raise RenderError(f"{what} {shown(str(text))}: expected WIDTHxHEIGHT in pixels, each side {lo}..{hi}, "
                          "e.g. 1920x1080")
    return size


def make_plotter(size: tuple[int, int], *, antialias: str | None = None, alpha: bool = False):
    """An off-screen pyvista plotter of exactly ``size`` (width, height) pixels.

    pyvista's default 8x MSAA costs several times the frame on software GL
    (and FXAA even more), so the default is none; ``"msaa"`` (4 samples)
    is used for stills. ``antialias``: ``"msaa"``, ``"fxaa"`` or None.
    ``alpha``: keep an alpha channel in the frame buffer (for :func:`grab_rgba`).
    """
    import copy

    import pyvista as pv

    theme = copy.deepcopy(pv.global_theme)
    theme.multi_samples = 4 if antialias == "msaa" else 0
    theme.anti_aliasing = None
    p = pv.Plotter(off_screen=True, window_size=list(size), lighting="none", theme=theme)
    if alpha:
        p.render_window.SetAlphaBitPlanes(1)
    if antialias == "fxaa":
        p.enable_anti_aliasing("fxaa")
    elif antialias == "msaa":
        p.enable_anti_aliasing("msaa", multi_samples=4)
    return p


def grab(plotter) -> np.ndarray:
    """Render and return the frame as an ``(H, W, 3)`` uint8 array."""
    plotter.render()
    img = plotter.screenshot(return_img=True)
    return np.ascontiguousarray(img[..., :3])


def grab_rgba(plotter) -> np.ndarray:
    """Render and return the frame with its alpha channel, ``(H, W, 4)`` uint8 (see ``make_plotter(alpha=True)``)."""
    plotter.render()
    img = plotter.screenshot(transparent_background=True, return_img=True)
    return np.ascontiguousarray(img)


def make_readable(path) -> None:
    """Give a finished output file the usual permissions (the temporary file was private, 0600)."""
    mask = os.umask(0)
    os.umask(mask)
    try:
        os.chmod(path, 0o666 & ~mask)
    except OSError:
        pass
