"""The test session keeps every lunarviz cache in a temporary folder (tests/conftest.py)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from lunarviz import assets
from lunarviz.render import resources


def test_every_cache_is_inside_the_session_folder(session_cache):
    assert session_cache.name.startswith("lunarviz-test-cache-")
    assert session_cache.is_relative_to(tempfile.gettempdir())
    assert not session_cache.is_relative_to(Path.home() / ".cache")
    assert assets.cache_dir() == session_cache
    assert resources.cache_dir().is_relative_to(session_cache)


def test_cli_subprocesses_inherit_the_session_cache(session_cache):
    r = subprocess.run([sys.executable, "-m", "lunarviz", "assets", "list"], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert f"cache:    {session_cache}\n" in r.stdout


def test_one_user_cache_folder_for_downloads_and_render_data(monkeypatch, tmp_path):
    monkeypatch.setenv(assets.ENV_CACHE, str(tmp_path / "c"))
    assert resources.cache_dir() == tmp_path / "c" / "render"
