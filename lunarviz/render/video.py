"""Frame-exact off-screen video: H.264, ProRes or a PNG sequence (and compositing layers).

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

from ..errors import LunarvizError, RenderError, shown
from ..fileio import (
    FREE_SPACE_MARGIN,
    atomic_output,
    check_writable,
    partial_prefix,
    remove_stale_partials,
    write_error,
)
from ..scenario import CODECS, MAX_FPS, MAX_FRAMES, SPEED_RANGE
from ..trajectory import Trajectory

_EXT = {"h264": (".mp4", ".mkv", ".mov"), "prores": (".mov",), "png": ("",)}
#: a generous estimate of the output's bytes per pixel per frame (H.264 CRF 18 ~0.05-0.1, ProRes 422 HQ ~1,
#: PNG ~1-2), for the free-space check before a render
_BYTES_PER_PIXEL = {"h264": 0.15, "prores": 1.5, "png": 2.0}


def frame_times(start_et_s: float, end_et_s: float, fps: float, speed: float = 1.0) -> np.ndarray:
    """ET of every frame: ``start + k * speed / fps`` for ``k = 0 .. N-1`` (end exclusive)."""
    check_rate(fps, speed)
    span = end_et_s - start_et_s
    if not span > 0:
        raise RenderError("the end time must come after the start time")
    # 1e-4 of a frame: ET differences of ~8e8 s carry ~1e-7 s of rounding (more after a UTC round
    # trip), which made 120.0 s at 30 fps 3,599 frames about one time in four
    n = int(math.floor(span * fps / speed + 1e-4))
    if n < 1:
        raise RenderError(f"{span:g} s of flight at --speed {speed:g} and --fps {fps:g} gives no frame")
    budget = int(os.environ.get("LUNARVIZ_MAX_FRAMES", "0") or 0) or MAX_FRAMES
    if n > budget:
        raise RenderError(f"{span:g} s of flight at --fps {fps:g} and --speed {speed:g} would be {n:.3g} frames "
                          f"(~{n * 0.03 / 3600:.3g} h of rendering); expected at most {budget:,} "
                          "(raise --speed, lower --fps, shorten --start/--end, or set $LUNARVIZ_MAX_FRAMES)")
    return start_et_s + np.arange(n) * (speed / fps)


def check_rate(fps: float, speed: float) -> None:
    """``--fps`` in 0..MAX_FPS and ``--speed`` in SPEED_RANGE, with one-line errors."""
    if not (0 < fps <= MAX_FPS):
        raise RenderError(f"--fps {fps:g}: expected frames per second > 0 and <= {MAX_FPS:g}")
    lo, hi = SPEED_RANGE
    if not (lo <= speed <= hi):
        raise RenderError(f"--speed {speed:g}: expected simulated seconds per video second {lo:g}..{hi:g}")


def check_output(path: str | os.PathLike, codec: str, size: tuple[int, int]) -> Path:
    """Validate output path, codec and size up front, with one-line errors."""
    if codec not in CODECS:
        raise RenderError(f"--codec {shown(codec)}: expected one of {', '.join(CODECS)}")
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
    check_writable(p, folder=codec == "png")
    return p


@contextlib.contextmanager
def atomic_folder(path: Path) -> Iterator[Path]:
    """Like :func:`lunarviz.fileio.atomic_output` for a folder of frames."""
    parent = path.parent if str(path.parent) else Path(".")
    remove_stale_partials(parent)
    tmp = Path(tempfile.mkdtemp(prefix=partial_prefix(path.name), dir=parent))
    try:
        yield tmp
        if path.exists():
            path.rmdir()  # empty (checked up front)
        os.replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


#: every this many frames the writer checks that its disk still has room (stops a render at a full disk)
DISK_CHECK_FRAMES = 25


def check_free_space(target: Path) -> None:
    """Raise :func:`lunarviz.fileio.write_error` ("no space left") when ``target``'s disk is (nearly) full."""
    folder = target if target.is_dir() else (target.parent if str(target.parent) else Path("."))
    with contextlib.suppress(OSError):
        free = shutil.disk_usage(folder).free
        if free < FREE_SPACE_MARGIN:
            raise write_error(target, f"no space left on the device ({free / 2**20:.0f} MiB free)")



#: frames per closed GOP of H.264 output (1 s at 30 fps); render-farm segments are whole GOPs, so a joined file
#: is bit-identical in its decoded frames to a single-process render
GOP_FRAMES = 30
#: H.264 constant quantiser (no rate control: a frame's coding never depends on frames before its GOP)
H264_QP = 18
#: encoder threads, fixed: x264's output depends on its thread count, so every machine must use the same
ENCODER_THREADS = 4


def layer_path(out: Path, codec: str, layer: str) -> tuple[Path, str]:
    """(path, codec) of one compositing layer: the beauty pass is ``out``; ``hud`` / ``nosky`` (alpha) go
    beside it as ``NAME_hud.mov`` (ProRes 4444) or, for a PNG sequence, ``NAME_hud/`` (RGBA PNGs)."""
    if layer == "beauty":
        return out, codec
    if codec == "png":
        return out.with_name(f"{out.name}_{layer}"), "png"
    return out.with_name(f"{out.stem}_{layer}.mov"), "prores"


def encoder_args(codec: str, alpha: bool) -> list[str]:
    """ffmpeg output options for a codec (the one definition shared by single-process and farm renders)."""
    if codec == "h264":
        return ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-preset", "fast", "-qp", str(H264_QP),
                "-g", str(GOP_FRAMES), "-keyint_min", str(GOP_FRAMES), "-sc_threshold", "0", "-flags", "+cgop",
                "-threads", str(ENCODER_THREADS)]
    if alpha:
        return ["-c:v", "prores_ks", "-profile:v", "4", "-pix_fmt", "yuva444p10le", "-alpha_bits", "16",
                "-threads", str(ENCODER_THREADS)]
    return ["-c:v", "prores_ks", "-profile:v", "3", "-pix_fmt", "yuv422p10le", "-threads", str(ENCODER_THREADS)]


def container(path: Path) -> str:
    suffix = path.suffix.lower()
    return "mov" if suffix == ".mov" else ("matroska" if suffix == ".mkv" else "mp4")


class _Writer:
    """Consumes frames from a queue in a thread and hands them to ffmpeg or PNG files."""

    def __init__(self, target: Path, codec: str, fps: float, size: tuple[int, int], alpha: bool = False,
                 first_index: int = 0):
        self.q: queue.Queue = queue.Queue(maxsize=6)
        self.error: BaseException | None = None
        self.target, self.codec, self.fps, self.size, self.alpha = target, codec, fps, size, alpha
        self.first_index = first_index
        self.count = 0
        self.encode_s = 0.0
        self.thread = threading.Thread(target=self._run, name="lunarviz-video-writer", daemon=True)
        self.proc = None
        self._stderr = None
        if codec != "png":
            self._start_ffmpeg()
        self.thread.start()

    def _start_ffmpeg(self) -> None:
        """ffmpeg (from imageio-ffmpeg) reading raw RGB(A) frames on stdin; exact size, no padding."""
        import subprocess

        import imageio_ffmpeg

        w, h = self.size
        cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-hide_banner", "-loglevel", "error",
               "-f", "rawvideo", "-vcodec", "rawvideo", "-pix_fmt", "rgba" if self.alpha else "rgb24",
               "-s", f"{w}x{h}", "-r", f"{self.fps:g}", "-i", "-", "-an"]
        cmd += encoder_args(self.codec, self.alpha)
        cmd += ["-fflags", "+bitexact", "-flags:v", "+bitexact", "-f", container(self.target), str(self.target)]
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
                if self.count % DISK_CHECK_FRAMES == 0:
                    check_free_space(self.target)
                if self.proc is not None:
                    try:
                        self.proc.stdin.write(np.ascontiguousarray(item, dtype=np.uint8).tobytes())
                    except BrokenPipeError:
                        raise RenderError(f"ffmpeg stopped: {self._ffmpeg_message()}") from None
                else:
                    name = f"frame_{self.first_index + self.count:06d}.png"
                    Image.fromarray(item).save(self.target / name, compress_level=3)
                self.encode_s += time.perf_counter() - t0
                self.count += 1
        except BaseException as exc:  # noqa: BLE001 - reported to the main thread
            self.error = exc
            # drain so the producer never blocks
            with contextlib.suppress(queue.Empty):
                while True:
                    self.q.get_nowait()

    def _failure(self) -> Exception:
        """The writer's error as one line naming the file and the cause."""
        if isinstance(self.error, LunarvizError):
            return self.error
        if isinstance(self.error, OSError):
            return write_error(self.target, self.error)
        return RenderError(f"{self.target}: writing the video failed: {self.error}")

    def put(self, frame: np.ndarray) -> None:
        while True:
            if self.error is not None:
                raise self._failure() from None
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
            raise self._failure()

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


@dataclass(frozen=True)
class Finish:
    """What the last step adds to every video layer: subtitles, timecode, 360° metadata (see :mod:`.mux`)."""

    subtitles: bool = False
    timecode: str | None = None  # "utc" or None
    spherical: bool = False


def finish_outputs(traj: Trajectory, target: Path, codec: str, times: np.ndarray, fps: float, speed: float,
                   finish: Finish, layer_inputs: dict[str, list[Path]], layer_tmps: dict[str, Path]) -> None:
    """Mux every video layer from its encoded input(s) into its temporary final file (PNG layers need nothing)."""
    from . import mux
    from .subtitles import cues, to_srt

    srt = to_srt(cues(traj, float(times[0]), len(times), fps, speed)) if finish.subtitles else None
    tc = mux.utc_timecode(float(times[0]), fps) if finish.timecode == "utc" else None
    for layer, inputs in layer_inputs.items():
        if layer_path(target, codec, layer)[1] == "png":
            continue
        mux.finish_video(inputs, layer_tmps[layer], srt_text=srt if layer == "beauty" else None, timecode=tc,
                         spherical=finish.spherical)


def layer_targets(target: Path, codec: str, layers) -> dict[str, tuple[Path, str]]:
    """Output path and codec of each layer, checked up front (one-line errors)."""
    out = {}
    for layer in layers:
        path, c = layer_path(target, codec, layer)
        if layer != "beauty":
            check_output(path, c, (2, 2))
        out[layer] = (path, c)
    return out


@contextlib.contextmanager
def atomic_layers(targets: dict[str, tuple[Path, str]]) -> Iterator[dict[str, Path]]:
    """Temporary names for every layer's output, all renamed into place only when all are complete."""
    with contextlib.ExitStack() as stack:
        yield {layer: stack.enter_context(atomic_folder(p) if c == "png" else atomic_output(p))
               for layer, (p, c) in targets.items()}


def render_video(traj: Trajectory, out: str | os.PathLike, *, size: tuple[int, int] = (1920, 1080),
                 fps: float = 30.0, start_et_s: float | None = None, end_et_s: float | None = None,
                 speed: float = 1.0, camera: str | None = "chase", codec: str = "h264", quality: str = "high",
                 hud: bool = True, progress: bool = True, antialias: str | None = None,
                 on_frame: Callable[[int, np.ndarray], None] | None = None, projection=None,
                 layers: tuple[str, ...] = ("beauty",), finish: Finish | None = None) -> VideoStats:
    """Render ``traj`` to ``out`` in this process; see the module docstring. Returns timing figures.

    ``projection``: a :class:`lunarviz.render.panorama.Projection` (flat by default); ``layers``: any of
    ``beauty``, ``hud``, ``nosky`` (:mod:`lunarviz.render.frames`); ``finish``: subtitles, timecode.
    """
    from .frames import FrameSettings, FrameSource
    from .offscreen import make_readable
    from .panorama import Projection

    target = check_output(out, codec, size)
    targets = layer_targets(target, codec, layers)
    finish = finish or Finish(spherical=projection is not None and projection.kind == "equirect")
    t0 = traj.start_et_s if start_et_s is None else float(start_et_s)
    t1 = traj.end_et_s if end_et_s is None else float(end_et_s)
    times = frame_times(t0, t1, fps, speed)
    # the disk must hold the estimate (bytes per pixel per frame of each codec) before the first frame
    check_writable(target, need_bytes=int(len(times) * size[0] * size[1] * _BYTES_PER_PIXEL[codec] * len(targets)),
                   folder=codec == "png")
    settings = FrameSettings(size=tuple(size), camera=camera or "chase", quality=quality, hud=hud,
                             antialias=antialias, projection=projection or Projection(), layers=tuple(layers))
    wall0 = time.perf_counter()
    source = FrameSource(traj, settings)
    bar = None
    try:
        with atomic_layers(targets) as tmps, tempfile.TemporaryDirectory(prefix=partial_prefix(target.name + ".enc"),
                                                                          dir=target.parent) as enc:
            encoded = {layer: tmps[layer] if c == "png" else Path(enc) / f"{layer}{p.suffix}"
                       for layer, (p, c) in targets.items()}
            if progress:
                from tqdm import tqdm

                bar = tqdm(total=len(times), unit="frame", desc=f"rendering {target.name}",
                           dynamic_ncols=True, smoothing=0.1)
            stats = encode_frames(source, times, {k: (encoded[k], targets[k][1]) for k in targets}, fps,
                                  on_frame=on_frame, advance=bar.update if bar is not None else None)
            finish_outputs(traj, target, codec, times, fps, speed, finish,
                           {k: [v] for k, v in encoded.items()}, tmps)
        for _layer, (p, c) in targets.items():
            if c != "png":
                make_readable(p)
    finally:
        if bar is not None:
            bar.close()
        source.close()
    stats.seconds = time.perf_counter() - wall0
    return stats


def encode_frames(source, times: np.ndarray, outputs: dict[str, tuple[Path, str]], fps: float, *,
                  first_index: int = 0, on_frame: Callable[[int, np.ndarray], None] | None = None,
                  advance: Callable[[int], object] | None = None) -> VideoStats:
    """Render ``times`` from a :class:`~lunarviz.render.frames.FrameSource` into one writer per layer.

    ``outputs``: layer -> (file or folder, codec). Frame ``k`` of a PNG layer is ``frame_{first_index+k:06d}.png``.
    """
    size = source.s.size
    writers: dict[str, _Writer] = {}
    render_s = 0.0
    try:
        for layer, (path, c) in outputs.items():
            # inside the try: an interrupt while ffmpeg starts must stop it before the
            # temporary file is removed (else ffmpeg would create it again)
            writers[layer] = _Writer(path, c, fps, size, alpha=layer != "beauty", first_index=first_index)
        loop0 = time.perf_counter()
        for k, et in enumerate(times):
            r0 = time.perf_counter()
            frame = source.frame(float(et))
            render_s += time.perf_counter() - r0
            img = frame[next(iter(outputs))]
            if img.shape[:2] != (size[1], size[0]):
                raise RenderError(f"the renderer returned {img.shape[1]}x{img.shape[0]} pixels, "
                                  f"not the requested {size[0]}x{size[1]}")
            if on_frame is not None:
                on_frame(k, img)
            for layer, w in writers.items():
                w.put(frame[layer])
            if advance is not None:
                advance(1)
        for w in writers.values():
            w.finish()
        loop_s = time.perf_counter() - loop0
    except BaseException:
        for w in writers.values():
            w.abort()
        raise
    for w in writers.values():
        if w.count != len(times):
            raise RenderError(f"{w.target}: wrote {w.count} of {len(times)} frames")
    return VideoStats(len(times), float("nan"), render_s, sum(w.encode_s for w in writers.values()), loop_s)
