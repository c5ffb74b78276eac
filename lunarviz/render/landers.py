"""Per-mission lander models, built in code from trimesh primitives (``[vehicle] model`` chooses one).

Every model is metres, +Z up (thrust direction), origin at the centre of the
footpad plane, vertex-coloured, like the embedded HAKUTO-R model
(``assets/lander.glb``, written by ``scripts/build_lander.py`` with the
primitives below). The silhouettes follow public dimensions of each vehicle;
FACTS (/work/shared/FACTS.md) gives only HAKUTO-R's, so every other size here
is an approximate public figure marked ``assumed`` (assets/SOURCES.md lists them).

:data:`BUILDERS` maps a model name (:data:`lunarviz.scenario.LANDER_MODELS`)
to a function returning ``(mesh, nozzle_exit_m)``; ``hakuto-r`` is not here:
it is the GLB asset.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import trimesh

GOLD = (205, 160, 60, 255)        # gold MLI
SILVER = (190, 192, 198, 255)     # silvered MLI / aluminium
WHITE = (232, 232, 228, 255)      # white paint
SOLAR = (22, 28, 62, 255)         # dark blue solar cells
FRAME = (120, 122, 128, 255)      # struts
NOZZLE = (70, 66, 64, 255)        # niobium / dark bell
THRUSTER = (95, 95, 100, 255)
BLACK = (25, 25, 28, 255)
GREY = (150, 150, 150, 255)       # Apollo ascent-stage panels
DARK = (60, 60, 66, 255)          # black anodised panels


def coloured(mesh: trimesh.Trimesh, rgba) -> trimesh.Trimesh:
    mesh = mesh.copy()
    colours = np.tile(np.array(rgba, np.uint8), (len(mesh.vertices), 1))
    mesh.visual = trimesh.visual.ColorVisuals(mesh, vertex_colors=colours)
    return mesh


def polygon_prism(radius: float, z0: float, z1: float, n: int = 8, phase: float | None = None) -> trimesh.Trimesh:
    """Closed regular ``n``-gon prism (flat-shaded); with the default phase an octagon's faces face +-X, +-Y."""
    phase = math.pi / n if phase is None else phase
    ang = phase + 2 * math.pi * np.arange(n) / n
    ring = np.stack([radius * np.cos(ang), radius * np.sin(ang)], -1)
    verts = np.vstack([np.c_[ring, np.full(n, z0)], np.c_[ring, np.full(n, z1)], [[0, 0, z0], [0, 0, z1]]])
    faces = []
    for i in range(n):
        j = (i + 1) % n
        faces += [[i, j, n + j], [i, n + j, n + i]]       # sides
        faces += [[2 * n, j, i]]                           # bottom
        faces += [[2 * n + 1, n + i, n + j]]               # top
    m = trimesh.Trimesh(verts, faces, process=False)
    m.fix_normals()
    # unshare vertices so each face keeps flat shading in viewers
    return trimesh.Trimesh(m.vertices[m.faces].reshape(-1, 3), np.arange(3 * len(m.faces)).reshape(-1, 3),
                           process=False)


def octagon_prism(radius: float, z0: float, z1: float) -> trimesh.Trimesh:
    """Closed octagonal prism with flat faces facing +-X and +-Y."""
    return polygon_prism(radius, z0, z1, 8)


def strut(p0, p1, radius: float = 0.03) -> trimesh.Trimesh:
    return trimesh.creation.cylinder(radius=radius, segment=np.array([p0, p1], float), sections=10)


def box(extents, center, rotz: float = 0.0) -> trimesh.Trimesh:
    m = trimesh.creation.box(extents=extents)
    m.apply_transform(trimesh.transformations.rotation_matrix(rotz, [0, 0, 1]))
    m.apply_translation(center)
    return m


def bell(z_top: float, z_exit: float, r_throat: float, r_exit: float, n: int = 12) -> trimesh.Trimesh:
    """Engine bell as a closed-at-top, open-at-exit surface of revolution (double-sided)."""
    s = np.linspace(0, 1, n)
    z = z_top + (z_exit - z_top) * s
    r = r_throat + (r_exit - r_throat) * np.sqrt(s)
    outer = trimesh.creation.revolve(np.c_[r, z][::-1], sections=32)
    inner = outer.copy()
    inner.invert()
    return trimesh.util.concatenate([outer, inner])


def sphere(radius: float, center) -> trimesh.Trimesh:
    return trimesh.creation.icosphere(subdivisions=2, radius=radius).apply_translation(center)


class _Parts:
    """Coloured parts collected into one mesh."""

    def __init__(self) -> None:
        self.parts: list[trimesh.Trimesh] = []

    def add(self, mesh: trimesh.Trimesh, rgba, at=None) -> None:
        if at is not None:
            mesh = mesh.copy().apply_translation(at)
        self.parts.append(coloured(mesh, rgba))

    def legs(self, n: int, reach: float, pad_r: float, top_r: float, top_z: float, phase: float = 0.0,
             strut_r: float = 0.04) -> None:
        """``n`` legs: a footpad at ``reach`` from the axis, a primary strut to the body at ``top_r``/``top_z``."""
        for k in range(n):
            a = phase + 2 * math.pi * k / n
            c = np.array([math.cos(a), math.sin(a)])
            t = np.array([-c[1], c[0]])
            pad = np.array([*(c * reach), 0.0])
            self.add(trimesh.creation.cylinder(radius=pad_r, height=0.05, sections=16), GOLD, pad + [0, 0, 0.025])
            knee = pad + [0, 0, 0.05]
            top = np.array([*(c * top_r), top_z])
            self.add(strut(knee, top, strut_r), FRAME)
            for sgn in (-1, 1):
                foot = np.array([*(c * top_r * 0.8 + sgn * t * top_r * 0.5), top_z * 0.6])
                self.add(strut(knee + [0, 0, 0.02], foot, strut_r * 0.55), FRAME)

    def mesh(self) -> trimesh.Trimesh:
        return trimesh.util.concatenate(self.parts)


def apollo_lm() -> tuple[trimesh.Trimesh, tuple[float, float, float]]:
    """Apollo Lunar Module: gold octagonal descent stage, faceted ascent stage, four splayed legs.

    assumed (public figures): descent stage ~4.2 m across, ~1.7 m tall on legs ~9.4 m
    across the footpads (diagonal); whole LM ~7.0 m tall; ascent stage ~4.0 m wide.
    """
    p = _Parts()
    z0, z1 = 1.45, 3.15
    p.add(polygon_prism(2.1, z0, z1, 8, phase=0.0), GOLD)               # descent stage, corners on the axes
    p.add(polygon_prism(2.12, z1 - 0.04, z1 + 0.02, 8, phase=0.0), BLACK)
    p.add(bell(z0, 0.55, 0.25, 0.76), NOZZLE)                            # descent engine (1.5 m exit)
    p.legs(4, 4.5, 0.45, 2.0, 2.6, phase=math.pi / 4, strut_r=0.08)
    # ascent stage: cabin (front, +X), tanks either side, docking tunnel and antennas
    p.add(box([1.9, 2.8, 1.6], [0.35, 0.0, z1 + 0.9]), GREY)
    p.add(box([1.2, 2.2, 1.2], [-0.9, 0.0, z1 + 1.2]), DARK)             # aft equipment bay
    p.add(polygon_prism(1.2, z1 + 1.7, z1 + 2.2, 8), GREY)
    p.add(trimesh.creation.cylinder(radius=0.45, height=0.5, sections=16), SILVER, [0.2, 0, z1 + 2.45])
    for y in (-1.0, 1.0):
        p.add(box([0.05, 0.55, 0.45], [1.31, y * 0.55, z1 + 1.3]), BLACK)  # triangular-ish windows
        p.add(sphere(0.55, [0.0, y * 1.55, z1 + 0.95]), GREY)             # RCS / propellant tanks
    p.add(strut([-0.2, 0.6, z1 + 2.2], [-0.6, 1.2, z1 + 3.0], 0.04), SILVER)
    dish = trimesh.creation.revolve(np.c_[[0.0, 0.2, 0.4], [0.0, 0.08, 0.2]], sections=20)
    back = dish.copy()
    back.invert()
    p.add(trimesh.util.concatenate([dish, back]), WHITE, [-0.6, 1.2, z1 + 3.0])
    return p.mesh(), (0.0, 0.0, 0.55)


def vikram() -> tuple[trimesh.Trimesh, tuple[float, float, float]]:
    """Chandrayaan-3 "Vikram": a gold box on four legs, a solar panel on one face, four engines below.

    assumed (public figures): body ~2.0 x 2.0 m, ~2.0 m tall on its legs; one side-mounted
    solar panel; four throttleable engines under the corners (FACTS: 4 engines) and the
    Pragyan rover's ramp on one face.
    """
    p = _Parts()
    z0, z1 = 0.75, 1.85
    p.add(box([1.9, 1.9, z1 - z0], [0, 0, 0.5 * (z0 + z1)]), GOLD)
    p.add(box([1.95, 1.95, 0.05], [0, 0, z1 + 0.02]), SILVER)
    p.add(box([0.04, 1.5, 1.0], [-0.99, 0, 1.3]), SOLAR)                 # side solar panel
    p.add(box([0.9, 0.6, 0.04], [0.0, 0.6, z1 + 0.12]), SOLAR)          # top panel
    p.add(box([0.06, 0.7, 1.1], [1.0, 0.0, 1.25]), SILVER)              # rover ramp (stowed)
    p.add(strut([0.4, -0.4, z1], [0.4, -0.4, z1 + 0.35], 0.02), SILVER)
    p.add(sphere(0.08, [0.4, -0.4, z1 + 0.4]), WHITE)
    for sx in (-0.55, 0.55):
        for sy in (-0.55, 0.55):
            p.add(bell(z0, z0 - 0.35, 0.05, 0.14), NOZZLE, [sx, sy, 0.0])
    p.legs(4, 1.6, 0.22, 0.95, 1.05, phase=math.pi / 4)
    return p.mesh(), (0.0, 0.0, z0 - 0.35)


def blue_ghost() -> tuple[trimesh.Trimesh, tuple[float, float, float]]:
    """Firefly Blue Ghost: a low, wide lander, a flat deck with solar panels, four wide-set legs.

    assumed (public figures): ~2.0 m tall, ~3.5 m across the footpads; body ~2 m wide.
    """
    p = _Parts()
    z0, z1 = 0.65, 1.45
    p.add(polygon_prism(1.05, z0, z1, 6), SILVER)
    p.add(polygon_prism(1.25, z1, z1 + 0.08, 6), WHITE)                 # payload deck
    for k in range(6):
        a = k * math.pi / 3
        c = np.array([math.cos(a), math.sin(a)]) * 0.92
        p.add(box([0.05, 0.95, 0.6], [c[0], c[1], 1.05], rotz=a), SOLAR if k % 2 else GOLD)
    p.add(box([0.5, 0.5, 0.35], [0.3, 0.3, z1 + 0.25]), GOLD)           # payloads
    p.add(box([0.35, 0.45, 0.5], [-0.45, 0.1, z1 + 0.3]), SILVER)
    p.add(strut([0.0, -0.6, z1], [0.0, -0.6, 2.0], 0.025), SILVER)
    p.add(sphere(0.07, [0.0, -0.6, 2.02]), WHITE)
    p.add(bell(z0, 0.3, 0.07, 0.2), NOZZLE)
    p.legs(4, 1.6, 0.2, 1.0, 0.95, phase=math.pi / 4)
    return p.mesh(), (0.0, 0.0, 0.3)


def beresheet() -> tuple[trimesh.Trimesh, tuple[float, float, float]]:
    """SpaceIL Beresheet: a small round-shouldered lander, big propellant tanks, four legs, top solar deck.

    assumed (public figures): ~1.5 m tall, ~2 m across the footpads.
    """
    p = _Parts()
    z0, z1 = 0.45, 1.2
    p.add(polygon_prism(0.62, z0, z1, 12), SILVER)
    p.add(polygon_prism(0.66, z1, z1 + 0.06, 12), SOLAR)                # top solar deck
    for k in range(4):
        a = math.pi / 4 + k * math.pi / 2
        p.add(sphere(0.3, [0.5 * math.cos(a), 0.5 * math.sin(a), 0.82]), WHITE)   # tanks bulge out
    p.add(box([0.3, 0.3, 0.2], [0.2, 0.0, z1 + 0.16]), GOLD)            # time capsule / payload
    p.add(strut([-0.3, 0.0, z1], [-0.3, 0.0, 1.5], 0.02), SILVER)
    p.add(bell(z0, 0.2, 0.05, 0.14), NOZZLE)
    p.legs(4, 1.0, 0.12, 0.62, 0.7, phase=0.0, strut_r=0.03)
    return p.mesh(), (0.0, 0.0, 0.2)


def slim() -> tuple[trimesh.Trimesh, tuple[float, float, float]]:
    """JAXA SLIM: a compact box, two main engines side by side, solar cells on one face, crushable legs.

    assumed (public figures): ~2.7 m x 1.7 m x 2.4 m; two main engines; five
    short legs with 3D-printed crushable pads (here four plus one under the engines' side).
    """
    p = _Parts()
    z0, z1 = 0.55, 2.55
    p.add(box([1.7, 1.5, z1 - z0], [0, 0, 0.5 * (z0 + z1)]), GOLD)
    p.add(box([0.04, 1.3, 1.6], [0.87, 0, 1.6]), SOLAR)                 # solar cells on the +X face
    p.add(trimesh.creation.cylinder(radius=0.5, height=1.6, sections=24), SILVER, [-0.3, 0, 1.55])  # tank
    p.add(box([0.6, 0.6, 0.2], [0, 0, z1 + 0.1]), SILVER)
    for y in (-0.35, 0.35):
        p.add(bell(z0, 0.12, 0.05, 0.17), NOZZLE, [0.0, y, 0.0])
    p.legs(4, 1.15, 0.16, 0.85, 0.7, phase=math.pi / 4)
    p.add(trimesh.creation.cylinder(radius=0.14, height=0.05, sections=16), GOLD, [-1.15, 0, 0.025])
    p.add(strut([-1.15, 0, 0.05], [-0.85, 0, 0.7], 0.04), FRAME)
    return p.mesh(), (0.0, 0.0, 0.12)


def nova_c() -> tuple[trimesh.Trimesh, tuple[float, float, float]]:
    """Intuitive Machines Nova-C (IM-1 "Odysseus", IM-2 "Athena"): a tall hexagonal prism on six legs.

    assumed (public figures): ~4.0 m tall, ~1.6 m across the body, six legs; one methalox
    main engine (FACTS: 4,000 N) under the body; solar cells on the side faces.
    """
    p = _Parts()
    z0, z1 = 0.85, 3.95
    p.add(polygon_prism(0.85, z0, z1, 6), SILVER)
    for k in range(6):
        a = k * math.pi / 3
        apo = 0.85 * math.cos(math.pi / 6)
        c = np.array([math.cos(a), math.sin(a)]) * (apo + 0.015)
        p.add(box([0.02, 0.7, 1.9], [c[0], c[1], 2.55], rotz=a), SOLAR if k % 2 == 0 else WHITE)
    p.add(polygon_prism(0.87, z1, z1 + 0.05, 6), WHITE)
    p.add(sphere(0.45, [0, 0, 1.55]), WHITE)                             # tank bulge under the deck
    p.add(strut([0.3, 0.3, z1], [0.3, 0.3, z1 + 0.4], 0.03), SILVER)
    p.add(bell(z0, 0.35, 0.08, 0.28), NOZZLE)
    p.legs(6, 1.95, 0.2, 0.8, 1.15, phase=math.pi / 6, strut_r=0.045)
    return p.mesh(), (0.0, 0.0, 0.35)


def chang_e_3() -> tuple[trimesh.Trimesh, tuple[float, float, float]]:
    """CNSA Chang'e-3: a gold octagonal-box lander, four legs, the Yutu rover and solar wings on top.

    assumed (public figures): body ~2.5 m wide, ~3 m tall with mast; ~4.5 m across the
    footpads; one variable-thrust engine (FACTS: 1,500-7,500 N).
    """
    p = _Parts()
    z0, z1 = 0.8, 2.1
    p.add(octagon_prism(1.35, z0, z1), GOLD)
    p.add(octagon_prism(1.37, z1, z1 + 0.05), SILVER)
    for y in (-1.0, 1.0):
        p.add(box([1.2, 0.04, 0.9], [0.0, y * 1.85, z1 + 0.45]), SOLAR)    # solar wings, folded up
        p.add(strut([0.0, y * 1.3, z1], [0.0, y * 1.8, z1 + 0.2], 0.03), SILVER)
    p.add(box([0.9, 0.7, 0.55], [0.55, 0.0, z1 + 0.33]), GOLD)           # Yutu rover
    p.add(box([1.0, 0.04, 0.6], [0.55, 0.0, z1 + 0.65]), SOLAR)
    p.add(strut([-0.5, 0.3, z1], [-0.5, 0.3, 3.0], 0.03), SILVER)        # camera mast
    p.add(box([0.2, 0.2, 0.15], [-0.5, 0.3, 3.05]), WHITE)
    p.add(bell(z0, 0.3, 0.09, 0.3), NOZZLE)
    p.legs(4, 2.2, 0.28, 1.3, 1.2, phase=math.pi / 4, strut_r=0.06)
    return p.mesh(), (0.0, 0.0, 0.3)


#: model name -> builder (``hakuto-r`` is the embedded GLB)
BUILDERS: dict[str, Callable[[], tuple[trimesh.Trimesh, tuple[float, float, float]]]] = {
    "apollo-lm": apollo_lm, "vikram": vikram, "blue-ghost": blue_ghost, "beresheet": beresheet,
    "slim": slim, "nova-c": nova_c, "chang-e-3": chang_e_3,
}
