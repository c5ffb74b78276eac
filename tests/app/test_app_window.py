"""The viewer window under Xvfb (pytest-qt): playback, scrubbing, cameras, errors, what-if, screenshots."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from app_windows import opened_window
from PIL import Image
from PySide6 import QtCore

from lunarviz import physics, scenario
from lunarviz.app.playback import CAMERAS, FakeClock
from lunarviz.app.scenes import resolve_scene
from lunarviz.app.widgets import TRACK_MARGIN_PX
from lunarviz.physics.outcome import Outcome, touchdown_outcome

WHATIF_TIMEOUT_MS = 90_000
#: the longest wait for something the event loop will do (returns as soon as it is done;
#: generous because a loaded machine can stall the loop for seconds)
WAIT_MS = 60_000


@pytest.fixture(scope="module")
def resilience():
    sc = scenario.load(resolve_scene("resilience.toml"))
    return sc, physics.fly(sc, seed=0)


@pytest.fixture
def clock():
    """The window's playback clock, moved by the test (no test depends on wall-clock time)."""
    return FakeClock(1000.0)


@pytest.fixture
def win(qtbot, resilience, clock):
    sc, traj = resilience
    # draft meshes: the same scene, built faster
    with opened_window(qtbot, speed=10.0, quality="draft", clock=clock) as w:
        w.set_trajectory(traj, sc)
        w.seek(traj.event("powered_descent").et_s)
        w.draw_frame()
        yield w


def _frames_until(win, qtbot, frames, et_s):
    """Let the frame timer run until it has drawn the instant ``et_s``."""
    qtbot.waitUntil(lambda: bool(frames) and frames[-1] == pytest.approx(et_s, abs=1e-9), timeout=WAIT_MS)


def test_play_advances_time_at_the_chosen_rate(win, qtbot, clock):
    # the playhead follows the (fake) clock x speed however slowly the event loop runs
    win.set_speed(100.0)
    t0_et = win.playback.et_s
    frames = []
    win.frame_drawn.connect(frames.append)
    win.play()
    for k in range(1, 6):
        clock.advance(0.25)
        _frames_until(win, qtbot, frames, t0_et + 100.0 * 0.25 * k)  # drawn by the QTimer
    clock.advance(0.1)
    win.pause()
    assert win.playback.et_s - t0_et == pytest.approx(100.0 * 1.35, abs=1e-9)
    assert not win.playback.playing
    assert np.all(np.diff(frames) >= 0)  # time only went forwards
    assert {round(f - t0_et, 6) for f in frames} >= {25.0, 50.0, 75.0, 100.0, 125.0}


def test_slow_frames_do_not_change_the_rate(win, qtbot, monkeypatch, clock):
    real_show = win.view.show

    def slow_show(et_s, **kw):
        real_show(et_s, **kw)
        clock.advance(0.25)            # each frame takes 250 ms: a machine four times slower than llvmpipe

    monkeypatch.setattr(win.view, "show", slow_show)
    win.set_speed(20.0)
    t0_et, t0_clock = win.playback.et_s, clock()
    frames = []
    win.frame_drawn.connect(frames.append)
    win.play()
    qtbot.waitUntil(lambda: len(frames) >= 6, timeout=WAIT_MS)
    win.pause()
    # the playhead moved by clock x speed, not by frames x frame time
    assert win.playback.et_s - t0_et == pytest.approx(20.0 * (clock() - t0_clock), abs=1e-9)
    # each frame shows the instant the slow frame before it ended: 250 ms x 20 = 5 s apart
    np.testing.assert_allclose(np.diff(frames[:6]), 5.0, atol=1e-9)


def test_scrubbing_updates_hud_and_plots(win, qtbot, resilience):
    _, traj = resilience
    # click the timeline at 98 % of its track (the whole flight is shown)
    tl = win.bar.timeline
    x = tl.x_of(traj.start_et_s + 0.98 * traj.duration_s)
    qtbot.mouseClick(tl, QtCore.Qt.MouseButton.LeftButton, pos=QtCore.QPoint(round(x), tl.height() // 2))
    et = win.playback.et_s
    px_s = traj.duration_s / (tl.width() - 2 * TRACK_MARGIN_PX)
    assert et == pytest.approx(traj.start_et_s + 0.98 * traj.duration_s, abs=px_s)
    qtbot.waitUntil(lambda: win.view.handles.et_s == et, timeout=WAIT_MS)
    st = traj.at(et)
    hud = win.view.handles.hud.actors
    hud_text = hud["bottom_left"].GetInput()
    alt_text = f"{st.alt_m:.0f} m" if st.alt_m < 10_000 else f"{st.alt_m / 1000:.1f} km"
    assert alt_text.split()[0] in hud_text
    assert win.telemetry.cursors["alt"].value() == pytest.approx(float(win.telemetry.x_of(et)))
    assert f"{st.propellant_kg:.0f} kg" in win.telemetry.readout.text()
    assert "L-" in win.bar.lminus_label.text()

    # dragging the plot cursor scrubs too
    target = traj.event("lrf_first_valid").et_s
    cursor = win.telemetry.cursors["speed"]
    cursor.setValue(float(win.telemetry.x_of(target)))
    cursor.sigDragged.emit(cursor)
    assert win.playback.et_s == pytest.approx(target, abs=1e-6)
    qtbot.waitUntil(lambda: abs(win.view.handles.et_s - target) < 1e-6, timeout=WAIT_MS)
    assert win.telemetry.cursors["alt"].value() == pytest.approx(float(win.telemetry.x_of(target)))
    assert win.bar.timeline.et_s == pytest.approx(target)


def test_event_list_jumps(win, resilience):
    _, traj = resilience
    names = [m.name for m in win.marks]
    for wanted in ("deorbit", "powered_descent", "pitch_up", "lrf_first_valid", "earthrise", "touchdown"):
        assert wanted in names
    i = names.index("touchdown")
    expected = {Outcome.LANDED: "Touchdown", Outcome.HARD_LANDING: "Hard landing",
                Outcome.CRASHED: "Contact lost"}[touchdown_outcome(traj)]
    assert win.event_list.item(i).text().startswith(expected)
    win.event_list.itemClicked.emit(win.event_list.item(i))
    assert win.playback.et_s == traj.event("touchdown").et_s


def test_camera_buttons_and_keys_change_the_camera(win, qtbot):
    states = {}
    for name in CAMERAS:
        win.camera_actions[name].trigger()
        win.draw_frame()
        assert win.view.camera == name and win.camera_actions[name].isChecked()
        assert win.view.last_spec.name == name
        states[name] = win.view.camera_state()
    assert len(set(states.values())) == len(CAMERAS)  # five different viewpoints
    # keys 1-5 and Space
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=WAIT_MS)
    qtbot.keyClick(win, QtCore.Qt.Key.Key_2)
    assert win.view.camera == "orbit"
    qtbot.keyClick(win, QtCore.Qt.Key.Key_1)
    assert win.view.camera == "chase"
    qtbot.keyClick(win, QtCore.Qt.Key.Key_Space)
    assert win.playback.playing
    qtbot.keyClick(win, QtCore.Qt.Key.Key_Space)
    assert not win.playback.playing
    et = win.playback.et_s
    qtbot.keyClick(win, QtCore.Qt.Key.Key_Right, QtCore.Qt.KeyboardModifier.ShiftModifier)
    assert win.playback.et_s == pytest.approx(et + 10.0)


def test_mouse_drag_gives_a_free_camera_that_follows(win, qtbot):
    win.set_camera("chase")
    win.draw_frame()
    view = win.view.widget
    # a click alone keeps the preset (and takes the keyboard back from a spin box) ...
    win.whatif.spins["propellant_kg"].setFocus()
    qtbot.mouseClick(view, QtCore.Qt.MouseButton.LeftButton, pos=view.rect().center())
    assert win.view.camera == "chase"
    assert win.centralWidget().hasFocus() or not win.isActiveWindow()
    # ... a drag moves the camera and leaves the preset
    c = view.rect().center()
    qtbot.mousePress(view, QtCore.Qt.MouseButton.LeftButton, pos=c)
    for dx in (10, 30, 60):
        qtbot.mouseMove(view, pos=c + QtCore.QPoint(dx, dx // 2))
    qtbot.mouseRelease(view, QtCore.Qt.MouseButton.LeftButton, pos=c + QtCore.QPoint(60, 30))
    assert win.view.camera == "free"
    assert "free camera" in win.free_label.text()
    assert not any(a.isChecked() for a in win.camera_actions.values())
    win.draw_frame()  # the dragged camera, as a spec at the same instant
    before = np.array(win.view.last_spec.position_m)
    et0 = win.playback.et_s
    win.step_seconds(10.0)
    win.draw_frame()
    moved = np.array(win.view.last_spec.position_m) - before
    lander_moved = win.traj.at(et0 + 10.0).pos_m - win.traj.at(et0).pos_m
    np.testing.assert_allclose(moved, lander_moved, atol=1.0)  # metres: the free camera follows the lander
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=WAIT_MS)
    qtbot.keyClick(win, QtCore.Qt.Key.Key_3)
    assert win.view.camera == "site"


def test_bad_scenario_shows_a_dialog_and_keeps_the_old_one(win, qtbot, tmp_path, resilience):
    _, traj = resilience
    bad = tmp_path / "broken.toml"
    bad.write_text('[story]\ntitle = "x"\n[site]\nlat_deg = 123.0\n')
    title = win.windowTitle()
    with qtbot.waitSignal(win.load_failed, timeout=WAIT_MS) as blocker:
        win.open_scenario(bad)
    message = blocker.args[0]
    assert "broken.toml" in message
    assert win.error_dialog is not None and win.error_dialog.isVisible()
    assert "stays on screen" in win.error_dialog.informativeText()
    assert win.traj is traj and win.windowTitle() == title
    win.error_dialog.close()
    # a file that is not there, and one that is not TOML at all
    for path, content in ((tmp_path / "missing.toml", None), (tmp_path / "junk.toml", "\x00\x01 not toml [[[")):
        if content is not None:
            path.write_text(content)
        with qtbot.waitSignal(win.load_failed, timeout=WAIT_MS) as blocker:
            win.open_scenario(path)
        assert path.name in blocker.args[0]
        win.error_dialog.close()
        assert win.traj is traj
    win.draw_frame()  # still playing the old scenario


def test_whatif_flies_a_second_trajectory_in_the_background(win, qtbot, resilience):
    _, traj = resilience
    win.whatif.lrf_works.click()
    assert win.whatif.changes() == {"lrf_valid_below_m": 3000.0}
    frames = []
    win.frame_drawn.connect(frames.append)
    win.set_speed(1.0)
    win.play()
    with qtbot.waitSignal(win.whatif_finished, timeout=WHATIF_TIMEOUT_MS) as blocker:
        win.whatif.fly_button.click()
        assert win.whatif.busy.isVisible()
    win.pause()
    ghost = blocker.args[0]
    assert ghost is win.whatif_traj and ghost is not traj
    assert ghost.scenario.lrf.fault_valid_below_m is None
    # the UI kept drawing while the what-if was flown (seconds of waiting, so many frames)
    assert len(frames) >= 5
    # a rangefinder that works from 3 km gives its first valid range earlier and higher up
    assert ghost.event("lrf_first_valid").et_s < traj.event("lrf_first_valid").et_s
    assert ghost.at(ghost.event("lrf_first_valid").et_s).alt_m > 1000.0
    assert not np.array_equal(ghost.est_alt_m[-100:], traj.est_alt_m[-100:])
    assert {"lander", "plume_core", "trail_past", "dot", "outcomes"} <= set(win.view.ghost_handles.actors)
    assert win.telemetry.ghost is ghost and "what-if" in win.telemetry.readout.text()
    assert "What-if" in win.whatif.result.text()
    _whatif_told_to_its_end(win, traj, ghost)
    win.whatif.reset_button.click()
    assert win.whatif_traj is None and win.view.ghost_handles is None and win.telemetry.ghost is None
    assert win.playback.end_et_s == traj.end_et_s and "whatif_touchdown" not in [m.name for m in win.marks]
    assert win.whatif.values()["lrf_valid_below_m"] == 900.0


def test_monte_carlo_runs_in_the_background_and_draws_on_the_terrain(win, qtbot, monkeypatch):
    from lunarviz.physics import montecarlo

    real = montecarlo.run_batched
    monkeypatch.setattr(montecarlo, "run_batched", lambda *a, **kw: real(*a, **{**kw, "batch": 8}))
    progress = []
    win.montecarlo_progress.connect(lambda d, n: progress.append((d, n)))
    win.montecarlo.runs.setValue(24)
    with qtbot.waitSignal(win.montecarlo_finished, timeout=WHATIF_TIMEOUT_MS) as blocker:
        win.montecarlo.run_button.click()
        assert win.montecarlo.cancel_button.isEnabled() and win.montecarlo.progress.isVisible()
    mc = blocker.args[0]
    assert mc.runs == 24 and progress[-1] == (24, 24) and len(progress) == 3
    d = win.view.dispersion_handles
    assert {"points", "ellipse_1", "ellipse_3"} <= set(d.actors)
    assert d.actors["points"].GetMapper().GetInput().GetNumberOfPoints() == int(np.isfinite(mc.east_m).sum())
    assert "1σ" in win.montecarlo.result.text() and not win.montecarlo.cancel_button.isEnabled()
    # a cancelled run stops between batches and leaves the drawn result alone
    win.montecarlo.runs.setValue(5000)
    with qtbot.waitSignal(win.montecarlo_finished, timeout=WHATIF_TIMEOUT_MS) as blocker:
        win.montecarlo.run_button.click()
        win.montecarlo.cancel_button.click()
    assert blocker.args[0] is None and win.view.dispersion_handles is d
    assert win.montecarlo.result.text() == "Cancelled"


def _whatif_told_to_its_end(win, traj, ghost):
    """Both touchdowns on the timeline, the ghost seen from every camera, both outcomes on the HUD."""
    td, gtd = traj.event("touchdown").et_s, ghost.event("touchdown").et_s
    assert gtd > td + 10.0  # the working rangefinder lands later than the crash
    assert win.playback.end_et_s == max(traj.end_et_s, ghost.end_et_s) >= gtd
    assert "whatif_touchdown" in [m.name for m in win.marks]
    win.seek(gtd)  # possible only because the span now covers the what-if's landing
    assert win.playback.et_s == gtd
    g = win.view.ghost_handles
    for camera in CAMERAS:
        win.set_camera(camera)
        win.draw_frame(sync=True)
        assert g.actors["lander"].GetVisibility() or g.actors["dot"].GetVisibility(), camera
        assert g.actors["trail_past"].GetVisibility(), camera
    hud = g.actors["outcomes"].GetInput()
    assert hud.startswith("AS FLOWN: hard impact") and "WHAT-IF: soft touchdown" in hud
    # the chase camera follows either flight: its focal point near the chosen lander
    win.set_camera("chase")
    for which, flight in (("whatif", ghost), ("flown", traj)):
        win.set_follow(which)
        win.seek(gtd - 60.0)
        win.draw_frame(sync=True)
        focal = np.asarray(win.view.last_spec.focal_m)
        other = ghost if flight is traj else traj
        assert (np.linalg.norm(focal - flight.at(gtd - 60.0).pos_m)
                < 0.2 * np.linalg.norm(focal - other.at(gtd - 60.0).pos_m)), which
    win.set_follow("whatif")
    win.seek(gtd - 60.0)
    win.draw_frame(sync=True)
    assert g.actors["lander"].GetVisibility() and g.actors["plume_core"].GetVisibility()


def test_window_screenshot_shows_3d_view_and_controls(win, tmp_path):
    win.seek(win.traj.event("lrf_first_valid").et_s)
    out = win.save_window_png(tmp_path / "window.png")
    img = np.asarray(Image.open(out).convert("RGB")).astype(float)
    assert img.shape[1] >= 1000 and img.shape[0] >= 700
    view = win.view.widget
    tl = view.mapTo(win, QtCore.QPoint(0, 0))
    region = img[tl.y():tl.y() + view.height(), tl.x():tl.x() + view.width()]
    lum = region.mean(axis=2)
    assert lum.std() > 15.0                  # a picture, not a flat fill
    assert (lum > 40).mean() > 0.05          # lit Moon/HUD pixels
    bar = win.bar.mapTo(win, QtCore.QPoint(0, 0))
    controls = img[bar.y():bar.y() + win.bar.height(), bar.x():bar.x() + win.bar.width()].mean(axis=2)
    assert controls.std() > 10.0             # buttons, slider and labels drawn
    assert controls.mean() > 100.0           # a light widget background, not the black GL area
    # PNG export of the 3D frame alone
    frame = win.save_frame_png(tmp_path / "frame.png")
    fimg = np.asarray(Image.open(frame).convert("RGB"))
    assert fimg.shape[:2] == (view.height(), view.width())
    assert fimg.std() > 15.0
    # ... at 4K, with and without the HUD (the HUD's white text is what differs)
    big = np.asarray(Image.open(win.save_frame_png(tmp_path / "4k.png", size=(3840, 2160))).convert("RGB"))
    bare_png = win.save_frame_png(tmp_path / "bare.png", size=(3840, 2160), hud=False)
    bare = np.asarray(Image.open(bare_png).convert("RGB"))
    assert big.shape[:2] == bare.shape[:2] == (2160, 3840)
    hud_px = (big.min(axis=2) > 200) & (bare.min(axis=2) < 150)
    assert hud_px[:300, :1500].mean() > 0.002       # the title, top left
    assert np.abs(big.astype(int) - bare).mean(axis=2)[600:1500, 1000:2800].mean() < 2.0  # the same picture
    assert tuple(win.view.plotter.render_window.GetSize()) == (view.width(), view.height())  # back on screen


def test_presentation_mode_enlarges_text(win):
    base_font = win.bar.utc_label.font().pointSizeF()
    hud = win.view.handles.hud.actors["bottom_left"].GetTextProperty()
    win.draw_frame()
    base_hud = hud.GetFontSize()
    win.set_presentation(True)
    win.draw_frame()
    assert win.bar.utc_label.font().pointSizeF() > 1.4 * base_font
    assert hud.GetFontSize() > base_hud
    assert not win.menuBar().isVisible() and not win.whatif_dock.isVisible()
    win.set_presentation(False)
    win.draw_frame()
    assert win.menuBar().isVisible() and win.whatif_dock.isVisible()


def test_video_export_runs_in_the_background_and_can_be_cancelled(win, qtbot, tmp_path):
    import imageio_ffmpeg

    from lunarviz.app.export import VideoExportDialog

    traj = win.traj
    td = traj.event("touchdown").et_s
    dlg = VideoExportDialog(win, traj, "chase", td - 10.0, speed=5.0)
    dlg.path_edit.setText(str(tmp_path / "clip.mp4"))
    dlg.start_edit.setText("touchdown-10s")
    dlg.end_edit.setText("touchdown-8s")
    dlg.size_box.setCurrentText("640 x 360 (preview)")
    dlg.fps.setValue(10)
    dlg.speed.setValue(1.0)
    assert dlg.frames_label.text().startswith("20 frames")
    frames = []
    win.frame_drawn.connect(frames.append)
    win.play()
    assert dlg.start()
    with qtbot.waitSignal(dlg.job.finished, timeout=120_000) as blocker:
        pass
    win.pause()
    assert blocker.args[0] is True, blocker.args[1]
    assert len(frames) >= 5  # the window kept drawing during the export
    nframes, _secs = imageio_ffmpeg.count_frames_and_secs(str(tmp_path / "clip.mp4"))
    reader = imageio_ffmpeg.read_frames(str(tmp_path / "clip.mp4"))
    meta = next(reader)
    reader.close()
    assert nframes == 20 and tuple(meta["size"]) == (640, 360)

    # a long render, cancelled after its first frames: nothing is left behind
    dlg.path_edit.setText(str(tmp_path / "long.mp4"))
    dlg.start_edit.setText("powered_descent")
    dlg.end_edit.setText("touchdown")
    assert dlg.start()
    qtbot.waitUntil(lambda: dlg.job.done >= 2, timeout=120_000)
    with qtbot.waitSignal(dlg.job.finished, timeout=WAIT_MS) as blocker:
        dlg.cancel_button.click()
    assert blocker.args[0] is False and "cancelled" in blocker.args[1]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.mp4"]
    dlg.close()
    dlg.deleteLater()


def test_bad_export_inputs_are_reported_in_the_dialog(win, tmp_path):
    from lunarviz.app.export import VideoExportDialog
    from lunarviz.render.video import frame_times

    dlg = VideoExportDialog(win, win.traj, "chase", win.playback.et_s)
    # the count shown is the count `lunarviz render` writes for the same From/To (its own frame_times)
    dlg.speed.setValue(1.0)
    t0, t1 = dlg._times()
    n = len(frame_times(t0, t1, 30.0, 1.0))
    assert dlg.frames_label.text().startswith(f"{n:,} frames") and n == 3600  # 120.0 s at 30 fps
    dlg.path_edit.setText(str(tmp_path / "clip.avi"))
    assert not dlg.start()
    assert "clip.avi" in dlg.status.text()
    dlg.path_edit.setText(str(tmp_path / "clip.mp4"))
    dlg.start_edit.setText("the day after tomorrow")
    assert not dlg.start()
    assert "day after" in dlg.status.text()
    assert list(tmp_path.iterdir()) == []
    dlg.close()
    dlg.deleteLater()


def test_the_window_caches_into_the_session_folder_not_the_home_cache(win, session_cache):
    from lunarviz import assets
    from lunarviz.render import resources

    cache = resources.cache_dir()
    assert assets.cache_dir() == session_cache and cache.parent == session_cache
    assert any(cache.glob("*.npz"))  # the window's scene did cache (textures, baked terrain) ... here
    home_cache = Path.home() / ".cache" / "lunarviz"
    assert not cache.is_relative_to(home_cache) and not session_cache.is_relative_to(home_cache)


def test_published_values_beside_the_simulation_in_plots_and_hud(win, qtbot, resilience):
    # issue #15: the livestream's 187 km/h / 52 m at L-01:45 as diamonds in the plots and a HUD line
    _, traj = resilience
    tel = win.telemetry
    alt = tel.curves["record_altitude"]
    assert sorted(np.round(alt.yData * 1000.0)) == [52.0, 192.0, 900.0]
    speed = tel.curves["record_speed"]
    at = tel.x_of(traj.planned_touchdown_et_s - 105.0)
    pts = zip(speed.xData, speed.yData, strict=True)
    assert any(abs(x - at) < 1e-6 and abs(y - 187.0 / 3.6) < 1e-6 for x, y in pts)
    assert {"livestream", "press report", "ispace"} <= {t.toPlainText() for _, t in tel._record_labels}

    def labels_shown(mode: str) -> int:  # each inside its plot's width, none over another
        tel.set_range_mode(mode)
        boxes: dict[str, list] = {}
        for key, t in tel._record_labels:
            if t.isVisible():
                boxes.setdefault(key, []).append(t.sceneBoundingRect())
        for key, bs in boxes.items():
            plot = tel.plots[key].getViewBox().sceneBoundingRect()
            assert all(plot.left() - 1 <= b.left() and b.right() <= plot.right() + 1 for b in bs), key
            assert not any(a.intersects(b) for i, a in enumerate(bs) for b in bs[i + 1:]), key
        return sum(map(len, boxes.values()))

    crowded = labels_shown("descent")  # the last minutes are a few pixels wide: most labels give way
    assert 0 < crowded < len(tel._record_labels)
    tel.set_cursor(traj.planned_touchdown_et_s - 180.0)  # +-2 min: both livestream speeds, far apart
    assert labels_shown("follow") >= 2
    tel.set_range_mode("descent")
    win.seek(traj.planned_touchdown_et_s - 103.0)
    win.draw_frame()
    qtbot.waitUntil(lambda: "livestream: 187 km/h" in win.view.handles.hud.actors["record"].GetInput(),
                    timeout=WAIT_MS)
    assert "(sim 187 km/h, 530 m)" in win.view.handles.hud.actors["record"].GetInput()


def test_a_paused_window_draws_again_until_a_background_tile_is_in(win, qtbot, monkeypatch):
    # far from the site the down camera stands over detail tiles built in a thread: paused, with no
    # key pressed, the window must still draw them once they are ready
    from lunarviz.render import detail

    monkeypatch.setattr(detail, "TILE_PX", 64)
    monkeypatch.setattr(detail, "TILE_GRID", 8)
    frames = []
    win.frame_drawn.connect(frames.append)
    win.set_camera("down")
    win.draw_frame()
    tiles = win.view.handles.data["tiles"]
    assert not win.playback.playing and tiles["job"] is not None
    qtbot.waitUntil(lambda: len(tiles["built"]) >= 2 and tiles["job"] is None, timeout=WAIT_MS)
    assert len(frames) >= 3  # each tile drawn by the frame timer as it came in, not by the test
    assert any(a.GetVisibility() for _tb, a in tiles["built"].values())
