"""The viewer in imperial units (issue #13): the plots' axis titles and data, the readout and the HUD."""

from __future__ import annotations

import numpy as np
import pytest
from app_windows import opened_window

from lunarviz import units


@pytest.fixture
def imperial_win(qtbot, synthetic_traj):
    units.set_units("imperial")  # as `lunarviz view --units imperial` does before the window opens
    with opened_window(qtbot, speed=1.0, quality="draft") as w:
        w.set_trajectory(synthetic_traj)
        w.seek(synthetic_traj.start_et_s + 0.5 * synthetic_traj.duration_s)
        w.draw_frame()
        yield w, synthetic_traj


def test_plots_readout_and_hud_in_imperial(imperial_win):
    win, traj = imperial_win
    plots = win.telemetry.plots
    assert plots["alt"].getAxis("left").labelText == "Altitude (ft)"
    assert plots["speed"].getAxis("left").labelText == "Speed (ft/s)"
    assert plots["prop"].getAxis("left").labelText == "Propellant (lb)"
    # the curves are drawn in those units
    alt = np.asarray(win.telemetry.curves["alt_true"].yData)
    np.testing.assert_allclose(alt, np.asarray(traj.alt_m) / 0.3048)
    text = win.telemetry.readout.text()
    assert "ft/s" in text and "mph" in text and " lb" in text and "m/s" not in text
    hud = win.view.handles.hud.actors["bottom_left"].GetInput()
    assert "ft/s" in hud and "mph" in hud and "km/h" not in hud


def test_whatif_boxes_show_imperial_and_hand_on_si(imperial_win):
    win, _traj = imperial_win
    panel = win.whatif
    assert panel.spins["lrf_valid_below_m"].suffix() == " ft"
    assert panel.spins["propellant_kg"].suffix() == " lb"
    panel.set_value("propellant_kg", 100 * units.POUND_KG)   # SI in, pounds shown, SI out
    assert panel.spins["propellant_kg"].value() == pytest.approx(100.0)
    assert panel.values()["propellant_kg"] == pytest.approx(100 * units.POUND_KG)
    panel.set_value("lrf_valid_below_m", 3000.0)
    assert panel.spins["lrf_valid_below_m"].value() == 9843.0  # 9842.5 ft, whole feet
    assert panel.values()["lrf_valid_below_m"] == pytest.approx(3000.0, abs=0.2)
