"""Small Qt widgets of the viewer: the zoomable timeline with event ticks and the playback bar."""

from __future__ import annotations

import math

from PySide6 import QtCore, QtGui, QtWidgets

from lunarviz import palette
from lunarviz.i18n import N_, _

from .playback import SPEEDS, Mark, format_speed

#: the timeline's preset spans (keys for :meth:`Timeline.set_preset`), in menu order
TIMELINE_PRESETS = {"whole": N_("Whole flight"), "powered": N_("Powered descent"), "last3": N_("Last 3 minutes")}
#: the shortest span the timeline zooms to, s
MIN_VIEW_S = 5.0
#: zoom per wheel notch (120 eighths of a degree)
WHEEL_ZOOM = 1.25
#: horizontal margin of the track, px
TRACK_MARGIN_PX = 10
#: the playhead's line width, px, and the half-width of the strip repainted where it moves
PLAYHEAD_PEN_PX = 3
PLAYHEAD_HALF_WIDTH_PX = PLAYHEAD_PEN_PX + 1
#: the track's height above the widget's bottom, and how far an event tick reaches either side of it, px
TRACK_FROM_BOTTOM_PX = 14
TICK_HALF_PX = 8


class Timeline(QtWidgets.QWidget):
    """A zoomable, pannable timeline in ET seconds with labelled event ticks.

    The track shows the *view* ``[view_start_s, view_end_s]`` of the span.
    Left click/drag scrubs (``scrubbed(et_s)``); the wheel zooms about the
    pointer; a right- or middle-button drag (or Shift+drag) pans. While playing,
    a playhead leaving the view pages the view along with it.
    """

    scrubbed = QtCore.Signal(float)        # ET seconds
    view_changed = QtCore.Signal(float, float)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(self._min_height())
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Fixed)
        self.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        self.setMouseTracking(True)
        self.span = (0.0, 1.0)
        self.view = (0.0, 1.0)
        self.et_s = 0.0
        self.marks: list[Mark] = []
        self._presets: dict[str, tuple[float, float]] = {}
        self._drag: str | None = None
        self._pan_from: tuple[float, float, float] | None = None
        self.setToolTip(_("Click or drag to scrub; wheel to zoom; right-drag (or Shift+drag) to pan"))

    # ----------------------------------------------------------- model
    def set_span(self, start_s: float, end_s: float, presets: dict[str, tuple[float, float]] | None = None) -> None:
        """The whole timeline; ``presets`` maps :data:`TIMELINE_PRESETS` keys to ``(start, end)``."""
        self.span = (float(start_s), float(end_s))
        self._presets = dict(presets or {})
        self.set_view(*self.span)

    def set_marks(self, marks: list[Mark]) -> None:
        self.marks = sorted(marks, key=lambda m: m.et_s)
        self.update()

    def set_view(self, start_s: float, end_s: float) -> None:
        """Show ``[start_s, end_s]`` (clamped to the span, at least :data:`MIN_VIEW_S` long)."""
        s0, s1 = self.span
        width = min(max(float(end_s) - float(start_s), min(MIN_VIEW_S, s1 - s0)), s1 - s0)
        lo = min(max(float(start_s), s0), s1 - width)
        new = (lo, lo + width)
        if new != self.view:
            self.view = new
            self.view_changed.emit(*new)
        self.update()

    def set_preset(self, key: str) -> None:
        """Zoom to a preset span (:data:`TIMELINE_PRESETS`); the whole flight if this one has none."""
        if key not in TIMELINE_PRESETS:
            raise ValueError(f"unknown timeline span {key!r}; expected one of {', '.join(TIMELINE_PRESETS)}")
        self.set_view(*self._presets.get(key, self.span))

    def zoom(self, factor: float, about_s: float | None = None) -> None:
        """Zoom in (``factor`` > 1) or out about ``about_s`` (default: the view's centre)."""
        v0, v1 = self.view
        c = (v0 + v1) / 2 if about_s is None else float(about_s)
        self.set_view(c - (c - v0) / factor, c + (v1 - c) / factor)

    def pan(self, dt_s: float) -> None:
        self.set_view(self.view[0] + dt_s, self.view[1] + dt_s)

    def set_playhead(self, et_s: float, *, follow: bool = True) -> None:
        """Move the playhead; with ``follow``, page the view to keep it in sight.

        Only a playhead that lands on another pixel repaints, and only the strips under its old
        and new place: the timeline spans the window, and a full repaint on every frame is ~3 ms
        of Qt's raster painting and flushing on a software-GL machine.
        """
        old_x = self.x_of(self.et_s)
        self.et_s = float(et_s)
        v0, v1 = self.view
        if follow and self._drag is None and not v0 <= self.et_s <= v1:
            w = v1 - v0
            self.set_view(self.et_s - 0.1 * w, self.et_s + 0.9 * w)
            return
        x = self.x_of(self.et_s)
        if abs(x - old_x) < 0.5:
            return
        for cx in (old_x, x):
            self.update(QtCore.QRect(math.floor(cx) - PLAYHEAD_HALF_WIDTH_PX, 0,
                                     2 * PLAYHEAD_HALF_WIDTH_PX + 2, self.height()))

    # --------------------------------------------------------- geometry
    def x_of(self, et_s: float) -> float:
        v0, v1 = self.view
        return TRACK_MARGIN_PX + (float(et_s) - v0) / (v1 - v0) * max(self.width() - 2 * TRACK_MARGIN_PX, 1)

    def et_at(self, x: float) -> float:
        v0, v1 = self.view
        f = (float(x) - TRACK_MARGIN_PX) / max(self.width() - 2 * TRACK_MARGIN_PX, 1)
        return min(max(v0 + f * (v1 - v0), self.span[0]), self.span[1])

    # ------------------------------------------------------------ input
    def mousePressEvent(self, ev: QtGui.QMouseEvent) -> None:
        x = ev.position().x()
        shift = bool(ev.modifiers() & QtCore.Qt.KeyboardModifier.ShiftModifier)
        if ev.button() in (QtCore.Qt.MouseButton.RightButton, QtCore.Qt.MouseButton.MiddleButton) or shift:
            self._drag = "pan"
            self._pan_from = (x, *self.view)
        elif ev.button() == QtCore.Qt.MouseButton.LeftButton:
            self._drag = "scrub"
            self.scrubbed.emit(self.et_at(x))
        ev.accept()

    def mouseMoveEvent(self, ev: QtGui.QMouseEvent) -> None:
        x = ev.position().x()
        if self._drag == "scrub":
            self.scrubbed.emit(self.et_at(x))
        elif self._drag == "pan" and self._pan_from is not None:
            x0, v0, v1 = self._pan_from
            dt = (x0 - x) / max(self.width() - 2 * TRACK_MARGIN_PX, 1) * (v1 - v0)
            self.set_view(v0 + dt, v1 + dt)

    def mouseReleaseEvent(self, ev: QtGui.QMouseEvent) -> None:
        self._drag = None
        self._pan_from = None

    def wheelEvent(self, ev: QtGui.QWheelEvent) -> None:
        notches = ev.angleDelta().y() / 120.0
        if notches:
            self.zoom(WHEEL_ZOOM ** notches, self.et_at(ev.position().x()))
        ev.accept()

    # ------------------------------------------------------------ paint
    def paintEvent(self, ev: QtGui.QPaintEvent) -> None:
        p = QtGui.QPainter(self)
        p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        w, h = self.width(), self.height()
        track_y = h - TRACK_FROM_BOTTOM_PX
        pal = self.palette()
        p.fillRect(TRACK_MARGIN_PX, track_y - 3, w - 2 * TRACK_MARGIN_PX, 6, pal.mid())
        # where the view sits in the whole span: a thin overview bar under the track
        s0, s1 = self.span
        v0, v1 = self.view
        if (v1 - v0) < (s1 - s0) * 0.999:
            span_w = w - 2 * TRACK_MARGIN_PX
            a = TRACK_MARGIN_PX + (v0 - s0) / (s1 - s0) * span_w
            b = TRACK_MARGIN_PX + (v1 - s0) / (s1 - s0) * span_w
            p.fillRect(QtCore.QRectF(a, h - 4, max(b - a, 2.0), 3), QtGui.QColor(90, 170, 255))
        self._paint_marks(p, track_y)
        x = self.x_of(self.et_s)
        if TRACK_MARGIN_PX - 1 <= x <= w - TRACK_MARGIN_PX + 1:
            p.setPen(QtGui.QPen(QtGui.QColor(255, 80, 80), PLAYHEAD_PEN_PX))
            p.drawLine(QtCore.QPointF(x, 2), QtCore.QPointF(x, h - 6))
        p.end()

    def _paint_marks(self, p: QtGui.QPainter, track_y: int) -> None:
        fm = p.fontMetrics()
        rows_end = [-1e9, -1e9]  # right edge of the last label in each of two rows
        for mark in self.marks:
            x = self.x_of(mark.et_s)
            if not TRACK_MARGIN_PX - 1 <= x <= self.width() - TRACK_MARGIN_PX + 1:
                continue
            color = QtGui.QColor(*palette.WHATIF) if mark.name.startswith("whatif") else QtGui.QColor(230, 150, 40)
            p.setPen(QtGui.QPen(color, 2))
            p.drawLine(QtCore.QPointF(x, track_y - TICK_HALF_PX), QtCore.QPointF(x, track_y + TICK_HALF_PX))
            tw = fm.horizontalAdvance(mark.label)
            left = min(max(x - tw / 2, 0.0), self.width() - tw)
            for row, end in enumerate(rows_end):
                if left > end + 6:
                    p.drawText(QtCore.QPointF(left, fm.ascent() + row * (fm.height() - 1)), mark.label)
                    rows_end[row] = left + tw
                    break

    def changeEvent(self, ev: QtCore.QEvent) -> None:
        if ev.type() == QtCore.QEvent.Type.FontChange:  # presentation mode: two rows of bigger labels
            self.setMinimumHeight(self._min_height())
        super().changeEvent(ev)

    def _min_height(self) -> int:
        """Two rows of labels, then 2 px, then the ticks' top above the track."""
        return 2 * self.fontMetrics().height() + 2 + TICK_HALF_PX + TRACK_FROM_BOTTOM_PX

    def mark_at(self, x: float, tolerance_px: float = 5.0) -> Mark | None:
        best = None
        for mark in self.marks:
            if abs(self.x_of(mark.et_s) - x) <= tolerance_px:
                best = mark
        return best

    def event(self, ev: QtCore.QEvent) -> bool:
        if ev.type() == QtCore.QEvent.Type.ToolTip:
            mark = self.mark_at(ev.pos().x())
            if mark is not None:
                QtWidgets.QToolTip.showText(ev.globalPos(), mark.label, self)
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
    scrubbed = QtCore.Signal(float)          # ET seconds

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        style = self.style()
        sp = QtWidgets.QStyle.StandardPixmap
        self.play_button = QtWidgets.QToolButton(self)
        self.play_button.setIcon(style.standardIcon(sp.SP_MediaPlay))
        self.play_button.setToolTip(_("Play / pause (Space)"))
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

        self.back10 = button(sp.SP_MediaSeekBackward, "", _("Back 10 s (Shift+Left)"),
                             lambda: self.step_requested.emit(-10.0))
        self.back1 = button(None, "-1f", _("Back one frame (Left)"), lambda: self.frame_requested.emit(-1))
        self.fwd1 = button(None, "+1f", _("Forward one frame (Right)"), lambda: self.frame_requested.emit(1))
        self.fwd10 = button(sp.SP_MediaSeekForward, "", _("Forward 10 s (Shift+Right)"),
                            lambda: self.step_requested.emit(10.0))
        self.play_button.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)

        self.speed = QtWidgets.QComboBox(self)
        for s in SPEEDS:
            self.speed.addItem(format_speed(s), s)
        self.speed.setToolTip(_("Playback speed ([ slower, ] faster)"))
        self.speed.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        self.speed.activated.connect(lambda i: self.speed_chosen.emit(float(self.speed.itemData(i))))

        self.timeline = Timeline(self)
        self.timeline.scrubbed.connect(self.scrubbed.emit)
        self.span_box = QtWidgets.QComboBox(self)
        for key, text in TIMELINE_PRESETS.items():
            self.span_box.addItem(_(text), key)
        self.span_box.setToolTip(_("Timeline span (the wheel over the timeline zooms, right-drag pans)"))
        self.span_box.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        self.span_box.activated.connect(lambda i: self.timeline.set_preset(self.span_box.itemData(i)))

        self.utc_label = QtWidgets.QLabel("—", self)
        self.utc_label.setObjectName("utc")
        self.lminus_label = QtWidgets.QLabel("", self)
        self.lminus_label.setObjectName("lminus")
        mono = QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont)
        for lab in (self.utc_label, self.lminus_label):
            lab.setFont(mono)
        self.lminus_label.setToolTip(_("Time to the planned touchdown"))

        row = QtWidgets.QHBoxLayout(self)
        row.setContentsMargins(6, 2, 6, 2)
        for box in (self.speed, self.span_box):  # no clipped text in presentation mode's bigger font
            box.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToContents)
        for w in (self.play_button, self.back10, self.back1, self.fwd1, self.fwd10, self.speed):
            row.addWidget(w)
        row.addWidget(self.span_box)
        row.addWidget(self.timeline, 1)
        row.addWidget(self.utc_label)
        row.addSpacing(8)
        row.addWidget(self.lminus_label)

    def show_state(self, *, playing: bool, speed: float, et_s: float, utc: str, l_minus: str) -> None:
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
        self.timeline.set_playhead(et_s, follow=playing)
        self.utc_label.setText(utc)
        self.lminus_label.setText(l_minus)
