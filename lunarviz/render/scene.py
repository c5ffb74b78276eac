"""One scene for every screen: build it on a pyvista plotter, update it per frame.

``build(plotter, traj)`` works on any pyvista ``BasePlotter`` -- an off-screen
``pv.Plotter`` for video and stills, a ``pyvistaqt.QtInteractor`` in the
viewer -- and returns :class:`SceneHandles`. ``update(handles, et_s, camera)``
moves everything to one instant; the caller renders (``plotter.render()``).

How the scene stays precise and fast
------------------------------------
* **Floating origin.** Each frame the VTK camera sits at the world origin;
  every actor is placed with a float64 user matrix relative to the true
  camera position (MOON_ME metres). Meshes store vertices relative to their
  own anchor (the site, the lander body), so float32 never sees 1.7e6 m
  next to 1 m detail. Clipping ranges are set per frame (before every
  render, also when the viewer's interactor moves the camera).
* **Two layers.** The sky (stars, Sun, Earth) is drawn first by its own
  renderer, at a fixed radius around the camera, with true directions and
  true angular sizes; the Moon, lander, trail and marker are drawn over it
  by the main renderer. So the Moon hides the Earth exactly at its limb and
  the Earth 400,000 km away needs no depth range.
* **Level of detail.** Within ~450 km of the site: one site-centred graded
  globe (metres apart at the landing site, hundreds of km on the far side)
  carrying the terrain; elsewhere and far away: a uniform coarse globe.
  Small textures (2k/4k); the lander only when it covers pixels (a dot
  otherwise).
* **Light.** One directional scene light from the SPICE Sun direction; the
  terrain patches' lighting and crater shadows are baked into textures by
  marching the height grid towards the Sun (re-baked every 10 minutes of
  simulated time, quantised so frames are reproducible).
* **Earth.** Day and night textures blended per texel from the Sun
  direction in ``IAU_EARTH`` (so phase and terminator are right), the mesh
  rotated by ``IAU_EARTH -> MOON_ME``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import ephemeris
from ..geometry import MOON_RADIUS_M, enu_basis_from_up, latlon_to_moon_me, unit_to_latlon
from ..i18n import _, display_text
from ..physics.outcome import Outcome, touchdown_outcome
from ..terrain import SphereTerrain, Terrain
from ..trajectory import Trajectory, quat_to_matrix
from . import camera as cam
from . import effects as fx
from . import resources
from .hud import use_language_font
from .terrain_mesh import (
    bake_patch,
    globe_mesh,
    graded_ring_angles,
    make_patch,
    resample,
    sample_equirect_bilinear,
    uniform_ring_angles,
)

#: radius of the sky sphere (sky renderer units; its camera sits at the centre)
SKY_RADIUS = 1000.0
EARTH_RADIUS_M = 6371000.0
SUN_RADIUS_M = 696000000.0

QUALITIES = {
    # near-globe rings/segments, far globe, textures, stars, Earth texture
    "draft": dict(n_seg=64, ratio_near=1.12, ratio_far=1.35, far_rings=40, far_seg=80, moon_tex=2048,
                  moon_tex_far=2048, star_vmag=5.5, earth_tex=512,
                  patch_outer_px=384, patch_inner_px=512, inner_half_m=1250.0, patch_fine_px=256,
                  patch_mid_px=512, mid_half_m=4000.0),
    "high": dict(n_seg=96, ratio_near=1.08, ratio_far=1.25, far_rings=64, far_seg=128, moon_tex=4096,
                 moon_tex_far=4096, star_vmag=6.5, earth_tex=1024,
                 patch_outer_px=512, patch_inner_px=768, inner_half_m=1250.0, patch_fine_px=512,
                 patch_mid_px=768, mid_half_m=4000.0),
    # "high" for frames 2000+ px tall (4K): textures chosen for the size (lunarviz.render.frames.quality_for)
    "uhd": dict(n_seg=96, ratio_near=1.08, ratio_far=1.25, far_rings=64, far_seg=128, moon_tex=8192,
                moon_tex_far=4096, star_vmag=6.5, earth_tex=2048,
                patch_outer_px=768, patch_inner_px=1024, inner_half_m=1250.0, patch_fine_px=768,
                patch_mid_px=1024, mid_half_m=4000.0),
}
#: the Sun light and the Moon's ambient term (the baked terrain uses the same numbers)
SUN_INTENSITY = 1.35
SUN_RGB = (1.0, 0.98, 0.95)
AMBIENT = 0.03
#: exposure: the mean sunlit regolith of a frame is brought to this display level (0..1, upper-middle tones)
EXPOSURE_TARGET = 0.58
#: the longest exposure (gain over the Sun's light) any frame gets -- a frame with no sunlit ground in view
EXPOSURE_MAX = 12.0
#: earthshine at full Earth, as a share of the Sun's light: stylised (truly ~1e-4) so the night side
#: reads faintly in an exposure made for sunlit ground, scaled by the Earth's illuminated fraction
EARTHSHINE_FULL = 0.03
EARTHSHINE_RGB = (0.72, 0.84, 1.0)
#: on the globe earthshine is a share of the ambient term: its mean cos(incidence) over the Earth-facing side
EARTHSHINE_GLOBE = 0.5
#: the lander's diffuse coefficient, and the most its materials are brightened by the exposure
LANDER_DIFFUSE = 0.9
LANDER_EXPOSURE_MAX = 1.6
#: the trail shows this much flight before and after "now" (all of it in the orbit view), s
TRAIL_WINDOW_S = 600.0
#: ground distance from the site within which the graded (site-centred) globe is drawn, m
NEAR_GLOBE_WITHIN_M = 450e3
#: camera distance from the Moon's centre beyond which the far globe is drawn
FAR_GLOBE_BEYOND_M = MOON_RADIUS_M + 600e3


def _vtk():
    import pyvista as pv

    from .vtkclasses import vtk

    return pv, vtk


@dataclass
class SceneHandles:
    """What ``update`` needs: the plotter, the trajectory, VTK objects and caches."""

    plotter: Any
    traj: Trajectory
    quality: str
    renderer: Any
    sky: Any
    actors: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    hud: Any = None
    target_m: np.ndarray | None = None
    site_m: np.ndarray | None = None
    height_fn: Callable | None = None
    terrain: Terrain | None = None
    origin_m: np.ndarray = field(default_factory=lambda: np.zeros(3))
    camera: cam.CameraSpec | None = None
    camera_path: cam.CameraPath | None = None
    et_s: float = float("nan")
    observers: list = field(default_factory=list)


# ----------------------------------------------------------------- helpers
def _matrix(rot: np.ndarray | None = None, trans: np.ndarray | None = None, scale: float = 1.0):
    _pv, vtk = _vtk()
    m = np.eye(4)
    if rot is not None:
        m[:3, :3] = np.asarray(rot, float) * scale
    elif scale != 1.0:
        m[:3, :3] *= scale
    if trans is not None:
        m[:3, 3] = trans
    vm = vtk.vtkMatrix4x4()
    for i in range(4):
        for j in range(4):
            vm.SetElement(i, j, float(m[i, j]))
    return vm


def _place(actor, rot=None, trans=None, scale=1.0) -> None:
    actor.SetUserMatrix(_matrix(rot, trans, scale))


def _polydata(points: np.ndarray, faces: np.ndarray):
    pv, _vtkm = _vtk()
    f = np.hstack([np.full((len(faces), 1), 3, dtype=np.int64), faces.astype(np.int64)]).ravel()
    return pv.PolyData(np.asarray(points, np.float64), f)


def _texture(img: np.ndarray, repeat: bool = False):
    pv, _vtkm = _vtk()
    tex = pv.Texture(np.ascontiguousarray(img))  # pyvista flips rows: row 0 (north) ends at t=1
    tex.repeat = repeat
    tex.interpolate = True
    return tex


def rgba_actor(renderer, pd):
    """An unlit, translucent actor drawing ``pd`` in its per-point RGBA colours (plumes, trails),
    added to ``renderer``."""
    _pv, vtk = _vtk()
    mapper = vtk.vtkPolyDataMapper()
    mapper.SetInputData(pd)
    mapper.SetColorModeToDirectScalars()
    mapper.SetScalarModeToUsePointData()
    a = vtk.vtkActor()
    a.SetMapper(mapper)
    a.GetProperty().LightingOff()
    a.ForceTranslucentOn()
    renderer.AddActor(a)
    return a


def _plume_mesh(r0: float, r1: float, c0, c1, a0: float, rings: int = 14, seg: int = 24):
    """A flared, fading exhaust cone of unit length along -Z from the origin (RGBA per vertex)."""
    sv = np.linspace(0.0, 1.0, rings)
    ph = np.linspace(0.0, 2 * np.pi, seg, endpoint=False)
    r = r0 + (r1 - r0) * np.sqrt(sv)
    pts = np.stack([np.outer(r, np.cos(ph)), np.outer(r, np.sin(ph)), np.repeat(-sv[:, None], seg, 1)], -1)
    pts = pts.reshape(-1, 3)
    j = np.arange(seg)
    jn = (j + 1) % seg
    faces = []
    for i in range(rings - 1):
        a, b = i * seg, (i + 1) * seg
        faces.append(np.stack([a + j, b + j, b + jn], 1))
        faces.append(np.stack([a + j, b + jn, a + jn], 1))
    pd = _polydata(pts, np.vstack(faces))
    w = np.repeat(sv, seg)[:, None]
    rgb = (1 - w) * np.asarray(c0) + w * np.asarray(c1)
    alpha = a0 * (1 - w[:, 0]) ** 1.6
    pd.point_data["rgba"] = (np.column_stack([rgb, alpha]) * 255).astype(np.uint8)
    pd.point_data.active_scalars_name = "rgba"
    return pd


def _sun_dir(et_s: float) -> np.ndarray:
    s = ephemeris.position_m("SUN", et_s, frame="MOON_ME")
    return s / np.linalg.norm(s)


def _terrain_for(traj: Trajectory, terrain: Terrain | None) -> Terrain | None:
    """The terrain to draw: explicit, else the one the flight was flown over; None for the bare sphere."""
    if terrain is None:
        terrain = traj.terrain
    if terrain is None or isinstance(terrain, SphereTerrain):
        return None
    return terrain


def _target(traj: Trajectory, target_lat_lon) -> np.ndarray:
    if target_lat_lon is None and traj.scenario is not None:
        target_lat_lon = (traj.scenario.site.lat_deg, traj.scenario.site.lon_deg)
    if target_lat_lon is None:
        p = traj.pos_m[-1]
        return p / np.linalg.norm(p) * MOON_RADIUS_M
    return latlon_to_moon_me(float(target_lat_lon[0]), float(target_lat_lon[1]))


def _latlon(p: np.ndarray) -> tuple[float, float]:
    lat, lon = unit_to_latlon(p)
    return float(lat), float(lon)


def _ground_m(height_fn, p: np.ndarray) -> np.ndarray:
    return cam.surface_point(height_fn, p)


# ------------------------------------------------------------------ build
def build(plotter, traj: Trajectory, *, quality: str = "high", hud: bool = True, title: str | None = None,
          captions: dict[str, str] | None = None, terrain: Terrain | None = None,
          target_lat_lon: tuple[float, float] | None = None, async_bake: bool = False) -> SceneHandles:
    """Add the whole scene to ``plotter`` and return the handles for :func:`update`.

    Parameters
    ----------
    plotter : pyvista.BasePlotter
        ``pv.Plotter(off_screen=True)`` or ``pyvistaqt.QtInteractor``. Its
        lights are replaced by the Sun; a second renderer (layer 0) is added
        for the sky.
    traj : Trajectory
        The flight; ``traj.scenario`` (if set) supplies site, terrain, title and captions.
    quality : "high" or "draft"
        Mesh and texture sizes (draft: about half the triangles, 2k textures).
    hud : bool
        Draw the telemetry overlay (:mod:`lunarviz.render.hud`).
    terrain : object with ``height_m(lat_deg, lon_deg)``, optional
        Overrides the scenario's terrain.
    target_lat_lon : (lat_deg, lon_deg), optional
        Landing target (default: the scenario's site, else the end of the flight).
    async_bake : bool
        Re-bake terrain shadows (every 10 simulated minutes, ~1-2 s) in a background thread
        instead of stalling a frame -- for the interactive viewer. Off for video and stills,
        whose frames must not depend on timing.
    """
    pv, vtk = _vtk()
    if quality not in QUALITIES:
        raise ValueError(f"quality must be one of {sorted(QUALITIES)}, not {quality!r}")
    q = QUALITIES[quality]
    ren = plotter.renderer
    win = plotter.render_window
    h = SceneHandles(plotter=plotter, traj=traj, quality=quality, renderer=ren, sky=None)
    h.terrain = _terrain_for(traj, terrain)
    h.height_fn = h.terrain.height_m if h.terrain is not None else None
    h.target_m = _target(traj, target_lat_lon)
    sc = traj.scenario

    # ---- layers: sky renderer underneath (layer 0), main scene over it (layer 1)
    win.SetNumberOfLayers(max(2, win.GetNumberOfLayers()))
    ren.SetLayer(1)
    sky = vtk.vtkRenderer()
    sky.SetLayer(0)
    sky.SetBackground(0.0, 0.0, 0.0)
    sky.InteractiveOff()
    win.AddRenderer(sky)
    h.sky = sky
    # translucent parts (plume, trails, glows, the ghost) blend in actor order: VTK's default
    # order-independent transparency adds framebuffers and a full-screen pass per renderer, ~half of
    # a 725x787 chase frame on llvmpipe (29 -> 14 ms), for a picture that differs by <= 9/255 here
    for r in (ren, sky):
        r.SetUseOIT(False)
    plotter.set_background("black")
    plotter.remove_all_lights()
    ren.SetAutomaticLightCreation(False)
    sky.SetAutomaticLightCreation(False)

    # ---- the Sun: one directional scene light (direction set per frame)
    light = vtk.vtkLight()
    light.SetLightTypeToSceneLight()
    light.SetPositional(False)
    light.SetIntensity(SUN_INTENSITY)
    light.SetColor(*SUN_RGB)
    ren.AddLight(light)
    h.data["light"] = light

    # ---- the Moon: near (site-centred, graded, with terrain) and far globes
    end_p = traj.pos_m[-1]
    site_lat, site_lon = _latlon(end_p)
    rings = graded_ring_angles(2.0, q["ratio_near"], 30e3, q["ratio_far"])
    t_radius = 0.72 * float(h.terrain.extent_m) if h.terrain is not None else 0.0
    near = globe_mesh(site_lat, site_lon, rings, q["n_seg"], h.height_fn, t_radius,
                      mesh_height_fn=h.terrain.mesh_height_m if h.terrain is not None else None)
    h.site_m = near.centre_m
    h.data["near_mesh"] = near
    moon_img = resources.texture("moon_color", q["moon_tex"])
    tex_near = _texture(moon_img, repeat=True)
    faces_globe = _build_patches(h, near, q, moon_img)
    near_pd = _polydata(near.points, faces_globe)
    near_pd.active_texture_coordinates = near.tcoords
    # sphere normals (the terrain itself is in the baked patches): smooth across the texture seam
    nrm = near.points + near.centre_m
    near_pd.point_data["Normals"] = nrm / np.linalg.norm(nrm, axis=1, keepdims=True)
    near_pd.point_data.active_normals_name = "Normals"
    h.data["near_pd"] = near_pd
    a = plotter.add_mesh(near_pd, texture=tex_near, ambient=AMBIENT, diffuse=1.0,
                         specular=0.0, name="moon_near", culling="back", reset_camera=False,
                         smooth_shading=True)
    h.actors["moon_near"] = a
    h.data["shadow_key"] = None
    h.data["async_bake"] = bool(async_bake)
    h.data.setdefault("albedo", float(np.mean(resources.texture("moon_color", 512)) / 255.0))
    h.data["albedo_map"] = resources.texture("moon_color", 512)
    h.data["exposure_site"] = site_exposure(traj, h.site_m, h.data["albedo"])
    # the down camera's detail tiles away from the site (lunarviz.render.detail): built on demand
    h.data["tiles"] = {"built": {}, "job": None, "moon_img": moon_img}

    far = globe_mesh(0.0, 0.0, uniform_ring_angles(q["far_rings"]), q["far_seg"])
    far_pd = _polydata(far.points + far.centre_m, far.faces)
    far_pd.active_texture_coordinates = far.tcoords
    far_pd.point_data["Normals"] = (far.points + far.centre_m) / MOON_RADIUS_M
    far_pd.point_data.active_normals_name = "Normals"
    tex_far = tex_near if q["moon_tex_far"] == q["moon_tex"] else _texture(
        resources.texture("moon_color", q["moon_tex_far"]), repeat=True)
    a = plotter.add_mesh(far_pd, texture=tex_far, ambient=AMBIENT, diffuse=1.0, specular=0.0, name="moon_far",
                         culling="back", reset_camera=False, smooth_shading=True)
    h.actors["moon_far"] = a

    # ---- lander and plume
    lm = resources.lander_for(traj.scenario)  # [vehicle] model (issue #15)
    lpd = _polydata(lm.vertices, lm.faces)
    if lm.colors is not None:
        lpd.point_data["rgb"] = lm.colors
        a = plotter.add_mesh(lpd, scalars="rgb", rgb=True, ambient=0.14, diffuse=0.9, specular=0.35,
                             specular_power=20, name="lander", reset_camera=False, show_scalar_bar=False)
    else:
        a = plotter.add_mesh(lpd, color=(0.8, 0.68, 0.35), ambient=0.06, diffuse=0.9, specular=0.35,
                             specular_power=20, name="lander", reset_camera=False)
    h.actors["lander"] = a
    h.data["lander_height_m"] = lm.height_m
    h.data["nozzle_m"] = lm.nozzle_exit_m
    for name, r0, r1, c0, c1, a0 in (("plume_core", 0.12, 0.35, (1.0, 0.97, 0.92), (0.75, 0.82, 1.0), 0.85),
                                     ("plume_glow", 0.2, 1.6, (1.0, 0.85, 0.6), (0.55, 0.6, 1.0), 0.30)):
        h.actors[name] = rgba_actor(ren, _plume_mesh(r0, r1, c0, c1, a0))
    # a screen-sized dot for the lander when it is too small to see
    a = plotter.add_mesh(pv.PolyData(np.zeros((1, 3))), color=(1.0, 0.85, 0.3), point_size=7,
                         render_points_as_spheres=True, lighting=False, name="lander_dot", reset_camera=False)
    h.actors["lander_dot"] = a
    _build_tracker(h)
    _build_reticle(h)
    _build_shadow(h, lm.vertices)

    # ---- touchdown effects: impact flash + ejecta curtain (crash), dust sheet (soft landing)
    _build_effects(h)

    # ---- trail: past solid, future faint (points stored relative to the site)
    n = len(traj)
    step = max(1, n // 4000)
    idx = np.unique(np.r_[np.arange(0, n, step), n - 1])
    h.data["trail_et"] = traj.et_s[idx]
    h.data["trail_rel"] = traj.pos_m[idx] - h.site_m
    for name in ("trail_past", "trail_future"):
        line = pv.lines_from_points(h.data["trail_rel"][:2])
        line.point_data["rgba"] = np.zeros((2, 4), np.uint8)
        h.actors[name] = rgba_actor(ren, line)

    # ---- landing-target marker: a ring (unit size, scaled per frame) and a short pole
    ring = pv.Disc(center=(0, 0, 0), inner=0.82, outer=1.0, normal=(0, 0, 1), r_res=1, c_res=72)
    a = plotter.add_mesh(ring, color=(1.0, 0.62, 0.12), lighting=False, name="target_ring", reset_camera=False)
    h.actors["target_ring"] = a
    h.data["target_ground_m"] = _ground_m(h.height_fn, h.target_m)

    # ---- sky: stars, Sun, Earth
    _build_sky(h, q)

    # ---- HUD
    if hud:
        from .hud import Hud

        if title is None:
            title = (sc.title if sc is not None else None) or "lunarviz"
        if captions is None:
            captions = dict(sc.captions) if sc is not None else {}
        h.hud = Hud(plotter, traj, title=title, captions=captions)

    # ---- camera path from the scenario's [render] keyframes
    if sc is not None:
        h.camera_path = cam.camera_path(sc.render, traj, source=sc.path)

    # ---- keep clipping range and sky camera right before every render (also when the
    #      viewer's interactor has moved the camera)
    obs = win.AddObserver("StartEvent", lambda *_: _before_render(h))
    h.observers.append((win, obs))
    return h


def _build_patches(h: SceneHandles, near, q: dict, moon_img: np.ndarray) -> np.ndarray:
    """The baked terrain patches on the near globe (outer: the terrain's extent, ~40 m a pixel; mid:
    ~8 km round the site, ~10 m; inner: ~2.5 km, ~3 m; fine: ~128 m round the end of the flight,
    0.25 m, with the impact crater's variant for a crash); returns the faces left to the plain globe."""
    pv, _vtkm = _vtk()
    h.data["patches"] = []
    h.data["crater"] = None
    if h.terrain is None:
        return near.faces
    unit = (near.points + near.centre_m)
    unit = unit / np.linalg.norm(unit, axis=1, keepdims=True)
    e_loc, n_loc, c_loc = h.terrain.unit_to_local(unit)
    half_out = 0.5 * float(h.terrain.extent_m)
    half_in = min(q["inner_half_m"], 0.5 * half_out)
    cache = resources.cache_dir()
    # coarse to fine: each level a few times finer than the one round it, each blending into it
    half_mid = min(q["mid_half_m"], 0.5 * half_out)
    levels = [("patch_outer", make_patch(h.terrain, half_out, q["patch_outer_px"], moon_img, cache))]
    if half_mid > MID_PATCH_MIN_RATIO * half_in:
        levels.append(("patch_mid", make_patch(h.terrain, half_mid, q["patch_mid_px"], moon_img, cache)))
    levels.append(("patch_inner", make_patch(h.terrain, half_in, q["patch_inner_px"], moon_img, cache)))
    inner = levels[-1][1]
    ce, cn, _cu = h.terrain.unit_to_local(h.site_m[None, :] / np.linalg.norm(h.site_m))
    fine = make_patch(h.terrain, FINE_HALF_M, q["patch_fine_px"], moon_img, cache,
                      centre_en=(float(ce[0]), float(cn[0])))
    fe, fn, fc = e_loc[near.faces], n_loc[near.faces], c_loc[near.faces]
    front = (fc > 0.5).all(axis=1)

    def within(p):
        return front & (np.abs(fe - p.centre_e) < p.half_m * 0.999).all(axis=1) & (
            np.abs(fn - p.centre_n) < p.half_m * 0.999).all(axis=1)

    # the fine patch blends into the finest level that holds it: the inner one round the target,
    # a coarser one for a crash kilometres away (Beresheet's)
    k_parent = max((k for k, (_n, p) in enumerate(levels)
                    if max(abs(fine.centre_e), abs(fine.centre_n)) + fine.half_m < p.half_m), default=0)
    fine_parent = levels[k_parent][1]
    inside = [within(p) for _n, p in levels]
    in_fine = within(fine) & inside[k_parent]
    inside.append(in_fine)
    h.data["albedo"] = float(np.mean(inner.colour))
    parents = [None] + [p for _n, p in levels[:-1]]
    entries = [(name, patch, inside[k] & ~inside[k + 1] & ~in_fine, parents[k])
               for k, (name, patch) in enumerate(levels)] + [("patch_fine", fine, in_fine, fine_parent)]
    for name, patch, sel, parent in entries:
        pd = _polydata(near.points, near.faces[sel])
        pd.active_texture_coordinates = patch.tcoords(e_loc, n_loc)
        tex = pv.Texture(np.zeros((patch.n, patch.n, 3), np.uint8))
        a = h.plotter.add_mesh(pd, texture=tex, lighting=False, name=name, culling="back", reset_camera=False)
        h.actors[name] = a
        h.data["patches"].append((name, patch, parent))
        h.data[f"{name}_pd"] = pd
    _prepare_crater(h, near, fine, inner)
    return near.faces[~inside[0]]


def _prepare_crater(h: SceneHandles, near, fine, inner) -> None:
    """For a crash: the fine patch with the impact crater cut in (heights and albedo) and the fine
    patch's mesh points with the crater's bowl and rim, both swapped in at the moment of impact."""
    import dataclasses

    td = h.traj.event("touchdown")
    if td is None or touchdown_outcome(h.traj) is not Outcome.CRASHED:
        return
    diameter = fx.crater_diameter_m(float(td.speed_mps), float(h.traj.mass_kg[-1]))
    ie, inn, _iu = h.terrain.unit_to_local(np.asarray(td.pos_m, float)[None, :] / np.linalg.norm(td.pos_m))
    E, N = fine.pixel_grid()
    r = np.hypot(E - ie[0], N - inn[0])
    patch = dataclasses.replace(fine, height_m=fine.height_m + fx.crater_height_m(r, diameter),
                                colour=fine.colour * fx.crater_albedo(r, diameter)[..., None])
    pd = h.data["patch_fine_pd"]
    pts0 = np.array(pd.points, dtype=np.float64)
    world = pts0 + near.centre_m
    up = world / np.linalg.norm(world, axis=1, keepdims=True)
    rel = world - np.asarray(td.pos_m, float)
    rh = np.linalg.norm(rel - (rel * up).sum(axis=1, keepdims=True) * up, axis=1)
    pts1 = pts0 + up * fx.crater_height_m(rh, diameter)[:, None]
    # the bowl and rim's window of the patch, marched every half texel out to 1.5 D when baked (see
    # terrain_mesh._sun_visibility): shadows across the whole bowl
    col, row = fine._col_row(float(ie[0]), float(inn[0]))
    half = int(np.ceil(1.5 * diameter / fine.step_m))
    window = (max(int(row) - half, 0), min(int(row) + half + 1, fine.n),
              max(int(col) - half, 0), min(int(col) + half + 1, fine.n))
    h.data["crater"] = dict(et=float(td.et_s), patch=patch, inner=inner, pts=(pts0, pts1), shown=None,
                            tex=None, diameter_m=diameter, centre_m=np.asarray(td.pos_m, float),
                            march=(window, 1.5 * diameter))


def _update_crater(h: SceneHandles, et_s: float) -> None:
    """Show the crater (mesh and baked texture) from the impact on, the untouched ground before."""
    c = h.data.get("crater")
    if not c or c["tex"] is None:
        return
    after = et_s >= c["et"]
    if c["shown"] == after:
        return
    c["shown"] = after
    pd = h.data["patch_fine_pd"]
    pd.points = c["pts"][1 if after else 0]
    pd.Modified()
    h.actors["patch_fine"].SetTexture(c["tex"][1 if after else 0])


#: half-width of the finest terrain patch round the end of the flight (m)
FINE_HALF_M = 64.0
#: the middle terrain level (~10 m a pixel, 4 km round the site) is built where the outer one is at
#: least this much wider than the inner one: from 3 m to 40 m a pixel in one step, the edge of the
#: inner level showed in the down camera as a line between sharp and blurred ground
MID_PATCH_MIN_RATIO = 1.5

#: the tracking brackets show while the lander is smaller than this share of the frame height
TRACKER_BELOW = 0.022


def _overlay_segments(h: SceneHandles, rgb: tuple[float, float, float], opacity: float):
    """A hidden 2-D overlay of 8 line segments (16 points, placed in pixels each frame) in ``rgb``,
    and a hidden text label; returns (segments actor, label actor, the segments' polydata)."""
    _pv, vtk = _vtk()
    pts = vtk.vtkPoints()
    pts.SetNumberOfPoints(16)
    lines = vtk.vtkCellArray()
    for i in range(8):
        lines.InsertNextCell(2)
        lines.InsertCellPoint(2 * i)
        lines.InsertCellPoint(2 * i + 1)
    pd = vtk.vtkPolyData()
    pd.SetPoints(pts)
    pd.SetLines(lines)
    mapper = vtk.vtkPolyDataMapper2D()
    mapper.SetInputData(pd)
    a = vtk.vtkActor2D()
    a.SetMapper(mapper)
    a.GetProperty().SetColor(*rgb)
    a.GetProperty().SetOpacity(opacity)
    a.SetVisibility(False)
    h.renderer.AddActor(a)
    t = vtk.vtkTextActor()
    use_language_font(t.GetTextProperty())
    t.SetVisibility(False)
    h.renderer.AddActor(t)
    return a, t, pd


def _build_tracker(h: SceneHandles) -> None:
    """Tracking brackets and a distance label round a far-away lander (site camera)."""
    a, t, pd = _overlay_segments(h, (1.0, 0.78, 0.35), 0.75)
    tp = t.GetTextProperty()
    tp.SetFontFamilyToArial()
    tp.SetColor(1.0, 0.78, 0.35)
    tp.SetOpacity(0.9)
    tp.SetShadow(True)
    tp.SetVerticalJustificationToCentered()
    h.actors["tracker"] = a
    h.actors["tracker_label"] = t
    h.data["tracker_pd"] = pd


#: the lander's shadow is drawn while it is lower than this over the ground (m); its darkness
#: (share of the light it takes away), the decal's texture size and how much finer its outline is drawn
SHADOW_BELOW_M = 600.0
SHADOW_DARKNESS = 0.88
SHADOW_TEX = 128
SHADOW_SUPERSAMPLE = 4
SHADOW_GRID = 16


def _build_shadow(h: SceneHandles, lander_vertices: np.ndarray) -> None:
    """The lander's shadow: a decal draped on the terrain, its texture the soft silhouette."""
    pv, vtk = _vtk()
    n = SHADOW_GRID
    g = np.linspace(0.0, 1.0, n + 1)
    U, V = np.meshgrid(g, g)
    quads = []
    for i in range(n):
        for j in range(n):
            a = i * (n + 1) + j
            quads.append((a, a + 1, a + n + 2))
            quads.append((a, a + n + 2, a + n + 1))
    pd = _polydata(np.zeros(((n + 1) ** 2, 3)), np.array(quads))
    pd.active_texture_coordinates = np.stack([U.ravel(), V.ravel()], 1)
    a = _sky_actor(pd, color=(1.0, 1.0, 1.0))
    a.ForceTranslucentOn()
    a.SetVisibility(False)
    _in_front(a)
    h.renderer.AddActor(a)
    h.actors["shadow"] = a
    h.data["shadow_pd"] = pd
    h.data["shadow_uv"] = np.stack([U.ravel(), V.ravel()], 1)
    h.data["lander_vertices"] = np.asarray(lander_vertices, float)


def _in_front(actor, depth_only: bool = False) -> None:
    """Draw ``actor`` over the surface it lies on: a polygon offset towards the camera (a decal on
    the terrain), or with ``depth_only`` in front of everything (a glow that must not be cut by
    the terrain's triangles; the caller decides geometrically whether it is in sight)."""
    m = actor.GetMapper()
    m.SetResolveCoincidentTopologyToPolygonOffset()
    m.SetRelativeCoincidentTopologyPolygonOffsetParameters(-4.0, -400.0)
    if depth_only:
        actor.GetShaderProperty().AddFragmentShaderReplacement(
            "//VTK::Depth::Impl", True, "//VTK::Depth::Impl\n  gl_FragDepth = 0.0;\n", False)


def _patch_height(h: SceneHandles, pts: np.ndarray) -> np.ndarray:
    """Terrain height (m) at MOON_ME points: bilinear on the finest baked patch that holds them all
    (cheap, per frame), else the terrain's own function."""
    unit = pts / np.linalg.norm(pts, axis=1, keepdims=True)
    if h.terrain is None:
        return np.zeros(len(pts))
    e, n, _u = h.terrain.unit_to_local(unit)
    for _pname, patch, _pactor in sorted(h.data["patches"], key=lambda x: x[1].half_m):
        if (np.abs(e - patch.centre_e) < patch.half_m * 0.98).all() and (
                np.abs(n - patch.centre_n) < patch.half_m * 0.98).all():
            return patch.sample_height(e, n)
    lat, lon = unit_to_latlon(unit)
    return np.asarray(h.height_fn(lat, lon), float)


def shadow_mask(pts2d: np.ndarray, half_m: float, blur_m: float, n: int = SHADOW_TEX) -> np.ndarray:
    """Soft silhouette (0..1, ``n x n``, row 0 at +v) of points projected onto the ground (metres
    from the decal's centre): their convex hull, blurred by ``blur_m`` (the penumbra)."""
    from PIL import Image, ImageDraw
    from scipy.ndimage import gaussian_filter
    from scipy.spatial import ConvexHull

    hull = pts2d[ConvexHull(pts2d).vertices]
    # drawn SHADOW_SUPERSAMPLE times finer and averaged down: an antialiased edge, not texel steps
    k = SHADOW_SUPERSAMPLE
    px = (hull + half_m) / (2 * half_m) * n * k
    img = Image.new("L", (n * k, n * k), 0)
    ImageDraw.Draw(img).polygon([(float(x), float(n * k - y)) for x, y in px], fill=255)
    m = np.asarray(img.reduce(k), np.float32) / 255.0  # box average of each k x k block
    sigma = blur_m / (2 * half_m) * n
    return gaussian_filter(m, sigma) if sigma > 0.3 else m


def _update_shadow(h: SceneHandles, st, R: np.ndarray, rel: np.ndarray, origin: np.ndarray, sun_dir: np.ndarray,
                   show: bool) -> None:
    """Project the lander along the Sun onto the ground; soft edge from the solar disc's size."""
    pv, _vtkm = _vtk()
    a = h.actors["shadow"]
    pos = rel + origin
    up = pos / np.linalg.norm(pos)
    s_up = float(np.dot(sun_dir, up))
    alt = float(st.alt_m)
    if not show or s_up < 0.02 or not (math.isfinite(alt) and alt < SHADOW_BELOW_M):
        a.SetVisibility(False)
        return
    centre = pos - sun_dir * (max(alt, 0.0) / s_up)
    centre = centre / np.linalg.norm(centre) * (MOON_RADIUS_M + float(_patch_height(h, centre[None, :])[0]))
    e1, e2, u = enu_basis_from_up(centre)
    verts = pos[None, :] + h.data["lander_vertices"][::3] @ R.T  # every third vertex: enough for the outline
    # along the Sun onto the plane through the shadow's centre
    k = ((verts - centre) @ u) / s_up
    q = verts - k[:, None] * sun_dir[None, :] - centre
    p2 = np.stack([q @ e1, q @ e2], 1)
    # penumbra: the Sun's disc (0.53 deg) seen from the lander's parts, plus a little softening
    blur = max(0.04, float(np.median(k)) * math.tan(math.radians(0.53)) * 0.5)
    half = float(np.abs(p2).max()) + 3.0 * blur + 0.3
    mask = shadow_mask(p2, half, blur)
    peak = float(mask.max())
    if peak < 0.02:
        a.SetVisibility(False)
        return
    rgba = np.zeros((SHADOW_TEX, SHADOW_TEX, 4), np.uint8)
    rgba[..., 3] = (np.clip(mask, 0.0, 1.0) * 255 * SHADOW_DARKNESS).astype(np.uint8)
    tex = pv.Texture(rgba)
    tex.interpolate = True
    a.SetTexture(tex)
    uv = h.data["shadow_uv"]
    grid = centre[None, :] + (uv[:, 0:1] * 2 - 1) * half * e1[None, :] + (uv[:, 1:2] * 2 - 1) * half * e2[None, :]
    hgt = _patch_height(h, grid)
    c = h.data.get("crater")
    if c and c["shown"]:  # drape over the crater's bowl and rim, not over the ground it replaced
        rel = grid - c["centre_m"]
        gu = grid / np.linalg.norm(grid, axis=1, keepdims=True)
        rh = np.linalg.norm(rel - (rel * gu).sum(axis=1, keepdims=True) * gu, axis=1)
        hgt = hgt + fx.crater_height_m(rh, c["diameter_m"])
    ground = grid / np.linalg.norm(grid, axis=1, keepdims=True) * (MOON_RADIUS_M + hgt + 0.12)[:, None]
    pd = h.data["shadow_pd"]
    pd.points = ground - centre
    pd.Modified()
    _place(a, trans=centre - origin)
    a.SetVisibility(True)


def _build_reticle(h: SceneHandles) -> None:
    """The down camera's reticle (a centre cross with a gap, ticks) and its range-to-ground label."""
    a, t, pd = _overlay_segments(h, (0.55, 1.0, 0.6), 0.85)
    tp = t.GetTextProperty()
    tp.SetFontFamilyToCourier()
    tp.SetBold(True)
    tp.SetColor(0.55, 1.0, 0.6)
    tp.SetShadow(True)
    tp.SetVerticalJustificationToTop()
    tp.SetJustificationToCentered()
    h.actors["reticle"] = a
    h.actors["reticle_label"] = t
    h.data["reticle_pd"] = pd


def _update_reticle(h: SceneHandles, spec, origin: np.ndarray) -> None:
    """The reticle and the range to the ground straight below, in the ``down`` camera only."""
    a, t = h.actors["reticle"], h.actors["reticle_label"]
    show = spec.name == "down"
    a.SetVisibility(show)
    t.SetVisibility(show)
    if not show:
        return
    range_m = float(np.linalg.norm(origin) - np.linalg.norm(_ground_m(h.height_fn, origin)))
    w, hgt = h.plotter.window_size
    cx, cy = w / 2.0, hgt / 2.0
    r0, r1, tick = 0.02 * hgt, 0.07 * hgt, 0.16 * hgt
    p = h.data["reticle_pd"].GetPoints()
    segs = [((cx - r1, cy), (cx - r0, cy)), ((cx + r0, cy), (cx + r1, cy)), ((cx, cy - r1), (cx, cy - r0)),
            ((cx, cy + r0), (cx, cy + r1)), ((cx - tick, cy - tick), (cx - tick + r0, cy - tick)),
            ((cx + tick, cy - tick), (cx + tick - r0, cy - tick)),
            ((cx - tick, cy + tick), (cx - tick + r0, cy + tick)),
            ((cx + tick, cy + tick), (cx + tick - r0, cy + tick))]
    for i, (p0, p1) in enumerate(segs):
        p.SetPoint(2 * i, p0[0], p0[1], 0.0)
        p.SetPoint(2 * i + 1, p1[0], p1[1], 0.0)
    p.Modified()
    h.data["reticle_pd"].Modified()
    a.GetProperty().SetLineWidth(max(1.0, hgt / 720.0 * 1.5))
    t.SetInput(display_text(_("RANGE {km:.2f} km").format(km=range_m / 1000) if range_m >= 10e3
                            else _("RANGE {m:,.0f} m").format(m=range_m)))
    t.GetTextProperty().SetFontSize(max(9, int(round(0.026 * hgt))))
    t.SetPosition(cx, cy - r1 - 0.012 * hgt)


def _update_tracker(h: SceneHandles, spec, st, px: float, dist_m: float, et_s: float) -> None:
    a, t = h.actors["tracker"], h.actors["tracker_label"]
    td = h.traj.event("touchdown")
    fx_ = h.data.get("fx") or {}
    crash_dust = bool(fx_.get("crashed")) and td is not None and et_s >= td.et_s
    w, hgt = h.plotter.window_size
    show = spec.name == "site" and not spec.hide_lander and px < TRACKER_BELOW * hgt and not crash_dust
    xy = project_to_pixels(h, st.pos_m + st.up * 1.2) if show else None
    w, hgt = h.plotter.window_size
    if xy is None or not (0 <= xy[0] < w and 0 <= xy[1] < hgt):
        a.SetVisibility(False)
        t.SetVisibility(False)
        return
    x, y = xy[0], hgt - xy[1]  # display coordinates: y up
    r = max(7.0, 0.022 * hgt)
    k = 0.45 * r  # bracket arm length
    p = h.data["tracker_pd"].GetPoints()
    i = 0
    for sx in (-1, 1):
        for sy in (-1, 1):
            cx, cy = x + sx * r, y + sy * r
            p.SetPoint(i, cx, cy, 0.0)
            p.SetPoint(i + 1, cx - sx * k, cy, 0.0)
            p.SetPoint(i + 2, cx, cy, 0.0)
            p.SetPoint(i + 3, cx, cy - sy * k, 0.0)
            i += 4
    p.Modified()
    h.data["tracker_pd"].Modified()
    a.GetProperty().SetLineWidth(max(1.0, hgt / 720.0 * 1.5))
    a.SetVisibility(True)
    label = f"{dist_m / 1000:.1f} km" if dist_m >= 1000 else f"{dist_m:.0f} m"
    t.SetInput(label)
    t.GetTextProperty().SetFontSize(max(9, int(round(0.022 * hgt))))
    t.SetPosition(x + r + 0.4 * r, y)
    t.SetVisibility(True)


def _rgb_points_actor(points: np.ndarray, rgb: np.ndarray):
    """Unlit point actor whose per-point ``rgb`` (uint8 RGB or RGBA) is drawn as given."""
    pv, vtk = _vtk()
    pd = pv.PolyData(points)
    pd.point_data["rgb"] = rgb
    mapper = vtk.vtkPolyDataMapper()
    mapper.SetInputData(pd)
    mapper.SetColorModeToDirectScalars()
    mapper.SetScalarModeToUsePointData()
    mapper.ScalarVisibilityOn()
    a = vtk.vtkActor()
    a.SetMapper(mapper)
    a.GetProperty().SetRepresentationToPoints()
    a.GetProperty().LightingOff()
    return a, pd


def _points_actor(n: int, rgb: np.ndarray, radius_m: float):
    """Hidden effect whose ``n`` points move every frame: soft round camera-facing sprites
    (Gaussian splats) ``radius_m`` across in the world, so they shrink with distance."""
    pv, vtk = _vtk()
    pd = pv.PolyData(np.zeros((n, 3)))
    pd.point_data["rgb"] = rgb
    mapper = vtk.vtkPointGaussianMapper()
    mapper.SetInputData(pd)
    mapper.SetColorModeToDirectScalars()
    mapper.SetScalarModeToUsePointData()
    mapper.ScalarVisibilityOn()
    mapper.SetScaleFactor(float(radius_m))
    mapper.EmissiveOff()
    mapper.SetSplatShaderCode(SOFT_SPLAT)
    # the splat's triangle just encloses its disc: VTK's default (3 radii, for a Gaussian's tails)
    # made llvmpipe shade 9x the pixels, all but a ninth discarded -- 120 ms a frame in an ejecta cloud
    mapper.SetBoundScale(1.0)
    a = vtk.vtkActor()
    a.SetMapper(mapper)
    a.GetProperty().LightingOff()
    a.ForceTranslucentOn()
    a.SetVisibility(False)
    return a, pd


#: a splat that fades smoothly to nothing at its rim (a soft round grain, no square corners)
SOFT_SPLAT = (
    "//VTK::Color::Impl\n"
    "float dist2 = dot(offsetVCVSOutput.xy, offsetVCVSOutput.xy);\n"
    "if (dist2 > 1.0) { discard; }\n"
    "float soft = exp(-4.0 * dist2) * (1.0 - dist2);\n"
    "opacity = opacity * soft;\n"
)


def _build_effects(h: SceneHandles) -> None:
    """Actors of :mod:`lunarviz.render.effects` (hidden until their moment)."""
    pv, _vtkm = _vtk()
    td = h.traj.event("touchdown")
    h.data["fx"] = None
    if td is None:
        return
    speed = float(np.linalg.norm(np.asarray(td.vel_mps, float)))
    pos = np.asarray(td.pos_m, float)
    basis = enu_basis_from_up(pos).T  # columns east, north, up
    crashed = touchdown_outcome(h.traj) is Outcome.CRASHED
    travel = np.asarray(td.vel_mps, float)
    up = basis[:, 2]
    th = travel - up * np.dot(travel, up)
    if np.linalg.norm(th) < 1e-3:
        th = basis[:, 1]
    tilt_axis = np.cross(up, th / np.linalg.norm(th))
    d = dict(et=float(td.et_s), pos=pos, basis=basis, crashed=crashed, tilt_axis=tilt_axis)
    if crashed:
        ej = fx.Ejecta(speed, basis.T @ travel)
        a, pd = _points_actor(len(ej.rgb), ej.rgb, fx.EJECTA_GRAIN_M)
        h.plotter.renderer.AddActor(a)
        h.actors["ejecta"] = a
        # grains in the shade of the terrain (a crash in a crater's shadow) are lit by earthshine only
        sunlit = in_sight(h, pos + basis[:, 2] * 2.0, pos + _sun_dir(float(td.et_s)) * 30e3)
        d.update(ejecta=ej, ejecta_pd=pd, ejecta_rise=_ground_rise(h, pos, basis, ej.positions(1e6)),
                 ejecta_light=1.0 if sunlit else 0.2)
        # a soft glow on a camera-facing quad (radial alpha), not a hard-edged ball
        n = 128
        yy, xx = np.mgrid[-1:1:n * 1j, -1:1:n * 1j]
        r = np.hypot(xx, yy)
        alpha = np.clip(np.exp(-r * 2.6) * 1.6 + np.exp(-r * 10.0), 0.0, 1.0) * np.clip((1.0 - r) * 4.0, 0.0, 1.0)
        img = np.zeros((n, n, 4), np.uint8)
        img[..., 0], img[..., 1], img[..., 2] = 255, 244, 220
        img[..., 3] = (alpha * 255).astype(np.uint8)
        quad = pv.Plane(center=(0, 0, 0), direction=(0, 0, 1), i_size=2, j_size=2)
        a = _sky_actor(quad, texture=pv.Texture(img))
        a.ForceTranslucentOn()
        a.SetVisibility(False)
        _in_front(a, depth_only=True)
        h.plotter.renderer.AddActor(a)
        h.actors["impact_flash"] = a
    else:
        ds = fx.DustSheet()
        a, pd = _points_actor(len(ds.rgb), ds.rgba(0.0, 1.0), fx.DUST_GRAIN_M)
        h.plotter.renderer.AddActor(a)
        h.actors["dust"] = a
        d.update(dust=ds, dust_pd=pd)
        rest = getattr(h.traj.scenario, "rest", None)
        if rest is not None:
            d["rest"] = (rest, _fall_direction(rest, basis, th))
    h.data["fx"] = d


def _fall_direction(rest, basis: np.ndarray, travel_h: np.ndarray) -> np.ndarray:
    """Unit horizontal vector (MOON_ME) the lander's top falls towards (``[story.rest]``)."""
    if rest.azimuth_deg is None:
        return travel_h / np.linalg.norm(travel_h)
    az = math.radians(rest.azimuth_deg)
    return math.sin(az) * basis[:, 0] + math.cos(az) * basis[:, 1]


def _tipped(h: SceneHandles, d: dict, dt: float, R: np.ndarray, rel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The lander ``dt`` s after its touchdown tipped over its foot on the fall side (``[story.rest]``):
    the rotation and offset to draw it with (eased: it topples slowly, then lands on its side)."""
    rest, fall = d["rest"]
    x = min(1.0, max(0.0, (dt - rest.after_s) / rest.duration_s))
    if x <= 0.0:
        return R, rel
    up = d["basis"][:, 2]
    verts = h.data["lander_vertices"] @ R.T
    # the pivot: the lander's outermost point on the fall side, on the ground under it
    pivot = fall * float((verts @ fall).max()) + up * float((verts @ up).min())
    Q = fx.axis_rotation(np.cross(up, fall), math.radians(rest.tilt_deg) * x * x)
    return Q @ R, rel + pivot - Q @ pivot


def in_sight(h: SceneHandles, eye_m: np.ndarray, point_m: np.ndarray, n: int = 40) -> bool:
    """True when the straight line from ``eye_m`` to ``point_m`` (MOON_ME) clears the terrain."""
    t = np.linspace(0.0, 1.0, n)[1:-1, None]
    pts = np.asarray(eye_m, float)[None, :] + t * (np.asarray(point_m, float) - eye_m)[None, :]
    r = np.linalg.norm(pts, axis=1)
    ground = np.full(len(pts), MOON_RADIUS_M)
    if h.height_fn is not None:
        lat, lon = unit_to_latlon(pts / r[:, None])
        ground = ground + np.asarray(h.height_fn(lat, lon), float)
    return bool(np.all(r > ground - 0.3))


#: a grain sprite is never drawn smaller than this many pixels across: each stands for a clump of
#: dust, and a curtain seen from a kilometre away reads as a haze instead of vanishing
GRAIN_MIN_PX = 3.0


def _grain_radius(h: SceneHandles, radius_m: float, dist_m: float) -> float:
    """World size of the effect's sprites at ``dist_m`` from the camera (see :data:`GRAIN_MIN_PX`)."""
    vc = h.renderer.GetActiveCamera()
    px = 2.0 * math.tan(math.radians(vc.GetViewAngle()) / 2) / max(1, h.plotter.window_size[1])
    return max(radius_m, 0.5 * GRAIN_MIN_PX * px * dist_m)


#: grains fade out within this distance (m, beyond 1 m) of the camera
GRAIN_CLEAR_M = 6.0


def _ground_rise(h: SceneHandles, pos: np.ndarray, basis: np.ndarray, enu: np.ndarray) -> np.ndarray:
    """Height (m) of the terrain at local ``enu`` points round ``pos`` above the terrain at ``pos``."""
    if h.height_fn is None:
        return np.zeros(len(enu))
    pts = pos[None, :] + enu[:, :2] @ basis[:, :2].T
    hh = _patch_height(h, np.vstack([pos[None, :], pts]))
    return hh[1:] - hh[0]


def _update_effects(h: SceneHandles, et_s: float, st, origin: np.ndarray, R: np.ndarray,
                    rel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Move the touchdown effects to ``et_s``; returns the lander's (rotation, offset) to draw."""

    d = h.data.get("fx")
    if not d:
        return R, rel
    dt = et_s - d["et"]
    place = d["pos"] - origin
    if d["crashed"]:
        if dt >= 0.0:
            up = d["basis"][:, 2]
            R = fx.wreck_rotation(dt, d["tilt_axis"]) @ R
            c = h.data.get("crater")
            # in its crater, at the bottom, once there is one; else half buried in the ground
            sink = fx.CRATER_DEPTH_RATIO * c["diameter_m"] * 0.8 if c else fx.WRECK_SINK_M
            rel = d["pos"] - origin - up * sink * min(1.0, dt / 0.5)
        r_f, op_f = fx.flash(dt)
        a = h.actors["impact_flash"]
        # drawn over the ground (never cut by its triangles) where the impact point is in sight
        op_f = op_f if op_f > 0.0 and in_sight(h, origin, d["pos"] + d["basis"][:, 2] * 1.0) else 0.0
        a.SetVisibility(op_f > 0.0)
        if op_f > 0.0:
            a.GetProperty().SetOpacity(op_f)
            up = d["basis"][:, 2]
            centre = place + up * 0.3 * r_f
            dist = float(np.linalg.norm(centre))
            r_f = min(r_f, 0.45 * dist)  # never engulf the camera
            z = -centre / max(dist, 1e-6)
            x = np.cross(up, z)
            x = x / np.linalg.norm(x) if np.linalg.norm(x) > 1e-6 else d["basis"][:, 0]
            _place(a, np.stack([x, np.cross(z, x), z], axis=1), centre, r_f)
        op_e = fx.ejecta_fade(dt)
        a = h.actors["ejecta"]
        a.SetVisibility(op_e > 0.0)
        if op_e > 0.0:
            ej = d["ejecta"]
            p = ej.positions(dt)
            # follow the terrain: the flat-ground parabola lifted by the ground's rise under each grain
            rise = d["ejecta_rise"] * np.clip(dt / np.maximum(ej.t_land, 1e-3), 0.0, 1.0)
            p[:, 2] = np.maximum(p[:, 2] + rise, d["ejecta_rise"] + fx.EJECTA_GRAIN_M)
            d["ejecta_pd"].points = p
            rgba = np.empty((len(p), 4), np.uint8)
            rgba[:, :3] = (ej.rgb * d["ejecta_light"]).astype(np.uint8)
            # no grain right against the lens (a camera inside the curtain sees through it)
            d_cam = np.linalg.norm(place[None, :] + p @ d["basis"].T, axis=1)
            near = np.clip((d_cam - 1.0) / GRAIN_CLEAR_M, 0.0, 1.0)
            rgba[:, 3] = (255 * ej.alpha(dt) * near).astype(np.uint8)
            d["ejecta_pd"].point_data["rgb"] = rgba
            a.GetProperty().SetOpacity(op_e)
            a.GetMapper().SetScaleFactor(_grain_radius(h, fx.EJECTA_GRAIN_M, float(np.linalg.norm(place))))
            _place(a, d["basis"], place)
    else:
        if "rest" in d and dt > 0.0:
            R, rel = _tipped(h, d, dt, R, rel)
        k = fx.dust_strength(st.alt_m, st.throttle) if dt < 0.0 else 0.0
        a = h.actors["dust"]
        a.SetVisibility(k > 0.0)
        if k > 0.0:
            ground = _ground_m(h.height_fn, st.pos_m)
            basis = enu_basis_from_up(ground).T
            p = d["dust"].positions(et_s)
            # on the terrain, not on its tangent plane: lifted by the ground's rise under each grain
            p[:, 2] += np.maximum(_ground_rise(h, ground, basis, p), -p[:, 2]) + fx.DUST_GRAIN_M
            d["dust_pd"].points = p
            d["dust_pd"].point_data["rgb"] = d["dust"].rgba(et_s, min(1.0, 1.6 * k))
            _place(a, basis, ground - origin)
            a.GetMapper().SetScaleFactor(_grain_radius(h, fx.DUST_GRAIN_M, float(np.linalg.norm(ground - origin))))
    return R, rel


def _build_sky(h: SceneHandles, q: dict) -> None:
    pv, vtk = _vtk()
    sky = h.sky
    # stars: directions on the sky sphere in J2000; the actor rotates them to MOON_ME per frame
    st = resources.stars(q["star_vmag"])
    rgb = resources.bv_to_rgb(st.bv)
    # brightness from magnitude (relative flux, compressed for display)
    flux = 10 ** (-0.4 * (st.vmag - 1.0))
    bright = np.clip(flux ** 0.42, 0.12, 1.0)
    bins = [(-5, 1.0, 3.2), (1.0, 2.5, 2.4), (2.5, 4.0, 1.7), (4.0, 99, 1.0)]
    h.data["star_actors"] = []
    for lo, hi, size in bins:
        sel = (st.vmag >= lo) & (st.vmag < hi)
        if not sel.any():
            continue
        cols = np.clip(rgb[sel] * bright[sel, None] * 255, 0, 255).astype(np.uint8)
        actor, _pd = _rgb_points_actor(st.dir_j2000[sel] * SKY_RADIUS * 0.95, cols)
        actor.GetProperty().SetPointSize(size)
        actor.GetProperty().SetRenderPointsAsSpheres(True)  # round stars, not square dots
        sky.AddActor(actor)
        h.data["star_actors"].append((actor, size))

    # the Sun: a small disc at true size and a soft glow (a radial-alpha textured quad)
    sun = pv.Sphere(radius=1.0, theta_resolution=24, phi_resolution=12)
    sun_actor = _sky_actor(sun, color=(1.0, 0.98, 0.92))
    sky.AddActor(sun_actor)
    h.actors["sun"] = sun_actor
    n = 128
    yy, xx = np.mgrid[-1:1:n * 1j, -1:1:n * 1j]
    r = np.hypot(xx, yy)
    alpha = np.clip(np.exp(-r * 5.5) * 1.1 + np.exp(-r * 14) * 0.9, 0, 1) * (r < 1)
    img = np.zeros((n, n, 4), np.uint8)
    img[..., 0], img[..., 1], img[..., 2] = 255, 246, 225
    img[..., 3] = (alpha * 255).astype(np.uint8)
    glow = pv.Plane(center=(0, 0, 0), direction=(0, 0, 1), i_size=2, j_size=2)
    glow.active_texture_coordinates = glow.active_texture_coordinates  # keep tcoords
    glow_actor = _sky_actor(glow, texture=pv.Texture(img))
    glow_actor.GetProperty().SetOpacity(0.999)
    sky.AddActor(glow_actor)
    h.actors["sun_glow"] = glow_actor

    # the Earth: a unit sphere in IAU_EARTH coordinates, texture blended per frame
    w = q["earth_tex"]
    th = np.linspace(0, np.pi, 49)  # colatitude
    ph = np.linspace(-np.pi, np.pi, 97)  # longitude
    T, P = np.meshgrid(th, ph, indexing="ij")
    pts = np.stack([np.sin(T) * np.cos(P), np.sin(T) * np.sin(P), np.cos(T)], axis=-1).reshape(-1, 3)
    nt, nph = len(th), len(ph)
    fa = []
    for i in range(nt - 1):
        for j in range(nph - 1):
            a0 = i * nph + j
            fa.append((a0, a0 + nph, a0 + nph + 1))
            fa.append((a0, a0 + nph + 1, a0 + 1))
    earth = _polydata(pts, np.array(fa))
    earth.active_texture_coordinates = np.stack([(P.ravel() + np.pi) / (2 * np.pi), 1.0 - T.ravel() / np.pi], 1)
    h.data["earth_day"] = resources.texture("earth_day", w).astype(np.float32) / 255.0
    night = resources.texture("earth_night", w).astype(np.float32) / 255.0
    # the night map is a dim blue Earth with orange city lights: keep only the lights (red >> blue)
    mask = np.clip((night[..., 0] - night[..., 2] - 0.02) / 0.12, 0.0, 1.0)
    h.data["earth_lights"] = (mask[..., None] * np.array([1.0, 0.78, 0.45], np.float32)).astype(np.float32)
    lat = np.radians(np.linspace(90, -90, w // 2, endpoint=False) - 90.0 / (w // 2))
    lon = np.radians(np.linspace(-180, 180, w, endpoint=False) + 180.0 / w)
    LA, LO = np.meshgrid(lat, lon, indexing="ij")
    h.data["earth_normals"] = np.stack([np.cos(LA) * np.cos(LO), np.cos(LA) * np.sin(LO), np.sin(LA)], -1).astype(
        np.float32)
    tex = pv.Texture(np.zeros((w // 2, w, 3), np.uint8))
    tex.interpolate = True
    earth_actor = _sky_actor(earth, texture=tex)
    sky.AddActor(earth_actor)
    sky.AddActor(_earth_limb_actor(h))
    h.actors["earth"] = earth_actor
    h.data["earth_tex"] = tex
    h.data["earth_key"] = None
    h.sky.GetActiveCamera().SetClippingRange(1.0, SKY_RADIUS * 2)


#: the Earth's atmospheric limb: its quad's half-size in Earth radii, the glow's colour, its scale
#: height as a share of the Earth's radius (drawn thicker than the true ~0.3 % to read at ~100 px)
EARTH_LIMB_EXTENT = 1.12
EARTH_LIMB_RGB = (0.52, 0.72, 1.0)
EARTH_LIMB_WIDTH = 0.03


def _earth_limb_actor(h: SceneHandles):
    """A camera-facing ring round the Earth's disc: a thin blue glow, strongest on the sunlit side
    (+x of the quad), faint on the night side (forward scattering shows a whole ring at crescent)."""
    pv, _vtkm = _vtk()
    n = 256
    yy, xx = np.mgrid[-1:1:n * 1j, -1:1:n * 1j] * EARTH_LIMB_EXTENT
    r = np.hypot(xx, yy)
    cos_sun = np.where(r > 0, xx / np.maximum(r, 1e-9), 0.0)
    ring = np.exp(-np.clip(r - 1.0, 0.0, None) / EARTH_LIMB_WIDTH) * np.clip((r - 0.985) / 0.015, 0.0, 1.0)
    alpha = ring * (0.25 + 0.75 * np.clip(cos_sun, 0.0, 1.0) ** 0.7)
    img = np.zeros((n, n, 4), np.uint8)
    img[..., :3] = (np.asarray(EARTH_LIMB_RGB) * 255).astype(np.uint8)
    img[..., 3] = (np.clip(alpha, 0.0, 1.0) * 230).astype(np.uint8)
    quad = pv.Plane(center=(0, 0, 0), direction=(0, 0, 1), i_size=2, j_size=2)
    tex = pv.Texture(img)
    tex.interpolate = True
    a = _sky_actor(quad, texture=tex)
    a.ForceTranslucentOn()
    h.actors["earth_limb"] = a
    return a


def _sky_actor(poly, color=(1, 1, 1), texture=None):
    _pv, vtk = _vtk()
    mapper = vtk.vtkPolyDataMapper()
    mapper.SetInputData(poly)
    mapper.ScalarVisibilityOff()
    actor = vtk.vtkActor()
    actor.SetMapper(mapper)
    prop = actor.GetProperty()
    prop.LightingOff()
    prop.SetColor(*color)
    if texture is not None:
        actor.SetTexture(texture)
    return actor


# ------------------------------------------------------------------ update
def camera_context(h: SceneHandles, et_s: float) -> cam.CameraContext:
    """The inputs camera presets see at ``et_s`` (also useful to the viewer)."""
    st = h.traj.at(et_s)
    earth = ephemeris.position_m("EARTH", et_s, frame="MOON_ME")
    w, hgt = h.plotter.window_size
    return cam.CameraContext(traj=h.traj, et_s=float(et_s), state=st, earth_pos_m=earth, sun_dir=_sun_dir(et_s),
                             target_m=h.target_m, height_fn=h.height_fn, aspect=w / max(hgt, 1))


def resolve_camera(h: SceneHandles, et_s: float, camera: str | cam.CameraSpec | None,
                   ctx: cam.CameraContext | None = None) -> cam.CameraSpec:
    """A :class:`CameraSpec` from a preset name, ``"scenario"`` (keyframes) or a spec."""
    if isinstance(camera, cam.CameraSpec):
        return camera
    ctx = ctx or camera_context(h, et_s)
    if camera in (None, "scenario", "auto"):
        if h.camera_path is not None:
            return h.camera_path.spec(ctx)
        camera = "chase"
    if isinstance(camera, cam.CameraPath):
        return camera.spec(ctx)
    return cam.preset(str(camera), ctx)


def update(handles: SceneHandles, et_s: float, camera: str | cam.CameraSpec | None = "chase") -> cam.CameraSpec:
    """Move the scene to ``et_s`` (ET seconds) seen by ``camera``; returns the camera used.

    ``camera`` is a preset name (``chase``, ``orbit``, ``site``, ``earthrise``,
    ``down``), ``"scenario"`` for the scenario's keyframed path (chase if it
    has none), or a :class:`~lunarviz.render.camera.CameraSpec`. Does not
    render: call ``plotter.render()`` (or let the Qt widget do it).
    """
    h = handles
    et_s = float(et_s)
    ctx = camera_context(h, et_s)
    spec = resolve_camera(h, et_s, camera, ctx)
    h.camera = spec
    h.et_s = et_s
    st = ctx.state
    origin = np.asarray(spec.position_m, float)
    h.origin_m = origin
    sun_dir = ctx.sun_dir

    # camera at the origin (and tell pyvista not to reset it on the first render)
    vc = h.renderer.GetActiveCamera()
    h.renderer.camera_set = True
    vc.SetPosition(0.0, 0.0, 0.0)
    fp = spec.focal_m - origin
    if np.linalg.norm(fp) < 1e-6:
        fp = np.array([0.0, 0.0, -1.0])
    vc.SetFocalPoint(*fp)
    up = np.asarray(spec.up, float)
    vc.SetViewUp(*up)
    vc.SetViewAngle(float(spec.view_angle_deg))
    vc.OrthogonalizeViewUp()

    # Sun light (directional: from "position" towards the focal point)
    light = h.data["light"]
    light.SetPosition(*(sun_dir * 1000.0))
    light.SetFocalPoint(0.0, 0.0, 0.0)
    _expose(h, et_s, origin, sun_dir)

    # Moon: LOD switch, placement, shadows
    dist_c = float(np.linalg.norm(origin))
    # the graded globe is fine near the site only; elsewhere the uniform globe keeps the limb round
    ground_dist = MOON_RADIUS_M * math.acos(float(np.clip(np.dot(origin / max(dist_c, 1.0),
                                                                   h.site_m / MOON_RADIUS_M), -1, 1)))
    use_far = dist_c > FAR_GLOBE_BEYOND_M or ground_dist > NEAR_GLOBE_WITHIN_M
    h.actors["moon_near"].SetVisibility(not use_far)
    for name, _patch, _pactor in h.data["patches"]:
        h.actors[name].SetVisibility(not use_far)
        _place(h.actors[name], trans=h.site_m - origin)
    h.actors["moon_far"].SetVisibility(use_far)
    _place(h.actors["moon_near"], trans=h.site_m - origin)
    _place(h.actors["moon_far"], trans=-origin)
    if not use_far:
        _update_shadows(h, et_s)
    else:
        _collect_bake_job(h)  # one started before the camera left: applied now
    _update_crater(h, et_s)
    _update_tiles(h, st, spec, origin, "moon_far" if use_far else "moon_near")

    # lander, plume, dot
    R = quat_to_matrix(st.quat_wxyz)
    rel = st.pos_m - origin
    R, rel = _update_effects(h, et_s, st, origin, R, rel)
    dist_l = float(np.linalg.norm(rel))
    win_h = max(1, h.plotter.window_size[1])
    px = h.data["lander_height_m"] / max(dist_l, 1e-3) / math.tan(math.radians(spec.view_angle_deg) / 2) * win_h / 2
    show_lander = (not spec.hide_lander) and px >= 0.5
    h.actors["lander"].SetVisibility(show_lander)
    _place(h.actors["lander"], R, rel)
    thr = float(np.clip(st.throttle, 0.0, 1.0))
    plume_on = show_lander and thr > 0.02
    nz = np.asarray(h.data["nozzle_m"], float)
    for name, length in (("plume_core", 1.6), ("plume_glow", 5.5)):
        a = h.actors[name]
        a.SetVisibility(plume_on)
        if plume_on:
            L = length * (0.3 + 0.7 * thr)
            S = np.diag([0.7 + 0.3 * thr, 0.7 + 0.3 * thr, L])
            _place(a, R @ S, rel + R @ nz)
    _update_shadow(h, st, R, rel, origin, sun_dir, show=px >= 0.5 or spec.hide_lander)
    h.actors["lander_dot"].SetVisibility((not spec.hide_lander) and px < 3.0)
    _place(h.actors["lander_dot"], trans=rel)

    # trail (hidden when the camera rides on the lander: it would pass through the lens)
    _update_trail(h, st, origin, window_s=None if spec.name == "orbit" else TRAIL_WINDOW_S,
                  visible=not spec.hide_lander)

    # target marker: ring of a size readable from the current distance
    tg = h.data["target_ground_m"]
    d_t = float(np.linalg.norm(tg - origin))
    r_ring = float(np.clip(0.02 * d_t, 6.0, 60e3))
    upt = tg / np.linalg.norm(tg)
    _place(h.actors["target_ring"], enu_basis_from_up(upt).T, tg + upt * max(0.3, 0.002 * d_t) - origin, r_ring)

    # sky
    _update_sky(h, et_s, origin, sun_dir, ctx.earth_pos_m)

    _update_tracker(h, spec, st, px, dist_l, et_s)  # brackets round a far lander (site)
    _update_reticle(h, spec, origin)

    # HUD
    if h.hud is not None:
        h.hud.update(st, et_s)
        _back_hud_over_sun(h, origin)
    _before_render(h)
    return spec


def _back_hud_over_sun(h: SceneHandles, origin: np.ndarray) -> None:
    """Dark backing behind HUD text that the Sun's disc and inner glare would shine through."""
    sun = ephemeris.position_m("SUN", h.et_s, frame="MOON_ME") - origin
    u = sun / np.linalg.norm(sun)
    xy = project_to_pixels(h, origin + u * 1e6)
    vc = h.renderer.GetActiveCamera()
    hgt = h.plotter.window_size[1]
    r_px = 6.0 * math.radians(0.266) / math.tan(math.radians(vc.GetViewAngle()) / 2) * hgt / 2
    h.hud.back_over(xy, max(r_px, 8.0))


#: trail colour, and the opacity of the past trail at "now" and of the future trail
TRAIL_RGB = (0.35, 0.85, 1.0)
TRAIL_ALPHA_PAST = 0.9
TRAIL_ALPHA_FUTURE = 0.3
TRAIL_GROUND_M = 15.0


def trail_alpha(age_s: np.ndarray, dist_lander_m: np.ndarray, dist_cam_m: np.ndarray, *, window_s: float,
                gap_m: float, cam_clear_m: float) -> np.ndarray:
    """Opacity of trail points: fading with age (|age| over ``window_s``), nothing within ``gap_m`` of
    the lander (rising over the next ``gap_m``), nothing within ``cam_clear_m`` of the camera (rising
    over the next 2 x ``cam_clear_m``), so it never runs through the lander or across the lens."""
    def ramp(x):
        x = np.clip(x, 0.0, 1.0)
        return x * x * (3.0 - 2.0 * x)

    a = (1.0 - np.clip(np.abs(age_s) / window_s, 0.0, 1.0)) ** 1.5
    a = a * ramp((dist_lander_m - gap_m) / gap_m)
    return a * ramp((dist_cam_m - cam_clear_m) / (2.0 * cam_clear_m))


def _update_trail(h: SceneHandles, st, origin: np.ndarray, window_s: float | None = None,
                  visible: bool = True) -> None:
    pv, _vtkm = _vtk()
    et = h.data["trail_et"]
    rel = h.data["trail_rel"]
    k = int(np.searchsorted(et, st.et_s, side="right"))
    lo, hi = 0, len(et)
    if window_s is not None:
        lo = int(np.searchsorted(et, st.et_s - window_s, side="left"))
        hi = int(np.searchsorted(et, st.et_s + window_s, side="right"))
    fade_s = window_s if window_s is not None else max(st.et_s - et[0], et[-1] - st.et_s, 1.0) * 1.2
    now = (st.pos_m - h.site_m)[None, :]
    cam_rel = origin - h.site_m
    d_cam_lander = float(np.linalg.norm(now[0] - cam_rel))
    gap = 2.0 * float(h.data["lander_height_m"])
    # keep the lens clear by a share of the distance to the subject (chase: ~8 m of 22 m)
    cam_clear = max(0.35 * d_cam_lander, 1.0)
    for name, pts, t, a0 in (("trail_past", np.vstack([rel[lo:k], now]), np.r_[et[lo:k], st.et_s], TRAIL_ALPHA_PAST),
                             ("trail_future", np.vstack([now, rel[k:hi]]), np.r_[st.et_s, et[k:hi]],
                              TRAIL_ALPHA_FUTURE)):
        a = h.actors[name]
        alpha = a0 * trail_alpha(t - st.et_s, np.linalg.norm(pts - now, axis=1),
                                 np.linalg.norm(pts - cam_rel, axis=1), window_s=fade_s, gap_m=gap,
                                 cam_clear_m=cam_clear)
        # and none of it into the ground: it fades out over the last TRAIL_GROUND_M above the surface
        alt = np.interp(t, h.traj.et_s, h.traj.alt_m)
        alpha = alpha * np.clip(alt / TRAIL_GROUND_M, 0.0, 1.0)
        if len(pts) < 2 or not visible or alpha.max() < 0.01:
            a.SetVisibility(False)
            continue
        a.SetVisibility(True)
        line = pv.lines_from_points(pts)
        rgba = np.empty((len(pts), 4), np.uint8)
        rgba[:, :3] = (np.asarray(TRAIL_RGB) * 255).astype(np.uint8)
        rgba[:, 3] = (alpha * 255).astype(np.uint8)
        line.point_data["rgba"] = rgba
        line.point_data.active_scalars_name = "rgba"
        a.GetMapper().SetInputData(line)
        _place(a, trans=h.site_m - origin)
    width = max(1.5, 2.0 * h.plotter.window_size[1] / 720)
    for name in ("trail_past", "trail_future"):
        h.actors[name].GetProperty().SetLineWidth(width)


def _bake_all(h: SceneHandles, sun: np.ndarray, earth: tuple[np.ndarray, float]) -> list:
    """Pure NumPy (safe in a worker thread): the Sun and Earth are looked up by the caller.

    Baked at the site's exposure (:func:`site_exposure`); a frame that needs less dims the patches.
    The outer patch is baked first: the inner one blends into it at its edge. The images are kept
    in the render cache (:func:`_bake_key`): a second process -- a farm's other worker, the next
    still of the scene -- reads them instead of marching the shadows again."""
    g = h.data["exposure_site"]
    light = dict(intensity=SUN_INTENSITY * g, ambient=AMBIENT * g, light_rgb=SUN_RGB, earth_dir=earth[0],
                 earth_intensity=earth[1] * g, earth_rgb=EARTHSHINE_RGB)
    path = resources.cache_dir() / f"bake-{_bake_key(h, sun, light)}.npz"
    return list(resources.cached_arrays(path, lambda: dict(_bake_images(h, sun, light)),
                                        keep=BAKE_CACHE_FILES).items())


#: lighting bakes kept in the render cache (each ~4 MB at high quality; the newest are kept)
BAKE_CACHE_FILES = 48


def _bake_images(h: SceneHandles, sun: np.ndarray, light: dict) -> list:
    out, done, outers = [], {}, {}
    for name, patch, parent in sorted(h.data["patches"], key=lambda x: -x[1].half_m):
        # shadows are marched over the patch and the next coarser one beyond it
        under = None if parent is None else resample(parent, done[id(parent)], patch)
        img = bake_patch(patch, sun, outer=parent, parent=under, near=_fine_march(name, patch), **light)
        done[id(patch)] = img
        outers[name] = (parent, under)
        out.append((name, img))
    c = h.data.get("crater")
    if c:
        parent, under = outers["patch_fine"]
        near = _fine_march("patch_fine", c["patch"]) + [c["march"]]
        out.append((CRATER_TEX, bake_patch(c["patch"], sun, outer=parent, parent=under, near=near, **light)))
    return out


#: the fine patch's shadows are marched every half texel out to this distance (m): the rim shadows
#: of craters up to ~20 m across, seen from metres away after touchdown, are smooth curves, not the
#: texel-block teeth of the geometric march (+0.5-0.8 s a bake here; bakes are cached)
FINE_MARCH_M = 20.0


def _fine_march(name: str, patch) -> list:
    return [((0, patch.n, 0, patch.n), FINE_MARCH_M)] if name == "patch_fine" else []


def _bake_key(h: SceneHandles, sun: np.ndarray, light: dict) -> str:
    """Everything that decides the baked images: the bake's code, the light, and every patch's
    grids and placement (each patch hashed once per scene)."""
    import hashlib

    d = hashlib.blake2b(_bake_code(), digest_size=16)
    d.update(np.asarray(sun, np.float64).tobytes())
    d.update(repr(sorted((k, np.asarray(v, np.float64).tolist()) for k, v in light.items())).encode())
    for name, patch, parent in h.data["patches"]:
        d.update(name.encode() + _patch_digest(h, patch) + (b"" if parent is None else _patch_digest(h, parent)))
    c = h.data.get("crater")
    if c:
        d.update(_patch_digest(h, c["patch"]) + repr(c["march"]).encode())
    return d.hexdigest()


def _patch_digest(h: SceneHandles, patch) -> bytes:
    """A patch's grids and placement, hashed once per scene (the patches do not change)."""
    import hashlib

    digests = h.data.setdefault("patch_digests", {})
    if id(patch) not in digests:
        p = hashlib.blake2b(repr((patch.half_m, patch.n, patch.centre_e, patch.centre_n)).encode(), digest_size=16)
        for a in (patch.basis, patch.height_m, patch.colour, patch.base_colour):
            p.update(b"-" if a is None else np.ascontiguousarray(a).tobytes())
        digests[id(patch)] = p.digest()
    return digests[id(patch)]


@functools.lru_cache(maxsize=1)
def _bake_code() -> bytes:
    """The source of the bake (this module and :mod:`.terrain_mesh`): a change re-bakes."""
    from pathlib import Path

    here = Path(__file__).resolve().parent
    return b"".join((here / f).read_bytes() for f in ("scene.py", "terrain_mesh.py"))


def earthshine(et_s: float, at_m: np.ndarray) -> tuple[np.ndarray, float]:
    """Direction (MOON_ME unit) from ``at_m`` to the Earth and the earthshine intensity there
    (:data:`EARTHSHINE_FULL` x the Earth's illuminated fraction seen from the Moon)."""
    e = ephemeris.position_m("EARTH", et_s, frame="MOON_ME")
    s = ephemeris.position_m("SUN", et_s, frame="MOON_ME")
    to_e = e - at_m
    u = to_e / np.linalg.norm(to_e)
    es, em = s - e, at_m - e
    cos_phase = float(np.dot(es, em) / np.linalg.norm(es) / np.linalg.norm(em))
    return u, EARTHSHINE_FULL * 0.5 * (1.0 + cos_phase)


def site_exposure(traj: Trajectory, site_m: np.ndarray, albedo: float) -> float:
    """Exposure (gain over the Sun's light) that puts flat sunlit ground at the site at
    :data:`EXPOSURE_TARGET`, with the Sun where it stands at the end of the flight."""
    return ground_exposure(_sun_dir(_end_light_et(traj)), site_m, albedo)


def _end_light_et(traj: Trajectory) -> float:
    """The instant whose Sun the site's exposure and the detail tiles' bakes use: the touchdown,
    else the end of the flight."""
    td = traj.event("touchdown")
    return float(td.et_s if td is not None else traj.end_et_s)


def ground_exposure(sun_dir: np.ndarray, at_m: np.ndarray, albedo: float) -> float:
    """Exposure (gain over the Sun's light) that puts flat ground of ``albedo`` at ``at_m`` (MOON_ME),
    lit from ``sun_dir``, at :data:`EXPOSURE_TARGET` (within 1 .. :data:`EXPOSURE_MAX`)."""
    cos_i = float(np.dot(sun_dir, at_m / np.linalg.norm(at_m)))
    return float(np.clip(EXPOSURE_TARGET / (albedo * SUN_INTENSITY * max(cos_i, 1e-3)), 1.0, EXPOSURE_MAX))


#: the name of the fine patch's crater picture among the baked images
CRATER_TEX = "patch_fine+crater"


def _apply_bake(h: SceneHandles, images: list) -> None:
    pv, _vtkm = _vtk()
    tex = {}
    for name, img in images:
        tex[name] = pv.Texture(img)
        tex[name].interpolate = True
        if name != CRATER_TEX:
            h.actors[name].SetTexture(tex[name])
    c = h.data.get("crater")
    if c and CRATER_TEX in tex:
        c["tex"] = (tex["patch_fine"], tex[CRATER_TEX])
        c["shown"] = None
        _update_crater(h, h.et_s if math.isfinite(h.et_s) else c["et"] - 1.0)


def _update_shadows(h: SceneHandles, et_s: float) -> None:
    """Re-bake the terrain patches' lighting when the Sun has moved (every 10 min of simulated time).

    Synchronous by default (frames are then exactly reproducible); with ``build(..., async_bake=True)``
    (the viewer) a re-bake runs in a thread and the previous lighting stays until it is ready.
    """
    if not h.data["patches"]:
        return
    key = round(et_s / 600.0)  # the Sun moves ~0.08 deg in 10 min; quantised so frames are reproducible
    _collect_bake_job(h)
    if h.data["shadow_key"] == key:
        return
    first = h.data["shadow_key"] is None
    if h.data.get("async_bake") and not first:
        if h.data.get("bake_job") is not None:
            return  # one re-bake at a time; the key is checked again next frame
        sun = _sun_dir(key * 600.0)  # SPICE on this thread; the worker only does array maths
        earth = earthshine(key * 600.0, h.site_m)
        h.data["bake_job"] = (key, *_in_thread(lambda: _bake_all(h, sun, earth)))
        h.data["shadow_key"] = key
        return
    h.data["shadow_key"] = key
    _apply_bake(h, _bake_all(h, _sun_dir(key * 600.0), earthshine(key * 600.0, h.site_m)))


def _in_thread(fn) -> tuple:
    """Start ``fn()`` in a daemon thread: ``(thread, out)``, ``out`` getting its result once it is done
    (nothing if it raised). The scene's background jobs: shadow re-bakes and detail tiles."""
    import threading

    out: list = []
    t = threading.Thread(target=lambda: out.append(fn()), daemon=True)
    t.start()
    return t, out


def _collect_bake_job(h: SceneHandles) -> None:
    """Apply a background re-bake that has finished (see :func:`_update_shadows`)."""
    job = h.data.get("bake_job")
    if job is not None and not job[1].is_alive():
        h.data["bake_job"] = None
        if job[2]:
            _apply_bake(h, job[2][0])


def _update_sky(h: SceneHandles, et_s: float, origin: np.ndarray, sun_dir: np.ndarray,
                earth_pos_m: np.ndarray) -> None:
    rot_j2000 = ephemeris.rotation("J2000", "MOON_ME", et_s)
    for actor, _x in h.data["star_actors"]:
        _place(actor, rot_j2000)
    size_scale = max(1.0, h.plotter.window_size[1] / 1080.0)
    # exposure: a camera exposed for a sunlit surface that fills much of the frame barely records
    # stars (no stars in the Apollo surface photographs); dim them with the sunlit share of the frame
    star_gain = star_exposure(sunlit_fraction(h, origin, sun_dir))
    h.data["star_gain"] = star_gain
    for actor, size in h.data["star_actors"]:
        actor.GetProperty().SetPointSize(max(1.0, size * size_scale))
        actor.GetProperty().SetOpacity(star_gain)
        # a star layer exposed below one 8-bit step draws nothing but still costs a translucent pass
        actor.SetVisibility(star_gain >= 1.0 / 255.0)
    # Sun
    sun_pos = ephemeris.position_m("SUN", et_s, frame="MOON_ME")
    to_sun = sun_pos - origin
    ds = np.linalg.norm(to_sun)
    u = to_sun / ds
    D = SKY_RADIUS * 0.9
    r_sun = D * SUN_RADIUS_M / ds
    _place(h.actors["sun"], trans=u * D, scale=r_sun)
    # glow quad perpendicular to the view of the Sun
    _place(h.actors["sun_glow"], enu_basis_from_up(-u).T, u * (D * 1.001), r_sun * 14.0)
    # Earth: direction and size from the camera (parallax matters: ~0.26 deg)
    to_e = earth_pos_m - origin
    de = np.linalg.norm(to_e)
    ue = to_e / de
    De = SKY_RADIUS * 0.8
    r_e = De * EARTH_RADIUS_M / de
    rot_e = ephemeris.rotation("IAU_EARTH", "MOON_ME", et_s)
    _place(h.actors["earth"], rot_e, ue * De, r_e)
    # the atmosphere's limb: a ring just behind the disc, facing the camera, its bright side sunward
    to_sun = sun_pos - earth_pos_m
    xs = to_sun - np.dot(to_sun, ue) * ue
    xs = xs / np.linalg.norm(xs) if np.linalg.norm(xs) > 1e-9 else enu_basis_from_up(-ue)[0]
    _place(h.actors["earth_limb"], np.stack([xs, np.cross(-ue, xs), -ue], axis=1), ue * (De + r_e),
           r_e * EARTH_LIMB_EXTENT)
    _update_earth_texture(h, et_s, rot_e, sun_pos - earth_pos_m)


#: star brightness when the sunlit surface fills the whole frame (1 with none of it in view)
STARS_MIN_GAIN = 0.0


def star_exposure(lit_fraction: float) -> float:
    """Star brightness factor for a frame whose share ``lit_fraction`` is sunlit lunar surface."""
    x = float(np.clip(lit_fraction / 0.6, 0.0, 1.0))
    return float(1.0 - (1.0 - STARS_MIN_GAIN) * x * x * (3.0 - 2.0 * x))


def _lit_hits(h: SceneHandles, origin: np.ndarray, sun_dir: np.ndarray, nx: int = 16,
              ny: int = 9) -> tuple[np.ndarray, np.ndarray]:
    """cos(incidence) of the Sun at the sunlit Moon points seen through an nx x ny grid of rays
    (a smooth sphere) of the current camera, and the points (MOON_ME). Cast once per view: the
    frame's exposure and the stars' both ask."""
    vc = h.renderer.GetActiveCamera()
    w, hgt = h.plotter.window_size
    key = (tuple(origin), tuple(sun_dir), vc.GetDirectionOfProjection(), vc.GetViewUp(), vc.GetViewAngle(),
           w, hgt, nx, ny)
    memo = h.data.get("lit_hits")
    if memo is not None and memo[0] == key:
        return memo[1]
    d = np.array(vc.GetDirectionOfProjection())
    up = np.array(vc.GetViewUp())
    right = np.cross(d, up)
    t = math.tan(math.radians(vc.GetViewAngle()) / 2)
    xs = (np.arange(nx) + 0.5) / nx * 2 - 1
    ys = (np.arange(ny) + 0.5) / ny * 2 - 1
    X, Y = np.meshgrid(xs * t * w / max(hgt, 1), ys * t)
    rays = d[None, :] + X.reshape(-1, 1) * right[None, :] + Y.reshape(-1, 1) * up[None, :]
    rays /= np.linalg.norm(rays, axis=1, keepdims=True)
    o = np.asarray(origin, float)
    b = rays @ o
    c = float(o @ o) - MOON_RADIUS_M ** 2
    disc = b * b - c
    hit = disc > 0.0
    tt = -b[hit] - np.sqrt(disc[hit])
    front = tt > 0.0
    pts = o[None, :] + tt[front, None] * rays[hit][front]
    cos_i = (pts @ np.asarray(sun_dir, float)) / MOON_RADIUS_M
    lit = cos_i > 0.02
    h.data["lit_hits"] = (key, (cos_i[lit], pts[lit]))
    return cos_i[lit], pts[lit]


def sunlit_fraction(h: SceneHandles, origin: np.ndarray, sun_dir: np.ndarray, nx: int = 16, ny: int = 9) -> float:
    """Share of the frame covered by the sunlit Moon (rays through an nx x ny grid, a smooth sphere)."""
    return float(len(_lit_hits(h, origin, sun_dir, nx, ny)[0])) / (nx * ny)


def frame_exposure(h: SceneHandles, origin: np.ndarray, sun_dir: np.ndarray) -> float:
    """Auto-exposure of the current view: the gain that brings the mean sunlit ground in the frame
    to :data:`EXPOSURE_TARGET`, at most the site's exposure (the terrain is baked at that); the
    site's exposure when no sunlit ground is in view (night side, sky)."""
    g_site = h.data["exposure_site"]
    cos_i, pts = _lit_hits(h, origin, sun_dir)
    if len(cos_i) == 0:
        return g_site
    lat, lon = unit_to_latlon(pts / MOON_RADIUS_M)
    near = np.linalg.norm(pts - h.site_m, axis=1) < 20e3  # the site's own (terrain) albedo there
    alb = np.where(near, h.data["albedo"], sample_equirect_bilinear(h.data["albedo_map"], lat, lon).mean(axis=1))
    lum = SUN_INTENSITY * float(np.mean(alb * cos_i))
    return float(np.clip(EXPOSURE_TARGET / max(lum, 1e-6), 1.0, g_site))


def _expose(h: SceneHandles, et_s: float, origin: np.ndarray, sun_dir: np.ndarray) -> None:
    """Set the frame's exposure on every lit thing: the Sun's light, the globe's ambient term (with
    earthshine), the lander, the baked patches (dimmed from the site's exposure they were baked at)."""
    g = frame_exposure(h, origin, sun_dir)
    h.data["exposure"] = g
    h.data["light"].SetIntensity(SUN_INTENSITY * g)
    # earthshine on the globe: a share of the ambient term (a second light would cost every lit
    # fragment; the baked terrain has it with its direction)
    _e_dir, e_int = earthshine(et_s, origin)
    for name in ("moon_near", "moon_far"):
        h.actors[name].GetProperty().SetAmbient((AMBIENT + EARTHSHINE_GLOBE * e_int) * g)
    lp = h.actors["lander"].GetProperty()
    lp.SetDiffuse(LANDER_DIFFUSE * min(g, LANDER_EXPOSURE_MAX) / g)  # bright foil, not blown to white
    k = g / h.data["exposure_site"]
    for name, _patch, _pactor in h.data["patches"]:
        h.actors[name].GetProperty().SetColor(k, k, k)


def _tile_light(h: SceneHandles, key) -> tuple[np.ndarray, dict, float]:
    """The Sun, the light and the exposure of tile ``key``'s bake: the Sun and earthshine at the end
    of the flight (the same whenever and in whichever process the tile is built), exposed for flat
    ground at the tile -- the Sun stands higher or lower there than at the site, and the highlights'
    shoulder must act on highlights only."""
    from .detail import TILE_M

    et = _end_light_et(h.traj)
    at = h.terrain.local_to_moon_me(key[0] * TILE_M, key[1] * TILE_M, 0.0)
    sun = _sun_dir(et)
    g = ground_exposure(sun, at, h.data["albedo"])
    e_dir, e_int = earthshine(et, at)
    return sun, dict(intensity=SUN_INTENSITY * g, ambient=AMBIENT * g, light_rgb=SUN_RGB,
                     earth_dir=e_dir, earth_intensity=e_int * g, earth_rgb=EARTHSHINE_RGB), g


def _update_tiles(h: SceneHandles, st, spec, origin: np.ndarray, globe: str) -> None:
    """Show the detail tiles the down camera's frame needs (see :mod:`.detail`), building missing
    ones (in the frame, or in a thread with ``async_bake``); hide the globe where they cover it."""
    from ..terrain import SphereTerrain
    from . import detail

    _collect_tile_job(h)  # whatever the camera: a finished build is kept
    built = h.data["tiles"]["built"]
    keys: list = []
    # a scene on the bare sphere stays bare: tiles carry a terrain's crater population
    cratered = h.terrain is not None and not isinstance(h.terrain, SphereTerrain)
    if spec.name == "down" and cratered and math.isfinite(float(st.alt_m)):
        half_view = max(float(st.alt_m), 1.0) * math.tan(math.radians(spec.view_angle_deg) / 2)
        half_view *= max(1.0, h.plotter.window_size[0] / max(1, h.plotter.window_size[1]))
        unit = st.pos_m / np.linalg.norm(st.pos_m)
        keys = detail.needed(h.terrain, unit, half_view, 0.5 * float(h.terrain.extent_m))
        for k in keys:
            if k not in built:
                _start_tile(h, k)
        shown = [k for k in keys if k in built]
        if keys and detail.covers(h.terrain, shown, unit, half_view):
            h.actors[globe].SetVisibility(False)
    for k, (_tb, actor) in built.items():
        actor.SetVisibility(k in keys)
        if k in keys:
            _place(actor, trans=_tb.centre_m - origin)
            actor.GetProperty().SetColor(*(3 * [h.data["exposure"] / _tb.gain]))


def _start_tile(h: SceneHandles, key) -> None:
    from . import detail

    tiles = h.data["tiles"]
    sun, light, gain = _tile_light(h, key)  # SPICE here, on the caller's thread
    args = (getattr(h.traj.scenario, "terrain", None), h.terrain, key, tiles["moon_img"], sun, light,
            gain, resources.cache_dir())
    if not h.data.get("async_bake"):
        _add_tile(h, detail.build(*args))
        return
    if tiles["job"] is None:  # one at a time; the others are asked for again next frame
        tiles["job"] = _in_thread(lambda: detail.build(*args))


def _collect_tile_job(h: SceneHandles) -> None:
    job = h.data["tiles"]["job"]
    if job is not None and not job[0].is_alive():
        h.data["tiles"]["job"] = None
        if job[1]:
            _add_tile(h, job[1][0])


def _add_tile(h: SceneHandles, tb) -> None:
    """An actor for a built tile (kept with it; the oldest beyond ``detail.TILES_KEPT`` go)."""
    from . import detail

    pv, _vtkm = _vtk()
    built = h.data["tiles"]["built"]
    pd = _polydata(tb.points, tb.faces)
    pd.active_texture_coordinates = tb.tcoords
    tex = pv.Texture(tb.image)
    tex.interpolate = True
    tex.repeat = False  # clamped: the square's corners reach a little past the tile's own picture
    a = h.plotter.add_mesh(pd, texture=tex, lighting=False, name=f"tile_{tb.key[0]}_{tb.key[1]}",
                           culling="back", reset_camera=False)
    a.SetVisibility(False)
    built[tb.key] = (tb, a)
    while len(built) > detail.TILES_KEPT:
        old = next(iter(built))
        h.plotter.remove_actor(built.pop(old)[1], render=False)


def _update_earth_texture(h: SceneHandles, et_s: float, rot_e: np.ndarray, earth_to_sun: np.ndarray) -> None:
    key = round(et_s / 20.0)  # Earth turns 0.08 deg in 20 s
    if h.data["earth_key"] == key:
        return
    h.data["earth_key"] = key
    # lit for the quantised instant, not for the first frame that reached it: a frame's pixels must not
    # depend on which frame a process rendered before it (render-farm segments)
    t_q = key * 20.0
    rot_e = ephemeris.rotation("IAU_EARTH", "MOON_ME", t_q)
    earth_to_sun = (ephemeris.position_m("SUN", t_q, frame="MOON_ME")
                    - ephemeris.position_m("EARTH", t_q, frame="MOON_ME"))
    s = rot_e.T @ (earth_to_sun / np.linalg.norm(earth_to_sun))  # Sun direction in IAU_EARTH
    cosz = h.data["earth_normals"] @ s.astype(np.float32)
    lit = np.clip(cosz, 0.0, 1.0)
    # Lambert with a little lift (atmospheric scattering brightens the crescent)
    day = h.data["earth_day"] * (1.9 * lit ** 0.4)[..., None]
    nightw = 1.0 - np.clip((cosz + 0.06) / 0.12, 0.0, 1.0)
    img = day + h.data["earth_lights"] * (0.75 * nightw)[..., None]
    # a thin bright rim of atmosphere is left out on purpose: at ~70 px it would read as a halo
    img8 = (np.clip(img, 0, 1) * 255).astype(np.uint8)
    pv, _vtkm = _vtk()
    new = pv.Texture(np.ascontiguousarray(img8))
    new.interpolate = True
    new.mipmap = True  # the Earth is only ~20-70 px across: filter the 1k map, no sparkling texels
    h.actors["earth"].SetTexture(new)
    h.data["earth_tex"] = new


def _before_render(h: SceneHandles) -> None:
    """Per-render fix-ups: clipping range from the actual camera, sky camera in step."""
    vc = h.renderer.GetActiveCamera()
    pos = np.array(vc.GetPosition()) + h.origin_m  # true MOON_ME position of the camera
    r = float(np.linalg.norm(pos))
    R = MOON_RADIUS_M
    horizon = math.sqrt(max(r * r - R * R, 0.0))
    far = horizon + math.sqrt((R + 150e3) ** 2 - R * R)
    if r > R + 600e3:
        far = r + R
    # height above the highest terrain (conservative: no per-frame terrain lookup)
    alt = r - R - (float(h.terrain.max_height_m) if h.terrain is not None else 0.0)
    # nearest geometry: the ground (terrain rises at most a few km above the sphere) and the lander
    near_cands = [(alt - 8000.0) * 0.6] if alt > 20e3 else []
    lander = h.actors.get("lander")
    if lander is not None and lander.GetVisibility():
        m = lander.GetUserMatrix()
        lp = np.array([m.GetElement(0, 3), m.GetElement(1, 3), m.GetElement(2, 3)]) - np.array(vc.GetPosition())
        near_cands.append((np.linalg.norm(lp) - 4.0) * 0.7)
    if alt <= 20e3:
        near_cands.append(max(alt, 0.5) * 0.4)
    near = max(min(near_cands), far * 2e-7, 0.05)
    vc.SetClippingRange(near, far)
    # sky camera: same orientation and field of view, at the sky's centre
    sc = h.sky.GetActiveCamera()
    d = np.array(vc.GetDirectionOfProjection())
    sc.SetPosition(0.0, 0.0, 0.0)
    sc.SetFocalPoint(*(d * 10.0))
    sc.SetViewUp(*vc.GetViewUp())
    sc.SetViewAngle(vc.GetViewAngle())
    sc.SetClippingRange(1.0, SKY_RADIUS * 2)
    if h.hud is not None:
        h.hud.layout()


def dispose(handles: SceneHandles) -> None:
    """Remove observers and the sky renderer (the plotter itself stays usable)."""
    for obj, oid in handles.observers:
        obj.RemoveObserver(oid)
    handles.observers.clear()
    try:
        handles.plotter.render_window.RemoveRenderer(handles.sky)
    except AttributeError:
        pass


def ready(handles: SceneHandles) -> bool:
    """True when a background job of an ``async_bake`` scene (a terrain re-bake, a detail tile) has
    finished and the next :func:`update` takes its result in (and may start the next one): an idle
    front end should draw again. While a job runs the picture would not change."""
    bake, tile = handles.data.get("bake_job"), handles.data["tiles"]["job"]
    return (bake is not None and not bake[1].is_alive()) or (tile is not None and not tile[0].is_alive())


def project_to_pixels(handles: SceneHandles, pos_m: np.ndarray) -> tuple[float, float] | None:
    """Window pixel (x right, y down from the top) of a MOON_ME point, or None if behind the camera.

    For directions to very distant bodies (Earth, Sun) pass a point far along the direction from the camera.
    """
    vc = handles.renderer.GetActiveCamera()
    w, hgt = handles.plotter.window_size
    rel = np.asarray(pos_m, float) - handles.origin_m
    d = np.array(vc.GetDirectionOfProjection())
    up = np.array(vc.GetViewUp())
    right = np.cross(d, up)
    z = float(np.dot(rel, d))
    if z <= 0:
        return None
    t = math.tan(math.radians(vc.GetViewAngle()) / 2)
    x_ndc = float(np.dot(rel, right)) / z / (t * w / hgt)
    y_ndc = float(np.dot(rel, up)) / z / t
    return (x_ndc + 1) / 2 * w, (1 - y_ndc) / 2 * hgt
