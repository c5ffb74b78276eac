"""The viewer in Japanese and Hebrew: translated widgets, the language's font, right-to-left layout."""

from __future__ import annotations

import numpy as np
import pytest
from app_windows import opened_window
from PIL import Image
from PySide6 import QtCore, QtWidgets

from lunarviz import i18n


@pytest.fixture(autouse=True)
def _english_after():
    yield
    i18n.set_language("en")
    from lunarviz.app.main import apply_language

    apply_language(QtWidgets.QApplication.instance())


def _menu_titles(win) -> list[str]:
    return [a.text() for a in win.menuBar().actions()]


@pytest.mark.parametrize("lang, file_menu, camera, font", [
    ("ja", "ファイル(&F)", "追尾", "Noto Sans CJK JP"),
    ("he", "&קובץ", "מעקב", "Noto Sans Hebrew"),
])
def test_viewer_in_the_language(qtbot, synthetic_traj, tmp_path, lang, file_menu, camera, font):
    i18n.set_language(lang)
    with opened_window(qtbot, quality="draft") as win:
        win.set_trajectory(synthetic_traj)
        win.seek(synthetic_traj.planned_touchdown_et_s - 30)
        win.draw_frame()
        app = QtWidgets.QApplication.instance()
        assert _menu_titles(win)[0] == file_menu
        assert win.camera_actions["chase"].text() == camera
        assert win.bar.play_button.toolTip() == i18n._("Play / pause (Space)") != "Play / pause (Space)"
        assert app.font().family() == font
        rtl = QtCore.Qt.LayoutDirection.RightToLeft
        assert (app.layoutDirection() == rtl) == (lang == "he")
        assert (win.layoutDirection() == rtl) == (lang == "he")
        if lang == "he":  # the menu bar starts at the right: File is right of Help
            bar = win.menuBar()
            geo = [bar.actionGeometry(a).x() for a in bar.actions()]
            assert geo[0] > geo[-1]
        out = win.save_window_png(tmp_path / f"viewer-{lang}.png")
        img = np.asarray(Image.open(out).convert("RGB"))
        assert img.std() > 15.0


def test_back_in_english_left_to_right(qtbot, synthetic_traj):
    i18n.set_language("he")
    i18n.set_language("en")
    with opened_window(qtbot, quality="draft") as win:
        assert _menu_titles(win)[0] == "&File"
        assert QtWidgets.QApplication.instance().layoutDirection() == QtCore.Qt.LayoutDirection.LeftToRight
