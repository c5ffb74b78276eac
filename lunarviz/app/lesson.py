"""Lesson mode in the viewer: the lesson panel, and the glue from :mod:`lunarviz.lesson` to the window.

``lunarviz view --lesson SCENE``. The state machine (which step, question or
reveal, what each shows) is :class:`lunarviz.lesson.LessonRun`, without Qt;
:class:`LessonController` makes the window show a :class:`~lunarviz.lesson.Stage`
through the window's own API (``seek``, ``play``, ``pause``, ``set_camera``,
``set_follow``, ``open_scenario``, ``fly_whatif``, ``reset_whatif``), keeps
every scene and what-if it has flown so stepping back and forth does not fly
them again, and moves the lesson on when the playhead reaches the next
step's moment. Keys: Right / PageDown next, Left / PageUp back, Up / Down
pick an answer (the frame-step keys move to Shift+Left/Right's 10 s steps).
"""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from lunarviz.errors import LunarvizError
from lunarviz.i18n import _, ngettext
from lunarviz.lesson import LessonRun, Stage

#: text sizes of the lesson panel, points (read from the back of a classroom on a projector)
PROMPT_PT = 20
TEXT_PT = 15
#: the least height of the Back / Next buttons, px
BUTTON_PX = 56
#: the lesson panel's width, px
PANEL_PX = 600
#: the time span of the plots in a lesson (:data:`lunarviz.app.plots.RANGE_MODES`): its last minutes
LESSON_PLOTS = "last10"
#: an answer choice's look: background colour, border colour and width (px)
_CHOICE_CSS = ("QLabel {{ color: #f2f2f2; font-size: TEXTpt; background: rgb{bg}; border: {bw}px solid {border}; "
               "border-radius: 8px; padding: 8px 10px; }}")
#: the border of the picked answer, and of the others
PICKED_BORDER, CHOICE_BORDER = ("#ffd75a", 4), ("#59627a", 2)
#: the colours of an answer choice: as asked, the right one revealed, a wrong one that had been picked
CHOICE_RGB = (30, 35, 48)
RIGHT_RGB = (30, 110, 60)
WRONG_RGB = (120, 50, 30)
#: the marks before a revealed answer (shapes as well as colours, for colour-blind eyes)
RIGHT_MARK, WRONG_MARK = "✔ ", "✘ "


class ChoiceLabel(QtWidgets.QLabel):
    """One answer choice: a word-wrapped, clickable box."""

    clicked = QtCore.Signal()

    def __init__(self, text: str, parent: QtWidgets.QWidget) -> None:
        super().__init__(text, parent)
        self.setWordWrap(True)
        self.setTextFormat(QtCore.Qt.TextFormat.PlainText)
        self.setCursor(QtCore.Qt.CursorShape.PointingHandCursor)

    def mousePressEvent(self, ev) -> None:
        self.clicked.emit()
        super().mousePressEvent(ev)

    def set_look(self, rgb: tuple[int, int, int], picked: bool, text_pt: int = TEXT_PT) -> None:
        border, width = PICKED_BORDER if picked else CHOICE_BORDER
        self.setStyleSheet(_CHOICE_CSS.replace("TEXT", str(text_pt)).format(bg=rgb, border=border, bw=width))


class LessonPanel(QtWidgets.QWidget):
    """The question, its answer choices, the explanation and the Back / Next buttons. Shows; decides nothing."""

    next_requested = QtCore.Signal()
    back_requested = QtCore.Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet("LessonPanel, QWidget#lesson { background: #10131a; }")
        self.setObjectName("lesson")
        self.setAttribute(QtCore.Qt.WidgetAttribute.WA_StyledBackground, True)

        #: the window's font scale (``view --font-scale``, Ctrl+plus/minus): every size here times it
        self.text_scale = 1.0
        self._styles: list[tuple[QtWidgets.QWidget, str, int]] = []  # widget, its style with PT, base size

        def label(pt: int, color: str = "#f0f0f0", bold: bool = False, extra: str = "") -> QtWidgets.QLabel:
            lab = QtWidgets.QLabel(self)
            lab.setWordWrap(True)
            lab.setTextFormat(QtCore.Qt.TextFormat.PlainText)
            weight = "bold" if bold else "normal"
            self._styles.append((lab, f"QLabel {{ color: {color}; font-size: PTpt; font-weight: {weight}; {extra}}}",
                                 pt))
            return lab

        self.counter = label(TEXT_PT, "#ffd75a", bold=True)
        self.title = label(TEXT_PT, "#b8c4e0")
        self.prompt = label(PROMPT_PT, bold=True)
        self.choices = QtWidgets.QWidget(self)
        self.choice_layout = QtWidgets.QVBoxLayout(self.choices)
        self.choice_layout.setContentsMargins(0, 0, 0, 0)
        self.choice_labels: list[ChoiceLabel] = []
        self.choice_texts: tuple[str, ...] = ()
        #: the choice picked (the class's guess), -1: none
        self.picked = -1
        self._answer: int | None = None
        self.explain = label(TEXT_PT, "#d8f5dc", extra="background: #173222; border-radius: 8px; padding: 10px; ")
        self.status = label(TEXT_PT - 3, "#9aa3b5")
        self.back_button = self._button(_("◀  Back  (←)"), self.back_requested)
        self.next_button = self._button(_("Next  (→)  ▶"), self.next_requested)
        self.set_text_scale(1.0)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.back_button)
        row.addWidget(self.next_button, 1)
        # the question scrolls when it does not fit (large text on a short screen); the buttons stay
        body = QtWidgets.QWidget()
        text = QtWidgets.QVBoxLayout(body)
        text.setContentsMargins(0, 0, 0, 0)
        text.setSpacing(10)
        for w in (self.counter, self.title, self.prompt, self.choices, self.explain):
            text.addWidget(w)
        text.addStretch(1)
        self.scroll = QtWidgets.QScrollArea(self)
        self.scroll.setWidget(body)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for w in (body, self.scroll, self.scroll.viewport()):
            w.setObjectName("lesson")  # the panel's dark background (its style sheet)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 12)
        lay.setSpacing(10)
        lay.addWidget(self.scroll, 1)
        lay.addWidget(self.status)
        lay.addLayout(row)

    def _button(self, text: str, signal) -> QtWidgets.QPushButton:
        b = QtWidgets.QPushButton(text, self)
        b.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        self._styles.append((b, "QPushButton { font-size: PTpt; padding: 6px 14px; }", TEXT_PT))
        b.clicked.connect(signal.emit)
        return b

    def _pt(self, pt: int) -> int:
        return max(6, round(pt * self.text_scale))

    def set_text_scale(self, scale: float) -> None:
        """Every text of the panel (and the buttons' height) ``scale`` x its size: the window's font
        scale reaches the lesson as it does every other panel (the sizes here are style sheets,
        which a window font does not change)."""
        self.text_scale = float(scale)
        for w, css, pt in self._styles:
            w.setStyleSheet(css.replace("PT", str(self._pt(pt))))
        for b in (self.back_button, self.next_button):
            b.setMinimumHeight(round(BUTTON_PX * max(1.0, self.text_scale)))
        self.mark_answer(self._answer)

    def show_text(self, *, counter: str, title: str, prompt: str, choices: tuple[str, ...],
                  explain: str, next_text: str, can_back: bool, can_next: bool) -> None:
        self.counter.setText(counter)
        self.title.setText(title)
        self.title.setVisible(bool(title))
        self.prompt.setText(prompt)
        if self.choice_texts != choices:
            for lab in self.choice_labels:
                lab.deleteLater()
            self.choice_labels = []
            for i, text in enumerate(choices):
                lab = ChoiceLabel(text, self.choices)
                lab.clicked.connect(lambda i=i: self.set_picked(i))
                self.choice_layout.addWidget(lab)
                self.choice_labels.append(lab)
            self.choice_texts = choices
            self.picked = -1
        self.choices.setVisible(bool(choices))
        self.explain.setText(explain)
        self.explain.setVisible(bool(explain))
        self.next_button.setText(next_text)
        self.back_button.setEnabled(can_back)
        self.next_button.setEnabled(can_next)

    def mark_answer(self, answer: int | None) -> None:
        """Mark the right choice (and a wrong one picked) with a tick / cross and a colour; None: unmarked."""
        self._answer = answer
        for i, (lab, text) in enumerate(zip(self.choice_labels, self.choice_texts, strict=True)):
            mark, rgb = "", CHOICE_RGB
            if answer is not None and i == answer:
                mark, rgb = RIGHT_MARK, RIGHT_RGB
            elif answer is not None and i == self.picked:
                mark, rgb = WRONG_MARK, WRONG_RGB
            lab.setText(mark + text)
            lab.set_look(rgb, i == self.picked, self._pt(TEXT_PT))

    def set_picked(self, i: int) -> None:
        """The class's guess (-1: none)."""
        self.picked = i if -1 <= i < len(self.choice_labels) else -1
        self.mark_answer(self._answer)

    def pick(self, step: int) -> None:
        """Move the picked answer up (-1) or down (+1)."""
        n = len(self.choice_labels)
        if n:
            row = self.picked
            self.set_picked(min(max(row + step, 0), n - 1) if row >= 0 else (0 if step > 0 else n - 1))


class LessonController(QtCore.QObject):
    """Runs a :class:`~lunarviz.scenario.Lesson` in a :class:`~lunarviz.app.window.MainWindow`.

    Call :meth:`start` once the window shows the lesson's own scenario (``path``).
    """

    #: emitted with the Stage once the window shows it (its scene and what-if flown)
    stage_shown = QtCore.Signal(object)

    def __init__(self, win, lesson, path) -> None:
        super().__init__(win)
        self.win = win
        self.run = LessonRun(lesson)
        self.own_path = Path(path).resolve()
        self._flights: dict[Path, tuple] = {}
        self._ghosts: dict[tuple, object] = {}
        self._waiting: str | None = None
        self._until_et: float | None = None
        self._last_et = float("nan")
        self.panel = LessonPanel(win)
        self.panel.next_requested.connect(self.next)
        self.panel.back_requested.connect(self.back)
        self._build_dock()
        self._take_keys()
        self.set_text_scale(win.font_scale)
        win.font_scale_changed.connect(self.set_text_scale)
        win.trajectory_loaded.connect(self._on_loaded)
        win.whatif_finished.connect(self._on_whatif)
        win.frame_drawn.connect(self._on_frame)

    def _build_dock(self) -> None:
        win = self.win
        dock = QtWidgets.QDockWidget(_("Lesson"), win)
        dock.setObjectName("lesson")
        dock.setFeatures(QtWidgets.QDockWidget.DockWidgetFeature.NoDockWidgetFeatures)
        dock.setWidget(self.panel)
        win.addDockWidget(QtCore.Qt.DockWidgetArea.RightDockWidgetArea, dock)
        for d in (win.event_dock, win.whatif_dock, win.telemetry_dock):
            d.hide()
        # leaving presentation mode (P / Esc) brings back the side panels it found: none in a lesson
        win._side_visible = [False, False]
        # the plots (a "plot" reveal) open on the left: the question keeps the whole right side
        win.addDockWidget(QtCore.Qt.DockWidgetArea.LeftDockWidgetArea, win.telemetry_dock)
        win.telemetry_dock.hide()
        win.telemetry.set_range_mode(LESSON_PLOTS)
        self.dock = dock

    def set_text_scale(self, scale: float) -> None:
        """The panel's text at the window's font scale, the panel wider with it (up to half the window)."""
        self.panel.set_text_scale(scale)
        width = min(round(PANEL_PX * max(1.0, scale)), max(PANEL_PX, self.win.width() // 2))
        self.win.resizeDocks([self.dock], [width], QtCore.Qt.Orientation.Horizontal)

    def _take_keys(self) -> None:
        """Right/PageDown = next, Left/PageUp = back, Up/Down = pick an answer (the frame steps give up ←/→)."""
        K = QtCore.Qt.Key
        arrows = {QtGui.QKeySequence(K.Key_Right), QtGui.QKeySequence(K.Key_Left)}
        for act in self.win.actions():
            if act.shortcuts() and set(act.shortcuts()) <= arrows:
                act.setShortcuts([])
        self.actions = {}
        for name, keys, slot in (("next", (K.Key_Right, K.Key_PageDown), self.next),
                                 ("back", (K.Key_Left, K.Key_PageUp), self.back),
                                 ("up", (K.Key_Up,), lambda: self.panel.pick(-1)),
                                 ("down", (K.Key_Down,), lambda: self.panel.pick(+1))):
            act = QtGui.QAction(self.win)
            act.setShortcuts([QtGui.QKeySequence(k) for k in keys])
            act.triggered.connect(slot)
            self.win.addAction(act)
            self.actions[name] = act

    # ------------------------------------------------------------------ moving
    def start(self) -> None:
        self._flights[self.own_path] = (self.win.scenario, self.win.traj)
        self.show()

    def next(self) -> None:
        if self.run.next():
            self.show()

    def back(self) -> None:
        if self.run.back():
            self.show()

    def go_to_step(self, number: int) -> None:
        self.run.go_to_step(number)
        self.show()

    def show(self) -> None:
        """Show the run's stage: the panel at once, the window once its scene and what-if are flown."""
        st = self.run.stage
        self._show_text(st)
        self._until_et = None
        self._apply(st)

    # ------------------------------------------------------------------ showing
    def _show_text(self, st: Stage) -> None:
        run, lesson = self.run, self.run.lesson
        step = run.step
        if step is None:  # the intro
            counter = ngettext("A lesson in {n} step", "A lesson in {n} steps", run.count).format(n=run.count)
            title, prompt, choices, explain = "", _(lesson.title), (), _(lesson.intro) if lesson.intro else ""
            next_text = _("Start  (→)  ▶") if not st.revealed else _("Skip to the first question  (→)  ▶")
        else:
            counter = _("Step {n} of {count}").format(n=run.number, count=run.count)
            title, prompt, choices = _(lesson.title), _(step.prompt), tuple(_(c) for c in step.choices)
            explain = _(step.explain) if st.revealed and step.explain else ""
            next_text = (_("The end") if run.at_end else _("Next question  (→)  ▶")) if st.revealed else \
                _("Show  (→)  ▶")
        self.panel.show_text(counter=counter, title=title, prompt=prompt, choices=choices, explain=explain,
                             next_text=next_text, can_back=run.pos > 0, can_next=not run.at_end)
        if not st.revealed:
            self.panel.picked = -1
        self.panel.mark_answer(step.answer if (step is not None and st.revealed) else None)

    def _scene_path(self, st: Stage) -> Path:
        return Path(st.scene).resolve() if st.scene else self.own_path

    def _apply(self, st: Stage) -> None:
        win = self.win
        path = self._scene_path(st)
        if win.scenario_path is None or Path(win.scenario_path).resolve() != path:
            if path in self._flights:
                sc, traj = self._flights[path]
                win.set_trajectory(traj, sc)
                win.scenario_path = path
            else:
                self._wait("scene", _("Loading {name} and flying it…").format(name=path.stem))
                win.open_scenario(path)
                return
        key = (path, tuple(sorted(st.whatif.items()))) if st.whatif else None
        if key is None:
            if win.whatif_traj is not None:
                win.reset_whatif()
        elif win.whatif_traj is None or win.whatif_traj is not self._ghosts.get(key):
            if key in self._ghosts:
                win.set_whatif_trajectory(self._ghosts[key])
            else:
                for k, v in st.whatif.items():
                    win.whatif.set_value(k, v)
                self._wait("whatif", _("Flying the what-if…"))
                self._ghost_key = key
                win.fly_whatif(dict(st.whatif))
                return
        self._finish(st)

    def _wait(self, what: str, text: str) -> None:
        self._waiting = what
        self.win.pause()
        self.panel.status.setText(text)

    def _finish(self, st: Stage) -> None:
        from .window import resolve_time

        win = self.win
        self._waiting = None
        win.telemetry_dock.setVisible(st.plot)
        win.set_follow(st.follow if win.whatif_traj is not None else "flown")
        win.set_camera(st.camera)
        win.set_speed(st.speed)
        try:
            et = resolve_time(st.at, win.traj) + st.offset_s
            self._until_et = resolve_time(st.until, win.traj) if st.until else None
        except LunarvizError as exc:  # e.g. an event this flight does not have
            win.pause()
            win.show_error(_("This lesson step cannot be shown"), (exc, ""), keeping=True)
            return
        win.seek(et)
        self._last_et = win.playback.et_s
        if st.playing:
            win.play()
            self.panel.status.setText(_("Playing to the next question…") if st.until else _("Playing to the end"))
        else:
            win.pause()
            self.panel.status.setText(_("Press Next (→) to start") if st.index < 0 else
                                      _("Paused: ask the class, then press Next (→)"))
        self.stage_shown.emit(st)

    # ------------------------------------------------------------------ window signals
    def _on_loaded(self, _traj) -> None:
        if self._waiting == "scene":
            self._flights[Path(self.win.scenario_path).resolve()] = (self.win.scenario, self.win.traj)
            # after the window's own handling of the load (it seeks to its opening shot)
            QtCore.QTimer.singleShot(0, lambda st=self.run.stage: self._apply(st) if st == self.run.stage else None)

    def _on_whatif(self, traj) -> None:
        if self._waiting == "whatif":
            self._ghosts[self._ghost_key] = traj
            self._apply(self.run.stage)

    def _on_frame(self, et_s: float) -> None:
        """Playing past the next step's moment moves the lesson on (paused on its question)."""
        until, last = self._until_et, self._last_et
        self._last_et = et_s
        if until is not None and self._waiting is None and last < until <= et_s + 1e-6 and self.run.reached():
            self.show()

