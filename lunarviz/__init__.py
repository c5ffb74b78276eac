"""lunarviz: fly and watch lunar descents in 3D with real SPICE ephemerides.

The public Python API (defined in :mod:`lunarviz.api`; each function imports
its machinery only when called, so ``import lunarviz`` stays light and loads
neither VTK, Qt nor SPICE). Documented, with examples, in ``docs/api.md``.

* :func:`load` -- a scenario file, a shipped scene name or a dict -> ``Scenario``
  (``scenario.replace(...)`` for what-ifs);
* :func:`fly` -- ``Scenario`` (and a seed) -> ``Trajectory`` (``.at(t)``, events,
  ``to_csv``, ``to_spk``, ``to_dataframe``);
* :func:`monte_carlo` -- N dispersed runs at once -> landing statistics;
* :func:`still` -- one frame of a ``Trajectory`` as an ``(H, W, 3)`` uint8 image;
* :func:`render` -- a video, with ``lunarviz render``'s options;
* :func:`show` -- an interactive 3D view in Jupyter (a still image without a widget backend).

>>> import lunarviz
>>> traj = lunarviz.fly(lunarviz.load("resilience"))
>>> traj.event("touchdown") is not None
True
"""

from __future__ import annotations

from .api import fly, load, monte_carlo, render, show, still

__version__ = "0.1.0"
__all__ = ["__version__", "fly", "load", "monte_carlo", "render", "show", "still"]
