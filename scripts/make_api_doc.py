"""Write docs/api.md from the public API's docstrings (``python scripts/make_api_doc.py``).

The page is generated, never edited by hand: ``tests/core/test_api_docs.py``
checks that it matches the docstrings and names every public name, and runs
the examples in them (doctest).
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "api.md"

INTRO = """# The Python API

`import lunarviz` gives the names below (`lunarviz.__all__`); nothing heavy (VTK,
Qt, SPICE) is imported until a function needs it. Each function is the code path
of a command (`fly`, `still`, `render`, the `serve` page), so the API and the CLI
give the same results. Units are in the names; times are ET seconds (TDB past
J2000) or the command line's time specs (`"touchdown-20s"`, `"pdi+1.5min"`, an ISO
UTC time). Bad input raises a `lunarviz.errors.LunarvizError` with one line.

The examples are run by the test suite (`tests/core/test_api_docs.py`), and this
page is generated from the docstrings by `python scripts/make_api_doc.py`.
Notebooks: `examples/resilience.ipynb`; the classroom server: `lunarviz serve`
([web.md](web.md)).
"""


def _section(title: str, obj) -> str:
    doc = inspect.getdoc(obj) or ""
    sig = ""
    if callable(obj) and not inspect.isclass(obj):
        sig = f"\n```python\n{title}{inspect.signature(obj)}\n```\n"
    return f"## `{title}`\n{sig}\n{_md(doc)}\n"


def _md(doc: str) -> str:
    """Docstring -> markdown: doctest blocks become ```python blocks."""
    out, block = [], False
    for line in doc.splitlines():
        is_code = line.startswith(">>>") or line.startswith("...") or (block and line.strip())
        if is_code and not block:
            out.append("```python")
            block = True
        elif block and not is_code:
            out.append("```")
            block = False
        out.append(line)
    if block:
        out.append("```")
    return "\n".join(out)


def public_objects():
    """(title, object) for every public name and the methods the API promises."""
    import lunarviz
    import lunarviz.api
    from lunarviz.physics.montecarlo import MonteCarloResult
    from lunarviz.scenario import Scenario
    from lunarviz.trajectory import State, Trajectory

    order = ("load", "fly", "monte_carlo", "still", "render", "show")
    assert set(order) == set(lunarviz.__all__) - {"__version__"}, "a public name is missing here"
    items = [(f"lunarviz.{n}", getattr(lunarviz.api, n)) for n in order]  # lunarviz.render may be the package
    items += [("Scenario.replace", Scenario.replace)]
    items += [(f"Trajectory.{m}", getattr(Trajectory, m))
              for m in ("at", "event", "to_csv", "to_spk", "to_dataframe")]
    items += [("Trajectory", Trajectory), ("State", State), ("MonteCarloResult", MonteCarloResult)]
    return items


def text() -> str:
    parts = [INTRO, "`lunarviz.__version__`: the package version.\n"]
    parts += [_section(t, o) for t, o in public_objects()]
    return "\n".join(parts).rstrip() + "\n"


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    OUT.write_text(text(), encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")
