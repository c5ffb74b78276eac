"""Globe meshes for the Moon: a site-centred graded grid and a uniform far-field grid.

The near-field globe is one sphere mesh whose "pole" sits at a chosen site
(the end of the flight): rings of constant angular distance from the site
spaced geometrically (metres apart near the site, hundreds of kilometres on
the far side), ``n_seg`` vertices per ring. It therefore has metre-scale
detail where the lander lands and a few thousand triangles elsewhere -- a
level of detail that needs no tile seams or skirts. Vertices inside the
terrain radius are displaced by the terrain module's height function, so the
same ``height_m(lat, lon)`` drives physics and pictures.

Vertex coordinates are stored relative to the site point (float32 keeps
millimetres there); the scene places the mesh with a float64 translation.

Lighting and shadows of the terrain are baked into textures
(:func:`bake_patch`): Lambert shading from the Sun direction plus horizon
occlusion found by marching a height grid towards the Sun, with a soft edge
the size of the solar disc -- cheap, deterministic, and long crater shadows
under a low Sun, independent of the mesh resolution.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..geometry import MOON_RADIUS_M, enu_basis, unit_to_latlon

#: angular radius of the Sun seen from the Moon (deg), for soft shadow edges
SUN_RADIUS_DEG = 0.266

#: share of a patch's half-width over which its picture blends into the coarser level around it
EDGE_BLEND = 0.3

#: display level above which the baked pictures' highlights roll off towards white instead of clipping
#: (a sunlit slope facing a low Sun is several times as bright as the flat ground exposed to 0.58)
TONE_KNEE = 0.7

HeightFn = Callable[[np.ndarray, np.ndarray], np.ndarray]


def tone_shoulder(x: np.ndarray) -> np.ndarray:
    """Display level (0..1) of linear light ``x``: unchanged up to :data:`TONE_KNEE`, then a
    rational (Reinhard) shoulder with the same slope at the knee that approaches 1, so brighter
    light stays brighter -- a sunlit crater wall keeps its shading instead of one flat white."""
    x = np.maximum(np.asarray(x, np.float32), 0.0)
    room = 1.0 - TONE_KNEE
    over = np.maximum(x - TONE_KNEE, 0.0)
    return np.where(x <= TONE_KNEE, x, TONE_KNEE + room * over / (over + room)).astype(np.float32)


def graded_ring_angles(inner_m: float = 2.0, ratio_near: float = 1.1, near_m: float = 30e3,
                       ratio_far: float = 1.3) -> np.ndarray:
    """Angular distances (rad) of the rings, from ``inner_m`` to the antipode (exclusive)."""
    d = [inner_m]
    while d[-1] < near_m:
        d.append(d[-1] * ratio_near)
    while d[-1] < np.pi * MOON_RADIUS_M * 0.97:
        d.append(d[-1] * ratio_far)
    ang = np.array(d) / MOON_RADIUS_M
    return ang[ang < np.pi * 0.985]


def _vertex_spacing_m(th: np.ndarray, n_seg: int) -> np.ndarray:
    """Per vertex of :func:`globe_mesh` (centre, rings, antipode): the larger of the gap to the next
    ring out and the arc between neighbouring segments, metres."""
    gap = np.diff(np.concatenate([th, [np.pi]]))
    arc = 2 * np.pi * np.sin(th) / n_seg
    ring = np.maximum(gap, arc) * MOON_RADIUS_M
    return np.concatenate([[th[0] * MOON_RADIUS_M], np.repeat(ring, n_seg), [ring[-1]]])


def uniform_ring_angles(n_rings: int) -> np.ndarray:
    return np.linspace(0.0, np.pi, n_rings + 2)[1:-1]


@dataclass
class GlobeMesh:
    """Arrays for one globe mesh (see module docstring)."""

    centre_m: np.ndarray  # (3,) MOON_ME point the vertices are relative to
    points: np.ndarray  # (N, 3) float64, relative to centre_m
    faces: np.ndarray  # (M, 3) int
    tcoords: np.ndarray  # (N, 2)
    lat_deg: np.ndarray  # (N,)
    lon_deg: np.ndarray  # (N,)
    height_m: np.ndarray  # (N,)
    displaced: np.ndarray  # (N,) bool: vertex lies inside the terrain radius


def globe_mesh(centre_lat_deg: float, centre_lon_deg: float, ring_angles: np.ndarray, n_seg: int,
               height_fn: HeightFn | None = None, terrain_radius_m: float = 0.0,
               mesh_height_fn: Callable | None = None) -> GlobeMesh:
    """A sphere mesh with its pole at the given site; see the module docstring.

    ``mesh_height_fn(lat, lon, spacing_m)`` (e.g. :meth:`lunarviz.terrain.Terrain.mesh_height_m`),
    when given, is used instead of ``height_fn`` with each vertex's distance to its neighbours (the
    larger of the ring's spacing and the segments' arc), so a feature sharper than the mesh is drawn
    as a slope it can hold instead of spikes."""
    basis = enu_basis(centre_lat_deg, centre_lon_deg)
    e, n, u = basis
    th = np.asarray(ring_angles, float)
    ph = np.linspace(0.0, 2 * np.pi, n_seg, endpoint=False)
    st, ct = np.sin(th)[:, None, None], np.cos(th)[:, None, None]
    dirs = ct * u + st * (np.cos(ph)[None, :, None] * n + np.sin(ph)[None, :, None] * e)
    dirs = dirs.reshape(-1, 3)
    dirs = np.vstack([u, dirs, -u])  # centre, rings, antipode
    lat, lon = unit_to_latlon(dirs)
    dist_m = np.concatenate([[0.0], np.repeat(th, n_seg), [np.pi]]) * MOON_RADIUS_M
    h = np.zeros(len(dirs))
    displaced = dist_m <= terrain_radius_m
    if mesh_height_fn is not None and displaced.any():
        h[displaced] = np.asarray(mesh_height_fn(lat[displaced], lon[displaced],
                                                 _vertex_spacing_m(th, n_seg)[displaced]), float)
    elif height_fn is not None and displaced.any():
        # the terrain module tapers its patch to zero at the edge, so the mesh meets the sphere
        h[displaced] = np.asarray(height_fn(lat[displaced], lon[displaced]), float)
    centre = u * MOON_RADIUS_M
    pts = dirs * (MOON_RADIUS_M + h)[:, None] - centre

    # faces
    nr = len(th)
    tris = []
    j = np.arange(n_seg)
    jn = (j + 1) % n_seg
    tris.append(np.stack([np.zeros(n_seg, int), 1 + j, 1 + jn], axis=1))
    for r in range(nr - 1):
        a = 1 + r * n_seg
        b = a + n_seg
        tris.append(np.stack([a + j, b + j, b + jn], axis=1))
        tris.append(np.stack([a + j, b + jn, a + jn], axis=1))
    last = 1 + (nr - 1) * n_seg
    anti = len(dirs) - 1
    tris.append(np.stack([last + j, np.full(n_seg, anti), last + jn], axis=1))
    faces = np.vstack(tris)[:, [0, 2, 1]]  # counter-clockwise seen from outside

    # texture coordinates with the longitude seam cut open: triangles that span
    # the +-180 deg seam get copies of their western vertices with u + 1
    # (the texture repeats)
    tc_u = (lon + 180.0) / 360.0
    tc_v = (lat + 90.0) / 180.0
    uf = tc_u[faces]
    span = uf.max(axis=1) - uf.min(axis=1)
    cross = span > 0.5
    extra_src = []
    if cross.any():
        fidx, cidx = np.nonzero(cross[:, None] & (uf < 0.5))
        src = faces[fidx, cidx]
        uniq, inv = np.unique(src, return_inverse=True)
        new_ids = len(dirs) + np.arange(len(uniq))
        faces = faces.copy()
        faces[fidx, cidx] = new_ids[inv]
        extra_src = uniq
    if len(extra_src):
        pts = np.vstack([pts, pts[extra_src]])
        tc_u = np.concatenate([tc_u, tc_u[extra_src] + 1.0])
        tc_v = np.concatenate([tc_v, tc_v[extra_src]])
        lat = np.concatenate([lat, lat[extra_src]])
        lon = np.concatenate([lon, lon[extra_src]])
        h = np.concatenate([h, h[extra_src]])
        displaced = np.concatenate([displaced, displaced[extra_src]])
    # the poles of the map: give pole vertices the mean u of their neighbours' ring
    tc = np.stack([tc_u, tc_v], axis=1)
    return GlobeMesh(centre, pts, faces, tc, lat, lon, h, displaced)


# --------------------------------------------------------------------------
# baked terrain patches: lighting and shadows in a texture
# --------------------------------------------------------------------------


@dataclass
class TerrainPatch:
    """A square of the terrain around its site sampled on a regular grid.

    ``height_m`` and ``albedo`` are ``(n, n)`` with row 0 at the *north* edge
    (image order), column 0 at the west edge; pixel centres at
    ``-half_m + (i + 0.5) * step_m``. ``colour`` is the global map's RGB
    (0..1) at each pixel times the terrain's albedo detail.
    """

    half_m: float
    n: int
    height_m: np.ndarray
    colour: np.ndarray
    basis: np.ndarray  # rows east, north, up at the terrain's site (MOON_ME)
    base_colour: np.ndarray | None = None  # the global map alone (what the globe around the patch shows)
    centre_e: float = 0.0  # the patch's centre in the terrain's local frame (m east, north of its site)
    centre_n: float = 0.0
    edge_blend: float = EDGE_BLEND  # share of the half-width over which the baked picture blends out

    def _col_row(self, east_m, north_m):
        """Fractional pixel (column, row) of local coordinates."""
        return ((np.asarray(east_m) - self.centre_e + self.half_m) / self.step_m - 0.5,
                (self.half_m - (np.asarray(north_m) - self.centre_n)) / self.step_m - 0.5)

    def pixel_grid(self) -> tuple[np.ndarray, np.ndarray]:
        """Local east, north (m) of every pixel centre, row 0 at the north edge."""
        c = -self.half_m + (np.arange(self.n) + 0.5) * self.step_m
        E, N = np.meshgrid(c, c[::-1])
        return E + self.centre_e, N + self.centre_n

    def edge_weight(self, width: float | None = None) -> np.ndarray:
        """0 in the middle of the patch rising smoothly to 1 at its edge (over ``width`` of the
        half-width; default :attr:`edge_blend`)."""
        E, N = self.pixel_grid()
        r = np.maximum(np.abs(E - self.centre_e), np.abs(N - self.centre_n)) / self.half_m
        return edge_ramp(r, self.edge_blend if width is None else width)

    @property
    def step_m(self) -> float:
        return 2 * self.half_m / self.n

    def tcoords(self, east_m: np.ndarray, north_m: np.ndarray) -> np.ndarray:
        e, n = east_m - self.centre_e, north_m - self.centre_n
        return np.stack([(e + self.half_m) / (2 * self.half_m), (n + self.half_m) / (2 * self.half_m)], 1)

    def sample_height(self, east_m: np.ndarray, north_m: np.ndarray) -> np.ndarray:
        """Bilinear height at local coordinates; 0 outside the patch."""
        from scipy.ndimage import map_coordinates

        col, row = self._col_row(east_m, north_m)
        return map_coordinates(self.height_m, [row, col], order=1, mode="constant", cval=0.0)


def edge_ramp(r: np.ndarray, width: float) -> np.ndarray:
    """0 inside, rising smoothly to 1 over the outer ``width`` of a square: ``r`` is the distance
    from its centre over its half-width, the larger of the two axes (see :meth:`TerrainPatch.edge_weight`)."""
    x = np.clip((r - (1.0 - width)) / width, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def _fingerprint(terrain) -> str:
    import hashlib

    g = np.linspace(-0.45, 0.45, 17) * float(terrain.extent_m)
    E, N = np.meshgrid(g, g)
    h = np.asarray(terrain.local_height_m(E.ravel(), N.ravel()), float)
    a = np.asarray(terrain.local_albedo(E.ravel(), N.ravel()), float)
    key = f"{type(terrain).__name__}|{terrain.site_lat_deg:.9f}|{terrain.site_lon_deg:.9f}|{terrain.extent_m}|"
    return hashlib.sha1(key.encode() + np.round(h, 4).tobytes() + np.round(a, 4).tobytes()).hexdigest()[:16]


#: patch height grids kept in the render cache (2-5 MB each: the shipped scenes' site patches and
#: the down camera's detail tiles along their flights; the newest are kept)
TERRAIN_CACHE_FILES = 96


def make_patch(terrain, half_m: float, n: int, global_rgb: np.ndarray, cache_dir=None,
               centre_en: tuple[float, float] = (0.0, 0.0)) -> TerrainPatch:
    """Sample ``terrain`` on an ``n x n`` grid of half-width ``half_m`` round ``centre_en`` (local
    east, north of the terrain's site; heights cached on disk)."""
    from pathlib import Path

    from .resources import cached_arrays

    step = 2 * half_m / n
    c = -half_m + (np.arange(n) + 0.5) * step
    ce, cn = (round(float(centre_en[0]), 2), round(float(centre_en[1]), 2))
    E, N = np.meshgrid(c + ce, c[::-1] + cn)  # row 0 = north
    path = None if cache_dir is None else (
        Path(cache_dir) / f"terrain-{_fingerprint(terrain)}-{half_m:.0f}-{n}-{ce:.2f}-{cn:.2f}.npz")
    grids = cached_arrays(path, lambda: {"h": np.asarray(terrain.local_height_m(E, N), np.float32),
                                         "a": np.asarray(terrain.local_albedo(E, N), np.float32)},
                          keep=TERRAIN_CACHE_FILES)
    h, a = grids["h"], grids["a"]
    lat, lon = terrain.local_to_latlon(E, N)
    rgb = sample_equirect_bilinear(global_rgb, lat, lon)
    colour = rgb * a[..., None]
    return TerrainPatch(half_m, n, h.astype(np.float64), colour.astype(np.float32), np.asarray(terrain.basis, float),
                        base_colour=rgb.astype(np.float32), centre_e=ce, centre_n=cn)


def sample_equirect_bilinear(img: np.ndarray, lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
    """Bilinear RGB (0..1) of an equirectangular uint8 image (row 0 = 90 N, column 0 = 180 W).

    Gathers each point's four texels (longitude wraps round, the poles clamp): no part of the
    image is converted to float, so a frame's exposure probe (~150 points spread over the horizon,
    a window of millions of texels) costs microseconds, and a site's patch a few milliseconds."""
    hgt, w = img.shape[:2]
    col = ((np.asarray(lon_deg, float) + 180.0) / 360.0 * w - 0.5) % w
    row = np.clip((90.0 - np.asarray(lat_deg, float)) / 180.0 * hgt - 0.5, 0.0, hgt - 1.0)
    r0 = np.floor(row).astype(np.intp)
    c0 = np.floor(col).astype(np.intp)
    fr = (row - r0)[..., None]
    fc = (col - c0)[..., None]
    r1 = np.minimum(r0 + 1, hgt - 1)
    c1 = (c0 + 1) % w
    c0 %= w
    top = img[r0, c0] * (1.0 - fc) + img[r0, c1] * fc
    bottom = img[r1, c0] * (1.0 - fc) + img[r1, c1] * fc
    return ((top * (1.0 - fr) + bottom * fr) / 255.0).astype(np.float32)


def _tangent(patch: TerrainPatch, v: np.ndarray, E: np.ndarray, N: np.ndarray):
    """A MOON_ME direction in every pixel's own tangent frame (the sphere curves away): e, n, u."""
    R = MOON_RADIUS_M
    s = patch.basis @ (np.asarray(v, float) / np.linalg.norm(v))
    return s, s[0] - E / R * s[2], s[1] - N / R * s[2], s[2] + E / R * s[0] + N / R * s[1]


def _axis_weights(coord: np.ndarray, n: int):
    """Bilinear taps along one axis: (lower index, upper index, upper weight, inside [0, n-1])."""
    k = np.floor(coord)
    inside = (coord >= 0.0) & (coord <= n - 1)
    k0 = np.clip(k, 0, max(n - 2, 0)).astype(np.intp)
    return k0, k0 + 1, (coord - k0)[:, None], inside


def grid_heights(patch: TerrainPatch, east_m: np.ndarray, north_m: np.ndarray, heights: np.ndarray | None = None
                 ) -> np.ndarray:
    """Bilinear height of ``patch`` at every point of the grid ``north_m`` (rows) x ``east_m`` (columns); nan outside.

    The grid is axis-aligned in the patch's own frame, so the interpolation is separable: rows,
    then columns -- O(rows x columns), where a per-point lookup would pay for every point's taps.
    ``heights``: the patch's heights in another dtype (the result has that dtype).
    """
    col, row = patch._col_row(np.asarray(east_m, float), np.asarray(north_m, float))
    H = patch.height_m if heights is None else heights
    r0, r1, wr, r_in = _axis_weights(row, H.shape[0])
    c0, c1, wc, c_in = _axis_weights(col, H.shape[1])
    wr, wc = wr.astype(H.dtype), wc.astype(H.dtype)
    lo, hi = int(min(c0.min(), c1.min())), int(max(c0.max(), c1.max())) + 1
    rows = H[r0, lo:hi] * (1 - wr) + H[r1, lo:hi] * wr           # (rows, used columns)
    out = rows[:, c0 - lo] * (1 - wc.T) + rows[:, c1 - lo] * wc.T
    out[~r_in, :] = np.nan
    out[:, ~c_in] = np.nan
    return out


def _sun_visibility(patch: TerrainPatch, s, se, sn, su, E, N, outer, max_range_m, n_steps, near=None) -> np.ndarray:
    """Visible share of the solar disc at every pixel (horizon march towards the Sun).

    At each distance ``t`` every pixel looks at the point ``t`` metres towards the Sun's azimuth:
    the pixel grid moved as a whole, so the heights there are :func:`grid_heights` of the patch
    (and of ``outer`` where the moved grid has left the patch; 0 beyond both). The distances grow
    geometrically (a third further each step at 40 steps); ``near``, a list of
    ``((row0, row1, col0, col1), m)``, also marches every half texel out to ``m`` over each window of
    the grid -- where small features (a fresh crater, the craters round the end of the flight) cast
    their shadows, which the geometric steps would cut into texel-block teeth."""
    R = MOON_RADIUS_M
    hs = np.hypot(s[0], s[1])
    if hs <= 1e-9:
        return np.ones_like(patch.height_m)
    de, dn = s[0] / hs, s[1] / hs
    tan_el = su / np.maximum(np.hypot(se, sn), 1e-9)
    # single precision: heights to a millimetre over kilometres; horizon slopes far finer than the disc
    H = patch.height_m.astype(np.float32)
    H_outer = None if outer is None else outer.height_m.astype(np.float32)
    best = np.full(H.shape, -np.inf, np.float32)
    e_cols, n_rows = E[0], N[:, 0]
    marches = [(np.geomspace(patch.step_m * 0.75, max_range_m, n_steps), slice(None), slice(None))]
    for (r0, r1, c0, c1), near_m in near or ():
        marches.append((np.arange(patch.step_m * 0.5, near_m, patch.step_m * 0.5), slice(r0, r1), slice(c0, c1)))
    for dists, rows, cols in marches:
        ec, nr, Hw, bw = e_cols[cols], n_rows[rows], H[rows, cols], best[rows, cols]
        for t in dists:
            hq = grid_heights(patch, ec + de * t, nr + dn * t, H)
            miss = np.isnan(hq)
            if outer is not None and miss.any():
                hq[miss] = grid_heights(outer, ec + de * t, nr + dn * t, H_outer)[miss]
            hq[np.isnan(hq)] = 0.0
            hq -= Hw
            hq *= np.float32(1.0 / t)
            hq -= np.float32(t / (2 * R))
            np.maximum(bw, hq, out=bw)
    best = best.astype(np.float64)
    ang = np.degrees(np.arctan(best) - np.arctan(tan_el))  # horizon above the Sun's centre (deg)
    return _disc_share(ang)


#: the widest a shadow edge is spread to cover one texel, degrees of horizon angle (beyond it the
#: angle jumps: another ridge takes over as the horizon, not a sub-texel edge)
EDGE_SPREAD_MAX_DEG = 3.0


def _disc_share(ang: np.ndarray) -> np.ndarray:
    """Visible share of the solar disc from the horizon's angle above the Sun's centre, smoothstepped.

    The penumbra is the disc's width, or the horizon angle's change across one texel where that is
    more: a shadow edge then falls between texels where the angle crosses the Sun, not on the texel
    grid (no staircase when a small patch is seen up close)."""
    gy, gx = np.gradient(ang)
    width = np.clip(np.hypot(gx, gy), 2 * SUN_RADIUS_DEG, EDGE_SPREAD_MAX_DEG)
    x = np.clip(0.5 - ang / width, 0.0, 1.0)
    return x * x * (3 - 2 * x)


def bake_lighting(patch: TerrainPatch, sun_dir: np.ndarray, *, outer: TerrainPatch | None = None,
                  intensity: float = 1.35, ambient: float = 0.03, light_rgb=(1.0, 0.98, 0.95),
                  earth_dir: np.ndarray | None = None, earth_intensity: float = 0.0,
                  earth_rgb=(0.75, 0.85, 1.0), max_range_m: float = 15e3, n_steps: int = 40,
                  near=None) -> np.ndarray:
    """Linear RGB (float, unclipped) of the patch lit by the Sun and the Earth; see :func:`bake_patch`.

    Also returns, as the second value, what the plain globe (the global map, sphere
    normals, no shadows) shows at the same pixels -- the picture the patch blends into.
    """
    E, N = patch.pixel_grid()
    H, step = patch.height_m, patch.step_m
    s, se, sn, su = _tangent(patch, sun_dir, E, N)
    dh_drow, dh_dcol = np.gradient(H, step)  # row 0 is north, so d/dnorth = -d/drow
    nx, ny = -dh_dcol, dh_drow
    norm = np.sqrt(nx * nx + ny * ny + 1.0)
    cosi = (nx * se + ny * sn + su) / norm
    vis = _sun_visibility(patch, s, se, sn, su, E, N, outer, max_range_m, n_steps, near)
    sun_rgb = np.asarray(light_rgb, np.float32) * intensity
    light = ambient + (np.clip(cosi, 0.0, None) * vis)[..., None] * sun_rgb
    flat = ambient + np.clip(su, 0.0, None)[..., None] * sun_rgb
    if earth_dir is not None and earth_intensity > 0.0:
        _, ee, en, eu = _tangent(patch, earth_dir, E, N)
        e_rgb = np.asarray(earth_rgb, np.float32) * earth_intensity
        light = light + np.clip((nx * ee + ny * en + eu) / norm, 0.0, None)[..., None] * e_rgb
        flat = flat + np.clip(eu, 0.0, None)[..., None] * e_rgb
    base = patch.base_colour if patch.base_colour is not None else patch.colour
    return patch.colour * light, base * flat


def bake_patch(patch: TerrainPatch, sun_dir: np.ndarray, *, outer: TerrainPatch | None = None,
               parent: np.ndarray | None = None, **light) -> np.ndarray:
    """RGB uint8 image of the patch lit by the Sun: colour x (ambient + I cos(i) x visible) (+ earthshine).

    Matches the VTK lighting of the globe around it (same intensity, ambient
    and light colour; the curvature of the sphere is included both in the
    incidence angle and in the shadow march). Shadows: for every pixel the
    terrain horizon towards the Sun is found by sampling the height grid
    (and ``outer`` beyond this patch) along the Sun's azimuth; the visible
    part of the solar disc gives a soft edge. Highlights roll off through :func:`tone_shoulder`.

    No seam with the coarser level around it: over the outer ``patch.edge_blend`` of the
    half-width the picture blends into ``parent`` (the enclosing patch's baked picture at
    these pixels, see :func:`resample`) or, without one, into the plain globe's picture.
    """
    img, plain = bake_lighting(patch, sun_dir, outer=outer, **light)
    under = tone_shoulder(plain) if parent is None else parent
    w = patch.edge_weight()[..., None]
    img = (1.0 - w) * tone_shoulder(img) + w * under
    return (np.clip(img, 0.0, 1.0) * 255 + 0.5).astype(np.uint8)


def resample(outer: TerrainPatch, outer_img: np.ndarray, inner: TerrainPatch) -> np.ndarray:
    """``outer_img`` (an image over ``outer``, float or uint8) at the pixel centres of ``inner``, float 0..1."""
    from scipy.ndimage import map_coordinates

    E, N = inner.pixel_grid()
    col, row = outer._col_row(E, N)
    src = np.asarray(outer_img, np.float32) / (255.0 if outer_img.dtype == np.uint8 else 1.0)
    return np.stack([map_coordinates(src[..., k], [row, col], order=1, mode="nearest") for k in range(3)], -1)
