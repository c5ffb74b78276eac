"""Fixtures of the fuzz suite: DEM files of every kind the terrain reader may meet."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fuzzkit import write_dems


@pytest.fixture(scope="session")
def dem_paths(tmp_path_factory) -> list[str]:
    return write_dems(tmp_path_factory.mktemp("dems"))
