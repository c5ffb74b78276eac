"""Dome (fisheye domemaster) and 360° (equirectangular) frames from six cube-face renders.

VTK's ``vtkPanoramicProjectionPass`` renders one renderer into a cube map and
projects it; lunarviz draws the sky and the Moon with two layered renderers
(see :mod:`lunarviz.render.scene`), which that pass cannot composite. So this
module does the equivalent itself, and tests it on geometry: each frame the
scene is updated once, the camera (at the floating origin) is turned to the
needed cube faces (90° square views with a one-pixel margin, so bilinear
sampling never reads past a face: no seams), and every output pixel is
resampled from a precomputed table (face, four texels, weights).

Projections, for a camera looking along ``d`` with up ``u``:

* ``fisheye`` -- azimuthal equidistant (the planetarium *domemaster*): a
  square frame, the circle's radius is ``fov_deg / 2`` (180° by default,
  up to 220°). The dome axis is ``d`` pitched up by ``tilt_deg``, so the
  camera's view direction sits ``tilt_deg`` below the centre, towards the
  front (bottom) of the dome; image up is the back of the dome.
* ``equirect`` -- 2:1 longitude/latitude of the full sphere, level with the
  local horizon: the centre is ``d`` projected onto the horizontal plane at
  the camera, up is the local vertical (away from the Moon's centre).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import RenderError

PROJECTIONS = ("flat", "fisheye", "equirect")
#: widest fisheye field of view, degrees (a 220° lens sees 20° behind the camera all round)
FISHEYE_MAX_FOV_DEG = 220.0
FISHEYE_DEFAULT_FOV_DEG = 180.0


@dataclass(frozen=True)
class Projection:
    kind: str = "flat"
    fov_deg: float = FISHEYE_DEFAULT_FOV_DEG
    tilt_deg: float = 0.0

    @property
    def panoramic(self) -> bool:
        return self.kind != "flat"


def check_projection(kind: str, size: tuple[int, int], fov_deg: float | None, tilt_deg: float | None) -> Projection:
    """Validate the projection options against the frame size; one-line errors."""
    if kind not in PROJECTIONS:
        raise RenderError(f"--projection {kind!r}: expected one of {', '.join(PROJECTIONS)}")
    if kind != "fisheye" and (fov_deg is not None or tilt_deg is not None):
        raise RenderError("--fov-deg and --tilt-deg apply to --projection fisheye only")
    w, h = size
    fov = FISHEYE_DEFAULT_FOV_DEG if fov_deg is None else float(fov_deg)
    tilt = 0.0 if tilt_deg is None else float(tilt_deg)
    if kind == "fisheye":
        if w != h:
            raise RenderError(f"--size {w}x{h}: a fisheye dome master is square, e.g. --size {h}x{h}")
        if not (1.0 <= fov <= FISHEYE_MAX_FOV_DEG):
            raise RenderError(f"--fov-deg {fov:g}: expected 1 to {FISHEYE_MAX_FOV_DEG:g} degrees")
        if not (-90.0 <= tilt <= 90.0):
            raise RenderError(f"--tilt-deg {tilt:g}: expected -90 to 90 degrees")
    if kind == "equirect" and w != 2 * h:
        raise RenderError(f"--size {w}x{h}: an equirectangular frame is 2:1, e.g. --size {2 * h}x{h}")
    return Projection(kind, fov, tilt)


def basis(proj: Projection, direction: np.ndarray, up: np.ndarray, position_m: np.ndarray) -> np.ndarray:
    """Rows (axis A, image-up B, right R) of the projection in world (MOON_ME) directions."""
    d = np.asarray(direction, float)
    d = d / np.linalg.norm(d)
    u = np.asarray(up, float)
    u = u - (u @ d) * d
    u = u / np.linalg.norm(u)
    if proj.kind == "equirect":
        vert = np.asarray(position_m, float)
        vert = vert / np.linalg.norm(vert)
        f = d - (d @ vert) * vert
        if np.linalg.norm(f) < 1e-6:  # looking straight up or down: the camera's up sets the front
            f = u - (u @ vert) * vert
        f = f / np.linalg.norm(f)
        return np.array([f, vert, np.cross(f, vert)])
    t = math.radians(proj.tilt_deg)
    a = math.cos(t) * d + math.sin(t) * u
    b = -math.sin(t) * d + math.cos(t) * u
    return np.array([a, b, np.cross(a, b)])


def directions(proj: Projection, size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Per output pixel (row-major, top row first): unit direction in (A, B, R) coordinates and a valid mask."""
    w, h = size
    jj, ii = np.meshgrid(np.arange(w) + 0.5, np.arange(h) + 0.5)
    if proj.kind == "fisheye":
        x = jj / w * 2 - 1
        y = 1 - ii / h * 2
        r = np.hypot(x, y)
        theta = r * math.radians(proj.fov_deg) / 2
        phi = np.arctan2(y, x)
        v = np.stack([np.cos(theta), np.sin(theta) * np.sin(phi), np.sin(theta) * np.cos(phi)], -1)
        return v, r <= 1.0
    lon = (jj / w * 2 - 1) * math.pi
    lat = (1 - ii / h * 2) * (math.pi / 2)
    v = np.stack([np.cos(lat) * np.cos(lon), np.sin(lat), np.cos(lat) * np.sin(lon)], -1)
    return v, np.ones((h, w), bool)


#: the six cube faces in (A, B, R) coordinates: (view direction, view up)
FACES = (((1, 0, 0), (0, 1, 0)), ((-1, 0, 0), (0, 1, 0)), ((0, 0, 1), (0, 1, 0)),
         ((0, 0, -1), (0, 1, 0)), ((0, 1, 0), (-1, 0, 0)), ((0, -1, 0), (1, 0, 0)))


def face_size(proj: Projection, size: tuple[int, int]) -> int:
    """Cube-face side in pixels: at least the output's pixel density at the centre of view."""
    w, _ = size
    deg = proj.fov_deg if proj.kind == "fisheye" else 360.0
    return int(max(64, math.ceil(w * 90.0 / deg / 2) * 2 + 2))


class Remap:
    """The lookup table from output pixels to cube-face texels (built once per render)."""

    def __init__(self, proj: Projection, size: tuple[int, int]):
        self.proj, self.size = proj, size
        self.face_px = n = face_size(proj, size)
        # one-pixel margin all round: the face's central n-2 pixels span exactly [-1, 1]
        self.tan_half = n / (n - 2)
        v, valid = directions(proj, size)
        v = v.reshape(-1, 3)
        self.valid = valid.reshape(-1)
        comp = np.abs(v)
        best = np.argmax(comp, axis=1)
        sign = np.take_along_axis(v, best[:, None], 1)[:, 0] > 0
        face = np.where(sign, 2 * best, 2 * best + 1)
        # order of FACES: +A, -A, +R, -R, +B, -B  (best: 0=A, 1=B, 2=R)
        face = np.array([0, 1, 4, 5, 2, 3])[face]
        face[~self.valid] = 0
        self.faces_used = sorted(set(face[self.valid].tolist())) or [0]
        slot = {f: k for k, f in enumerate(self.faces_used)}
        fx = np.empty(len(v))
        fy = np.empty(len(v))
        for f in self.faces_used:
            sel = face == f
            D, U = (np.array(x, float) for x in FACES[f])
            Rt = np.cross(D, U)
            z = v[sel] @ D
            fx[sel] = ((v[sel] @ Rt) / z / self.tan_half + 1) / 2 * n - 0.5
            fy[sel] = (1 - (v[sel] @ U) / z / self.tan_half) / 2 * n - 0.5
        sel = np.flatnonzero(self.valid)
        fx = np.clip(fx[sel], 0, n - 1.001)
        fy = np.clip(fy[sel], 0, n - 1.001)
        x0, y0 = np.floor(fx).astype(np.int64), np.floor(fy).astype(np.int64)
        wx, wy = (fx - x0).astype(np.float32)[:, None], (fy - y0).astype(np.float32)[:, None]
        base = np.array([slot.get(f, 0) for f in range(6)])[face[sel]] * n * n
        i00 = base + y0 * n + x0
        # int32 indices and (N, 1) float32 weights over the valid pixels only: the per-frame gather is small
        self.sel = sel
        self.idx = [i.astype(np.int32) for i in (i00, i00 + 1, i00 + n, i00 + n + 1)]
        self.w = [(1 - wx) * (1 - wy), wx * (1 - wy), (1 - wx) * wy, wx * wy]
        self.face_of_pixel = np.where(self.valid, face, -1).reshape(size[1], size[0])

    def apply(self, faces: np.ndarray) -> np.ndarray:
        """``faces``: (len(faces_used), n, n, C) uint8 -> the (H, W, C) uint8 output frame."""
        c = faces.shape[-1]
        flat = faces.reshape(-1, c)
        acc = flat[self.idx[0]] * self.w[0]
        for i, w in zip(self.idx[1:], self.w[1:], strict=True):
            acc += flat[i] * w
        w, h = self.size
        out = np.zeros((h * w, c), np.uint8)
        out[self.sel] = (acc + 0.5).astype(np.uint8)
        return out.reshape(h, w, c)


def render_faces(handles, remap: Remap, grab_fn) -> np.ndarray:
    """Render the cube faces the projection needs from the scene as last updated; (k, n, n, C) uint8."""
    spec = handles.camera
    origin = np.asarray(spec.position_m, float)
    B = basis(remap.proj, np.asarray(spec.focal_m, float) - origin, spec.up, origin)
    vc = handles.renderer.GetActiveCamera()
    saved = (vc.GetFocalPoint(), vc.GetViewUp(), vc.GetViewAngle())
    fov = math.degrees(2 * math.atan(remap.tan_half))
    out = []
    try:
        for f in remap.faces_used:
            D, U = (np.array(x, float) @ B for x in FACES[f])
            vc.SetPosition(0.0, 0.0, 0.0)
            vc.SetFocalPoint(*D)
            vc.SetViewUp(*U)
            vc.SetViewAngle(fov)
            out.append(grab_fn())
    finally:
        vc.SetFocalPoint(*saved[0])
        vc.SetViewUp(*saved[1])
        vc.SetViewAngle(saved[2])
    return np.stack(out)


def pixel_of(proj: Projection, B: np.ndarray, v_world: np.ndarray, size: tuple[int, int]) -> tuple[float, float]:
    """Output pixel (x right, y down, pixel centres at .5) where world direction ``v_world`` lands."""
    w, h = size
    v = B @ (np.asarray(v_world, float) / np.linalg.norm(v_world))
    if proj.kind == "fisheye":
        theta = math.acos(float(np.clip(v[0], -1, 1)))
        phi = math.atan2(v[1], v[2])
        r = theta / (math.radians(proj.fov_deg) / 2)
        return (r * math.cos(phi) + 1) / 2 * w, (1 - r * math.sin(phi)) / 2 * h
    lon = math.atan2(v[2], v[0])
    lat = math.asin(float(np.clip(v[1], -1, 1)))
    return (lon / math.pi + 1) / 2 * w, (1 - lat / (math.pi / 2)) / 2 * h
