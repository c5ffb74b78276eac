"""Video output: exact frame counts and sizes, decoding, atomic output, failures leave nothing."""

from __future__ import annotations

import imageio.v3 as iio
import numpy as np
import pytest

from lunarviz.errors import RenderError
from lunarviz.render.video import check_output, frame_times, render_video


def test_frame_times_are_exact():
    t = frame_times(100.0, 103.0, 10.0)
    assert len(t) == 30
    assert t[0] == 100.0 and t[-1] == pytest.approx(102.9, abs=1e-12)
    np.testing.assert_allclose(np.diff(t), 0.1, atol=1e-12)
    # speed: 60 s of flight at 4x and 30 fps = 450 frames, each 4/30 s apart
    t = frame_times(0.0, 60.0, 30.0, speed=4.0)
    assert len(t) == 450 and t[1] == pytest.approx(4 / 30)
    with pytest.raises(RenderError):
        frame_times(0.0, 0.01, 10.0)
    with pytest.raises(RenderError):
        frame_times(0.0, 1.0, 0.0)


def test_output_checks(tmp_path):
    with pytest.raises(RenderError, match="even"):
        check_output(tmp_path / "a.mp4", "h264", (321, 180))
    check_output(tmp_path / "a.mov", "prores", (321, 181))  # any size for ProRes
    with pytest.raises(RenderError, match="folder"):
        check_output(tmp_path / "a.mp4", "png", (320, 180))
    with pytest.raises(RenderError, match="writes"):
        check_output(tmp_path / "a.avi", "h264", (320, 180))
    with pytest.raises(RenderError, match="does not exist"):
        check_output(tmp_path / "missing" / "a.mp4", "h264", (320, 180))


def test_short_mp4_decodes_with_exact_frame_count_and_size(headless, demo_traj, tmp_path):
    out = tmp_path / "clip.mp4"
    t0 = demo_traj.planned_touchdown_et_s - 20.0
    # 330x186 is not a multiple of 16: the size must be kept exactly
    stats = render_video(demo_traj, out, size=(330, 186), fps=10, start_et_s=t0, end_et_s=t0 + 3.0,
                         camera="chase", quality="draft", progress=False)
    assert stats.frames == 30
    meta, frames = _decode(out)
    assert tuple(meta["size"]) == (330, 186)
    assert len(frames) == 30
    assert all(len(f) == 330 * 186 * 3 for f in frames)
    assert [p.name for p in tmp_path.iterdir()] == ["clip.mp4"]  # no temporary files left


def _decode(path):
    """Decode every frame with the ffmpeg binary, independent of the writer: (size, list of frames)."""
    import re
    import subprocess

    import imageio_ffmpeg

    r = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path), "-f", "rawvideo",
                        "-pix_fmt", "rgb24", "-"], capture_output=True, check=True)
    m = re.search(r"Video: .*?(\d{2,5})x(\d{2,5})", r.stderr.decode())
    w, h = int(m.group(1)), int(m.group(2))
    n, rest = divmod(len(r.stdout), w * h * 3)
    assert rest == 0
    frames = [r.stdout[i * w * h * 3:(i + 1) * w * h * 3] for i in range(n)]
    return {"size": (w, h)}, frames


def test_png_sequence_matches_frame_times(headless, demo_traj, tmp_path):
    out = tmp_path / "frames"
    t0 = demo_traj.planned_touchdown_et_s - 5.0
    seen = []
    render_video(demo_traj, out, size=(160, 90), fps=4, start_et_s=t0, end_et_s=t0 + 1.0, camera="orbit",
                 codec="png", quality="draft", hud=False, progress=False,
                 on_frame=lambda k, img: seen.append(img.copy()))
    files = sorted(out.iterdir())
    assert [f.name for f in files] == [f"frame_{k:06d}.png" for k in range(4)]
    # the PNGs hold exactly the rendered frames (lossless)
    for f, img in zip(files, seen, strict=True):
        np.testing.assert_array_equal(iio.imread(f)[..., :3], img)
    assert [p.name for p in tmp_path.iterdir()] == ["frames"]


@pytest.mark.parametrize("codec,name", [("h264", "bad.mp4"), ("png", "badframes")])
@pytest.mark.parametrize("exc", [RuntimeError, KeyboardInterrupt])
def test_failure_leaves_no_file_and_no_temp(headless, demo_traj, tmp_path, codec, name, exc):
    t0 = demo_traj.planned_touchdown_et_s - 5.0

    def boom(k, img):
        if k == 2:
            raise exc("stop")

    with pytest.raises(exc):
        render_video(demo_traj, tmp_path / name, size=(160, 90), fps=10, start_et_s=t0, end_et_s=t0 + 1.0,
                     camera="chase", codec=codec, quality="draft", hud=False, progress=False, on_frame=boom)
    assert list(tmp_path.iterdir()) == []
