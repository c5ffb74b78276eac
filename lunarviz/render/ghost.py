"""The what-if "ghost": a second, translucent lander with its own plume and trail.

An overlay on a built scene (:func:`lunarviz.render.scene.build`), kept out of
``scene.py``: :func:`build_ghost` adds the actors, :func:`update_ghost` places
them for a frame *after* ``scene.update`` (it uses the frame's floating origin).
A screen-sized purple dot keeps the ghost visible from far cameras (orbit,
site) where the lander is smaller than a pixel, and :func:`outcomes_text` is
the two-line "as flown / what-if" comparison the viewer's HUD shows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lunarviz import palette
from lunarviz.i18n import _, display_text
from lunarviz.trajectory import Trajectory, quat_to_matrix

from .hud import use_language_font

#: the ghost's colour (RGB 0..1): the plots' dashed what-if curves use the same one
GHOST_RGB = palette.rgb01(palette.WHATIF)
#: opacity of the ghost lander's body
GHOST_OPACITY = 0.45
#: a camera this close rides on the ghost (the down camera following the what-if): no body, no plume
RIDING_WITHIN_M = 6.0
#: seconds of the ghost's trail either side of the playhead (the orbit camera shows all of it)
GHOST_TRAIL_WINDOW_S = 900.0


@dataclass
class GhostHandles:
    traj: Trajectory
    actors: dict[str, Any] = field(default_factory=dict)
    trail_et: np.ndarray | None = None
    trail_rel: np.ndarray | None = None


def build_ghost(h, traj: Trajectory) -> GhostHandles:
    """Add the ghost of ``traj`` to the scene ``h`` (SceneHandles); returns its handles."""
    import pyvista as pv

    from . import resources
    from .scene import _plume_mesh, _polydata, rgba_actor
    from .vtkclasses import vtk

    plotter = h.plotter
    g = GhostHandles(traj=traj)
    lm = resources.lander()
    body = plotter.add_mesh(_polydata(lm.vertices, lm.faces), color=GHOST_RGB, opacity=GHOST_OPACITY,
                            ambient=0.35, diffuse=0.7, specular=0.2, name="ghost_lander", reset_camera=False)
    g.actors["lander"] = body
    for name, r0, r1, a0 in (("plume_core", 0.12, 0.35, 0.6), ("plume_glow", 0.2, 1.6, 0.22)):
        g.actors[name] = rgba_actor(h.renderer, _plume_mesh(r0, r1, (1.0, 0.8, 1.0), (0.8, 0.45, 0.9), a0))
    g.actors["dot"] = plotter.add_mesh(pv.PolyData(np.zeros((1, 3))), color=GHOST_RGB, point_size=9,
                                       render_points_as_spheres=True, lighting=False, name="ghost_dot",
                                       reset_camera=False)
    n = len(traj)
    step = max(1, n // 4000)
    idx = np.unique(np.r_[np.arange(0, n, step), n - 1])
    g.trail_et = traj.et_s[idx]
    g.trail_rel = traj.pos_m[idx] - np.asarray(h.site_m, float)
    for name, opacity in (("trail_past", 0.95), ("trail_future", 0.3)):
        g.actors[name] = plotter.add_mesh(pv.lines_from_points(g.trail_rel[:2]), color=GHOST_RGB, opacity=opacity,
                                          line_width=2, lighting=False, name=f"ghost_{name}", reset_camera=False)
    g.lander_height_m = lm.height_m
    g.nozzle_m = np.asarray(lm.nozzle_exit_m, float)
    text = vtk.vtkTextActor()
    prop = text.GetTextProperty()
    prop.SetColor(*GHOST_RGB)
    use_language_font(prop)
    prop.SetJustificationToRight()
    prop.SetVerticalJustificationToBottom()
    prop.SetShadow(True)
    text.GetPositionCoordinate().SetCoordinateSystemToNormalizedViewport()
    text.SetPosition(0.985, 0.03)
    h.renderer.AddViewProp(text)
    g.actors["outcomes"] = text
    # the near clipping plane must also keep a ghost close to the camera (a chase shot following it)
    win = h.plotter.render_window
    g.observer = (win, win.AddObserver("StartEvent", lambda *_: _near_for_ghost(h, g), -1.0))
    return g


def _near_for_ghost(h, g: GhostHandles) -> None:
    body = g.actors["lander"]
    if not body.GetVisibility():
        return
    vc = h.renderer.GetActiveCamera()
    m = body.GetUserMatrix()
    d = float(np.linalg.norm(np.array([m.GetElement(i, 3) for i in range(3)]) - np.array(vc.GetPosition())))
    near, far = vc.GetClippingRange()
    want = max((d - 4.0) * 0.7, 0.05)
    if want < near:
        vc.SetClippingRange(want, far)


def set_outcomes(h, g: GhostHandles, text: str) -> None:
    """The HUD's "as flown / what-if" lines (bottom right), sized like the HUD's own text."""
    a = g.actors["outcomes"]
    text = display_text(text)
    if a.GetInput() != text:
        a.SetInput(text)
    w, hgt = h.plotter.window_size
    a.GetTextProperty().SetFontSize(max(10, int(round(2.6 * max(1.0, min(hgt, w * 9 / 16)) / 100))))


def remove_ghost(h, g: GhostHandles | None) -> None:
    if g is None:
        return
    for name, a in g.actors.items():
        if name == "outcomes":
            h.renderer.RemoveViewProp(a)
        else:
            h.renderer.RemoveActor(a)
    win, oid = g.observer
    win.RemoveObserver(oid)


def update_ghost(h, g: GhostHandles, et_s: float) -> None:
    """Place the ghost for the frame ``scene.update`` just prepared (same origin and camera)."""
    from .scene import _place

    spec = h.camera
    origin = np.asarray(h.origin_m, float)
    st = g.traj.at(et_s)
    R = quat_to_matrix(st.quat_wxyz)
    rel = st.pos_m - origin
    dist = float(np.linalg.norm(rel))
    win_h = max(1, h.plotter.window_size[1])
    px = g.lander_height_m / max(dist, 1e-3) / math.tan(math.radians(spec.view_angle_deg) / 2) * win_h / 2
    show = px >= 0.5 and dist > RIDING_WITHIN_M
    g.actors["lander"].SetVisibility(show)
    _place(g.actors["lander"], R, rel)
    thr = float(np.clip(st.throttle, 0.0, 1.0))
    plume_on = show and thr > 0.02
    for name, length in (("plume_core", 1.6), ("plume_glow", 5.5)):
        a = g.actors[name]
        a.SetVisibility(plume_on)
        if plume_on:
            L = length * (0.3 + 0.7 * thr)
            S = np.diag([0.7 + 0.3 * thr, 0.7 + 0.3 * thr, L])
            _place(a, R @ S, rel + R @ g.nozzle_m)
    g.actors["dot"].SetVisibility(px < 3.0)
    _place(g.actors["dot"], trans=rel)
    _update_trail(h, g, st, origin, None if spec.name == "orbit" else GHOST_TRAIL_WINDOW_S)


def _update_trail(h, g: GhostHandles, st, origin: np.ndarray, window_s: float | None) -> None:
    import pyvista as pv

    from .scene import _place

    et, rel = g.trail_et, g.trail_rel
    k = int(np.searchsorted(et, st.et_s, side="right"))
    lo, hi = 0, len(et)
    if window_s is not None:
        lo = int(np.searchsorted(et, st.et_s - window_s, side="left"))
        hi = int(np.searchsorted(et, st.et_s + window_s, side="right"))
    now = (st.pos_m - np.asarray(h.site_m, float))[None, :]
    width = max(1.5, 2.0 * h.plotter.window_size[1] / 720)
    for name, pts in (("trail_past", np.vstack([rel[lo:k], now])), ("trail_future", np.vstack([now, rel[k:hi]]))):
        a = g.actors[name]
        a.SetVisibility(len(pts) >= 2)
        if len(pts) >= 2:
            a.GetMapper().SetInputData(pv.lines_from_points(pts))
            _place(a, trans=np.asarray(h.site_m, float) - origin)
            a.GetProperty().SetLineWidth(width)


def follow_spec(h, traj: Trajectory, et_s: float, camera: str):
    """The preset ``camera`` framed on ``traj`` (the what-if) instead of the scene's flight."""
    from . import camera as cam
    from .scene import camera_context

    ctx = camera_context(h, et_s)
    ctx = cam.CameraContext(traj=traj, et_s=float(et_s), state=traj.at(et_s), earth_pos_m=ctx.earth_pos_m,
                            sun_dir=ctx.sun_dir, target_m=ctx.target_m, height_fn=ctx.height_fn,
                            aspect=ctx.aspect)
    return cam.preset(camera, ctx)


def outcomes_text(original: Trajectory, whatif: Trajectory, et_s: float, outcome_fn) -> str:
    """Two lines: how each flight ended (once it has), else its altitude now.

    ``outcome_fn(traj)`` words an ending (the viewer passes its what-if panel's wording).
    """
    lines = []
    for label, traj in ((_("AS FLOWN"), original), (_("WHAT-IF"), whatif)):
        ev = traj.event("touchdown")
        if ev is not None and et_s >= ev.et_s:
            lines.append(_("{label}: {outcome}").format(label=label, outcome=outcome_fn(traj)))
        else:
            alt = traj.at(et_s).alt_m
            lines.append(_("{label}: {km:.2f} km up").format(label=label, km=alt / 1000) if alt >= 10_000
                         else _("{label}: {m:.0f} m up").format(label=label, m=alt))
    return "\n".join(lines)
