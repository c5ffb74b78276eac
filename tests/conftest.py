"""Settings for the whole test session.

Every cache lunarviz writes (downloads, resized textures, baked terrain
patches: all under :func:`lunarviz.assets.cache_dir`) goes to one temporary
folder for the session, set through ``$LUNARVIZ_CACHE`` before any test is
collected, so CLI tests run as subprocesses inherit it too. Nothing is
written to the user's ``~/.cache/lunarviz``; the folder is removed at the end.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

_SESSION_CACHE: Path | None = None


def pytest_configure(config):
    global _SESSION_CACHE
    _SESSION_CACHE = Path(tempfile.mkdtemp(prefix="lunarviz-test-cache-"))
    os.environ["LUNARVIZ_CACHE"] = str(_SESSION_CACHE)


def pytest_unconfigure(config):
    if _SESSION_CACHE is not None:
        shutil.rmtree(_SESSION_CACHE, ignore_errors=True)


@pytest.fixture(scope="session")
def session_cache() -> Path:
    """The temporary folder that stands in for the user cache during the tests."""
    assert _SESSION_CACHE is not None
    return _SESSION_CACHE


@pytest.fixture(autouse=True)
def _units_restored():
    """Every test starts and ends with the default units: a test that chose imperial (``--units``,
    :func:`lunarviz.units.set_units`, which also sets ``$LUNARVIZ_UNITS``) leaves nothing behind."""
    from lunarviz import units

    before = os.environ.pop("LUNARVIZ_UNITS", None)
    units._state["system"] = None
    yield
    os.environ.pop("LUNARVIZ_UNITS", None)
    if before is not None:
        os.environ["LUNARVIZ_UNITS"] = before
    units._state["system"] = None
