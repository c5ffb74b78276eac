"""The last step of every video: one ffmpeg stream copy that joins, adds subtitles, timecode and 360° metadata.

:func:`finish_video` takes the encoded frames (one file, or the segments of a
render farm in order: the concat demuxer with ``-c copy`` joins them without
re-encoding, so the codec parameters are those every segment was written with)
and writes the final container: a ``mov_text`` subtitle stream (MP4/MOV; SubRip
in MKV), a SMPTE timecode track (``tmcd``) and ``+faststart``. Equirectangular
videos get the spherical-video metadata players look for: Google's Spherical
Video V1 XMP box (``uuid``) in the video track and, by a second stream copy, the
V2 ``sv3d`` box ffmpeg writes from it.
"""

from __future__ import annotations

import math
import os
import struct
import subprocess
import tempfile
from pathlib import Path

from ..errors import RenderError
from .video import container

SPHERICAL_UUID = bytes.fromhex("ffcc8263f8554a938814587a02521fdd")
SPHERICAL_XMP = (
    '<?xml version="1.0"?><rdf:SphericalVideo xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    'xmlns:GSpherical="http://ns.google.com/videos/1.0/spherical/">'
    "<GSpherical:Spherical>true</GSpherical:Spherical><GSpherical:Stitched>true</GSpherical:Stitched>"
    "<GSpherical:StitchingSoftware>lunarviz</GSpherical:StitchingSoftware>"
    "<GSpherical:ProjectionType>equirectangular</GSpherical:ProjectionType></rdf:SphericalVideo>"
)


def utc_timecode(et_s: float, fps: float) -> str:
    """SMPTE time-of-day timecode ``HH:MM:SS:FF`` of the UTC instant ``et_s`` (whole frames, truncated)."""
    from ..timebase import et_to_utc

    if abs(fps - round(fps)) > 1e-9:
        raise RenderError(f"--timecode utc needs a whole-number --fps, not {fps:g}")
    text = et_to_utc(et_s, digits=3)  # 2025-06-05T19:15:06.123
    hms, frac = text.split("T")[1].split(".")
    ff = min(int(math.floor(float("0." + frac) * round(fps))), int(round(fps)) - 1)
    return f"{hms}:{ff:02d}"


def _ffmpeg() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def _run(cmd: list[str], what: Path) -> None:
    r = subprocess.run(cmd, capture_output=True)
    if r.returncode != 0:
        lines = r.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RenderError(f"{what}: ffmpeg failed: {lines[-1] if lines else r.returncode}")


def finish_video(inputs: list[Path], out: Path, *, srt_text: str | None = None, timecode: str | None = None,
                 spherical: bool = False) -> None:
    """Join ``inputs`` (stream copy) into ``out`` with subtitles / timecode / spherical metadata."""
    fmt = container(out)
    with tempfile.TemporaryDirectory(prefix=".lunarviz-mux-", dir=out.parent) as tmp:
        cmd = [_ffmpeg(), "-y", "-hide_banner", "-loglevel", "error"]
        if len(inputs) > 1:
            lst = Path(tmp) / "segments.txt"
            lst.write_text("".join(f"file '{os.path.abspath(p)}'\n" for p in inputs), encoding="utf-8")
            cmd += ["-f", "concat", "-safe", "0", "-i", str(lst)]
        else:
            cmd += ["-i", str(inputs[0])]
        maps = ["-map", "0:v"]
        if srt_text:
            srt = Path(tmp) / "captions.srt"
            srt.write_text(srt_text, encoding="utf-8")
            cmd += ["-i", str(srt)]
            maps += ["-map", "1:s", "-c:s", "srt" if fmt == "matroska" else "mov_text",
                     "-metadata:s:s:0", "language=eng"]
        cmd += maps + ["-c:v", "copy", "-fflags", "+bitexact"]
        if timecode:
            cmd += ["-timecode", timecode]
        first = Path(tmp) / ("first" + out.suffix) if spherical else out
        if fmt != "matroska" and not spherical:
            cmd += ["-movflags", "+faststart"]
        _run(cmd + ["-f", fmt, str(first)], out)
        if spherical:
            inject_spherical_v1(first)
            _run([_ffmpeg(), "-y", "-hide_banner", "-loglevel", "error", "-i", str(first), "-map", "0",
                  "-c", "copy", "-strict", "unofficial", "-fflags", "+bitexact", "-f", fmt, str(out)], out)
            inject_spherical_v1(out)


def _boxes(data: bytes, start: int, end: int):
    i = start
    while i + 8 <= end:
        size, kind = struct.unpack(">I4s", data[i:i + 8])
        head = 8
        if size == 1:
            size = struct.unpack(">Q", data[i + 8:i + 16])[0]
            head = 16
        elif size == 0:
            size = end - i
        yield i, size, head, kind
        i += size


def inject_spherical_v1(path: Path) -> None:
    """Add the Spherical Video V1 ``uuid`` box to the video ``trak`` of an MP4/MOV whose ``moov`` is last."""
    data = bytearray(path.read_bytes())
    moov = [(i, s, h) for i, s, h, k in _boxes(data, 0, len(data)) if k == b"moov"]
    if not moov or moov[0][0] + moov[0][1] != len(data) or moov[0][2] != 8:
        raise RenderError(f"{path}: cannot add spherical metadata (the moov box must come last)")
    mi, ms, _ = moov[0]
    for ti, ts, th, kind in _boxes(data, mi + 8, mi + ms):
        if kind != b"trak" or th != 8 or b"vide" not in bytes(data[ti:ti + ts]):
            continue
        payload = SPHERICAL_UUID + SPHERICAL_XMP.encode("utf-8")
        box = struct.pack(">I4s", 8 + len(payload), b"uuid") + payload
        data[ti + ts:ti + ts] = box
        struct.pack_into(">I", data, ti, ts + len(box))
        struct.pack_into(">I", data, mi, ms + len(box))
        path.write_bytes(bytes(data))
        return
    raise RenderError(f"{path}: no video track to mark as spherical")


def probe(path: str | os.PathLike) -> str:
    """ffmpeg's description of a file's streams and metadata (what ``ffprobe`` prints), for checks and tests."""
    r = subprocess.run([_ffmpeg(), "-hide_banner", "-i", str(path)], capture_output=True)
    return r.stderr.decode("utf-8", "replace")
