"""Ground detail under the lander far from the landing site: the ``down`` camera's detail tiles.

The landing site's terrain covers ~20 km round the site. Elsewhere the globe has only the global
map, ~1 km a pixel. From 15–20 km up, the ``down`` camera's 60° frame spans a few dozen of those
pixels, so it showed mud for most of the braking burn. Along the flight the ``down`` camera gets
*detail tiles* instead:

* **Where.** Squares :data:`TILE_M` wide on a fixed lattice in the site's tangent plane. Tile
  ``(0, 0)`` is the site's own terrain and is never a tile.
* **What.** Each tile is a procedural terrain of its own: the scene's crater population from
  :data:`TILE_MIN_CRATER_M` up, seeded by the tile's index. A tile is therefore the same in every
  frame and in every process, so farm segments agree.
* **How.** It is baked like the site's patches, with the Sun and earthshine at the touchdown,
  exposed for flat ground at the tile. Its picture blends into the plain globe over its outer
  :data:`TILE_EDGE_BLEND`. It is draped on a grid mesh.

Tiles are drawn only for the ``down`` camera, only outside the site's terrain, and only the ones
its frame needs (at most :data:`TILES_MAX`, 3 × 3: up to ~20 km above the ground with the 60°
lens; higher up the frame keeps the global map). Where they cover the whole frame, the globe under them
is hidden: its coarse triangles would otherwise poke up through deep crater floors. Building a
tile takes ~2 s here, and its heights are cached on disk. Video and stills build tiles in the frame
that needs them. The viewer builds them in a thread, one at a time, and a tile is drawn once it is
ready.

Everything here is NumPy (safe in a worker thread); the scene makes the tiles' actors.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from .terrain_mesh import TerrainPatch, bake_patch, edge_ramp, make_patch

#: tile size (m), texture size (px: ~47 m a pixel, like the site's outer patch) and mesh cells a side
TILE_M = 24000.0
TILE_PX = 512
TILE_GRID = 32
#: the smallest crater a tile generates (m): a texel or two of its picture
TILE_MIN_CRATER_M = 60.0
#: share of a tile's half-width over which its picture blends into the plain globe
TILE_EDGE_BLEND = 0.08
#: the most tiles drawn at once, and built tiles kept
TILES_MAX = 9
TILES_KEPT = 15
#: the frame's footprint on the ground is taken this much wider than the lens sees (m per m)
FOOTPRINT_MARGIN = 1.15


@dataclass(frozen=True)
class TileBuild:
    """A built tile: its index, the picture (uint8) and the mesh (points relative to ``centre_m``)."""

    key: tuple[int, int]
    gain: float  # the exposure it was baked at (a frame's exposure over this dims it)
    image: np.ndarray
    centre_m: np.ndarray
    points: np.ndarray
    faces: np.ndarray
    tcoords: np.ndarray


def tile_config(site_config, site_terrain, key: tuple[int, int]):
    """The :class:`lunarviz.terrain.TerrainConfig` of tile ``key``: the site's crater population
    (a DEM site: the procedural defaults) centred on the tile, with no cliff, seeded by the index."""
    from ..terrain import TerrainConfig

    i, j = key
    lat, lon = site_terrain.local_to_latlon(i * TILE_M, j * TILE_M)
    base = site_config if site_config is not None and site_config.kind == "procedural" else TerrainConfig()
    seed = (int(base.seed) * 1_000_003 + (i + 4096) * 8192 + (j + 4096)) % (2 ** 31)
    # a terrain a third wider than the tile: its heights taper to the sphere outside the drawn square
    return dataclasses.replace(base, kind="procedural", site_lat_deg=float(lat), site_lon_deg=float(lon),
                               seed=seed, extent_m=TILE_M * 1.35, cliff=None, roughness=0.0,
                               min_crater_m=max(base.min_crater_m, TILE_MIN_CRATER_M), path=None)


def needed(site_terrain, ground_unit: np.ndarray, half_view_m: float, site_half_m: float) -> list[tuple[int, int]]:
    """Tiles the frame round ``ground_unit`` (MOON_ME unit vector under the camera) needs, nearest
    first (at most :data:`TILES_MAX`); none while the frame stays on the site's own terrain."""
    e, n, c = site_terrain.unit_to_local(np.asarray(ground_unit, float)[None, :])
    if float(c[0]) < 0.5:
        return []
    e, n = float(e[0]), float(n[0])
    r = half_view_m * FOOTPRINT_MARGIN
    if max(abs(e), abs(n)) + r < site_half_m or r > TILE_M:
        return []  # on the site's own terrain; or so high that 3 x 3 tiles would not fill the frame
    i0, i1 = math.floor((e - r) / TILE_M + 0.5), math.floor((e + r) / TILE_M + 0.5)
    j0, j1 = math.floor((n - r) / TILE_M + 0.5), math.floor((n + r) / TILE_M + 0.5)
    keys = [(i, j) for i in range(i0, i1 + 1) for j in range(j0, j1 + 1) if (i, j) != (0, 0)]
    keys.sort(key=lambda k: math.hypot(k[0] * TILE_M - e, k[1] * TILE_M - n))
    return keys[:TILES_MAX]


def covers(site_terrain, keys, ground_unit: np.ndarray, half_view_m: float) -> bool:
    """True when the tiles ``keys`` hold the whole footprint (their rims show the plain globe's picture)."""
    e, n, _c = site_terrain.unit_to_local(np.asarray(ground_unit, float)[None, :])
    r = half_view_m * FOOTPRINT_MARGIN
    have = set(keys)
    return all((math.floor(x / TILE_M + 0.5), math.floor(y / TILE_M + 0.5)) in have
               for x in np.linspace(float(e[0]) - r, float(e[0]) + r, 7)
               for y in np.linspace(float(n[0]) - r, float(n[0]) + r, 7))


def build(site_config, site_terrain, key: tuple[int, int], global_rgb: np.ndarray, sun_dir: np.ndarray,
          light: dict, gain: float, cache_dir=None) -> TileBuild:
    """Tile ``key``: its terrain, its picture baked with ``light`` (exposed at ``gain``; see
    ``scene._tile_light``) and its mesh."""
    from ..terrain import make_terrain

    terrain = make_terrain(tile_config(site_config, site_terrain, key))
    patch = make_patch(terrain, 0.5 * TILE_M, TILE_PX, global_rgb, cache_dir)
    patch = dataclasses.replace(patch, edge_blend=TILE_EDGE_BLEND)
    image = bake_patch(patch, sun_dir, **light)
    points, faces, tcoords, centre = _mesh(site_terrain, key, terrain, patch)
    return TileBuild(key, float(gain), image, centre, points, faces, tcoords)


def _mesh(site_terrain, key: tuple[int, int], terrain, patch: TerrainPatch):
    """The tile's grid: its square in the *site's* tangent plane (neighbouring tiles share their edge
    vertices exactly), each vertex looked up in the tile's own terrain frame for its height and texel."""
    g = TILE_GRID
    c = np.linspace(-0.5, 0.5, g + 1) * TILE_M
    U, V = np.meshgrid(c, c)
    unit = site_terrain.local_to_unit(U.ravel() + key[0] * TILE_M, V.ravel() + key[1] * TILE_M)
    E, N, _c = terrain.unit_to_local(unit)
    inset = patch.half_m - 0.5 * patch.step_m  # the outermost pixel centres hold the tile's own heights
    H = patch.sample_height(np.clip(E, -inset, inset), np.clip(N, -inset, inset))
    # flat where the picture blends into the plain globe: neighbouring tiles meet at the sphere, no crack
    H = H * (1.0 - edge_ramp(np.maximum(np.abs(U.ravel()), np.abs(V.ravel())) / (0.5 * TILE_M), TILE_EDGE_BLEND))
    centre = site_terrain.local_to_moon_me(key[0] * TILE_M, key[1] * TILE_M, 0.0)
    world = unit * (terrain.radius_m + H)[:, None]
    a = (np.arange(g)[:, None] * (g + 1) + np.arange(g)[None, :]).ravel()
    faces = np.concatenate([np.stack([a, a + 1, a + g + 2], 1), np.stack([a, a + g + 2, a + g + 1], 1)])
    return world - centre, faces, patch.tcoords(E, N), centre
