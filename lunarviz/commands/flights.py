"""Scene name or file -> flown Trajectory, for the verbs that draw a flight (``still``, ``render``).

Here rather than in ``lunarviz.render``: the renderer draws a Trajectory and never
imports the physics that made it.
"""

from __future__ import annotations

from ..trajectory import Trajectory


def load_flight(scene: str) -> Trajectory:
    """Load a scenario (path or shipped name), validating every table, and fly it."""
    from .. import physics, scenario

    return physics.fly(scenario.load(scenario.resolve(scene)))
