"""The README's Python example, run verbatim: load -> fly -> still through the public API."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import lunarviz
from lunarviz.errors import RenderError

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_python_block() -> str:
    blocks = re.findall(r"^```python\n(.*?)^```", README.read_text(encoding="utf-8"), flags=re.M | re.S)
    assert len(blocks) == 1, "README.md should hold exactly one ```python example"
    return blocks[0]


def test_readme_example_is_short():
    lines = [ln for ln in readme_python_block().splitlines() if ln.strip()]
    assert len(lines) <= 10


def test_readme_python_example_runs_and_draws(headless, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ns: dict = {}
    exec(compile(readme_python_block(), str(README), "exec"), ns)
    img = ns["img"]
    assert isinstance(img, np.ndarray) and img.dtype == np.uint8
    assert img.shape == (720, 1280, 3)
    # not blank: a lit lander and ground against a dark sky give real contrast
    assert img.std() > 10.0 and img.max() > 150 and img.min() < 40
    pngs = list(tmp_path.glob("*.png"))
    assert len(pngs) == 1 and not list(tmp_path.glob(".*partial*"))
    assert np.array_equal(np.asarray(Image.open(pngs[0]).convert("RGB")), img)


def test_still_refuses_a_non_png_path_before_rendering(tmp_path):
    with pytest.raises(RenderError, match=r"\.png"):
        lunarviz.still(object(), "touchdown", path=tmp_path / "x.jpg")
    assert list(tmp_path.iterdir()) == []


def test_a_still_loads_only_the_vtk_modules_it_needs(headless):
    # `import vtk` loads all ~180 of VTK's modules (half a second in every command and farm worker)
    import subprocess
    import sys

    code = ("import sys, lunarviz; lunarviz.still(lunarviz.fly('resilience'), 'touchdown-20s', size=(160, 90)); "
            "print('vtk' in sys.modules, sum(m.startswith('vtkmodules.') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300)
    loaded, n_modules = out.stdout.split()
    assert loaded == "False"
    assert int(n_modules) < 100
