"""The viewer's Monte Carlo panel: runs, Run / Cancel, progress, and the landing-ellipse summary.

The window flies the runs in its worker thread in batches
(:func:`lunarviz.physics.montecarlo.run_batched`), reporting progress after each
batch and stopping between batches on Cancel; the result is drawn on the
terrain (:mod:`lunarviz.render.dispersion`).
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from lunarviz import units
from lunarviz.i18n import _

#: runs offered by default, and the most the panel allows
DEFAULT_RUNS = 200
MAX_RUNS = 5000


class MonteCarloPanel(QtWidgets.QWidget):
    run_requested = QtCore.Signal(int)
    cancel_requested = QtCore.Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.runs = QtWidgets.QSpinBox(self)
        self.runs.setRange(10, MAX_RUNS)
        self.runs.setSingleStep(50)
        self.runs.setValue(DEFAULT_RUNS)
        self.runs.setSuffix(_(" runs"))
        self.runs.setKeyboardTracking(False)
        self.run_button = QtWidgets.QPushButton(_("Run Monte Carlo"), self)
        self.run_button.setToolTip(_("Fly dispersed copies of the scenario in the background and draw where they "
                                   "touch down, with the 1σ and 3σ landing ellipses"))
        self.run_button.clicked.connect(lambda: self.run_requested.emit(int(self.runs.value())))
        self.cancel_button = QtWidgets.QPushButton(_("Cancel"), self)
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel_requested.emit)
        self.progress = QtWidgets.QProgressBar(self)
        self.progress.setVisible(False)
        self.result = QtWidgets.QLabel(self)
        self.result.setWordWrap(True)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.runs)
        row.addWidget(self.run_button, 1)
        row.addWidget(self.cancel_button)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(0, 6, 0, 0)
        lay.addLayout(row)
        lay.addWidget(self.progress)
        lay.addWidget(self.result)

    def set_running(self, running: bool, total: int = 0) -> None:
        self.run_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.progress.setVisible(running)
        if running:
            self.progress.setRange(0, total)
            self.progress.setValue(0)
            self.result.setText(_("Flying the dispersed runs…"))

    def set_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)

    def show_result(self, mc) -> None:
        if mc is None:
            self.result.setText(_("Cancelled"))
            return
        a1, b1 = mc.sigma_axes_m(1.0)
        a3, b3 = mc.sigma_axes_m(3.0)
        d = units.unit("distance")
        a1, b1, a3, b3 = (units.convert(x, "distance") for x in (a1, b1, a3, b3))
        self.result.setText(
            _("{runs} runs: {pct:.0f} % soft landings. Touchdown spread 1σ {a1:,.0f} × {b1:,.0f} {unit}, "
              "3σ {a3:,.0f} × {b3:,.0f} {unit} (major axis {az:.0f}° from north). Green: landed, orange: hard, "
              "red: crashed.").format(runs=mc.runs, pct=100 * mc.success_rate, a1=a1, b1=b1, a3=a3, b3=b3,
                                      az=mc.ellipse_azimuth_deg, unit=d))
