"""`lunarviz view`: messages without a display, bad arguments, and a scripted screenshot."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from lunarviz.app.main import NO_DISPLAY_HINT, check_display
from lunarviz.cli import main
from lunarviz.errors import LunarvizError


def _run_cli(args, env):
    return subprocess.run([sys.executable, "-m", "lunarviz", *args], env=env, capture_output=True, text=True,
                          timeout=120)


def test_no_display_gives_one_line_hint_not_an_abort():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    r = _run_cli(["view"], env)
    assert r.returncode == 2, r.stderr            # not 134 (xcb abort)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "xvfb-run -a lunarviz view" in lines[0] and "lunarviz render" in lines[0]


def test_offscreen_qpa_is_refused_with_a_hint():
    with pytest.raises(LunarvizError, match="xvfb-run"):
        check_display({"QT_QPA_PLATFORM": "offscreen", "DISPLAY": ":0"}, "linux")
    with pytest.raises(LunarvizError, match="DISPLAY"):
        check_display({}, "linux")
    check_display({"WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert "lunarviz render" in NO_DISPLAY_HINT


def test_bad_scene_and_camera_are_one_line_errors(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("[story\n")
    assert main(["view", str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "bad.toml" in err[0]
    assert main(["view", "resilience", "--camera", "sideways"]) == 2
    assert "chase, orbit, site, earthrise, down" in capsys.readouterr().err
    assert main(["view", str(tmp_path / "nope.toml")]) == 2
    assert "nope.toml" in capsys.readouterr().err
    assert main(["view", "resilience", "apollo11"]) == 2
    assert "only --kiosk tours several" in capsys.readouterr().err
    assert main(["view", "--kiosk", "resilience", str(bad)]) == 2  # every scene is checked before a window
    assert "bad.toml" in capsys.readouterr().err


def test_screenshot_of_the_whole_window(qapp, tmp_path, capsys):
    out = tmp_path / "view.png"
    code = main(["view", "resilience.toml", "--at", "touchdown-60s", "--camera", "chase", "--screenshot", str(out)])
    assert code == 0
    assert "saved" in capsys.readouterr().out
    img = np.asarray(Image.open(out).convert("RGB")).astype(float)
    assert img.shape[0] >= 700 and img.shape[1] >= 1000
    lum = img.mean(axis=2)
    # the middle of the window is the 3D view: a real picture, not black or blank
    mid = lum[img.shape[0] // 4: 3 * img.shape[0] // 4, img.shape[1] // 3: 2 * img.shape[1] // 3]
    assert mid.std() > 15.0
    # the bottom rows hold the playback controls on a light background
    assert lum[-40:].mean() > 120.0
    assert not any(p.name.startswith(".view.partial") for p in tmp_path.iterdir())


def test_resolve_time_accepts_offsets_events_and_specs():
    from app_synthetic import synthetic_descent

    from lunarviz.app.window import resolve_time
    from lunarviz.errors import TimeError

    traj = synthetic_descent()
    assert resolve_time(None, traj) == traj.start_et_s
    assert resolve_time("120", traj) == traj.start_et_s + 120.0
    assert resolve_time("pitch_up", traj) == traj.event("pitch_up").et_s
    assert resolve_time("touchdown-30s", traj) == pytest.approx(traj.event("touchdown").et_s - 30.0)
    with pytest.raises(TimeError):
        resolve_time("next tuesday", traj)
