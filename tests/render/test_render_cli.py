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
