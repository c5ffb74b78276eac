#!/usr/bin/env python
"""Build the HAKUTO-R-like lander model in code and write ``assets/lander.glb``.

The other missions' landers are built at run time by :mod:`lunarviz.render.landers`
(same primitives); ``[vehicle] model`` in a scenario chooses one.

The model is metres, +Z up (thrust direction), origin at the centre of the
footpad plane; about 2.3 m tall and 2.5 m across the footpads (docs/facts.md:
HAKUTO-R Mission 2 lander "Resilience", 2.3 m tall, 2.5 m wide). It is
assembled from trimesh primitives: an octagonal body wrapped in gold
multi-layer insulation with dark solar panels on four faces, white/silver
decks, an upper module with antenna mast and dish, four legs (primary strut
and two secondary struts each) with footpads, a main-engine bell whose exit is
at ``lunarviz.assets.LANDER_NOZZLE_EXIT_M`` pointing -Z, and four clusters of
three attitude thrusters. Colours are per-vertex (glTF ``COLOR_0``); each part
has its own vertices so colours do not bleed. glTF is +Y up, so the file is
written rotated (x, y, z) -> (x, z, -y); ``lunarviz.assets.load_lander``
rotates it back.

Usage::

    python scripts/build_lander.py [--out assets/lander.glb]
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np
import trimesh

from lunarviz.assets import LANDER_NOZZLE_EXIT_M, LANDER_NOZZLE_EXIT_RADIUS_M
from lunarviz.render.landers import (  # the primitives every lander model is built from
    BLACK,
    FRAME,
    GOLD,
    NOZZLE,
    SILVER,
    SOLAR,
    THRUSTER,
    WHITE,
    bell,
    box,
    coloured,
    octagon_prism,
    strut,
)

BODY_BOTTOM_Z = 0.62
BODY_TOP_Z = 1.62
BODY_RADIUS = 0.80          # circumradius of the octagon
FOOTPAD_RADIUS_M = 0.15
LEG_REACH_M = 1.25 - FOOTPAD_RADIUS_M   # footpad centre distance from the axis
TOP_Z = 2.30


def build() -> trimesh.Trimesh:
    parts: list[trimesh.Trimesh] = []

    def add(mesh: trimesh.Trimesh, rgba) -> None:
        parts.append(coloured(mesh, rgba))

    # main body: gold MLI octagon, white top deck, silver bottom deck
    add(octagon_prism(BODY_RADIUS, BODY_BOTTOM_Z + 0.03, BODY_TOP_Z - 0.03), GOLD)
    add(octagon_prism(BODY_RADIUS + 0.02, BODY_TOP_Z - 0.03, BODY_TOP_Z + 0.02), WHITE)
    add(octagon_prism(BODY_RADIUS + 0.02, BODY_BOTTOM_Z - 0.02, BODY_BOTTOM_Z + 0.03), SILVER)
    apothem = BODY_RADIUS * math.cos(math.pi / 8)
    side = 2 * BODY_RADIUS * math.sin(math.pi / 8)
    # solar panels on the four faces facing +-X, +-Y (with a silver frame)
    for k in range(4):
        a = k * math.pi / 2
        c = np.array([math.cos(a), math.sin(a)])
        zc = 0.5 * (BODY_BOTTOM_Z + BODY_TOP_Z)
        add(box([0.02, side * 0.96, 0.86], [*(c * (apothem + 0.012)), zc], rotz=a), SILVER)
        add(box([0.02, side * 0.88, 0.78], [*(c * (apothem + 0.024)), zc], rotz=a), SOLAR)
    # silver MLI bands on the diagonal faces (under the gold: patches)
    for k in range(4):
        a = math.pi / 4 + k * math.pi / 2
        c = np.array([math.cos(a), math.sin(a)])
        add(box([0.015, side * 0.8, 0.25], [*(c * (apothem + 0.008)), BODY_BOTTOM_Z + 0.2], rotz=a), SILVER)

    # upper module: white box with payload items, mast and dish to 2.3 m
    add(octagon_prism(0.42, BODY_TOP_Z + 0.02, 1.92), WHITE)
    add(octagon_prism(0.44, 1.92, 1.95), SILVER)
    add(box([0.26, 0.32, 0.55], [0.52, -0.2, BODY_TOP_Z + 0.02 + 0.275]), GOLD)       # rover "Tenacious" bay
    add(box([0.18, 0.18, 0.12], [-0.5, 0.35, BODY_TOP_Z + 0.08]), BLACK)               # star tracker
    add(box([0.16, 0.22, 0.2], [-0.45, -0.42, BODY_TOP_Z + 0.12]), SILVER)
    add(strut([0.0, 0.0, 1.95], [0.0, 0.0, 2.18], radius=0.025), SILVER)
    dish = trimesh.creation.revolve(np.c_[[0.0, 0.08, 0.16, 0.2], [2.16, 2.19, 2.25, 2.30]], sections=24)
    dish2 = dish.copy()
    dish2.invert()
    add(trimesh.util.concatenate([dish, dish2]), WHITE)
    add(strut([-0.3, 0.3, 1.95], [-0.3, 0.3, 2.12], radius=0.012), SILVER)              # omni antenna
    add(trimesh.creation.icosphere(subdivisions=1, radius=0.03).apply_translation([-0.3, 0.3, 2.13]), WHITE)

    # main engine: bell below the body, exit at LANDER_NOZZLE_EXIT_M
    ex = np.array(LANDER_NOZZLE_EXIT_M)
    add(bell(BODY_BOTTOM_Z - 0.02, ex[2], 0.06, LANDER_NOZZLE_EXIT_RADIUS_M), NOZZLE)
    below_body = trimesh.transformations.translation_matrix([0, 0, BODY_BOTTOM_Z - 0.03])
    add(trimesh.creation.cylinder(radius=0.12, height=0.06, transform=below_body), SILVER)

    # attitude / auxiliary thruster clusters on the four diagonal corners, bottom
    for k in range(4):
        a = math.pi / 4 + k * math.pi / 2
        c = np.array([math.cos(a), math.sin(a)])
        base = np.array([*(c * (apothem - 0.05)), BODY_BOTTOM_Z - 0.06])
        add(box([0.14, 0.14, 0.08], base + [0, 0, 0.02], rotz=a), SILVER)
        for d in ((0, 0, -1), (*c, 0), (-c[1], c[0], 0)):
            d = np.array(d, float)
            tip = base + 0.1 * d
            cone = trimesh.creation.cone(radius=0.03, height=0.08, sections=10)
            # cone apex is +Z; point the opening along d: apex towards the base
            R = trimesh.geometry.align_vectors([0, 0, 1], -d)
            cone.apply_transform(R)
            cone.apply_translation(tip)
            add(cone, THRUSTER)

    # legs: footpads on the +-X and +-Y axes, 2.5 m across
    for k in range(4):
        a = k * math.pi / 2
        c = np.array([math.cos(a), math.sin(a)])
        t = np.array([-c[1], c[0]])
        pad = np.array([*(c * LEG_REACH_M), 0.0])
        add(trimesh.creation.cylinder(radius=FOOTPAD_RADIUS_M, height=0.05,
                                      transform=trimesh.transformations.translation_matrix(pad + [0, 0, 0.025])), GOLD)
        knee = pad + [0, 0, 0.05]
        top = np.array([*(c * (apothem + 0.02)), BODY_BOTTOM_Z + 0.35])
        add(strut(knee, top, 0.04), FRAME)                              # primary strut (shock absorber)
        add(strut(knee + 0.55 * (top - knee), top - 0.05 * (top - knee), 0.055), SILVER)  # damper sleeve
        for sgn in (-1, 1):
            foot = np.array([*(c * (apothem - 0.05) + sgn * t * side * 0.45), BODY_BOTTOM_Z + 0.02])
            add(strut(knee + [0, 0, 0.02], foot, 0.022), FRAME)       # secondary struts
    mesh = trimesh.util.concatenate(parts)
    return mesh


def main() -> None:
    ap = argparse.ArgumentParser(description="Write the lander model to a GLB file.")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "assets" / "lander.glb")
    args = ap.parse_args()
    mesh = build()
    lo, hi = mesh.bounds
    print(f"lander: {len(mesh.vertices)} vertices, {len(mesh.faces)} faces, bounds {lo.round(3)} .. {hi.round(3)}")
    zup_to_gltf = np.array([[1.0, 0, 0, 0], [0, 0, 1.0, 0], [0, -1.0, 0, 0], [0, 0, 0, 1.0]])
    out = mesh.copy()
    out.apply_transform(zup_to_gltf)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    data = out.export(file_type="glb")
    args.out.write_bytes(data)
    print(f"wrote {args.out} ({len(data) / 1e3:.0f} kB)")


if __name__ == "__main__":
    main()
