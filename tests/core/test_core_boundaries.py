"""Architecture boundaries: who may import spiceypy, VTK and Qt."""

import ast
from pathlib import Path

import lunarviz

PKG = Path(lunarviz.__file__).parent


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def modules():
    return sorted(p for p in PKG.rglob("*.py"))


def test_only_ephemeris_imports_spiceypy():
    users = [p.relative_to(PKG).as_posix() for p in modules() if "spiceypy" in imported_roots(p)]
    assert users == ["ephemeris.py"]


def test_qt_lives_only_in_app():
    qt = {"PySide6", "pyvistaqt", "pyqtgraph"}
    offenders = [
        p.relative_to(PKG).as_posix() for p in modules()
        if imported_roots(p) & qt and p.relative_to(PKG).parts[0] != "app"
    ]
    assert offenders == []


def test_core_imports_neither_vtk_nor_qt():
    core = ["timebase.py", "ephemeris.py", "scenario.py", "trajectory.py", "terrain.py", "assets.py",
            "timespec.py", "lesson.py"]
    core_paths = [PKG / c for c in core] + sorted((PKG / "physics").glob("*.py"))
    banned = {"vtk", "pyvista", "PySide6", "pyvistaqt", "pyqtgraph"}
    offenders = {p.name: imported_roots(p) & banned for p in core_paths if imported_roots(p) & banned}
    assert offenders == {}


def imported_modules(path: Path) -> set[str]:
    """Absolute names of every module ``path`` imports (relative imports resolved), lazy ones included."""
    rel = path.relative_to(PKG.parent).with_suffix("").parts
    package = rel[:-1] if rel[-1] != "__init__" else rel[:-1]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = list(package[: len(package) - node.level + 1]) if node.level else []
            mod = ".".join([*base, *(node.module.split(".") if node.module else [])])
            out.add(mod)
            out |= {f"{mod}.{a.name}" for a in node.names}
    return out


#: the one physics module render may read: the Outcome vocabulary (thresholds, no flight machinery)
RENDER_MAY_READ = {"lunarviz.physics.outcome", "lunarviz.physics.outcome.Outcome",
                   "lunarviz.physics.outcome.touchdown_outcome"}


def test_render_never_imports_physics():
    """The renderer draws a Trajectory (which carries its scenario and terrain); it never flies or rebuilds."""
    offenders = {
        p.relative_to(PKG).as_posix(): sorted(m for m in imported_modules(p)
                                              if m.startswith("lunarviz.physics") and m not in RENDER_MAY_READ)
        for p in sorted((PKG / "render").rglob("*.py"))
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_import_scan_sees_relative_imports():
    # the scan above must be able to fail: flight.py's relative imports resolve to lunarviz.physics.*
    assert "lunarviz.physics.frames" in imported_modules(PKG / "physics" / "flight.py")
    assert "lunarviz.scenario" in imported_modules(PKG / "physics" / "flight.py")
