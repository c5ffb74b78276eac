"""The ``still`` and ``render`` commands end to end on the shipped Resilience scene."""

from __future__ import annotations

import numpy as np
from PIL import Image

from lunarviz.cli import main


def test_still_writes_png_of_exact_size(headless, tmp_path, capsys):
    out = tmp_path / "s.png"
    rc = main(["still", "resilience", "--at", "touchdown-30s", "--camera", "chase", "-o", str(out),
               "--size", "322x182", "--quality", "draft"])
    assert rc == 0
    img = np.asarray(Image.open(out))
    assert img.shape[:2] == (182, 322)
    assert img.max() > 100
    assert [p.name for p in tmp_path.iterdir()] == ["s.png"]


def test_user_errors_are_one_line_exit_2(headless, tmp_path, capsys):
    rc = main(["still", "resilience", "--at", "tuchdown", "-o", str(tmp_path / "x.png"), "--size", "64x36"])
    err = capsys.readouterr().err
    assert rc == 2 and "tuchdown" in err and "Traceback" not in err
    rc = main(["render", "resilience", "-o", str(tmp_path / "x.mp4"), "--size", "321x180"])
    err = capsys.readouterr().err
    assert rc == 2 and "even" in err
    rc = main(["still", "resilience", "--at", "touchdown", "-o", str(tmp_path / "x.png"), "--size", "big"])
    assert rc == 2
    assert list(tmp_path.iterdir()) == []


def test_render_png_sequence_frame_count(headless, tmp_path):
    out = tmp_path / "seq"
    rc = main(["render", "resilience", "-o", str(out), "--codec", "png", "--size", "96x54", "--fps", "10",
               "--start", "touchdown-3s", "--end", "touchdown", "--camera", "orbit", "--quality", "draft",
               "--no-progress", "--no-hud"])
    assert rc == 0
    assert len(list(out.glob("frame_*.png"))) == 30


def test_sigterm_during_render_leaves_no_files(headless, tmp_path):
    # `timeout`, schedulers and `kill` send SIGTERM: the temporary video must go, like after Ctrl-C
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "v.mp4"
    code = "import sys; from lunarviz.cli import main; sys.exit(main(sys.argv[1:]))"
    with subprocess.Popen([sys.executable, "-c", code, "render", "resilience", "-o", str(out), "--size", "96x54",
                           "--fps", "30", "--start", "touchdown-300s", "--end", "touchdown", "--camera", "orbit",
                           "--quality", "draft", "--no-progress", "--no-hud"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as proc:  # closes the pipe
        try:
            deadline = time.time() + 120
            while time.time() < deadline and not any(p.name.startswith(".v.") for p in tmp_path.iterdir()):
                assert proc.poll() is None, "render ended before it could be interrupted"
                time.sleep(0.1)
            assert any(p.name.startswith(".v.") for p in tmp_path.iterdir()), "no temporary file appeared"
            time.sleep(0.5)
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        err = proc.stderr.read()
    assert proc.returncode != 0
    assert list(tmp_path.iterdir()) == [], (proc.returncode, err[-2000:])
    assert b"Traceback" not in err
