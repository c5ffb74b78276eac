"""The 3D view: a pyvistaqt ``QtInteractor`` showing :mod:`lunarviz.render.scene`.

The viewer draws exactly the scene the video renderer draws: it calls
``render.scene.build(plotter, traj)`` once per trajectory and
``render.scene.update(handles, et_s, camera)`` once per displayed frame.

Free camera: dragging or zooming with the mouse leaves the preset. From then
on the camera keeps the offset the user gave it -- following the lander when
the user was looking at the lander, fixed to the Moon otherwise -- until a
preset is chosen again (keys 1-5).

What-if ghost: a second trajectory is drawn as a magenta trail with a dot at
its current position, placed with the same floating origin as the scene.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtWidgets

from .playback import CAMERAS

#: the camera name used while the user navigates with the mouse
FREE = "free"
#: colour of the what-if ghost trail and dot (RGB 0..1)
GHOST_RGB = (0.86, 0.35, 0.86)
#: HUD text scale in presentation mode
PRESENTATION_HUD_SCALE = 1.25


def _matrix4(trans) -> object:
    import vtk

    m = vtk.vtkMatrix4x4()
    for i in range(3):
        m.SetElement(i, 3, float(trans[i]))
    return m


class SceneView(QtCore.QObject):
    """Owns the ``QtInteractor`` and the scene handles for the current trajectory.

    ``camera_changed(name)`` is emitted when the camera mode changes (a preset
    name or ``"free"``).
    """

    camera_changed = QtCore.Signal(str)

    def __init__(self, parent: QtWidgets.QWidget, *, quality: str = "high") -> None:
        super().__init__(parent)
        from pyvistaqt import QtInteractor

        # off_screen=False: with PYVISTA_OFF_SCREEN set the widget would grab black (docs/rendering.md)
        # 4x MSAA: pyvista's default 8x costs 2-4x per frame on software GL (llvmpipe)
        self.plotter = QtInteractor(parent, off_screen=False, auto_update=False, multi_samples=4)
        self.widget: QtWidgets.QWidget = self.plotter
        # keys go to the window's shortcuts, not to VTK's (which would quit on "q"/"e")
        self.plotter.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        self.plotter.setMinimumSize(320, 240)
        self.quality = quality
        self.camera = CAMERAS[0]
        self.handles = None
        self.traj = None
        self.ghost = None
        self.last_spec = None
        self._ghost_actors: dict = {}
        self._hud_scale = 1.0
        self._hud_scaled_for = None
        self._applying = False
        self._free_follow = True
        # a drag that moves the camera (not a mere click) or the mouse wheel leaves the preset
        style = self.plotter.iren.interactor.GetInteractorStyle()
        if style is not None:
            style.AddObserver("InteractionEvent", self._on_user_interaction)
        iren = self.plotter.iren.interactor
        for event in ("MouseWheelForwardEvent", "MouseWheelBackwardEvent"):
            iren.AddObserver(event, self._on_user_interaction, 1.0)

    # --------------------------------------------------------------- camera
    def _on_user_interaction(self, *_args) -> None:
        if self._applying or self.camera == FREE:
            return
        self.camera = FREE
        # follow the lander if the user was looking at it, else stay fixed to the Moon
        spec = self.last_spec
        self._free_follow = True
        if spec is not None and self.handles is not None and not np.isnan(self.handles.et_s):
            lander = self.traj.at(self.handles.et_s).pos_m
            d_eye = np.linalg.norm(np.asarray(spec.position_m) - lander)
            d_focal = np.linalg.norm(np.asarray(spec.focal_m) - lander)
            self._free_follow = bool(d_focal < 0.2 * max(d_eye, 1.0) or d_eye < 50.0)
        self.camera_changed.emit(FREE)

    def set_camera(self, name: str) -> None:
        if name not in CAMERAS and name != FREE:
            raise ValueError(f"unknown camera {name!r}; expected one of {', '.join(CAMERAS)}")
        self.camera = name
        self.camera_changed.emit(name)

    def camera_state(self) -> tuple:
        """Eye, focal point (MOON_ME metres) and view-up of the last camera used."""
        s = self.last_spec
        if s is None:
            return ()
        return (tuple(np.round(s.position_m, 3)), tuple(np.round(s.focal_m, 3)), tuple(np.round(s.up, 6)))

    def _free_spec(self, et_s: float):
        """The user's camera as a CameraSpec for ``et_s`` (see the module docstring)."""
        from lunarviz.render.camera import CameraSpec

        h = self.handles
        vc = h.renderer.GetActiveCamera()
        pos = np.array(vc.GetPosition()) + h.origin_m
        focal = np.array(vc.GetFocalPoint()) + h.origin_m
        if self._free_follow and not np.isnan(h.et_s):
            shift = self.traj.at(et_s).pos_m - self.traj.at(h.et_s).pos_m
            pos, focal = pos + shift, focal + shift
        return CameraSpec(position_m=pos, focal_m=focal, up=np.array(vc.GetViewUp()),
                          view_angle_deg=float(vc.GetViewAngle()), name=FREE)

    # --------------------------------------------------------------- scene
    def set_trajectory(self, traj) -> None:
        """Build the scene for ``traj`` (replacing any previous scene and ghost)."""
        from lunarviz.render import scene

        self._remove_ghost()
        if self.handles is not None:
            scene.dispose(self.handles)
            self.handles = None
        self.plotter.clear()
        self.handles = scene.build(self.plotter, traj, quality=self.quality, async_bake=True)
        self.traj = traj
        self.ghost = None
        self._hud_scaled_for = None
        if self.camera == FREE:
            self.camera = CAMERAS[0]
            self.camera_changed.emit(self.camera)

    def _remove_ghost(self) -> None:
        for actor in self._ghost_actors.values():
            self.plotter.remove_actor(actor, render=False)
        self._ghost_actors = {}
        self.ghost = None

    def set_ghost(self, traj) -> None:
        """Draw a what-if trajectory beside the current one (None removes it)."""
        import pyvista as pv

        self._remove_ghost()
        if traj is None or self.handles is None:
            return
        anchor = np.asarray(self.handles.site_m, float)
        rel = np.asarray(traj.pos_m, float) - anchor  # small numbers near the site: float32-safe
        trail = self.plotter.add_mesh(pv.lines_from_points(rel), color=GHOST_RGB, line_width=3, lighting=False,
                                      name="whatif_trail", reset_camera=False, opacity=0.9)
        dot = self.plotter.add_mesh(pv.PolyData(np.zeros((1, 3))), color=GHOST_RGB, point_size=12,
                                    render_points_as_spheres=True, lighting=False, name="whatif_dot",
                                    reset_camera=False)
        self._ghost_actors = {"trail": trail, "dot": dot}
        self.ghost = traj

    def _update_ghost(self, et_s: float) -> None:
        if not self._ghost_actors:
            return
        origin = self.handles.origin_m
        self._ghost_actors["trail"].SetUserMatrix(_matrix4(np.asarray(self.handles.site_m) - origin))
        self._ghost_actors["dot"].SetUserMatrix(_matrix4(self.ghost.at(et_s).pos_m - origin))

    def set_presentation(self, on: bool) -> None:
        """Larger HUD text (the scene's HUD scales with the window; this scales it further)."""
        self._hud_scale = PRESENTATION_HUD_SCALE if on else 1.0
        self._hud_scaled_for = None
        hud = getattr(self.handles, "hud", None)
        if hud is not None:
            hud._size = None  # ask the HUD to lay out again at its own sizes
            hud.layout()

    def _scale_hud(self) -> None:
        hud = getattr(self.handles, "hud", None)
        if hud is None or self._hud_scale == 1.0:
            return
        size = tuple(self.plotter.window_size)
        if self._hud_scaled_for == size:
            return
        hud._size = None
        hud.layout()  # the HUD's own sizes for this window, then scaled up
        for actor in hud.actors.values():
            prop = actor.GetTextProperty()
            prop.SetFontSize(int(round(prop.GetFontSize() * self._hud_scale)))
        self._hud_scaled_for = size

    def show(self, et_s: float) -> None:
        """Update the scene to ``et_s`` and draw one frame (synchronously, on the UI thread)."""
        from lunarviz.render import scene

        if self.handles is None:
            return
        self._applying = True
        try:
            cam = self._free_spec(et_s) if self.camera == FREE else self.camera
            self.last_spec = scene.update(self.handles, et_s, cam)
            self._update_ghost(et_s)
            self._scale_hud()
        finally:
            self._applying = False
        self.plotter.render()

    def save_png(self, path) -> None:
        """Save the 3D view (only) as a PNG."""
        self.plotter.screenshot(str(path))

    def close(self) -> None:
        from lunarviz.render import scene

        if self.handles is not None:
            scene.dispose(self.handles)
        self.handles = None
        self.plotter.close()
