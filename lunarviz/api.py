"""The public Python API, re-exported by :mod:`lunarviz` (``lunarviz.load``, ``lunarviz.fly``, ...).

Each function is the code path of a command: :func:`fly` and :func:`monte_carlo`
of ``lunarviz fly`` (``--dispersions``), :func:`still` of ``lunarviz still``,
:func:`render` of ``lunarviz render`` (its options are that command's, parsed by
its own parser), :func:`show` of the ``lunarviz serve`` page inside Jupyter.
Nothing heavy is imported here: each function imports what it needs when called,
so ``import lunarviz`` loads neither VTK, Qt nor SPICE.

Units are in the names (``alt_m``, ``speed_mps``); times are ET seconds (TDB past
J2000) or the command line's time specs (``"touchdown-20s"``, ``"pdi+1.5min"``,
an ISO UTC time).

>>> import lunarviz
>>> traj = lunarviz.fly(lunarviz.load("resilience"), seed=0)
>>> traj.event("touchdown").speed_mps > 30      # Resilience hit the ground fast
True
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from .physics.montecarlo import MonteCarloResult
    from .scenario import Scenario
    from .trajectory import Trajectory

Source = str | os.PathLike | Mapping[str, Any]


def load(source: Source) -> Scenario:
    """Read and validate a scenario: a TOML file's path, a shipped scene's name, or a dict.

    ``source`` is a path to a TOML scenario file, the name of a shipped scene
    (``"resilience"``, ``"apollo11"``, ... in ``scenes/``), or a mapping with
    the same tables as a file. Bad input raises :class:`~lunarviz.errors.ScenarioError`
    with a one-line message naming the file, key and value. The result is frozen;
    :meth:`Scenario.replace <lunarviz.scenario.Scenario.replace>` makes what-ifs.

    >>> import lunarviz
    >>> sc = lunarviz.load("resilience")
    >>> sc.name, sc.vehicle.dry_mass_kg > 0
    ('resilience', True)
    >>> lunarviz.load({"story": {"title": "x"}})   # doctest: +ELLIPSIS
    Traceback (most recent call last):
    lunarviz.errors.ScenarioError: <dict>...
    """
    from . import scenario

    if isinstance(source, Mapping):
        return scenario.parse(source, "", "<dict>")
    return scenario.load(scenario.resolve(source))


def _scenario(scenario: Scenario | Source) -> Scenario:
    from .scenario import Scenario as _Scenario

    return scenario if isinstance(scenario, _Scenario) else load(scenario)


def fly(scenario: Scenario | Source, seed: int = 0) -> Trajectory:
    """Fly ``scenario`` from its start to the surface; returns its ``Trajectory`` (``MOON_ME``, SI).

    ``scenario`` is a :class:`~lunarviz.scenario.Scenario` (or anything :func:`load`
    takes). The same scenario and seed give an identical trajectory. The result
    has ``.at(et_s)`` (an interpolated state), ``.events`` / ``.event(name)``,
    ``.to_csv(path)``, ``.to_spk(path)`` and ``.to_dataframe()``.

    >>> import lunarviz
    >>> traj = lunarviz.fly("resilience")
    >>> td = traj.event("touchdown")
    >>> s = traj.at(td.et_s - 20.0)
    >>> s.alt_m < s.est_alt_m                     # it believed it was higher than it was
    True
    >>> traj.to_dataframe().columns[:3].tolist()
    ['utc', 't_s', 'alt_m']
    """
    from .physics import fly as _fly

    return _fly(_scenario(scenario), seed=seed)


def monte_carlo(scenario: Scenario | Source, n: int, seed: int = 0) -> MonteCarloResult:
    """Fly ``n`` dispersed runs of ``scenario`` at once, as ``lunarviz fly --dispersions N`` does.

    Returns a :class:`~lunarviz.physics.montecarlo.MonteCarloResult`: per-run
    arrays (``outcome``, ``touchdown_et_s``, ``lat_deg``, ``east_m``,
    ``vertical_speed_mps``, ...), ``success_rate``, the 99 % landing ellipse and
    ``to_dict()`` (the ``--json`` object).

    >>> import lunarviz
    >>> mc = lunarviz.monte_carlo("resilience-nominal", 20, seed=1)
    >>> mc.runs, 0.0 <= mc.success_rate <= 1.0
    (20, True)
    """
    from .errors import LunarvizError
    from .physics import montecarlo

    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise LunarvizError(f"monte_carlo: n = {n!r}: expected a whole number of runs >= 1")
    return montecarlo.run(_scenario(scenario), n, seed=seed)


def still(traj: Trajectory, at: str | float, camera: str = "chase",
          size: tuple[int, int] = (1280, 720), path: str | os.PathLike | None = None) -> np.ndarray:
    """Render one frame of ``traj`` off-screen, as ``lunarviz still`` does.

    ``at`` is ET seconds (TDB past J2000) or a time spec as on the command
    line (``"touchdown-20s"``, ``"pdi+1.5min"``, an ISO UTC time); ``camera``
    is ``chase``, ``orbit``, ``site``, ``earthrise``, ``down`` or ``scenario``;
    ``size`` is (width, height) in pixels. Returns an ``(height, width, 3)``
    uint8 array; with ``path`` the image is also written there as a PNG
    (atomically: no half-written file is ever left).

    >>> import lunarviz
    >>> img = lunarviz.still(lunarviz.fly("resilience"), "touchdown-20s", size=(320, 180), path="td.png")
    >>> img.shape, img.dtype.name
    ((180, 320, 3), 'uint8')
    """
    from .render.still import check_png_path, render_still, write_png

    if path is not None:
        check_png_path(path)  # before the render, not after it
    img = render_still(traj, at, camera=camera, size=tuple(size))
    if path is not None:
        write_png(img, path)
    return img


def _render_args(path: str | os.PathLike, options: Mapping[str, Any]):
    """``options`` as ``lunarviz render``'s parsed arguments (its own parser checks them)."""
    import argparse

    from .cli import Parser
    from .commands import render as cmd
    from .errors import LunarvizError

    class _Parser(Parser):
        def error(self, message):  # one line, never SystemExit
            raise LunarvizError(f"render: {message}")

    parser = _Parser(prog="lunarviz.render")
    cmd.register(parser.add_subparsers(dest="command", parser_class=_Parser))
    argv, later = ["render", "-o", os.fspath(path)], {}
    flags = {"hud": "--no-hud", "progress": "--no-progress"}
    for key, value in options.items():
        if key in flags:
            argv += [] if value else [flags[key]]
        elif key in ("start", "end") and isinstance(value, int | float) and not isinstance(value, bool):
            later[key] = float(value)  # ET seconds: no command-line spelling
        elif key == "size" and not isinstance(value, str):
            argv += ["--size", "x".join(str(int(v)) for v in value)]
        elif key == "antialias" and value is None:
            argv += ["--antialias", "none"]
        else:
            argv += [f"--{key.replace('_', '-')}", str(value)]
    if "progress" not in options:
        argv.append("--no-progress")
    args = parser.parse_args(argv)
    if not isinstance(args, argparse.Namespace):  # pragma: no cover
        raise LunarvizError("render: could not read the options")
    for key, value in later.items():
        setattr(args, key, value)
    return args


def render(traj: Trajectory, path: str | os.PathLike, **options: Any):
    """Render ``traj`` to a video (H.264 / ProRes) or a PNG folder, as ``lunarviz render`` does.

    ``options`` are that command's options with ``_`` for ``-``: ``size``
    (``(w, h)`` or ``"1280x720"``), ``fps``, ``start``, ``end`` (time specs or ET
    seconds), ``speed``, ``camera``, ``codec``, ``quality``, ``antialias``,
    ``hud=False`` (``--no-hud``), ``progress=True`` (a progress bar; off by
    default here), and whatever else ``lunarviz render --help`` lists: the
    command's own parser reads them, so a bad one is the same one-line
    :class:`~lunarviz.errors.LunarvizError`. Defaults come from the scenario's
    ``[render]`` table. Returns the render's statistics (``frames``, ``fps``).

    >>> import lunarviz
    >>> traj = lunarviz.fly("resilience")
    >>> stats = lunarviz.render(traj, "frames", codec="png", size=(160, 90), fps=4,
    ...                         start="touchdown-1s", end="touchdown")
    >>> stats.frames
    4
    """
    from .commands.render import render_flight
    from .render.camera import check_camera
    from .render.offscreen import check_headless

    args = _render_args(path, options)
    if args.camera is not None:
        check_camera(args.camera, "camera")
    check_headless()
    stats, _size, _fps = render_flight(traj, args)
    return stats


def show(traj_or_scene: Trajectory | Scenario | Source, camera: str = "chase", at: str | float = "touchdown-20s",
         *, size: tuple[int, int] = (960, 540), backend: str = "auto"):
    """Show a flight in Jupyter: an interactive 3D view with a time slider and a camera picker.

    ``traj_or_scene`` is a ``Trajectory``, a ``Scenario`` or anything :func:`load`
    takes (flown first). The view is pyvista's trame backend (the picture the
    renderer and ``lunarviz serve`` draw: the one scene of :mod:`lunarviz.render.scene`),
    with ipywidgets for the time (seconds from touchdown) and the camera.
    ``backend="static"``, or no widget backend (no trame / ipywidgets, or not in a
    kernel), gives a still image instead (a ``PIL.Image``, which Jupyter displays).
    See :mod:`lunarviz.web.notebook`.
    """
    from .trajectory import Trajectory as _Trajectory
    from .web.notebook import show as _show

    traj = traj_or_scene if isinstance(traj_or_scene, _Trajectory) else fly(traj_or_scene)
    return _show(traj, camera=camera, at=at, size=size, backend=backend)
