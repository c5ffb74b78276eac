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

Resets: an inertial-unit reset (Beresheet) leaves the engine off from the
reset until the engine restarts (:func:`engine_enabled`).
"""

from __future__ import annotations

import numpy as np

from . import vec3
from ._jit import jit
from .vec3 import dot_rows, unit_rows

#: the rangefinder jump test compares with a reference measurement renewed this often, s
JUMP_WINDOW_S = 2.0
#: innovation clip for the velocity channel of the LRF filter, m
VEL_INNOVATION_CLIP_M = 30.0


@jit
def propagate(dr, dv, r_true, h, bias_up_mps2):
    """The estimate's error (dr, dv) after ``h`` seconds of inertial propagation (tuples).

    The accelerometer bias acts along the estimated local vertical at the new
    true position ``r_true`` plus the error."""
    if bias_up_mps2 != 0.0:
        dv = vec3.axpy(bias_up_mps2 * h, vec3.unit(vec3.add(r_true, dr)), dv)
    return vec3.axpy(h, dv, dr), dv


@jit
def engine_enabled(t, reset_et, restart_et):
    """False while an inertial-unit reset keeps the engine off (``reset_et <= t < restart_et``;
    nan: no reset)."""
    return not (reset_et <= t < restart_et)


def initial_errors(r: np.ndarray, v: np.ndarray, w: np.ndarray, alt_err_m: np.ndarray,
                   vz_err_mps: float, downrange_err_m, crossrange_err_m):
    """Initial estimate errors (dr, dv) (n, 3) of true inertial states r, v (n, 3).

    Altitude and vertical-speed errors along the local vertical; horizontal
    knowledge errors (a number, or one per run) in the frame of the ground track
    (velocity relative to the ground, Moon angular velocity ``w``)."""
    up = unit_rows(r)
    dr = alt_err_m[:, None] * up
    down = np.broadcast_to(np.asarray(downrange_err_m, float), (len(r),))[:, None]
    cross = np.broadcast_to(np.asarray(crossrange_err_m, float), (len(r),))[:, None]
    if np.any(down) or np.any(cross):
        v_rel = v - np.cross(w, r)
        along = unit_rows(v_rel - dot_rows(v_rel, up)[:, None] * up)
        right = np.cross(along, up)
        dr = dr + down * along + cross * right
    return dr, vz_err_mps * up


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
    hmax = float(terrain.max_height_m) + 1.0
    hmin = float(terrain.min_height_m) - 1.0
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


class Rangefinder:
    """The laser rangefinder and its filter for ``n`` runs (numpy, between compiled steps).

    ``lrf``: the scenario's ``[lrf]`` settings; ``terrain``: what the beam sees
    (``surface_altitude_m``, ``radius_m``, height bounds); ``r_site_ref_m``: the
    radius the altitude estimate is measured from; ``k1``/``k2``: filter gains
    (1/s, 1/s^2); ``noise_f``: per-run noise scale; ``rng``: the noise source.
    """

    def __init__(self, lrf, terrain, r_site_ref_m: float, k1: float, k2: float,
                 noise_f: np.ndarray, rng: np.random.Generator):
        self.lrf, self.terrain, self.r_site_ref = lrf, terrain, r_site_ref_m
        self.k1, self.k2, self.noise_f, self.rng = k1, k2, noise_f, rng
        self.cos_max_off = float(np.cos(np.radians(lrf.max_off_nadir_deg)))
        self.state = LrfState(noise_f.size)

    def reach_m(self) -> float:
        """Height above the lowest terrain within which a valid range is possible (-1: never)."""
        lrf = self.lrf
        if not lrf.enabled:
            return -1.0
        reach = lrf.max_range_m
        if lrf.fault_valid_below_m is not None:
            reach = min(reach, lrf.fault_valid_below_m / max(self.cos_max_off, 1e-3))
        return reach + max(float(self.terrain.max_height_m), 0.0) + 50.0

    def measure(self, idx: np.ndarray, r_me: np.ndarray, beam_me: np.ndarray, cos_off: np.ndarray):
        """(altitude measured along the beam, valid) for runs ``idx`` (MOON_ME beams)."""
        lrf = self.lrf
        rng_m = slant_range(self.terrain, r_me, beam_me, cos_off)
        h_true_beam = rng_m * cos_off
        ok = np.isfinite(rng_m) & (rng_m <= lrf.max_range_m) & (rng_m > 0) & (cos_off >= self.cos_max_off)
        if lrf.fault_valid_below_m is not None:
            ok &= h_true_beam <= lrf.fault_valid_below_m
        noise = self.rng.standard_normal(idx.size) * lrf.noise_m * self.noise_f[idx]
        return h_true_beam + noise, ok

    def update(self, cand: np.ndarray, t: float, dt: float, r: np.ndarray, b: np.ndarray,
               dr: np.ndarray, dv: np.ndarray, valid: np.ndarray, to_me) -> list[str]:
        """Measure for the candidate runs, reject or accept, correct (dr, dv) in place.

        ``r``, ``b``: true inertial positions and thrust axes (n, 3) (beam = body -Z);
        ``to_me(vectors)``: J2000 -> MOON_ME at ``t``; ``valid`` (n,) is set where a
        measurement was used. Returns the names of run 0's rangefinder events at ``t``."""
        events: list[str] = []
        idx = np.nonzero(cand)[0]
        cos_off = dot_rows(b[idx], unit_rows(r[idx]))
        pointing = cos_off >= self.cos_max_off
        if not np.any(pointing):
            return events
        idx, cos_off = idx[pointing], cos_off[pointing]
        h_meas, ok = self.measure(idx, to_me(r[idx]), to_me(-b[idx]), cos_off)
        r_e = r[idx] + dr[idx]
        h_est = np.sqrt(dot_rows(r_e, r_e)) - self.r_site_ref
        ok = self._jump_test(idx, ok, h_meas, h_est, t, events)
        if not np.any(ok):
            return events
        sel = idx[ok]
        self._renew_reference(idx, sel, ok, h_meas, h_est, t, events)
        y = (h_meas - h_est)[ok]
        up_e = unit_rows(r_e[ok])
        dr[sel] += (self.k1 * dt * y)[:, None] * up_e
        # the velocity correction sees a clipped innovation, so a large first-fix
        # altitude correction does not kick the velocity estimate
        y_v = np.clip(y, -VEL_INNOVATION_CLIP_M, VEL_INNOVATION_CLIP_M)
        dv[sel] += (self.k2 * dt * y_v)[:, None] * up_e
        valid[sel] = True
        return events

    def _jump_test(self, idx, ok, h_meas, h_est, t, events):
        """Reject the rangefinder for good where the measured altitude jumped (beyond the
        change of the inertial estimate) since the reference measurement."""
        st, limit = self.state, self.lrf.jump_reject_m
        if limit is None:
            return ok
        had = ok & np.isfinite(st.prev_h[idx])
        pred = st.prev_h[idx] + (h_est - st.prev_est[idx])
        jump = had & (np.abs(h_meas - pred) > limit)
        if np.any(jump):
            st.rejected[idx[jump]] = True
            st.rejected_t[idx[jump]] = t
            if jump[0] and idx[0] == 0:
                events.append("lrf_rejected")
        return ok & ~jump

    def _renew_reference(self, idx, sel, ok, h_meas, h_est, t, events):
        st = self.state
        # the jump test's reference measurement is renewed every JUMP_WINDOW_S
        renew = sel[~(t - st.prev_t[sel] < JUMP_WINDOW_S)]
        okr = np.isin(idx, renew) & ok
        st.prev_h[renew] = h_meas[okr]
        st.prev_est[renew] = h_est[okr]
        st.prev_t[renew] = t
        first = np.isnan(st.first_valid_t[sel])
        if np.any(first):
            st.first_valid_t[sel[first]] = t
            if sel[0] == 0 and first[0]:
                events.append("lrf_first_valid")


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
        self.max_height_m = float(terrain.max_height_m)
        self.min_height_m = float(terrain.min_height_m)
        self.basis = terrain.basis
        half = 0.5 * float(terrain.extent_m)
        self.half = half
        k = int(np.ceil(2 * half / spacing_m)) + 1
        self.axis = np.linspace(-half, half, k)
        self.step = self.axis[1] - self.axis[0]
        self.k = k
        self._grid = np.zeros((k, k))  # rows: north, cols: east
        # for the contact test's upper bound: the nodes less the terrain's sharp part (a scarp,
        # which that test adds exactly), and the highest ground inside each cell of a finer DEM
        self._sharp = terrain.sharp_height_m(np.zeros(1), np.zeros(1)) is not None
        self._smooth = np.zeros((k, k)) if self._sharp else self._grid
        self._cell_max = terrain.cell_max_m(self.axis)
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
            e, n = e.ravel(), n.ravel()
            h = np.asarray(self.terrain.local_height_m(e, n), float)
            self._grid[r0:r1, c0:c1] = h.reshape(r1 - r0, c1 - c0)
            if self._sharp:
                self._smooth[r0:r1, c0:c1] = (h - self.terrain.sharp_height_m(e, n)).reshape(r1 - r0, c1 - c0)
            self._done[tile] = True

    def height_local(self, e: np.ndarray, n: np.ndarray, highest: bool = False) -> np.ndarray:
        """Bilinear height at local (e, n); with ``highest`` an upper bound for the contact test: the
        highest of the cell's four nodes (less the terrain's sharp part, which is added exactly),
        or of the terrain inside the cell where it is finer than the grid."""
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
        if highest:
            g = self._smooth
            h = np.maximum(np.maximum(g[iy, ix], g[iy, ix + 1]), np.maximum(g[iy + 1, ix], g[iy + 1, ix + 1]))
            if self._sharp:
                h = h + self.terrain.sharp_height_m(e, n)
            if self._cell_max is not None:
                h = np.maximum(h, self._cell_max[iy, ix])
            return np.where(inside, h, 0.0)
        h = (g[iy, ix] * (1 - tx) * (1 - ty) + g[iy, ix + 1] * tx * (1 - ty)
             + g[iy + 1, ix] * (1 - tx) * ty + g[iy + 1, ix + 1] * tx * ty)
        return np.where(inside, h, 0.0)

    def surface_altitude_m(self, pos_m, highest: bool = False) -> np.ndarray:
        """Altitude above the grid's surface (``highest``: above its highest node round each point)."""
        pos = np.asarray(pos_m, float)
        r = np.sqrt(np.einsum("...i,...i->...", pos, pos))
        b = self.basis
        c = pos @ b[2]
        safe = np.where(c > 1e-6 * r, c, 1.0)
        e = self.radius_m * (pos @ b[0]) / safe
        n = self.radius_m * (pos @ b[1]) / safe
        h = np.where(c > 0.5 * r, self.height_local(e, n, highest), 0.0)
        return r - self.radius_m - h
