"""Render farm: --workers and --dask local:N give the single-process file frame for frame; a killed render
resumes; subtitles, timecode, layers and 360° metadata are in the containers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from lunarviz.cli import main
from lunarviz.render import mux
from lunarviz.render.farm import plan_segments, render_farm
from lunarviz.render.frames import FrameSettings
from lunarviz.render.video import GOP_FRAMES, Finish, frame_times, render_video


def _frames_md5(path):
    """Decode every video frame (ffmpeg, independent of the writer) -> list of per-frame MD5s."""
    import imageio_ffmpeg

    r = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-i", str(path), "-map", "0:v",
                        "-f", "framemd5", "-"], capture_output=True, check=True)
    return [ln.split(",")[-1].strip() for ln in r.stdout.decode().splitlines() if not ln.startswith("#")]


def test_segments_are_whole_gops():
    segs = plan_segments(5 * GOP_FRAMES + 7, 2)
    assert segs[0][0] == 0 and segs[-1][1] == 5 * GOP_FRAMES + 7
    assert all(a[1] == b[0] for a, b in zip(segs, segs[1:], strict=False))
    assert all(k0 % GOP_FRAMES == 0 for k0, _ in segs)


def test_workers_and_dask_local_match_the_single_process_render(headless, demo_traj, tmp_path):
    t0 = demo_traj.planned_touchdown_et_s - 8.0
    times = frame_times(t0, t0 + 2.5, 30.0)  # 75 frames: whole GOPs and a shorter last segment
    settings = FrameSettings(size=(160, 90), camera="chase", quality="draft", hud=True)
    finish = Finish(subtitles=True)
    ref = tmp_path / "one.mp4"
    render_video(demo_traj, ref, size=settings.size, fps=30.0, start_et_s=t0, end_et_s=t0 + 2.5, camera="chase",
                 quality="draft", progress=False, finish=finish)
    want = _frames_md5(ref)
    assert len(want) == len(times) == 75
    for name, kw in (("w2.mp4", dict(workers=2)), ("dask.mp4", dict(dask="local:2"))):
        out = tmp_path / name
        render_farm(demo_traj, out, settings=settings, times=times, fps=30.0, speed=1.0, codec="h264",
                    finish=finish, progress=False, **kw)
        assert _frames_md5(out) == want, name
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dask.mp4", "one.mp4", "w2.mp4"]  # no work folders


def _cli(*args):
    code = "import sys; from lunarviz.cli import main; sys.exit(main(sys.argv[1:]))"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    return subprocess.Popen([sys.executable, "-c", code, *args], env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def test_killed_render_resumes_to_the_identical_file(headless, tmp_path, capsys):
    args = ["render", "resilience", "--size", "64x36", "--fps", "30", "--start", "touchdown-7s",
            "--end", "touchdown-2s", "--camera", "chase", "--quality", "draft", "--no-progress"]
    out = tmp_path / "film.mp4"
    work = tmp_path / ".film.mp4.segments"
    proc = _cli(*args, "-o", str(out), "--workers", "1")
    try:
        deadline = time.monotonic() + 240
        while not list(work.glob("seg_*")) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert proc.poll() is None, proc.stderr.read().decode()
        os.killpg(proc.pid, signal.SIGKILL)  # kill -9: the render and its worker
        proc.wait()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.stderr.close()
    assert not out.exists()  # nothing under the final name
    done = {p.name: p.stat().st_mtime_ns for p in work.glob("seg_*")}
    n_segs = len(plan_segments(150, 1))  # 150 frames: whole GOPs, the last may be shorter
    assert n_segs >= 2 and 1 <= len(done) < n_segs
    assert main([*args, "-o", str(out), "--workers", "1", "--resume"]) == 0
    assert f"{len(done)} of {n_segs} segments already rendered" in capsys.readouterr().err
    ref = tmp_path / "ref.mp4"
    assert main([*args, "-o", str(ref)]) == 0
    assert _frames_md5(out) == _frames_md5(ref) and len(_frames_md5(ref)) == 150
    assert not work.exists()


def test_layers_timecode_subtitles_and_spherical_metadata(headless, tmp_path):
    out = tmp_path / "comp.mov"
    rc = main(["render", "resilience", "-o", str(out), "--codec", "prores", "--size", "128x72", "--fps", "25",
               "--start", "lrf_first_valid-1s", "--end", "lrf_first_valid+1s", "--camera", "chase",
               "--quality", "draft", "--no-progress", "--layers", "beauty,hud,nosky", "--timecode", "utc"])
    assert rc == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["comp.mov", "comp.srt", "comp.vtt", "comp_hud.mov", "comp_nosky.mov"]
    info = mux.probe(out)
    from lunarviz.commands.flights import load_flight
    from lunarviz.render.timespec import parse_time_spec

    traj = load_flight("resilience")
    tc = mux.utc_timecode(parse_time_spec("lrf_first_valid-1s", traj), 25.0)
    assert "mov_text" in info and f"timecode        : {tc}" in info
    srt = (tmp_path / "comp.srt").read_text()
    assert srt.startswith("1\n") and "\n00:00:01,000 --> 00:00:02,000\nRangefinder first valid\n" in srt
    vtt = (tmp_path / "comp.vtt").read_text()
    assert vtt.startswith("WEBVTT\n\n") and "\n00:00:01.000 --> 00:00:02.000\nRangefinder first valid\n" in vtt
    for layer in ("hud", "nosky"):
        path = tmp_path / f"comp_{layer}.mov"
        assert "prores" in mux.probe(path) and "yuva444p" in mux.probe(path)
        alpha = _decode_alpha(path)
        assert alpha.shape[0] == 50 and alpha.min() == 0 and alpha.max() == 255, layer
    # a 360° clip carries the spherical-video metadata players read
    eq = tmp_path / "pano.mp4"
    assert main(["render", "resilience", "-o", str(eq), "--size", "128x64", "--fps", "10", "--start",
                 "touchdown-2s", "--end", "touchdown-1s", "--quality", "draft", "--no-progress",
                 "--projection", "equirect", "--no-subtitles"]) == 0
    assert "Spherical Mapping: equirectangular" in mux.probe(eq)
    data = eq.read_bytes()
    assert mux.SPHERICAL_UUID in data and b"sv3d" in data  # V1 XMP box and V2 sv3d box


def _decode_alpha(path):
    import imageio_ffmpeg

    r = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-i", str(path), "-f", "rawvideo",
                        "-pix_fmt", "rgba", "-"], capture_output=True, check=True)
    return np.frombuffer(r.stdout, np.uint8).reshape(-1, 72, 128, 4)[..., 3]


@pytest.mark.parametrize("spec", ["local:0", "tcp://nohost", "udp"])
def test_bad_dask_address_is_one_line(headless, tmp_path, capsys, spec):
    rc = main(["render", "resilience", "-o", str(tmp_path / "x.mp4"), "--dask", spec])
    err = capsys.readouterr().err
    assert rc == 2 and spec in err and "Traceback" not in err
