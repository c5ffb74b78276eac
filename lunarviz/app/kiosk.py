"""Kiosk / attract mode: the viewer full screen, touring the shipped scenes by itself.

``lunarviz view --kiosk [SCENE...]`` hides the menus and editing panels,
shows a large caption and large touch-friendly buttons (play/pause, replay,
"what if it had worked?", next mission), and loops the guided tour of
:mod:`lunarviz.app.tour`. Any touch, click, wheel or key pauses the tour; after
``idle_s`` seconds without input it resumes. Flights (and what-if flights) are
flown once per scene and kept, so a loop running for days re-uses them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from lunarviz.i18n import N_, _

from .tour import KIOSK_IDLE_S, Stop, TourClock, stops_for

#: how often the kiosk checks its tour clock, ms
KIOSK_TICK_MS = 250
#: minimum height of the kiosk's buttons, px (a finger, not a mouse pointer)
KIOSK_BUTTON_PX = 72
#: the events that count as a visitor using the screen
_INPUT_EVENTS = {QtCore.QEvent.Type.MouseButtonPress, QtCore.QEvent.Type.KeyPress, QtCore.QEvent.Type.Wheel,
                 QtCore.QEvent.Type.TouchBegin}


def _fly_scene(path):
    from .window import load_and_fly

    return load_and_fly(path)


def _fly_whatif(sc):
    from .whatif import apply_changes
    from .window import fly_scenario

    return fly_scenario(apply_changes(sc, {"lrf_valid_below_m": float(sc.lrf.max_range_m)}))


class KioskPanel(QtWidgets.QWidget):
    """The caption (top) and the big buttons (bottom) around the 3D view."""

    def __init__(self, parent: QtWidgets.QWidget) -> None:
        super().__init__(parent)
        self.caption = QtWidgets.QLabel(self)
        self.caption.setWordWrap(True)
        self.caption.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        self.caption.setStyleSheet("QLabel { background: #10131a; color: #f0f0f0; padding: 10px; }")
        font = self.caption.font()
        font.setPointSizeF(max(font.pointSizeF(), 9.0) * 2.0)
        self.caption.setFont(font)
        self.buttons: dict[str, QtWidgets.QPushButton] = {}
        row = QtWidgets.QHBoxLayout()
        bfont = QtGui.QFont(font)
        bfont.setPointSizeF(font.pointSizeF() * 0.8)
        for key, text in (("play", N_("Play / pause")), ("replay", N_("Replay")),
                          ("whatif", N_("What if it had worked?")), ("next", N_("Next mission"))):
            b = QtWidgets.QPushButton(_(text), self)
            b.setMinimumHeight(KIOSK_BUTTON_PX)
            b.setFont(bfont)
            b.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
            self.buttons[key] = b
            row.addWidget(b)
        self.bar = QtWidgets.QWidget(self)
        self.bar.setLayout(row)


class Kiosk(QtCore.QObject):
    """Drives a :class:`~lunarviz.app.window.MainWindow` through the tour.

    ``clock`` (monotonic seconds) and ``fly_scene(path) -> (scenario, traj)`` /
    ``fly_whatif(scenario) -> traj`` are injectable for tests.
    """

    stop_shown = QtCore.Signal(int, int)   # scene index, stop index

    def __init__(self, win, scenes: list[Path], *, idle_s: float = KIOSK_IDLE_S,
                 clock: Callable[[], float] = time.monotonic, fly_scene=_fly_scene, fly_whatif=_fly_whatif,
                 timer: bool = True) -> None:
        super().__init__(win)
        self.win = win
        self.scenes = [Path(p) for p in scenes]
        self._fly_scene = fly_scene
        self._fly_whatif = fly_whatif
        self._flights: dict[int, tuple] = {}
        self._ghosts: dict[int, object] = {}
        self._stops: dict[int, list[Stop]] = {}
        self.shown_scene: int | None = None
        self.tour = TourClock(len(self.scenes), self.stops_of, clock=clock, idle_s=idle_s)
        self.panel = KioskPanel(win)
        b = self.panel.buttons
        b["play"].clicked.connect(win.toggle_play)
        b["replay"].clicked.connect(self.replay)
        b["whatif"].clicked.connect(self.show_whatif)
        b["next"].clicked.connect(self.next_mission)
        win.enter_kiosk(self.panel)
        QtWidgets.QApplication.instance().installEventFilter(self)
        self.timer = QtCore.QTimer(self)
        self.timer.setInterval(KIOSK_TICK_MS)
        self.timer.timeout.connect(self.tick)
        if timer:
            self.timer.start()

    # ------------------------------------------------------------ flights
    def flight(self, i: int) -> tuple:
        if i not in self._flights:
            self._flights[i] = self._fly_scene(self.scenes[i])
        return self._flights[i]

    def stops_of(self, i: int) -> list[Stop]:
        if i not in self._stops:
            sc, traj = self.flight(i)
            self._stops[i] = stops_for(sc, traj)
        return self._stops[i]

    def ghost(self, i: int):
        if i not in self._ghosts:
            self._ghosts[i] = self._fly_whatif(self.flight(i)[0])
        return self._ghosts[i]

    # ------------------------------------------------------------- showing
    def show_stop(self) -> None:
        """Show the tour's current stop (loading its scene when it is not on screen)."""
        from .window import resolve_time

        t = self.tour
        stop = t.stop
        sc, traj = self.flight(t.scene)
        win = self.win
        if self.shown_scene != t.scene:
            win.set_trajectory(traj, sc)
            self.shown_scene = t.scene
        if stop.whatif:
            if win.whatif_traj is None:
                win.set_whatif_trajectory(self.ghost(t.scene))
        elif win.whatif_traj is not None:
            win.reset_whatif()
        win.set_follow(stop.follow)
        win.set_camera(stop.camera)
        win.seek(resolve_time(stop.at, traj))
        win.set_speed(stop.speed)
        win.play()
        self.panel.caption.setText(stop.caption)
        self.stop_shown.emit(t.scene, t.index)

    def tick(self) -> None:
        if self.tour.tick() is not None:
            self.show_stop()

    def start(self) -> None:
        self.tour.start_stop()
        self.show_stop()

    # ------------------------------------------------------------ controls
    def replay(self) -> None:
        self.show_stop()

    def next_mission(self) -> None:
        self.tour.next_scene()
        self.show_stop()

    def show_whatif(self) -> None:
        """The current scene's what-if stop (or, without one, the rangefinder what-if from a minute out)."""
        stops = self.stops_of(self.tour.scene)
        for i, stop in enumerate(stops):
            if stop.whatif:
                self.tour.index = i
                break
        else:
            self.panel.caption.setText(_("This landing needs no what-if: its rangefinder worked"))
            return
        self.show_stop()

    def eventFilter(self, obj, ev) -> bool:
        if ev.type() in _INPUT_EVENTS:
            self.tour.user_input()
        return False
