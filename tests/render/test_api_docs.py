"""The public API's docstring examples run (doctest), and docs/api.md is generated from them."""

from __future__ import annotations

import doctest
import importlib.util
from pathlib import Path

import pytest

import lunarviz
import lunarviz.api
import lunarviz.scenario

ROOT = Path(__file__).resolve().parents[2]


def _make_api_doc():
    spec = importlib.util.spec_from_file_location("make_api_doc", ROOT / "scripts" / "make_api_doc.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("module", [lunarviz, lunarviz.api, lunarviz.scenario], ids=lambda m: m.__name__)
def test_docstring_examples_run(module, headless, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the examples write td.png and frames/ here
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    tests = [t for t in finder.find(module, module.__name__) if t.examples]
    if module is lunarviz.scenario:
        tests = [t for t in tests if t.name.endswith("Scenario.replace")]
    assert tests, f"{module.__name__} has no examples"
    for t in tests:
        runner.run(t)
    assert runner.failures == 0
    assert runner.tries >= len(tests)
    if module is lunarviz.api:  # what the still and render examples made is real
        from PIL import Image

        with Image.open(tmp_path / "td.png") as im:
            assert im.size == (320, 180)
        assert len(list((tmp_path / "frames").glob("*.png"))) == 4


def test_every_public_function_has_an_example():
    for name in set(lunarviz.__all__) - {"__version__", "show"}:  # show needs a notebook: examples/
        assert ">>>" in (getattr(lunarviz.api, name).__doc__ or ""), name


def test_api_page_is_generated_from_the_docstrings_and_names_every_public_name():
    page = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    mod = _make_api_doc()
    assert page == mod.text(), "docs/api.md is stale: run python scripts/make_api_doc.py"
    for name in set(lunarviz.__all__) - {"__version__"}:
        assert f"## `lunarviz.{name}`" in page
    for method in ("Scenario.replace", "Trajectory.at", "Trajectory.to_csv", "Trajectory.to_spk",
                   "Trajectory.to_dataframe"):
        assert f"## `{method}`" in page
