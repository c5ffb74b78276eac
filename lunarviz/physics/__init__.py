"""Descent physics and GNC: dynamics, guidance, navigation, flight, Monte Carlo.

Public entry point: :func:`fly` (scenario, seed) -> :class:`lunarviz.trajectory.Trajectory`.
"""

from .flight import PHASES, fly, simulate  # noqa: F401
from .summary import outcome_summary  # noqa: F401

__all__ = ["PHASES", "fly", "simulate", "outcome_summary"]
