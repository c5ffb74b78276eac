"""Telemetry dock: live numbers and pyqtgraph plots with a draggable time cursor.

Plots show altitude (true vs what the lander believed), speed, propellant and
throttle against time in minutes from the planned touchdown (or from the
start when a scenario has none). A vertical cursor follows the playhead; drag
it to scrub. A what-if run is drawn as dashed "ghost" curves. Published values of the
scenario (``[[record]]``, :mod:`lunarviz.record`) are drawn as labelled diamonds beside the
simulated curves, and rangefinder readings the software rejected as red crosses.
"""

from __future__ import annotations

import math
import os

# pyqtgraph picks its Qt binding when first imported: PySide6, as the rest of the viewer
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from lunarviz import palette, record, units
from lunarviz.i18n import N_, _
from lunarviz.trajectory import Trajectory

#: curve colours (true, believed/ghost accents)
TRUE_PEN = palette.TRUE
BELIEVED_PEN = palette.BELIEVED
VERT_PEN = palette.DESCENT_RATE
GHOST_PEN = palette.WHATIF
CURSOR_PEN = palette.CURSOR
RECORD_BRUSH = palette.PUBLISHED
REJECTED_PEN = palette.REJECTED


#: the plots with a legend, and the share of their height kept free above the data for it
LEGEND_PLOTS = ("alt", "speed")
LEGEND_STRIP = 0.3

#: what the plots' time axis can show
RANGE_MODES = {
    "descent": N_("from the deorbit burn"),
    "last10": N_("the last 10 minutes"),
    "whole": N_("the whole scenario"),
    "follow": N_("±2 min round the playhead"),
}


class TelemetryPanel(QtWidgets.QWidget):
    """Numbers and four linked plots for one trajectory (plus an optional ghost)."""

    #: emitted with an ET (seconds) while the user drags the cursor
    cursor_dragged = QtCore.Signal(float)

    PLOTS = ("alt", "speed", "prop", "throttle")

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._traj: Trajectory | None = None
        self._ghost: Trajectory | None = None
        self._x0_et_s = 0.0
        self._x_label = _("minutes from start")
        self._line_width = 2
        self._ghost_items: list = []
        self._record_labels: list = []
        pg.setConfigOptions(antialias=True)

        self.readout = QtWidgets.QLabel(self)
        self.readout.setObjectName("readout")
        self.readout.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.readout.setWordWrap(True)
        self.readout.setMinimumHeight(40)

        self.graphics = pg.GraphicsLayoutWidget(self)
        self.graphics.setBackground((20, 22, 28))
        self.graphics.setMinimumHeight(220)
        titles = axis_titles()
        self.plots: dict[str, pg.PlotItem] = {}
        self.cursors: dict[str, pg.InfiniteLine] = {}
        for i, key in enumerate(self.PLOTS):
            plot = self.graphics.addPlot(row=i, col=0)
            plot.setLabel("left", titles[key])
            plot.showGrid(x=True, y=True, alpha=0.25)
            plot.setMenuEnabled(False)
            if key in LEGEND_PLOTS:
                # one row in a strip kept free above the data (see _apply_range): never over a curve
                legend = plot.addLegend(offset=(6, 1), labelTextSize="8pt", colCount=4,
                                        brush=pg.mkBrush(20, 22, 28, 200))
                legend.layout.setHorizontalSpacing(10)
            if i:
                plot.setXLink(self.plots[self.PLOTS[0]])
            if i < len(self.PLOTS) - 1:
                plot.getAxis("bottom").setStyle(showValues=False)
            cursor = pg.InfiniteLine(angle=90, movable=True, pen=pg.mkPen(CURSOR_PEN, width=2),
                                     hoverPen=pg.mkPen((255, 200, 200), width=3))
            cursor.setZValue(100)
            cursor.sigDragged.connect(self._on_cursor_drag)
            plot.addItem(cursor, ignoreBounds=True)
            self.plots[key] = plot
            self.cursors[key] = cursor
            # a bound slot, not a lambda: the connection ends with this panel (a teardown's last
            # range change must not reach half-deleted plots)
            plot.getViewBox().sigRangeChanged.connect(self._on_range_changed)  # zoom, pan, links
        self.curves: dict[str, pg.PlotDataItem] = {}

        self.range_box = QtWidgets.QComboBox(self)
        for key, text in RANGE_MODES.items():
            self.range_box.addItem(_(text), key)
        self.range_box.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        self.range_box.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.range_box.setToolTip(_("Time span of the plots (the mouse wheel zooms, dragging pans)"))
        self.range_box.activated.connect(lambda i: self.set_range_mode(self.range_box.itemData(i)))
        self._range_mode = "descent"
        self._cursor_et_s = math.nan
        top = QtWidgets.QHBoxLayout()
        top.addWidget(QtWidgets.QLabel(_("Plots show:")))
        top.addWidget(self.range_box, 1)

        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.readout)
        lay.addLayout(top)
        lay.addWidget(self.graphics, 1)

    # ------------------------------------------------------------ time axis
    def x_of(self, et_s):
        """Plot x (minutes) of ET seconds."""
        return (np.asarray(et_s, dtype=float) - self._x0_et_s) / 60.0

    def et_of(self, x_min: float) -> float:
        return float(x_min) * 60.0 + self._x0_et_s

    @property
    def x_label(self) -> str:
        return self._x_label

    # -------------------------------------------------------------- content
    def set_trajectory(self, traj: Trajectory) -> None:
        """Draw one trajectory's telemetry (clears any ghost)."""
        self._traj = traj
        planned = traj.planned_touchdown_et_s
        if math.isfinite(planned):
            self._x0_et_s = float(planned)
            self._x_label = _("minutes from planned touchdown")
        else:
            self._x0_et_s = traj.start_et_s
            self._x_label = _("minutes from start")
        self.plots[self.PLOTS[-1]].setLabel("bottom", self._x_label)
        for plot in self.plots.values():
            for item in list(plot.listDataItems()):
                plot.removeItem(item)
            if plot.legend is not None:
                plot.legend.clear()
        self._ghost_items = []
        for plot_key, item in self._record_labels:
            self.plots[plot_key].removeItem(item)
        self.curves = self._add_curves(traj, ghost=False)
        self._record_labels = self._add_record(traj)
        self._ghost = None
        self.set_range_mode(self._range_mode)

    def _add_curves(self, traj: Trajectory, *, ghost: bool) -> dict[str, pg.PlotDataItem]:
        x = self.x_of(traj.et_s)
        w = self._line_width
        style = QtCore.Qt.PenStyle.DashLine if ghost else QtCore.Qt.PenStyle.SolidLine

        def pen(color):
            return pg.mkPen(GHOST_PEN if ghost else color, width=w, style=style)

        speed = units.convert(np.linalg.norm(traj.vel_mps, axis=1), "speed")
        data = {
            "alt_true": ("alt", units.convert(traj.alt_m, "altitude_plot"), pen(TRUE_PEN),
                         _("what-if") if ghost else _("true")),
            "alt_est": ("alt", units.convert(traj.est_alt_m, "altitude_plot"),
                        pg.mkPen(GHOST_PEN if ghost else BELIEVED_PEN, width=w, style=QtCore.Qt.PenStyle.DotLine),
                        None if ghost else _("believed")),
            "speed": ("speed", speed, pen(TRUE_PEN), _("what-if") if ghost else _("speed")),
            "vspeed": ("speed", -units.convert(traj.vertical_speed_mps(), "speed"),
                       pg.mkPen(GHOST_PEN if ghost else VERT_PEN, width=max(1, w - 1), style=style),
                       None if ghost else _("descent rate")),
            "prop": ("prop", units.convert(np.asarray(traj.propellant_kg), "mass"), pen(TRUE_PEN), None),
            "throttle": ("throttle", 100.0 * traj.throttle, pen(TRUE_PEN), None),
        }
        curves = {}
        for key, (plot_key, y, p, name) in data.items():
            item = self.plots[plot_key].plot(x, np.asarray(y, dtype=float), pen=p, name=name)
            item.setDownsampling(auto=True, method="peak")
            item.setClipToView(True)
            if ghost:
                item.setZValue(-1)  # under the scenario's curves, so both stay visible where they agree
            curves[key] = item
        return curves

    def _add_record(self, traj: Trajectory) -> list:
        """Published values as diamonds (with their labels) and rejected rangefinder readings as crosses."""
        checks = record.check(traj)
        labels = []
        alt_unit, speed_unit = units.unit_key("altitude_plot"), units.unit_key("speed")
        # one legend entry per plot for the diamonds (their labels say which quantity): a legend row
        # of four names does not fit a plot's width
        for plot_key, quantity, unit, name in (("alt", "altitude", alt_unit, N_("published")),
                                               ("speed", "speed", speed_unit, N_("published")),
                                               ("speed", "descent_rate", speed_unit, None)):
            pts = record.plot_points(checks, quantity, unit)
            if not pts:
                continue
            x = self.x_of([p[0] for p in pts])
            y = np.array([p[1] for p in pts])
            self.curves[f"record_{quantity}"] = self.plots[plot_key].plot(
                x, y, pen=None, symbol="d", symbolSize=11, symbolBrush=RECORD_BRUSH,
                symbolPen=pg.mkPen((40, 30, 0)), name=_(name) if name else None)
            for xi, yi, (_x, _y, label, ok) in zip(x, y, pts, strict=True):
                text = pg.TextItem(label, color=RECORD_BRUSH if ok else (255, 140, 120), anchor=(0, 1))
                text.setPos(float(xi), float(yi))
                self.plots[plot_key].addItem(text, ignoreBounds=True)
                labels.append((plot_key, text))
        rej = rejected_ranges(traj)
        if rej is not None:
            self.curves["lrf_rejected"] = self.plots["alt"].plot(
                self.x_of(rej[0]), units.convert(rej[1], "altitude_plot"), pen=None, symbol="x", symbolSize=6,
                symbolPen=pg.mkPen(REJECTED_PEN, width=1.5), symbolBrush=None, name=_("rejected range"))
        return labels

    def set_ghost(self, traj: Trajectory | None) -> None:
        """Show (or remove, with None) a what-if trajectory as dashed curves."""
        for plot_key, item in self._ghost_items:
            self.plots[plot_key].removeItem(item)
            legend = self.plots[plot_key].legend
            if legend is not None:
                legend.removeItem(item)
        self._ghost_items = []
        self._ghost = traj
        if traj is None:
            return
        curves = self._add_curves(traj, ghost=True)
        owner = {"alt_true": "alt", "alt_est": "alt", "speed": "speed", "vspeed": "speed",
                 "prop": "prop", "throttle": "throttle"}
        self._ghost_items = [(owner[k], v) for k, v in curves.items()]
        self.ghost_curves = curves

    @property
    def ghost(self) -> Trajectory | None:
        return self._ghost

    def set_presentation(self, on: bool, text_scale: float = 1.0) -> None:
        """Thicker lines and bigger axis text for projectors (axis text also x the font scale)."""
        self._line_width = 4 if on else 2
        font = QtGui.QFont()
        font.setPointSizeF((12 if on else 9) * text_scale)
        for plot in self.plots.values():
            for side in ("left", "bottom"):
                ax = plot.getAxis(side)
                ax.setStyle(tickFont=font)
                ax.label.setFont(font)
        for c in self.cursors.values():
            c.setPen(pg.mkPen(CURSOR_PEN, width=4 if on else 2))
        if self._traj is not None:
            ghost = self._ghost
            self.set_trajectory(self._traj)
            self.set_ghost(ghost)

    def set_range_mode(self, mode: str) -> None:
        """``descent`` (from the deorbit burn), ``last10``, ``whole`` or ``follow`` (the playhead +-2 min)."""
        if mode not in RANGE_MODES:
            raise ValueError(f"unknown plot range {mode!r}")
        self._range_mode = mode
        i = self.range_box.findData(mode)
        if self.range_box.currentIndex() != i:
            self.range_box.setCurrentIndex(i)
        self._apply_range()

    def x_span(self) -> tuple[float, float]:
        """The plots' visible x range (minutes)."""
        lo, hi = self.plots[self.PLOTS[0]].viewRange()[0]
        return float(lo), float(hi)

    def _apply_range(self) -> None:
        traj = self._traj
        if traj is None:
            return
        t0, t1 = traj.start_et_s, traj.end_et_s
        mode = self._range_mode
        if mode == "descent":
            ev = traj.event("deorbit") or traj.event("powered_descent")
            t0 = max(t0, ev.et_s - 120.0) if ev is not None else t0
        elif mode == "last10":
            t0 = max(t0, t1 - 600.0)
        elif mode == "follow":
            c = self._cursor_et_s if math.isfinite(self._cursor_et_s) else t0
            t0, t1 = c - 120.0, c + 120.0
        x0, x1 = (float(v) for v in self.x_of([t0, t1]))
        for plot in self.plots.values():
            plot.setXRange(x0, x1, padding=0.01 if mode != "follow" else 0.0)
        # y limits from the data inside the span
        lo = int(np.searchsorted(traj.et_s, t0))
        hi = max(int(np.searchsorted(traj.et_s, t1)), lo + 2)
        for key, curve_keys in (("alt", ("alt_true", "alt_est")), ("speed", ("speed", "vspeed")),
                                ("prop", ("prop",)), ("throttle", ("throttle",))):
            ys = [np.asarray(self.curves[k].yData)[lo:hi] for k in curve_keys if k in self.curves]
            ys = [y[np.isfinite(y)] for y in ys if len(y)]
            ys = [y for y in ys if len(y)]
            if not ys:
                continue
            ymin = min(float(y.min()) for y in ys)
            ymax = max(float(y.max()) for y in ys)
            if key == "throttle":
                ymin, ymax = 0.0, 100.0
            pad = 0.05 * max(ymax - ymin, 1e-6)
            top = ymax + pad + (LEGEND_STRIP / (1 - LEGEND_STRIP) * (ymax - ymin + 2 * pad) if key in LEGEND_PLOTS
                                else 0.0)
            self.plots[key].setYRange(ymin - pad, top, padding=0.0)
        self._place_record_labels()

    @QtCore.Slot(object, object, object)
    def _on_range_changed(self, *_args) -> None:
        if self._traj is not None and self.isVisible():
            self._place_record_labels()

    def _place_record_labels(self) -> None:
        """A published value's label reads away from the nearer edge of its plot (never cut off), and
        one that would overlap a label placed before it in the same plot is hidden (its diamond stays)."""
        placed: dict[str, list[QtCore.QRectF]] = {}
        for key, text in self._record_labels:
            vb = self.plots[key].getViewBox()
            x0, x1 = vb.viewRange()[0]
            right = text.pos().x() > (x0 + x1) / 2
            text.setAnchor((1, 1) if right else (0, 1))
            at = vb.mapViewToScene(text.pos())
            r = text.textItem.boundingRect()
            box = QtCore.QRectF(at.x() - (r.width() if right else 0.0), at.y() - r.height(), r.width(), r.height())
            taken = placed.setdefault(key, [])
            free = vb.sceneBoundingRect().contains(at) and not any(box.intersects(b) for b in taken)
            text.setVisible(free)
            if free:
                taken.append(box)

    # --------------------------------------------------------------- cursor
    def cursor_et_s(self) -> float:
        return self.et_of(self.cursors[self.PLOTS[0]].value())

    def set_cursor(self, et_s: float, state=None) -> None:
        """Move the cursor to the playhead and refresh the numbers."""
        self._cursor_et_s = float(et_s)
        if self._range_mode == "follow":
            self._apply_range()
        x = float(self.x_of(et_s))
        if not self._cursor_moves_a_pixel(x):
            if state is not None:
                self.readout.setText(readout_html(state, self._ghost_state(et_s)))
            return
        for c in self.cursors.values():
            if not c.moving:
                c.blockSignals(True)
                c.setValue(x)
                c.blockSignals(False)
        if state is not None:
            self.readout.setText(readout_html(state, self._ghost_state(et_s)))

    def _cursor_moves_a_pixel(self, x: float) -> bool:
        """Whether the cursor at plot x ``x`` lands on another pixel than now (else the plots need no repaint)."""
        plot = self.plots[self.PLOTS[0]]
        lo, hi = plot.viewRange()[0]
        px_per_x = plot.getViewBox().width() / max(hi - lo, 1e-12)
        old = float(self.cursors[self.PLOTS[0]].value())
        return not math.isfinite(old) or abs(x - old) * px_per_x >= 0.5

    def _ghost_state(self, et_s: float):
        if self._ghost is None:
            return None
        return self._ghost.at(et_s)

    def _on_cursor_drag(self, line: pg.InfiniteLine) -> None:
        x = float(line.value())
        for c in self.cursors.values():
            if c is not line:
                c.blockSignals(True)
                c.setValue(x)
                c.blockSignals(False)
        self.cursor_dragged.emit(self.et_of(x))


def rejected_ranges(traj: Trajectory, every_s: float = 5.0) -> tuple[np.ndarray, np.ndarray] | None:
    """(ET, range m) of the rangefinder readings ignored after its ``lrf_rejected`` event, every ``every_s``.

    After the jump test rejects the rangefinder the beam still meets the ground: the reading it
    would have given is the true altitude (within the rangefinder's reach), which the plot shows
    against the lander's belief. None when the flight has no rejection.
    """
    ev = traj.event("lrf_rejected")
    if ev is None:
        return None
    reach = traj.scenario.lrf.max_range_m if traj.scenario is not None else np.inf
    td = traj.event("touchdown")
    end = td.et_s if td is not None else traj.end_et_s
    et = np.arange(ev.et_s, end, every_s)
    alt = np.interp(et, traj.et_s, traj.alt_m)
    keep = alt <= reach
    return (et[keep], alt[keep]) if keep.any() else None


#: the flight phases as the readout names them (``phase_name`` with spaces), for the catalogue
PHASE_WORDS = (N_("coast"), N_("orbit"), N_("deorbit"), N_("descent coast"), N_("braking"), N_("pitch up"),
               N_("approach"), N_("terminal"), N_("landed"), N_("crashed"), N_("impact"), N_("hover"),
               N_("freefall"), N_("surface"))


def axis_titles() -> dict[str, str]:
    """The plots' y-axis titles with the units in use: ``Altitude (km)`` or ``Altitude (ft)``, ..."""
    return {
        "alt": _("Altitude ({unit})").format(unit=units.unit("altitude_plot")),
        "speed": _("Speed ({unit})").format(unit=units.unit("speed")),
        "prop": _("Propellant ({unit})").format(unit=units.unit("mass")),
        "throttle": _("Throttle (%)"),
    }


def _fmt_alt(alt_m: float) -> str:
    return units.altitude(alt_m, small_digits=0, large_digits=2)


def readout_html(s, ghost=None) -> str:
    """The numbers panel for a :class:`~lunarviz.trajectory.State` (and an optional what-if state)."""
    lrf = ("<span style='color:#6f6'>" + _("valid") + "</span>" if s.lrf_valid
           else "<span style='color:#f96'>" + _("no valid range") + "</span>")
    err = s.est_alt_m - s.alt_m
    parts = [
        "<b>" + _(s.phase_name.replace("_", " ")) + "</b>",
        _("altitude <b>{alt}</b>").format(alt=_fmt_alt(s.alt_m)),
        _("lander believed <b style='color:#fa3'>{alt}</b> (error {err})").format(alt=_fmt_alt(s.est_alt_m),
                                                                                 err=_fmt_alt(err)),
        _("speed <b>{speed}</b> ({road})").format(speed=units.fmt(s.speed_mps, "speed"),
                                                  road=units.fmt(s.speed_mps, "speed_road", ".0f")),
        _("descent rate <b>{speed}</b>").format(speed=units.fmt(-s.vertical_speed_mps, "speed")),
        _("propellant <b>{mass}</b> ({pct:.0f}%)").format(mass=units.fmt(s.propellant_kg, "mass", ".0f"),
                                                         pct=100 * s.propellant_fraction),
        _("throttle <b>{pct:.0f}%</b>").format(pct=100 * s.throttle),
        _("rangefinder {state}").format(state=lrf),
    ]
    html = " &nbsp;·&nbsp; ".join(parts)
    if ghost is not None:
        html += f"<br><span style='color:{palette.html(palette.WHATIF)}'>" + _(
            "what-if: altitude {alt}, believed {est}, descent rate {speed}, propellant {mass}").format(
            alt=_fmt_alt(ghost.alt_m), est=_fmt_alt(ghost.est_alt_m),
            speed=units.fmt(-ghost.vertical_speed_mps, "speed"),
            mass=units.fmt(ghost.propellant_kg, "mass", ".0f")) + "</span>"
    return html
