"""Descent physics and GNC: dynamics, guidance, navigation, flight, Monte Carlo.

Public entry point: :func:`fly` (scenario, seed) -> :class:`lunarviz.trajectory.Trajectory`.
"""

from .flight import PHASES, fly, simulate
from .summary import outcome_summary

__all__ = ["PHASES", "fly", "simulate", "outcome_summary"]
