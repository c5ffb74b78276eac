"""The viewer's main window: 3D view, playback bar, events, cameras, telemetry, what-if.

Playback: a :class:`~lunarviz.app.playback.Playback` holds the playhead; a
``QTimer`` fires every ~16 ms, asks it for the time (wall clock x speed) and
draws one frame. Drawing happens on the UI thread one frame at a time, so a
slow frame delays the next redraw, never the clock; loading and flying
scenarios run in a worker thread (:mod:`lunarviz.app.jobs`).
"""

from __future__ import annotations

import bisect
import math
import time
from collections.abc import Callable
from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from lunarviz import units
from lunarviz.errors import LunarvizError
from lunarviz.formatting import format_l_minus, format_utc
from lunarviz.i18n import N_, _
from lunarviz.physics.outcome import Outcome, touchdown_outcome

from . import scenes as scene_files
from .jobs import JobRunner
from .playback import Mark, Playback, camera_label, event_marks
from .plots import TelemetryPanel
from .textsize import FONT_SCALE_STEP, PRESENTATION_TEXT_SCALE, check_font_scale, clamp_font_scale
from .view3d import CAMERAS, FREE, SceneView
from .widgets import PlaybackBar

#: milliseconds between frame-timer ticks (upper bound ~60 fps)
FRAME_INTERVAL_MS = 16
#: while playing, the telemetry numbers and plot cursors are refreshed at most this often, s
PANEL_INTERVAL_S = 0.2


def load_and_fly(path) -> tuple:
    """Load a scenario file and fly it (runs in the worker thread)."""
    from lunarviz import physics, scenario

    sc = scenario.load(path)
    return sc, physics.fly(sc, seed=0)


def fly_scenario(sc):
    from lunarviz import physics

    return physics.fly(sc, seed=0)


def _touchdown_label(traj) -> str | None:
    ev = traj.event("touchdown")
    if ev is None:
        return None
    outcome = touchdown_outcome(traj)
    if outcome is Outcome.CRASHED:
        return _("Contact lost ({speed})").format(speed=units.fmt(ev.speed_mps, "speed", ".0f"))
    return _("Touchdown") if outcome is Outcome.LANDED else _("Hard landing ({speed})").format(
        speed=units.fmt(ev.speed_mps, "speed"))


class MainWindow(QtWidgets.QMainWindow):
    """The lunarviz viewer window.

    Use :meth:`open_scenario` (asynchronous: load + fly in the background) or
    :meth:`set_trajectory` (synchronous, with an already flown trajectory).
    """

    trajectory_loaded = QtCore.Signal(object)   # Trajectory
    whatif_finished = QtCore.Signal(object)     # Trajectory
    load_failed = QtCore.Signal(str)            # the message shown in the dialog
    frame_drawn = QtCore.Signal(float)          # ET of the frame just drawn
    font_scale_changed = QtCore.Signal(float)   # the font scale (view --font-scale, Ctrl+plus/minus)
    montecarlo_progress = QtCore.Signal(int, int)   # runs done, runs (emitted from the worker thread)
    montecarlo_finished = QtCore.Signal(object)     # MonteCarloResult, or None when cancelled

    def __init__(self, *, speed: float = 10.0, quality: str = "high", parent: QtWidgets.QWidget | None = None,
                 clock: Callable[[], float] = time.monotonic, antialias: str = "paused",
                 play_scale: float | None = None, font_scale: float = 1.0) -> None:
        """``clock``: monotonic seconds for the playhead (tests pass a :class:`~.playback.FakeClock`);
        ``antialias``: MSAA in the 3D view ``"paused"`` only (default), ``"always"`` or ``"never"``;
        ``play_scale``: share of the 3D view's width and height drawn while playing (default
        :data:`~.view3d.DEFAULT_PLAY_SCALE`); ``font_scale``: every text (panels, plots, HUD) this
        much larger (:data:`FONT_SCALES`; presentation mode enlarges it further)."""
        from .main import apply_language

        apply_language(QtWidgets.QApplication.instance())  # the font and direction of the language in use
        super().__init__(parent)
        self.setWindowTitle("lunarviz")
        self.resize(1500, 920)
        self.traj = None
        self.scenario = None
        self.scenario_path: Path | None = None
        self.whatif_traj = None
        self.playback = Playback(0.0, 1.0, speed=speed, clock=clock)
        self._clock = clock
        self._panel_at_s = -math.inf
        self._current_mark: int | None = None
        self.presentation = False
        self.font_scale = check_font_scale(font_scale)
        self.error_dialog: QtWidgets.QMessageBox | None = None
        self._dirty = True
        self._frame_error_shown = False
        self._loading = False
        self._pending_at = None
        self._frame_times: list[float] = []
        self._last_frame_ms = 0.0
        self._base_font = QtWidgets.QApplication.font()

        self.jobs = JobRunner(self)
        self.jobs.finished.connect(self._on_job_finished)

        # 3D view and playback bar in the centre
        central = QtWidgets.QWidget(self)
        self.view = SceneView(central, quality=quality, antialias=antialias)
        if play_scale is not None:
            self.view.play_scale = float(play_scale)
        self.view.camera_changed.connect(self._on_camera_changed)
        self.bar = PlaybackBar(central)
        self.bar.play_toggled.connect(self.toggle_play)
        self.bar.step_requested.connect(self.step_seconds)
        self.bar.frame_requested.connect(self.step_frames)
        self.bar.speed_chosen.connect(self.set_speed)
        self.bar.scrubbed.connect(self.seek)
        lay = QtWidgets.QVBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.view.pane, 1)
        self.setCentralWidget(central)
        # clicking the 3D view takes the keyboard away from a spin box, so Space, 1-5 ... work again
        central.setFocusPolicy(QtCore.Qt.FocusPolicy.StrongFocus)
        self.view.widget.installEventFilter(self)
        # the playback bar spans the whole window width, under the docks
        bar_tb = QtWidgets.QToolBar(_("Playback"), self)
        bar_tb.setObjectName("playback")
        bar_tb.setMovable(False)
        bar_tb.setFloatable(False)
        bar_tb.addWidget(self.bar)
        self.addToolBar(QtCore.Qt.ToolBarArea.BottomToolBarArea, bar_tb)
        self.playback_toolbar = bar_tb

        self._build_camera_toolbar()
        self._build_event_dock()
        self._build_telemetry_dock()
        self._build_whatif_dock()
        self._build_actions_and_menus()
        self.statusBar().showMessage(_("Open a scenario (File ▸ Open) or pick a bundled scene"))
        if self.font_scale != 1.0:
            self._apply_text_scale()

        self.timer = QtCore.QTimer(self)
        self.timer.setInterval(FRAME_INTERVAL_MS)
        self.timer.timeout.connect(self._on_frame)
        self.timer.start()

    # ================================================================= layout
    def _build_camera_toolbar(self) -> None:
        tb = QtWidgets.QToolBar(_("Cameras"), self)
        tb.setObjectName("cameras")
        tb.setMovable(False)
        tb.addWidget(QtWidgets.QLabel(_(" Camera: ")))
        self.camera_group = QtGui.QActionGroup(self)
        self.camera_group.setExclusive(True)
        self.camera_actions: dict[str, QtGui.QAction] = {}
        tips = {
            "chase": _("Behind and above the lander"),
            "orbit": _("Wide view from orbit: the descent track over the Moon"),
            "site": _("From the ground at the target site, looking up"),
            "earthrise": _("Past the lander towards the Earth above the horizon"),
            "down": _("Straight down at the surface below the lander"),
        }
        for i, name in enumerate(CAMERAS, start=1):
            act = QtGui.QAction(camera_label(name), self)
            act.setCheckable(True)
            act.setShortcut(QtGui.QKeySequence(str(i)))
            act.setToolTip(f"{tips[name]} ({i})")
            act.triggered.connect(lambda _=False, n=name: self.set_camera(n))
            self.camera_group.addAction(act)
            tb.addAction(act)
            self.addAction(act)
            self.camera_actions[name] = act
        self.camera_actions[CAMERAS[0]].setChecked(True)
        self.free_label = QtWidgets.QLabel("")
        tb.addWidget(self.free_label)
        tb.addSeparator()
        tb.addWidget(QtWidgets.QLabel(_(" Follow: ")))
        self.follow_box = QtWidgets.QComboBox(self)
        self.follow_box.addItem(_("as flown"), "flown")
        self.follow_box.addItem(_("what-if (purple)"), "whatif")
        self.follow_box.setToolTip(_("Which flight the cameras frame (fly a what-if first)"))
        self.follow_box.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        self.follow_box.setEnabled(False)
        self.follow_box.activated.connect(lambda i: self.set_follow(self.follow_box.itemData(i)))
        tb.addWidget(self.follow_box)
        self.camera_toolbar = tb
        self.addToolBar(QtCore.Qt.ToolBarArea.TopToolBarArea, tb)

    def _build_event_dock(self) -> None:
        dock = QtWidgets.QDockWidget(_("Events — click to jump"), self)
        dock.setObjectName("events")
        self.event_list = QtWidgets.QListWidget(dock)
        self.event_list.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        self.event_list.itemClicked.connect(self._on_event_clicked)
        self.event_list.itemActivated.connect(self._on_event_clicked)
        dock.setWidget(self.event_list)
        self.addDockWidget(QtCore.Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        self.event_dock = dock

    def _build_telemetry_dock(self) -> None:
        dock = QtWidgets.QDockWidget(_("Telemetry — drag the red line to scrub"), self)
        dock.setObjectName("telemetry")
        self.telemetry = TelemetryPanel(dock)
        self.telemetry.cursor_dragged.connect(self.seek)
        dock.setWidget(self.telemetry)
        self.addDockWidget(QtCore.Qt.DockWidgetArea.RightDockWidgetArea, dock)
        self.telemetry_dock = dock
        self.resizeDocks([dock], [460], QtCore.Qt.Orientation.Horizontal)

    def _build_whatif_dock(self) -> None:
        from .whatif import WhatIfPanel

        dock = QtWidgets.QDockWidget(_("What if…?"), self)
        dock.setObjectName("whatif")
        self.whatif = WhatIfPanel(dock)
        self.whatif.fly_requested.connect(self.fly_whatif)
        self.whatif.reset_requested.connect(self.reset_whatif)
        from .montecarlo_panel import MonteCarloPanel

        self.montecarlo = MonteCarloPanel(self.whatif)
        self.montecarlo.run_requested.connect(self.run_monte_carlo)
        self.montecarlo.cancel_requested.connect(self.cancel_monte_carlo)
        self.montecarlo_progress.connect(self.montecarlo.set_progress)
        self.whatif.layout().insertWidget(self.whatif.layout().count() - 1, self.montecarlo)
        dock.setWidget(self.whatif)
        self.addDockWidget(QtCore.Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        self.whatif_dock = dock
        self.resizeDocks([self.event_dock, dock], [260, 440], QtCore.Qt.Orientation.Vertical)
        self.resizeDocks([self.event_dock], [270], QtCore.Qt.Orientation.Horizontal)

    def _action(self, text, slot, shortcut=None, *, tip=None, checkable=False) -> QtGui.QAction:
        act = QtGui.QAction(text, self)
        if shortcut is not None:
            if isinstance(shortcut, (list, tuple)):
                act.setShortcuts([QtGui.QKeySequence(s) for s in shortcut])
            else:
                act.setShortcut(QtGui.QKeySequence(shortcut))
        if tip:
            act.setStatusTip(tip)
        act.setCheckable(checkable)
        act.triggered.connect(slot)
        # added to the window so shortcuts work with the menu bar hidden
        self.addAction(act)
        return act

    def _build_actions_and_menus(self) -> None:
        K = QtCore.Qt.Key
        M = QtCore.Qt.KeyboardModifier
        mb = self.menuBar()
        m = mb.addMenu(_("&File"))
        m.addAction(self._action(_("&Open scenario…"), self.choose_scenario_file, QtGui.QKeySequence.StandardKey.Open))
        self.scenes_menu = m.addMenu(_("Bundled &scenes"))
        self._fill_scenes_menu()
        m.addSeparator()
        m.addAction(self._action(_("Save frame as &PNG…"), self.choose_png, "Ctrl+S"))
        m.addAction(self._action(_("Save &window screenshot…"), self.choose_window_png, "Ctrl+Shift+S"))
        m.addAction(self._action(_("Export &video…"), self.choose_video, "Ctrl+E"))
        m.addSeparator()
        m.addAction(self._action(_("&Quit"), self.close, QtGui.QKeySequence.StandardKey.Quit))

        m = mb.addMenu(_("&Playback"))
        self.play_action = self._action(_("Play / pause"), self.toggle_play, QtGui.QKeySequence(K.Key_Space))
        m.addAction(self.play_action)
        m.addAction(self._action(_("Forward one frame"), lambda: self.step_frames(1), QtGui.QKeySequence(K.Key_Right)))
        m.addAction(self._action(_("Back one frame"), lambda: self.step_frames(-1), QtGui.QKeySequence(K.Key_Left)))
        m.addAction(self._action(_("Forward 10 s"), lambda: self.step_seconds(10.0),
                                 QtGui.QKeySequence(M.ShiftModifier | K.Key_Right)))
        m.addAction(self._action(_("Back 10 s"), lambda: self.step_seconds(-10.0),
                                 QtGui.QKeySequence(M.ShiftModifier | K.Key_Left)))
        m.addSeparator()
        m.addAction(self._action(_("Faster"), lambda: self.set_speed(self.playback.faster()), ["]", "+"]))
        m.addAction(self._action(_("Slower"), lambda: self.set_speed(self.playback.slower()), ["[", "-"]))
        m.addAction(self._action(_("Real time (1x)"), lambda: self.set_speed(1.0), "0"))
        m.addSeparator()
        m.addAction(self._action(_("Jump to start"), lambda: self.seek(self.playback.start_et_s),
                                 QtGui.QKeySequence(K.Key_Home)))
        m.addAction(self._action(_("Jump to end"), lambda: self.seek(self.playback.end_et_s),
                                 QtGui.QKeySequence(K.Key_End)))
        m.addAction(self._action(_("Next event"), lambda: self.jump_event(+1), "N"))
        m.addAction(self._action(_("Previous event"), lambda: self.jump_event(-1), "Shift+N"))
        self.loop_action = self._action(_("Loop"), self._on_loop, "L", checkable=True)
        m.addAction(self.loop_action)

        m = mb.addMenu(_("&Camera"))
        for act in self.camera_actions.values():
            m.addAction(act)
        self._add_keyboard_only_actions(m, mb.addMenu(_("&What-if")))

        m = mb.addMenu(_("&View"))
        self.fullscreen_action = self._action(_("&Fullscreen"), self.toggle_fullscreen, ["F", "F11"], checkable=True)
        m.addAction(self.fullscreen_action)
        self.presentation_action = self._action(
            _("&Presentation mode (large text, clean screen)"), self.toggle_presentation, ["P", "F5"], checkable=True)
        m.addAction(self.presentation_action)
        m.addAction(self._action(_("Larger text"), lambda: self.set_font_scale(self.font_scale * FONT_SCALE_STEP),
                                 [QtGui.QKeySequence.StandardKey.ZoomIn, "Ctrl+="]))
        m.addAction(self._action(_("Smaller text"), lambda: self.set_font_scale(self.font_scale / FONT_SCALE_STEP),
                                 QtGui.QKeySequence.StandardKey.ZoomOut))
        m.addAction(self._action(_("Normal text size"), lambda: self.set_font_scale(1.0), "Ctrl+0"))
        self.labels_action = self._action(_("&Labels (site, Earth, Sun, features)"), self._on_labels, "T",
                                          checkable=True)
        self.labels_action.setChecked(True)
        m.addAction(self.labels_action)
        self.scale_bar_action = self._action(_("Ground &scale bar"), self._on_scale_bar, "B", checkable=True)
        self.scale_bar_action.setChecked(True)
        m.addAction(self.scale_bar_action)
        m.addSeparator()
        for dock in (self.event_dock, self.telemetry_dock, self.whatif_dock):
            m.addAction(dock.toggleViewAction())
        self._action(_("Leave fullscreen / presentation"), self._escape, QtGui.QKeySequence(K.Key_Escape))

        m = mb.addMenu(_("&Help"))
        m.addAction(self._action(_("&Keyboard shortcuts"), self.show_shortcuts, "F1"))

    def _add_keyboard_only_actions(self, camera_menu, whatif_menu) -> None:
        """Keys for what the panels' buttons and boxes do (they take no keyboard focus, so that
        Space and the arrows always drive the playback): every viewer action works without a mouse."""
        C = "Ctrl+"
        camera_menu.addSeparator()
        for text, key, args in ((N_("Turn camera left"), "Left", (-10.0, 0.0, 1.0)),
                                (N_("Turn camera right"), "Right", (10.0, 0.0, 1.0)),
                                (N_("Tilt camera up"), "Up", (0.0, 8.0, 1.0)),
                                (N_("Tilt camera down"), "Down", (0.0, -8.0, 1.0)),
                                (N_("Move camera closer"), "PgUp", (0.0, 0.0, 1.25)),
                                (N_("Move camera away"), "PgDown", (0.0, 0.0, 0.8))):
            camera_menu.addAction(self._action(_(text), lambda _c=False, a=args: self._nudge_camera(*a), C + key))
        camera_menu.addAction(self._action(_("Follow the other flight (as flown / what-if)"), self._toggle_follow, "G"))
        w, mc = self.whatif, self.montecarlo
        whatif_menu.addAction(self._action(_("Rangefinder as designed"), w.lrf_works.click, "Shift+R"))
        whatif_menu.addAction(self._action(_("Fly the what-if"), w.fly_button.click, "W"))
        whatif_menu.addAction(self._action(_("Reset the what-if"), w.reset_button.click, "Shift+W"))
        whatif_menu.addAction(self._action(_("Run Monte Carlo"), mc.run_button.click, "M"))
        whatif_menu.addAction(self._action(_("Cancel Monte Carlo"), mc.cancel_button.click, "Shift+M"))
        whatif_menu.addSeparator()
        whatif_menu.addAction(self._action(_("Next timeline span"), lambda: self._cycle_box(self.bar.span_box), "Z"))
        whatif_menu.addAction(self._action(_("Next plot span"), lambda: self._cycle_box(self.telemetry.range_box), "R"))

    def _nudge_camera(self, azimuth_deg: float, elevation_deg: float, zoom: float) -> None:
        self.view.nudge_camera(azimuth_deg, elevation_deg, zoom)
        self._dirty = True

    def _toggle_follow(self) -> None:
        if self.follow_box.isEnabled():
            self.set_follow("flown" if self.view.follow == "whatif" else "whatif")

    @staticmethod
    def _cycle_box(box: QtWidgets.QComboBox) -> None:
        """Choose ``box``'s next entry, as a click on it would."""
        i = (box.currentIndex() + 1) % box.count()
        box.setCurrentIndex(i)
        box.activated.emit(i)

    def _fill_scenes_menu(self) -> None:
        # The actions are made here and kept referenced: a wrapper returned by
        # QMenu.addAction(str) can be a stale one of a deleted object at the
        # same address (seen once on CI as "QSurface has no setToolTip").
        self.scenes_menu.clear()
        self._scene_actions: list[QtGui.QAction] = []
        found = scene_files.bundled_scenes()
        if not found:
            act = QtGui.QAction(_("(no bundled scenes found)"), self.scenes_menu)
            act.setEnabled(False)
            self._scene_actions.append(act)
        for path in found:
            act = QtGui.QAction(path.stem.replace("_", " "), self.scenes_menu)
            act.setToolTip(str(path))
            act.triggered.connect(lambda _=False, p=path: self.open_scenario(p))
            self._scene_actions.append(act)
        self.scenes_menu.addActions(self._scene_actions)

    # ============================================================ scenarios
    def choose_scenario_file(self) -> None:
        start = str(scene_files.scenes_dir() or Path.cwd())
        path, _filter = QtWidgets.QFileDialog.getOpenFileName(self, _("Open scenario"), start,
                                                        _("Scenarios (*.toml);;All files (*)"))
        if path:
            self.open_scenario(path)

    def open_scenario(self, path, *, at=None) -> int:
        """Load and fly a scenario in the background; the old one stays until it succeeds.

        ``at`` (ET seconds, an event name or a time spec string) sets the
        playhead once the new trajectory is shown. Returns the job id.
        """
        self._pending_at = at
        path = Path(path)
        self.statusBar().showMessage(_("Loading {name} and flying it…").format(name=path.name))
        if not self._loading:
            QtWidgets.QApplication.setOverrideCursor(QtCore.Qt.CursorShape.BusyCursor)
            self._loading = True
        self._loading_path = path
        return self.jobs.submit("load", load_and_fly, path)

    def _on_job_finished(self, job_id: int, kind: str, result, error) -> None:
        if not self.jobs.is_current(job_id, kind):
            return  # superseded by a newer request
        if kind == "load":
            if self._loading:
                QtWidgets.QApplication.restoreOverrideCursor()
                self._loading = False
            path = self._loading_path
            if error is not None:
                self.show_error(_("Could not open {name}").format(name=path.name), error, keeping=True)
                return
            sc, traj = result
            self.scenario = sc
            self.scenario_path = path
            self.set_trajectory(traj)
            at = self._pending_at
            self._pending_at = None
            if at is None:
                at, camera = opening_shot(sc, traj)
                self.set_camera(camera)
            try:
                self.seek_spec(at)
            except LunarvizError as exc:
                self.show_error(_("Could not go to that time"), (exc, ""), keeping=True)
                return
            self.statusBar().showMessage(_("Loaded {path}").format(path=path), 5000)
        elif kind == "montecarlo":
            self._on_monte_carlo(result, error)
        elif kind == "whatif":
            self.whatif.set_busy(False)
            if error is not None:
                self.show_error(_("The what-if could not be flown"), error, keeping=True)
                return
            self.set_whatif_trajectory(result)

    def show_error(self, title: str, error, *, keeping: bool) -> None:
        """Non-blocking error dialog; the loaded scenario stays."""
        exc, tb = error if isinstance(error, tuple) else (error, "")
        if isinstance(exc, LunarvizError):
            text = str(exc)
            detail = ""
        else:
            text = f"{type(exc).__name__}: {exc}"
            detail = tb
        if keeping and self.traj is not None:
            text += "\n\n" + _("The scenario already loaded stays on screen.")
        box = QtWidgets.QMessageBox(self)
        box.setIcon(QtWidgets.QMessageBox.Icon.Critical)
        box.setWindowTitle(title)
        box.setText(title)
        box.setInformativeText(text)
        if detail:
            box.setDetailedText(detail)
        box.setStandardButtons(QtWidgets.QMessageBox.StandardButton.Ok)
        box.setWindowModality(QtCore.Qt.WindowModality.WindowModal)
        self.error_dialog = box
        box.open()  # not exec(): the window keeps running underneath
        self.statusBar().showMessage(f"{title}: {text.splitlines()[0]}", 10000)
        self.load_failed.emit(text)

    def set_trajectory(self, traj, scenario=None) -> None:
        """Show a flown trajectory (synchronous; builds the 3D scene)."""
        if scenario is not None:
            self.scenario = scenario
        elif traj.scenario is not None:
            self.scenario = traj.scenario
        self.traj = traj
        self.whatif_traj = None
        self.jobs.forget("whatif")  # a what-if of the previous scenario is no longer wanted
        self.whatif.set_busy(False)
        self.cancel_monte_carlo()
        self.jobs.forget("montecarlo")
        self.montecarlo.set_running(False)
        self.montecarlo.result.setText("")
        self.playback.set_span(traj.start_et_s, traj.end_et_s)
        self.follow_box.setEnabled(False)
        self.view.set_trajectory(traj)
        self.telemetry.set_trajectory(traj)
        title = (_(self.scenario.title) if self.scenario is not None and self.scenario.title else "") or (
            self.scenario_path.stem if self.scenario_path else "")
        self.setWindowTitle(f"lunarviz — {title}" if title else "lunarviz")
        self._fill_events()
        self.whatif.set_scenario(self.scenario)
        self._dirty = True
        self.trajectory_loaded.emit(traj)

    def _fill_events(self) -> None:
        traj = self.traj
        self.marks = [m for m in event_marks(traj.events, touchdown_label=_touchdown_label(traj))
                      if m.name not in ("start",)]
        ghost = self.whatif_traj
        if ghost is not None and ghost.event("touchdown") is not None:
            self.marks.append(Mark("whatif_touchdown", _("What-if: {label}").format(label=_touchdown_label(ghost)),
                                   float(ghost.event("touchdown").et_s)))
            self.marks.sort(key=lambda m: m.et_s)
        self.event_list.clear()
        for mark in self.marks:
            lm = format_l_minus(mark.et_s, traj.planned_touchdown_et_s)
            item = QtWidgets.QListWidgetItem(f"{mark.label}\n   {lm or self._rel(mark.et_s)}")
            item.setData(QtCore.Qt.ItemDataRole.UserRole, mark.et_s)
            item.setToolTip(self._utc(mark.et_s))
            self.event_list.addItem(item)
        self._current_mark = None
        self.bar.timeline.set_span(self.playback.start_et_s, self.playback.end_et_s,
                                   timeline_presets(traj, ghost, self.playback.end_et_s))
        self.bar.timeline.set_preset(self.bar.span_box.currentData())  # the chosen span, for this flight
        self.bar.timeline.set_marks(self.marks)

    def _follow_event_list(self, et_s: float) -> None:
        """Highlight the last event at or before the playhead (the list follows playing, N, seeks)."""
        marks = getattr(self, "marks", None) or []
        i = bisect.bisect_right([m.et_s for m in marks], et_s + 1e-6) - 1
        if i == self._current_mark:
            return
        self._current_mark = i
        if i < 0:
            self.event_list.clearSelection()
            return
        self.event_list.setCurrentRow(i)
        self.event_list.scrollToItem(self.event_list.item(i))

    def _on_event_clicked(self, item: QtWidgets.QListWidgetItem) -> None:
        self.seek(float(item.data(QtCore.Qt.ItemDataRole.UserRole)))

    def jump_event(self, direction: int) -> None:
        if not getattr(self, "marks", None):
            return
        now = self.playback.et_s
        if direction > 0:
            later = [m for m in self.marks if m.et_s > now + 1e-3]
            if later:
                self.seek(later[0].et_s)
        else:
            earlier = [m for m in self.marks if m.et_s < now - 1e-3]
            if earlier:
                self.seek(earlier[-1].et_s)

    def eventFilter(self, obj, ev) -> bool:
        if obj is self.view.widget and ev.type() == QtCore.QEvent.Type.MouseButtonPress:
            self.centralWidget().setFocus()
        return super().eventFilter(obj, ev)

    # ============================================================= what-if
    def fly_whatif(self, changes: dict) -> int | None:
        """Fly the current scenario with ``changes`` applied, in the background."""
        from .whatif import apply_changes

        if self.scenario is None:
            self.statusBar().showMessage(_("Load a scenario first"), 5000)
            return None
        try:
            sc = apply_changes(self.scenario, changes)
        except LunarvizError as exc:
            self.show_error(_("That what-if is not possible"), (exc, ""), keeping=True)
            return None
        self.whatif.set_busy(True)
        self.centralWidget().setFocus()  # keys back to the window's shortcuts
        self.statusBar().showMessage(_("Flying the what-if in the background…"))
        return self.jobs.submit("whatif", fly_scenario, sc)

    def set_whatif_trajectory(self, traj) -> None:
        """Show a what-if flight beside the scenario; the timeline then runs to the later ending."""
        from .whatif import outcome_text

        self.whatif_traj = traj
        self.view.set_ghost(traj, outcome_text)
        self.telemetry.set_ghost(traj)
        self.whatif.show_result(self.traj, traj)
        self._set_span()
        self.follow_box.setEnabled(True)
        et = self.playback.et_s
        self.telemetry.set_cursor(et, self.traj.at(et))  # the numbers gain the what-if line now
        self._dirty = True
        self.statusBar().showMessage(_("What-if flown: the purple lander in the view, dashed purple in the plots"),
                                     8000)
        self.whatif_finished.emit(traj)

    def reset_whatif(self) -> None:
        self.whatif_traj = None
        self.jobs.forget("whatif")  # drop any run still in flight
        self.whatif.set_busy(False)
        self.view.set_ghost(None)
        self.telemetry.set_ghost(None)
        self.whatif.set_scenario(self.scenario)
        self.set_follow("flown")
        self.follow_box.setEnabled(False)
        self._set_span()
        self._dirty = True

    def _set_span(self) -> None:
        """The playback span: the scenario's flight, or both flights to the later ending (each
        trajectory already runs its settle time past its touchdown)."""
        flights = [t for t in (self.traj, self.whatif_traj) if t is not None]
        self.playback.set_span(min(t.start_et_s for t in flights), max(t.end_et_s for t in flights))
        self._fill_events()

    def set_follow(self, which: str) -> None:
        """The preset cameras frame the scenario (``"flown"``) or the what-if (``"whatif"``)."""
        self.view.set_follow(which)
        i = self.follow_box.findData(self.view.follow)
        if self.follow_box.currentIndex() != i:
            self.follow_box.setCurrentIndex(i)
        self._dirty = True

    # ========================================================== Monte Carlo
    def run_monte_carlo(self, runs: int) -> int | None:
        """Fly ``runs`` dispersed runs in the background (progress per batch, cancellable)."""
        import threading

        from lunarviz.physics.montecarlo import run_batched

        if self.scenario is None:
            self.statusBar().showMessage(_("Load a scenario first"), 5000)
            return None
        self._mc_cancel = threading.Event()
        self.montecarlo.set_running(True, runs)
        self.centralWidget().setFocus()
        return self.jobs.submit("montecarlo", run_batched, self.scenario, int(runs), 0,
                                progress=self.montecarlo_progress.emit, cancelled=self._mc_cancel.is_set)

    def cancel_monte_carlo(self) -> None:
        cancel = getattr(self, "_mc_cancel", None)
        if cancel is not None:
            cancel.set()

    def _on_monte_carlo(self, result, error) -> None:
        self.montecarlo.set_running(False)
        if error is not None:
            self.show_error(_("The Monte Carlo runs failed"), error, keeping=True)
            return
        self.montecarlo.show_result(result)
        if result is not None:
            self.view.set_dispersion(result)
            self._dirty = True
        self.montecarlo_finished.emit(result)

    # ============================================================= playback
    def toggle_play(self) -> None:
        self.playback.toggle()
        self._dirty = True

    def play(self) -> None:
        self.playback.play()
        self._dirty = True

    def pause(self) -> None:
        self.playback.pause()
        self._dirty = True

    def set_speed(self, speed: float) -> None:
        self.playback.set_speed(speed)
        self._dirty = True

    def seek(self, et_s: float) -> None:
        self.playback.seek(et_s)
        self._dirty = True

    def seek_spec(self, at) -> None:
        """Seek to ET seconds, an event name, or a time spec understood by ``render.timespec``."""
        self.seek(resolve_time(at, self.traj))

    def step_seconds(self, dt_s: float) -> None:
        self.playback.step(dt_s)
        self._dirty = True

    def step_frames(self, n: int) -> None:
        self.playback.step_frames(n)
        self._dirty = True

    def _on_loop(self, on: bool) -> None:
        self.playback.loop = bool(on)

    def _utc(self, et_s: float) -> str:
        try:
            return format_utc(et_s)
        except Exception:  # noqa: BLE001 - a label must never break playback
            return f"ET {et_s:.1f} s"

    def _rel(self, et_s: float) -> str:
        d = et_s - self.playback.start_et_s
        return f"T+{int(d // 60):02d}:{int(d % 60):02d}"

    def _on_frame(self) -> None:
        """Timer tick: advance by wall clock x speed and draw if anything changed."""
        if self.traj is None:
            return
        was_playing = self.playback.playing
        et = self.playback.tick()
        if not (was_playing or self._dirty or self.view.ready()):  # paused: a background build is done
            return
        self._dirty = False
        try:
            self.draw_frame(et)
        except Exception as exc:  # noqa: BLE001 - an exception escaping a Qt slot can abort the process
            import traceback

            self.playback.pause()
            if not self._frame_error_shown:
                self._frame_error_shown = True
                self.show_error(_("Drawing this frame failed"), (exc, traceback.format_exc()), keeping=True)

    def draw_frame(self, et_s: float | None = None, *, sync: bool = False) -> None:
        """Draw the scene, numbers, plots and bar at ``et_s`` (default: the playhead).

        While playing, the telemetry panel (numbers and plot cursors) is refreshed
        at most every :data:`PANEL_INTERVAL_S` of the window's clock: the eye reads
        no more, and a pyqtgraph repaint costs as much as a 3D frame on this kind
        of machine. Paused, seeking or stepping, everything is refreshed at once.
        """
        if self.traj is None:
            return
        et = self.playback.et_s if et_s is None else et_s
        t0 = time.perf_counter()
        pb = self.playback
        self.view.set_playing(pb.playing and not sync)  # a screenshot is full size and antialiased
        self.view.show(et, sync=sync)
        now = self._clock()
        if not pb.playing or now - self._panel_at_s >= PANEL_INTERVAL_S or now < self._panel_at_s:
            self._panel_at_s = now
            self.telemetry.set_cursor(et, self.traj.at(et))
        self.bar.show_state(playing=pb.playing, speed=pb.speed, et_s=et,
                            utc=self._utc(et), l_minus=format_l_minus(et, self.traj.planned_touchdown_et_s))
        self._follow_event_list(et)
        self._last_frame_ms = 1000.0 * (time.perf_counter() - t0)
        self._frame_times.append(self._last_frame_ms)
        del self._frame_times[:-120]
        self.frame_drawn.emit(et)

    @property
    def mean_frame_ms(self) -> float:
        return sum(self._frame_times) / len(self._frame_times) if self._frame_times else math.nan

    # ============================================================== cameras
    def set_camera(self, name: str) -> None:
        self.view.set_camera(name)
        self._dirty = True

    def _on_camera_changed(self, name: str) -> None:
        if name == FREE:
            checked = self.camera_group.checkedAction()
            if checked is not None:
                self.camera_group.setExclusive(False)
                checked.setChecked(False)
                self.camera_group.setExclusive(True)
            self.free_label.setText(_("  free camera (mouse) — press 1–5 for a preset"))
        else:
            self.camera_actions[name].setChecked(True)
            self.free_label.setText("")
        self._dirty = True

    # ======================================================= screen modes
    def toggle_fullscreen(self) -> None:
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()
        self.fullscreen_action.setChecked(self.isFullScreen())

    def toggle_presentation(self) -> None:
        self.set_presentation(not self.presentation)

    def text_scale(self) -> float:
        """How much larger than the system's every text is drawn: the font scale, x1.6 when presenting."""
        return self.font_scale * (PRESENTATION_TEXT_SCALE if self.presentation else 1.0)

    def set_font_scale(self, scale: float) -> None:
        """Every text (panels, plots, HUD) ``scale`` x its normal size (a classroom's back row)."""
        self.font_scale = clamp_font_scale(scale)
        self._apply_text_scale()

    def _apply_text_scale(self) -> None:
        font = QtGui.QFont(self._base_font)
        size = self._base_font.pointSizeF()
        if size > 0:
            font.setPointSizeF(size * self.text_scale())
        self.setFont(font)
        for w in self.findChildren(QtWidgets.QWidget):
            if w is not self:
                w.setFont(font)
        self.telemetry.set_presentation(self.presentation, text_scale=self.font_scale)
        self.view.set_presentation(self.presentation, text_scale=self.font_scale)
        self.font_scale_changed.emit(self.font_scale)
        self._dirty = True

    def set_presentation(self, on: bool) -> None:
        """Large fonts, thick plot lines, a clean HUD; menus and status bar hidden."""
        self.presentation = bool(on)
        self.presentation_action.setChecked(self.presentation)
        self._apply_text_scale()
        self.menuBar().setVisible(not on)
        self.statusBar().setVisible(not on)
        # a projector needs the picture and the plots; the side panels come back afterwards
        side = (self.event_dock, self.whatif_dock)
        if on:
            self._side_visible = [d.isVisible() for d in side]
            for d in side:
                d.hide()
        else:
            for d, vis in zip(side, getattr(self, "_side_visible", [True, True]), strict=True):
                d.setVisible(vis)

    def enter_kiosk(self, panel) -> None:
        """Kiosk look (:mod:`lunarviz.app.kiosk`): no menus, toolbars or editing panels; ``panel``'s
        caption above the 3D view and its big buttons below it."""
        self.kiosk_panel = panel
        self.menuBar().setVisible(False)
        self.statusBar().setVisible(False)
        for w in (self.event_dock, self.whatif_dock, self.telemetry_dock, self.camera_toolbar,
                  self.playback_toolbar):
            w.hide()
        lay = self.centralWidget().layout()
        lay.insertWidget(0, panel.caption)
        lay.addWidget(panel.bar)
        panel.hide()  # only its parts are shown, in the layout

    def _on_labels(self, on: bool) -> None:
        self.view.set_labels(labels=on)
        self._dirty = True

    def _on_scale_bar(self, on: bool) -> None:
        self.view.set_labels(scale_bar=on)
        self._dirty = True

    def _escape(self) -> None:
        if self.presentation:
            self.set_presentation(False)
        if self.isFullScreen():
            self.toggle_fullscreen()

    def shortcut_rows(self) -> list[tuple[str, str, str]]:
        """``(menu, keys, what)`` for every action of the menus that has a key: the F1 list, made
        from the actions themselves so that it always tells the truth."""
        native = QtGui.QKeySequence.SequenceFormat.NativeText
        rows = []
        for menu_action in self.menuBar().actions():
            menu = menu_action.menu()
            if menu is None:
                continue
            title = menu.title().replace("&", "")
            for act in menu.actions():
                keys = [k.toString(native) for k in act.shortcuts() if not k.isEmpty()]
                if keys and not act.isSeparator():
                    rows.append((title, " / ".join(dict.fromkeys(keys)), act.text().replace("&", "")))
        camera = _("&Camera").replace("&", "")
        last_camera = max((i for i, r in enumerate(rows) if r[0] == camera), default=len(rows) - 1)
        rows.insert(last_camera + 1, (camera, _("mouse drag / wheel"), _("free camera (1–5 return to a preset)")))
        return rows

    def show_shortcuts(self) -> None:
        """The shortcut list as a two-column table; the keys work again once it is closed."""
        box = QtWidgets.QMessageBox(self)
        box.setWindowTitle(_("Keyboard shortcuts"))
        box.setTextFormat(QtCore.Qt.TextFormat.RichText)
        box.setText(shortcuts_html(self.shortcut_rows()))
        box.setStandardButtons(QtWidgets.QMessageBox.StandardButton.Close)
        box.finished.connect(lambda _r: (self.activateWindow(), self.centralWidget().setFocus()))
        self.shortcuts_box = box
        box.open()

    # ================================================================ export
    def choose_png(self) -> None:
        from .export import SaveFrameDialog

        dlg = SaveFrameDialog(self, tuple(self.view.plotter.window_size))
        self.save_frame_dialog = dlg
        dlg.accepted.connect(lambda: self.save_frame_png(dlg.path(), size=dlg.size(), hud=dlg.hud()))
        dlg.finished.connect(lambda _r: self.centralWidget().setFocus())
        dlg.open()

    def save_frame_png(self, path, *, size: tuple[int, int] | None = None, hud: bool = True) -> Path:
        """Save the current 3D frame as a PNG: at the pane's size or ``size`` (up to 3840x2160),
        with or without the HUD."""
        from lunarviz.fileio import atomic_output

        self.draw_frame(sync=True)
        with atomic_output(path) as tmp:
            self.view.save_png(tmp, size=size, hud=hud)
        self.statusBar().showMessage(_("Saved {path}").format(path=path), 5000)
        return Path(path)

    def choose_window_png(self) -> None:
        path, _filter = QtWidgets.QFileDialog.getSaveFileName(self, _("Save window screenshot"), "lunarviz-window.png",
                                                        _("PNG images (*.png)"))
        if path:
            self.save_window_png(path)

    def grab_window(self) -> QtGui.QImage:
        """The whole window as an image, with the 3D view's pixels read from OpenGL.

        ``QWidget.grab`` cannot read a native OpenGL child reliably, so the
        3D view is read back through VTK and painted into the grabbed window.
        """
        self.draw_frame(sync=True)
        QtWidgets.QApplication.processEvents()
        image = self.grab().toImage()
        rgb = self.view.plotter.screenshot(None, return_img=True)
        if rgb is not None:
            import numpy as np

            arr = np.ascontiguousarray(rgb[..., :3])
            h, w = arr.shape[:2]
            view_img = QtGui.QImage(arr.data, w, h, 3 * w, QtGui.QImage.Format.Format_RGB888).copy()
            widget = self.view.widget
            top_left = widget.mapTo(self, QtCore.QPoint(0, 0))
            ratio = image.devicePixelRatio() or 1.0
            target = QtCore.QRect(int(top_left.x() * ratio), int(top_left.y() * ratio),
                                  int(widget.width() * ratio), int(widget.height() * ratio))
            p = QtGui.QPainter(image)
            p.drawImage(target, view_img)
            p.end()
        return image

    def save_window_png(self, path) -> Path:
        from lunarviz.fileio import atomic_output

        image = self.grab_window()
        with atomic_output(path) as tmp:
            if not image.save(str(tmp), "PNG"):
                raise LunarvizError(f"{path}: could not write the PNG")
        return Path(path)

    def choose_video(self) -> None:
        from .export import VideoExportDialog

        if self.traj is None:
            return
        dlg = VideoExportDialog(self, self.traj, self.view.camera, self.playback.et_s, speed=self.playback.speed,
                                scenario_path=self.scenario_path, whatif=self.whatif_traj)
        self.video_dialog = dlg
        dlg.open()

    # ================================================================ close
    def closeEvent(self, ev: QtGui.QCloseEvent) -> None:
        self.timer.stop()
        if self._loading:
            QtWidgets.QApplication.restoreOverrideCursor()
            self._loading = False
        dlg = getattr(self, "video_dialog", None)
        if dlg is not None:
            dlg.cancel()
        self.jobs.shutdown()
        self.view.close()
        super().closeEvent(ev)


#: the viewer's opening shot when the scenario names none (``[render] open_at`` / ``open_camera``)
OPENING_AT = "touchdown-120s"
OPENING_CAMERA = "chase"


def opening_shot(sc, traj) -> tuple[str, str]:
    """The time spec and camera the viewer opens a scenario on: the scenario's own, or a chase
    shot two minutes before the touchdown (the start of the flight when it has no touchdown)."""
    rs = getattr(sc, "render", None)
    at = getattr(rs, "open_at", None) or (OPENING_AT if traj.event("touchdown") is not None else "start")
    return at, getattr(rs, "open_camera", None) or OPENING_CAMERA


def timeline_presets(traj, ghost, end_et_s: float) -> dict[str, tuple[float, float]]:
    """The timeline's preset spans (:data:`~.widgets.TIMELINE_PRESETS`) for a flight (and its what-if)."""
    out = {"whole": (traj.start_et_s, end_et_s)}
    ev = traj.event("powered_descent")
    if ev is not None:
        out["powered"] = (ev.et_s - 30.0, end_et_s)
    landings = [e.et_s for t in (traj, ghost) if t is not None for e in [t.event("touchdown")] if e is not None]
    last = max(landings) if landings else end_et_s
    out["last3"] = (min(last + 20.0, end_et_s) - 180.0, min(last + 20.0, end_et_s))
    return out


def resolve_time(at, traj) -> float:
    """ET seconds for ``at``: ET seconds (a number), seconds from the start (a numeric string such
    as ``"120"``), an event name, or a ``render.timespec`` spec (``touchdown-60s``, ISO UTC);
    clamped to the flight."""
    if at is None:
        return traj.start_et_s
    if isinstance(at, (int, float)):
        return float(at)
    text = str(at).strip()
    try:
        return traj.start_et_s + float(text)
    except ValueError:
        pass
    ev = traj.event(text)
    if ev is not None:
        return float(ev.et_s)
    from lunarviz.render.timespec import parse_time_spec

    return float(parse_time_spec(text, traj, clamp=True))


def shortcuts_html(rows: list[tuple[str, str, str]]) -> str:
    """``(menu, keys, what)`` rows as an HTML table, one section per menu (keys left, aligned)."""
    import html

    out, last = [], None
    for menu, keys, what in rows:
        if menu != last:
            out.append(f"<tr><td colspan='2' style='padding-top:6px'><i>{html.escape(menu)}</i></td></tr>")
            last = menu
        out.append(f"<tr><td style='padding-right:18px'><b>{html.escape(keys)}</b></td>"
                   f"<td>{html.escape(what)}</td></tr>")
    return f"<table cellspacing='2'>{''.join(out)}</table>"
