"""Fixtures for the viewer tests (pytest-qt under Xvfb via pytest-xvfb)."""

from __future__ import annotations

import pytest
from app_synthetic import synthetic_descent

from lunarviz.trajectory import Trajectory


@pytest.fixture(scope="session")
def synthetic_traj() -> Trajectory:
    return synthetic_descent()
