"""Kiosk idle-resume and the zoomable timeline, on a stand-in flight (pytest-qt under Xvfb; injected clocks)."""

from __future__ import annotations

from pathlib import Path

import pytest
from app_windows import opened_window
from PySide6 import QtCore

from lunarviz.app.kiosk import KIOSK_BUTTON_PX, Kiosk
from lunarviz.app.playback import FakeClock
from lunarviz.app.widgets import MIN_VIEW_S


@pytest.fixture
def win(qtbot, synthetic_traj):
    with opened_window(qtbot, (1200, 760), speed=10.0, quality="draft", clock=FakeClock(0.0)) as w:
        w.set_trajectory(synthetic_traj)
        yield w


def test_kiosk_tours_pauses_for_a_visitor_and_resumes_when_idle(win, qtbot, synthetic_traj):
    clock = FakeClock(100.0)
    flown = []

    def fly(path):
        flown.append(path)
        return None, synthetic_traj

    kiosk = Kiosk(win, [Path("a.toml"), Path("b.toml")], idle_s=30.0, clock=clock, fly_scene=fly, timer=False)
    kiosk.start()
    assert not win.menuBar().isVisible() and not win.whatif_dock.isVisible() and not win.event_dock.isVisible()
    assert all(b.height() >= KIOSK_BUTTON_PX for b in kiosk.panel.buttons.values())
    stops = kiosk.stops_of(0)
    assert (kiosk.tour.scene, kiosk.tour.index) == (0, 0) and win.playback.playing
    assert win.view.camera == stops[0].camera and kiosk.panel.caption.text() == stops[0].caption
    # the stop's time is up: the next stop
    clock.advance(stops[0].seconds)
    kiosk.tick()
    assert kiosk.tour.index == 1 and win.view.camera == stops[1].camera
    # a visitor taps the screen: the tour holds while they explore
    qtbot.mouseClick(win.view.widget, QtCore.Qt.MouseButton.LeftButton)
    assert not kiosk.tour.touring
    clock.advance(29.0)
    kiosk.tick()
    assert not kiosk.tour.touring and kiosk.tour.index == 1
    # ... and it resumes after 30 s without input, where it was
    clock.advance(1.0)
    kiosk.tick()
    assert kiosk.tour.touring and kiosk.tour.index == 1
    # the tour loops through every scene, flying each once
    for _ in range(2 * len(stops) + 1):
        clock.advance(max(s.seconds for s in stops))
        kiosk.tick()
    assert flown == [Path("a.toml"), Path("b.toml")]
    kiosk.panel.buttons["next"].click()
    assert kiosk.shown_scene == (kiosk.tour.scene) and kiosk.tour.index == 0


def test_timeline_zooms_pans_and_has_preset_spans(win, qtbot, synthetic_traj):
    tl = win.bar.timeline
    traj = synthetic_traj
    assert tl.view == (traj.start_et_s, traj.end_et_s)
    # the wheel zooms about the pointer: the time under it stays under it
    win.draw_frame()
    qtbot.wait(1)  # the bar's labels are laid out: the timeline has its final width
    x = tl.width() * 0.75
    et_under = tl.et_at(x)
    from PySide6 import QtGui

    ev = QtGui.QWheelEvent(QtCore.QPointF(x, 10), tl.mapToGlobal(QtCore.QPointF(x, 10)), QtCore.QPoint(0, 0),
                           QtCore.QPoint(0, 240), QtCore.Qt.MouseButton.NoButton, QtCore.Qt.KeyboardModifier.NoModifier,
                           QtCore.Qt.ScrollPhase.NoScrollPhase, False)
    tl.wheelEvent(ev)
    v0, v1 = tl.view
    assert v1 - v0 == pytest.approx(traj.duration_s / 1.25 ** 2)
    assert tl.et_at(x) == pytest.approx(et_under, abs=1e-6)
    # right-drag pans: dragging left moves the view later
    y = tl.height() // 2
    qtbot.mousePress(tl, QtCore.Qt.MouseButton.RightButton, pos=QtCore.QPoint(300, y))
    qtbot.mouseMove(tl, QtCore.QPoint(200, y))
    qtbot.mouseRelease(tl, QtCore.Qt.MouseButton.RightButton, pos=QtCore.QPoint(200, y))
    assert tl.view[0] > v0 or tl.view[1] == traj.end_et_s
    # a click scrubs at the zoomed scale
    before = tl.view
    qtbot.mouseClick(tl, QtCore.Qt.MouseButton.LeftButton, pos=QtCore.QPoint(round(tl.x_of(before[0] + 10.0)), y))
    assert win.playback.et_s == pytest.approx(before[0] + 10.0, abs=(before[1] - before[0]) / tl.width() * 1.5)
    # preset spans: the last 3 minutes end at the touchdown's settle; zooming in stops at MIN_VIEW_S
    win.bar.span_box.setCurrentIndex(win.bar.span_box.findData("last3"))
    win.bar.span_box.activated.emit(win.bar.span_box.currentIndex())
    td = traj.event("touchdown").et_s
    assert tl.view[1] == pytest.approx(min(td + 20.0, traj.end_et_s)) and tl.view[1] - tl.view[0] == pytest.approx(180)
    tl.set_preset("powered")
    assert tl.view[0] == pytest.approx(traj.event("powered_descent").et_s - 30.0)
    for _ in range(40):
        tl.zoom(2.0)
    assert tl.view[1] - tl.view[0] == pytest.approx(MIN_VIEW_S)
    # playing past the view's edge pages the view along; the event list follows the playhead
    win.seek(traj.event("pitch_up").et_s + 1.0)
    win.draw_frame()
    assert not tl.view[0] <= win.playback.et_s <= tl.view[1]  # paused: the view stays where the user put it
    win.play()
    win.draw_frame()
    win.pause()
    assert tl.view[0] <= win.playback.et_s <= tl.view[1]
    assert win.event_list.currentItem().text().startswith("Pitch-up")
    # frame and second stepping
    et = win.playback.et_s
    win.step_frames(1)
    assert win.playback.et_s == pytest.approx(et + win.playback.frame_s)
    win.step_seconds(-10.0)
    assert win.playback.et_s == pytest.approx(et + win.playback.frame_s - 10.0)


def test_labels_and_scale_bar_toggle(win, synthetic_traj):
    from lunarviz.render.labels import nearby_features, scale_length_m

    assert {"Plato", "Archytas"} <= {n for n, _, _ in nearby_features(60.5, -4.6)}
    assert "Moltke" not in {n for n, _, _ in nearby_features(60.5, -4.6)}
    for m_per_px in (0.05, 3.0, 170.0):
        length = scale_length_m(m_per_px)
        assert 70 <= length / m_per_px <= 180 and f"{length:g}".lstrip("0.")[0] in "125"
    lb = win.view.label_handles
    site = next(a for t, a in lb.texts.items() if t.startswith("●"))
    win.seek(synthetic_traj.event("touchdown").et_s - 100.0)  # a few hundred metres up, near the site
    win.set_camera("orbit")
    win.draw_frame(sync=True)
    assert site.GetVisibility() and not lb.bar.GetVisibility()  # from orbit: no ground scale
    win.set_camera("down")
    win.draw_frame(sync=True)
    assert lb.bar.GetVisibility() and "on the ground" in lb.bar_text.GetInput()
    win.labels_action.trigger()
    win.scale_bar_action.trigger()
    win.set_camera("orbit")
    win.draw_frame(sync=True)
    assert not site.GetVisibility() and not lb.bar.GetVisibility()


def test_labels_and_the_scale_bar_keep_clear_of_the_hud(win, synthetic_traj):
    from lunarviz.render.labels import hud_boxes, update_labels

    h, lb = win.view.handles, win.view.label_handles
    et = synthetic_traj.event("touchdown").et_s - 100.0
    win.seek(et)
    win.set_camera("down")
    win.draw_frame(sync=True)
    w, hgt = h.plotter.window_size
    boxes = hud_boxes(h, hgt)
    panel = h.hud.actors["bottom_left"]
    assert any(b[0] < w / 3 and b[3] > hgt * 2 / 3 for b in boxes)  # the telemetry block, lower left
    assert panel.GetVisibility()

    def bar_text_box():
        b = [0.0] * 4
        lb.bar_text.GetBoundingBox(h.renderer, b)
        x, y = lb.bar_text.GetPositionCoordinate().GetComputedDisplayValue(h.renderer)
        return x + b[0], hgt - (y + b[3]), x + b[1], hgt - (y + b[2])

    low = lb.bar_text.GetPosition()[1]
    cap = h.hud.actors["caption"]  # a wide caption across the bar's place
    cap.SetInput("A caption as wide as the picture, across the bottom right of it")
    cap.SetVisibility(True)
    cap.SetDisplayPosition(int(w * 0.6), int(low) - 4)  # where a caption stands in a taller window
    update_labels(h, lb, et)
    box = bar_text_box()
    assert lb.bar_text.GetPosition()[1] > low  # lifted
    assert not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in hud_boxes(h, hgt))


def test_keys_work_after_closing_the_shortcut_list(win, qtbot):
    from PySide6 import QtWidgets

    from lunarviz.app.window import shortcuts_html

    rows = win.shortcut_rows()
    menus = {m for m, _, _ in rows}
    assert shortcuts_html(rows).count("<tr>") == len(rows) + len(menus)  # one aligned row per key, a title per menu
    win.show_shortcuts()
    qtbot.waitUntil(lambda: win.shortcuts_box.isVisible())
    win.shortcuts_box.done(0)
    qtbot.waitUntil(lambda: QtWidgets.QApplication.activeWindow() is win)
    playing = win.playback.playing
    qtbot.keyClick(win, QtCore.Qt.Key.Key_Space)
    assert win.playback.playing is not playing


def test_playing_draws_fewer_pixels_without_msaa_and_a_paused_frame_is_full(win):
    rw = win.view.plotter.render_window
    pane = (win.view.plotter.width(), win.view.plotter.height())
    win.view.play_scale = 0.75  # --play-scale 0.75
    win.play()
    win.draw_frame()
    s = win.view.play_scale
    assert s < 1.0 and tuple(rw.GetSize()) == (round(pane[0] * s), round(pane[1] * s))
    assert rw.GetMultiSamples() == 0
    win.pause()
    win.draw_frame()
    assert tuple(rw.GetSize()) == pane and rw.GetMultiSamples() > 0


def test_the_playhead_repaints_only_the_strips_where_it_moves(qtbot):
    from PySide6 import QtWidgets

    from lunarviz.app.widgets import PLAYHEAD_HALF_WIDTH_PX, TRACK_MARGIN_PX, Timeline

    tl = Timeline()
    qtbot.addWidget(tl)
    tl.resize(1000 + 2 * TRACK_MARGIN_PX, 44)
    tl.set_span(0.0, 1000.0)  # 1 s a pixel
    tl.show()
    qtbot.waitExposed(tl)
    tl.set_playhead(100.0)
    tl.set_playhead(400.0)
    QtWidgets.QApplication.processEvents()
    img = tl.grab().toImage()

    def red(et_s):  # the playhead's colour in the middle of its line
        c = img.pixelColor(round(tl.x_of(et_s)), 20)
        return c.red() > 200 and c.green() < 120

    assert red(400.0) and not red(100.0)  # drawn at its new place, and wiped from the old one
    asked = []
    tl.update = lambda *a: asked.append(a)
    tl.set_playhead(400.3)  # the same pixel: nothing to repaint
    assert asked == []
    tl.set_playhead(700.0)
    strips = [a[0] for a in asked]
    assert len(strips) == 2 and all(r.width() == 2 * PLAYHEAD_HALF_WIDTH_PX + 2 for r in strips)
    assert strips[0].contains(round(tl.x_of(400.3)), 20) and strips[1].contains(round(tl.x_of(700.0)), 20)
    # leaving the view pages it along, and the whole timeline repaints
    tl.set_view(0.0, 500.0)
    asked.clear()
    tl.set_playhead(600.0, follow=True)
    assert asked == [()] and tl.view[0] <= 600.0 <= tl.view[1]
