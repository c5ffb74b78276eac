"""The public API in ``lunarviz/__init__.py``: light to import, and ``load`` from every kind of source."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import tomllib

import pytest

import lunarviz
from lunarviz import scenario
from lunarviz.errors import ScenarioError

HEAVY = ("vtk", "vtkmodules", "pyvista", "pyvistaqt", "PySide6", "pyqtgraph", "spiceypy")


def test_import_lunarviz_loads_no_vtk_qt_or_spice():
    code = ("import sys, lunarviz; lunarviz.load, lunarviz.fly, lunarviz.still; "
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_renderer_loads_no_flight_code_or_numba():
    # a render-farm worker imports the scene builder: it draws a flown trajectory and never flies one
    code = ("import sys, lunarviz.render.scene, lunarviz.render.frames; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'numba' or m.startswith('lunarviz.physics.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['lunarviz.physics.outcome']"


def test_public_names():
    assert {"load", "fly", "still"} <= set(lunarviz.__all__)


def test_load_by_name_path_and_dict_agree():
    path = scenario.scenes_dir() / "resilience.toml"
    by_name = lunarviz.load("resilience")
    by_path = lunarviz.load(path)
    by_dict = lunarviz.load(tomllib.loads(path.read_text(encoding="utf-8")))
    assert by_name == by_path
    assert by_dict.path == "<dict>"
    assert dataclasses.replace(by_dict, path=by_path.path) == by_path


def test_load_bad_dict_is_one_line_error():
    data = tomllib.loads((scenario.scenes_dir() / "resilience.toml").read_text(encoding="utf-8"))
    data["vehicle"]["dry_mass_kg"] = -1.0
    with pytest.raises(ScenarioError) as exc:
        lunarviz.load(data)
    msg = str(exc.value)
    assert "\n" not in msg and msg.startswith("<dict>") and "dry_mass_kg" in msg


def test_load_missing_file_names_it(tmp_path):
    with pytest.raises(ScenarioError, match="nothere.toml"):
        lunarviz.load(tmp_path / "nothere.toml")
