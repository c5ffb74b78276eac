"""The 3D view: a pyvistaqt ``QtInteractor`` showing :mod:`lunarviz.render.scene`.

The viewer draws exactly the scene the video renderer draws: it calls
``render.scene.build(plotter, traj)`` once per trajectory and
``render.scene.update(handles, et_s, camera)`` once per displayed frame.

Free camera: dragging or zooming with the mouse leaves the preset. From then
on the camera keeps the offset the user gave it -- following the lander when
the user was looking at the lander, fixed to the Moon otherwise -- until a
preset is chosen again (keys 1-5).

What-if ghost: a second trajectory is drawn as a translucent purple lander
with its own plume and trail (:mod:`lunarviz.render.ghost`); the preset
cameras can frame either flight (:meth:`SceneView.set_follow`).
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtWidgets

from .playback import CAMERAS

#: the camera name used while the user navigates with the mouse
FREE = "free"
#: the flights the preset cameras can follow: the scenario as flown, or the what-if ghost
FLOWN, WHATIF = "flown", "whatif"
FOLLOW_CHOICES = (FLOWN, WHATIF)
#: HUD text scale in presentation mode
PRESENTATION_HUD_SCALE = 1.25
#: MSAA samples of the 3D view when antialiasing is on
MSAA_SAMPLES = 4
#: while playing, the 3D view draws this share of its width and height and stretches it (``--play-scale``;
#: two benchmark runs on the shared machine disagreed on the gain, so full size by default); a paused
#: frame, a screenshot and a saved frame are always full size
DEFAULT_PLAY_SCALE = 1.0
#: the largest "Save frame" picture, px
MAX_SAVE_PX = (3840, 2160)
#: when the 3D view is antialiased: only while paused (default), always, never
ANTIALIAS_MODES = ("paused", "always", "never")


class SceneView(QtCore.QObject):
    """Owns the ``QtInteractor`` and the scene handles for the current trajectory.

    ``camera_changed(name)`` is emitted when the camera mode changes (a preset
    name or ``"free"``).
    """

    camera_changed = QtCore.Signal(str)

    def __init__(self, parent: QtWidgets.QWidget, *, quality: str = "high", antialias: str = "paused") -> None:
        super().__init__(parent)
        from pyvistaqt import QtInteractor

        if antialias not in ANTIALIAS_MODES:
            raise ValueError(f"antialias must be one of {', '.join(ANTIALIAS_MODES)}, not {antialias!r}")
        self.antialias = antialias
        #: what the window lays out: a native child window holding the 3D pane. An OpenGL widget
        #: makes Qt compose its whole top-level window through OpenGL on every frame; in a native
        #: child only the pane's pixels are (1500x920 window, 725x787 pane: ~1.4 -> ~0.6 Mpx a frame)
        self.pane = QtWidgets.QWidget(parent)
        self.pane.setAttribute(QtCore.Qt.WidgetAttribute.WA_NativeWindow, True)
        pane_lay = QtWidgets.QVBoxLayout(self.pane)
        pane_lay.setContentsMargins(0, 0, 0, 0)
        # off_screen=False: with PYVISTA_OFF_SCREEN set the widget would grab black (docs/rendering.md)
        # MSAA costs ~1.5-2x per frame on software GL (llvmpipe): by default only on a still picture
        self.plotter = QtInteractor(self.pane, off_screen=False, auto_update=False,
                                    multi_samples=MSAA_SAMPLES if antialias != "never" else 0)
        self.render_count = 0
        self.plotter.render_window.AddObserver("EndEvent", self._on_rendered)
        self._playing = False
        #: share of the pane's width and height drawn while playing (stretched to the pane; paused: 1)
        self.play_scale = DEFAULT_PLAY_SCALE
        self.widget: QtWidgets.QWidget = self.plotter
        pane_lay.addWidget(self.plotter)
        # keys go to the window's shortcuts, not to VTK's (which would quit on "q"/"e")
        self.plotter.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        self.plotter.setMinimumSize(320, 240)
        # the 3D pane covers every pixel it owns: Qt need not paint the window's background under it
        # for every frame (~0.5 Mpx a frame at 1500x920; drawn frames/s 12.2 -> 13.9 in chase here)
        self.plotter.setAttribute(QtCore.Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.quality = quality
        self.camera = CAMERAS[0]
        self.handles = None
        self.traj = None
        self.ghost = None
        self.last_spec = None
        self._ghost = None
        self._dispersion = None
        self._labels = None
        #: labels (site, Earth, Sun, features) and the ground-scale bar (View menu)
        self.labels_on = True
        self.scale_bar_on = True
        #: which flight the preset cameras frame (see :meth:`set_follow`)
        self.follow = FLOWN
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

    def nudge_camera(self, azimuth_deg: float, elevation_deg: float, zoom: float) -> None:
        """Turn the camera about its focal point and move it closer (``zoom`` > 1) or away: what a
        mouse drag or wheel does, from the keyboard (the camera becomes the free one)."""
        if self.handles is None:
            return
        self._on_user_interaction()
        cam = self.handles.renderer.GetActiveCamera()
        cam.Azimuth(azimuth_deg)
        cam.Elevation(elevation_deg)
        cam.OrthogonalizeViewUp()
        cam.Dolly(zoom)
        self.handles.renderer.ResetCameraClippingRange()

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
        self.set_dispersion(None)
        if self.handles is not None:
            from lunarviz.render.labels import remove_labels

            remove_labels(self.handles, self._labels)
            scene.dispose(self.handles)
            self.handles = None
        self.plotter.clear()
        self.handles = scene.build(self.plotter, traj, quality=self.quality, async_bake=True)
        from lunarviz.render.labels import build_labels

        self._labels = build_labels(self.handles)
        self._labels.labels_on, self._labels.bar_on = self.labels_on, self.scale_bar_on
        self.traj = traj
        self.ghost = None
        self._hud_scaled_for = None
        if self.camera == FREE:
            self.camera = CAMERAS[0]
            self.camera_changed.emit(self.camera)

    def _remove_ghost(self) -> None:
        from lunarviz.render.ghost import remove_ghost

        if self.handles is not None:
            remove_ghost(self.handles, self._ghost)
        self._ghost = None
        self.ghost = None
        self.follow = FLOWN

    def set_ghost(self, traj, outcome_fn=None) -> None:
        """Draw a what-if trajectory beside the current one (None removes it).

        ``outcome_fn(traj)`` words an ending for the HUD's "as flown / what-if" lines.
        """
        from lunarviz.render.ghost import build_ghost

        self._remove_ghost()
        if traj is None or self.handles is None:
            return
        self._ghost = build_ghost(self.handles, traj)
        self._outcome_fn = outcome_fn or (lambda t: "down")
        self.ghost = traj

    def set_labels(self, labels: bool | None = None, scale_bar: bool | None = None) -> None:
        """Show or hide the labels and the ground-scale bar (None: leave as is)."""
        if labels is not None:
            self.labels_on = bool(labels)
        if scale_bar is not None:
            self.scale_bar_on = bool(scale_bar)
        if self._labels is not None:
            self._labels.labels_on, self._labels.bar_on = self.labels_on, self.scale_bar_on

    @property
    def label_handles(self):
        return self._labels

    def set_dispersion(self, result) -> None:
        """Draw Monte Carlo touchdowns and 1σ/3σ ellipses on the terrain (None removes them)."""
        from lunarviz.render.dispersion import build_dispersion, remove_dispersion

        if self.handles is not None:
            remove_dispersion(self.handles, self._dispersion)
        self._dispersion = None
        if result is not None and self.handles is not None:
            self._dispersion = build_dispersion(self.handles, result)

    @property
    def dispersion_handles(self):
        return self._dispersion

    @property
    def ghost_handles(self):
        return self._ghost

    def set_follow(self, which: str) -> None:
        """Which flight the preset cameras frame: ``"flown"`` or ``"whatif"`` (needs a ghost)."""
        if which not in FOLLOW_CHOICES:
            raise ValueError(f"follow must be one of {', '.join(FOLLOW_CHOICES)}, not {which!r}")
        self.follow = which if self.ghost is not None else FLOWN

    def _update_ghost(self, et_s: float) -> None:
        from lunarviz.render.ghost import outcomes_text, set_outcomes, update_ghost

        if self._ghost is None:
            return
        update_ghost(self.handles, self._ghost, et_s)
        set_outcomes(self.handles, self._ghost, outcomes_text(self.traj, self.ghost, et_s, self._outcome_fn))

    def set_presentation(self, on: bool, text_scale: float = 1.0) -> None:
        """Larger HUD text (the scene's HUD scales with the window; this scales it further, and by
        the viewer's font scale)."""
        self._hud_scale = (PRESENTATION_HUD_SCALE if on else 1.0) * text_scale
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

    def _show_scene(self, et_s: float) -> None:
        from lunarviz.render import scene

        self._applying = True
        try:
            cam = self._free_spec(et_s) if self.camera == FREE else self.camera
            if self.follow == WHATIF and self.ghost is not None and self.camera != FREE:
                from lunarviz.render.ghost import follow_spec

                cam = follow_spec(self.handles, self.ghost, et_s, self.camera)
            self.last_spec = scene.update(self.handles, et_s, cam)
            self._update_ghost(et_s)
            if self._dispersion is not None:
                from lunarviz.render.dispersion import update_dispersion

                update_dispersion(self.handles, self._dispersion)
            if self._labels is not None:
                from lunarviz.render.labels import update_labels

                update_labels(self.handles, self._labels, et_s)
            self._scale_hud()
        finally:
            self._applying = False

    def _on_rendered(self, *_args) -> None:
        self.render_count += 1

    def set_playing(self, playing: bool) -> None:
        """While the picture moves: MSAA off (``antialias="paused"``) and the frame drawn at
        ``play_scale`` of the pane's pixels, stretched on screen; a paused frame is full size."""
        self._playing = bool(playing)
        want = MSAA_SAMPLES if self.antialias == "always" or (self.antialias == "paused" and not playing) else 0
        rw = self.plotter.render_window
        if rw.GetMultiSamples() != want:
            rw.SetMultiSamples(want)

    def _apply_scale(self) -> None:
        dpr = self.plotter.devicePixelRatioF()
        full = (max(1, round(self.plotter.width() * dpr)), max(1, round(self.plotter.height() * dpr)))
        s = self.play_scale if self._playing else 1.0
        size = (max(1, round(full[0] * s)), max(1, round(full[1] * s)))
        rw = self.plotter.render_window
        if tuple(rw.GetSize()) != size:
            rw.SetSize(*size)

    def show(self, et_s: float, *, sync: bool = False) -> None:
        """Update the scene to ``et_s`` and ask for one frame.

        By default the frame is drawn by the widget's next paint (once: a
        ``render()`` here would draw it a second time in the paint that follows);
        ``sync=True`` renders now, for screenshots.
        """
        if self.handles is None:
            return
        self._apply_scale()
        self._show_scene(et_s)
        if sync:
            self.plotter.render()
        else:
            self.plotter.update()  # QWidget.update: one paintGL -> one VTK render

    def save_png(self, path, size: tuple[int, int] | None = None, hud: bool = True) -> None:
        """Save the 3D view (only) as a PNG: at the pane's size, or at ``size`` (width, height; up to
        :data:`MAX_SAVE_PX`), with or without the HUD. A preset camera is framed again for the
        picture's own aspect; the render window draws off-screen at that size, then comes back."""
        if size is not None and not (1 <= size[0] <= MAX_SAVE_PX[0] and 1 <= size[1] <= MAX_SAVE_PX[1]):
            raise ValueError(f"frame size {size[0]}x{size[1]}: expected at most {MAX_SAVE_PX[0]}x{MAX_SAVE_PX[1]}")
        rw = self.plotter.render_window
        playing, scale = self._playing, self.play_scale
        hidden = self._hud_actors() if not hud else []
        try:
            self._playing = False  # full size, antialiased
            self.set_playing(False)
            self.play_scale = 1.0
            if size is not None:
                rw.SetSize(int(size[0]), int(size[1]))
            for a in hidden:
                a.SetVisibility(False)
            if self.handles is not None and not np.isnan(self.handles.et_s):
                self._show_scene(self.handles.et_s)
            self.plotter.render()
            self.plotter.screenshot(str(path), window_size=list(rw.GetSize()))
        finally:
            for a in hidden:
                a.SetVisibility(True)
            self.play_scale = scale
            self.set_playing(playing)
            self._apply_scale()
            if self.handles is not None and not np.isnan(self.handles.et_s):
                self._show_scene(self.handles.et_s)
            self.plotter.update()

    def _hud_actors(self) -> list:
        actors = []
        hud = getattr(self.handles, "hud", None)
        if hud is not None:
            actors += [a for a in hud.actors.values() if a.GetVisibility()]
        if self._ghost is not None and self._ghost.actors["outcomes"].GetVisibility():
            actors.append(self._ghost.actors["outcomes"])
        return actors

    def ready(self) -> bool:
        """True when something the scene built in a thread (a shadow re-bake, a detail tile) is done:
        the next frame shows it, so a paused window draws again."""
        from lunarviz.render import scene

        return self.handles is not None and scene.ready(self.handles)

    def close(self) -> None:
        from lunarviz.render import scene

        if self.handles is not None:
            scene.dispose(self.handles)
        self.handles = None
        self.plotter.close()
