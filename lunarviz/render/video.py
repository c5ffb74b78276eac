"""Frame-exact off-screen video: H.264, ProRes or a PNG sequence.

Frame ``k`` shows simulation time ``start + k * speed / fps`` exactly, for
``k = 0 .. N-1`` with ``N = floor((end - start) * fps / speed)`` (so 3 s at
10 fps is exactly 30 frames). Rendering runs in the calling thread (VTK) and
encoding in a writer thread fed through a small queue, so the two overlap
(ffmpeg itself encodes in its own process). Output goes to a temporary name
beside the target and is renamed only when every frame is written; an error
or Ctrl-C removes the temporary file (or folder) and leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import math
import os
import queue
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import RenderError
from ..fileio import atomic_output
from ..scenario import CODECS
from ..trajectory import Trajectory

_EXT = {"h264": (".mp4", ".mkv", ".mov"), "prores": (".mov",), "png": ("",)}


def frame_times(start_et_s: float, end_et_s: float, fps: float, speed: float = 1.0) -> np.ndarray:
    """ET of every frame: ``start + k * speed / fps`` for ``k = 0 .. N-1`` (end exclusive)."""
    if not (fps > 0 and math.isfinite(fps)):
        raise RenderError(f"--fps {fps!r}: must be a positive number")
    if not (speed > 0 and math.isfinite(speed)):
        raise RenderError(f"--speed {speed!r}: must be a positive number")
    span = end_et_s - start_et_s
    if not span > 0:
        raise RenderError("the end time must come after the start time")
    # 1e-4 of a frame: ET differences of ~8e8 s carry ~1e-7 s of rounding (more after a UTC round
    # trip), which made 120.0 s at 30 fps 3,599 frames about one time in four
    n = int(math.floor(span * fps / speed + 1e-4))
    if n < 1:
        raise RenderError(f"{span:g} s of flight at --speed {speed:g} and --fps {fps:g} gives no frame")
    return start_et_s + np.arange(n) * (speed / fps)


def check_output(path: str | os.PathLike, codec: str, size: tuple[int, int]) -> Path:
    """Validate output path, codec and size up front, with one-line errors."""
    if codec not in CODECS:
        raise RenderError(f"--codec {codec!r}: expected one of {', '.join(CODECS)}")
    p = Path(path)
    if codec == "png":
        if p.suffix.lower() in (".mp4", ".mov", ".mkv", ".png"):
            raise RenderError(f"{p}: with --codec png the output is a folder for the PNG sequence, not a file")
        if p.exists() and (not p.is_dir() or any(p.iterdir())):
            raise RenderError(f"{p}: already exists and is not an empty folder")
    else:
        if p.suffix.lower() not in _EXT[codec]:
            raise RenderError(f"{p}: --codec {codec} writes {' / '.join(_EXT[codec])} files")
        if p.is_dir():
            raise RenderError(f"{p}: is a folder; expected a video file name")
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise RenderError(f"{p}: output folder {parent} does not exist")
    w, h = size
    if codec == "h264" and (w % 2 or h % 2):
        raise RenderError(f"--size {w}x{h}: H.264 (yuv420p) needs an even width and height; use e.g. "
                          f"{w + w % 2}x{h + h % 2}, or --codec prores/png for any size")
    return p


@contextlib.contextmanager
def atomic_folder(path: Path) -> Iterator[Path]:
    """Like :func:`lunarviz.fileio.atomic_output` for a folder of frames."""
    parent = path.parent if str(path.parent) else Path(".")
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.partial-", dir=parent))
    try:
        yield tmp
        if path.exists():
            path.rmdir()  # empty (checked up front)
        os.replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


class _Writer:
    """Consumes frames from a queue in a thread and hands them to imageio/ffmpeg or PNG files."""

    def __init__(self, target: Path, codec: str, fps: float, size: tuple[int, int]):
        self.q: queue.Queue = queue.Queue(maxsize=6)
        self.error: BaseException | None = None
        self.target, self.codec, self.fps, self.size = target, codec, fps, size
        self.count = 0
        self.encode_s = 0.0
        self.thread = threading.Thread(target=self._run, name="lunarviz-video-writer", daemon=True)
        self.proc = None
        self._stderr = None
        if codec != "png":
            self._start_ffmpeg()
        self.thread.start()

    def _start_ffmpeg(self) -> None:
        """ffmpeg (from imageio-ffmpeg) reading raw RGB frames on stdin; exact size, no padding."""
        import subprocess

        import imageio_ffmpeg

        w, h = self.size
        cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-hide_banner", "-loglevel", "error",
               "-f", "rawvideo", "-vcodec", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w}x{h}",
               "-r", f"{self.fps:g}", "-i", "-", "-an"]
        if self.codec == "h264":
            cmd += ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "18", "-preset", "fast",
                    "-movflags", "+faststart"]
        else:
            cmd += ["-c:v", "prores_ks", "-profile:v", "3", "-pix_fmt", "yuv422p10le"]
        cmd += ["-fflags", "+bitexact", "-flags", "+bitexact", "-f", "mov" if self.target.suffix.lower() == ".mov"
                else ("matroska" if self.target.suffix.lower() == ".mkv" else "mp4"), str(self.target)]
        self._stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._stderr)

    def _ffmpeg_message(self) -> str:
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        text = self._stderr.read().decode("utf-8", "replace").strip().splitlines()
        return text[-1] if text else ""

    def _run(self) -> None:
        from PIL import Image

        try:
            while True:
                item = self.q.get()
                if item is None:
                    return
                t0 = time.perf_counter()
                if self.proc is not None:
                    try:
                        self.proc.stdin.write(np.ascontiguousarray(item, dtype=np.uint8).tobytes())
                    except BrokenPipeError:
                        raise RenderError(f"ffmpeg stopped: {self._ffmpeg_message()}") from None
                else:
                    Image.fromarray(item).save(self.target / f"frame_{self.count:06d}.png", compress_level=3)
                self.encode_s += time.perf_counter() - t0
                self.count += 1
        except BaseException as exc:  # noqa: BLE001 - reported to the main thread
            self.error = exc
            # drain so the producer never blocks
            with contextlib.suppress(queue.Empty):
                while True:
                    self.q.get_nowait()

    def put(self, frame: np.ndarray) -> None:
        while True:
            if self.error is not None:
                raise RenderError(f"{self.target}: writing the video failed: {self.error}") from None
            try:
                self.q.put(frame, timeout=0.2)
                return
            except queue.Full:
                continue

    def finish(self) -> None:
        self.q.put(None)
        self.thread.join()
        if self.proc is not None:
            with contextlib.suppress(BrokenPipeError):
                self.proc.stdin.close()
            rc = self.proc.wait()
            msg = self._ffmpeg_message()
            self._stderr.close()
            if rc != 0 and self.error is None:
                self.error = RuntimeError(f"ffmpeg exited with status {rc}: {msg}")
        if self.error is not None:
            raise RenderError(f"{self.target}: writing the video failed: {self.error}")

    def abort(self) -> None:
        with contextlib.suppress(queue.Full):
            self.q.put_nowait(None)
        if self.proc is not None:
            self.proc.kill()
        self.thread.join(timeout=10)
        if self.proc is not None:
            with contextlib.suppress(Exception):
                self.proc.stdin.close()
            self.proc.wait()
            self._stderr.close()


@dataclass
class VideoStats:
    frames: int
    seconds: float
    render_s: float
    encode_s: float
    loop_s: float = float("nan")

    @property
    def fps(self) -> float:
        return self.frames / self.seconds if self.seconds > 0 else float("nan")


def render_video(traj: Trajectory, out: str | os.PathLike, *, size: tuple[int, int] = (1920, 1080),
                 fps: float = 30.0, start_et_s: float | None = None, end_et_s: float | None = None,
                 speed: float = 1.0, camera: str | None = "chase", codec: str = "h264", quality: str = "high",
                 hud: bool = True, progress: bool = True, antialias: str | None = None,
                 on_frame: Callable[[int, np.ndarray], None] | None = None) -> VideoStats:
    """Render ``traj`` to ``out``; see the module docstring. Returns timing figures."""
    from . import scene as scene_mod
    from .offscreen import grab, make_plotter, make_readable

    target = check_output(out, codec, size)
    t0 = traj.start_et_s if start_et_s is None else float(start_et_s)
    t1 = traj.end_et_s if end_et_s is None else float(end_et_s)
    times = frame_times(t0, t1, fps, speed)
    plotter = make_plotter(size, antialias=antialias)
    render_s = 0.0
    loop0 = None
    wall0 = time.perf_counter()
    bar = None
    try:
        handles = scene_mod.build(plotter, traj, quality=quality, hud=hud)
        ctx = atomic_folder(target) if codec == "png" else atomic_output(target)
        with ctx as tmp:
            writer = None
            try:
                # inside the try: an interrupt while ffmpeg starts must stop it before the
                # temporary file is removed (else ffmpeg would create it again)
                writer = _Writer(tmp, codec, fps, size)
                if progress:
                    from tqdm import tqdm

                    bar = tqdm(total=len(times), unit="frame", desc=f"rendering {target.name}",
                               dynamic_ncols=True, smoothing=0.1)
                loop0 = time.perf_counter()
                for k, et in enumerate(times):
                    r0 = time.perf_counter()
                    scene_mod.update(handles, float(et), camera)
                    img = grab(plotter)
                    render_s += time.perf_counter() - r0
                    if img.shape[:2] != (size[1], size[0]):
                        raise RenderError(f"the renderer returned {img.shape[1]}x{img.shape[0]} pixels, "
                                          f"not the requested {size[0]}x{size[1]}")
                    if on_frame is not None:
                        on_frame(k, img)
                    writer.put(img)
                    if bar is not None:
                        bar.update(1)
                writer.finish()
                loop_s = time.perf_counter() - loop0
            except BaseException:
                if writer is not None:
                    writer.abort()
                raise
            if writer.count != len(times):
                raise RenderError(f"{target}: wrote {writer.count} of {len(times)} frames")
        if codec != "png":
            make_readable(target)
    finally:
        if bar is not None:
            bar.close()
        plotter.close()
    return VideoStats(len(times), time.perf_counter() - wall0, render_s, writer.encode_s, loop_s)
