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

if not os.environ.get("DISPLAY"):
    # Without an X display, VTK would first try (and complain about) an X window.
    os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")
