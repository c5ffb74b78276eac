"""Accessibility basics of the viewer (issue #13): every action from the keyboard, scalable text."""

from __future__ import annotations

import pytest
from app_windows import opened_window
from PySide6 import QtCore, QtWidgets

from lunarviz.app.textsize import FONT_SCALES, PRESENTATION_TEXT_SCALE
from lunarviz.app.window import MainWindow
from lunarviz.cli import main


@pytest.fixture
def win(qtbot, synthetic_traj):
    with opened_window(qtbot, speed=10.0, quality="draft") as w:
        w.set_trajectory(synthetic_traj)
        w.draw_frame(sync=True)
        yield w


def _clickables(win: MainWindow):
    kinds = (QtWidgets.QAbstractButton, QtWidgets.QComboBox, QtWidgets.QAbstractSpinBox, QtWidgets.QSlider)
    # tool buttons are the toolbars' and the playback bar's faces of menu actions (keys of their own)
    return [w for w in win.findChildren(QtWidgets.QWidget)
            if isinstance(w, kinds) and not isinstance(w, QtWidgets.QToolButton)]


def test_every_button_and_box_can_be_reached_by_tab_or_has_a_key(win):
    # a widget that takes no keyboard focus (so Space and the arrows always drive the playback) must
    # have a menu action with a key that does the same thing
    keyed = {text for _, _, text in win.shortcut_rows()}
    no_focus = {"Rangefinder as designed (3 km)": "Rangefinder as designed", "Fly what-if": "Fly the what-if",
                "Reset": "Reset the what-if", "Run Monte Carlo": "Run Monte Carlo", "Cancel": "Cancel Monte Carlo"}
    for w in _clickables(win):
        if w.objectName().startswith("qt_"):
            continue  # a dock's own float / close buttons: View > the dock's entry shows and hides it
        focusable = bool(w.focusPolicy() & QtCore.Qt.FocusPolicy.TabFocus)
        if isinstance(w, QtWidgets.QAbstractButton) and w.text() in no_focus:
            assert no_focus[w.text()] in keyed, w.text()
        elif not focusable:
            assert w in (win.bar.speed, win.bar.span_box, win.telemetry.range_box, win.follow_box) or \
                w.parent() is win.bar, f"{type(w).__name__} {w.toolTip() or w.objectName()!r} has neither focus nor key"
    for text in ("Faster", "Next timeline span", "Next plot span", "Follow the other flight (as flown / what-if)",
                 "Turn camera left", "Move camera closer", "Larger text", "Keyboard shortcuts"):
        assert text in keyed, text


def test_keys_move_the_camera_and_cycle_the_spans(win, qtbot):
    win.activateWindow()
    qtbot.waitUntil(lambda: QtWidgets.QApplication.activeWindow() is win)  # keys go to the active window
    win.set_camera("chase")
    win.draw_frame(sync=True)
    before = win.view.camera_state()
    qtbot.keyClick(win, QtCore.Qt.Key.Key_Left, QtCore.Qt.KeyboardModifier.ControlModifier)
    win.draw_frame(sync=True)
    assert win.view.camera == "free" and win.view.camera_state() != before
    qtbot.keyClick(win, QtCore.Qt.Key.Key_1)  # back to a preset
    assert win.view.camera == "chase"
    i = win.bar.span_box.currentIndex()
    qtbot.keyClick(win, QtCore.Qt.Key.Key_Z)
    assert win.bar.span_box.currentIndex() == (i + 1) % win.bar.span_box.count()
    j = win.telemetry.range_box.currentIndex()
    qtbot.keyClick(win, QtCore.Qt.Key.Key_R)
    assert win.telemetry.range_box.currentIndex() == (j + 1) % win.telemetry.range_box.count()


def test_font_scale_enlarges_panels_plots_and_hud_and_presentation_multiplies_it(win):
    label = win.bar.utc_label
    base_pt = win.font().pointSizeF()
    hud = win.view.handles.hud.actors["caption"].GetTextProperty()
    win.draw_frame(sync=True)
    hud_px = hud.GetFontSize()
    win.set_font_scale(2.0)
    win.draw_frame(sync=True)
    assert win.font().pointSizeF() == pytest.approx(2.0 * base_pt)
    assert label.font().pointSizeF() == pytest.approx(2.0 * base_pt)
    assert hud.GetFontSize() == pytest.approx(2.0 * hud_px, abs=1)
    axis_font = win.telemetry.plots[next(iter(win.telemetry.plots))].getAxis("left").label.font()
    assert axis_font.pointSizeF() == pytest.approx(18.0)
    win.set_presentation(True)
    assert win.font().pointSizeF() == pytest.approx(2.0 * PRESENTATION_TEXT_SCALE * base_pt)
    win.set_presentation(False)
    win.set_font_scale(100.0)  # a key pressed once too often stops at the largest
    assert win.font_scale == FONT_SCALES[1]


def test_a_bad_font_scale_is_refused_before_a_window_opens(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["view", "resilience", "--font-scale", "9"])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert "argument --font-scale: expected a number from 0.75 to 3, got '9'" in err[-1]
