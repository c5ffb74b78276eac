"""lunarviz: fly and watch lunar descents in 3D with real SPICE ephemerides.

The public Python API (each name imports its machinery only when called, so
``import lunarviz`` stays light and loads neither VTK nor Qt):

* :func:`load` -- a scenario file, a shipped scene name or a dict -> ``Scenario``;
* :func:`fly` -- ``Scenario`` (and a seed) -> ``Trajectory``;
* :func:`still` -- one frame of a ``Trajectory`` as an ``(H, W, 3)`` uint8 image.

>>> import lunarviz
>>> traj = lunarviz.fly(lunarviz.load("resilience"))            # doctest: +SKIP
>>> img = lunarviz.still(traj, "touchdown-20s", path="td.png")  # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from .scenario import Scenario
    from .trajectory import Trajectory

__version__ = "0.1.0"
__all__ = ["__version__", "fly", "load", "still"]


def load(source: str | os.PathLike | Mapping[str, Any]) -> Scenario:
    """Read and validate a scenario.

    ``source`` is a path to a TOML scenario file, the name of a shipped scene
    (``"resilience"``, ``"apollo11"``, ... in ``scenes/``), or a mapping with
    the same tables as a file. Bad input raises :class:`~lunarviz.errors.ScenarioError`
    with a one-line message naming the file, key and value.
    """
    from . import scenario

    if isinstance(source, Mapping):
        return scenario.parse(source, "", "<dict>")
    return scenario.load(scenario.resolve(source))


def fly(scenario: Scenario, seed: int = 0) -> Trajectory:
    """Fly ``scenario`` from its start to the surface; returns its ``Trajectory`` (``MOON_ME``).

    The same scenario and seed give an identical trajectory.
    """
    from .physics import fly as _fly

    return _fly(scenario, seed=seed)


def still(traj: Trajectory, at: str | float, camera: str = "chase",
          size: tuple[int, int] = (1280, 720), path: str | os.PathLike | None = None) -> np.ndarray:
    """Render one frame of ``traj`` off-screen, as ``lunarviz still`` does.

    ``at`` is ET seconds (TDB past J2000) or a time spec as on the command
    line (``"touchdown-20s"``, ``"pdi+1.5min"``, an ISO UTC time); ``camera``
    is ``chase``, ``orbit``, ``site``, ``earthrise``, ``down`` or ``scenario``;
    ``size`` is (width, height) in pixels. Returns an ``(height, width, 3)``
    uint8 array; with ``path`` the image is also written there as a PNG
    (atomically: no half-written file is ever left).
    """
    from .render.still import check_png_path, render_still, write_png

    if path is not None:
        check_png_path(path)  # before the render, not after it
    img = render_still(traj, at, camera=camera, size=tuple(size))
    if path is not None:
        write_png(img, path)
    return img
