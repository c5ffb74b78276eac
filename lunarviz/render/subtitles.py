"""Subtitles of a render: the scenario's captions and the flight's event labels as timed cues.

A cue starts when its event happens (in video time: ``(event - start) / speed``)
and lasts as long as the HUD shows the caption (:data:`lunarviz.render.hud.CAPTION_SECONDS`
of flight), cut short by the next cue and by the end of the video. The text is
the event's label (the viewer's, :func:`lunarviz.app.playback.event_label`) and,
on a second line, the scenario's caption for it, if any. Written as SubRip
(``.srt``) and WebVTT (``.vtt``) beside a video, and embedded in MP4/MOV as a
``mov_text`` stream (:mod:`lunarviz.render.mux`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..i18n import _
from .hud import CAPTION_SECONDS


@dataclass(frozen=True)
class Cue:
    start_s: float
    end_s: float
    text: str


def cues(traj, start_et_s: float, n_frames: int, fps: float, speed: float = 1.0,
         captions: dict[str, str] | None = None) -> list[Cue]:
    """The cues of a render of ``n_frames`` frames from ``start_et_s`` (video seconds from the first frame)."""
    from ..app.playback import event_label

    if captions is None:
        sc = traj.scenario
        captions = {k: _(v) for k, v in sc.captions.items()} if sc is not None else {}  # in the language in use
    length_s = n_frames / fps
    raw = []
    for ev in traj.events:
        t0 = (ev.et_s - start_et_s) / speed
        t1 = t0 + CAPTION_SECONDS / speed
        if t1 <= 0 or t0 >= length_s or ev.name == "start":
            continue
        text = event_label(ev.name)
        if captions.get(ev.name):
            text += "\n" + str(captions[ev.name])
        raw.append([max(t0, 0.0), min(t1, length_s), text])
    for a, b in zip(raw, raw[1:], strict=False):
        a[1] = min(a[1], b[0])
    return [Cue(round(a, 3), round(b, 3), t) for a, b, t in raw if b - a >= 0.001]


def _stamp(t: float, sep: str) -> str:
    ms = int(round(t * 1000))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def to_srt(items: list[Cue]) -> str:
    return "".join(f"{k}\n{_stamp(c.start_s, ',')} --> {_stamp(c.end_s, ',')}\n{c.text}\n\n"
                   for k, c in enumerate(items, 1))


def to_vtt(items: list[Cue]) -> str:
    return "WEBVTT\n\n" + "".join(f"{_stamp(c.start_s, '.')} --> {_stamp(c.end_s, '.')}\n{c.text}\n\n"
                                  for c in items)


def sidecar_paths(video: str | os.PathLike) -> tuple[Path, Path]:
    """``NAME.srt`` and ``NAME.vtt`` beside ``NAME.mp4`` (beside the folder of a PNG sequence)."""
    p = Path(video)
    base = p.with_suffix("") if p.suffix else p
    return base.with_name(base.name + ".srt"), base.with_name(base.name + ".vtt")


def write_sidecars(video: str | os.PathLike, items: list[Cue]) -> tuple[Path, Path]:
    """Write the ``.srt`` and ``.vtt`` beside ``video`` atomically."""
    from ..fileio import atomic_output
    from .offscreen import make_readable

    srt, vtt = sidecar_paths(video)
    for path, text in ((srt, to_srt(items)), (vtt, to_vtt(items))):
        with atomic_output(path) as tmp:
            tmp.write_text(text, encoding="utf-8")
        make_readable(path)
    return srt, vtt
