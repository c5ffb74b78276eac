"""Descent physics and GNC: dynamics, guidance, navigation, flight, Monte Carlo.

Public entry point: :func:`fly` (scenario, seed) -> :class:`lunarviz.trajectory.Trajectory`.

The names below are loaded on first use, so reading :mod:`lunarviz.physics.outcome`
(the renderer and the viewer do) loads neither the flight code nor numba.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["PHASES", "fly", "simulate", "outcome_summary"]
_HOME = {"PHASES": ".flight", "fly": ".flight", "simulate": ".flight", "outcome_summary": ".summary"}


def __getattr__(name: str) -> Any:
    if name in _HOME:
        value = getattr(importlib.import_module(_HOME[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
