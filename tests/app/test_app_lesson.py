"""Lesson mode in the viewer (pytest-qt under Xvfb): the shipped lessons run end to end, keys only.

Every step's moment is reached by playing (a FakeClock moved in big steps, so nothing runs in real
time), its question is shown and paused, its reveal done, and going back restores each earlier
step's time, what-if and plots.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from app_windows import opened_window
from PySide6 import QtCore

from lunarviz import physics, scenario
from lunarviz.app.lesson import RIGHT_MARK, WRONG_MARK, LessonController
from lunarviz.app.playback import FakeClock
from lunarviz.app.window import resolve_time
from lunarviz.lesson import positions

#: the longest wait for a what-if or a scene flown in the background
FLY_MS = 120_000
#: the longest wait for the event loop to lay the panel out
WAIT_MS = 30_000
K = QtCore.Qt.Key
#: set to a folder to save a window screenshot at every stop of the lessons (docs, review)
SHOTS = os.environ.get("LUNARVIZ_LESSON_SHOTS")


def _flown(name: str):
    path = scenario.resolve(name)
    sc = scenario.load(path)
    return path, sc, physics.fly(sc, seed=0)


@pytest.fixture
def clock():
    return FakeClock(500.0)


def _lesson_window(qtbot, clock, name: str, presentation: bool = False):
    path, sc, traj = _flown(name)
    cm = opened_window(qtbot, (1600, 960), speed=10.0, quality="draft", clock=clock)
    win = cm.__enter__()
    if presentation:  # as `view --presentation --lesson`: before the lesson is set up
        win.set_presentation(True)
    win.set_trajectory(traj, sc)
    win.scenario_path = path
    ctrl = LessonController(win, sc.lesson, path)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=FLY_MS)
    return cm, win, ctrl


def _press(qtbot, win, ctrl, key) -> None:
    """A key; waits for the stage to be shown when it needs a flight in the background."""
    with qtbot.waitSignal(ctrl.stage_shown, timeout=FLY_MS):
        qtbot.keyClick(win, key)


def _play_on(win, ctrl, clock) -> None:
    """Play (on the fake clock) until the lesson moves on to the next question by itself."""
    st = ctrl.run.stage
    until = resolve_time(st.until, win.traj)
    pos = ctrl.run.pos
    clock.advance((until - win.playback.et_s) / st.speed + 0.5)
    win._on_frame()  # one timer tick draws the frame past the moment
    assert ctrl.run.pos == pos + 1, "playing past the next step's moment shows its question"


def _check_question(qtbot, win, ctrl, shots: list) -> None:
    run, st = ctrl.run, ctrl.run.stage
    step = run.step
    assert not st.revealed and not win.playback.playing
    assert win.playback.et_s == pytest.approx(resolve_time(step.at, win.traj), abs=1e-6)
    p = ctrl.panel
    assert p.prompt.text() == step.prompt and p.counter.text() == f"Step {run.number} of {run.count}"
    assert [lab.text() for lab in p.choice_labels] == list(step.choices) and not p.explain.isVisible()
    assert win.view.camera == st.camera
    # every choice laid out whole (word-wrapped, none cut off)
    qtbot.waitUntil(lambda: all(lab.isVisible() and lab.height() >= lab.heightForWidth(lab.width())
                                for lab in p.choice_labels), timeout=WAIT_MS)
    shots.append(f"step{run.number}-question")


def _check_reveal(win, ctrl, shots: list) -> None:
    st, step = ctrl.run.stage, ctrl.run.step
    p = ctrl.panel
    assert st.revealed and p.explain.isVisible() == bool(step.explain)
    if step.answer is not None:
        assert p.choice_labels[step.answer].text().startswith(RIGHT_MARK)
        picked = p.picked
        if picked not in (-1, step.answer):
            assert p.choice_labels[picked].text().startswith(WRONG_MARK)
    if step.reveal == "plot":
        assert win.telemetry_dock.isVisible() and not win.playback.playing
        assert win.telemetry.x_span()[1] - win.telemetry.x_span()[0] <= 12.0  # its last minutes (not the hour)
    else:
        assert win.playback.playing and win.playback.speed == st.speed
    if step.reveal == "whatif":
        ghost = win.whatif_traj
        assert ghost is not None and ghost.scenario.lrf.fault_valid_below_m is None and win.view.follow == "whatif"
    if step.reveal == "camera":
        assert win.view.camera == step.reveal_camera == st.camera
    if step.reveal == "scene":
        assert Path(win.scenario_path).resolve() == Path(step.scene).resolve()
    start = resolve_time(step.replay_from or step.at, win.traj)
    assert win.playback.et_s == pytest.approx(start, abs=1e-6)
    shots.append(f"step{ctrl.run.number}-reveal")


def _save(win, name: str, shot: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        win.save_window_png(Path(SHOTS) / f"{name}-{shot}.png")


def _run_forward(qtbot, win, ctrl, clock, name: str) -> list[str]:
    """From the intro to the last reveal with the keyboard; returns what was checked."""
    shots: list[str] = []
    ctrl.start()
    assert ctrl.panel.prompt.text() == ctrl.run.lesson.title and not win.playback.playing
    assert not win.event_dock.isVisible() and not win.whatif_dock.isVisible()
    _save(win, name, "intro")
    _press(qtbot, win, ctrl, K.Key_Right)            # start: plays to the first step
    while True:
        if ctrl.run.stage.playing and ctrl.run.stage.until is not None:
            _play_on(win, ctrl, clock)
        if ctrl.run.stage.revealed:
            break  # the last step was revealed (or a paused reveal: go on below)
        _check_question(qtbot, win, ctrl, shots)
        if ctrl.run.step.choices:
            qtbot.keyClick(win, K.Key_Down)           # the class's guess, keyboard only
            qtbot.keyClick(win, K.Key_Down)
            assert ctrl.panel.picked == 1
            qtbot.keyClick(win, K.Key_Up)
            assert ctrl.panel.picked == 0
        _save(win, name, shots[-1])
        _press(qtbot, win, ctrl, K.Key_Right)         # reveal
        _check_reveal(win, ctrl, shots)
        _save(win, name, shots[-1])
        if ctrl.run.at_end:
            break
        if not ctrl.run.stage.playing:
            _press(qtbot, win, ctrl, K.Key_PageDown)  # a paused reveal: next question by key
    return shots


def _run_back(qtbot, win, ctrl) -> int:
    """From the end back to the intro, one question at a time; returns the questions passed."""
    n = 0
    while ctrl.run.pos > 0:
        key = K.Key_Left if n % 2 else K.Key_PageUp
        _press(qtbot, win, ctrl, key)
        st = ctrl.run.stage
        assert not st.revealed and not win.playback.playing
        if st.index >= 0:
            step = ctrl.run.step
            assert win.playback.et_s == pytest.approx(resolve_time(step.at, win.traj), abs=1e-6)
            assert win.telemetry_dock.isVisible() == st.plot
            assert (win.whatif_traj is None) == (st.whatif is None)
            assert Path(win.scenario_path).resolve() == Path(st.scene or ctrl.own_path).resolve()
            assert ctrl.panel.prompt.text() == step.prompt
            n += 1
    return n


@pytest.mark.parametrize("name", ["resilience", "hakuto-r-m1", "apollo11"])
def test_a_shipped_lesson_runs_end_to_end_and_back(qtbot, clock, name):
    cm, win, ctrl = _lesson_window(qtbot, clock, name)
    try:
        lesson = ctrl.run.lesson
        shots = _run_forward(qtbot, win, ctrl, clock, name)
        n = len(lesson.steps)
        assert shots == [f"step{i}-{what}" for i in range(1, n + 1) for what in ("question", "reveal")]
        assert ctrl.run.at_end and ctrl.run.pos == positions(lesson) - 1
        assert not ctrl.panel.next_button.isEnabled()
        assert _run_back(qtbot, win, ctrl) == n
        assert ctrl.panel.prompt.text() == lesson.title and not ctrl.panel.back_button.isEnabled()
        # and forward again: a what-if already flown is shown from the cache at once
        for _ in range(2 * n - 1):
            ctrl.next()
        if lesson.steps[-1].reveal == "whatif":
            ghost = win.whatif_traj
            ctrl.back()
            assert win.whatif_traj is None
            ctrl.next()
            assert win.whatif_traj is ghost
    finally:
        cm.__exit__(None, None, None)


def test_the_lesson_owns_the_arrow_keys_and_the_buttons_work(qtbot, clock):
    cm, win, ctrl = _lesson_window(qtbot, clock, "resilience", presentation=True)
    try:
        ctrl.start()
        et = win.playback.et_s
        qtbot.keyClick(win, K.Key_Right)
        assert ctrl.run.pos == 1 and win.playback.et_s == pytest.approx(et)  # not a frame step
        qtbot.keyClick(win, K.Key_Right)                                        # skips to the first question
        assert ctrl.run.pos == 2 and not win.playback.playing
        ctrl.panel.back_button.click()
        assert ctrl.run.pos == 0
        ctrl.panel.next_button.click()
        assert ctrl.run.pos == 1
        # leaving presentation mode keeps the lesson's layout (no event list, no what-if panel)
        win.set_presentation(False)
        assert not win.event_dock.isVisible() and not win.whatif_dock.isVisible() and ctrl.dock.isVisible()
        # Shift+arrows still step 10 s, Space still plays and pauses
        qtbot.keyClick(win, K.Key_Space)
        assert not win.playback.playing
        et = win.playback.et_s
        qtbot.keyClick(win, K.Key_Right, QtCore.Qt.KeyboardModifier.ShiftModifier)
        assert win.playback.et_s == pytest.approx(et + 10.0)
    finally:
        cm.__exit__(None, None, None)


def _pt(widget) -> float:
    widget.ensurePolished()
    return widget.font().pointSizeF()


def test_the_lesson_panel_follows_the_font_scale(qtbot, clock):
    # the back row of a classroom: Ctrl+plus makes the question, the choices and the buttons larger too
    from lunarviz.app.lesson import PROMPT_PT, TEXT_PT

    cm, win, ctrl = _lesson_window(qtbot, clock, "resilience")
    try:
        ctrl.start()
        qtbot.keyClick(win, K.Key_Right)
        qtbot.keyClick(win, K.Key_Right)  # the first question, with its choices
        panel = ctrl.panel
        assert panel.choice_labels
        assert _pt(panel.prompt) == pytest.approx(PROMPT_PT) and _pt(panel.choice_labels[0]) == pytest.approx(TEXT_PT)
        width, button_h = ctrl.dock.width(), panel.next_button.minimumHeight()
        win.set_font_scale(1.5)
        assert _pt(panel.prompt) == pytest.approx(PROMPT_PT * 1.5, abs=0.5)
        assert _pt(panel.explain) == pytest.approx(TEXT_PT * 1.5, abs=0.5)
        assert _pt(panel.next_button) == pytest.approx(TEXT_PT * 1.5, abs=0.5)
        qtbot.keyClick(win, K.Key_Down)  # picking an answer restyles it: at the larger size still
        assert _pt(panel.choice_labels[0]) == pytest.approx(TEXT_PT * 1.5, abs=0.5)
        assert panel.next_button.minimumHeight() > button_h
        qtbot.waitUntil(lambda: ctrl.dock.width() > width, timeout=WAIT_MS)
        win.set_font_scale(1.0)
        assert _pt(panel.prompt) == pytest.approx(PROMPT_PT)
    finally:
        cm.__exit__(None, None, None)


def test_lesson_options_are_checked_before_any_window(capsys):
    from lunarviz.cli import main

    assert main(["view", "resilience-nominal", "--lesson"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "has no [lesson] table; scenes with a lesson: apollo11, hakuto-r-m1, resilience" in err[0]
    assert main(["view", "resilience", "--lesson", "--lesson-step", "9"]) == 2
    assert "--lesson-step 9: expected 0 (the intro) to 4" in capsys.readouterr().err
    assert main(["view", "resilience", "--lesson-step", "2"]) == 2
    assert "only with --lesson" in capsys.readouterr().err
    assert main(["view", "resilience", "--lesson", "--camera", "orbit"]) == 2
    assert "--camera with --lesson: the lesson sets" in capsys.readouterr().err
    assert main(["view", "--kiosk", "--lesson"]) == 2
    assert "choose one" in capsys.readouterr().err


def test_view_lesson_opens_on_a_step_and_saves_a_screenshot(qapp, tmp_path, capsys):
    from PIL import Image

    from lunarviz.cli import main

    out = tmp_path / "lesson.png"
    assert main(["view", "hakuto-r-m1", "--lesson", "--lesson-step", "2", "--screenshot", str(out)]) == 0
    assert "saved" in capsys.readouterr().out
    img = Image.open(out).convert("RGB")
    # the lesson panel's dark background (#10131a) along the right edge of the window
    w, h = img.size
    assert w > 1000 and img.getpixel((w - 8, h // 2)) == (0x10, 0x13, 0x1A)


def test_a_step_at_a_moment_the_flight_lacks_shows_a_dialog_not_a_traceback(qtbot, clock):
    from lunarviz.scenario import Lesson, LessonStep

    cm, win, _ = _lesson_window(qtbot, clock, "resilience")
    try:
        lesson = Lesson("t", "", (LessonStep("lrf_rejected", "Why was it rejected?"),))  # resilience has none
        ctrl = LessonController(win, lesson, win.scenario_path)
        with qtbot.waitSignal(win.load_failed, timeout=WAIT_MS) as blocker:
            ctrl.start()
        assert "lrf_rejected" in blocker.args[0] and win.error_dialog.isVisible()
        assert not win.playback.playing
        win.error_dialog.close()
    finally:
        cm.__exit__(None, None, None)


def _texts(step) -> str:
    return " ".join([step.prompt, step.explain, *step.choices])


def test_the_numbers_in_the_shipped_lessons_are_the_flights():
    """Each number a shipped lesson quotes is what its flight shows at that step (re-fly if physics changes)."""
    import numpy as np

    from lunarviz.physics.summary import outcome_summary

    sc = scenario.load(scenario.resolve("resilience"))
    traj = physics.fly(sc, seed=0)
    steps = sc.lesson.steps

    def at(step):
        return traj.at(resolve_time(step.at, traj))

    assert f"{traj.at(traj.event('powered_descent').et_s).alt_m / 1000:.1f} km above" in steps[0].prompt
    s = at(steps[1])
    assert f"believes it is {s.est_alt_m / 1000:.1f} km" in steps[1].prompt
    assert f"({s.alt_m:,.0f} m)" in steps[1].explain
    assert f"{(s.est_alt_m - s.alt_m) / 1000:.1f} km too high" in steps[1].explain
    s = at(steps[2])
    assert s.lrf_valid and f"({s.est_alt_m:,.0f} m)" in steps[2].prompt
    assert f"really {s.alt_m:.0f} m up" in steps[2].prompt
    assert f"falling at {s.speed_mps:.0f} m/s" in steps[2].prompt
    td = traj.event("touchdown")
    assert f"Impact at {td.speed_mps:.0f} m/s ({td.speed_mps * 3.6:.0f} km/h)" in steps[3].prompt
    assert f"{outcome_summary(traj)['touchdown_miss_distance_m']:.0f} m from the target" in steps[3].prompt
    ghost = physics.fly(sc.replace(**steps[3].whatif), seed=0)
    g = ghost.event("touchdown")
    first = ghost.at(ghost.event("lrf_first_valid").et_s).alt_m
    assert f"comes {first / 1000:.1f} km up" in steps[3].explain
    assert f"at {g.speed_mps:.1f} m/s ({g.speed_mps * 3.6:.0f} km/h) with {ghost.propellant_kg[-1]:.0f} kg" \
        in steps[3].explain

    sc = scenario.load(scenario.resolve("hakuto-r-m1"))
    traj = physics.fly(sc, seed=0)
    steps = sc.lesson.steps
    s = at(steps[1])
    assert not s.lrf_valid and f"believes it is {s.est_alt_m / 1000:.1f} km up; it is really {s.alt_m / 1000:.1f}" \
        in steps[1].prompt
    s = at(steps[2])
    assert f"really {s.alt_m / 1000:.1f} km up" in steps[2].prompt
    td = traj.event("touchdown")
    fall_s = td.et_s - traj.event("propellant_exhausted").et_s
    assert f"for {fall_s:.0f} seconds" in steps[2].explain
    assert f"at {td.speed_mps:.0f} m/s ({td.speed_mps * 3.6:.0f} km/h)" in steps[2].explain
    pdi = traj.at(traj.event("powered_descent").et_s + 1.0)
    assert f"{(pdi.alt_m - pdi.est_alt_m) / 1000:.1f} km too low" in steps[3].prompt

    for name, quoted in (("apollo11", "Low gate: {alt:.0f} m up, moving at {v:.0f} m/s"),
                         ("chang-e-3", "Chang'e-3 landed by itself at {td:.1f} m/s")):
        traj = physics.fly(scenario.load(scenario.resolve(name)), seed=0)
        s = traj.at(traj.event("terminal").et_s)
        text = quoted.format(alt=s.alt_m, v=s.speed_mps, td=traj.event("touchdown").speed_mps)
        assert any(text in _texts(st) for st in scenario.load(scenario.resolve("apollo11")).lesson.steps), text
    assert np.isfinite(first)
