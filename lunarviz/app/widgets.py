"""Small Qt widgets of the viewer: the timeline with event ticks and the playback bar."""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from .playback import SPEEDS, Mark, format_speed

#: slider resolution: positions per scenario span
TIMELINE_STEPS = 100_000


class Timeline(QtWidgets.QSlider):
    """A horizontal slider over the whole scenario with a tick per event.

    Positions are fractions of the span scaled to ``0..TIMELINE_STEPS``; the
    tooltip of a tick names its event. ``scrubbed(fraction)`` is emitted while
    the user drags or clicks.
    """

    scrubbed = QtCore.Signal(float)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(QtCore.Qt.Orientation.Horizontal, parent)
        self.setRange(0, TIMELINE_STEPS)
        self.setPageStep(TIMELINE_STEPS // 100)
        self.setMinimumHeight(34)
        self.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        self._marks: list[tuple[float, Mark]] = []
        self.valueChanged.connect(self._on_value)
        self.setToolTip("Drag to scrub through the scenario; ticks mark events")

    def _on_value(self, value: int) -> None:
        # set_fraction blocks signals, so this fires only for the user's moves
        self.scrubbed.emit(value / TIMELINE_STEPS)

    def set_marks(self, marks: list[tuple[float, Mark]]) -> None:
        """``marks``: ``(fraction, Mark)`` pairs drawn as ticks."""
        self._marks = list(marks)
        self.update()

    def set_fraction(self, fraction: float) -> None:
        """Move the handle without emitting ``scrubbed`` (playhead follows time)."""
        if self.isSliderDown():
            return
        blocked = self.blockSignals(True)
        self.setValue(round(min(max(fraction, 0.0), 1.0) * TIMELINE_STEPS))
        self.blockSignals(blocked)

    def mousePressEvent(self, ev: QtGui.QMouseEvent) -> None:  # jump to the click, then drag
        if ev.button() == QtCore.Qt.MouseButton.LeftButton:
            opt = QtWidgets.QStyleOptionSlider()
            self.initStyleOption(opt)
            handle = self.style().subControlRect(
                QtWidgets.QStyle.ComplexControl.CC_Slider, opt, QtWidgets.QStyle.SubControl.SC_SliderHandle, self)
            if not handle.contains(ev.position().toPoint()):
                self.setValue(self._value_at(ev.position().x()))
        super().mousePressEvent(ev)

    def _value_at(self, x: float) -> int:
        span = max(self.width() - 16, 1)
        return QtWidgets.QStyle.sliderValueFromPosition(0, TIMELINE_STEPS, int(x - 8), span)

    def paintEvent(self, ev: QtGui.QPaintEvent) -> None:
        super().paintEvent(ev)
        if not self._marks:
            return
        p = QtGui.QPainter(self)
        pen = QtGui.QPen(QtGui.QColor(230, 150, 40))
        pen.setWidth(2)
        p.setPen(pen)
        span = max(self.width() - 16, 1)
        h = self.height()
        for frac, _mark in self._marks:
            x = 8 + QtWidgets.QStyle.sliderPositionFromValue(0, TIMELINE_STEPS, round(frac * TIMELINE_STEPS), span)
            p.drawLine(x, 0, x, h // 4)
            p.drawLine(x, h - h // 4, x, h)
        p.end()

    def event(self, ev: QtCore.QEvent) -> bool:
        if ev.type() == QtCore.QEvent.Type.ToolTip and self._marks:
            pos = ev.pos()
            span = max(self.width() - 16, 1)
            best = None
            for frac, mark in self._marks:
                x = 8 + QtWidgets.QStyle.sliderPositionFromValue(0, TIMELINE_STEPS, round(frac * TIMELINE_STEPS), span)
                if abs(x - pos.x()) <= 5:
                    best = mark
            if best is not None:
                QtWidgets.QToolTip.showText(ev.globalPos(), best.label, self)
                return True
        return super().event(ev)


class PlaybackBar(QtWidgets.QWidget):
    """Play/pause, steps, speed, timeline, UTC and L-minus labels.

    The bar holds no state of its own: it emits requests and the window, which
    owns the :class:`~lunarviz.app.playback.Playback`, calls :meth:`show_state`.
    """

    play_toggled = QtCore.Signal()
    step_requested = QtCore.Signal(float)    # scenario seconds
    frame_requested = QtCore.Signal(int)     # display frames
    speed_chosen = QtCore.Signal(float)
    scrubbed = QtCore.Signal(float)          # fraction of the span

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        style = self.style()
        sp = QtWidgets.QStyle.StandardPixmap
        self.play_button = QtWidgets.QToolButton(self)
        self.play_button.setIcon(style.standardIcon(sp.SP_MediaPlay))
        self.play_button.setToolTip("Play / pause (Space)")
        self.play_button.clicked.connect(self.play_toggled.emit)

        def button(icon, text, tip, slot):
            b = QtWidgets.QToolButton(self)
            if icon is not None:
                b.setIcon(style.standardIcon(icon))
            else:
                b.setText(text)
            b.setToolTip(tip)
            b.clicked.connect(slot)
            b.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
            return b

        self.back10 = button(sp.SP_MediaSeekBackward, "", "Back 10 s (Shift+Left)",
                             lambda: self.step_requested.emit(-10.0))
        self.back1 = button(None, "-1f", "Back one frame (Left)", lambda: self.frame_requested.emit(-1))
        self.fwd1 = button(None, "+1f", "Forward one frame (Right)", lambda: self.frame_requested.emit(1))
        self.fwd10 = button(sp.SP_MediaSeekForward, "", "Forward 10 s (Shift+Right)",
                            lambda: self.step_requested.emit(10.0))
        self.play_button.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)

        self.speed = QtWidgets.QComboBox(self)
        for s in SPEEDS:
            self.speed.addItem(format_speed(s), s)
        self.speed.setToolTip("Playback speed ([ slower, ] faster)")
        self.speed.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        self.speed.activated.connect(lambda i: self.speed_chosen.emit(float(self.speed.itemData(i))))

        self.timeline = Timeline(self)
        self.timeline.scrubbed.connect(self.scrubbed.emit)

        self.utc_label = QtWidgets.QLabel("—", self)
        self.utc_label.setObjectName("utc")
        self.lminus_label = QtWidgets.QLabel("", self)
        self.lminus_label.setObjectName("lminus")
        mono = QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont)
        for lab in (self.utc_label, self.lminus_label):
            lab.setFont(mono)
        self.lminus_label.setToolTip("Time to the planned touchdown")

        row = QtWidgets.QHBoxLayout(self)
        row.setContentsMargins(6, 2, 6, 2)
        for w in (self.play_button, self.back10, self.back1, self.fwd1, self.fwd10, self.speed):
            row.addWidget(w)
        row.addWidget(self.timeline, 1)
        row.addWidget(self.utc_label)
        row.addSpacing(8)
        row.addWidget(self.lminus_label)

    def show_state(self, *, playing: bool, speed: float, fraction: float, utc: str, l_minus: str) -> None:
        sp = QtWidgets.QStyle.StandardPixmap
        icon = sp.SP_MediaPause if playing else sp.SP_MediaPlay
        if getattr(self, "_icon", None) != icon:
            self.play_button.setIcon(self.style().standardIcon(icon))
            self._icon = icon
        i = self.speed.findData(speed)
        if i < 0:
            self.speed.addItem(format_speed(speed), speed)
            i = self.speed.count() - 1
        if self.speed.currentIndex() != i:
            self.speed.setCurrentIndex(i)
        self.timeline.set_fraction(fraction)
        self.utc_label.setText(utc)
        self.lminus_label.setText(l_minus)
