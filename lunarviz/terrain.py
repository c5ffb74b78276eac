"""Terrain near a landing site: one height function for physics and rendering.

Everything here is plain numpy/scipy (no VTK, no Qt). A :class:`Terrain` is a
height field *above the 1737.4 km reference sphere* around one site. Physics
(touchdown, the laser rangefinder's slant range) and the renderer (tiles, LOD
meshes) call the **same** function, so what is drawn is what is hit.

Coordinates
-----------
Local coordinates are metres ``east_m``, ``north_m`` in the gnomonic
(tangent-plane) projection centred on the site: a direction ``u`` on the unit
sphere maps to ``east = R (u.E)/(u.U)``, ``north = R (u.N)/(u.U)`` with ``E, N,
U`` the site's east/north/up unit vectors in ``MOON_ME``. The inverse is
``u = normalize(U + east/R E + north/R N)``. Over the ~20 km extent the
projection departs from true ground distance by < 0.003 %.

Procedural terrain (the default)
--------------------------------
``height = taper * (relief + craters + cliff)`` where

* ``relief``: a seeded sum of a few long-wavelength cosines (2-20 km) with RMS
  ``relief_m``;
* ``craters``: a seeded crater population with a cumulative power-law
  size-frequency distribution ``N(>D) = crater_density * D**-2`` per m^2 (D in
  m), steepening to ``D**-3`` above ``sfd_break_m`` (production population of
  large craters). Fresh craters have depth/diameter ~0.2, raised rims (~0.04 D)
  and ejecta decaying as ``r**-3``; older ones are shallower and smoother. Each
  factor-2 size band is generated over a square that grows with D (small
  craters only near the site, where the mesh is fine enough to show them) and
  spatially hashed with a k-d tree, so 1e5 heights take tens of ms;
* ``cliff``: an optional straight crater-rim scarp (``[terrain.cliff]``), e.g.
  the ~3 km step HAKUTO-R Mission 1 flew over;
* ``taper``: 1 over most of the extent, easing to 0 at its edge so the patch
  meets the global sphere without a step.

A mesh too coarse for the scarp's face (the near globe ~2 km out has vertices ~200 m
apart; HAKUTO-R M1's face is 150 m wide) draws it through :meth:`Terrain.mesh_height_m`: the
face widened to two vertex spacings, a steep slope instead of a sawtooth of triangles straddling
the step. Only that mesh's geometry changes; the baked pictures and the physics keep the scarp.

Because tiles only *sample* this analytic function, heights are identical
wherever two levels of detail share a point; :meth:`Terrain.lod_mesh`
additionally snaps odd vertices on each ring's outer edge to the coarser
ring's edges so there are no T-junction cracks.

Examples
--------
>>> from lunarviz.terrain import TerrainConfig, make_terrain
>>> cfg = TerrainConfig.from_mapping({"kind": "procedural", "seed": 3},
...                                  source="demo.toml", site_lat_deg=60.5, site_lon_deg=-4.6)
>>> terrain = make_terrain(cfg)
>>> h = terrain.height_m([60.5, 60.51], [-4.6, -4.6])
>>> h.shape
(2,)
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .errors import shown
from .geometry import MOON_RADIUS_M, enu_basis, latlon_to_unit, unit_to_latlon

__all__ = [
    "CliffConfig",
    "TerrainConfig",
    "Terrain",
    "SphereTerrain",
    "ProceduralTerrain",
    "DemTerrain",
    "TerrainTile",
    "TerrainMesh",
    "make_terrain",
    "load_dem",
]


# --------------------------------------------------------------------------
# configuration
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class CliffConfig:
    """A straight scarp (crater-rim cliff) in the procedural terrain.

    The ground steps *down* by ``height_m`` when moving along ``azimuth_deg``
    (degrees from north through east) across a line at signed distance
    ``offset_m`` from the site (measured along the azimuth; negative = the
    cliff lies behind the site, i.e. up-range for a lander flying along the
    azimuth). The steep face is ``width_m`` wide (horizontally); the high side
    falls back to the datum over ``back_slope_m``. ``length_m`` limits the
    scarp along its strike (``0`` = unlimited); its ends ease off over
    ``width_m``. The face line wanders along strike by up to ~0.3
    ``width_m`` (seeded), and the steep face is brighter in the albedo
    detail. The defaults (3 km over 4.5 km) give a ~34 deg mean, ~45 deg
    steepest slope, like a large crater's inner wall.
    """

    height_m: float = 3000.0
    offset_m: float = -3000.0
    azimuth_deg: float = 0.0
    width_m: float = 4500.0
    back_slope_m: float = 15000.0
    length_m: float = 0.0


@dataclass(frozen=True)
class TerrainConfig:
    """Validated ``[terrain]`` settings for one scenario (all SI units).

    Use :meth:`from_mapping` to build one from a scenario's table; every field
    has a sensible default, so ``TerrainConfig()`` is a procedural terrain at
    (0 N, 0 E).
    """

    kind: str = "procedural"
    site_lat_deg: float = 0.0
    site_lon_deg: float = 0.0
    seed: int = 0
    extent_m: float = 20000.0
    relief_m: float = 25.0
    crater_density: float = 0.03
    min_crater_m: float = 2.0
    max_crater_m: float = 3000.0
    sfd_break_m: float = 100.0
    fresh_fraction: float = 0.12
    roughness: float = 1.0
    cliff: CliffConfig | None = None
    path: str | None = None
    dem_spacing_m: float | None = None
    source: str = field(default="<defaults>", compare=False)

    @classmethod
    def from_mapping(
        cls,
        mapping: Mapping[str, Any] | None,
        *,
        source: str,
        site_lat_deg: float,
        site_lon_deg: float,
    ) -> TerrainConfig:
        """Build a config from a ``[terrain]`` table given as a mapping.

        The validation is the scenario schema's (:func:`lunarviz.scenario.terrain_config`,
        the one place the keys, bounds and defaults are defined): errors are
        :class:`lunarviz.errors.ScenarioError` naming ``source`` and the key. A
        relative ``path`` is taken relative to the folder of ``source``.
        """
        from .scenario import terrain_config

        return terrain_config(mapping, source=source, site_lat_deg=site_lat_deg, site_lon_deg=site_lon_deg)


# --------------------------------------------------------------------------
# geometry helpers
# --------------------------------------------------------------------------


#: a sharp feature is drawn at least this many mesh vertex spacings wide (:meth:`Terrain.mesh_height_m`)
MESH_FACE_SPACINGS = 2.0


def _smoothstep(x: np.ndarray) -> np.ndarray:
    """C1 ramp: 0 for x <= 0, 1 for x >= 1."""
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


@dataclass(frozen=True)
class TerrainTile:
    """A regular grid of terrain samples in the site's local coordinates.

    ``height_m[j, i]`` is the height above the sphere at ``(east_m[i],
    north_m[j])``; ``albedo`` is the multiplicative brightness detail (1 = the
    global map's value). ``points_m`` are the ``MOON_ME`` positions (metres).
    """

    east_m: np.ndarray
    north_m: np.ndarray
    height_m: np.ndarray
    albedo: np.ndarray
    points_m: np.ndarray
    spacing_m: float


@dataclass(frozen=True)
class TerrainMesh:
    """A pyvista-free triangle mesh of the terrain (nested LOD rings).

    Attributes
    ----------
    points_m : (N, 3) ``MOON_ME`` positions, metres (float64; subtract a
        floating origin before handing them to VTK's float32).
    local_m : (N, 3) site-local ``east, north, up`` metres, with ``up`` the
        height above the sphere plus the sphere's drop below the tangent plane
        (so ``local_m`` is the mesh in a flat, site-centred Cartesian frame:
        ``points_m = site_m + local_m @ basis`` up to float rounding).
    faces : (M, 3) int32 vertex indices, counter-clockwise seen from above.
    height_m : (N,) height above the reference sphere.
    albedo : (N,) brightness detail factor (1 = the global map's value).
    lat_deg, lon_deg : (N,) selenographic coordinates (for the global texture).
    level : (N,) LOD level of each vertex (0 = finest).
    """

    points_m: np.ndarray
    local_m: np.ndarray
    faces: np.ndarray
    height_m: np.ndarray
    albedo: np.ndarray
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    level: np.ndarray
    site_m: np.ndarray
    basis: np.ndarray

    def uv_global(self) -> np.ndarray:
        """Texture coordinates into an equirectangular map centred on 0 deg longitude."""
        u = (np.mod(self.lon_deg + 180.0, 360.0)) / 360.0
        v = (self.lat_deg + 90.0) / 180.0
        return np.stack([u, v], axis=-1)


# --------------------------------------------------------------------------
# the terrain base class
# --------------------------------------------------------------------------


class Terrain:
    """Heights above the reference sphere around one site (see module docstring).

    Subclasses implement :meth:`local_height_m` (and optionally
    :meth:`local_albedo`) on site-local ``east_m, north_m``; everything else
    (lat/lon, ``MOON_ME`` positions, ray casting, tiles, meshes) is shared.
    """

    radius_m = MOON_RADIUS_M

    def __init__(self, site_lat_deg: float = 0.0, site_lon_deg: float = 0.0, extent_m: float = 20000.0):
        self.site_lat_deg = float(site_lat_deg)
        self.site_lon_deg = float(site_lon_deg)
        self.extent_m = float(extent_m)
        self.basis = enu_basis(self.site_lat_deg, self.site_lon_deg)
        self.site_unit = self.basis[2].copy()
        # bounds on heights, used by ray casting; subclasses tighten them
        self.min_height_m = 0.0
        self.max_height_m = 0.0
        #: the steepest ground anywhere (rise over run, at least 1): how far a point may move
        #: before its height must be asked again (the flight's contact test)
        self.max_slope = 1.0

    # ---- to be provided by subclasses ----
    def sharp_height_m(self, east_m, north_m) -> np.ndarray | None:
        """The part of :meth:`local_height_m` too narrow for a coarse lookup grid to sample (a
        scarp's face and a thin high side): the grid adds it exactly. ``None``: no such part."""
        return None

    def cell_max_m(self, axis_m: np.ndarray) -> np.ndarray | None:
        """Upper bounds of the height over the cells of a square lookup grid on ``axis_m`` (rows
        north, columns east, ``(k-1, k-1)``) where the terrain has detail finer than the grid;
        ``None`` where the grid's nodes already bound it."""
        return None

    def local_height_m(self, east_m, north_m) -> np.ndarray:
        """Height above the sphere at site-local coordinates (m)."""
        east_m, north_m = np.broadcast_arrays(np.asarray(east_m, float), np.asarray(north_m, float))
        return np.zeros(east_m.shape)

    def local_albedo(self, east_m, north_m) -> np.ndarray:
        """Multiplicative albedo detail (1 = the global map) at local coordinates."""
        east_m, north_m = np.broadcast_arrays(np.asarray(east_m, float), np.asarray(north_m, float))
        return np.ones(east_m.shape)

    # ---- coordinate conversions ----
    def unit_to_local(self, unit: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Gnomonic local coordinates of unit vectors: ``(east_m, north_m, cos_angle)``."""
        unit = np.asarray(unit, dtype=float)
        c = unit @ self.basis[2]
        safe = np.where(c > 1e-6, c, 1.0)
        east = self.radius_m * (unit @ self.basis[0]) / safe
        north = self.radius_m * (unit @ self.basis[1]) / safe
        return east, north, c

    def local_to_unit(self, east_m, north_m) -> np.ndarray:
        """Unit ``MOON_ME`` direction of site-local gnomonic coordinates."""
        east_m, north_m = np.broadcast_arrays(np.asarray(east_m, float), np.asarray(north_m, float))
        v = (self.basis[2] + (east_m[..., None] / self.radius_m) * self.basis[0]
             + (north_m[..., None] / self.radius_m) * self.basis[1])
        return v / np.linalg.norm(v, axis=-1, keepdims=True)

    def local_to_moon_me(self, east_m, north_m, height_m=None) -> np.ndarray:
        """``MOON_ME`` position (m) of local coordinates; on the terrain if ``height_m`` is None."""
        if height_m is None:
            height_m = self.local_height_m(east_m, north_m)
        unit = self.local_to_unit(east_m, north_m)
        return unit * (self.radius_m + np.asarray(height_m, float))[..., None]

    def local_to_latlon(self, east_m, north_m) -> tuple[np.ndarray, np.ndarray]:
        """Selenographic latitude and longitude (deg) of local coordinates."""
        return unit_to_latlon(self.local_to_unit(east_m, north_m))

    def latlon_to_local(self, lat_deg, lon_deg) -> tuple[np.ndarray, np.ndarray]:
        """Site-local gnomonic ``(east_m, north_m)`` of lat/lon (nan on the far side)."""
        e, n, c = self.unit_to_local(latlon_to_unit(lat_deg, lon_deg))
        far = c <= 1e-6
        return np.where(far, np.nan, e), np.where(far, np.nan, n)

    def _local_inside(self, unit: np.ndarray):
        """Local ``(east_m, north_m)`` of unit vectors and where they fall inside the terrain's extent."""
        e, n, c = self.unit_to_local(unit)
        half = 0.5 * self.extent_m
        return e, n, (c > 0.5) & (np.abs(e) < half) & (np.abs(n) < half)

    def _height_of_unit(self, unit: np.ndarray) -> np.ndarray:
        e, n, inside = self._local_inside(unit)
        h = np.zeros(np.shape(inside))
        if np.any(inside):
            h[inside] = self.local_height_m(e[inside], n[inside])
        return h

    # ---- the public contract ----
    def height_m(self, lat_deg, lon_deg) -> np.ndarray:
        """Height (m) of the surface above the 1737.4 km sphere at selenographic lat/lon (deg).

        Vectorised over broadcast inputs; 0 outside the terrain's extent.
        """
        return self._height_of_unit(latlon_to_unit(lat_deg, lon_deg))

    def mesh_height_m(self, lat_deg, lon_deg, spacing_m) -> np.ndarray:
        """Heights for a mesh whose vertices are ``spacing_m`` apart (per vertex; drawing only,
        physics flies :meth:`height_m`): the terrain's own, except that a sharp feature narrower
        than :data:`MESH_FACE_SPACINGS` vertex spacings (a scarp's face) is drawn that wide -- a
        steep slope where the vertices would otherwise straddle the step and draw spikes."""
        h = np.array(self.height_m(lat_deg, lon_deg), float)
        e, n, inside = self._local_inside(latlon_to_unit(lat_deg, lon_deg))
        if np.any(inside):
            sp = np.broadcast_to(np.asarray(spacing_m, float), np.shape(inside))
            h[inside] += self._mesh_sharp_m(e[inside], n[inside], sp[inside])
        return h

    def _mesh_sharp_m(self, e, n, spacing_m) -> np.ndarray:
        """What :meth:`mesh_height_m` adds to the heights at local points (none: no sharp feature)."""
        return np.zeros(np.shape(e))

    def surface_altitude_m(self, pos_m) -> np.ndarray:
        """Altitude (m) of ``MOON_ME`` points above the local surface (radial), shape ``pos_m.shape[:-1]``."""
        pos = np.asarray(pos_m, dtype=float)
        r = np.linalg.norm(pos, axis=-1)
        unit = pos / np.where(r > 0, r, 1.0)[..., None]
        return r - self.radius_m - self._height_of_unit(unit)

    def surface_point_m(self, lat_deg, lon_deg) -> np.ndarray:
        """``MOON_ME`` position (m) of the surface at lat/lon."""
        unit = latlon_to_unit(lat_deg, lon_deg)
        return unit * (self.radius_m + self._height_of_unit(unit))[..., None]

    def albedo(self, lat_deg, lon_deg) -> np.ndarray:
        """Albedo detail factor at lat/lon (1 = the global map's value; bright fresh ejecta > 1)."""
        e, n, c = self.unit_to_local(latlon_to_unit(lat_deg, lon_deg))
        half = 0.5 * self.extent_m
        inside = (c > 0.5) & (np.abs(e) < half) & (np.abs(n) < half)
        out = np.ones(np.shape(c))
        if np.any(inside):
            out[inside] = self.local_albedo(e[inside], n[inside])
        return out

    def raycast_m(self, origin_m, direction, max_range_m: float) -> float:
        """Slant range (m) from ``origin_m`` along ``direction`` (``MOON_ME``) to the surface.

        Returns ``nan`` if the beam does not reach the surface within
        ``max_range_m``, and ``0.0`` if the origin is already at or below the
        surface. The beam is sampled (every ~4 m, at most 256 samples) between
        the spheres bounding the terrain, then the first crossing is refined
        twice on 64-step sub-grids and linearly interpolated (error well below
        0.01 m). Features thinner than the coarse step along the beam can be
        missed at grazing incidence.
        ``origin_m`` may also be ``(N, 3)`` (with ``direction`` ``(3,)`` or
        ``(N, 3)``): an array of ranges is returned.
        """
        origin = np.asarray(origin_m, dtype=float)
        direc = np.asarray(direction, dtype=float)
        if origin.ndim == 2 or direc.ndim == 2:
            origin, direc = np.broadcast_arrays(np.atleast_2d(origin), np.atleast_2d(direc))
            return np.array([self.raycast_m(o, d, max_range_m) for o, d in zip(origin, direc, strict=True)])
        norm = np.linalg.norm(direc)
        if not norm > 0 or not np.all(np.isfinite(origin)):
            return float("nan")
        d = direc / norm
        if self.surface_altitude_m(origin) <= 0.0:
            return 0.0
        r_hi = self.radius_m + self.max_height_m + 1.0
        r_lo = self.radius_m + self.min_height_m - 1.0
        b = float(origin @ d)
        oo = float(origin @ origin)
        # entry into the outer bounding sphere
        disc = b * b - (oo - r_hi * r_hi)
        if disc < 0:
            return float("nan")
        t0 = max(0.0, -b - math.sqrt(disc))
        # exit: hit the inner bounding sphere, or leave the outer one
        disc_lo = b * b - (oo - r_lo * r_lo)
        t1 = -b - math.sqrt(disc_lo) if disc_lo >= 0 else -b + math.sqrt(disc)
        t1 = min(t1, float(max_range_m))
        if t1 <= t0:
            return float("nan")
        return self._march(origin, d, t0, t1)

    def _march(self, origin, d, t0, t1) -> float:
        length = t1 - t0
        # coarse pass every ~4 m (at most 256 samples), then two 64-step refinements
        n = int(min(256, max(16, math.ceil(length / 4.0)))) + 1
        t = np.linspace(t0, t1, n)
        f = self.surface_altitude_m(origin + t[:, None] * d)
        below = np.nonzero(f <= 0.0)[0]
        if below.size == 0:
            return float("nan")
        k = int(below[0])
        if k == 0:
            return float(t0)
        for _ in range(2):  # refine the bracket twice on 64-point sub-grids
            ts = np.linspace(t[k - 1], t[k], 65)
            fs = self.surface_altitude_m(origin + ts[:, None] * d)
            fs[0] = max(fs[0], f[k - 1]) if fs[0] <= 0 else fs[0]
            j = int(np.nonzero(fs <= 0.0)[0][0]) if np.any(fs <= 0.0) else 64
            if j == 0:
                return float(ts[0])
            t, f, k = ts, fs, j
        fa, fb = f[k - 1], f[k]
        return float(t[k - 1] + (t[k] - t[k - 1]) * fa / (fa - fb)) if fa != fb else float(t[k])

    # ---- rendering-side sampling (same height function) ----
    def tile_grid(self, center_east_m: float = 0.0, center_north_m: float = 0.0,
                  half_size_m: float = 500.0, spacing_m: float = 4.0) -> TerrainTile:
        """Sample a square tile of side ``2 * half_size_m`` at ``spacing_m`` (local coordinates)."""
        n = int(round(2 * half_size_m / spacing_m)) + 1
        e = center_east_m + spacing_m * (np.arange(n) - (n - 1) / 2)
        nn = center_north_m + spacing_m * (np.arange(n) - (n - 1) / 2)
        E, N = np.meshgrid(e, nn)
        h = self.local_height_m(E, N)
        return TerrainTile(
            east_m=e, north_m=nn, height_m=h, albedo=self.local_albedo(E, N),
            points_m=self.local_to_moon_me(E, N, h), spacing_m=float(spacing_m),
        )

    def lod_levels_needed(self, finest_spacing_m: float, cells_per_side: int) -> int:
        """Number of nested levels whose coarsest ring covers the whole extent."""
        levels = 1
        while 0.5 * cells_per_side * finest_spacing_m * 2 ** (levels - 1) < 0.5 * self.extent_m:
            levels += 1
        return levels

    def lod_mesh(self, center_east_m: float = 0.0, center_north_m: float = 0.0, *,
                 finest_spacing_m: float = 1.0, cells_per_side: int = 64,
                 levels: int | None = None) -> TerrainMesh:
        """Nested square rings of doubling spacing around a centre (a clipmap).

        Level 0 is a full square of ``cells_per_side`` cells at
        ``finest_spacing_m``; level k is the square of the same cell count at
        ``finest_spacing_m * 2**k`` with the level k-1 square cut out. The
        centre is snapped to the coarsest spacing so the levels' edges meet on
        shared vertices; odd vertices on each level's outer edge are set to
        the mean of their neighbours so they lie exactly on the coarser
        level's edges (no cracks). Vertices shared by two levels appear once
        (with the finer level's number). ``cells_per_side`` must be a multiple
        of 4.
        """
        if cells_per_side % 4 or cells_per_side < 8:
            raise ValueError("cells_per_side must be a multiple of 4 and >= 8")
        if levels is None:
            levels = self.lod_levels_needed(finest_spacing_m, cells_per_side)
        snap = finest_spacing_m * 2 ** (levels - 1)
        ce = round(center_east_m / snap) * snap
        cn = round(center_north_m / snap) * snap
        n = cells_per_side
        pts_e, pts_n, pts_h, lev, faces = [], [], [], [], []
        offset = 0
        for k in range(levels):
            s = finest_spacing_m * 2 ** k
            idx = np.arange(n + 1)
            i_east, j_north = np.meshgrid(idx, idx)
            e = ce + (i_east - n / 2) * s
            nn = cn + (j_north - n / 2) * s
            h = self.local_height_m(e, nn)
            # stitch: odd vertices on the outer boundary take the mean of their neighbours
            h[0, 1:-1:2] = 0.5 * (h[0, 0:-2:2] + h[0, 2::2])
            h[-1, 1:-1:2] = 0.5 * (h[-1, 0:-2:2] + h[-1, 2::2])
            h[1:-1:2, 0] = 0.5 * (h[0:-2:2, 0] + h[2::2, 0])
            h[1:-1:2, -1] = 0.5 * (h[0:-2:2, -1] + h[2::2, -1])
            # cells: keep all for level 0, cut the inner square for the rest
            ci, cj = np.meshgrid(np.arange(n), np.arange(n))
            keep = np.ones((n, n), bool)
            if k > 0:
                lo, hi = n // 4, 3 * n // 4
                keep[(ci >= lo) & (ci < hi) & (cj >= lo) & (cj < hi)] = False
            # vertices used by kept cells
            used = np.zeros((n + 1, n + 1), bool)
            for dj in (0, 1):
                for di in (0, 1):
                    used[dj:n + dj, di:n + di] |= keep
            vid = -np.ones((n + 1, n + 1), np.int64)
            vid[used] = offset + np.arange(used.sum())
            pts_e.append(e[used])
            pts_n.append(nn[used])
            pts_h.append(h[used])
            lev.append(np.full(int(used.sum()), k, np.int16))
            a = vid[:-1, :-1][keep]
            b = vid[:-1, 1:][keep]
            c = vid[1:, 1:][keep]
            d = vid[1:, :-1][keep]
            faces.append(np.stack([a, b, c], -1))
            faces.append(np.stack([a, c, d], -1))
            offset += int(used.sum())
        e = np.concatenate(pts_e)
        nn = np.concatenate(pts_n)
        h = np.concatenate(pts_h)
        lev = np.concatenate(lev)
        faces = np.concatenate(faces)
        # share the vertices where two levels meet (same east/north) so the mesh is connected
        q = 0.25 * finest_spacing_m
        keys = np.stack([np.round((e - ce) / q), np.round((nn - cn) / q)], -1).astype(np.int64)
        _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
        order = np.sort(first)                        # keep the first (finest) occurrence, in order
        remap = np.empty(len(first), np.int64)
        remap[np.argsort(first)] = np.arange(len(first))
        new_index = remap[inverse.ravel()]
        faces = new_index[faces]
        e, nn, h, lev = e[order], nn[order], h[order], lev[order]
        unit = self.local_to_unit(e, nn)
        points = unit * (self.radius_m + h)[:, None]
        site = self.site_unit * self.radius_m
        local = (points - site) @ self.basis.T
        lat, lon = unit_to_latlon(unit)
        return TerrainMesh(
            points_m=points, local_m=local, faces=faces.astype(np.int32),
            height_m=h, albedo=self.local_albedo(e, nn), lat_deg=lat, lon_deg=lon,
            level=lev, site_m=site, basis=self.basis.copy(),
        )


class SphereTerrain(Terrain):
    """No terrain: the bare 1737.4 km sphere (heights are 0 everywhere)."""

    def __init__(self, site_lat_deg: float = 0.0, site_lon_deg: float = 0.0, extent_m: float = 20000.0):
        super().__init__(site_lat_deg, site_lon_deg, extent_m)

    def height_m(self, lat_deg, lon_deg) -> np.ndarray:
        lat, lon = np.broadcast_arrays(np.asarray(lat_deg, float), np.asarray(lon_deg, float))
        return np.zeros(lat.shape)

    def surface_altitude_m(self, pos_m) -> np.ndarray:
        return np.linalg.norm(np.asarray(pos_m, float), axis=-1) - self.radius_m

    def _march(self, origin, d, t0, t1) -> float:
        b = float(origin @ d)
        disc = b * b - (float(origin @ origin) - self.radius_m ** 2)
        if disc < 0:
            return float("nan")
        t = -b - math.sqrt(disc)
        return float(t) if t0 - 1e-9 <= t <= t1 + 1e-9 else float("nan")


# --------------------------------------------------------------------------
# procedural terrain
# --------------------------------------------------------------------------

#: exterior ejecta/rim profile reaches 0 at this many crater radii
_EJECTA_REACH = 3.0
#: how far (in diameters) each size band is populated from the site: half-width = factor * D
_BAND_REACH_FACTOR = 200.0


@dataclass(frozen=True)
class CraterBand:
    """Craters of one factor-2 size band (arrays).

    Full target density within the square of half-width ``half_width_m``,
    thinning linearly to none at ``region_m`` (= 2 x half-width unless capped
    by the terrain's extent).
    """

    d_lo_m: float
    d_hi_m: float
    half_width_m: float
    region_m: float
    east_m: np.ndarray
    north_m: np.ndarray
    diameter_m: np.ndarray
    depth_m: np.ndarray      # rim crest to floor
    rim_m: np.ndarray        # rim height above the surroundings
    smooth: np.ndarray       # 0 = fresh bowl with sharp rim, 1 = degraded, rounded
    bright: np.ndarray       # albedo boost of the ejecta (fresh craters)
    shape: np.ndarray = field(repr=False, default=None)  # (n, 4): 2- and 3-lobed rim irregularity amp/phase
    tree: Any = field(repr=False, default=None)


def cumulative_density_per_m2(d_m, density: float, break_m: float) -> np.ndarray:
    """Target cumulative crater density N(>=D) per m^2 for the procedural population.

    ``density * D**-2`` (D in metres; equilibrium-like small craters) up to
    ``break_m``, then continuing as ``D**-3`` (production population).
    """
    d = np.asarray(d_m, float)
    small = density * d ** -2.0
    large = density * break_m ** -2.0 * (d / break_m) ** -3.0
    return np.where(d <= break_m, small, large)


#: wavelengths (m) and amplitude-per-wavelength of the small-scale roughness octaves
_ROUGH_WAVELENGTHS_M = (2.0, 4.0, 8.0, 16.0, 32.0, 64.0)
_ROUGH_SLOPE = 0.012


def _value_noise(x: np.ndarray, y: np.ndarray, seed: int) -> np.ndarray:
    """Smooth (C1) lattice value noise in [-1, 1], from an integer hash of the lattice corners."""
    xi = np.floor(x)
    yi = np.floor(y)
    fx = x - xi
    fy = y - yi
    xi = xi.astype(np.int64)
    yi = yi.astype(np.int64)
    salt = (seed * 1442695041 + 12345) & 0xFFFFFFFF

    def corner(i, j):
        h = (i * 374761393 + j * 668265263 + salt) & 0xFFFFFFFF
        h = ((h ^ (h >> 13)) * 1274126177) & 0xFFFFFFFF
        h = h ^ (h >> 16)
        return h * (2.0 / 4294967296.0) - 1.0

    sx = fx * fx * (3 - 2 * fx)
    sy = fy * fy * (3 - 2 * fy)
    a = corner(xi, yi)
    b = corner(xi + 1, yi)
    c = corner(xi, yi + 1)
    d = corner(xi + 1, yi + 1)
    return (a + (b - a) * sx) * (1 - sy) + (c + (d - c) * sx) * sy


def _band(config: TerrainConfig, d_lo: float):
    """The crater size band from ``d_lo``: (d_hi, half width, region half width, N(>=d_lo), N(>=d_hi),
    expected count)."""
    half = 0.5 * config.extent_m
    d_hi = min(2.0 * d_lo, config.max_crater_m)
    hw = min(half, max(_BAND_REACH_FACTOR * d_lo, 200.0))
    # full density within hw, thinning linearly to none at 2 hw (no visible density edge)
    rw = min(half, 2.0 * hw)
    n_lo, n_hi = cumulative_density_per_m2([d_lo, d_hi], config.crater_density, config.sfd_break_m)
    return d_hi, hw, rw, n_lo, n_hi, float((n_lo - n_hi) * (2 * rw) ** 2)


#: the most craters a procedural terrain may hold (~44,000 in the shipped scenes; ~300 bytes each)
MAX_CRATERS = 2_000_000
#: memory per crater of a procedural terrain (bands, k-d trees), bytes
CRATER_BYTES = 300


def expected_craters(config: TerrainConfig) -> float:
    """How many craters :class:`ProceduralTerrain` draws for ``config`` (the mean), before drawing them."""
    total, d_lo = 0.0, config.min_crater_m
    while d_lo < config.max_crater_m and config.crater_density > 0 and total <= 1e15:
        d_hi, *_, expected = _band(config, d_lo)
        total += expected
        d_lo = d_hi
    return total


class ProceduralTerrain(Terrain):
    """Seeded procedural terrain (see module docstring); build with :func:`make_terrain`."""

    def __init__(self, config: TerrainConfig):
        super().__init__(config.site_lat_deg, config.site_lon_deg, config.extent_m)
        from scipy.spatial import cKDTree

        self.config = config
        rng = np.random.default_rng(config.seed)
        half = 0.5 * config.extent_m
        self._taper_start = half * 0.85

        # long-wavelength relief: random cosines, red spectrum
        m = 24
        wl = np.exp(rng.uniform(np.log(1500.0), np.log(25000.0), m))
        ang = rng.uniform(0, 2 * np.pi, m)
        amp = wl ** 1.0
        amp *= config.relief_m * math.sqrt(2.0) / math.sqrt(np.sum(amp ** 2)) if config.relief_m > 0 else 0.0
        self._kx = 2 * np.pi / wl * np.sin(ang)
        self._ky = 2 * np.pi / wl * np.cos(ang)
        self._phase = rng.uniform(0, 2 * np.pi, m)
        self._amp = amp
        # make the site's relief height zero-mean-ish: subtract its value at the site
        self._relief0 = float(np.sum(amp * np.cos(self._phase)))

        # the scarp's face line wanders along strike (three seeded cosines, up to ~0.3 width)
        self._cliff_k = 2 * np.pi / np.array([23000.0, 9000.0, 4100.0])
        self._cliff_ph = rng.uniform(0, 2 * np.pi, 3)
        self._cliff_amp = np.array([0.18, 0.08, 0.03])

        # crater population, factor-2 size bands
        bands: list[CraterBand] = []
        d_lo = config.min_crater_m
        while d_lo < config.max_crater_m and config.crater_density > 0:
            d_hi, hw, rw, n_lo, n_hi, expected = _band(config, d_lo)
            count = int(rng.poisson(expected))
            # inverse-CDF sampling of D within the band from the piecewise power law
            u = rng.uniform(0, 1, count)
            target = n_lo - u * (n_lo - n_hi)
            d_small = np.sqrt(config.crater_density / target)
            nb = config.crater_density * config.sfd_break_m ** -2.0
            d_large = config.sfd_break_m * (target / nb) ** (-1.0 / 3.0)
            diam = np.where(target >= nb, d_small, d_large)
            e = rng.uniform(-rw, rw, count)
            n = rng.uniform(-rw, rw, count)
            keep_p = np.clip((2.0 * hw - np.maximum(np.abs(e), np.abs(n))) / hw, 0.0, 1.0) if rw > hw \
                else np.ones(count)
            keep = rng.uniform(0, 1, count) < keep_p
            # age: fresh craters are a minority; a in [0, 1], 0 = pristine
            fresh = rng.uniform(0, 1, count) < config.fresh_fraction
            age = np.where(fresh, rng.uniform(0.0, 0.25, count),
                           1.0 - 0.65 * rng.uniform(0.0, 1.0, count) ** 2)
            depth = diam * (0.21 * (1 - age) + 0.03 * age)          # rim-to-floor
            rim = diam * (0.04 * (1 - age) + 0.004 * age)
            bright = np.where(fresh, 0.55 * (1 - age / 0.25) + 0.1, 0.0)
            shape = np.stack([rng.uniform(0.0, 0.07, count), rng.uniform(0, 2 * np.pi, count),
                              rng.uniform(0.0, 0.04, count), rng.uniform(0, 2 * np.pi, count)], -1)
            e, n, diam, depth, rim, age, bright, shape = (
                a[keep] for a in (e, n, diam, depth, rim, age, bright, shape))
            bands.append(CraterBand(
                d_lo_m=d_lo, d_hi_m=d_hi, half_width_m=hw, region_m=rw, east_m=e, north_m=n,
                diameter_m=diam, depth_m=depth, rim_m=rim, smooth=age, bright=bright, shape=shape,
                tree=cKDTree(np.stack([e, n], -1)) if e.size else None,
            ))
            d_lo = d_hi
        self.bands = tuple(bands)

        # bounds for ray casting
        relief_bound = float(np.sum(np.abs(amp))) + abs(self._relief0)
        cliff_h = abs(config.cliff.height_m) if config.cliff else 0.0
        dmax = max((float(b.diameter_m.max()) for b in bands if b.diameter_m.size), default=0.0)
        rough = config.roughness * _ROUGH_SLOPE * sum(_ROUGH_WAVELENGTHS_M)
        self.max_height_m = relief_bound + max(cliff_h, 0.0) + 0.08 * dmax + rough + 5.0
        cliff_below = cliff_h if config.cliff and config.cliff.height_m < 0 else 0.0
        self.min_height_m = -(relief_bound + 0.25 * dmax + rough + 5.0) - cliff_below
        # a smoothstep over a width rises 1.5 x its height over that width at its steepest; the
        # edge taper brings every height to zero over the outer 15 % of the half-extent
        c = config.cliff
        steep = [1.0, 1.5 * self.max_height_m / (half - self._taper_start)]
        if c is not None and c.height_m != 0:
            steep.append(1.5 * cliff_h / min(c.width_m, c.back_slope_m))
        self.max_slope = max(steep)

    # ---- pieces ----
    def _taper(self, e, n) -> np.ndarray:
        half = 0.5 * self.extent_m
        r = np.maximum(np.abs(e), np.abs(n))
        return 1.0 - _smoothstep((r - self._taper_start) / (half - self._taper_start))

    def relief_m(self, e, n) -> np.ndarray:
        """Long-wavelength relief (m) at local coordinates (no taper)."""
        ph = e[..., None] * self._kx + n[..., None] * self._ky + self._phase
        return np.cos(ph) @ self._amp - self._relief0

    def _cliff_profile(self, e, n, face_m=None):
        """(profile 0..1, face weight 0..1) of the scarp; the face line wanders along strike.
        ``face_m``: draw the steep face at least this wide (see :meth:`mesh_height_m`)."""
        c = self.config.cliff
        az = math.radians(c.azimuth_deg)
        along = e * math.sin(az) + n * math.cos(az)      # along the downhill direction
        strike = -e * math.cos(az) + n * math.sin(az)
        w = c.width_m
        wander = np.cos(strike[..., None] * self._cliff_k + self._cliff_ph) @ (self._cliff_amp * w)
        s = along - c.offset_m - wander
        wf = w if face_m is None else np.maximum(w, face_m)
        x = (s + 0.5 * wf) / wf
        up = 1.0 - _smoothstep(x)                        # 1 on the high side, 0 past the face
        face = np.where((x > 0) & (x < 1), 4.0 * x * (1.0 - x), 0.0)
        back = _smoothstep((s + 0.5 * w + c.back_slope_m) / c.back_slope_m)
        prof = up * back
        if c.length_m > 0:
            ends = 1.0 - _smoothstep((np.abs(strike) - 0.5 * c.length_m) / w + 0.5)
            prof = prof * ends
            face = face * ends
        return prof, face

    def cliff_m(self, e, n, face_m=None) -> np.ndarray:
        """The scarp's contribution (m) at local coordinates (no taper); ``face_m``: see
        :meth:`_cliff_profile`."""
        c = self.config.cliff
        if c is None or c.height_m == 0:
            return np.zeros(np.shape(e))
        return c.height_m * self._cliff_profile(e, n, face_m)[0]

    def _mesh_sharp_m(self, e, n, spacing_m) -> np.ndarray:
        face = MESH_FACE_SPACINGS * np.asarray(spacing_m, float)
        return (self.cliff_m(e, n, face) - self.cliff_m(e, n)) * self._taper(e, n)

    def _crater_sum(self, e, n, want_albedo: bool):
        pts = np.stack([e, n], -1)
        h = np.zeros(e.shape)
        alb = np.zeros(e.shape) if want_albedo else None
        for band in self.bands:
            if band.tree is None:
                continue
            # only points that could be touched by the band
            reach = _EJECTA_REACH * 0.5 * band.d_hi_m
            lim = band.region_m + reach
            sel = np.nonzero((np.abs(e) < lim) & (np.abs(n) < lim))[0]
            if sel.size == 0:
                continue
            k = min(8, band.east_m.size)
            dist, idx = band.tree.query(pts[sel], k=k, distance_upper_bound=reach * 1.12)
            if k == 1:
                dist, idx = dist[:, None], idx[:, None]
            valid = np.isfinite(dist)
            if not valid.any():
                continue
            rows, cols = np.nonzero(valid)
            ci = idx[rows, cols]
            radius = 0.5 * band.diameter_m[ci]
            # slightly non-circular rims: r scaled by 1 + a2 cos(2 theta + p2) + a3 cos(3 theta + p3)
            theta = np.arctan2(n[sel[rows]] - band.north_m[ci], e[sel[rows]] - band.east_m[ci])
            sh = band.shape[ci]
            r = dist[rows, cols] / radius * (1.0 + sh[:, 0] * np.cos(2 * theta + sh[:, 1])
                                             + sh[:, 2] * np.cos(3 * theta + sh[:, 3]))
            hit = r < _EJECTA_REACH
            rows, ci, r, radius = rows[hit], ci[hit], r[hit], radius[hit]
            rim = band.rim_m[ci]
            depth = band.depth_m[ci]
            sm = band.smooth[ci]
            inside = r < 1.0
            q = 1.0 - np.minimum(r, 1.0) ** 2
            bowl = rim - depth * ((1.0 - sm) * q + sm * q * q)
            rr = np.maximum(r, 1.0)
            outer = rim * (rr ** -3 - _EJECTA_REACH ** -3) / (1.0 - _EJECTA_REACH ** -3)
            prof = np.where(inside, bowl, outer)
            np.add.at(h, sel[rows], prof)
            if want_albedo:
                b = band.bright[ci]
                m = b != 0
                if m.any():
                    g = 1.0 - _smoothstep((r[m] - 1.1) / (_EJECTA_REACH - 1.1))
                    # a little darker on the fresh floor, bright walls and rays of ejecta
                    g = np.where(r[m] < 0.6, 0.6, g)
                    np.add.at(alb, sel[rows[m]], b[m] * g)
        return h, alb

    def roughness_m(self, e, n) -> np.ndarray:
        """Small-scale regolith roughness (m): value-noise octaves of 2-64 m wavelength."""
        out = np.zeros(np.shape(e))
        for k, wl in enumerate(_ROUGH_WAVELENGTHS_M):
            amp = self.config.roughness * _ROUGH_SLOPE * wl
            # rotate each octave so lattice directions do not line up
            c, s_ = math.cos(0.7 * k + 0.3), math.sin(0.7 * k + 0.3)
            out += amp * _value_noise((c * e - s_ * n) / wl, (s_ * e + c * n) / wl, self.config.seed * 16 + k)
        return out

    # ---- contract ----
    def local_height_m(self, east_m, north_m) -> np.ndarray:
        e, n = np.broadcast_arrays(np.asarray(east_m, float), np.asarray(north_m, float))
        shape = e.shape
        e = e.ravel()
        n = n.ravel()
        h = self.relief_m(e, n) + self.cliff_m(e, n)
        if self.config.roughness > 0:
            h += self.roughness_m(e, n)
        h += self._crater_sum(e, n, False)[0]
        h *= self._taper(e, n)
        half = 0.5 * self.extent_m
        h[(np.abs(e) >= half) | (np.abs(n) >= half)] = 0.0
        return h.reshape(shape)

    def sharp_height_m(self, east_m, north_m) -> np.ndarray | None:
        """The scarp (tapered like the rest): the one feature that can be tall and yet narrower
        than a lookup grid's cells."""
        c = self.config.cliff
        if c is None or c.height_m == 0:
            return None
        e, n = np.broadcast_arrays(np.asarray(east_m, float), np.asarray(north_m, float))
        shape = e.shape
        e, n = e.ravel(), n.ravel()
        h = self.cliff_m(e, n) * self._taper(e, n)
        half = 0.5 * self.extent_m
        h[(np.abs(e) >= half) | (np.abs(n) >= half)] = 0.0
        return h.reshape(shape)

    def local_albedo(self, east_m, north_m) -> np.ndarray:
        e, n = np.broadcast_arrays(np.asarray(east_m, float), np.asarray(north_m, float))
        shape = e.shape
        e = e.ravel()
        n = n.ravel()
        _, alb = self._crater_sum(e, n, True)
        c = self.config.cliff
        if c is not None and c.height_m != 0:
            # steep scarp faces are brighter: mass wasting keeps exposing immature regolith
            alb = alb + 0.3 * self._cliff_profile(e, n)[1]
        out = 1.0 + alb * self._taper(e, n)
        return np.clip(out, 0.5, 2.0).reshape(shape)

    def craters_in(self, half_width_m: float, d_min_m: float, d_max_m: float) -> np.ndarray:
        """Diameters (m) of generated craters with centres in the square |e|,|n| < half_width_m."""
        out = []
        for b in self.bands:
            m = ((np.abs(b.east_m) < half_width_m) & (np.abs(b.north_m) < half_width_m)
                 & (b.diameter_m >= d_min_m) & (b.diameter_m < d_max_m))
            out.append(b.diameter_m[m])
        return np.concatenate(out) if out else np.zeros(0)


# --------------------------------------------------------------------------
# DEM terrain
# --------------------------------------------------------------------------


#: DEM heights beyond this (m, either way) are no-data markers (the Moon's relief spans ~ +-10 km)
MAX_DEM_HEIGHT_M = 100e3
#: the most posts a side of a resampled projected DEM has (a 2 km site at 1 m posts)
MAX_DEM_POSTS = 2049
#: file suffixes read through GDAL (rasterio): GeoTIFF, PDS3 .img/.lbl, ISIS3 .cub
GDAL_SUFFIXES = (".tif", ".tiff", ".img", ".lbl", ".cub")


def load_dem(path: str | Path, spacing_m: float | None = None, *,
             site: tuple[float, float, float] | None = None) -> tuple[np.ndarray, float]:
    """Read a DEM: heights (m above the 1737.4 km sphere, rows north to south) and grid spacing (m).

    ``.npy``: a 2-D array, spacing ``spacing_m``. GeoTIFF, PDS3 (``.img``/``.lbl``) and ISIS3
    (``.cub``) are read through GDAL (:mod:`rasterio`, whose wheels carry the planetary drivers).
    A file with a map projection (equirectangular, polar stereographic, ...) and ``site`` =
    ``(lat_deg, lon_deg, extent_m)`` is placed by its own projection: it is resampled
    (bilinear) onto the site's local east/north grid at its own post spacing, so a feature
    lands at its latitude and longitude. A file without one keeps its grid, spacing from its
    pixel size when that is in metres, else ``spacing_m``. Raises
    :class:`lunarviz.errors.ScenarioError` for unreadable files.
    """
    from .errors import ScenarioError as _Err

    p = Path(path)
    suffix = p.suffix.lower()
    try:
        placed = False
        if suffix == ".npy":
            z, scale = np.load(p), None
        elif suffix in GDAL_SUFFIXES:
            z, scale, placed = _read_gdal(p, site)
        else:
            raise _Err(f"{p}: unsupported DEM format {shown(suffix)} (expected {', '.join(GDAL_SUFFIXES)} or .npy)")
    except KeyError as exc:
        raise _Err(f"{p}: cannot read DEM: the label has no {str(exc)[:40]}; expected a PDS3 image label") from None
    except (OSError, ValueError, TypeError, OverflowError, MemoryError) as exc:
        raise _Err(f"{p}: cannot read DEM: {' '.join(str(exc).split())[:80]}") from None
    try:
        z = np.array(z, dtype=float)
    except (TypeError, ValueError) as exc:
        raise _Err(f"{p}: cannot read DEM: {str(exc)[:80]}; expected numeric heights") from None
    if z.ndim != 2 or min(z.shape) < 2:
        raise _Err(f"{p}: DEM must be a 2-D grid, got shape {shown(z.shape, 40)}")
    z[~(np.abs(z) <= MAX_DEM_HEIGHT_M)] = np.nan  # no-data markers (-3.4e38, inf), as DemTerrain fills NaN
    if not np.isfinite(z).any():
        raise _Err(f"{p}: DEM has no height within +-{MAX_DEM_HEIGHT_M:g} m; expected heights in metres")
    spacing = scale if placed or spacing_m is None else spacing_m  # a projection wins over a guess
    if spacing is None:
        raise _Err(f"{p}: DEM has no spacing in metres; set [terrain] dem_spacing_m")
    return z, float(spacing)


def _read_gdal(path: Path, site: tuple[float, float, float] | None) -> tuple[np.ndarray, float | None, bool]:
    """(heights, spacing m or None, whether the grid was placed by its projection)."""
    import warnings

    import rasterio
    from rasterio.errors import NotGeoreferencedWarning, RasterioError

    if path.suffix.lower() == ".lbl" and path.with_suffix(".img").exists():
        path = path.with_suffix(".img")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NotGeoreferencedWarning)  # a bare grid: dem_spacing_m places it
            ds = rasterio.open(path)
        with ds:
            z = ds.read(1, masked=True).astype(float).filled(np.nan)
            z = z * float(ds.scales[0] or 1.0) + float(ds.offsets[0] or 0.0)  # PDS3 SCALING_FACTOR / OFFSET
            crs, tf = ds.crs, ds.transform
    except RasterioError as exc:
        raise ValueError(str(exc).splitlines()[0]) from None
    if crs is not None and site is not None:
        return (*_resample_projected(z, crs, tf, *site), True)
    px = abs(float(tf.a))
    georef = not tf.is_identity
    return z, (px if georef and px > 1e-2 else None), False  # degrees per pixel are not a spacing in metres


def _resample_projected(z: np.ndarray, crs, tf, lat_deg: float, lon_deg: float,
                        extent_m: float) -> tuple[np.ndarray, float]:
    """Heights of a projected DEM on the site's local east/north grid (row 0 north), at its post spacing."""
    from rasterio.crs import CRS
    from rasterio.warp import transform as warp
    from scipy.ndimage import map_coordinates

    post = abs(float(tf.a))
    if not crs.is_projected:  # geographic (degrees): posts from the latitude spacing
        post = math.radians(abs(float(tf.e))) * MOON_RADIUS_M
    half = min(0.5 * extent_m, 0.5 * (MAX_DEM_POSTS - 1) * post)
    n = int(2 * half / post) + 1
    ax = (np.arange(n) - (n - 1) / 2.0) * post
    east, north = np.meshgrid(ax, ax[::-1])
    lat, lon = SphereTerrain(lat_deg, lon_deg, extent_m).local_to_latlon(east, north)
    geo = CRS.from_proj4(f"+proj=longlat +R={MOON_RADIUS_M:.1f} +no_defs")
    xs, ys = warp(geo, crs, np.ravel(lon).tolist(), np.ravel(lat).tolist())
    inv = ~tf
    xs, ys = np.asarray(xs), np.asarray(ys)
    col, row = inv.a * xs + inv.b * ys + inv.c, inv.d * xs + inv.e * ys + inv.f
    # pixel (i, j) covers [i, i+1): its centre, where its value holds, is at i + 0.5
    out = map_coordinates(z, [np.asarray(row) - 0.5, np.asarray(col) - 0.5], order=1, mode="constant", cval=np.nan)
    return out.reshape(n, n), post


class DemTerrain(Terrain):
    """A DEM grid centred on the site (bilinear heights), tapering to 0 at its edge."""

    def __init__(self, heights_m: np.ndarray, spacing_m: float, site_lat_deg: float = 0.0,
                 site_lon_deg: float = 0.0):
        z = np.asarray(heights_m, float)
        ny, nx = z.shape
        extent = min(nx - 1, ny - 1) * spacing_m
        super().__init__(site_lat_deg, site_lon_deg, extent)
        self.z = np.nan_to_num(z, nan=float(np.nanmean(z)))
        self.spacing_m = float(spacing_m)
        self._half_x = 0.5 * (nx - 1) * spacing_m
        self._half_y = 0.5 * (ny - 1) * spacing_m
        self.max_height_m = float(self.z.max()) + 1.0
        self.min_height_m = min(float(self.z.min()), 0.0) - 1.0
        self.max_height_m = max(self.max_height_m, 1.0)
        self._taper_start = 0.9 * 0.5 * extent
        rise = max(np.abs(np.diff(self.z, axis=0)).max(initial=0.0), np.abs(np.diff(self.z, axis=1)).max(initial=0.0))
        taper = 1.5 * max(abs(self.max_height_m), abs(self.min_height_m)) / (0.5 * extent - self._taper_start)
        self.max_slope = max(1.0, float(rise) / self.spacing_m, taper)

    def cell_max_m(self, axis_m: np.ndarray) -> np.ndarray | None:
        """The highest DEM node in each lookup cell (a bilinear surface peaks at a node), when
        the DEM is finer than the grid; heights are tapered towards 0, so never below 0."""
        step = float(axis_m[1] - axis_m[0])
        if self.spacing_m >= step:
            return None
        ny, nx = self.z.shape
        if nx < 2 or ny < 2:
            return None
        # the DEM column (east) and row (row 0 = north) at or before each grid line
        cols = np.clip(np.floor((axis_m + self._half_x) / self.spacing_m).astype(int), 0, nx - 2)
        rows = np.clip(np.floor((self._half_y - axis_m) / self.spacing_m).astype(int), 0, ny - 2)
        out = np.empty((axis_m.size - 1, axis_m.size - 1))
        for i in range(axis_m.size - 1):          # grid row i: north from axis[i] to axis[i+1]
            band = self.z[rows[i + 1]:rows[i] + 2].max(axis=0)
            pair = np.maximum(band[:-1], band[1:])        # DEM cell c spans columns c and c + 1
            out[i] = np.maximum(np.maximum.reduceat(pair, cols[:-1]), pair[cols[1:]])
        return np.maximum(out, 0.0)

    def local_height_m(self, east_m, north_m) -> np.ndarray:
        e, n = np.broadcast_arrays(np.asarray(east_m, float), np.asarray(north_m, float))
        ny, nx = self.z.shape
        fx = np.clip((e + self._half_x) / self.spacing_m, 0, nx - 1.000001)
        fy = np.clip((self._half_y - n) / self.spacing_m, 0, ny - 1.000001)  # row 0 = north
        i0 = np.floor(fx).astype(int)
        j0 = np.floor(fy).astype(int)
        tx = fx - i0
        ty = fy - j0
        z = self.z
        h = ((z[j0, i0] * (1 - tx) + z[j0, i0 + 1] * tx) * (1 - ty)
             + (z[j0 + 1, i0] * (1 - tx) + z[j0 + 1, i0 + 1] * tx) * ty)
        half = 0.5 * self.extent_m
        r = np.maximum(np.abs(e), np.abs(n))
        taper = 1.0 - _smoothstep((r - self._taper_start) / (half - self._taper_start))
        return np.where(r < half, h * taper, 0.0)


@functools.lru_cache(maxsize=8)
def make_terrain(config: TerrainConfig) -> Terrain:
    """Build the terrain a config describes: the one terrain factory and the one cache.

    Equal configs share one object, so the flight, the renderer and the viewer's
    what-if flights never build the same seeded terrain twice.
    """
    if config.kind == "sphere":
        return SphereTerrain(config.site_lat_deg, config.site_lon_deg, config.extent_m)
    if config.kind == "dem":
        z, spacing = load_dem(config.path, config.dem_spacing_m,
                              site=(config.site_lat_deg, config.site_lon_deg, config.extent_m))
        return DemTerrain(z, spacing, config.site_lat_deg, config.site_lon_deg)
    return ProceduralTerrain(config)


