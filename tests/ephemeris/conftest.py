"""Fixtures for the ephemeris tests (helpers live in ephem_refs.py)."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session")
def de421_path() -> str:
    import skyfield_data

    return os.path.join(os.path.dirname(skyfield_data.__file__), "data", "de421.bsp")


@pytest.fixture(scope="session")
def jpl_spk(de421_path):
    """jplephem's independent reader of the same DE421 file."""
    from jplephem.spk import SPK

    spk = SPK.open(de421_path)
    yield spk
    spk.close()
