"""Each shared term of lunarviz is defined in exactly one place (issue #9, "one vocabulary").

Every ``lunarviz/**/*.py`` is parsed; a *definition* is a ``def``/``class``
name or an assignment target (module level, class body or function body,
annotated or not). Importing a name elsewhere is fine; defining it again is not.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import lunarviz

PKG = Path(lunarviz.__file__).parent

#: name -> the module (relative to lunarviz/) that must be its one home
HOMES = {
    "MOON_RADIUS_M": "geometry.py",
    "enu_basis": "geometry.py",
    "enu_basis_from_up": "geometry.py",
    "latlon_to_unit": "geometry.py",
    "unit_to_latlon": "geometry.py",
    "latlon_to_moon_me": "geometry.py",
    "moon_me_to_latlon": "geometry.py",
    "great_circle_m": "geometry.py",
    "Outcome": "physics/outcome.py",
    "MAX_LANDED_VERTICAL_MPS": "physics/outcome.py",
    "MAX_LANDED_HORIZONTAL_MPS": "physics/outcome.py",
    "MAX_HARD_VERTICAL_MPS": "physics/outcome.py",
    "MAX_HARD_HORIZONTAL_MPS": "physics/outcome.py",
    "classify": "physics/outcome.py",
    "touchdown_speeds": "physics/outcome.py",
    "touchdown_outcome": "physics/outcome.py",
    "format_utc": "formatting.py",
    "format_l_minus": "formatting.py",
    "FOOT_M": "units.py",
    "MILE_M": "units.py",
    "POUND_KG": "units.py",
    "set_units": "units.py",
}
#: names of the old copies, which must not come back under their old names
GONE = {"IMPACT_ABOVE_MPS", "MAX_SOFT_VERTICAL_MPS", "MAX_SOFT_HORIZONTAL_MPS", "lminus", "_unit_from_latlon",
        "_site_basis", "_check_lat", "_check_lon"}


def _targets(node: ast.AST):
    if isinstance(node, ast.Name):
        yield node.id
    elif isinstance(node, (ast.Tuple, ast.List)):
        for elt in node.elts:
            yield from _targets(elt)
    elif isinstance(node, ast.Starred):
        yield from _targets(node.value)


def definitions() -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(PKG).as_posix()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            names: list[str] = []
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names = [node.name]
            elif isinstance(node, ast.Assign):
                names = [n for t in node.targets for n in _targets(t)]
            elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
                names = list(_targets(node.target))
            for name in names:
                found[name].append(f"{rel}:{node.lineno}")
    return found


def test_each_shared_name_is_defined_exactly_once_in_its_home():
    found = definitions()
    wrong = {name: found.get(name, []) for name, home in HOMES.items()
             if len(found.get(name, [])) != 1 or not found[name][0].startswith(home + ":")}
    assert wrong == {}, f"expected one definition each, in {HOMES}"


def test_the_old_copies_are_gone():
    found = definitions()
    assert {name: found[name] for name in GONE if name in found} == {}


def test_no_other_module_writes_the_moon_radius_as_a_number():
    # a literal 1737400 (or 1737.4e3, 1737.4 km) outside geometry.py is a copy of MOON_RADIUS_M by another name
    copies = []
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(PKG).as_posix()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if (isinstance(node, ast.Constant) and isinstance(node.value, (int, float))
                    and not isinstance(node.value, bool) and node.value in (1737400.0, 1737.4)):
                copies.append(f"{rel}:{node.lineno}")
    assert [c for c in copies if not c.startswith("geometry.py:")] == []
    assert len(copies) == 1


def test_the_walker_sees_every_kind_of_definition():
    # guard against a test that passes because it sees nothing
    found = definitions()
    assert any(p.startswith("geometry.py:") for p in found["MOON_RADIUS_M"])          # assignment
    assert found["Outcome"] and found["LANDED"]                                         # class, class body
    assert len(found["__all__"]) >= 5                                                   # one per module
