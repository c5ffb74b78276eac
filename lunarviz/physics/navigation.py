"""Navigation: an estimated state = truth + error, and the laser rangefinder (LRF).

The estimate is propagated inertially; its error (dr, dv) in the J2000 frame
starts at the scenario's initial altitude / vertical-speed error and grows
with an accelerometer bias along the local vertical (``dv' = b_up * up``,
``dr' = dv``). The lander's altitude estimate is ``|r_est| - (R + h_site)``:
height above the landing site's reference level.

The LRF measures the **slant range along its beam** (body -Z, optionally
tilted) to the terrain; the lander converts it to altitude with its attitude,
``h_meas = range * cos(off-nadir)``. A valid, accepted measurement corrects
the estimate with a second-order complementary filter::

    y = h_meas - h_est
    dr += K1 * y * dt * up,   dv += K2 * clip(y, +-30 m) * dt * up

Faults: (a) ``fault_valid_below_m``: valid data only when the true altitude
along the beam is below that value (Resilience's degraded LRF); (b)
``jump_reject_m``: a jump of the measured altitude within ~2 s (since a
reference measurement renewed every 2 s) larger than the threshold (beyond the change of the inertial
estimate meanwhile) makes the software reject the LRF for the rest of the
flight (HAKUTO-R Mission 1).
"""

from __future__ import annotations

import numpy as np


def slant_range(terrain, r_me: np.ndarray, beam_me: np.ndarray, cos_off: np.ndarray,
                samples: int = 32) -> np.ndarray:
    """Range (n,) along unit beams from MOON_ME points r_me (n,3) to the terrain.

    The terrain lies between ``terrain.min_height_m`` and ``max_height_m``
    above the sphere, so the hit lies in a known interval of the beam; that
    interval is sampled (one vectorised terrain call for all runs), the first
    sample below the surface is found and the crossing is interpolated
    linearly. Returns nan where the beam does not point down or misses.
    """
    n = r_me.shape[0]
    cos_off = np.where(cos_off > 1e-3, cos_off, np.nan)
    hmax = float(getattr(terrain, "max_height_m", 0.0)) + 1.0
    hmin = float(getattr(terrain, "min_height_m", 0.0)) - 1.0
    alt_sph = np.sqrt(np.einsum("ij,ij->i", r_me, r_me)) - terrain.radius_m
    s0 = np.maximum((alt_sph - hmax) / cos_off, 0.0)
    s1 = np.maximum((alt_sph - hmin) / cos_off * 1.02, s0 + 1.0)
    frac = np.linspace(0.0, 1.0, samples)
    s = s0[:, None] + (s1 - s0)[:, None] * frac[None, :]
    s = np.where(np.isfinite(s), s, 0.0)
    pts = r_me[:, None, :] + s[:, :, None] * beam_me[:, None, :]
    alt = np.asarray(terrain.surface_altitude_m(pts.reshape(-1, 3)), float).reshape(n, samples)
    below = alt <= 0.0
    has = below.any(axis=1) & np.isfinite(cos_off)
    k = np.argmax(below, axis=1)
    k = np.where(k == 0, 1, k)
    rows = np.arange(n)
    a0, a1 = alt[rows, k - 1], alt[rows, k]
    t = np.where(a0 - a1 > 0, a0 / np.where(a0 - a1 > 0, a0 - a1, 1.0), 0.0)
    rng = s[rows, k - 1] + t * (s[rows, k] - s[rows, k - 1])
    first_below = below[:, 0]
    rng = np.where(first_below, s[:, 0], rng)
    return np.where(has, rng, np.nan)


class LrfState:
    """Per-run rangefinder bookkeeping for the filter and the jump test."""

    def __init__(self, n: int):
        self.rejected = np.zeros(n, bool)
        self.prev_h = np.full(n, np.nan)
        self.prev_t = np.full(n, -np.inf)
        self.prev_est = np.full(n, np.nan)
        self.first_valid_t = np.full(n, np.nan)
        self.rejected_t = np.full(n, np.nan)


class GridTerrain:
    """A fast bilinear height lookup of a terrain for the rangefinder.

    The rangefinder is evaluated at up to 10 Hz with dozens of beam samples;
    calling the full procedural terrain each time would dominate the flight's
    cost, so the beam sees the same height function sampled on a regular
    ``spacing_m`` grid of site-local gnomonic coordinates over the terrain's
    extent (0 outside, as the terrain itself). Touchdown always uses the
    terrain itself.

    The grid is filled lazily, in disjoint tiles of ``TILE`` x ``TILE`` nodes,
    the first time a lookup needs a node of a tile: a flight only ever looks
    at the strip under its final approach, so most of the grid is never
    computed. Every node belongs to exactly one tile, always computed in the
    same batch, so its value does not depend on which flight (or in which
    order) asked for it: the same scenario and seed fly bitwise the same.
    """

    #: nodes per tile side
    TILE = 16

    def __init__(self, terrain, spacing_m: float = 40.0):
        self.terrain = terrain
        self.radius_m = terrain.radius_m
        self.max_height_m = float(getattr(terrain, "max_height_m", 0.0))
        self.min_height_m = float(getattr(terrain, "min_height_m", 0.0))
        self.basis = terrain.basis
        half = 0.5 * float(terrain.extent_m)
        self.half = half
        k = int(np.ceil(2 * half / spacing_m)) + 1
        self.axis = np.linspace(-half, half, k)
        self.step = self.axis[1] - self.axis[0]
        self.k = k
        self._grid = np.zeros((k, k))  # rows: north, cols: east
        self._nt = (k - 1) // self.TILE + 1  # tiles per side (nodes 0 .. k-1)
        self._done = np.zeros(self._nt * self._nt, bool)

    @property
    def grid(self) -> np.ndarray:
        """The whole (k, k) height grid (fills every tile not computed yet)."""
        self._fill(np.arange(self._nt * self._nt))
        return self._grid

    def _fill(self, tiles: np.ndarray) -> None:
        todo = tiles[~self._done[tiles]]
        t = self.TILE
        for tile in todo.tolist():
            ty, tx = divmod(tile, self._nt)
            r0, c0 = ty * t, tx * t
            r1, c1 = min(r0 + t, self.k), min(c0 + t, self.k)
            e, n = np.meshgrid(self.axis[c0:c1], self.axis[r0:r1], indexing="xy")
            self._grid[r0:r1, c0:c1] = np.asarray(
                self.terrain.local_height_m(e.ravel(), n.ravel()), float).reshape(r1 - r0, c1 - c0)
            self._done[tile] = True

    def height_local(self, e: np.ndarray, n: np.ndarray) -> np.ndarray:
        fx = (e + self.half) / self.step
        fy = (n + self.half) / self.step
        inside = (fx >= 0) & (fy >= 0) & (fx <= self.k - 1) & (fy <= self.k - 1)
        fx = np.clip(fx, 0, self.k - 1.000001)
        fy = np.clip(fy, 0, self.k - 1.000001)
        ix, iy = fx.astype(int), fy.astype(int)
        if inside.any():
            t = self.TILE
            y0, x0 = iy[inside] // t, ix[inside] // t
            y1, x1 = (iy[inside] + 1) // t, (ix[inside] + 1) // t
            nt = self._nt
            tiles = np.concatenate([y0 * nt + x0, y0 * nt + x1, y1 * nt + x0, y1 * nt + x1])
            if not self._done[tiles].all():
                self._fill(np.unique(tiles))
        tx, ty = fx - ix, fy - iy
        g = self._grid
        h = (g[iy, ix] * (1 - tx) * (1 - ty) + g[iy, ix + 1] * tx * (1 - ty)
             + g[iy + 1, ix] * (1 - tx) * ty + g[iy + 1, ix + 1] * tx * ty)
        return np.where(inside, h, 0.0)

    def surface_altitude_m(self, pos_m) -> np.ndarray:
        pos = np.asarray(pos_m, float)
        r = np.sqrt(np.einsum("...i,...i->...", pos, pos))
        b = self.basis
        c = pos @ b[2]
        safe = np.where(c > 1e-6 * r, c, 1.0)
        e = self.radius_m * (pos @ b[0]) / safe
        n = self.radius_m * (pos @ b[1]) / safe
        h = np.where(c > 0.5 * r, self.height_local(e, n), 0.0)
        return r - self.radius_m - h
