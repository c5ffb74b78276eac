"""The viewer's playback bar and the 3D view's HUD show the same UTC and L-minus at the same instant (issue #9)."""

from __future__ import annotations

import dataclasses

import pytest
from app_windows import opened_window

from lunarviz import timebase


@pytest.fixture
def clock_win(qtbot, synthetic_traj):
    # the planned touchdown on a whole UTC second, 60 s before the end, so L+ times exist
    end = float(synthetic_traj.et_s[-1])
    planned = timebase.utc_to_et(timebase.et_to_utc(end - 60.0, 0))
    traj = dataclasses.replace(synthetic_traj, planned_touchdown_et_s=planned)
    with opened_window(qtbot, speed=1.0, quality="draft") as w:
        w.set_trajectory(traj)
        yield w, traj


@pytest.mark.parametrize("offset_s, l_minus", [
    (-105.4, "L-00:01:46"),   # the instant of the issue: HUD said L-01:45, the bar L-00:01:46
    (-105.0, "L-00:01:45"),   # exactly on a second boundary
    (-0.3, "L-00:00:01"),
    (0.0, "L+00:00:00"),      # exactly at the planned touchdown
    (45.5, "L+00:00:45"),     # after it: counting up
])
def test_hud_and_playback_bar_agree(clock_win, offset_s, l_minus):
    win, traj = clock_win
    et = traj.planned_touchdown_et_s + offset_s
    win.seek(et)
    win.draw_frame()
    bar_utc, bar_lm = win.bar.utc_label.text(), win.bar.lminus_label.text()
    hud_text = win.view.handles.hud.actors["top_left"].GetInput()
    assert bar_lm == l_minus
    assert hud_text == f"{bar_utc}   {bar_lm}"
    # and the UTC is the planned touchdown's plus the L offset (both truncate to the same second)
    shown = timebase.utc_to_et(bar_utc.removesuffix(" UTC"))
    sign = -1 if l_minus[1] == "-" else 1
    h, m, s = (int(x) for x in l_minus[2:].split(":"))
    assert shown == pytest.approx(traj.planned_touchdown_et_s + sign * (3600 * h + 60 * m + s), abs=1e-3)
