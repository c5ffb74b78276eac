"""Rendering: one VTK scene for off-screen video/stills and the desktop viewer.

This package imports VTK/pyvista but never Qt. Modules:

- :mod:`lunarviz.render.scene` -- ``build(plotter, traj)`` / ``update(handles, et_s, camera)``
- :mod:`lunarviz.render.camera` -- camera presets and keyframed camera paths
- :mod:`lunarviz.render.hud` -- the telemetry overlay
- :mod:`lunarviz.render.video` -- frame-exact video / PNG-sequence writer (and compositing layers)
- :mod:`lunarviz.render.frames` -- one process's plotter + scene: the pixels of every layer of a frame
- :mod:`lunarviz.render.panorama` -- fisheye dome masters and equirectangular 360° frames from cube faces
- :mod:`lunarviz.render.farm` -- segments on local processes or a Dask cluster, joined losslessly
- :mod:`lunarviz.render.mux` / :mod:`lunarviz.render.subtitles` -- join, subtitles, timecode, 360° metadata
- :mod:`lunarviz.render.timespec` -- ``touchdown-120s`` style time specifications
"""

from __future__ import annotations

import os
import sys

if not os.environ.get("DISPLAY"):
    # Without an X display, VTK would first try (and complain about) an X window.
    os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")


class _CallablePackage(type(os)):
    """``lunarviz.render`` is both this package and the public :func:`lunarviz.render` function.

    Importing any ``lunarviz.render.*`` module rebinds the name ``render`` on
    :mod:`lunarviz` to this package, so the package itself forwards a call to
    :func:`lunarviz.api.render` (one function, whichever the name points at).
    """

    def __call__(self, traj, path, **options):
        from ..api import render

        return render(traj, path, **options)


sys.modules[__name__].__class__ = _CallablePackage
