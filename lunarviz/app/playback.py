"""The viewer's playback model: where the playhead is, how fast it moves.

No Qt here, so tests can drive it without a window. The playhead advances by
*wall-clock time x speed* (read from a monotonic clock), never by counting
frames: if a frame takes 300 ms to draw, the next tick simply moves the
playhead 300 ms x speed further, so a 10x replay lasts a tenth of the flight
no matter how slow the machine is.

Times are ET seconds (TDB seconds past J2000), the project's one clock.

>>> clock = FakeClock()
>>> pb = Playback(0.0, 100.0, clock=clock)
>>> pb.set_speed(10.0); pb.play()
>>> clock.advance(2.0); pb.tick()
20.0
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from lunarviz.i18n import N_, _
from lunarviz.scenario import CAMERA_NAMES

#: the speeds offered by the viewer (1.0 is real time)
SPEEDS: tuple[float, ...] = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0)
MIN_SPEED = SPEEDS[0]
MAX_SPEED = SPEEDS[-1]
#: camera presets (:data:`lunarviz.scenario.CAMERA_NAMES`), in the order of the 1-5 keys
CAMERAS: tuple[str, ...] = CAMERA_NAMES
#: the camera presets as the viewer's buttons name them
CAMERA_LABELS = {"chase": N_("Chase"), "orbit": N_("Orbit"), "site": N_("Site"), "earthrise": N_("Earthrise"),
                 "down": N_("Down")}


def camera_label(name: str) -> str:
    """The button text of a camera preset (in the language in use)."""
    return _(CAMERA_LABELS[name]) if name in CAMERA_LABELS else name.capitalize()


#: display frame rate that defines "one frame" for frame stepping, frames per second
FRAME_RATE_HZ = 30.0


class FakeClock:
    """A monotonic clock for tests: returns seconds, moved by hand."""

    def __init__(self, t_s: float = 0.0) -> None:
        self.t_s = float(t_s)

    def __call__(self) -> float:
        return self.t_s

    def advance(self, dt_s: float) -> None:
        self.t_s += float(dt_s)


class Playback:
    """Playhead over ``[start_et_s, end_et_s]`` moving at ``speed`` x real time.

    Parameters
    ----------
    start_et_s, end_et_s : span of the scenario, ET seconds.
    clock : callable returning monotonic seconds (default :func:`time.monotonic`).
    loop : when playing past the end, wrap to the start instead of stopping.

    The playhead is only recomputed in :meth:`tick` (and when seeking), so every
    consumer of one frame sees the same time.
    """

    def __init__(
        self,
        start_et_s: float,
        end_et_s: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        loop: bool = False,
        speed: float = 1.0,
    ) -> None:
        if not (math.isfinite(start_et_s) and math.isfinite(end_et_s)) or end_et_s <= start_et_s:
            raise ValueError(f"playback span must be finite and increasing, got {start_et_s}..{end_et_s}")
        self.start_et_s = float(start_et_s)
        self.end_et_s = float(end_et_s)
        self._clock = clock
        self.loop = bool(loop)
        self._speed = 1.0
        self._et_s = self.start_et_s
        self._playing = False
        # wall-clock time and playhead at the last anchor (play, seek or speed change)
        self._anchor_wall_s = clock()
        self._anchor_et_s = self._et_s
        self.set_speed(speed)

    # ----------------------------------------------------------------- state
    @property
    def et_s(self) -> float:
        """The playhead, ET seconds (as of the last :meth:`tick` or seek)."""
        return self._et_s

    @property
    def playing(self) -> bool:
        return self._playing

    @property
    def speed(self) -> float:
        """Playback rate, scenario seconds per wall-clock second."""
        return self._speed

    #: the same as :attr:`speed` (docs/architecture.md calls it the rate)
    rate = speed

    @property
    def duration_s(self) -> float:
        return self.end_et_s - self.start_et_s

    @property
    def at_end(self) -> bool:
        return self._et_s >= self.end_et_s

    @property
    def fraction(self) -> float:
        """Position of the playhead in the span, 0..1."""
        return (self._et_s - self.start_et_s) / self.duration_s

    def _reanchor(self) -> None:
        self._anchor_wall_s = self._clock()
        self._anchor_et_s = self._et_s

    def _clamp(self, et_s: float) -> float:
        return min(max(float(et_s), self.start_et_s), self.end_et_s)

    # -------------------------------------------------------------- controls
    def play(self) -> None:
        """Start moving; from the end, playing starts again from the start."""
        if self.at_end:
            self._et_s = self.start_et_s
        self._playing = True
        self._reanchor()

    def pause(self) -> None:
        if self._playing:
            self.tick()
        self._playing = False
        self._reanchor()

    def toggle(self) -> bool:
        """Play if paused, pause if playing; returns the new ``playing``."""
        if self._playing:
            self.pause()
        else:
            self.play()
        return self._playing

    def set_speed(self, speed: float) -> None:
        """Change the rate (clamped to 0.1x..1000x) without a jump of the playhead."""
        speed = float(speed)
        if not math.isfinite(speed) or speed <= 0:
            raise ValueError(f"speed must be a positive number, got {speed!r}")
        if self._playing:
            self.tick()
        self._speed = min(max(speed, MIN_SPEED), MAX_SPEED)
        self._reanchor()

    def faster(self) -> float:
        """Step to the next speed in :data:`SPEEDS`; returns the new speed."""
        bigger = [s for s in SPEEDS if s > self._speed * 1.0001]
        self.set_speed(bigger[0] if bigger else MAX_SPEED)
        return self._speed

    def slower(self) -> float:
        smaller = [s for s in SPEEDS if s < self._speed / 1.0001]
        self.set_speed(smaller[-1] if smaller else MIN_SPEED)
        return self._speed

    def seek(self, et_s: float) -> float:
        """Move the playhead to ``et_s`` (clamped); keeps playing if it was."""
        self._et_s = self._clamp(et_s)
        self._reanchor()
        return self._et_s

    def seek_fraction(self, fraction: float) -> float:
        return self.seek(self.start_et_s + float(fraction) * self.duration_s)

    def step(self, dt_s: float) -> float:
        """Jump by ``dt_s`` scenario seconds (negative to go back)."""
        return self.seek(self._et_s + float(dt_s))

    @property
    def frame_s(self) -> float:
        """Scenario seconds in one display frame at the current speed."""
        return self._speed / FRAME_RATE_HZ

    def step_frames(self, n: int) -> float:
        """Step ``n`` display frames (at the current speed) and pause."""
        if self._playing:
            self.pause()
        return self.step(n * self.frame_s)

    def set_span(self, start_et_s: float, end_et_s: float) -> None:
        """Change the span (a new scenario), keeping the playhead if it fits."""
        if end_et_s <= start_et_s:
            raise ValueError("playback span must be increasing")
        self.start_et_s = float(start_et_s)
        self.end_et_s = float(end_et_s)
        self.seek(self._et_s)

    def tick(self) -> float:
        """Advance the playhead by wall-clock time since the anchor x speed.

        Call once per displayed frame; returns the new playhead. At the end it
        stops (or wraps when ``loop`` is set).
        """
        if not self._playing:
            return self._et_s
        now = self._clock()
        et = self._anchor_et_s + (now - self._anchor_wall_s) * self._speed
        if et >= self.end_et_s:
            if self.loop:
                et = self.start_et_s + (et - self.start_et_s) % self.duration_s
                self._et_s = et
                self._anchor_wall_s, self._anchor_et_s = now, et
                return et
            self._et_s = self.end_et_s
            self._playing = False
            self._reanchor()
            return self._et_s
        self._et_s = et
        return et


# ------------------------------------------------------------------ labels
#: events offered in the viewer's "jump to" list, in this order of preference, with labels
EVENT_LABELS: dict[str, str] = {
    "start": N_("Start"),
    "deorbit": N_("Deorbit burn"),
    "deorbit_end": N_("Deorbit burn ends"),
    "powered_descent": N_("Powered descent"),
    "pitch_up": N_("Pitch-up"),
    "terminal": N_("Terminal phase"),
    "lrf_first_valid": N_("Rangefinder first valid"),
    "lrf_rejected": N_("Rangefinder rejected"),
    "earthrise": N_("Earthrise"),
    "earthset": N_("Earthset"),
    "propellant_exhausted": N_("Propellant exhausted"),
    "touchdown": N_("Touchdown / contact lost"),
}


def event_label(name: str) -> str:
    """Human label of an event name (unknown names are prettified)."""
    return _(EVENT_LABELS[name]) if name in EVENT_LABELS else name.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Mark:
    """An event as the viewer lists it: label, time, and L-minus text."""

    name: str
    label: str
    et_s: float


def event_marks(events: Iterable, *, touchdown_label: str | None = None) -> list[Mark]:
    """The jump-to list for a trajectory's events, time ordered.

    ``touchdown_label`` overrides the label of ``touchdown`` (e.g. "Contact lost"
    for a crash, "Touchdown" for a soft landing).
    """
    marks = []
    for ev in sorted(events, key=lambda e: e.et_s):
        label = event_label(ev.name)
        if ev.name == "touchdown" and touchdown_label:
            label = touchdown_label
        marks.append(Mark(ev.name, label, float(ev.et_s)))
    return marks


def format_speed(speed: float) -> str:
    """``"1x (real time)"``, ``"0.25x"``, ``"1000x"``."""
    if abs(speed - 1.0) < 1e-9:
        return _("1x (real time)")
    text = f"{speed:g}"
    return f"{text}x"
