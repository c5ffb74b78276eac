"""What-if panel: change a few scenario values and fly again in the background.

The values and :func:`~lunarviz.app.whatif_model.apply_changes` live in
:mod:`lunarviz.app.whatif_model` (no Qt); the window flies the new scenario in
a worker thread and shows it beside the original as a ghost trail and dashed
plot curves.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from lunarviz import palette, units
from lunarviz.i18n import _

from .whatif_model import LIMITS, apply_changes, current_values, lrf_valid_from_m, outcome_text

__all__ = ["LIMITS", "WhatIfPanel", "apply_changes", "current_values", "lrf_valid_from_m", "outcome_text"]

#: the boxes shown in the units in use (:mod:`lunarviz.units`): key -> dimension; the panel's
#: values, changes and :meth:`WhatIfPanel.set_value` stay SI
UNIT_DIMS = {"lrf_valid_below_m": "altitude", "propellant_kg": "mass"}


class WhatIfPanel(QtWidgets.QWidget):
    """Spin boxes for the changes, "Fly what-if" and "Reset" buttons, and the outcome."""

    fly_requested = QtCore.Signal(dict)
    reset_requested = QtCore.Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._base: dict[str, float] = {}

        def spin(lo, hi, decimals, step, suffix, tip):
            s = QtWidgets.QDoubleSpinBox(self)
            s.setRange(lo, hi)
            s.setDecimals(decimals)
            s.setSingleStep(step)
            s.setSuffix(suffix)
            s.setToolTip(tip)
            s.setKeyboardTracking(False)
            return s

        self.spins = {
            "lrf_valid_below_m": spin(1, 100_000, 0, 100, " m",
                                      _("The laser rangefinder gives valid altitude readings from this height down.\n"
                                        "Designed: about 3 km. Resilience: first valid reading below about 900 m.")),
            "propellant_kg": spin(0, 1e6, 0, 10, " kg", _("Propellant loaded at the start of the scenario")),
            "main_thrust_n": spin(1, 1e7, 0, 50, " N", _("Main-engine thrust at full throttle")),
            "site_lat_deg": spin(-90, 90, 3, 0.1, "°", _("Target site latitude (north positive)")),
            "site_lon_deg": spin(-360, 360, 3, 0.1, "°", _("Target site longitude (east positive)")),
        }
        for key, dim in UNIT_DIMS.items():
            box = self.spins[key]
            box.setRange(units.convert(box.minimum(), dim), units.convert(box.maximum(), dim))
            box.setSuffix(" " + units.unit(dim))
        form = QtWidgets.QFormLayout()
        form.addRow(_("Rangefinder valid below"), self.spins["lrf_valid_below_m"])
        form.addRow(_("Propellant load"), self.spins["propellant_kg"])
        form.addRow(_("Engine thrust"), self.spins["main_thrust_n"])
        form.addRow(_("Target latitude"), self.spins["site_lat_deg"])
        form.addRow(_("Target longitude"), self.spins["site_lon_deg"])

        self.lrf_works = QtWidgets.QPushButton(_("Rangefinder as designed (3 km)"), self)
        self.lrf_works.setToolTip(_("Set the rangefinder to give valid readings from its design range"))
        self.lrf_works.clicked.connect(self._lrf_as_designed)
        self.fly_button = QtWidgets.QPushButton(_("Fly what-if"), self)
        self.fly_button.setDefault(True)
        self.fly_button.clicked.connect(self._fly)
        self.reset_button = QtWidgets.QPushButton(_("Reset"), self)
        self.reset_button.setToolTip(_("Back to the scenario's own values; removes the what-if run"))
        self.reset_button.clicked.connect(self._reset)
        self.busy = QtWidgets.QProgressBar(self)
        self.busy.setRange(0, 0)
        self.busy.setVisible(False)
        self.busy.setMaximumHeight(10)
        self.busy.setTextVisible(False)
        self.result = QtWidgets.QLabel(self)
        self.result.setWordWrap(True)
        self.result.setTextFormat(QtCore.Qt.TextFormat.RichText)

        buttons = QtWidgets.QHBoxLayout()
        buttons.addWidget(self.fly_button)
        buttons.addWidget(self.reset_button)
        lay = QtWidgets.QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.lrf_works)
        lay.addLayout(buttons)
        lay.addWidget(self.busy)
        lay.addWidget(self.result)
        lay.addStretch(1)
        self.setEnabled(False)

    def set_scenario(self, sc) -> None:
        """Fill the boxes from a scenario (or disable the panel with None)."""
        self.setEnabled(sc is not None)
        self.result.setText("")
        if sc is None:
            return
        self._base = current_values(sc)
        self._design_lrf_m = float(sc.lrf.max_range_m)
        self.lrf_works.setText(_("Rangefinder as designed ({distance})").format(
            distance=units.altitude(self._design_lrf_m, small_digits=0)))
        for key, box in self.spins.items():
            box.setValue(self._shown(key, self._base[key]))

    @staticmethod
    def _shown(key: str, value_si: float) -> float:
        return units.convert(value_si, UNIT_DIMS[key]) if key in UNIT_DIMS else value_si

    @staticmethod
    def _si(key: str, shown: float) -> float:
        return units.to_si(shown, UNIT_DIMS[key]) if key in UNIT_DIMS else shown

    def values(self) -> dict[str, float]:
        """The boxes' values in SI (as :func:`~lunarviz.app.whatif_model.apply_changes` takes them)."""
        return {k: float(self._si(k, b.value())) for k, b in self.spins.items()}

    def changes(self) -> dict[str, float]:
        """Only the values that differ from the scenario's (compared as shown, in the boxes' units)."""
        out = {}
        for k, b in self.spins.items():
            base = self._base.get(k)
            shown_base = None if base is None else round(self._shown(k, base), b.decimals())
            if shown_base is None or abs(b.value() - shown_base) > 10 ** -(b.decimals() + 1):
                out[k] = float(self._si(k, b.value()))
        return out

    def set_value(self, key: str, value: float) -> None:
        """Set a box from an SI value (m, kg, N, degrees)."""
        self.spins[key].setValue(self._shown(key, value))

    def _lrf_as_designed(self) -> None:
        self.set_value("lrf_valid_below_m", getattr(self, "_design_lrf_m", 3000.0))

    def _fly(self) -> None:
        self.fly_requested.emit(self.changes())

    def _reset(self) -> None:
        self.reset_requested.emit()

    def set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        self.fly_button.setEnabled(not busy)
        if busy:
            self.result.setText(_("Flying…"))

    def show_result(self, original, whatif) -> None:
        self.result.setText(
            _("<b>Scenario:</b> {scenario}<br><b style='color:{colour}'>What-if:</b> {whatif}").format(
                scenario=outcome_text(original), whatif=outcome_text(whatif),
                colour=palette.html(palette.WHATIF)))
